//! Anger cues that are not words: punctuation, capitals, repetition,
//! masked swearing, stretched words; and the anger head's learner.
//!
//! The lexical cues (投诉, 骗子, scam, 😡) live in the keyword automaton of
//! [`crate::Matcher`]; this module adds how the message is written.

use crate::spec::AngerSpec;

mod learn;

/// L2 strength of the anger head, chosen by 5-fold cross-validation on the
/// dev splits of GoEmotions (1e-4: F1 0.425, 3e-4: 0.451, 1e-3: 0.452) and
/// Weibo (0.697, 0.686, 0.672) with `examples/anger_cv.rs`.
const L2: f32 = 3e-4;

/// Learns the anger head's logit weights (see [`learn::logistic`]).
pub(crate) fn learn(
    rows: &[(&[(u32, f32)], bool)],
    inputs: usize,
    bias: usize,
    epochs: usize,
    seed: u64,
) -> Vec<f32> {
    learn::logistic(rows, inputs, bias, epochs, L2, seed)
}

/// Intensity of writing: runs of `!`/`?`, ALL-CAPS words, phrases said three
/// times in a row, masked swearing ("f***", "sh*t"), stretched words
/// ("sooo", "whyyy"). Returns a raw score to add to the lexical anger score.
/// A run of `!` that `friendly` accepts (given the byte offset where it
/// starts: right after a calm word, with no anger word in the message:
/// "love it!!", "谢谢亲!!") does not count; `??` always does ("thanks?? for
/// what").
pub(crate) fn intensity(
    text: &str,
    normalized: &str,
    spec: &AngerSpec,
    friendly: &dyn Fn(usize) -> bool,
) -> f32 {
    let (bangs, questions) = punctuation_runs(normalized, friendly);
    let bangs = bangs.min(spec.max_punct_runs);
    let questions = questions.min(spec.max_punct_runs.saturating_sub(bangs));
    let caps = caps_words(text).min(3);
    let mut score = bangs as f32 * spec.exclamation
        + questions as f32 * spec.question
        + caps as f32 * spec.caps_word;
    if repeats_thrice(normalized) {
        score += spec.repetition;
    }
    if spec.masked > 0.0 {
        score += masked_swears(normalized).min(2) as f32 * spec.masked;
    }
    if spec.elongation > 0.0 && stretched(normalized) {
        score += spec.elongation;
    }
    score
}

/// Runs of two or more `!`/`?` (normalisation made full-width ones ASCII):
/// (runs with a `!` that `friendly` does not accept, runs of `?` only).
fn punctuation_runs(normalized: &str, friendly: &dyn Fn(usize) -> bool) -> (usize, usize) {
    let (mut bangs, mut questions) = (0, 0);
    let (mut len, mut has_bang) = (0, false);
    for (i, b) in normalized.bytes().chain(std::iter::once(b' ')).enumerate() {
        if b == b'!' || b == b'?' {
            len += 1;
            has_bang |= b == b'!';
        } else {
            if len >= 2 && has_bang {
                if !friendly(i - len) {
                    bangs += 1;
                }
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
/// counted in the message as written, when at least one of them has four
/// letters or more: three-letter ones alone are mostly acronyms a calm
/// shopper writes ("USA via DHL or UPS", "VAT", "SKU"). Tokens with digits
/// (ids) do not count, nor placeholders in brackets ("[NAME]" in anonymised
/// text).
fn caps_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut count, mut long) = (0, false);
    let mut start = None;
    for (i, b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        if b.is_ascii_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            let word = &bytes[s..i];
            let bracketed = s > 0 && bytes[s - 1] == b'[' && *b == b']';
            if word.len() >= 3 && word.iter().all(u8::is_ascii_uppercase) && !bracketed {
                count += 1;
                long |= word.len() >= 4;
            }
        }
    }
    if long {
        count
    } else {
        0
    }
}

/// Swear words written with symbols for some letters: "f***", "f*ck",
/// "sh*t", "a**hole", "b!tch" as a word of its own. The word starts with a
/// letter that starts a common swear word, has at least one `*`, `#`, `$`
/// or `!` after its first letter and nothing but letters and those;
/// Markdown emphasis ("*hell*") starts with the symbol and does not count,
/// nor "!" at the end of a word ("stop!"), nor an e-mail address.
///
/// `!` is also a sentence's end typed without the space ("hi!can i change
/// the size", "hello!where is it"), so a word masked by `!` alone counts only
/// when its letters have no vowel ("b!tch", "sh!t"), as a masked swear word
/// does and two glued words rarely do. `@` is not a mask: handles and
/// addresses ("m@rk", "sam@gmail") are far more common than "f@ck".
fn masked_swears(normalized: &str) -> usize {
    // Most messages have no mask symbol at all: one cheap pass decides.
    if !normalized
        .bytes()
        .any(|b| matches!(b, b'*' | b'#' | b'$' | b'!'))
    {
        return 0;
    }
    normalized
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '"' | '(' | ')'))
        .filter(|w| {
            let w = w.trim_end_matches(['!', '?', '.']).as_bytes();
            let mask = |b: &u8| matches!(b, b'*' | b'#' | b'$' | b'!');
            let strong = |b: &u8| matches!(b, b'*' | b'#' | b'$');
            let vowel = |b: &u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
            w.len() >= 3
                && w.len() <= 12
                && matches!(
                    w[0],
                    b'f' | b's' | b'b' | b'a' | b'd' | b'c' | b'p' | b'w' | b'h' | b'm'
                )
                && w[1..].iter().any(mask)
                && w.iter().all(|b| b.is_ascii_lowercase() || mask(b))
                && (w.iter().any(strong) || !w.iter().any(vowel))
        })
        .count()
}

/// A word with a letter three times in a row ("sooo", "ughhh", "whyyy");
/// not "iii" or "xxx" (numerals, sizes) nor "www". One pass over the bytes:
/// this runs on every message.
fn stretched(normalized: &str) -> bool {
    normalized.as_bytes().windows(3).any(|x| {
        x[0] == x[1]
            && x[1] == x[2]
            && x[0].is_ascii_lowercase()
            && !matches!(x[0], b'i' | b'x' | b'w')
    })
}

/// A phrase of 2–4 characters (not digits or punctuation) repeated three
/// times in a row: "人工人工人工", "快点快点快点".
fn repeats_thrice(normalized: &str) -> bool {
    // Too short to hold a phrase of two said three times: no allocation.
    if normalized.len() < 6 {
        return false;
    }
    let mut chars: Vec<char> = Vec::with_capacity(normalized.len());
    chars.extend(normalized.chars().filter(|c| !c.is_whitespace()));
    for period in 2..=4 {
        if chars.len() < period * 3 {
            break;
        }
        for i in 0..=chars.len() - period * 3 {
            let unit = &chars[i..i + period];
            // Cheap comparisons first (char by char: a slice comparison
            // calls memcmp for a few bytes); the Unicode class lookup is slow.
            if (0..period)
                .all(|k| unit[k] == chars[i + period + k] && unit[k] == chars[i + 2 * period + k])
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
        let none = |_: usize| false;
        assert_eq!(punctuation_runs("到底什么时候发货!!!", &none), (1, 0));
        assert_eq!(punctuation_runs("why?? seriously!!", &none), (1, 1));
        assert_eq!(punctuation_runs("在吗?", &none), (0, 0));
        // A run the caller calls friendly is not counted; it is told where
        // the run starts.
        let at_3 = |start: usize| start == 3;
        assert_eq!(punctuation_runs("wow!! no!!", &at_3), (1, 0));
        assert_eq!(punctuation_runs("wow?? no!!", &at_3), (1, 1));
    }

    #[test]
    fn capitals() {
        assert_eq!(caps_words("WHERE IS MY ORDER E20261111000123"), 2);
        assert_eq!(caps_words("I am in HK"), 0);
        assert_eq!(caps_words("can you ship to the USA via DHL or UPS?"), 0);
        assert_eq!(caps_words("JUST CANCEL IT ALREADY"), 3);
        assert_eq!(caps_words("[NAME] said [RELIGION] STOP"), 1);
    }

    #[test]
    fn masked_swearing() {
        for text in [
            "f*** this",
            "what the f**k",
            "this is sh*t",
            "you a**hole",
            "b!tch please",
            "oh sh!t",
            "f*cking hell!",
        ] {
            assert_eq!(masked_swears(&crate::normalize(text)), 1, "{text}");
        }
        for text in [
            "oh *hell* no",
            "**bold** text",
            "c# and f#",
            "mail me at bob@shop.com",
            "send it to m@rk please",
            "contact me at sam@@gmail",
            "hi!can i change the size",
            "hello!where is my parcel",
            "wait!what about the refund",
            "stop!!",
            "5*3=15",
            "price: $50",
        ] {
            assert_eq!(masked_swears(&crate::normalize(text)), 0, "{text}");
        }
    }

    #[test]
    fn stretching() {
        assert!(stretched("sooo slow"));
        assert!(stretched("whyyy"));
        assert!(!stretched("see www.shop.com"));
        assert!(!stretched("size xxxl"));
        assert!(!stretched("chapter iii"));
        assert!(!stretched("good coffee"));
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
