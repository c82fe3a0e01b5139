//! Code-aware word splitting: `getCartItems`, `get_cart_items` and `GetCartItems`
//! all become `get cart items`.

/// Splits identifiers and text into lowercase words at non-alphanumeric characters,
/// lower→upper case changes, acronym ends (`HTTPServer` → `http server`) and
/// letter/digit changes.
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in text.split(|c: char| !c.is_alphanumeric()) {
        if chunk.is_empty() {
            continue;
        }
        let chars: Vec<char> = chunk.chars().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1], chars[i]);
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower)
                || (prev.is_alphabetic() && cur.is_ascii_digit())
                || (prev.is_ascii_digit() && cur.is_alphabetic());
            if boundary {
                words.push(chars[start..i].iter().collect::<String>().to_lowercase());
                start = i;
            }
        }
        words.push(chars[start..].iter().collect::<String>().to_lowercase());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn splits_code_identifiers() {
        assert_eq!(split_words("getCartItems"), ["get", "cart", "items"]);
        assert_eq!(split_words("get_cart_items"), ["get", "cart", "items"]);
        assert_eq!(split_words("GetCartItems"), ["get", "cart", "items"]);
        assert_eq!(split_words("HTTPServer2x"), ["http", "server", "2", "x"]);
        assert_eq!(
            split_words("src/cart-service/main.go"),
            ["src", "cart", "service", "main", "go"]
        );
    }
}
