//! Language and script of a message.

use crate::{Lang, Script};

/// Whether `c` is a CJK ideograph (the unified blocks and their extensions).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{3134F}')
}

/// Decides the language of normalised text.
///
/// Chinese when it has CJK ideographs and at least as many of them as Latin
/// words: "hello 客服在吗" is Chinese, "I bought 耳机 but it broke" is
/// English. Ids, tracking numbers and other tokens with digits are not words.
/// Text with neither (digits, emoji) is English, the neutral default: a
/// caller with a language of its own to keep asks [`has_words`] first.
pub(crate) fn detect(normalized: &str) -> Lang {
    if normalized.is_ascii() {
        // No ideograph: English whatever the words.
        return Lang::En;
    }
    let (cjk, words) = count(normalized);
    if cjk > 0 && cjk >= words {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// Whether normalised text has words of some language: an ideograph, or a
/// Latin word of two letters or more without digits. Order ids, tracking
/// numbers, amounts, emoji and punctuation alone say nothing about the
/// language the shopper speaks.
pub(crate) fn has_words(normalized: &str) -> bool {
    let (cjk, words) = count(normalized);
    cjk > 0 || words > 0
}

/// CJK ideographs and Latin words (as [`detect`] counts them) in `normalized`.
fn count(normalized: &str) -> (usize, usize) {
    let mut cjk = 0usize;
    let mut words = 0usize;
    let mut in_word = false;
    let mut word_has_digit = false;
    let mut word_len = 0usize;
    for c in normalized.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '\'' {
            in_word = true;
            word_len += 1;
            word_has_digit |= c.is_ascii_digit();
            continue;
        }
        if in_word {
            if !word_has_digit && word_len >= 2 {
                words += 1;
            }
            in_word = false;
            word_has_digit = false;
            word_len = 0;
        }
        if is_cjk(c) {
            cjk += 1;
        }
    }
    (cjk, words)
}

/// The script to answer in: Latin for English, otherwise traditional when
/// folding changed something in the message.
pub(crate) fn script(lang: Lang, traditional: bool) -> Script {
    match (lang, traditional) {
        (Lang::En, _) => Script::Latin,
        (Lang::Zh, true) => Script::Traditional,
        (Lang::Zh, false) => Script::Simplified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;

    #[test]
    fn languages() {
        assert_eq!(detect(&normalize("hello 客服在吗")), Lang::Zh);
        assert_eq!(detect(&normalize("在吗")), Lang::Zh);
        assert_eq!(detect(&normalize("ok 谢谢")), Lang::Zh);
        assert_eq!(detect(&normalize("E20261111000123 到哪了")), Lang::Zh);
        assert_eq!(detect(&normalize("where is my package")), Lang::En);
        assert_eq!(detect(&normalize("I bought 耳机 but it broke")), Lang::En);
        assert_eq!(detect(&normalize("E20261111000123")), Lang::En);
    }

    #[test]
    fn words() {
        for text in [
            "E20261111000123",
            "SF1402839475820",
            "12345",
            "👍",
            "?!",
            "¥89.5",
            "a",
        ] {
            assert!(!has_words(&normalize(text)), "{text}");
        }
        for text in [
            "在吗",
            "ok",
            "where is E20261111000123",
            "E20261111000123 到哪了",
        ] {
            assert!(has_words(&normalize(text)), "{text}");
        }
    }

    #[test]
    fn scripts() {
        assert_eq!(script(Lang::Zh, true), Script::Traditional);
        assert_eq!(script(Lang::Zh, false), Script::Simplified);
        assert_eq!(script(Lang::En, true), Script::Latin);
    }
}
