//! Checking `lexicon.toml` beyond what the matcher itself refuses.

use std::collections::BTreeMap;

use intents::LexiconSpec;

use super::Checker;

/// A keyword that two intents claim with the same weight: a message with
/// only that keyword ties, and which intent wins is an accident. The
/// keywords are compared as the matcher sees them (normalised). Also an
/// anger word written twice ([`anger_words_written_twice`]).
pub(super) fn check(c: &mut Checker, spec: &LexiconSpec) {
    anger_words_written_twice(c, spec);
    // normalised keyword -> (intent, language, keyword as written, weight)
    let mut claims: BTreeMap<String, Vec<(&str, &str, &str, f32)>> = BTreeMap::new();
    for (intent, keywords) in &spec.intents {
        for (lang, words) in [("zh", &keywords.zh), ("en", &keywords.en)] {
            for (word, weight) in words {
                claims
                    .entry(intents::normalize(word))
                    .or_default()
                    .push((intent, lang, word, *weight));
            }
        }
    }
    for (normalized, claims) in &claims {
        for (i, &(intent, lang, word, weight)) in claims.iter().enumerate() {
            let earlier = claims[..i]
                .iter()
                .find(|(other, _, _, w)| *other != intent && (w - weight).abs() < 1e-6);
            if let Some((other, ..)) = earlier {
                c.problem_at(
                    "lexicon.toml",
                    &format!("intents.{intent}.{lang}.{word}"),
                    format!(
                        "keyword `{normalized}` is claimed by `{other}` and `{intent}` with the same weight {weight}: give one a higher weight or drop it"
                    ),
                );
            }
        }
    }
}

/// An anger word written twice, with and without a `*` (`"stupid"` and
/// `"stupid*"`): both patterns match the word itself, neither covers the
/// other, so a message with it counts its weight twice.
fn anger_words_written_twice(c: &mut Checker, spec: &LexiconSpec) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for word in spec.anger.words.keys() {
        let bare = intents::normalize(word.trim_matches('*'));
        match seen.get(&bare) {
            Some(first) => c.problem_at(
                "lexicon.toml",
                &format!("anger.words.{word}"),
                format!(
                    "anger word `{word}` and `{first}` both match `{bare}`: a message with it counts both; keep one"
                ),
            ),
            None => {
                seen.insert(bare, word);
            }
        }
    }
}
