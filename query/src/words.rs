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

thread_local! {
    static STEMMER: std::cell::RefCell<tantivy::tokenizer::TextAnalyzer> = std::cell::RefCell::new(
        tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::Stemmer::new(tantivy::tokenizer::Language::English))
            .build(),
    );
}

/// The English stems of the words of `text` (split as [`split_words`] does):
/// `Converts between currencies` gives `convert`, `between`, `currenc`.
pub fn stems(text: &str) -> Vec<String> {
    let words = split_words(text).join(" ");
    STEMMER.with(|analyzer| {
        let mut out = Vec::new();
        let mut analyzer = analyzer.borrow_mut();
        let mut stream = analyzer.token_stream(&words);
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    })
}

/// The part of a stem other forms of the word share (`convers` of `conversion`
/// and `convert`): the stem less its last letter, for stems of six letters or more.
pub fn stem_root(stem: &str) -> Option<String> {
    let count = stem.chars().count();
    (count >= 6).then(|| stem.chars().take(count - 1).collect())
}

#[cfg(test)]
mod tests {
    use super::split_words;

    #[test]
    fn stems_join_forms_of_a_word() {
        assert_eq!(
            super::stems("Converts between currencies"),
            ["convert", "between", "currenc"]
        );
        assert_eq!(super::stems("currency conversion"), ["currenc", "convers"]);
        assert_eq!(super::stem_root("convers").as_deref(), Some("conver"));
        assert_eq!(super::stem_root("order"), None);
    }

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
