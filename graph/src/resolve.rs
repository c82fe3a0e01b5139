//! Resolution: which definitions a reference points to, and how sure that is.
//!
//! [`resolve`] is a pure function of the referencing file, the reference, and the
//! candidate definitions with the same simple name (gathered by the caller from the
//! search index or an in-memory table). It tries, in order: members of the enclosing
//! type (`self.x`, `this.x`, a Go receiver, implicit `this`), then its base types;
//! a qualifier that names a type (`Ledger::new`) or an imported module (`errors.New`);
//! for bare names the enclosing scopes of the same file, then the file's imports, then
//! the same package; and last, definitions that merely share the name in the same
//! language. Each answer carries its [`Evidence`] and a confidence; a name that an
//! import brings in from outside the workspace stays unresolved.

use std::sync::OnceLock;

use cartograph_indexer::{FileFacts, Language, RefKind, Reference, SymbolKind};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::store::FileRecord;

/// How a reference was linked to a definition.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Evidence {
    /// Defined in an enclosing scope of the same file.
    Scope,
    /// A member of the enclosing type, reached through `self`/`this`/a receiver.
    Member,
    /// A member of a base type of the enclosing type.
    Inherited,
    /// Brought in by an import of the file.
    Import,
    /// An implementation of the interface or trait method the reference resolves to
    /// (the call may dispatch to it).
    Interface,
    /// Found through a qualifier naming its type, or in the same package.
    QualifiedName,
    /// Only the name matches.
    NameOnly,
    /// A call and a handler of the same rpc of a `.proto` service (a cross-service
    /// link).
    Idl,
    /// An HTTP call whose URL names the service (host) and the route (method and path
    /// template) of a handler.
    LiteralUrl,
    /// An HTTP call matched to a route by method and path template only: its URL
    /// does not say which service it calls.
    RouteTemplate,
    /// A publisher and a subscriber of the same message topic.
    TopicName,
    /// A publisher and a subscriber of the same message type on an event bus that
    /// routes by type (the type's name; two types of one name in different
    /// namespaces would meet too).
    MessageType,
    /// An HTTP call whose service is named by an address from the deployment's
    /// environment (docker-compose, Kubernetes).
    EnvConfig,
    /// An HTTP call to a gateway's route, matched to a handler of the service the
    /// gateway forwards that route to (the path as the gateway forwards it).
    Gateway,
    /// An HTTP call whose service is named by a discovery name (a member of an
    /// enumeration of the services, `Service.AUTH`) the call is handed, its path and
    /// method from the request a callback makes with the client.
    DiscoveryName,
}

impl Evidence {
    /// The lowercase name used in output.
    pub fn name(self) -> &'static str {
        match self {
            Evidence::Scope => "scope",
            Evidence::Member => "member",
            Evidence::Inherited => "inherited",
            Evidence::Import => "import",
            Evidence::Interface => "interface",
            Evidence::QualifiedName => "qualified-name",
            Evidence::NameOnly => "name-only",
            Evidence::Idl => "idl",
            Evidence::LiteralUrl => "literal-url",
            Evidence::RouteTemplate => "route-template",
            Evidence::TopicName => "topic-name",
            Evidence::MessageType => "message-type",
            Evidence::EnvConfig => "env-config",
            Evidence::Gateway => "gateway",
            Evidence::DiscoveryName => "discovery-name",
        }
    }
}

/// A definition a reference may point to: its file and its index in that file's facts.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The defining file.
    pub record: &'a FileRecord,
    /// Its facts.
    pub facts: &'a FileFacts,
    /// Index of the definition in `facts.symbols`.
    pub symbol: u32,
}

/// The candidates of one name, in (service, path) order, with an index of the
/// members among them by the name of the type that owns them and the candidates
/// each use of the name can mean, worked out once (for long lists: `new`, `get`).
#[derive(Clone, Copy, Debug)]
pub struct Named<'n, 'a> {
    /// Every definition of the name in one language family, sorted by (service,
    /// path, symbol).
    pub candidates: &'n [Candidate<'a>],
    /// Indices into `candidates` by owner (`Ledger` for `Ledger.new`), ascending.
    pub owners: Option<&'n FxHashMap<&'a str, Vec<usize>>>,
    /// The [`pool`] of `candidates` for each [`Use`], filled on first need.
    pub pools: Option<&'n OnceLock<Pools>>,
    /// The bases each type declares, by the type's simple name, over the files
    /// loaded (see [`type_bases`]): a member inherited from further up is found
    /// through them.
    pub bases: Option<&'n Bases<'a>>,
    /// The declared types of the fields and properties of every type loaded (see
    /// [`field_types`]): `request.url.host` is a member of the type of `Request.url`,
    /// declared in another file.
    pub fields: Option<&'n FieldTypes<'a>>,
}

/// The type each field or property declares, by (its type's simple name, its name):
/// `None` where types of one name declare it differently.
pub type FieldTypes<'a> = FxHashMap<FieldKey<'a>, Option<String>>;

/// A field by (its type's simple name, its name).
pub type FieldKey<'a> = (&'a str, &'a str);

/// Adds the fields and properties `facts` declares, typed, to `fields`.
pub fn field_types<'a>(
    facts: &'a FileFacts,
    names: Option<&std::collections::HashSet<String>>,
    fields: &mut FieldTypes<'a>,
) {
    for s in &facts.symbols {
        if !matches!(
            s.kind,
            SymbolKind::Field | SymbolKind::Property | SymbolKind::Method
        ) || names.is_some_and(|n| !n.contains(&s.name))
        {
            continue;
        }
        let Some(owner) = s.parent.and_then(|p| facts.symbols.get(p as usize)) else {
            continue;
        };
        // (A member of an object type written as a field's type is that field's, by
        // its qualified name.)
        let inline = matches!(owner.kind, SymbolKind::Field | SymbolKind::Property)
            && inline_object_type(owner);
        if !owner.kind.is_type() && !inline {
            continue;
        }
        let Some(mut ty) = member_type(s) else {
            continue;
        };
        if inline {
            fields
                .entry((owner.qualified_name.as_str(), s.name.as_str()))
                .and_modify(|known| {
                    if known.as_deref() != Some(ty.as_str()) {
                        *known = None;
                    }
                })
                .or_insert(Some(ty));
            continue;
        }
        // A type parameter of its type (`_zod: Internals` in `interface T<Internals
        // extends Base = Base>`) is its default, else its bound.
        if let Some(bound) = type_parameter_default(&owner.signature, &owner.name, &ty) {
            ty = bound;
        }
        fields
            .entry((owner.name.as_str(), s.name.as_str()))
            .and_modify(|known| {
                if known.as_deref() != Some(ty.as_str()) {
                    *known = None;
                }
            })
            .or_insert(Some(ty));
    }
}

/// Adds to `fields` the fields each type of `files` inherits from its `bases` (up to
/// [`ANCESTOR_LEVELS`] above it), where it declares none of that name: typed as the
/// base declares them or, for a field the base types by one of its type parameters,
/// by the argument the type's declaration gives that parameter (`_zod: Internals` of
/// `interface $ZodType<O, I, Internals>` is a `$ZodObjectInternals` in `interface
/// $ZodObject extends $ZodType<any, any, $ZodObjectInternals<Shape>>`).
pub fn inherited_field_types<'a>(
    files: &[&'a FileFacts],
    bases: &Bases<'a>,
    fields: &mut FieldTypes<'a>,
) {
    // Each type with bases: its name and declaration; each field typed by a type
    // parameter of its type: the parameter's position.
    let mut types: Vec<(&'a str, &'a str)> = Vec::new();
    let mut by_param: FxHashMap<FieldKey<'a>, usize> = FxHashMap::default();
    for facts in files {
        for s in &facts.symbols {
            if s.kind.is_type() && bases.contains_key(s.name.as_str()) {
                types.push((s.name.as_str(), s.signature.as_str()));
            }
            let Some(owner) = s.parent.and_then(|p| facts.symbols.get(p as usize)) else {
                continue;
            };
            if !owner.kind.is_type()
                || !fields.contains_key(&(owner.name.as_str(), s.name.as_str()))
            {
                continue;
            }
            // (Only a generic type's fields can be typed by its parameters.)
            if !owner.signature.contains(['<', '[']) {
                continue;
            }
            let Some(ty) = member_type(s) else {
                continue;
            };
            let params = type_parameters(&owner.signature, &owner.name);
            if let Some(i) = params.iter().position(|p| *p == ty) {
                by_param.insert((owner.name.as_str(), s.name.as_str()), i);
            }
        }
    }
    if types.is_empty() {
        return;
    }
    let mut by_owner: FxHashMap<&'a str, Vec<&'a str>> = FxHashMap::default();
    for (owner, field) in fields.keys() {
        by_owner.entry(owner).or_default().push(field);
    }
    // Each type's own parameters and the arguments it gives each base, read once.
    let declared: Vec<_> = types
        .iter()
        .map(|&(ty, signature)| {
            let own = type_parameters(signature, ty);
            let given: Vec<(&str, Vec<&str>)> = bases
                .get(ty)
                .into_iter()
                .flatten()
                .map(|base| {
                    let base = base.rsplit(['.', ':']).next().unwrap_or(base);
                    (base, base_arguments(signature, ty, base))
                })
                .collect();
            (ty, signature, own, given)
        })
        .collect();
    for _ in 0..ANCESTOR_LEVELS {
        // (type, field), its type, the type's own parameter typing it.
        // Where bases or types of one name give a field different types, it has none
        // (as `field_types` does): whatever order the files were loaded in.
        let mut found: Vec<(FieldKey<'a>, Option<String>, Option<usize>)> = Vec::new();
        let mut at: FxHashMap<FieldKey<'a>, usize> = FxHashMap::default();
        for (ty, signature, own, given) in &declared {
            let (ty, signature) = (*ty, *signature);
            for (base, arguments) in given {
                let base = *base;
                for &field in by_owner.get(base).into_iter().flatten() {
                    if fields.contains_key(&(ty, field)) {
                        continue;
                    }
                    let mut typed = fields.get(&(base, field)).cloned().flatten();
                    let mut param = None;
                    let argument = by_param
                        .get(&(base, field))
                        .and_then(|i| arguments.get(*i))
                        .map(|a| a.split('<').next().unwrap_or(a).trim());
                    if let Some(argument) = argument {
                        if let Some(j) = own.iter().position(|p| *p == argument) {
                            // One of the type's own parameters: its bound, and a type
                            // deriving from it gives it in turn.
                            param = Some(j);
                            typed = type_parameter_default(signature, ty, argument).or(typed);
                        } else {
                            // A named type (not `any`, `unknown`, a literal or a
                            // structural type): its last segment.
                            let name = argument.rsplit(['.', ':']).next().unwrap_or(argument);
                            let named = name.starts_with(|c: char| c.is_uppercase() || c == '$')
                                && name
                                    .chars()
                                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
                            if named {
                                typed = Some(name.to_string());
                            }
                        }
                    }
                    match at.get(&(ty, field)) {
                        Some(&i) if found[i].1 != typed || found[i].2 != param => {
                            found[i].1 = None;
                            found[i].2 = None;
                        }
                        Some(_) => {}
                        None => {
                            at.insert((ty, field), found.len());
                            found.push(((ty, field), typed, param));
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            break;
        }
        for (key, typed, param) in found {
            fields.insert(key, typed);
            by_owner.entry(key.0).or_default().push(key.1);
            if let Some(j) = param {
                by_param.insert(key, j);
            }
        }
    }
}

/// The names of the type parameters a declaration lists right after its name
/// (`O`, `I`, `Internals` of `interface $ZodType<O = unknown, I, Internals extends
/// Base<O, I> = Base<O, I>>`; variance and `const` modifiers and comments dropped).
pub(crate) fn type_parameters<'s>(signature: &'s str, name: &str) -> Vec<&'s str> {
    type_parameter_parts(signature, name)
        .into_iter()
        .map(|(param, _)| param)
        .collect()
}

/// The type parameters a declaration lists right after its name, each as (its name,
/// what follows the name: ` extends X = Y`), comments and variance and `const`
/// modifiers dropped.
fn type_parameter_parts<'s>(signature: &'s str, name: &str) -> Vec<(&'s str, &'s str)> {
    let Some(list) = angle_list_after(signature, name, 0) else {
        return Vec::new();
    };
    angle_split(list)
        .into_iter()
        .filter_map(|p| {
            let mut p = p.trim();
            while let Some(comment) = p.strip_prefix("/*") {
                p = comment
                    .split_once("*/")
                    .map_or("", |(_, rest)| rest)
                    .trim_start();
            }
            for modifier in ["in ", "out ", "const "] {
                p = p.strip_prefix(modifier).unwrap_or(p).trim_start();
            }
            let end = p.find(|c: char| !is_word(c)).unwrap_or(p.len());
            (end > 0).then(|| (&p[..end], &p[end..]))
        })
        .collect()
}

/// Whether `c` can be part of a name (`$` too, as TypeScript allows).
pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// The generic arguments a type's declaration (`signature`) gives its base `base`,
/// as written (`any`, `$ZodObjectInternals<Shape>`), after the type's own name and
/// parameters.
pub(crate) fn base_arguments<'s>(signature: &'s str, name: &str, base: &str) -> Vec<&'s str> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let Some(at) = signature.match_indices(name).map(|(i, _)| i).find(|i| {
        !signature[..*i].ends_with(word) && !signature[i + name.len()..].starts_with(word)
    }) else {
        return Vec::new();
    };
    let mut from = at + name.len();
    if let Some(own) = angle_list_after(signature, name, at) {
        from = own.as_ptr() as usize - signature.as_ptr() as usize + own.len() + 1;
    }
    let rest = signature.get(from..).unwrap_or("");
    let Some(b) = rest
        .match_indices(base)
        .map(|(i, _)| i)
        .find(|i| !rest[..*i].ends_with(word) && rest[i + base.len()..].starts_with('<'))
    else {
        return Vec::new();
    };
    angle_list_after(rest, base, b)
        .map(angle_split)
        .unwrap_or_default()
}

/// The text between the `<` right after `name` (at or after byte `from` of `s`) and
/// its closing `>`.
pub(crate) fn angle_list_after<'s>(s: &'s str, name: &str, from: usize) -> Option<&'s str> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let at = s
        .get(from..)?
        .match_indices(name)
        .map(|(i, _)| i + from)
        .find(|i| !s[..*i].ends_with(word) && s[i + name.len()..].starts_with('<'))?;
    let list = &s[at + name.len() + 1..];
    let mut depth = 0usize;
    let mut prev = ' ';
    for (i, c) in list.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            // (`=>` of a function type closes nothing.)
            '>' if prev == '=' => {}
            '>' | ')' | ']' | '}' if depth == 0 => return Some(&list[..i]),
            '>' | ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        prev = c;
    }
    None
}

/// `s` split at its commas outside brackets, angle brackets included.
pub(crate) fn angle_split(s: &str) -> Vec<&str> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    let mut prev = ' ';
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' if prev == '=' => {}
            '>' | ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = c;
    }
    if !s[start..].trim().is_empty() {
        parts.push(&s[start..]);
    }
    parts
}

/// The bases (as written, simple names) each type declares, by the type's simple
/// name; types of one name in several files share one sorted list.
pub type Bases<'a> = FxHashMap<&'a str, Vec<&'a str>>;

/// Whether `r` names a base of the type it is written in: an inheritance or
/// implementation, or a struct Go embeds (a type written right in the struct, with no
/// field of its own).
pub fn is_base_reference(lang: Language, facts: &FileFacts, r: &Reference) -> bool {
    match r.kind {
        RefKind::Inherit | RefKind::Implement => true,
        RefKind::Type if lang == Language::Go => r
            .enclosing
            .and_then(|e| facts.symbols.get(e as usize))
            .is_some_and(|t| t.kind.is_type()),
        _ => false,
    }
}

/// Adds the bases the types of `facts` (in `lang`) declare to `bases`.
pub fn type_bases<'a>(lang: Language, facts: &'a FileFacts, bases: &mut Bases<'a>) {
    for r in &facts.references {
        if !is_base_reference(lang, facts, r) {
            continue;
        }
        let Some(ty) = r.enclosing.and_then(|e| facts.symbols.get(e as usize)) else {
            continue;
        };
        if ty.kind.is_type() && ty.name != r.name {
            bases
                .entry(ty.name.as_str())
                .or_default()
                .push(r.name.as_str());
        }
    }
}

/// How many levels of bases above the direct ones a member is looked for in.
pub(crate) const ANCESTOR_LEVELS: usize = 6;

/// The ancestors of a type above `direct` (its direct bases), nearest first, by
/// level: the bases of the bases, and so on (each name once, `ANCESTOR_LEVELS` deep).
fn ancestors<'a>(bases: &Bases<'a>, direct: &[&str]) -> Vec<Vec<&'a str>> {
    let mut seen: FxHashSet<&str> = direct.iter().copied().collect();
    let mut levels: Vec<Vec<&'a str>> = Vec::new();
    let mut frontier: Vec<&str> = direct.to_vec();
    for _ in 0..ANCESTOR_LEVELS {
        let mut next: Vec<&'a str> = Vec::new();
        for b in &frontier {
            let simple = b.rsplit(['.', ':']).next().unwrap_or(b);
            for up in bases.get(simple).into_iter().flatten() {
                if seen.insert(up) {
                    next.push(up);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next.clone();
        levels.push(next);
    }
    levels
}

/// The pool of each [`Use`] of one name (see [`pool`]).
pub type Pools = Box<[Vec<usize>; USES]>;

/// How a reference uses a name, as far as the kinds of definitions it can mean go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// `x.kind` in Rust, Go or Java: reads a field rather than naming a method.
    FieldRead,
    /// A call.
    Call,
    /// A qualified type position: `Kind::Variant { .. }`.
    QualifiedType,
    /// A type position or a path segment (`ast::Ast`).
    Type,
    /// An inheritance or implementation.
    Relation,
    /// A macro invocation: only a macro.
    Macro,
    /// Anything else.
    Other,
}

/// How many [`Use`]s there are.
pub const USES: usize = Use::ALL.len();

impl Use {
    /// Every use, in the order of their pools.
    const ALL: [Use; 7] = [
        Use::FieldRead,
        Use::Call,
        Use::QualifiedType,
        Use::Type,
        Use::Relation,
        Use::Macro,
        Use::Other,
    ];

    /// How `reference` (in a file of `lang`) uses its name.
    pub fn of(reference: &Reference, lang: Language) -> Use {
        let qualified = reference.qualifier.is_some();
        match reference.kind {
            RefKind::Other
                if qualified
                    && matches!(
                        lang,
                        Language::Rust
                            | Language::Go
                            | Language::Java
                            | Language::Kotlin
                            | Language::C
                            | Language::Cpp
                    ) =>
            {
                Use::FieldRead
            }
            RefKind::Call => Use::Call,
            RefKind::Macro => Use::Macro,
            RefKind::Type if qualified => Use::QualifiedType,
            RefKind::Type => Use::Type,
            RefKind::Inherit | RefKind::Implement => Use::Relation,
            _ => Use::Other,
        }
    }

    /// Whether a definition of kind `k` can be what this use means.
    fn wants(self, k: SymbolKind) -> bool {
        match self {
            Use::FieldRead => !k.is_callable(),
            // Rust tuple variants and Java/C# enum constants with arguments are called.
            Use::Call => k.is_callable() || k.is_type() || k == SymbolKind::EnumMember,
            Use::QualifiedType => {
                k.is_type() || matches!(k, SymbolKind::EnumMember | SymbolKind::Module)
            }
            Use::Type => k.is_type() || k == SymbolKind::Module,
            Use::Relation => k.is_type(),
            Use::Macro => k == SymbolKind::Macro,
            // Only a call runs a constructor; `(ClassBase)x` names the class.
            Use::Other => k != SymbolKind::Constructor,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The candidates (indices, ascending) a use of a name can mean: those of kinds it
/// prefers, if any; where a type must stand and none is a type, none (a function,
/// method or property cannot be meant: `string` in Go is not a method named
/// `string`), except in Python and JavaScript, where an alias assigned to a
/// variable can.
pub fn pool(candidates: &[Candidate<'_>], use_: Use, lang: Language) -> Vec<usize> {
    let kinds = || candidates.iter().map(kind_of).enumerate();
    // A JavaScript, TypeScript or Python constant or variable may hold a function
    // (`export const f = dual(...)`, `const ky = createInstance()`): a call can mean it.
    let holds_functions = matches!(
        lang,
        Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Python
    );
    let wants = |k: SymbolKind| {
        use_.wants(k)
            || (use_ == Use::Call
                && holds_functions
                && matches!(k, SymbolKind::Constant | SymbolKind::Variable))
    };
    // A Rust call never means an associated type (`Ok(x)` in an impl with `type Ok`),
    // nor a macro (`check(x)` beside `macro_rules! check`; C's macros are called).
    let callable_type = |i: usize| {
        let c = &candidates[i];
        !(use_ == Use::Call
            && lang == Language::Rust
            && (kind_of(c) == SymbolKind::Macro
                || (kind_of(c) == SymbolKind::Type && is_member(c))))
    };
    if kinds().any(|(i, k)| wants(k) && callable_type(i)) {
        return kinds()
            .filter(|(i, k)| wants(*k) && callable_type(*i))
            .map(|(i, _)| i)
            .collect();
    }
    match use_ {
        Use::QualifiedType | Use::Type | Use::Relation => {
            let aliases = matches!(
                lang,
                Language::Python | Language::JavaScript | Language::TypeScript | Language::Tsx
            );
            kinds()
                .filter(|(_, k)| aliases && !k.is_callable())
                .map(|(i, _)| i)
                .collect()
        }
        // `write!` is std's macro when the project defines none, not its `fn write`.
        Use::Macro => Vec::new(),
        _ => (0..candidates.len())
            .filter(|i| callable_type(*i))
            .collect(),
    }
}

/// The pools of every use of a name (see [`pool`]).
pub fn pools_of(candidates: &[Candidate<'_>], lang: Language) -> Pools {
    Box::new(Use::ALL.map(|u| pool(candidates, u, lang)))
}

/// The type that owns a definition (`Ledger` in `crate.Ledger.new`), if any.
pub(crate) fn owner_of<'a>(c: &Candidate<'a>) -> Option<&'a str> {
    let s = &c.facts.symbols[c.symbol as usize];
    let owner = s
        .qualified_name
        .strip_suffix(s.name.as_str())?
        .strip_suffix('.')?;
    Some(owner.rsplit('.').next().unwrap_or(owner))
}

/// One answer of [`resolve`].
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    /// Index into the candidates given to [`resolve`].
    pub candidate: usize,
    /// How it was found.
    pub evidence: Evidence,
    /// How sure, in [0, 1].
    pub confidence: f32,
}

/// The referencing file's facts with what resolution looks up in them indexed
/// (built once per file).
pub struct FileScope<'f> {
    /// The file's facts.
    pub facts: &'f FileFacts,
    /// Indices of the bindings by name, ascending.
    bindings: FxHashMap<&'f str, Vec<usize>>,
    /// The first field or property with each qualified name.
    fields: FxHashMap<&'f str, usize>,
    /// The first type with each qualified name.
    types: FxHashMap<&'f str, u32>,
    /// The types of bindings holding what a call returns (`r := New()`), by binding:
    /// the declared result of the function the call resolves to, `None` when that
    /// function declares none the resolver can use (see [`FileScope::set_returns`]).
    returns: FxHashMap<usize, Option<String>>,
    /// The types the parameters object literals are passed to declare, by the
    /// literal's written callee (`add(0)@B`, see [`FileScope::set_arguments`]).
    arguments: FxHashMap<String, Option<String>>,
}

impl<'f> FileScope<'f> {
    /// Indexes `facts`.
    pub fn new(facts: &'f FileFacts) -> FileScope<'f> {
        let mut bindings: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (i, b) in facts.bindings.iter().enumerate() {
            bindings.entry(b.name.as_str()).or_default().push(i);
        }
        let mut fields = FxHashMap::default();
        let mut types = FxHashMap::default();
        for (i, s) in facts.symbols.iter().enumerate() {
            if matches!(s.kind, SymbolKind::Field | SymbolKind::Property)
                || (s.kind == SymbolKind::Method && getter_type(&s.signature).is_some())
            {
                fields.entry(s.qualified_name.as_str()).or_insert(i);
            }
            if s.kind.is_type() {
                types.entry(s.qualified_name.as_str()).or_insert(i as u32);
            }
        }
        FileScope {
            facts,
            bindings,
            fields,
            types,
            returns: FxHashMap::default(),
            arguments: FxHashMap::default(),
        }
    }

    /// Records what the calls bindings are taken from return (binding index → type).
    pub(crate) fn set_returns(&mut self, returns: FxHashMap<usize, Option<String>>) {
        self.returns = returns;
    }

    /// Records the types of the parameters object literals are passed to, by the
    /// literal's callee as its keys' qualifiers write it (`add(0)@B`).
    pub(crate) fn set_arguments(&mut self, arguments: FxHashMap<String, Option<String>>) {
        self.arguments = arguments;
    }

    /// The type of binding `b`: what its call returns when that is known, else the
    /// type the syntax shows (`NewStore()` makes a `Store`).
    fn binding_type(&self, b: usize) -> Option<String> {
        match self.returns.get(&b) {
            Some(returned) => returned.clone(),
            // An element of what an unresolved call returns, a parameter of a
            // callback passed to one: nothing known.
            None if self.facts.bindings[b].element || self.facts.bindings[b].callback.is_some() => {
                None
            }
            None => Some(constructor_type(&self.facts.bindings[b].type_name)),
        }
    }

    /// The binding `head` names at `reference`: the last one bound before it in a
    /// scope enclosing it (`chain`, see `enclosing_chain`).
    /// Whether the file binds `name` anywhere (a declaration the file can type).
    pub(crate) fn binds(&self, name: &str) -> bool {
        self.bindings.contains_key(name)
    }

    pub(crate) fn binding(
        &self,
        head: &str,
        reference: &Reference,
        chain: &[u32],
    ) -> Option<usize> {
        self.bindings.get(head)?.iter().rev().copied().find(|i| {
            let b = &self.facts.bindings[*i];
            // A field's type holds in all of its class, methods above it too.
            let field = b.enclosing.is_some_and(|e| {
                self.facts
                    .symbols
                    .get(e as usize)
                    .is_some_and(|s| s.kind.is_type())
            });
            // A module's binding holds in its functions wherever it is made (they
            // run once the module has: `stub = XStub(channel)` under
            // `if __name__ == "__main__":`).
            let global = b.enclosing.is_none() && !chain.is_empty();
            // The name a statement binds is not yet bound in its own value
            // (`url = url.copy_with(..)`, `let x = x.trim()`).
            // (A loop's name holds in its body, on the same line too.)
            let binding_itself = b.span.start_line == reference.span.start_line
                && b.span.start_byte < reference.span.start_byte
                && !b.element
                && crate::links::binding_call(self.facts, *i).is_some();
            (field || global || (b.span.start_byte < reference.span.start_byte && !binding_itself))
                && b.enclosing.is_none_or(|e| chain.contains(&e))
        })
    }

    /// The declared type of the field or property `qualified_name` (`Cart.store`).
    fn field_type(&self, qualified_name: &str) -> Option<String> {
        let s = &self.facts.symbols[*self.fields.get(qualified_name)?];
        let ty = member_type(s)?;
        // A type parameter of its type is its default, else its bound (as in `field_types`).
        let owner = s.parent.and_then(|p| self.facts.symbols.get(p as usize));
        Some(
            owner
                .filter(|o| o.kind.is_type())
                .and_then(|o| type_parameter_default(&o.signature, &o.name, &ty))
                .unwrap_or(ty),
        )
    }
}

/// The type a member gives what it reads: a field's or property's declared type, or
/// what a getter returns (`def console(self) -> Console` under `@property`,
/// `get console(): Console`).
fn member_type(s: &cartograph_indexer::SymbolDef) -> Option<String> {
    match s.kind {
        // An object type written as its type (`common: { issues: .. }`): the field is
        // the type of its own members, by its qualified name.
        SymbolKind::Field | SymbolKind::Property if inline_object_type(s) => {
            Some(s.qualified_name.clone())
        }
        SymbolKind::Field | SymbolKind::Property => type_in_signature(&s.signature, &s.name),
        SymbolKind::Method => getter_type(&s.signature),
        _ => None,
    }
}

/// Whether a TypeScript field's type is an object type written in place
/// (`readonly common: { .. }`).
fn inline_object_type(s: &cartograph_indexer::SymbolDef) -> bool {
    let Some(at) = s.signature.find(s.name.as_str()) else {
        return false;
    };
    let after = s.signature[at + s.name.len()..].trim_start();
    let after = after.strip_prefix(['?', '!']).unwrap_or(after);
    // (A declaration's head stops before a `{`: `common:` is all of `common: {`.)
    after.strip_prefix(':').is_some_and(|t| {
        let t = t.trim_start();
        t.is_empty() || t.starts_with('{')
    })
}

/// The type a method taking nothing returns, where it is read like a field: a Python
/// method of `self` alone with a `->` annotation, a TypeScript `get x(): T`.
fn getter_type(signature: &str) -> Option<String> {
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let ty = if let Some(at) = signature.find("def ") {
        let (params, result) = signature[at..].split_once("->")?;
        if !params.trim_end().ends_with("(self)") {
            return None;
        }
        let result = result
            .trim()
            .trim_end_matches(':')
            .trim()
            .trim_matches(['"', '\'']);
        result.strip_prefix("Optional[").unwrap_or(result)
    } else {
        let at = signature.find("get ")?;
        if signature[..at].ends_with(word) {
            return None;
        }
        let (_, result) = signature[at..].split_once("():")?;
        result.trim()
    };
    let name: String = ty.chars().take_while(|c| word(*c) || *c == '.').collect();
    let name = name.rsplit('.').next()?;
    (!name.is_empty() && !name.starts_with(char::is_numeric) && name != "None")
        .then(|| name.to_string())
}

/// Languages that can refer to each other's definitions share a family.
pub(crate) fn family(lang: Language) -> u8 {
    match lang {
        Language::JavaScript | Language::TypeScript | Language::Tsx => 0,
        Language::Rust => 1,
        Language::Python => 2,
        Language::Go => 3,
        // Kotlin, Scala and Java call each other on the JVM.
        Language::Java | Language::Kotlin | Language::Scala => 4,
        Language::CSharp => 5,
        Language::Proto => 6,
        // C++ calls C; a header is read as either.
        Language::C | Language::Cpp => 7,
        Language::Thrift => 8,
        Language::Php => 9,
        Language::Lua => 10,
        Language::Ruby => 11,
        Language::Elixir => 12,
        Language::Swift => 13,
    }
}

const SELF_WORDS: &[&str] = &["self", "this", "Self", "cls"];

/// Resolves `reference` (found in `record`/`facts`) among `candidates`, which must
/// all define `reference.name`. Returns the best-evidenced answers, most confident
/// first; empty when the reference stays unresolved.
pub fn resolve(
    record: &FileRecord,
    scope: &FileScope<'_>,
    reference: &Reference,
    named: Named<'_, '_>,
) -> Vec<Resolution> {
    resolve_as(record, scope, reference, None, named)
}

/// [`resolve`] for a reference written as an import alias (`Base` of `from m import
/// Serializer as Base`), renamed to the name it stands for: the import's module is
/// looked at first, before the file's own definitions of that name (so `class
/// Serializer(Base)` does not inherit from itself).
pub fn resolve_aliased(
    record: &FileRecord,
    scope: &FileScope<'_>,
    reference: &Reference,
    alias: &str,
    named: Named<'_, '_>,
) -> Vec<Resolution> {
    resolve_as(record, scope, reference, Some(alias), named)
}

fn resolve_as(
    record: &FileRecord,
    scope: &FileScope<'_>,
    reference: &Reference,
    alias: Option<&str>,
    named: Named<'_, '_>,
) -> Vec<Resolution> {
    let candidates = named.candidates;
    let mut found = resolve_unordered(record, scope, reference, alias, named);
    // Equally good answers: those the default build compiles first (not under a
    // `#[cfg(..)]` that does not hold), then the nearest (same file, same
    // directory, same service), and in the file, where the evidence says what the
    // name is reached through (not a name alone: `x.parse()` on a value says nothing
    // of the scope), the one defined in the innermost scope around the reference (of
    // the classes `C` each test function defines, the one of the function the
    // reference is in).
    if found.len() > 1 {
        let chain = enclosing_chain(scope.facts, reference);
        found.sort_by_key(|r| {
            let c = &candidates[r.candidate];
            let scoped = r.evidence != Evidence::NameOnly;
            (
                inactive(c),
                nearness(record, c),
                if scoped {
                    shared_scope(record, &chain, c)
                } else {
                    usize::MAX
                },
            )
        });
    }
    // Rust: a name whose only definitions the default build leaves out, while their
    // module imports it from elsewhere (`#[cfg(no_core_error)] trait StdError` beside
    // `use std::error::Error as StdError`), is that import's: not linked.
    if record.language == Language::Rust
        && found.iter().all(|r| inactive(&candidates[r.candidate]))
        && found.iter().any(|r| {
            let c = &candidates[r.candidate];
            c.facts
                .imports
                .iter()
                .any(|i| cartograph_indexer::rust_use_names(&i.module).contains(&reference.name))
        })
    {
        found.clear();
    }
    found
}

/// How far out, in the reference's enclosing `chain` (innermost first), the nearest
/// scope is that also encloses candidate `c`; `usize::MAX` for none (another file).
fn shared_scope(record: &FileRecord, chain: &[u32], c: &Candidate<'_>) -> usize {
    if c.record.path != record.path {
        return usize::MAX;
    }
    let symbols = &c.facts.symbols;
    std::iter::successors(symbols[c.symbol as usize].parent, |p| {
        symbols[*p as usize].parent
    })
    .take(64)
    .filter_map(|a| chain.iter().position(|e| *e == a))
    .min()
    .unwrap_or(usize::MAX)
}

/// Whether a candidate is defined under a condition the default build lacks (see
/// [`FileFacts::inactive`](cartograph_indexer::FileFacts)).
fn inactive(c: &Candidate<'_>) -> bool {
    c.facts.inactive.binary_search(&c.symbol).is_ok()
}

/// How far a candidate is from the referencing file: smaller is nearer.
fn nearness(record: &FileRecord, c: &Candidate<'_>) -> (bool, bool, bool) {
    let path = &c.record.path;
    (
        path != &record.path,
        dir_of(path) != dir_of(&record.path),
        c.record.service != record.service,
    )
}

/// How many of `pool`'s entries (ascending indices into `candidates`) point before
/// the first candidate `before` rejects: `before` must hold for a prefix of
/// `candidates` (sorted by (service, path)), so this bounds a run of the pool.
fn run_before(
    pool: &[usize],
    candidates: &[Candidate<'_>],
    before: impl Fn(&Candidate<'_>) -> bool,
) -> usize {
    let at = candidates.partition_point(before);
    pool.partition_point(|i| *i < at)
}

fn resolve_unordered(
    record: &FileRecord,
    scope: &FileScope<'_>,
    reference: &Reference,
    alias: Option<&str>,
    named: Named<'_, '_>,
) -> Vec<Resolution> {
    let facts = scope.facts;
    let candidates = named.candidates;
    // The candidates among `pool` owned by a type named `owner` (its last segment)
    // that `keep` accepts: through the owner index when there is one (a long list),
    // else by looking at each.
    let owned_by = |pool: &[usize], owner: &str, keep: &dyn Fn(&Candidate<'_>) -> bool| {
        let owner = owner.rsplit(['.', ':']).next().unwrap_or(owner);
        match named.owners {
            Some(owners) => owners
                .get(owner)
                .into_iter()
                .flatten()
                .copied()
                .filter(|i| pool.binary_search(i).is_ok() && keep(&candidates[*i]))
                .collect(),
            None => pick(pool, candidates, keep),
        }
    };
    // (A function a value holds, `inst.gt = (v) => ..` in `const ZodNumber = ..`, is
    // no member of a type of the value's name.)
    let members_of = |pool: &[usize], ty: &str| -> Vec<usize> {
        owned_by(pool, ty, &|c| is_member_of(c, ty) && !held_by_value(c))
    };
    let lang = record.language;
    // Prefer kinds that can be what the reference uses.
    let use_ = Use::of(reference, lang);
    let computed;
    let pool: &[usize] = match named.pools {
        Some(pools) => &pools.get_or_init(|| pools_of(candidates, lang))[use_.index()],
        None => {
            computed = pool(candidates, use_, lang);
            &computed
        }
    };
    // Candidates are sorted by (service, path): this service's are one run of the
    // pool, and this file's one run of that.
    let (service_lo, service_hi) = (
        run_before(pool, candidates, |c| c.record.service < record.service),
        run_before(pool, candidates, |c| c.record.service <= record.service),
    );
    let local = &pool[service_lo..service_hi];
    if pool.is_empty() {
        return Vec::new();
    }
    // A Rust import only reaches its own crate (see `ModulePattern::matches`).
    let importable = if lang == Language::Rust { local } else { pool };
    // A name written as an import alias: where the aliasing import's module says.
    if let Some(import) =
        alias.and_then(|a| facts.imports.iter().find(|i| i.alias.as_deref() == Some(a)))
    {
        let found = through_import(record, &import.module, importable, candidates);
        if !found.is_empty() {
            return found;
        }
    }
    // A name in an import statement points where the statement's module says.
    if reference.kind == RefKind::Import {
        if let Some(import) = facts
            .imports
            .iter()
            .find(|i| i.span.contains(&reference.span))
        {
            return through_import(record, &import.module, importable, candidates);
        }
    }
    // A key of an object literal written for a type: a member of that type or of the
    // types it stands for or extends, else nothing (never a name elsewhere).
    if reference.kind == RefKind::Key {
        // `Outer.outer` of `{ outer: { inner } }`: through the fields' declared types.
        let Some(mut path) = reference.qualifier.as_deref().map(|q| q.split('.')) else {
            return Vec::new();
        };
        let mut ty = path.next().unwrap_or_default().to_string();
        // A type parameter (`T["_zod"]` in `f<T extends Schema>`): its bound.
        if let Some(bound) = parameter_bound(facts, &enclosing_chain(facts, reference), &ty) {
            ty = bound;
        }
        // A literal passed to a call: the type its parameter declares.
        if ty.contains('(') {
            let Some(Some(declared)) = scope.arguments.get(&ty) else {
                return Vec::new();
            };
            ty = declared.clone();
        }
        for field in path {
            let Some(Some(next)) = named.fields.and_then(|f| f.get(&(ty.as_str(), field))) else {
                return Vec::new();
            };
            ty = next.clone();
        }
        let ty = ty.as_str();
        let found = members_of(pool, ty);
        if !found.is_empty() {
            return answer(found, Evidence::Member, 0.9);
        }
        return inherited_member(named.bases, &[ty], |ty| members_of(pool, ty))
            .map(|found| answer(found, Evidence::Inherited, 0.8))
            .unwrap_or_default();
    }
    // Python's `super().m()`, Java's `super.m()`: the bases' member.
    let qualifier = match reference.qualifier.as_deref() {
        Some("super()") => Some("super"),
        q => q,
    };
    // C++'s standard library (`std::string`, `std::forward`) is never the project's.
    if matches!(lang, Language::C | Language::Cpp)
        && qualifier.is_some_and(|q| {
            let q = q.trim_start_matches("::");
            q == "std" || q.starts_with("std::")
        })
    {
        return Vec::new();
    }
    let container = enclosing_type(scope, reference);

    // Members of the enclosing type, then of its bases.
    let via_self = match qualifier {
        Some(q) => SELF_WORDS.contains(&q) || is_go_receiver(facts, reference, q),
        // C++ looks a bare name up in the class first (an out-of-class method's too),
        // Swift too (a method of an extension's too).
        None => matches!(
            lang,
            Language::Java
                | Language::Kotlin
                | Language::Scala
                | Language::CSharp
                | Language::Cpp
                | Language::Swift
        ),
    };
    // The bases: `super` (Python, Java), C#'s `base` (elsewhere a name like any other:
    // a module `base`, a Thrift include `base.thrift`).
    let via_bases =
        qualifier == Some("super") || (qualifier == Some("base") && lang == Language::CSharp);
    if via_self || via_bases {
        if let Some((type_name, type_index)) = &container {
            if !via_bases {
                let wanted = format!("{type_name}.{}", reference.name);
                // A class's own name in it names the class, not its constructor,
                // unless called (`new X()` resolves to the class and constructor).
                let found = owned_by(local, type_name, &|c| {
                    qualified(c) == wanted
                        && (reference.kind == RefKind::Call
                            || kind_of(c) != SymbolKind::Constructor)
                });
                if !found.is_empty() {
                    return answer(found, Evidence::Member, 0.95);
                }
            }
            let mut found: Vec<usize> = Vec::new();
            for base in base_names(facts, *type_index) {
                let wanted = format!("{base}.{}", reference.name);
                found.extend(owned_by(pool, &base, &|c| qualified(c) == wanted));
            }
            found.sort_unstable();
            found.dedup();
            if !found.is_empty() {
                return answer(found, Evidence::Inherited, 0.85);
            }
            // Further up: the bases of the bases, declared in any file.
            let direct = base_names(facts, *type_index);
            let direct: Vec<&str> = direct.iter().map(String::as_str).collect();
            if let Some(found) = inherited_member(named.bases, &direct, |ty| members_of(pool, ty)) {
                return answer(found, Evidence::Inherited, 0.8);
            }
        }
        if qualifier.is_some() {
            // `self.x` with no such member here: only the name can tell.
            return name_only(record, reference, pool, local, candidates);
        }
    }

    if let Some(q) = qualifier {
        // A member of something the language provides (`Object.assign`,
        // `Reflect.ownKeys`, `str.join`) is the language's, unless the file defines or
        // imports a name like it.
        if is_language_global(lang, q)
            && !scope.binds(q)
            && !facts.symbols.iter().any(|s| s.name == q)
            && !facts
                .imports
                .iter()
                .any(|i| i.alias.as_deref() == Some(q) || i.names.iter().any(|n| n == q))
        {
            return Vec::new();
        }
        // A receiver whose type the syntax shows: `svc.GetCart()` after
        // `svc := &cartService{}`, `calc.Calculate()` with `IQuoteCalculator calc`,
        // or one field deep: `cs.store.GetCart()` with `store CartStore`.
        if let Some((ty, elsewhere)) = receiver_type(
            lang,
            scope,
            reference,
            q,
            container.as_ref().map(|c| c.0.as_str()),
            named.fields,
        ) {
            // A nested class built in the qualifier (`Headers.Builder().add()`, Java
            // and Kotlin): the members of that class, not of every `Builder`.
            let outer = matches!(lang, Language::Java | Language::Kotlin)
                .then(|| nested_constructed_type(q, &ty))
                .flatten();
            if let Some(nested) = outer {
                let found = members_of(pool, &nested);
                if !found.is_empty() {
                    return answer(found, Evidence::Member, 0.9);
                }
            }
            let mut found = members_of(pool, &ty);
            // A type declared in this file (TypeScript, JavaScript, Python: its
            // members are in its body) is not a type of its name elsewhere: a member
            // it lacks is inherited.
            if matches!(
                lang,
                Language::TypeScript | Language::Tsx | Language::JavaScript | Language::Python
            ) && scope.types.contains_key(ty.as_str())
            {
                found.retain(|&i| candidates[i].record.path == record.path);
            }
            if !found.is_empty() {
                return answer(found, Evidence::Member, 0.9);
            }
            // A member the type inherits.
            if let Some(found) =
                inherited_member(named.bases, &[ty.as_str()], |ty| members_of(pool, ty))
            {
                return answer(found, Evidence::Inherited, 0.8);
            }
            // The receiver's type is known and has no such member here: a library
            // type (`t *testing.T` then `t.Error`), not a coincidence of names. (In
            // Python and JavaScript the type is only guessed from a constructor
            // call, and members come from anywhere up the class chain: fall through.)
            // A field declared in another file may be typed by a name of another
            // scope (or only its first member of a union): fall through too.
            let guessed = matches!(lang, Language::Python | Language::JavaScript) || elsewhere;
            if !SELF_WORDS.contains(&q) && !guessed {
                return Vec::new();
            }
        }
        let last = q.rsplit(['.', ':']).next().unwrap_or(q);
        // C++: a qualifier naming a namespace (`absl::Minutes`,
        // `time_internal::cctz::format`): what that namespace directly declares.
        if matches!(lang, Language::C | Language::Cpp) {
            let found = pick(pool, candidates, |c| {
                !qualified(c).contains('.') && innermost_namespace(c) == Some(last)
            });
            if !found.is_empty() {
                return answer(found, Evidence::QualifiedName, 0.9);
            }
        }
        // A JavaScript or TypeScript namespace import (`import * as util from
        // "./util"`): that module's, before a namespace or type of the same name
        // elsewhere (`namespace util` of another file).
        if matches!(
            lang,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        ) {
            if let Some(import) = facts.imports.iter().find(|i| i.alias.as_deref() == Some(q)) {
                let found = through_import(record, &import.module, importable, candidates);
                if !found.is_empty() {
                    return found;
                }
            }
        }
        // A qualifier naming a type: `Ledger::new`, `Status.Ready`. Of several types
        // of that name, the one the whole path names (`Plug.Conn.chunk`, not
        // `Plug.Adapters.Test.Conn.chunk`).
        let found = members_of(pool, last);
        if !found.is_empty() {
            let path = q.replace("::", ".");
            let whole = format!("{path}.{}", reference.name);
            let exact: Vec<usize> = found
                .iter()
                .copied()
                .filter(|i| {
                    qualified(&candidates[*i])
                        .strip_suffix(whole.as_str())
                        .is_some_and(|outer| outer.is_empty() || outer.ends_with('.'))
                })
                .collect();
            let found = if path.contains('.') && !exact.is_empty() && exact.len() < found.len() {
                exact
            } else {
                found
            };
            return answer(found, Evidence::QualifiedName, 0.9);
        }
        // Elixir: a module named through `alias Shop.Cart, as: Store` (`Store.fetch`).
        if lang == Language::Elixir {
            let head = q.split('.').next().unwrap_or(q);
            let aliased = facts.imports.iter().find_map(|i| {
                (i.alias.as_deref() == Some(head)).then(|| i.module.rsplit('.').next())?
            });
            if let Some(module) = aliased {
                let found = members_of(pool, module);
                if !found.is_empty() {
                    return answer(found, Evidence::Import, 0.9);
                }
            }
        }
        // Rust: a qualifier whose head a `use` tree brings in (`fmt::Formatter` after
        // `use std::fmt::{self, Debug}`): the path it stands for.
        if lang == Language::Rust {
            let head = q.split("::").next().unwrap_or(q);
            let path = facts.imports.iter().find_map(|i| {
                i.module.contains('{').then(|| {
                    cartograph_indexer::rust_use_paths(&i.module)
                        .into_iter()
                        .find(|p| p.rsplit("::").next() == Some(head))
                })?
            });
            if let Some(path) = path {
                let rest = &q[head.len()..];
                let full = format!("{path}{rest}::{}", reference.name);
                return through_import(record, &full, importable, candidates);
            }
        }
        // A qualifier naming an imported module: `errors.New`, `logging.getLogger`.
        if let Some(import) = facts.imports.iter().find(|i| {
            i.alias.as_deref() == Some(q)
                || i.module == q
                || module_tail(&i.module) == q
                || i.names.iter().any(|n| n == q)
        }) {
            // `from . import box` then `box.SIMPLE`: the module is `.box`.
            if lang == Language::Python && import.names.iter().any(|n| n == q) {
                let sep = if import.module.ends_with('.') {
                    ""
                } else {
                    "."
                };
                let found = through_import(
                    record,
                    &format!("{}{sep}{q}", import.module),
                    importable,
                    candidates,
                );
                if !found.is_empty() {
                    return found;
                }
            }
            // Rust: the path the module's name stands for, with the name (`io::Read`
            // after `use crate::io;` is `crate::io::Read`).
            if lang == Language::Rust {
                let path = format!("{}::{}", import.module, reference.name);
                return through_import(record, &path, importable, candidates);
            }
            return through_import(record, &import.module, importable, candidates);
        }
        // A qualifier naming a module of the workspace by its path:
        // `unicode::is_word_character` (Rust), `package.module.function` (Python).
        let module = match lang {
            Language::Rust => Some(format!("{q}::{}", reference.name)),
            Language::Python => Some(q.to_string()),
            _ => None,
        };
        if let Some(m) = module {
            let pattern = ModulePattern::new(record, &m);
            let found = pick(importable, candidates, |c| {
                !qualified(c).contains('.') && pattern.matches(record, c)
            });
            if !found.is_empty() {
                return answer(found, Evidence::QualifiedName, 0.85);
            }
        }
        return name_only(record, reference, pool, local, candidates);
    }

    // A bare name: enclosing scopes of this file.
    let chain = enclosing_chain(facts, reference);
    let same_file = &pool[run_before(pool, candidates, |c| {
        (&c.record.service, &c.record.path) < (&record.service, &record.path)
    })..run_before(pool, candidates, |c| {
        (&c.record.service, &c.record.path) <= (&record.service, &record.path)
    })];
    if !same_file.is_empty() {
        let nested: Vec<usize> = same_file
            .iter()
            .copied()
            .filter(|i| {
                let facts = candidates[*i].facts;
                let parent = facts.symbols[candidates[*i].symbol as usize].parent;
                // PHP reaches a class's members only through `$this`, `self::`.
                let member =
                    |p: u32| lang == Language::Php && facts.symbols[p as usize].kind.is_type();
                parent.is_some_and(|p| chain.contains(&p) && !member(p))
            })
            .collect();
        let top: Vec<usize> = same_file
            .iter()
            .copied()
            .filter(|i| {
                // Enum variants are in scope through their enum's glob import (a
                // TypeScript enum's members never are: `Array` beside `enum Kind {
                // Array }` is the global). A member qualified by its type without
                // being nested in it (a Rust `impl` item, a Go method) is not in
                // scope bare.
                !is_member(&candidates[*i])
                    || (kind_of(&candidates[*i]) == SymbolKind::EnumMember
                        && !matches!(
                            lang,
                            Language::TypeScript | Language::Tsx | Language::JavaScript
                        ))
            })
            .collect();
        if !nested.is_empty() {
            return answer(nested, Evidence::Scope, 0.95);
        }
        if !top.is_empty() {
            return answer(top, Evidence::Scope, 0.9);
        }
    }
    // Imports of this file that bring the name in.
    if let Some(import) = facts.imports.iter().find(|i| {
        i.names
            .iter()
            .any(|n| n == &reference.name || n.rsplit(['.', ':']).next() == Some(&reference.name))
            || i.alias.as_deref() == Some(reference.name.as_str())
            || (matches!(
                lang,
                Language::Java
                    | Language::Kotlin
                    | Language::Scala
                    | Language::Rust
                    | Language::Php
            ) && module_tail(&i.module) == reference.name)
    }) {
        return through_import(record, &import.module, importable, candidates);
    }
    // A Rust `use` tree (`crate::a::{b::{deep}, c}`): the path that ends in the name.
    if lang == Language::Rust {
        let path = facts.imports.iter().find_map(|i| {
            i.module.contains('{').then(|| {
                cartograph_indexer::rust_use_paths(&i.module)
                    .into_iter()
                    .find(|p| p.rsplit("::").next() == Some(reference.name.as_str()))
            })?
        });
        if let Some(path) = path {
            return through_import(record, &path, importable, candidates);
        }
        // A glob import (`use crate::util::*`, `use super::{*, x}`): the name in the
        // module it names, the first import that has it.
        for i in facts.imports.iter().filter(|i| i.module.contains('*')) {
            for glob in cartograph_indexer::rust_use_paths(&i.module) {
                let Some(module) = glob.strip_suffix("::*") else {
                    continue;
                };
                // (Only what the module itself defines: a glob brings in nothing
                // the module does not have, and most names it is tried for it lacks.)
                let path = format!("{module}::{}", reference.name);
                // `super::*`, `crate::*` name no module of their own here (the file's
                // own items are in scope already; the crate is not a glob's).
                if matches!(ModulePattern::new(record, &path), ModulePattern::Rust(None)) {
                    continue;
                }
                let found = directly_imported(record, &path, importable, candidates);
                if !found.is_empty() {
                    return found;
                }
            }
        }
    }
    // The same package (Go, Java, C#, proto) or, for Go, the same directory.
    // (A member of a type there, `Dns.Request`, is not in scope bare; a constructor
    // is called through its class's name.)
    if packaged(lang) {
        let found = pick(local, candidates, |c| {
            same_package(record, facts, c)
                && (!is_member(c) || kind_of(c) == SymbolKind::Constructor)
        });
        if !found.is_empty() {
            return answer(found, Evidence::QualifiedName, 0.8);
        }
    }
    // Ruby: a `require` brings in every name the required file defines; Swift: an
    // `import` every top-level name of the module's files.
    if matches!(lang, Language::Ruby | Language::Swift) {
        let required: Vec<ModulePattern> = facts
            .imports
            .iter()
            .map(|i| ModulePattern::new(record, &i.module))
            .collect();
        let found = pick(pool, candidates, |c| {
            (lang == Language::Ruby || !is_member(c) || kind_of(c) == SymbolKind::Constructor)
                && required.iter().any(|r| r.matches(record, c))
        });
        if !found.is_empty() {
            return answer(found, Evidence::Import, 0.9);
        }
    }
    // C and C++: an `#include` brings in every name its header declares.
    if matches!(lang, Language::C | Language::Cpp) {
        let headers: Vec<ModulePattern> = facts
            .imports
            .iter()
            .map(|i| ModulePattern::new(record, &i.module))
            .filter(|p| matches!(p, ModulePattern::Include(..)))
            .collect();
        if !headers.is_empty() {
            let found = pick(pool, candidates, |c| {
                headers.iter().any(|h| h.matches(record, c))
            });
            if !found.is_empty() {
                return answer(found, Evidence::Import, 0.9);
            }
        }
    }
    // Wildcard imports and `using` namespaces.
    let modules: Vec<&str> = facts
        .imports
        .iter()
        .map(|i| i.module.trim_end_matches(".*"))
        .collect();
    if !modules.is_empty() {
        let found = pick(pool, candidates, |c| {
            c.facts
                .package
                .as_deref()
                .is_some_and(|p| modules.contains(&p))
        });
        if !found.is_empty() {
            return answer(found, Evidence::Import, 0.85);
        }
    }
    name_only(record, reference, pool, local, candidates)
}

/// The candidates an import of `module` brings in; none when the module is outside
/// the workspace (the reference then stays unresolved rather than guessed).
fn through_import(
    record: &FileRecord,
    module: &str,
    pool: &[usize],
    candidates: &[Candidate<'_>],
) -> Vec<Resolution> {
    let found = directly_imported(record, module, pool, candidates);
    if !found.is_empty() {
        return found;
    }
    let pattern = ModulePattern::new(record, module);
    if matches!(pattern, ModulePattern::Nothing) {
        return Vec::new();
    }
    reexported(record, module, &pattern, pool, candidates)
}

/// What an import of `module` names in the module itself (see [`through_import`]).
fn directly_imported(
    record: &FileRecord,
    module: &str,
    pool: &[usize],
    candidates: &[Candidate<'_>],
) -> Vec<Resolution> {
    let pattern = ModulePattern::new(record, module);
    let mut found = pick(pool, candidates, |c| {
        pattern.matches(record, c) && rust_path_reaches(record, module, &c.record.path)
    });
    // An import names what the module defines at its top level, not a local of one
    // of its functions nor a member of one of its types (a Rust `impl`'s method)
    // that has the same name.
    if found.iter().any(|i| !is_member(&candidates[*i])) {
        found.retain(|i| !is_member(&candidates[*i]));
    }
    // Go modules: a package's import path is known exactly (`go.mod` and the
    // directories below it), so an import names it or another package.
    if record.language == Language::Go && !found.is_empty() {
        let path = module.trim_matches('"');
        let exact: Vec<usize> = found
            .iter()
            .copied()
            .filter(|i| candidates[*i].record.go_package.as_deref() == Some(path))
            .collect();
        if !exact.is_empty() {
            return answer(exact, Evidence::Import, 0.95);
        }
        found.retain(|i| candidates[*i].record.go_package.is_none());
    }
    // Go: an import path names one directory; of the packages sharing its last name
    // (`genproto` in every service), the ones whose directory ends the path furthest
    // (`src/checkoutservice/genproto` for `github.com/org/shop/src/checkoutservice/genproto`).
    if record.language == Language::Go && found.len() > 1 {
        let affinity = |i: &usize| go_path_affinity(module, dir_of(&candidates[*i].record.path));
        let best = found.iter().map(affinity).max().unwrap_or(0);
        found.retain(|i| affinity(i) == best);
    }
    if !found.is_empty() {
        return answer(found, Evidence::Import, 0.9);
    }
    Vec::new()
}

/// What an import of `module` reaches when the module itself does not define it
/// (see [`through_import`]).
fn reexported(
    record: &FileRecord,
    module: &str,
    pattern: &ModulePattern,
    pool: &[usize],
    candidates: &[Candidate<'_>],
) -> Vec<Resolution> {
    // A package re-exporting what its modules define (`from .core import render` in
    // `pkg/__init__.py`, `export * from "./core"` in `index.ts`): the module-level
    // definitions under the package's directory, the shallowest first.
    // A Rust import only reaches its own crate (`pool` is the crate's): an item
    // the path does not lead to directly is re-exported (`pub use inner::work` in
    // `lib.rs`, a nested `use` tree) from somewhere in it.
    let rust = record.language == Language::Rust;
    let reexport_scope = if rust {
        match rust_reexport_scope(record, module) {
            Some(scope) => scope,
            None => return Vec::new(),
        }
    } else {
        None
    };
    let mut inside = pick(pool, candidates, |c| {
        let under = match (&reexport_scope, rust) {
            (Some(m), true) => rust_module_holds(m, &c.record.path),
            (None, true) => true,
            (_, false) => pattern.contains(c.record),
        };
        under && !is_member(c)
    });
    let depth = |i: &usize| candidates[*i].record.path.matches('/').count();
    let shallowest = inside.iter().map(depth).min().unwrap_or(0);
    inside.retain(|i| depth(i) == shallowest);
    // Only the item of its name there (modules are reached by their files): a guess
    // among several would come first as often as not. One file's declarations of a
    // name are one item (TypeScript's `interface X` beside `const X`).
    let one_file = inside
        .windows(2)
        .all(|w| candidates[w[0]].record.path == candidates[w[1]].record.path);
    if inside.is_empty()
        || !one_file
        || inside
            .iter()
            .any(|i| kind_of(&candidates[*i]) == SymbolKind::Module)
    {
        return Vec::new();
    }
    answer(inside, Evidence::Import, if rust { 0.7 } else { 0.8 })
}

/// Where a Rust path's item may be re-exported from, when it does not lead to it
/// directly: `None` for a path into another crate (its first segment is neither
/// `crate`, `self`, `super` nor this crate's name), else the module it names (the
/// crate root: `Some(None)`).
fn rust_reexport_scope(record: &FileRecord, module: &str) -> Option<Option<String>> {
    let own = record.service.replace('-', "_");
    let mut segments: Vec<&str> = module.trim_start_matches("::").split("::").collect();
    match segments.first() {
        Some(&("crate" | "self" | "super")) => {}
        Some(first) if *first == own => {}
        _ => return None,
    }
    segments.pop();
    let last = segments
        .into_iter()
        .rev()
        .find(|s| !matches!(*s, "crate" | "self" | "super") && *s != own);
    Some(last.map(str::to_string))
}

/// Whether a Rust path (`serde::ser::Serializer`, `util::shout`) can lead to a file
/// at `path` of the crate: one starting at `crate`, `self`, `super` or the crate's
/// name can; one starting at another name leads into the module of that name (a
/// file `name.rs` or a folder `name/`), else into another crate (`serde` from
/// `serde_json`'s tests), never this one. Other languages' paths always can.
fn rust_path_reaches(record: &FileRecord, module: &str, path: &str) -> bool {
    if record.language != Language::Rust {
        return true;
    }
    let first = module
        .trim_start_matches("::")
        .split("::")
        .next()
        .unwrap_or("");
    if matches!(first, "crate" | "self" | "super" | "") || first == record.service.replace('-', "_")
    {
        return true;
    }
    rust_module_holds(first, path)
}

/// Whether the file at `path` belongs to Rust module `module` or lies below it.
fn rust_module_holds(module: &str, path: &str) -> bool {
    path.contains(&format!("/{module}/")) || path.ends_with(&format!("/{module}.rs"))
}

/// Whether a candidate is defined at its file's top level.
fn top_level(c: &Candidate<'_>) -> bool {
    c.facts.symbols[c.symbol as usize].parent.is_none()
}

/// Whether a candidate is a member of a type: nested in it, or qualified by it
/// without being nested (a Rust `impl` item, a Go method, a C++ out-of-class
/// definition).
fn is_member(c: &Candidate<'_>) -> bool {
    !top_level(c) || qualified(c).contains('.')
}

/// How many trailing segments a Go import path shares with a directory.
fn go_path_affinity(import: &str, dir: &str) -> usize {
    import
        .trim_matches('"')
        .rsplit('/')
        .zip(dir.rsplit('/'))
        .take_while(|(a, b)| a == b)
        .count()
}

fn kind_of(c: &Candidate<'_>) -> SymbolKind {
    c.facts.symbols[c.symbol as usize].kind
}

/// Whether candidate `c` is a member of a type named `ty` (its qualified name ends
/// with `ty.<name>`; outer containers may come before).
/// The namespace (a module symbol) directly enclosing a candidate, by span.
fn innermost_namespace<'a>(c: &Candidate<'a>) -> Option<&'a str> {
    let span = &c.facts.symbols[c.symbol as usize].span;
    c.facts
        .symbols
        .iter()
        .filter(|s| {
            s.kind == SymbolKind::Module
                && s.span.start_byte <= span.start_byte
                && span.end_byte <= s.span.end_byte
        })
        .max_by_key(|s| s.span.start_byte)
        .map(|s| s.name.as_str())
}

/// Whether a definition lies in a constant's or variable's value (a function
/// assigned to a member of what a callback builds: `inst.gt = (v) => ..`).
fn held_by_value(c: &Candidate<'_>) -> bool {
    let symbols = &c.facts.symbols;
    symbols[c.symbol as usize].parent.is_some_and(|p| {
        matches!(
            symbols[p as usize].kind,
            SymbolKind::Constant | SymbolKind::Variable
        )
    })
}

fn is_member_of(c: &Candidate<'_>, ty: &str) -> bool {
    let qn = qualified(c);
    let name = &c.facts.symbols[c.symbol as usize].name;
    qn.strip_suffix(name.as_str())
        .and_then(|owner| owner.strip_suffix('.'))
        .is_some_and(|owner| {
            owner
                .strip_suffix(ty)
                .is_some_and(|outer| outer.is_empty() || outer.ends_with('.'))
        })
}

fn qualified<'a>(c: &Candidate<'a>) -> &'a str {
    &c.facts.symbols[c.symbol as usize].qualified_name
}

fn same_service(record: &FileRecord, c: &Candidate<'_>) -> bool {
    c.record.service == record.service
}

fn pick(
    pool: &[usize],
    candidates: &[Candidate<'_>],
    keep: impl Fn(&Candidate<'_>) -> bool,
) -> Vec<usize> {
    pool.iter()
        .copied()
        .filter(|i| keep(&candidates[*i]))
        .collect()
}

fn answer(found: Vec<usize>, evidence: Evidence, confidence: f32) -> Vec<Resolution> {
    // Several equally good answers share the confidence.
    let share = if found.len() > 1 {
        confidence / found.len() as f32
    } else {
        confidence
    };
    found
        .into_iter()
        .map(|candidate| Resolution {
            candidate,
            evidence,
            confidence: share,
        })
        .collect()
}

/// Definitions that merely share the name: those of the same service (`local`, a
/// run of `pool`) if any, else those of others; none when there are too many.
fn name_only(
    record: &FileRecord,
    reference: &Reference,
    pool: &[usize],
    local: &[usize],
    candidates: &[Candidate<'_>],
) -> Vec<Resolution> {
    let qualified_use = reference.qualifier.is_some();
    // A bare name the file neither defines nor imports that the language itself
    // provides (Rust's prelude, Python's builtins, JavaScript's globals) is that one,
    // not a project definition of the same name.
    if !qualified_use && is_language_global(record.language, &reference.name) {
        return Vec::new();
    }
    // A segment of a Rust path into the standard library (`error` of
    // `use std::error::Error`, `atomic` of `std::sync::atomic`) is the library's.
    if record.language == Language::Rust
        && reference.qualifier.as_deref().is_some_and(|q| {
            matches!(
                q.trim_start_matches("::").split("::").next(),
                Some("std" | "core" | "alloc")
            )
        })
    {
        return Vec::new();
    }
    // Ruby: a method called on a value of unknown type is as often the core
    // library's (`list.map!`, `Rack::Request.new`) as a project method of that name.
    if qualified_use && record.language == Language::Ruby {
        return Vec::new();
    }
    // A method of the language's own collections and primitives (`map.get(k)`,
    // `items.push(x)`, `d.items()`) called on a value of unknown type is as likely
    // theirs as a project method of that name.
    if qualified_use && is_core_method(record.language, &reference.name) {
        return Vec::new();
    }
    // A bare Go name is its own package's (or a builtin): never another package's.
    let go_bare = record.language == Language::Go && !qualified_use;
    let swift_bare = record.language == Language::Swift && !qualified_use;
    let shape_free = matches!(
        record.language,
        Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Proto
    );
    let reachable = |c: &Candidate<'_>| {
        // A call through some other object is not the enclosing method calling itself.
        if qualified_use && Some(c.symbol) == reference.enclosing && c.record.path == record.path {
            return false;
        }
        if go_bare && dir_of(&c.record.path) != dir_of(&record.path) {
            return false;
        }
        // A bare Swift name is its module's or an imported module's (found before):
        // never another target's.
        if swift_bare
            && (swift_module(&c.record.path) != swift_module(&record.path)
                || c.record.service != record.service)
        {
            return false;
        }
        // What a function defines inside it is out of reach of other files.
        if c.record.path != record.path && inside_function(c) {
            return false;
        }
        // The shape of the use narrows what it can reach: `x.f()` reaches members, a
        // bare `f()` reaches free functions and types (Java and C# also reach members
        // of the enclosing class, handled before this). JavaScript objects built from
        // literals hold free functions, so it keeps both.
        // (A bare name never reaches a member of a class, interface or object type.)
        if shape_free {
            return qualified_use
                || c.facts.symbols[c.symbol as usize]
                    .parent
                    .is_none_or(|p| !c.facts.symbols[p as usize].kind.is_type());
        }
        let s = &c.facts.symbols[c.symbol as usize];
        let member = is_member(c);
        // Types and modules can be reached either way (`pkg.Type`, `Type`); a Kotlin
        // extension function (`fun String.toHttpUrl()`) is called on a value.
        let extension = record.language == Language::Kotlin
            && s.kind == SymbolKind::Function
            && s.signature
                .split('(')
                .next()
                .is_some_and(|head| head.contains('.'));
        s.kind.is_type()
            || matches!(s.kind, SymbolKind::Module | SymbolKind::EnumMember)
            || member == qualified_use
            || (qualified_use && extension)
    };
    // Many definitions sharing a name say nothing about which one is meant: the
    // reference stays unresolved (and visible as such) rather than linked to all.
    // Stop counting as soon as there are too many.
    let few = |run: &mut dyn Iterator<Item = &usize>| -> Option<Vec<usize>> {
        let mut found = Vec::new();
        for &i in run {
            if reachable(&candidates[i]) {
                found.push(i);
                if found.len() > MAX_NAME_ONLY {
                    return None;
                }
            }
        }
        Some(found)
    };
    let Some(mut found) = few(&mut local.iter()) else {
        return Vec::new();
    };
    let mut confidence = 0.5;
    if found.is_empty() {
        // Other services' definitions: the pool around this service's run.
        let start = pool.partition_point(|i| local.first().is_none_or(|l| i < l));
        let (before, after) = pool.split_at(start);
        let after = &after[local.len()..];
        let Some(other) = few(&mut before.iter().chain(after)) else {
            return Vec::new();
        };
        found = other;
        confidence = 0.25;
    }
    // Nearest first: the same file, then the same directory.
    found.sort_by_key(|i| nearness(record, &candidates[*i]));
    answer(found, Evidence::NameOnly, confidence)
}

/// Most definitions a reference is linked to by name alone.
pub const MAX_NAME_ONLY: usize = 3;

/// Indexes of the symbols enclosing the reference, innermost first.
pub(crate) fn enclosing_chain(facts: &FileFacts, reference: &Reference) -> Vec<u32> {
    let mut chain = Vec::new();
    let mut at = reference.enclosing;
    while let Some(i) = at {
        chain.push(i);
        at = facts.symbols.get(i as usize).and_then(|s| s.parent);
    }
    chain
}

/// The type whose member the reference is inside: (qualified name, symbol index if
/// defined in this file). A Go method or a Rust `impl` item names its type in its
/// qualified name even when the type is elsewhere.
fn enclosing_type(scope: &FileScope<'_>, reference: &Reference) -> Option<(String, Option<u32>)> {
    let facts = scope.facts;
    for i in enclosing_chain(facts, reference) {
        let s = &facts.symbols[i as usize];
        if s.kind.is_type() {
            return Some((s.qualified_name.clone(), Some(i)));
        }
        // (A member outside its type's body: a Rust `impl`'s, a C++ out-of-class
        // method, a Swift extension's method or computed property.)
        let detached_field =
            matches!(s.kind, SymbolKind::Field | SymbolKind::Property) && s.parent.is_none();
        if matches!(s.kind, SymbolKind::Method | SymbolKind::Constructor) || detached_field {
            if let Some((owner, _)) = s.qualified_name.rsplit_once('.') {
                return Some((owner.to_string(), scope.types.get(owner).copied()));
            }
        }
    }
    None
}

/// Whether `q` is the receiver of the Go method enclosing the reference
/// (`func (s *memoryStore) AddItem(...)` and `s.GetCart()`).
fn is_go_receiver(facts: &FileFacts, reference: &Reference, q: &str) -> bool {
    enclosing_chain(facts, reference).iter().any(|i| {
        let sig = &facts.symbols[*i as usize].signature;
        sig.strip_prefix("func (")
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|recv| recv == q)
    })
}

/// What, besides the file, its enclosing symbol, its kind, name and qualifier, a
/// reference's resolution depends on: the binding its qualifier's head names (by
/// index), for references of the same file to share one answer. `None` for kinds
/// whose answer depends on their position (imports, module paths, relations).
pub(crate) fn answer_key(scope: &FileScope<'_>, reference: &Reference) -> Option<Option<usize>> {
    if matches!(
        reference.kind,
        RefKind::Import | RefKind::Module | RefKind::Inherit | RefKind::Implement
    ) {
        return None;
    }
    let Some(q) = reference.qualifier.as_deref() else {
        return Some(None);
    };
    let head = q.split('.').next().unwrap_or(q);
    let chain = enclosing_chain(scope.facts, reference);
    Some(scope.binding(head, reference, &chain))
}

/// The type of what `qualifier` names, when the syntax shows it: a binding (typed
/// parameter or variable, receiver, constructed value) in scope before the reference,
/// optionally followed by fields of that type (`cs.store`, `self.store`,
/// `request.url`), each typed by its declaration: in this file, else (with `fields`)
/// in any file loaded. The flag says a field declared in another file was followed.
fn receiver_type(
    lang: Language,
    scope: &FileScope<'_>,
    reference: &Reference,
    qualifier: &str,
    container: Option<&str>,
    fields: Option<&FieldTypes<'_>>,
) -> Option<(String, bool)> {
    if let Some(ty) = constructed_type(qualifier) {
        return Some((ty, false));
    }
    // C and C++ reach a pointer's fields with `->`: `r->index_block` is `r.index_block`.
    let arrowed;
    let qualifier = if qualifier.contains("->") && matches!(lang, Language::C | Language::Cpp) {
        arrowed = qualifier.replace("->", ".");
        arrowed.as_str()
    } else {
        qualifier
    };
    let mut segments = qualifier.split('.');
    let head = segments.next()?;
    let head_type = if SELF_WORDS.contains(&head) {
        container.map(str::to_string)
    } else {
        let chain = enclosing_chain(scope.facts, reference);
        scope
            .binding(head, reference, &chain)
            // A value taken from another has no type of its own.
            .filter(|b| !scope.facts.bindings[*b].derived)
            .map(|b| scope.binding_type(b))
            .unwrap_or_else(|| {
                // Java, C# and C++: a bare field of the enclosing class (`loaders.add(x)`).
                if !matches!(
                    lang,
                    Language::Java
                        | Language::Kotlin
                        | Language::Scala
                        | Language::CSharp
                        | Language::Cpp
                ) {
                    return None;
                }
                scope.field_type(&format!("{}.{head}", container?))
            })
    }?;
    // A type parameter of a definition around the reference is its bound
    // (`x.len()` in `fn f<T: Buf>(x: T)`).
    let chain = enclosing_chain(scope.facts, reference);
    let head_type = parameter_bound(scope.facts, &chain, &head_type).unwrap_or(head_type);
    let mut ty = head_type;
    let mut elsewhere = false;
    for (depth, f) in segments.enumerate() {
        if depth == FIELD_DEPTH {
            return None;
        }
        // One element of a collection (`shop.items.[]` in `for x in shop.items`).
        if f == "[]" {
            ty = ty.strip_suffix("[]")?.to_string();
            continue;
        }
        ty = match scope.field_type(&format!("{ty}.{f}")) {
            Some(t) => t,
            None => {
                elsewhere = true;
                fields?.get(&(ty.as_str(), f))?.clone()?
            }
        };
    }
    Some((ty, elsewhere))
}

/// The bound of `ty` where it is a type parameter of a definition of `chain` (the
/// innermost first): `Buf` for `T` in `fn f<T: Buf>(..)`.
pub(crate) fn parameter_bound(facts: &FileFacts, chain: &[u32], ty: &str) -> Option<String> {
    chain.iter().find_map(|e| {
        let s = facts.symbols.get(*e as usize)?;
        type_parameter_bound(&s.signature, &s.name, ty)
    })
}

/// The bound of the type parameter `param` the declaration of `name` lists right
/// after its name (`T<P extends Base>`, `T<P = Base>`, `T<P: Base>`), if it gives one:
/// its constraint first, what the parameter is inside the declaration.
pub(crate) fn type_parameter_bound(signature: &str, name: &str, param: &str) -> Option<String> {
    written_bound(signature, name, param, false)
}

/// The type the type parameter `param` of `name` stands for where the type is
/// written without arguments: its default (`P extends Some = Base`), else its
/// constraint.
pub(crate) fn type_parameter_default(signature: &str, name: &str, param: &str) -> Option<String> {
    written_bound(signature, name, param, true)
}

fn written_bound(signature: &str, name: &str, param: &str, default_first: bool) -> Option<String> {
    let (_, after) = type_parameter_parts(signature, name)
        .into_iter()
        .find(|(p, _)| *p == param)?;
    let after = after.trim_start();
    let bound = match crate::generics::default_at(after) {
        Some(at) if default_first && after.starts_with("extends ") => &after[at + 1..],
        _ => after
            .strip_prefix("extends ")
            .or_else(|| after.strip_prefix('='))
            .or_else(|| after.strip_prefix(':'))?,
    }
    .trim_start();
    let bound: String = bound
        .chars()
        .take_while(|c| is_word(*c) || *c == '.')
        .collect();
    let bound = bound.rsplit('.').next().unwrap_or_default();
    (!bound.is_empty() && !bound.starts_with(char::is_numeric)).then(|| bound.to_string())
}

/// How many fields deep a receiver's type is followed (`a.b.c.d.e.m()`).
const FIELD_DEPTH: usize = 4;

/// The simple name of the type a Go function or method declares it returns first:
/// `*Engine` of `func New() *Engine`, `Store` of `func (r *Repo) Open() (Store, error)`
/// or of `(s Store, err error)`. None for slices, maps, channels, functions and
/// literal types (no member of the project is reached through them), and for a
/// signature cut short.
pub(crate) fn go_result_type(signature: &str, name: &str) -> Option<String> {
    let mut result = after_parameters(signature, name)?.trim();
    if let Some(list) = result.strip_prefix('(') {
        let list = &list[..balanced_end(result)? - 2];
        let first = top_level_split(list).next()?.trim();
        // A named result (`s Store`): its type is the last word.
        result = first.rsplit(' ').next().unwrap_or(first);
    }
    let result = result.trim_start_matches('*');
    // A slice, an array or a map: its elements (`Item[]`, see `written_type`).
    if result.starts_with('[') || result.starts_with("map[") {
        return cartograph_indexer::written_type(result);
    }
    if result.is_empty()
        || result.starts_with(['(', '{', '<', '…'])
        || ["chan", "<-", "func", "struct", "interface"]
            .iter()
            .any(|p| result.starts_with(p))
    {
        return None;
    }
    simple_type_name(result.split('[').next()?)
}

/// The simple name of the type a Kotlin function declares it returns: `HttpUrl` of
/// `fun String.toHttpUrl(): HttpUrl`, `Builder` of `fun add(name: String): Builder`.
/// None without a declared type (`fun f() = ..`), or for a function type.
pub(crate) fn kotlin_result_type(signature: &str, name: &str) -> Option<String> {
    let rest = after_parameters(signature, name)?
        .trim_start()
        .strip_prefix(':')?
        .trim();
    if rest.starts_with('(') {
        return None;
    }
    simple_type_name(rest.split(['<', '?', ' ', '=', '{']).next()?)
}

/// The simple name of the type a Python function declares it returns: `Response` of
/// `def get(self, url) -> Response:`, of `-> "Response"` and of `-> Optional[Response]`.
/// None for `None` and for a signature with no annotation.
pub(crate) fn python_result_type(signature: &str, name: &str) -> Option<String> {
    let rest = after_parameters(signature, name)?
        .trim_start()
        .strip_prefix("->")?
        .trim()
        .trim_end_matches(':')
        .trim()
        .trim_matches(['"', '\'']);
    let name = cartograph_indexer::written_type(rest)?;
    (name != "None").then_some(name)
}

/// The type a TypeScript function or method declares it returns, as
/// `written_type` reads it: `Cart` of `function load(id: string): Promise<Cart>`,
/// `Item[]` of `items(): Item[]`. None without a declared type, or for a function type.
pub(crate) fn typescript_result_type(signature: &str, name: &str) -> Option<String> {
    let written = typescript_result(signature, name)?;
    if written.starts_with('(') || written.contains("=>") {
        return None;
    }
    cartograph_indexer::written_type(written)
}

/// The result the TypeScript function or method `name` declares, as written.
pub(crate) fn typescript_result<'s>(signature: &'s str, name: &str) -> Option<&'s str> {
    let parameters = parameter_list(signature, name, '<')?;
    let rest = &parameters[balanced_end(parameters)?..];
    let written = rest.trim_start().strip_prefix(':')?.trim();
    let written = written
        .split(" {")
        .next()
        .unwrap_or(written)
        .trim_end_matches('{')
        .trim();
    Some(written)
}

/// The type the TypeScript function, method or constructor `name` declares for its
/// parameter at `position`, as `written_type` reads it: `Options` of `function
/// f(a: string, o?: Options = {})`, of a destructured `{ id }: Options` and of
/// `constructor(private readonly o: Options)`.
pub(crate) fn typescript_parameter_type(
    signature: &str,
    name: &str,
    position: usize,
) -> Option<String> {
    let written = typescript_parameter(signature, name, position)?;
    if written.starts_with('(') || written.contains("=>") {
        return None;
    }
    cartograph_indexer::written_type(written)
}

/// The parameters of the TypeScript function, method or constructor `name`, each as
/// written (`o?: Options = {}`).
pub(crate) fn typescript_parameters<'s>(signature: &'s str, name: &str) -> Vec<&'s str> {
    let Some(rest) = parameter_list(signature, name, '<') else {
        return Vec::new();
    };
    let Some(list) = balanced_end(rest).and_then(|end| rest.get(1..end - 1)) else {
        return Vec::new();
    };
    angle_split(list).into_iter().map(str::trim).collect()
}

/// The type the TypeScript function, method or constructor `name` declares for its
/// parameter at `position`, as written: after the name's (or pattern's) colon,
/// before a default.
pub(crate) fn typescript_parameter<'s>(
    signature: &'s str,
    name: &str,
    position: usize,
) -> Option<&'s str> {
    let parameter = typescript_parameters(signature, name)
        .into_iter()
        .nth(position)?;
    crate::generics::declared_type(parameter)
}

/// The type a Rust function or method declares it returns, as `written_type` reads
/// it (`Result<Cart, E>` is a `Cart`, `Vec<Item>` an `Item[]`); `Self` is `owner`.
pub(crate) fn rust_result_type(signature: &str, name: &str, owner: Option<&str>) -> Option<String> {
    let rest = after_parameters(signature, name)?
        .trim_start()
        .strip_prefix("->")?;
    let written = rest
        .split(" where")
        .next()
        .unwrap_or(rest)
        .trim()
        .trim_end_matches('{')
        .trim();
    let ty = cartograph_indexer::written_type(written)?;
    match ty.strip_prefix("Self") {
        Some(marks) if marks.is_empty() || marks.starts_with('[') => {
            Some(format!("{}{marks}", owner?))
        }
        _ => Some(ty),
    }
}

/// The signature of function `name` from its parameter list's `(` on, its type
/// parameters skipped when written with `generics` (Go's `[T any]`, TypeScript's
/// `<T>`).
fn parameter_list<'s>(signature: &'s str, name: &str, generics: char) -> Option<&'s str> {
    let at = signature
        .match_indices(name)
        .map(|(i, _)| i + name.len())
        .find(|end| {
            signature[*end..]
                .chars()
                .next()
                .is_some_and(|c| c == '(' || c == generics)
        })?;
    let mut rest = &signature[at..];
    if rest.starts_with(generics) {
        let end = match generics {
            '<' => angle_end(rest)?,
            _ => balanced_end(rest)?,
        };
        rest = &rest[end..];
    }
    rest.starts_with('(').then_some(rest)
}

/// What follows the parameter list of function `name` in its signature (after its
/// Go type parameters `[T any]` too).
fn after_parameters<'s>(signature: &'s str, name: &str) -> Option<&'s str> {
    let list = parameter_list(signature, name, '[')?;
    Some(&list[balanced_end(list)?..])
}

/// The last segment of a (package-)qualified type name, if it is a plain name.
fn simple_type_name(qualified: &str) -> Option<String> {
    let name = qualified.rsplit('.').next()?;
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// The byte just past the bracket closing the one `s` starts with.
pub(crate) fn balanced_end(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The characters of `s` outside brackets (`<>` too; an arrow's `>` closes nothing),
/// with their byte offsets: where a type written in a declaration ends.
pub(crate) fn outside_brackets(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut depth = 0i32;
    let mut previous = ' ';
    s.char_indices().filter(move |&(_, c)| {
        let arrow = c == '>' && previous == '=';
        previous = c;
        match c {
            '<' | '(' | '[' | '{' => {
                depth += 1;
                false
            }
            '>' if arrow => depth <= 0,
            '>' | ')' | ']' | '}' => {
                depth -= 1;
                false
            }
            _ => depth <= 0,
        }
    })
}

/// The byte just past the `>` closing the `<` that `s` starts with (an arrow's `>`
/// closes nothing).
pub(crate) fn angle_end(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    let mut previous = ' ';
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' if previous == '=' => {}
            '>' | ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        previous = c;
    }
    None
}

/// `s` split at its commas outside brackets.
fn top_level_split(s: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter()
}

/// The type a constructor function returns by convention: `NewStore` makes a
/// `Store` (Go); other names are types already.
pub(crate) fn constructor_type(name: &str) -> String {
    match name.strip_prefix("New") {
        Some(rest) if rest.chars().next().is_some_and(char::is_uppercase) => rest.to_string(),
        _ => name.to_string(),
    }
}

/// The type of a value built right in the qualifier: `Parser::new()` and
/// `Parser::default()` (Rust), `new Foo()` (JS/TS, Java, C#), `Foo(...)` (a Python
/// class), `NewFoo()` and `pkg.NewFoo()` (Go). Types are told by their capital.
pub(crate) fn constructed_type(qualifier: &str) -> Option<String> {
    let q = qualifier.trim();
    let (q, is_new) = match q.strip_prefix("new ") {
        Some(rest) => (rest.trim_start(), true),
        None => (q, false),
    };
    if !q.ends_with(')') {
        return None;
    }
    let open = q.find('(')?;
    // One call: the first parenthesis closes at the end.
    let mut depth = 0i32;
    for (i, c) in q.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth == 0 && i + 1 != q.len() {
            return None;
        }
    }
    let callee = &q[..open];
    if callee.contains(' ') || (callee.contains('.') && callee.contains("::")) {
        return None;
    }
    let capital = |s: &str| s.chars().next().is_some_and(char::is_uppercase);
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some((path, _function)) = callee.rsplit_once("::") {
        let ty = path.rsplit("::").next()?;
        let ty = ty.split('<').next()?;
        return (capital(ty) && word(ty)).then(|| ty.to_string());
    }
    let last = callee.rsplit('.').next()?;
    let last = last.split('<').next()?;
    if !word(last) {
        return None;
    }
    if let Some(rest) = last.strip_prefix("New").filter(|r| capital(r)) {
        return Some(rest.to_string());
    }
    (is_new || capital(last)).then(|| last.to_string())
}

/// `Outer.Inner` when `qualifier` builds `ty` as a class nested in a capitalised
/// outer one (`Headers.Builder()`, `new Outer.Inner()`).
fn nested_constructed_type(qualifier: &str, ty: &str) -> Option<String> {
    let callee = qualifier
        .trim()
        .trim_start_matches("new ")
        .split('(')
        .next()?;
    let mut segments = callee.rsplit('.');
    if segments.next()? != ty {
        return None;
    }
    let outer = segments.next()?;
    (outer.chars().next().is_some_and(char::is_uppercase)
        && outer.chars().all(|c| c.is_alphanumeric() || c == '_'))
    .then(|| format!("{outer}.{ty}"))
}

/// The type a field's declaration gives it: `store CartStore` (Go), `store: Store`
/// (TS, Rust, Python), `private Store store` (Java, C#); a collection's elements
/// marked (`Item[]` of `items: Vec<Item>`, `items []*Item`, `List<Item> items`, see
/// `written_type`).
fn type_in_signature(signature: &str, name: &str) -> Option<String> {
    let at = signature.find(name)?;
    let before = &signature[..at];
    let after = signature[at + name.len()..].trim_start();
    // The type as written: up to a default value, the declaration's end or a Go tag.
    let written = |t: &str| -> Option<String> {
        let end = outside_brackets(t)
            .find(|(_, c)| "=;,{`".contains(*c))
            .map_or(t.len(), |(i, _)| i);
        cartograph_indexer::written_type(&t[..end])
    };
    // `url?: URL`, `store!: Store` (TypeScript).
    let after = match after.strip_prefix(['?', '!']) {
        Some(marked) if marked.starts_with(':') => marked,
        _ => after,
    };
    if let Some(rest) = after.strip_prefix(':') {
        return written(rest.trim_start().trim_start_matches("mut "));
    }
    // `self.stub = pb.CartStub(channel)`, `private client = new CartClient()`.
    if let Some(value) = after.strip_prefix('=') {
        if let Some(ty) = constructed_type(value.trim().trim_end_matches(';')) {
            return Some(ty);
        }
    }
    if !after.is_empty() && !after.starts_with('=') && !after.starts_with(';') {
        return written(after);
    }
    // `Cart $cart` (PHP), `Cart *cart`, `Cart &cart`, `Map<String, Cart> carts`: the
    // type before the name (its last word outside brackets).
    let before = before.trim_end_matches(['$', '&', '*', ' ']);
    let start = outside_brackets(before)
        .filter(|(_, c)| c.is_whitespace())
        .last()
        .map_or(0, |(i, _)| i + 1);
    written(&before[start..])
}

/// The type of a call's receiver when the syntax shows it (see `receiver_type`):
/// `cs.cartClient` typed by its field, `stub` by `stub = XStub(channel)`.
pub(crate) fn receiver_type_of(
    lang: Language,
    scope: &FileScope<'_>,
    reference: &Reference,
) -> Option<String> {
    let q = reference.qualifier.as_deref()?;
    let container = enclosing_type(scope, reference);
    receiver_type(
        lang,
        scope,
        reference,
        &through_derived(scope, reference, q),
        container.as_ref().map(|c| c.0.as_str()),
        None,
    )
    .map(|(ty, _)| ty)
}

/// What a receiver is taken from: `client` of `auto client = wrapper->GetClient()`
/// after `auto wrapper = pool_->Pop()` is `pool_` (a pool or wrapper of clients holds
/// the clients it hands out). Other qualifiers are themselves. Only endpoints read
/// receivers this way: a value taken from another is no instance of its type.
pub(crate) fn through_derived(scope: &FileScope<'_>, reference: &Reference, q: &str) -> String {
    let chain = enclosing_chain(scope.facts, reference);
    let mut q = q.to_string();
    for _ in 0..4 {
        let Some(b) = scope.binding(&q, reference, &chain) else {
            break;
        };
        let b = &scope.facts.bindings[b];
        if !b.derived || b.type_name == q {
            break;
        }
        q = b.type_name.clone();
    }
    q
}

/// The type owning the method or type a reference is in (`CatalogHandler` for a
/// reference in `CatalogHandler::GetBook`), as qualified in the file.
pub(crate) fn enclosing_type_name(scope: &FileScope<'_>, reference: &Reference) -> Option<String> {
    enclosing_type(scope, reference).map(|(name, _)| name)
}

/// Names of the types the given type extends or implements (from this file).
/// The names of the types the type `type_index` of `facts` extends or implements.
/// The members (`members_of` a type) of the nearest ancestors that have any, above
/// `direct`, the type's direct bases (themselves not looked at).
fn inherited_member(
    bases: Option<&Bases<'_>>,
    direct: &[&str],
    members_of: impl Fn(&str) -> Vec<usize>,
) -> Option<Vec<usize>> {
    for level in ancestors(bases?, direct) {
        let mut found: Vec<usize> = level.into_iter().flat_map(&members_of).collect();
        if !found.is_empty() {
            found.sort_unstable();
            found.dedup();
            return Some(found);
        }
    }
    None
}

fn base_names(facts: &FileFacts, type_index: Option<u32>) -> Vec<String> {
    let Some(t) = type_index else {
        return Vec::new();
    };
    facts
        .references
        .iter()
        .filter(|r| {
            matches!(r.kind, RefKind::Inherit | RefKind::Implement) && r.enclosing == Some(t)
        })
        .map(|r| r.name.clone())
        .collect()
}

/// Whether a definition lies inside a function or method (a local item, struct or
/// closure bound to a name).
fn inside_function(c: &Candidate<'_>) -> bool {
    let symbols = &c.facts.symbols;
    std::iter::successors(symbols[c.symbol as usize].parent, |p| {
        symbols[*p as usize].parent
    })
    .any(|p| symbols[p as usize].kind.is_callable())
}

/// Whether `name`, used bare, is provided by the language itself: Rust's prelude,
/// Python's builtins, the globals of JavaScript and TypeScript.
/// Whether `name` is a method (or property) of the language's built-in collections
/// and primitives (JavaScript's `Map`, `Set`, `Array`, `String`, `Promise`; Python's
/// `dict`, `list`, `set`, `str`).
fn is_core_method(lang: Language, name: &str) -> bool {
    const SCRIPT: &[&str] = &[
        "add",
        "catch",
        "charAt",
        "clear",
        "concat",
        "delete",
        "endsWith",
        "entries",
        "every",
        "filter",
        "finally",
        "find",
        "findIndex",
        "flat",
        "flatMap",
        "forEach",
        "get",
        "has",
        "hasOwnProperty",
        "includes",
        "indexOf",
        "join",
        "keys",
        "length",
        "lastIndexOf",
        "map",
        "match",
        "pop",
        "push",
        "reduce",
        "replace",
        "reverse",
        "set",
        "shift",
        "size",
        "slice",
        "some",
        "sort",
        "splice",
        "split",
        "startsWith",
        "substring",
        "then",
        "toLowerCase",
        "toString",
        "toUpperCase",
        "trim",
        "unshift",
        "valueOf",
        "values",
    ];
    const PYTHON: &[&str] = &[
        "add",
        "append",
        "clear",
        "copy",
        "count",
        "decode",
        "discard",
        "encode",
        "endswith",
        "extend",
        "format",
        "get",
        "index",
        "insert",
        "items",
        "join",
        "keys",
        "lower",
        "pop",
        "popitem",
        "remove",
        "replace",
        "setdefault",
        "sort",
        "split",
        "startswith",
        "strip",
        "update",
        "upper",
        "values",
    ];
    // The methods of the standard traits every type derives or implements
    // (`x.clone()`, `a.eq(b)`, `it.next()`): a crate's own collection methods
    // (`get`, `len`, `push`) are called through values of unknown type too often
    // to give up.
    const RUST: &[&str] = &[
        "as_mut",
        "as_ref",
        "borrow",
        "borrow_mut",
        "clone",
        "clone_from",
        "cmp",
        "default",
        "deref",
        "deref_mut",
        "eq",
        "fmt",
        "hash",
        "into",
        "into_iter",
        "ne",
        "next",
        "partial_cmp",
        "to_owned",
        "to_string",
        "try_into",
    ];
    let list = match lang {
        Language::JavaScript | Language::TypeScript | Language::Tsx => SCRIPT,
        Language::Python => PYTHON,
        Language::Rust => RUST,
        _ => return false,
    };
    list.contains(&name)
}

fn is_language_global(lang: Language, name: &str) -> bool {
    const RUST: &[&str] = &[
        "AsMut",
        "AsRef",
        "Box",
        "Clone",
        "Copy",
        "Default",
        "DoubleEndedIterator",
        "Drop",
        "Eq",
        "Err",
        "ExactSizeIterator",
        "Extend",
        "Fn",
        "FnMut",
        "FnOnce",
        "From",
        "FromIterator",
        "Into",
        "IntoIterator",
        "Iterator",
        "None",
        "Ok",
        "Option",
        "Ord",
        "PartialEq",
        "PartialOrd",
        "Result",
        "Send",
        "Sized",
        "Some",
        "String",
        "Sync",
        "ToOwned",
        "ToString",
        "TryFrom",
        "TryInto",
        "Unpin",
        "Vec",
    ];
    const PYTHON: &[&str] = &[
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BaseException",
        "Exception",
        "ImportError",
        "IndexError",
        "KeyError",
        "LookupError",
        "NotImplementedError",
        "OSError",
        "RuntimeError",
        "StopIteration",
        "TypeError",
        "ValueError",
        "abs",
        "all",
        "any",
        "bool",
        "bytes",
        "callable",
        "dict",
        "enumerate",
        "filter",
        "float",
        "format",
        "frozenset",
        "getattr",
        "hasattr",
        "hash",
        "id",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "map",
        "max",
        "min",
        "next",
        "object",
        "open",
        "print",
        "property",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "setattr",
        "sorted",
        "staticmethod",
        "classmethod",
        "str",
        "sum",
        "super",
        "tuple",
        "type",
        "vars",
        "zip",
    ];
    const SCRIPT: &[&str] = &[
        "Array",
        "ArrayBuffer",
        "BigInt",
        "Boolean",
        "Date",
        "Error",
        "Exclude",
        "Extract",
        "Function",
        "Intl",
        "JSON",
        "Map",
        "Math",
        "NonNullable",
        "Number",
        "Object",
        "Omit",
        "Parameters",
        "Partial",
        "Pick",
        "Promise",
        "Proxy",
        "RangeError",
        "Readonly",
        "Record",
        "Reflect",
        "RegExp",
        "Required",
        "ReturnType",
        "Set",
        "String",
        "Symbol",
        "SyntaxError",
        "TypeError",
        "Uint8Array",
        "WeakMap",
        "WeakSet",
        "clearTimeout",
        "console",
        "fetch",
        "isNaN",
        "parseFloat",
        "parseInt",
        "setInterval",
        "setTimeout",
    ];
    match lang {
        Language::Rust => RUST.contains(&name),
        Language::Python => PYTHON.contains(&name),
        Language::JavaScript | Language::TypeScript | Language::Tsx => SCRIPT.contains(&name),
        _ => false,
    }
}

/// Whether a Go import path is the standard library's: its first element has no dot
/// and is one of the standard library's top-level directories.
fn is_go_std(import: &str) -> bool {
    const STD: [&str; 47] = [
        "archive",
        "bufio",
        "builtin",
        "bytes",
        "cmp",
        "compress",
        "container",
        "context",
        "crypto",
        "database",
        "debug",
        "embed",
        "encoding",
        "errors",
        "expvar",
        "flag",
        "fmt",
        "go",
        "hash",
        "html",
        "image",
        "index",
        "io",
        "iter",
        "log",
        "maps",
        "math",
        "mime",
        "net",
        "os",
        "path",
        "plugin",
        "reflect",
        "regexp",
        "runtime",
        "slices",
        "sort",
        "strconv",
        "strings",
        "sync",
        "syscall",
        "testing",
        "text",
        "time",
        "unicode",
        "unique",
        "unsafe",
    ];
    let first = import.trim_matches('"').split('/').next().unwrap_or("");
    STD.contains(&first)
}

fn module_tail(module: &str) -> &str {
    let m = module.trim_end_matches(['/', '.']);
    m.rsplit(['.', '/', ':']).next().unwrap_or(m)
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn strip_ext(path: &str) -> &str {
    match path.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => stem,
        _ => path,
    }
}

/// Normalizes `a/b/../c/./d` to `a/c/d`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether candidate `c` lives in the module an import names.
/// What an import of a module can name, worked out once per import and then
/// tested against each candidate file.
pub(crate) enum ModulePattern {
    /// Python: a file stem (`pkg/mail`), also as a package (`pkg/mail/__init__`).
    Python(String),
    /// JavaScript/TypeScript: a file stem, also as a directory's index.
    Script(String),
    /// Go: the last segment of the import path, naming a directory and package.
    Go(String),
    /// Swift: a module (a Swift package's target, `Sources/<name>/`).
    Swift(String),
    /// Java: a package and a class (`*` for all).
    Java(String, String),
    /// C#: a namespace.
    CSharp(String),
    /// Rust: the module's last segment (`None`: the crate itself).
    Rust(Option<String>),
    /// Proto: a path suffix.
    Proto(String),
    /// C and C++: an included header, by the path the including file's directory
    /// gives it, else by its path under any include root (`#include "cart/cart.h"`
    /// is `src/cart/cart.h` with `src` on the include path).
    Include(String, String),
    /// JavaScript/TypeScript: a package of the workspace imported by its name
    /// (`zod/v4` inside the `zod` package, `@shop/utils/money` in a monorepo): the
    /// service of that name and the path under it (`v4`), its sources' (`src/v4`)
    /// or a directory's index.
    Package(String, String),
    /// Nothing in the workspace.
    Nothing,
}

impl ModulePattern {
    /// The pattern of `module` imported in `record`.
    pub(crate) fn new(record: &FileRecord, module: &str) -> ModulePattern {
        match record.language {
            Language::Python => {
                let dots = module.chars().take_while(|ch| *ch == '.').count();
                let rest = module[dots..].replace('.', "/");
                if dots == 0 {
                    return ModulePattern::Python(rest);
                }
                let mut base = dir_of(&record.path).to_string();
                for _ in 1..dots {
                    base = dir_of(&base).to_string();
                }
                ModulePattern::Python(normalize(&format!("{base}/{rest}")))
            }
            // `require "resty.http"`: `resty/http.lua` under any root.
            Language::Lua => ModulePattern::Python(module.replace('.', "/")),
            // `require_relative "../lib/mailer"` from the file's directory; `require
            // "shop/mailer"` from a load path (`lib/` of any root).
            Language::Ruby if module.starts_with('.') => {
                ModulePattern::Python(normalize(&format!("{}/{module}", dir_of(&record.path))))
            }
            Language::Ruby => ModulePattern::Python(module.to_string()),
            // Elixir's modules are names (`alias Shop.Cart`), not files.
            Language::Elixir => ModulePattern::Nothing,
            // `import Vapor`, `@testable import App`: a target of the workspace's
            // packages; a system module (`Foundation`) is none.
            Language::Swift => ModulePattern::Swift(module.trim().to_string()),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                if !module.starts_with('.') {
                    // The package's name is its first segment, or its first two when
                    // scoped (`@shop/utils`); the rest is the path under it.
                    let scoped = module.starts_with('@');
                    let (name, rest) = match module.match_indices('/').nth(usize::from(scoped)) {
                        Some((at, _)) => (&module[..at], &module[at + 1..]),
                        None => (module, ""),
                    };
                    if name.is_empty() || (scoped && !name.contains('/')) {
                        return ModulePattern::Nothing;
                    }
                    return ModulePattern::Package(
                        name.to_string(),
                        strip_known_ext(rest).to_string(),
                    );
                }
                let target = normalize(&format!("{}/{}", dir_of(&record.path), module));
                ModulePattern::Script(strip_known_ext(&target).to_string())
            }
            // The standard library (`errors`, `net/http`) is never the workspace's
            // `internal/errors`.
            Language::Go if is_go_std(module) => ModulePattern::Nothing,
            Language::Go => ModulePattern::Go(module_tail(module).to_string()),
            // PHP's `use Shop\Cart\CartService;` is read as `Shop.Cart.CartService`.
            Language::Java | Language::Kotlin | Language::Scala | Language::Php => {
                let (pkg, class) = module.rsplit_once('.').unwrap_or(("", module));
                ModulePattern::Java(pkg.to_string(), class.to_string())
            }
            Language::CSharp => ModulePattern::CSharp(module.trim().to_string()),
            // The standard library's crates are never the workspace's (`std::io::Error`
            // is not the project's `io` module's `Error`).
            Language::Rust
                if matches!(
                    module.trim_start_matches("::").split("::").next(),
                    Some("std" | "core" | "alloc")
                ) =>
            {
                ModulePattern::Nothing
            }
            Language::Rust => {
                let segments: Vec<&str> = module
                    .split("::")
                    .filter(|s| !matches!(*s, "crate" | "self" | "super" | ""))
                    .collect();
                ModulePattern::Rust(
                    (segments.len() >= 2).then(|| segments[segments.len() - 2].to_string()),
                )
            }
            Language::Proto => ModulePattern::Proto(module.trim_start_matches("./").to_string()),
            // `include "shared.thrift"` reads like a quoted `#include`.
            Language::C | Language::Cpp | Language::Thrift => {
                let module = module.trim();
                let header = module.trim_matches(['"', '<', '>']).trim();
                // `using namespace shop;`, `using shop::Rates;`: names, not files.
                let file_like = module.starts_with('<') || header.contains(['.', '/']);
                if header.is_empty() || header.contains("::") || !file_like {
                    return ModulePattern::Nothing;
                }
                ModulePattern::Include(
                    normalize(&format!("{}/{header}", dir_of(&record.path))),
                    header.trim_start_matches("./").to_string(),
                )
            }
        }
    }

    /// Whether the file at `path` (with `package`) is that module.
    pub(crate) fn file_matches(&self, file: &FileRecord, package: Option<&str>) -> bool {
        let path = file.path.as_str();
        let stem = strip_ext(path);
        let ends_with_segment = |s: &str, tail: &str| {
            s.strip_suffix(tail)
                .is_some_and(|head| head.is_empty() || head.ends_with('/'))
        };
        match self {
            ModulePattern::Python(target) => {
                let package = stem.strip_suffix("/__init__").unwrap_or(stem);
                ends_with_segment(stem, target) || ends_with_segment(package, target)
            }
            ModulePattern::Script(target) => {
                stem == target || stem.strip_suffix("/index") == Some(target.as_str())
            }
            ModulePattern::Go(tail) => {
                dir_of(path).rsplit('/').next() == Some(tail.as_str())
                    && package == Some(tail.as_str())
            }
            ModulePattern::Swift(module) => swift_module(path) == Some(module.as_str()),
            ModulePattern::Rust(Some(m)) => {
                let module = stem.strip_suffix("/mod").unwrap_or(stem);
                module
                    .strip_suffix(m.as_str())
                    .is_some_and(|h| h.ends_with('/'))
            }
            ModulePattern::Proto(suffix) => path.ends_with(suffix.as_str()),
            ModulePattern::Package(name, sub) => {
                let Some(rest) = package_path(file, name) else {
                    return false;
                };
                let rest = strip_ext(rest);
                let index = |dir: &str| match dir {
                    "" => "index".to_string(),
                    d => format!("{d}/index"),
                };
                let src = match sub.as_str() {
                    "" => "src".to_string(),
                    s => format!("src/{s}"),
                };
                rest == sub || rest == src || rest == index(sub) || rest == index(&src)
            }
            ModulePattern::Include(beside, header) => {
                path == beside
                    || path == header
                    || path
                        .strip_suffix(header.as_str())
                        .is_some_and(|head| head.ends_with('/'))
            }
            _ => false,
        }
    }

    /// Whether the file at `path` lies under the directory of a package module
    /// (`pkg` of `from pkg import x`, `./lib` of `import { x } from "./lib"` when it
    /// is a directory with an index), where a package re-exports from.
    pub(crate) fn contains(&self, file: &FileRecord) -> bool {
        let path = file.path.as_str();
        let under = |dir: &str| {
            !dir.is_empty()
                && path
                    .strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
                || (!dir.contains('/') && path.contains(&format!("/{dir}/")))
        };
        match self {
            ModulePattern::Python(target) => under(target),
            // A module file that does not define the name re-exports it (`export *
            // from "./string/Contains"` in `decorator/decorators.ts`): from its
            // directory or below.
            ModulePattern::Script(target) => {
                under(target.strip_suffix("/index").unwrap_or(target)) || under(dir_of(target))
            }
            // (Under the package's path, or its sources'.)
            ModulePattern::Package(name, sub) => package_path(file, name).is_some_and(|rest| {
                let sub = sub.as_str();
                let within = |dir: &str| dir.is_empty() || rest.starts_with(&format!("{dir}/"));
                within(sub) || within(format!("src/{sub}").trim_end_matches('/'))
            }),
            _ => false,
        }
    }

    /// Whether candidate `c` (a definition) belongs to that module, for an import in
    /// `record`.
    fn matches(&self, record: &FileRecord, c: &Candidate<'_>) -> bool {
        let package = c.facts.package.as_deref();
        match self {
            ModulePattern::Go(tail) => {
                dir_of(&c.record.path).rsplit('/').next() == Some(tail.as_str())
                    || package == Some(tail.as_str())
            }
            ModulePattern::Java(pkg, class) => {
                if package == Some(pkg.as_str()) {
                    return class == "*" || qualified(c).split('.').next() == Some(class.as_str());
                }
                // A nested type: `import org.app.Parser.Rule;`.
                pkg.rsplit_once('.').is_some_and(|(outer_pkg, outer)| {
                    package == Some(outer_pkg)
                        && qualified(c)
                            .strip_prefix(outer)
                            .and_then(|rest| rest.strip_prefix('.'))
                            .is_some_and(|rest| {
                                class == "*" || rest.split('.').next() == Some(class.as_str())
                            })
                })
            }
            ModulePattern::CSharp(ns) => package == Some(ns.as_str()),
            ModulePattern::Rust(None) => same_service(record, c),
            ModulePattern::Rust(Some(_)) => {
                same_service(record, c) && self.file_matches(c.record, package)
            }
            _ => self.file_matches(c.record, package),
        }
    }
}

/// The path of `file` under the workspace package (service) `name`, if it is one of
/// its files (`src/v4/index.ts` of the `zod` package at the root).
fn package_path<'f>(file: &'f FileRecord, name: &str) -> Option<&'f str> {
    let short = name.rsplit('/').next().unwrap_or(name);
    if file.service != name && file.service != short {
        return None;
    }
    match file.service_path.as_str() {
        "" | "." => Some(file.path.as_str()),
        dir => file.path.strip_prefix(dir)?.strip_prefix('/'),
    }
}

fn strip_known_ext(path: &str) -> &str {
    for ext in [".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"] {
        if let Some(s) = path.strip_suffix(ext) {
            return s;
        }
    }
    path
}

/// Whether the language sees the definitions of its package without importing
/// them. (A Rust crate is one namespace reached through `use`; a JS/Python module
/// only sees what it imports.)
fn packaged(lang: Language) -> bool {
    matches!(
        lang,
        Language::Go
            | Language::Java
            | Language::Kotlin
            | Language::Scala
            | Language::CSharp
            | Language::Proto
            | Language::Php
            | Language::Swift
    )
}

/// The Swift module a file belongs to: the target directory a Swift package keeps it
/// in (`App` of `Sources/App/Controllers/x.swift`, `AppTests` of `Tests/AppTests/`).
/// `None` outside `Sources/` and `Tests/` (an app's files are one module).
pub(crate) fn swift_module(path: &str) -> Option<&str> {
    let mut segments = path.split('/');
    while let Some(s) = segments.next() {
        if matches!(s, "Sources" | "Tests") {
            let module = segments.next()?;
            // The file itself is no module.
            return segments.next().map(|_| module);
        }
    }
    None
}

/// Whether `c` (of the same service) is in the package of `record`: for Go, the same
/// directory.
fn same_package(record: &FileRecord, facts: &FileFacts, c: &Candidate<'_>) -> bool {
    if c.record.path == record.path {
        return false;
    }
    match record.language {
        Language::Go => dir_of(&c.record.path) == dir_of(&record.path),
        Language::Java
        | Language::Kotlin
        | Language::Scala
        | Language::CSharp
        | Language::Proto
        | Language::Php => facts.package.is_some() && c.facts.package == facts.package,
        // One module: the same target of a Swift package, else the same service.
        Language::Swift => {
            swift_module(&c.record.path) == swift_module(&record.path)
                && c.record.service == record.service
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declaration_lists_its_type_parameters_and_its_bases_arguments() {
        let zod = "interface $ZodObject< /** @ts-ignore Cast variance */ out Shape extends \
                   Readonly<$ZodShape> = Readonly<$ZodShape>, out Params extends Config = Config, > \
                   extends $ZodType<any, any, $ZodObjectInternals<Shape, Params>>";
        assert_eq!(type_parameters(zod, "$ZodObject"), ["Shape", "Params"]);
        assert_eq!(
            base_arguments(zod, "$ZodObject", "$ZodType"),
            ["any", " any", " $ZodObjectInternals<Shape, Params>"]
        );
        let java = "public class Repo<T extends Entity<T>> extends Base<Map<String, T>, Long> implements Api<T>";
        assert_eq!(type_parameters(java, "Repo"), ["T"]);
        assert_eq!(
            base_arguments(java, "Repo", "Base"),
            ["Map<String, T>", " Long"]
        );
        assert_eq!(base_arguments(java, "Repo", "Api"), ["T"]);
        // A function type's arrow closes no bracket; a base without arguments has none.
        let ts =
            "interface Box<F extends (x: number) => void = () => void> extends Holder<F>, Plain";
        assert_eq!(type_parameters(ts, "Box"), ["F"]);
        assert_eq!(base_arguments(ts, "Box", "Holder"), ["F"]);
        assert!(base_arguments(ts, "Box", "Plain").is_empty());
    }

    #[test]
    fn a_go_signature_declares_its_first_result() {
        let cases = [
            ("func New() *Engine", "New", Some("Engine")),
            (
                "func (a authPairs) processAccounts(x Accounts) authPairs",
                "processAccounts",
                Some("authPairs"),
            ),
            (
                "func (r *Repo) Open(ctx context.Context) (store.Store, error)",
                "Open",
                Some("Store"),
            ),
            (
                "func Parse[T any](s []T) (v Value[T], err error)",
                "Parse",
                Some("Value"),
            ),
            ("func Items() []Item", "Items", Some("Item[]")),
            ("func Index() map[string]*Item", "Index", Some("Item[]")),
            ("func Run()", "Run", None),
            ("func Handler() func(c *Context)", "Handler", None),
        ];
        for (signature, name, want) in cases {
            assert_eq!(
                go_result_type(signature, name).as_deref(),
                want,
                "{signature}"
            );
        }
    }

    #[test]
    fn a_kotlin_signature_declares_its_result() {
        let cases = [
            (
                "fun String.toHttpUrl(): HttpUrl",
                "toHttpUrl",
                Some("HttpUrl"),
            ),
            (
                "fun add(name: String, value: String): Builder",
                "add",
                Some("Builder"),
            ),
            ("fun find(id: String): okhttp3.Cart?", "find", Some("Cart")),
            ("fun all(): List<Cart>", "all", Some("List")),
            ("fun run()", "run", None),
            ("fun handler(): (Int) -> Unit", "handler", None),
        ];
        for (signature, name, want) in cases {
            assert_eq!(
                kotlin_result_type(signature, name).as_deref(),
                want,
                "{signature}"
            );
        }
    }

    #[test]
    fn values_built_in_a_qualifier_have_their_type() {
        for (q, ty) in [
            ("Parser::new()", Some("Parser")),
            ("ast::Parser::new(x, y)", Some("Parser")),
            ("Vec::<u8>::new()", None),
            ("new Foo(1)", Some("Foo")),
            ("Foo(a)", Some("Foo")),
            ("pkg.NewStore()", Some("Store")),
            ("NewStore()", Some("Store")),
            ("make_parser()", None),
            ("self.parser", None),
            ("Parser::new().build()", None),
        ] {
            assert_eq!(constructed_type(q).as_deref(), ty, "{q}");
        }
    }
}
