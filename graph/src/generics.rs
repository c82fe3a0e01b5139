//! TypeScript types as declarations write them, read far enough to type a callback's
//! parameters: the parameters of a function type, a generic function's type
//! parameters instantiated at a call, and indexed access types
//! (`T["_zod"]["def"]`) followed through the fields' declared types.

use crate::resolve::{
    angle_end, angle_list_after, angle_split, balanced_end, is_word, outside_brackets,
    type_parameter_bound, type_parameters, FieldTypes,
};

/// How many indexed accesses a type is followed through (`X["a"]["b"]["c"]`).
const ACCESS_DEPTH: usize = 4;

/// The type a function type declares for its parameter at `position`, as written:
/// `T` of `(inst: T, def: D) => void` at 0; through parentheses and a union with
/// `undefined` or `null` (`((x: T) => void) | undefined`). None for anything else.
pub(crate) fn function_type_parameter(written: &str, position: usize) -> Option<&str> {
    let mut t = written.trim();
    for _ in 0..4 {
        // A union: its one function type.
        let bars: Vec<usize> = outside_brackets(t)
            .filter(|(_, c)| *c == '|')
            .map(|(i, _)| i)
            .collect();
        if !bars.is_empty() {
            let mut parts = Vec::new();
            let mut from = 0;
            for at in bars.iter().copied().chain([t.len()]) {
                parts.push(t[from..at].trim());
                from = at + 1;
            }
            let mut functions = parts
                .into_iter()
                .filter(|p| !matches!(*p, "" | "undefined" | "null" | "void"));
            t = functions.next()?;
            if functions.next().is_some() {
                return None;
            }
            continue;
        }
        // Parentheses around the whole type.
        if t.starts_with('(') && balanced_end(t) == Some(t.len()) {
            t = t[1..t.len() - 1].trim();
            continue;
        }
        break;
    }
    // (A generic function type's own parameters stand for what its caller picks.)
    if t.starts_with('<') {
        t = t[angle_end(t)?..].trim_start();
    }
    let end = balanced_end(t).filter(|_| t.starts_with('('))?;
    if !t[end..].trim_start().starts_with("=>") {
        return None;
    }
    let parameter = angle_split(&t[1..end - 1])
        .into_iter()
        .nth(position)?
        .trim();
    if parameter.starts_with("...") {
        return None;
    }
    declared_type(parameter)
}

/// The type a parameter (`name: Type`, `name?: Type = value`) declares, as written.
pub(crate) fn declared_type(parameter: &str) -> Option<&str> {
    let (colon, _) = outside_brackets(parameter).find(|(_, c)| *c == ':')?;
    let written = &parameter[colon + 1..];
    let end = default_at(written).unwrap_or(written.len());
    Some(written[..end].trim()).filter(|t| !t.is_empty())
}

/// The name a parameter declares (`o` of `o?: Options = {}`, of `readonly o: O`).
pub(crate) fn parameter_named(parameter: &str) -> Option<&str> {
    let mut p = parameter.trim();
    for modifier in ["public ", "private ", "protected ", "readonly "] {
        p = p.strip_prefix(modifier).unwrap_or(p).trim_start();
    }
    let end = p.find(|c: char| !is_word(c)).unwrap_or(p.len());
    (end > 0).then(|| &p[..end])
}

/// Where a default (`= value`) starts in a declaration, outside brackets (an arrow's
/// `=>` is none).
pub(crate) fn default_at(s: &str) -> Option<usize> {
    outside_brackets(s)
        .find(|&(i, c)| c == '=' && !s[i + 1..].starts_with('>'))
        .map(|(i, _)| i)
}

/// The type parameters of the generic function `name` (`signature` its declaration)
/// with what a call gives each, in order: the call's type arguments (`<Item>`), or
/// what matching the type its result is declared as (`Ctor<Item>`) against the result
/// the function declares (`Ctor<T, D>`) gives; then a parameter's default
/// (`D = T["_zod"]["def"]`, earlier parameters substituted), else its constraint
/// (`T extends Base`). Parameters given none of these are left out.
pub(crate) fn instantiation(
    signature: &str,
    name: &str,
    result: Option<&str>,
    generics: Option<&str>,
) -> Vec<(String, String)> {
    let params = type_parameters(signature, name);
    if params.is_empty() {
        return Vec::new();
    }
    let declared: Vec<&str> = angle_list_after(signature, name, 0)
        .map(angle_split)
        .unwrap_or_default();
    let mut given: Vec<Option<String>> = vec![None; params.len()];
    match generics.map(str::trim) {
        Some(arguments) if arguments.starts_with('<') => {
            let list = &arguments[1..angle_end(arguments).unwrap_or(arguments.len() + 1) - 1];
            for (slot, a) in given.iter_mut().zip(angle_split(list)) {
                *slot = Some(a.trim().to_string());
            }
        }
        Some(expected) => {
            if let Some(result) = result.map(str::trim) {
                for (p, a) in matched_arguments(result, expected) {
                    if let Some(i) = params.iter().position(|q| *q == p) {
                        given[i] = Some(a.to_string());
                    }
                }
            }
        }
        None => {}
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let part = declared.get(i).copied().unwrap_or("");
        let value = given[i]
            .clone()
            .or_else(|| {
                let default = default_at(part).map(|at| part[at + 1..].trim())?;
                Some(substitute(default, &out))
            })
            // Given nothing, a parameter stands for its constraint.
            .or_else(|| type_parameter_bound(signature, name, p));
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push((p.to_string(), v));
        }
    }
    out
}

/// What the type parameters in a function's declared result (`Ctor<T, D>`, or `T`)
/// are given by the type the result is declared as (`Ctor<Item>`, or `Item`): pairs
/// of (a word of the result, the argument at its place), where both name one type.
fn matched_arguments<'s>(result: &'s str, expected: &'s str) -> Vec<(&'s str, &'s str)> {
    let word = |s: &str| !s.is_empty() && s.chars().all(is_word);
    if word(result) {
        return vec![(result, expected)];
    }
    let name = type_head(result);
    if name.is_empty() || name != type_head(expected) {
        return Vec::new();
    }
    let (Some(r), Some(e)) = (
        angle_list_after(result, name, 0),
        angle_list_after(expected, name, 0),
    ) else {
        return Vec::new();
    };
    angle_split(r)
        .into_iter()
        .zip(angle_split(e))
        .map(|(r, e)| (r.trim(), e.trim()))
        .filter(|(r, _)| word(r))
        .collect()
}

/// The simple name a written type starts with (`Ctor` of `core.Ctor<Item>`).
pub(crate) fn type_head(written: &str) -> &str {
    let end = written.find('<').unwrap_or(written.len());
    let head = written[..end].trim();
    head.rsplit('.').next().unwrap_or(head)
}

/// `written` with each type parameter of `given` (a whole word) replaced by its type.
pub(crate) fn substitute(written: &str, given: &[(String, String)]) -> String {
    let mut out = String::with_capacity(written.len());
    let mut rest = written;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        if end == 0 {
            // A string literal is copied as is (`"def"` of `T["def"]`).
            let c = rest.chars().next().unwrap_or(' ');
            let len = match c {
                '"' | '\'' => rest[1..].find(c).map_or(rest.len(), |i| i + 2),
                _ => c.len_utf8(),
            };
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        let w = &rest[..end];
        match given.iter().find(|(p, _)| p == w) {
            Some((_, ty)) => out.push_str(ty),
            None => out.push_str(w),
        }
        rest = &rest[end..];
    }
    out
}

/// The simple name of the type a written type names (see `written_type`), an indexed
/// access (`X["_zod"]["def"]`) followed through the fields' declared types.
pub(crate) fn evaluated(written: &str, fields: &FieldTypes<'_>) -> Option<String> {
    let written = written.trim();
    let Some(open) = written.find("[\"").or_else(|| written.find("['")) else {
        return cartograph_indexer::written_type(written);
    };
    let mut ty = cartograph_indexer::written_type(&written[..open])?;
    let mut rest = &written[open..];
    for _ in 0..ACCESS_DEPTH {
        let Some(inner) = rest.strip_prefix('[') else {
            break;
        };
        let quote = inner.chars().next()?;
        let end = inner[1..].find(quote)? + 1;
        let key = &inner[1..end];
        rest = inner[end + 1..].strip_prefix(']')?;
        ty = fields.get(&(ty.as_str(), key))?.clone()?;
    }
    rest.trim().is_empty().then_some(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_types_parameters_are_read_as_written() {
        let f = "(inst: T, def: D) => void";
        assert_eq!(function_type_parameter(f, 0), Some("T"));
        assert_eq!(function_type_parameter(f, 1), Some("D"));
        assert_eq!(function_type_parameter(f, 2), None);
        assert_eq!(
            function_type_parameter("((x: Item<A, B>) => void) | undefined", 0),
            Some("Item<A, B>")
        );
        assert_eq!(function_type_parameter("<U>(x: U) => U", 0), Some("U"));
        assert_eq!(function_type_parameter("Handler", 0), None);
        assert_eq!(function_type_parameter("(a: A) | (b: B)", 0), None);
    }

    #[test]
    fn a_calls_type_parameters_are_instantiated_from_its_declared_result() {
        let sig = r#"export function ctor<T extends Trait, D = T["_zod"]["def"]>(name: string, f: (inst: T, def: D) => void): Ctor<T, D> {"#;
        let given = instantiation(sig, "ctor", Some("Ctor<T, D>"), Some("core.Ctor<Str>"));
        assert_eq!(
            given,
            vec![
                ("T".to_string(), "Str".to_string()),
                ("D".to_string(), r#"Str["_zod"]["def"]"#.to_string())
            ]
        );
        let given = instantiation(sig, "ctor", Some("Ctor<T, D>"), Some("<Num, NumDef>"));
        assert_eq!(given[1], ("D".to_string(), "NumDef".to_string()));
        // A result of another type gives nothing: the constraint, and the defaults.
        let given = instantiation(sig, "ctor", Some("Ctor<T, D>"), Some("Other<Str>"));
        assert_eq!(
            given,
            vec![
                ("T".to_string(), "Trait".to_string()),
                ("D".to_string(), r#"Trait["_zod"]["def"]"#.to_string())
            ]
        );
        assert_eq!(
            substitute(r#"T["T"] | Tx"#, &[("T".to_string(), "X".to_string())]),
            r#"X["T"] | Tx"#
        );
    }

    #[test]
    fn an_indexed_access_follows_the_fields_types() {
        let mut fields = FieldTypes::default();
        fields.insert(("Str", "_zod"), Some("StrInternals".to_string()));
        fields.insert(("StrInternals", "def"), Some("StrDef".to_string()));
        fields.insert(("Both", "def"), None);
        assert_eq!(
            evaluated(r#"Str["_zod"]["def"]"#, &fields).as_deref(),
            Some("StrDef")
        );
        assert_eq!(evaluated("Str", &fields).as_deref(), Some("Str"));
        assert_eq!(evaluated(r#"Both["def"]"#, &fields), None);
        assert_eq!(evaluated(r#"Str["nothing"]"#, &fields), None);
    }
}
