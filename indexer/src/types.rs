//! Written types read for what their values hold: the type whose members a value of
//! the written type reaches, and whether it is a collection of them.

/// Types whose values stand for the one value they wrap: their members are its
/// (`Box<Item>`, `Option<Item>`, `Arc<Mutex<Item>>`, `Promise<Item>`,
/// `Optional[Item]`).
const WRAPPERS: &[&str] = &[
    "Box",
    "Rc",
    "Arc",
    "RefCell",
    "Mutex",
    "RwLock",
    "Option",
    "Result",
    "Pin",
    "Cow",
    "Promise",
    "PromiseLike",
    "Awaited",
    "Readonly",
    "Partial",
    "Required",
    "NonNullable",
    "Optional",
    "Annotated",
    "Final",
    "ClassVar",
    "Awaitable",
    "Lazy",
    "unique_ptr",
    "shared_ptr",
    "optional",
];

/// Types that hold many values of their (first) argument: what iterating them gives.
const SEQUENCES: &[&str] = &[
    "Vec",
    "VecDeque",
    "LinkedList",
    "HashSet",
    "BTreeSet",
    "BinaryHeap",
    "IndexSet",
    "Array",
    "ReadonlyArray",
    "Set",
    "ReadonlySet",
    "Iterable",
    "IterableIterator",
    "Iterator",
    "AsyncIterable",
    "AsyncIterator",
    "Generator",
    "AsyncGenerator",
    "list",
    "List",
    "set",
    "frozenset",
    "FrozenSet",
    "Sequence",
    "MutableSequence",
    "Collection",
    "AbstractSet",
    "MutableSet",
    "deque",
    "Deque",
    "ArrayList",
    "TreeSet",
    "MutableList",
    "IList",
    "ICollection",
    "IEnumerable",
    "IReadOnlyList",
    "IReadOnlyCollection",
    "vector",
    "unordered_set",
    "Seq",
];

/// Types that map keys to values: what their values are (`for _, v := range m`,
/// `m.values()`, `map.forEach((v) => ..)`).
const MAPS: &[&str] = &[
    "HashMap",
    "BTreeMap",
    "IndexMap",
    "Map",
    "ReadonlyMap",
    "Record",
    "dict",
    "Dict",
    "Mapping",
    "MutableMapping",
    "DefaultDict",
    "defaultdict",
    "OrderedDict",
    "TreeMap",
    "ConcurrentHashMap",
    "Dictionary",
    "IDictionary",
    "IReadOnlyDictionary",
    "MutableMap",
    "map",
    "unordered_map",
];

/// The simple name of the type whose members a value of the written type `text`
/// reaches, with `[]` after it for a collection of such values: `Item` of `&mut Item`,
/// `*pkg.Item`, `Option<Item>`, `Arc<Mutex<Item>>`, `Promise<Item>`, `Item | undefined`,
/// `"Item"`; `Item[]` of `Vec<Item>`, `&[Item]`, `[]*Item`, `list[Item]`,
/// `readonly Item[]`, `Array<Item>`, `impl Iterator<Item = Item>` and of a map's values
/// (`map[string]*Item`, `HashMap<K, Item>`, `dict[str, Item]`). None for tuples,
/// functions, object types and literals.
pub fn written_type(text: &str) -> Option<String> {
    written(text, 0)
}

fn written(text: &str, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    let mut t = text.trim();
    // References, pointers, modifiers, quotes.
    loop {
        let before = t;
        t = t.trim_start_matches(['&', '*']).trim_start();
        if let Some(rest) = t.strip_prefix('\'') {
            // A lifetime (`&'a Item`).
            t = rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
        }
        for prefix in [
            "mut ",
            "const ",
            "readonly ",
            "impl ",
            "dyn ",
            "typing.",
            "unique ",
        ] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim_start();
        }
        t = t
            .trim_matches(['"', '\''])
            .trim_end_matches(['?', '!'])
            .trim();
        if t == before {
            break;
        }
    }
    // A union with nothing (`Item | undefined`, `Item | None`): the one named type.
    let parts = split_top(t, '|');
    if parts.len() > 1 {
        let named: Vec<&str> = parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !matches!(*p, "undefined" | "null" | "None" | "void" | "nil"))
            .collect();
        return match named.as_slice() {
            [one] => written(one, depth + 1),
            _ => None,
        };
    }
    // `Item[]`: a TypeScript array.
    if let Some(element) = t.strip_suffix("[]") {
        return written(element, depth + 1).map(|e| format!("{e}[]"));
    }
    // Go `[]Item`, `[4]Item`, `map[string]Item`; Rust `[Item]`, `[Item; 4]`.
    if let Some(rest) = t.strip_prefix("map[") {
        let close = closing(rest, '[', ']')?;
        return written(&rest[close + 1..], depth + 1).map(|e| format!("{e}[]"));
    }
    if let Some(rest) = t.strip_prefix('[') {
        let close = closing(rest, '[', ']')?;
        let after = rest[close + 1..].trim();
        let element = if after.is_empty() {
            rest[..close].split(';').next().unwrap_or_default()
        } else {
            after
        };
        return written(element, depth + 1).map(|e| format!("{e}[]"));
    }
    // A generic: `Name<args>` or Python's `Name[args]`.
    if let Some(open) = t.find(['<', '[']) {
        let (close_char, open_char) = if t[open..].starts_with('<') {
            ('>', '<')
        } else {
            (']', '[')
        };
        let name = simple(&t[..open])?;
        let inner = &t[open + 1..];
        let close = closing(inner, open_char, close_char)?;
        let args = split_top(&inner[..close], ',');
        // `Iterator<Item = T>`: the value after `=`.
        let arg = |i: usize| -> Option<&str> {
            let a = *args.get(i)?;
            Some(a.split_once('=').map_or(a, |(_, v)| v))
        };
        if WRAPPERS.contains(&name.as_str()) {
            return written(arg(0)?, depth + 1);
        }
        if SEQUENCES.contains(&name.as_str()) {
            return written(arg(0)?, depth + 1).map(|e| format!("{e}[]"));
        }
        if MAPS.contains(&name.as_str()) {
            return written(arg(args.len().checked_sub(1)?)?, depth + 1).map(|e| format!("{e}[]"));
        }
        return Some(name);
    }
    simple(t)
}

/// The last segment of a plain (package- or module-qualified) name.
fn simple(t: &str) -> Option<String> {
    let t = t.trim();
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    if t.is_empty()
        || !t
            .chars()
            .all(|c| word(c) || c == '.' || c == ':' || c == '\\')
    {
        return None;
    }
    let name = t.rsplit(['.', ':', '\\']).next()?;
    (name.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$'))
        .then(|| name.to_string())
}

/// The index in `s` of the `close` that ends a bracket opened just before `s`.
fn closing(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        if c == open || (c == '(' && open != '(') {
            depth += 1;
        } else if c == close || (c == ')' && close != ')') {
            if depth == 0 {
                return (c == close).then_some(i);
            }
            depth -= 1;
        }
    }
    None
}

/// `s` split at `sep` outside brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut from = 0;
    for (i, c) in s.char_indices() {
        match c {
            '<' | '[' | '(' | '{' => depth += 1,
            '>' | ']' | ')' | '}' => depth -= 1,
            _ if c == sep && depth == 0 => {
                out.push(&s[from..i]);
                from = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::written_type;

    #[test]
    fn a_written_type_names_what_its_values_reach() {
        let cases = [
            ("Item", Some("Item")),
            ("&mut Item", Some("Item")),
            ("&'a Item", Some("Item")),
            ("*pkg.Item", Some("Item")),
            ("Option<Item>", Some("Item")),
            ("Arc<Mutex<Item>>", Some("Item")),
            ("Promise<Item>", Some("Item")),
            ("Item | undefined", Some("Item")),
            ("\"Item\"", Some("Item")),
            ("Optional[Item]", Some("Item")),
            ("Store<T>", Some("Store")),
            ("core.Store<T>", Some("Store")),
            ("Vec<Item>", Some("Item[]")),
            ("&[Item]", Some("Item[]")),
            ("[Item; 4]", Some("Item[]")),
            ("[]*Item", Some("Item[]")),
            ("map[string]*pkg.Item", Some("Item[]")),
            ("list[Item]", Some("Item[]")),
            ("readonly Item[]", Some("Item[]")),
            ("Array<Item>", Some("Item[]")),
            ("impl Iterator<Item = Item>", Some("Item[]")),
            ("HashMap<String, Vec<Item>>", Some("Item[][]")),
            ("dict[str, Item]", Some("Item[]")),
            ("Result<Vec<Item>, Error>", Some("Item[]")),
            ("(A, B)", None),
            ("A | B", None),
            ("{ a: string }", None),
            ("() => void", None),
        ];
        for (text, want) in cases {
            assert_eq!(written_type(text).as_deref(), want, "{text}");
        }
    }
}
