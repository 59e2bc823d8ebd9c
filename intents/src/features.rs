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
//! The lexicon syntax also has `"*efun*"` (anywhere inside a word): training
//! adds such pieces only when asked ([`Shapes`], `xiaoer train --features
//! pieces`).
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

/// Feature shapes beyond the default ones, which training may add: pieces
/// of English words found by the automaton, written `"*efun*"` (anywhere in
/// a word) and `"*und"` (a word's ending). Lengths are in letters, `(0, 0)`
/// for none. They do not count in [`count`]: the `text` scale stays the
/// default features' number, so a model that has them needs nothing new to
/// be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shapes {
    /// Letters of a piece anywhere inside a word: `(min, max)`.
    pub pieces: (usize, usize),
    /// Letters of a word's ending: `(min, max)`.
    pub endings: (usize, usize),
}

impl Shapes {
    /// Pieces of 3 to 5 letters from inside words (`xiaoer train
    /// --features pieces`): 10-fold cross-validation (5 repeats) of Bitext's
    /// train split made 52 errors with them, 65 without; CLINC150's val
    /// split scored 92.93 % with them, 93.60 % without. So they are not the
    /// default.
    pub const PIECES: Shapes = Shapes {
        pieces: (3, 5),
        endings: (0, 0),
    };
}

/// The distinct features of a normalised message, in the pattern syntax.
pub fn extract(normalized: &str) -> Vec<String> {
    extract_with(normalized, &Shapes::default())
}

/// [`extract`] with extra shapes.
pub fn extract_with(normalized: &str, shapes: &Shapes) -> Vec<String> {
    let mut out = extract_all(normalized);
    extra(normalized, shapes, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The pieces and endings of [`Shapes`]: letters only, from the words
/// (maximal runs of ASCII letters and digits) as the automaton finds them.
fn extra(normalized: &str, shapes: &Shapes, out: &mut Vec<String>) {
    if shapes.pieces.1 == 0 && shapes.endings.1 == 0 {
        return;
    }
    let bytes = normalized.as_bytes();
    let mut j = 0;
    while j < bytes.len() {
        if !bytes[j].is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        let s = j;
        while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
            j += 1;
        }
        let word = &normalized[s..j];
        // Pieces of the runs of letters: the automaton finds them in
        // "iphone15refund" too.
        let (lo, hi) = shapes.pieces;
        for run in word.split(|c: char| c.is_ascii_digit()) {
            for n in lo.max(1)..=hi.min(run.len()) {
                for k in 0..=run.len() - n {
                    out.push(format!("*{}*", &run[k..k + n]));
                }
            }
        }
        let (lo, hi) = shapes.endings;
        let letters = word.len()
            - word
                .rfind(|c: char| c.is_ascii_digit())
                .map_or(0, |d| d + 1);
        for n in lo.max(1)..=hi.min(letters) {
            out.push(format!("*{}", &word[word.len() - n..]));
        }
    }
}

/// How many features [`extract`] lists before removing repeats, counted
/// without building them: the size of the message that a head with
/// `scale = "text"` normalises by. Features no model knows count too, so a
/// model can drop weightless features without changing any score.
pub fn count(normalized: &str) -> usize {
    let bytes = normalized.as_bytes();
    let mut words = WordCount::default();
    let mut j = 0;
    while j < bytes.len() {
        if !bytes[j].is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        let s = j;
        let mut first_digit = usize::MAX;
        while j < bytes.len() && bytes[j].is_ascii_alphanumeric() {
            if first_digit == usize::MAX && bytes[j].is_ascii_digit() {
                first_digit = j - s;
            }
            j += 1;
        }
        words.run(bytes, s, j, first_digit);
    }
    cjk_count(normalized) + words.n
}

/// The Chinese part of [`count`]: the n-grams of the CJK runs.
pub(crate) fn cjk_count(normalized: &str) -> usize {
    // (ASCII text, most messages, has no CJK run to look for.)
    if normalized.is_ascii() {
        return 0;
    }
    let mut n = 0;
    // CJK runs, in characters.
    let mut run = 0usize;
    let close = |run: &mut usize, n: &mut usize| {
        for k in 1..=CJK_MAX {
            *n += (*run + 1).saturating_sub(k);
        }
        *run = 0;
    };
    for c in normalized.chars() {
        if is_cjk(c) {
            run += 1;
        } else if run > 0 {
            close(&mut run, &mut n);
        }
    }
    close(&mut run, &mut n);
    n
}

/// The English part of [`count`], word by word: the word, the pair with
/// the word before, its beginnings. Shared with [`crate::words`], which
/// reads the same words to look them up.
#[derive(Default)]
pub(crate) struct WordCount {
    /// Features so far.
    pub(crate) n: usize,
    /// The end of the previous usable word.
    previous: Option<usize>,
}

impl WordCount {
    /// Counts the word `bytes[start..end]` (a maximal run of ASCII letters
    /// and digits) whose first digit is at `first_digit` (`usize::MAX`
    /// for none).
    pub(crate) fn run(&mut self, bytes: &[u8], start: usize, end: usize, first_digit: usize) {
        let len = end - start;
        let usable = first_digit == usize::MAX || len <= MAX_NUMBER;
        if usable {
            self.n += 1;
            if self
                .previous
                .is_some_and(|e| e + 1 == start && bytes[e] == b' ')
            {
                self.n += 1;
            }
        }
        self.previous = usable.then_some(end);
        // Beginnings of SUB_MIN..=SUB_MAX characters before the first digit.
        let top = SUB_MAX.min(len).min(first_digit);
        self.n += (top + 1).saturating_sub(SUB_MIN);
    }
}

/// Every feature of a normalised message, repeats included.
fn extract_all(normalized: &str) -> Vec<String> {
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
    // third of the speed: they are added only on request, see `extra`.)
    for &(s, e) in &words {
        let word = &normalized[s..e];
        for n in SUB_MIN..=SUB_MAX.min(word.len()) {
            let gram = &word[..n];
            if !gram.bytes().any(|b| b.is_ascii_digit()) {
                out.push(format!("{gram}*"));
            }
        }
    }
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
    fn count_is_the_number_of_features_before_repeats_go() {
        for text in [
            "",
            "退款了 吗",
            "my refund, please",
            "order e20261111000123 12315 iphone15 ab a",
            "no no no  退款退款 refund退款 x1y2z3 abcdef1",
            "a b c d",
            "不是要退款,是想换货 dont cancel",
        ] {
            let n = crate::normalize(text);
            assert_eq!(count(&n), extract_all(&n).len(), "{text}");
        }
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
