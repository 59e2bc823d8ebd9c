//! Text normalisation: the one canonical form keywords and messages meet in.

use unicode_normalization::UnicodeNormalization;

/// Normalises a message or keyword for matching.
///
/// NFKC (full-width letters, digits and punctuation become ASCII), lower case,
/// traditional Chinese folded to simplified, zero-width and control characters
/// and apostrophes removed, runs of whitespace collapsed to one space, ends trimmed.
/// The function is idempotent: `normalize(&normalize(s)) == normalize(s)`.
///
/// ```
/// assert_eq!(intents::normalize("  ＨＥＬＬＯ\u{200b}　退貨  "), "hello 退货");
/// ```
pub fn normalize(text: &str) -> String {
    normalize_detect(text).0
}

/// [`normalize`], also telling whether traditional → simplified folding
/// changed any character (the message was written in traditional script).
pub(crate) fn normalize_detect(text: &str) -> (String, bool) {
    if text.is_ascii() {
        // Fast path: NFKC and the script folding are the identity on ASCII.
        return (clean_ascii(text), false);
    }
    // Invisible characters go before NFKC so that what they separated
    // composes now rather than on a second pass.
    let folded: String = text
        .chars()
        .filter(|&c| !is_dropped(c))
        .nfkc()
        .flat_map(char::to_lowercase)
        .collect();
    let simplified = fast2s::convert(&folded);
    let traditional = simplified != folded;
    // NFKC after lower-casing and folding keeps the result a fixed point;
    // if that produced a dropped character (a full-width apostrophe), drop
    // it and compose again.
    let (mut out, mut dropped) = clean(simplified.nfkc());
    while dropped {
        (out, dropped) = clean(out.nfkc());
    }
    (out, traditional)
}

/// Drops invisible characters and apostrophes, collapses whitespace into
/// single spaces and trims; also says whether anything was dropped.
fn clean(chars: impl Iterator<Item = char>) -> (String, bool) {
    let mut out = String::new();
    let mut pending_space = false;
    let mut dropped = false;
    for c in chars {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else if is_dropped(c) {
            dropped = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    (out, dropped)
}

/// [`clean`] of lower-cased ASCII text, byte by byte: most messages are
/// ASCII, and this runs on every one. Bytes go to a `Vec<u8>` (a `char`
/// pushed to a `String` is encoded first), checked as UTF-8 once at the end.
fn clean_ascii(text: &str) -> String {
    // Most messages have nothing to drop or collapse: no control character
    // (ASCII whitespace other than ' ' is one), no apostrophe, no space at
    // either end nor two in a row. Then the answer is the lower case,
    // decided in two passes without a branch per byte.
    let bytes = text.as_bytes();
    let dropped = bytes
        .iter()
        .fold(false, |any, &b| any | b.is_ascii_control() | (b == b'\''));
    let doubled = bytes
        .iter()
        .zip(bytes.iter().skip(1))
        .fold(false, |any, (&a, &b)| any | ((a == b' ') & (b == b' ')));
    if !dropped && !doubled && bytes.first() != Some(&b' ') && bytes.last() != Some(&b' ') {
        return text.to_ascii_lowercase();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for &b in text.as_bytes() {
        // `char::is_whitespace` and `is_dropped` restricted to ASCII.
        if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            pending_space = !out.is_empty();
        } else if b.is_ascii_control() || b == b'\'' {
            continue;
        } else {
            if pending_space {
                out.push(b' ');
                pending_space = false;
            }
            out.push(b.to_ascii_lowercase());
        }
    }
    String::from_utf8(out).expect("ASCII bytes in, ASCII bytes out")
}

fn is_dropped(c: char) -> bool {
    !c.is_whitespace() && (is_invisible(c) || is_apostrophe(c))
}

/// Apostrophes are dropped so "don't", "dont" and "don’t" meet.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}')
}

/// Control, zero-width, bidi and variation-selector characters.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_width_becomes_ascii() {
        assert_eq!(normalize("ＳＦ１２３　ＯＫ！"), "sf123 ok!");
    }

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(
            normalize("我要退貨,退款什麼時候到賬"),
            "我要退货,退款什么时候到账"
        );
        assert!(normalize_detect("訂單到哪了").1);
        assert!(!normalize_detect("订单到哪了").1);
    }

    #[test]
    fn invisible_characters_go_whitespace_collapses() {
        assert_eq!(
            normalize("退\u{200b}款\u{feff}  \t\n 吗\u{0007}"),
            "退款 吗"
        );
        assert_eq!(normalize("\u{200d}\u{fe0f}"), "");
    }

    #[test]
    fn ascii_fast_path_lowercases() {
        assert_eq!(
            normalize("  Where IS my   Package?? "),
            "where is my package??"
        );
        assert_eq!(normalize("Don’t CAN'T"), "dont cant");
    }

    #[test]
    fn dropping_an_apostrophe_does_not_break_idempotence() {
        // Found by proptest: the apostrophe separated a spacing mark from a
        // combining one; once dropped they compose differently.
        for s in ["᾿'\u{f71}", "e\u{ff07}\u{301}"] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }

    #[test]
    fn ascii_path_cleans_like_the_general_one() {
        for s in [
            "\u{7}a\u{1f}B\u{7f}c ' d\u{b}\u{c}\u{1c}e",
            " \t\n\r\u{b}\u{c} ",
            "It's  OK\r\n",
        ] {
            assert_eq!(
                clean_ascii(s),
                clean(s.chars().map(|c| c.to_ascii_lowercase())).0,
                "{s:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn ascii_path_agrees(s in "[\\x00-\\x7f]{0,40}") {
            prop_assert_eq!(clean_ascii(&s), clean(s.chars().map(|c| c.to_ascii_lowercase())).0);
        }


        #[test]
        fn ascii_path_agrees_on_plain_text(s in "[a-zA-Z0-9 ?!.,']{0,40}") {
            prop_assert_eq!(clean_ascii(&s), clean(s.chars().map(|c| c.to_ascii_lowercase())).0);
        }

        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn idempotent_on_shop_text(s in "[ａ-ｚＡ-Ｚ０-９訂單退貨款發票們這個麼吗在 !！?？\u{200b}\u{3000}a-zA-Z0-9]{0,30}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }
    }
}
