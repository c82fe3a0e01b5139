//! Rust's conditional compilation as the default build on a Linux x86-64 host sees
//! it: `#[cfg(windows)] use winapi::x;` beside `#[cfg(unix)] use libc::x;`, or
//! `#[cfg(test_with_node)] use node::req;` beside `use crate::util::*;`. An import
//! under a condition that does not hold there is left out when another import of the
//! file gives the same name (a glob import may give any): the name is the other's.
//!
//! Conditions are three-valued: the host's target (`unix`, `target_os = "linux"`,
//! `target_pointer_width = "64"`, …), `test` and `debug_assertions` hold; other
//! targets, `doc`, `docsrs`, `miri` do not; a bare name of the project's own
//! (`no_track_caller`, set by a build script for old compilers, or by hand) does
//! not; features and other `key = "value"` pairs are unknown, and so is everything
//! built from an unknown.

use tree_sitter::Node;

use crate::facts::{FileFacts, Import};
use crate::use_tree::rust_use_names;

/// Whether a `cfg` predicate (the text inside `cfg(...)`) holds on the default
/// host build; `None` when it cannot be told.
pub(crate) fn holds(predicate: &str) -> Option<bool> {
    holds_at(predicate.trim(), 0)
}

fn holds_at(p: &str, depth: usize) -> Option<bool> {
    if depth > 16 {
        return None;
    }
    if let Some((head, inner)) = call(p) {
        let parts = split_top(inner);
        return match head {
            "not" => match parts.as_slice() {
                [one] => holds_at(one, depth + 1).map(|b| !b),
                _ => None,
            },
            // `all` is decided by one that does not hold, `any` by one that does.
            "all" | "any" => {
                let deciding = head == "any";
                let values: Vec<Option<bool>> =
                    parts.iter().map(|x| holds_at(x, depth + 1)).collect();
                if values.contains(&Some(deciding)) {
                    Some(deciding)
                } else if values.iter().all(|v| *v == Some(!deciding)) {
                    Some(!deciding)
                } else {
                    None
                }
            }
            _ => None,
        };
    }
    if let Some((key, value)) = p.split_once('=') {
        let value = value.trim().trim_matches('"');
        let host = match key.trim() {
            "target_os" => "linux",
            "target_family" => "unix",
            "target_pointer_width" => "64",
            "target_arch" => "x86_64",
            "target_endian" => "little",
            "target_env" => "gnu",
            "target_vendor" => "unknown",
            "panic" => "unwind",
            _ => return None,
        };
        return Some(value == host);
    }
    let name = p.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    match name {
        "unix" | "test" | "debug_assertions" => Some(true),
        "windows" | "doc" | "docsrs" | "doctest" | "miri" => Some(false),
        // Set only when compiling a procedural-macro crate.
        "proc_macro" => None,
        _ => Some(false),
    }
}

/// `head(inner)` split into `head` and `inner`.
fn call(p: &str) -> Option<(&str, &str)> {
    let open = p.find('(')?;
    let head = p[..open].trim();
    let inner = p[open + 1..].trim_end().strip_suffix(')')?;
    (!head.is_empty() && head.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then_some((head, inner))
}

/// `inner` split at its top-level commas (empty parts dropped).
fn split_top(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut level, mut start, mut quoted) = (0usize, 0usize, false);
    for (i, ch) in inner.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '(' if !quoted => level += 1,
            ')' if !quoted => level = level.saturating_sub(1),
            ',' if level == 0 && !quoted => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&inner[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The predicate of a `#[cfg(..)]` or `#![cfg(..)]` attribute.
fn cfg_predicate(attribute: &str) -> Option<&str> {
    attribute
        .strip_prefix("#!")
        .or_else(|| attribute.strip_prefix('#'))?
        .trim_start()
        .strip_prefix('[')?
        .trim_end()
        .strip_suffix(']')?
        .trim()
        .strip_prefix("cfg")?
        .trim_start()
        .strip_prefix('(')?
        .trim_end()
        .strip_suffix(')')
}

/// The byte ranges of the items whose `#[cfg(..)]` does not hold on the default
/// host build (the whole file for a `#![cfg(..)]` that does not).
fn inactive_items(root: Node<'_>, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut c = root.walk();
    let file_off = root
        .named_children(&mut c)
        .filter(|n| n.kind() == "inner_attribute_item")
        .filter_map(|n| cfg_predicate(n.utf8_text(text.as_bytes()).ok()?))
        .any(|p| holds(p) == Some(false));
    if file_off {
        out.push((root.start_byte(), root.end_byte()));
    }
    let mut stack = vec![root];
    let mut visited = 0usize;
    while let Some(n) = stack.pop() {
        visited += 1;
        if visited > 500_000 {
            break;
        }
        // Items sit in the file, in `mod { }` blocks and in function bodies.
        let mut c = n.walk();
        let children: Vec<Node<'_>> = n.named_children(&mut c).collect();
        let mut inactive = false;
        for child in children {
            match child.kind() {
                "attribute_item" => {
                    let written = child.utf8_text(text.as_bytes()).unwrap_or("");
                    if cfg_predicate(written).and_then(holds) == Some(false) {
                        inactive = true;
                    }
                }
                "line_comment" | "block_comment" | "inner_attribute_item" => {}
                kind => {
                    if inactive {
                        out.push((child.start_byte(), child.end_byte()));
                    }
                    inactive = false;
                    if matches!(
                        kind,
                        "mod_item" | "declaration_list" | "function_item" | "block"
                    ) {
                        stack.push(child);
                    }
                }
            }
        }
    }
    out
}

/// Drops the imports under a condition that does not hold when every name they
/// bring in is also given by another import of the file (or a glob import is
/// there): see the module's documentation.
fn drop_inactive_imports(imports: &mut Vec<Import>, inactive: &[(usize, usize)]) {
    let is_inactive = |i: &Import| {
        let at = i.span.start_byte as usize;
        inactive.iter().any(|(s, e)| *s <= at && at < *e)
    };
    let active: Vec<String> = imports
        .iter()
        .filter(|i| !is_inactive(i))
        .flat_map(|i| rust_use_names(&i.module))
        .collect();
    let glob = active.iter().any(|n| n == "*");
    let keep: Vec<bool> = imports
        .iter()
        .map(|i| {
            !is_inactive(i)
                || !(glob || rust_use_names(&i.module).iter().all(|n| active.contains(n)))
        })
        .collect();
    let mut k = keep.into_iter();
    imports.retain(|_| k.next().unwrap_or(true));
}

/// Applies the file's conditions to its facts: imports that give way (see
/// [`drop_inactive_imports`]) are dropped, and the symbols defined under a
/// condition that does not hold are listed in [`FileFacts::inactive`].
pub(crate) fn apply(facts: &mut FileFacts, root: Node<'_>, text: &str) {
    let inactive = inactive_items(root, text);
    if inactive.is_empty() {
        return;
    }
    drop_inactive_imports(&mut facts.imports, &inactive);
    let symbols = facts.symbols.iter().enumerate().filter(|(_, s)| {
        let at = s.span.start_byte as usize;
        inactive.iter().any(|(b, e)| *b <= at && at < *e)
    });
    facts.inactive.extend(symbols.map(|(i, _)| i as u32));
    facts.inactive.sort_unstable();
    facts.inactive.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_hold_as_on_a_linux_host() {
        assert_eq!(holds("unix"), Some(true));
        assert_eq!(holds("windows"), Some(false));
        assert_eq!(holds("not(windows)"), Some(true));
        assert_eq!(holds("target_os = \"macos\""), Some(false));
        assert_eq!(
            holds("all(unix, target_pointer_width = \"64\")"),
            Some(true)
        );
        assert_eq!(holds("feature = \"std\""), None);
        assert_eq!(
            holds("any(feature = \"std\", not(no_core_error))"),
            Some(true)
        );
        assert_eq!(holds("all(feature = \"std\", no_core_error)"), Some(false));
        assert_eq!(holds("all(feature = \"std\", unix)"), None);
        assert_eq!(holds("test_with_node"), Some(false));
        assert_eq!(holds("fast_arithmetic = \"64\""), None);
    }

    fn modules(text: &str) -> Vec<String> {
        crate::extract::extract(crate::Language::Rust, text)
            .imports
            .into_iter()
            .map(|i| i.module)
            .collect()
    }

    #[test]
    fn an_import_that_does_not_hold_gives_way_to_one_that_does() {
        let text = "#[cfg(windows)]\nuse win::{open, close};\n#[cfg(unix)]\nuse posix::{open, close};\n#[cfg(with_node)]\nuse node::req;\nuse crate::util::*;\n#[cfg(windows)]\nuse win::only_here;\n\nfn f() {\n    #[cfg(target_os = \"macos\")]\n    use mac::open;\n}\n";
        assert_eq!(
            modules(text),
            vec![
                "posix::{open, close}".to_string(),
                "crate::util::*".to_string(),
            ]
        );
        // Without a glob, a name no other import gives keeps its only import.
        let text = "#[cfg(windows)]\nuse win::only_here;\nuse std::fs;\n";
        assert_eq!(
            modules(text),
            vec!["win::only_here".to_string(), "std::fs".to_string()]
        );
    }
}
