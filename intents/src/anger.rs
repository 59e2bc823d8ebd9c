//! Anger cues that are not words: punctuation, capitals, repetition.
//!
//! The lexical cues (投诉, 骗子, scam, 😡) live in the keyword automaton of
//! [`crate::Matcher`]; this module adds how the message is written.

use crate::spec::AngerSpec;

/// Intensity of writing: runs of `!`/`?`, ALL-CAPS words, phrases said three
/// times in a row. Returns a raw score to add to the lexical anger score.
pub(crate) fn intensity(text: &str, normalized: &str, spec: &AngerSpec) -> f32 {
    let (bangs, questions) = punctuation_runs(normalized);
    let bangs = bangs.min(spec.max_punct_runs);
    let questions = questions.min(spec.max_punct_runs.saturating_sub(bangs));
    let caps = caps_words(text).min(3);
    let mut score = bangs as f32 * spec.exclamation
        + questions as f32 * spec.question
        + caps as f32 * spec.caps_word;
    if repeats_thrice(normalized) {
        score += spec.repetition;
    }
    score
}

/// Runs of two or more `!`/`?` (normalisation made full-width ones ASCII):
/// (runs with a `!`, runs of `?` only).
fn punctuation_runs(normalized: &str) -> (usize, usize) {
    let (mut bangs, mut questions) = (0, 0);
    let (mut len, mut has_bang) = (0, false);
    for b in normalized.bytes().chain(std::iter::once(b' ')) {
        if b == b'!' || b == b'?' {
            len += 1;
            has_bang |= b == b'!';
        } else {
            if len >= 2 && has_bang {
                bangs += 1;
            } else if len >= 2 {
                questions += 1;
            }
            len = 0;
            has_bang = false;
        }
    }
    (bangs, questions)
}

/// English words of three or more letters, all capitals ("WHERE", "NOW"),
/// counted in the message as written. Tokens with digits (ids) do not count.
fn caps_words(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && w.bytes().all(|b| b.is_ascii_uppercase()))
        .count()
}

/// A phrase of 2–4 characters (not digits or punctuation) repeated three
/// times in a row: "人工人工人工", "快点快点快点".
fn repeats_thrice(normalized: &str) -> bool {
    let chars: Vec<char> = normalized.chars().filter(|c| !c.is_whitespace()).collect();
    for period in 2..=4 {
        if chars.len() < period * 3 {
            break;
        }
        for i in 0..=chars.len() - period * 3 {
            let unit = &chars[i..i + period];
            // Cheap comparisons first; the Unicode class lookup is slow.
            if unit == &chars[i + period..i + 2 * period]
                && unit == &chars[i + 2 * period..i + 3 * period]
                && unit.iter().any(|c| *c != unit[0])
                && unit.iter().all(|c| c.is_alphabetic())
            {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation() {
        assert_eq!(punctuation_runs("到底什么时候发货!!!"), (1, 0));
        assert_eq!(punctuation_runs("why?? seriously!!"), (1, 1));
        assert_eq!(punctuation_runs("在吗?"), (0, 0));
    }

    #[test]
    fn capitals() {
        assert_eq!(caps_words("WHERE IS MY ORDER E20261111000123"), 2);
        assert_eq!(caps_words("I am in HK"), 0);
    }

    #[test]
    fn repetition() {
        assert!(repeats_thrice("人工人工人工"));
        assert!(repeats_thrice("快点 快点 快点"));
        assert!(!repeats_thrice("在吗在吗"));
        assert!(!repeats_thrice("哈哈哈哈哈哈"));
        assert!(!repeats_thrice("123123123"));
    }
}
