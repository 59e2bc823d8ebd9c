//! Learned features: which automaton patterns a message contains.
//!
//! The features a model learns are written as keyword patterns, so the one
//! automaton of the [`crate::Matcher`] finds them with the hand keywords:
//!
//! - Chinese: character 1- to 3-grams inside runs of CJK characters
//!   (`"退"`, `"退款"`, `"退款了"`), matched anywhere.
//! - English: whole words and word pairs (`"refund"`, `"my order"`, two
//!   words one space apart), and the first 3 to 5 characters of words,
//!   written `"ref*"`, `"refu*"`, `"refun*"` (they absorb inflections and
//!   typos at the end of a word).
//!
//! The lexicon syntax also has `"*efun*"` (anywhere inside a word), which
//! hand-written or other models may use.
//!
//! [`extract`] lists the features of a normalised message exactly as the
//! automaton would find them, so that training sees what classifying sees.

use crate::lang::is_cjk;

/// Longest CJK n-gram.
const CJK_MAX: usize = 3;
/// Word beginnings of English words, in this range of lengths.
const SUB_MIN: usize = 3;
const SUB_MAX: usize = 5;
/// Words with digits longer than this are ids, not features.
const MAX_NUMBER: usize = 5;

/// The distinct features of a normalised message, in the pattern syntax.
pub fn extract(normalized: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = normalized.char_indices().collect();
    // CJK runs.
    let mut i = 0;
    while i < chars.len() {
        if !is_cjk(chars[i].1) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_cjk(chars[i].1) {
            i += 1;
        }
        let run: Vec<char> = chars[start..i].iter().map(|&(_, c)| c).collect();
        for n in 1..=CJK_MAX {
            for gram in run.windows(n) {
                out.push(gram.iter().collect());
            }
        }
    }
    // ASCII words: maximal runs of letters and digits.
    let bytes = normalized.as_bytes();
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut j = 0;
    while j < bytes.len() {
        if bytes[j].is_ascii_alphanumeric() {
            let s = j;
            while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
                j += 1;
            }
            words.push((s, j));
        } else {
            j += 1;
        }
    }
    let usable = |&(s, e): &(usize, usize)| {
        let w = &bytes[s..e];
        !w.iter().any(u8::is_ascii_digit) || w.len() <= MAX_NUMBER
    };
    for (k, &(s, e)) in words.iter().enumerate() {
        if !usable(&(s, e)) {
            continue;
        }
        out.push(normalized[s..e].to_string());
        if let Some(&(s2, e2)) = words.get(k + 1) {
            if s2 == e + 1 && bytes[e] == b' ' && usable(&(s2, e2)) {
                out.push(normalized[s..e2].to_string());
            }
        }
    }
    // Beginnings of every word, digits excepted: the automaton finds them at
    // the start of any word, "iphone15" included. (Pieces from inside words,
    // `"*efun*"`, scored lower on CLINC150's validation split and cost a
    // third of the speed: the trainer does not emit them.)
    for &(s, e) in &words {
        let word = &normalized[s..e];
        for n in SUB_MIN..=SUB_MAX.min(word.len()) {
            let gram = &word[..n];
            if !gram.bytes().any(|b| b.is_ascii_digit()) {
                out.push(format!("{gram}*"));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_character_ngrams() {
        let f = extract("退款了 吗");
        for g in ["退", "退款", "退款了", "款了", "吗"] {
            assert!(f.contains(&g.to_string()), "{g} in {f:?}");
        }
        assert!(!f.contains(&"了 吗".to_string()));
    }

    #[test]
    fn english_words_pairs_and_pieces() {
        let f = extract("my refund, please");
        for g in [
            "my",
            "refund",
            "my refund",
            "ref*",
            "refu*",
            "refun*",
            "please",
            "pleas*",
        ] {
            assert!(f.contains(&g.to_string()), "{g} in {f:?}");
        }
        assert!(
            !f.contains(&"refund please".to_string()),
            "a comma breaks a pair"
        );
        assert!(!f.contains(&"efu*".to_string()));
        let ids = extract("order e20261111000123 12315");
        assert!(ids.contains(&"12315".to_string()));
        assert!(!ids.iter().any(|g| g.contains("2026")), "{ids:?}");
    }
}
