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
    let bytes = normalized.as_bytes();
    // Most messages have neither: one pass without a branch per byte decides.
    if !bytes
        .iter()
        .fold(false, |any, &b| any | (b == b'!') | (b == b'?'))
    {
        return (0, 0);
    }
    let (mut bangs, mut questions) = (0, 0);
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b'!' | b'?') {
            i += 1;
            continue;
        }
        let start = i;
        let mut has_bang = false;
        while i < bytes.len() && matches!(bytes[i], b'!' | b'?') {
            has_bang |= bytes[i] == b'!';
            i += 1;
        }
        if i - start >= 2 {
            if !has_bang {
                questions += 1;
            } else if !friendly(start) {
                bangs += 1;
            }
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
    // A word counts only if one has four capitals or more: with fewer than
    // four capitals in the whole message (most messages), none does. Counted
    // without a branch per byte.
    let capitals = bytes
        .iter()
        .fold(0usize, |n, b| n + usize::from(b.is_ascii_uppercase()));
    if capitals < 4 {
        return 0;
    }
    let (mut count, mut long) = (0, false);
    // Run by run (a run of ASCII letters and digits), not byte by byte
    // through an iterator chain: this runs on every message.
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        let mut upper = true;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            upper &= bytes[i].is_ascii_uppercase();
            i += 1;
        }
        let len = i - start;
        let bracketed = start > 0 && bytes[start - 1] == b'[' && bytes.get(i) == Some(&b']');
        if upper && len >= 3 && !bracketed {
            count += 1;
            long |= len >= 4;
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
        .fold(false, |any, b| any | matches!(b, b'*' | b'#' | b'$' | b'!'))
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
/// times in a row: "人工人工人工", "快点快点快点". Spaces between do not count.
fn repeats_thrice(normalized: &str) -> bool {
    // Too short to hold a phrase of two said three times.
    if normalized.len() < 6 {
        return false;
    }
    if normalized.is_ascii() {
        repeats_in_ascii(normalized.as_bytes())
    } else {
        repeats_in(normalized.chars())
    }
}

/// [`repeats_in`] for ASCII text (most messages), with the last 16 bytes
/// other than whitespace in one `u128`, the last in the low byte: the last
/// `3p` bytes are a unit said three times when their lower `2p` bytes equal
/// the `2p` bytes above them, one compare per period.
fn repeats_in_ascii(bytes: &[u8]) -> bool {
    let mut last = 0u128;
    let mut n = 0usize;
    for &b in bytes {
        // `char::is_whitespace` on ASCII.
        if matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
            continue;
        }
        last = (last << 8) | u128::from(b);
        n += 1;
        for p in 2..=4 {
            let twice = (1u128 << (16 * p)) - 1;
            if n >= 3 * p && (last ^ (last >> (8 * p))) & twice == 0 {
                let unit = |k: usize| (last >> (16 * p + 8 * k)) as u8;
                if (1..p).any(|k| unit(k) != unit(0))
                    && (0..p).all(|k| unit(k).is_ascii_alphabetic())
                {
                    return true;
                }
            }
        }
    }
    false
}

/// [`repeats_thrice`] in one pass and without an allocation: the last
/// `3 * MAX_PERIOD` characters other than whitespace in a ring, and per
/// period `p` how many characters in a row (up to the last) equal the one
/// `p` before. The last `3p` characters are a unit said three times when
/// that run reaches `2p`; the unit must then have two different characters,
/// all alphabetic.
fn repeats_in(chars: impl Iterator<Item = char>) -> bool {
    const MAX_PERIOD: usize = 4;
    const RING: usize = 16;
    let mut ring = ['\0'; RING];
    let mut runs = [0usize; MAX_PERIOD + 1];
    let mut n = 0usize;
    for c in chars.filter(|c| !c.is_whitespace()) {
        ring[n % RING] = c;
        for (p, run) in runs.iter_mut().enumerate().skip(2) {
            if n < p || ring[(n - p) % RING] != c {
                *run = 0;
                continue;
            }
            *run += 1;
            if *run >= 2 * p {
                let first = ring[(n + 1 - 3 * p) % RING];
                let mut unit = (0..p).map(|k| ring[(n + 1 - 3 * p + k) % RING]);
                if unit.clone().any(|u| u != first) && unit.all(char::is_alphabetic) {
                    return true;
                }
            }
        }
        n += 1;
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

    /// The first versions of the one-pass scans above, kept as their
    /// specification: straightforward and allocating.
    mod reference {
        pub(super) fn punctuation_runs(
            normalized: &str,
            friendly: &dyn Fn(usize) -> bool,
        ) -> (usize, usize) {
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

        pub(super) fn caps_words(text: &str) -> usize {
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

        pub(super) fn repeats_thrice(normalized: &str) -> bool {
            let chars: Vec<char> = normalized.chars().filter(|c| !c.is_whitespace()).collect();
            for period in 2..=4 {
                if chars.len() < period * 3 {
                    break;
                }
                for i in 0..=chars.len() - period * 3 {
                    let unit = &chars[i..i + period];
                    if (0..period).all(|k| {
                        unit[k] == chars[i + period + k] && unit[k] == chars[i + 2 * period + k]
                    }) && unit.iter().any(|c| *c != unit[0])
                        && unit.iter().all(|c| c.is_alphabetic())
                    {
                        return true;
                    }
                }
            }
            false
        }
    }

    proptest::proptest! {
        #[test]
        fn scans_agree_with_their_reference(
            s in "([a-cA-C1!?\\[\\] 人工哈]{1,3}){0,14}",
            friendly_at in 0usize..30,
        ) {
            let friendly = |start: usize| start % 7 == friendly_at % 7;
            proptest::prop_assert_eq!(
                punctuation_runs(&s, &friendly),
                reference::punctuation_runs(&s, &friendly)
            );
            proptest::prop_assert_eq!(caps_words(&s), reference::caps_words(&s));
            proptest::prop_assert_eq!(repeats_thrice(&s), reference::repeats_thrice(&s));
        }

        #[test]
        fn repetition_agrees_on_repeated_units(
            unit in "[ab人1 ]{1,4}",
            times in 1usize..5,
            before in "[ab ]{0,5}",
            after in "[ab!]{0,5}",
        ) {
            let s = format!("{before}{}{after}", unit.repeat(times));
            proptest::prop_assert_eq!(repeats_thrice(&s), reference::repeats_thrice(&s));
        }
    }
}
