//! Rust `use` trees read as the items they import.

/// The items a Rust `use` tree imports, each as (path, the name it goes by in the
/// file): `crate::a::{b::{deep}, c as d, self}` gives `crate::a::b::deep` (`deep`),
/// `crate::a::c` (`d`) and `crate::a` (`a`: `self` names the module the tree is
/// in); a glob's name is `*`.
fn leaves(tree: &str) -> Vec<(String, String)> {
    fn expand(prefix: &str, tree: &str, out: &mut Vec<(String, String)>, depth: usize) {
        let tree = tree.trim();
        if depth > 16 {
            return;
        }
        match tree.find('{') {
            None => {
                let (path, alias) = match tree.split_once(" as ") {
                    Some((p, a)) => (p.trim(), Some(a.trim())),
                    None => (tree, None),
                };
                let full = match (prefix.is_empty(), path) {
                    (true, "self") => String::new(),
                    (false, "self") => prefix.to_string(),
                    (true, p) => p.to_string(),
                    (false, p) => format!("{prefix}::{p}"),
                };
                if full.is_empty() {
                    return;
                }
                let name = alias
                    .unwrap_or_else(|| full.rsplit("::").next().unwrap_or(&full))
                    .to_string();
                out.push((full, name));
            }
            Some(open) => {
                let head = tree[..open].trim().trim_end_matches("::");
                let prefix = match (prefix.is_empty(), head.is_empty()) {
                    (_, true) => prefix.to_string(),
                    (true, false) => head.to_string(),
                    (false, false) => format!("{prefix}::{head}"),
                };
                let inner = tree[open + 1..]
                    .trim_end()
                    .strip_suffix('}')
                    .unwrap_or(&tree[open + 1..]);
                // Split at top-level commas.
                let (mut level, mut start) = (0usize, 0usize);
                for (i, ch) in inner.char_indices() {
                    match ch {
                        '{' => level += 1,
                        '}' => level = level.saturating_sub(1),
                        ',' if level == 0 => {
                            expand(&prefix, &inner[start..i], out, depth + 1);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                if !inner[start..].trim().is_empty() {
                    expand(&prefix, &inner[start..], out, depth + 1);
                }
            }
        }
    }
    let mut out = Vec::new();
    expand("", tree, &mut out, 0);
    out
}

/// The paths of the items a Rust `use` tree imports (see [`leaves`]; aliases dropped:
/// the path is what resolves).
pub fn rust_use_paths(tree: &str) -> Vec<String> {
    leaves(tree).into_iter().map(|(path, _)| path).collect()
}

/// The names a Rust `use` tree brings into the file (see [`leaves`]).
pub fn rust_use_names(tree: &str) -> Vec<String> {
    leaves(tree).into_iter().map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_use_tree_expands_to_its_paths_and_names() {
        assert_eq!(
            rust_use_paths("crate::a::{b::{deep}, c as d, self}"),
            ["crate::a::b::deep", "crate::a::c", "crate::a"]
        );
        assert_eq!(
            rust_use_names("crate::a::{b::{deep}, c as d, self}"),
            ["deep", "d", "a"]
        );
        assert_eq!(
            rust_use_paths("std::collections::HashMap"),
            ["std::collections::HashMap"]
        );
        assert_eq!(rust_use_names("crate::util::*"), ["*"]);
    }
}
