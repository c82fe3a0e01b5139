//! Stable symbol IDs.

use cartograph_grammars::Language;

fn quote(part: &str) -> String {
    if part.is_empty() || part.contains([' ', '`']) {
        format!("`{}`", part.replace('`', "``"))
    } else {
        part.to_string()
    }
}

/// The stable ID of a symbol: `<lang> <service> <path in service> <descriptor>`,
/// e.g. `go cartservice main.go cartService#GetCart().`. Parts containing spaces are
/// quoted with backticks. It depends only on the service, the file path, the
/// container chain, the kind and the order of same-named definitions, so it
/// survives re-indexing.
pub fn symbol_id(
    language: Language,
    service: &str,
    service_path: &str,
    file_path: &str,
    descriptor: &str,
) -> String {
    let rel = if service_path.is_empty() {
        file_path
    } else {
        file_path
            .strip_prefix(service_path)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(file_path)
    };
    format!(
        "{} {} {} {}",
        language.name(),
        quote(service),
        quote(rel),
        descriptor
    )
}

/// Splits an ID into its four parts (language, service, path in service, descriptor),
/// or `None` if it is not shaped like one.
pub fn split_symbol_id(id: &str) -> Option<(String, String, String, String)> {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = id;
    for _ in 0..3 {
        rest = rest.trim_start_matches(' ');
        if let Some(stripped) = rest.strip_prefix('`') {
            let mut out = String::new();
            let mut chars = stripped.char_indices().peekable();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                if c == '`' {
                    if chars.peek().map(|(_, n)| *n) == Some('`') {
                        out.push('`');
                        chars.next();
                    } else {
                        end = Some(i + 1);
                        break;
                    }
                } else {
                    out.push(c);
                }
            }
            parts.push(out);
            rest = &stripped[end?..];
        } else {
            let cut = rest.find(' ')?;
            parts.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
    }
    let descriptor = rest.trim_start_matches(' ');
    if descriptor.is_empty() || Language::from_name(&parts[0]).is_none() {
        return None;
    }
    Some((
        parts.remove(0),
        parts.remove(0),
        parts.remove(0),
        descriptor.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = symbol_id(
            Language::Go,
            "cartservice",
            "src/cartservice",
            "src/cartservice/main.go",
            "cartService#GetCart().",
        );
        assert_eq!(id, "go cartservice main.go cartService#GetCart().");
        let parts = split_symbol_id(&id).unwrap();
        assert_eq!(parts.2, "main.go");
        let spaced = symbol_id(Language::Python, "root", "", "my dir/a b.py", "f().");
        assert_eq!(spaced, "python root `my dir/a b.py` f().");
        assert_eq!(split_symbol_id(&spaced).unwrap().2, "my dir/a b.py");
        assert!(split_symbol_id("not an id").is_none());
    }
}
