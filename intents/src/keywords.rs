//! Keywords as compiled: what each automaton pattern means, and the builder
//! that normalises and merges them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::spec::LexiconSpec;
use crate::{normalize, Error};

/// What one automaton pattern means: weights for intents, anger, negation.
#[derive(Debug, Default)]
pub(crate) struct Keyword {
    /// (intent index, weight) pairs; a keyword may serve several intents.
    pub(crate) intents: Vec<(usize, f32)>,
    /// Anger weight, 0 when the keyword is not an anger cue.
    pub(crate) anger: f32,
    /// The keyword negates an anger cue right after it.
    pub(crate) anger_negation: bool,
    /// A friendly word (`anger.calm`): `!!` is enthusiasm beside it.
    pub(crate) calm: bool,
    /// The keyword negates an intent keyword right after it.
    pub(crate) intent_negation: bool,
    /// No weight; hides what lies inside it.
    pub(crate) neutral: bool,
    /// The keyword starts / ends with an ASCII letter or digit, so it only
    /// matches at an ASCII word boundary on that side.
    pub(crate) left_boundary: bool,
    pub(crate) right_boundary: bool,
    /// Index of the learned feature this pattern is, if a model uses it.
    pub(crate) learned: Option<u32>,
}

/// One accepted automaton hit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) keyword: usize,
}

/// Whether hit `a` strictly covers hit `b`.
pub(crate) fn covers(a: &Hit, b: &Hit) -> bool {
    a.start <= b.start && a.end >= b.end && a.end - a.start > b.end - b.start
}

/// A fast hash for the short strings of a lexicon (FxHash's mixing): a
/// trained model has tens of thousands of patterns and ten times as many
/// class names to look up while compiling, and SipHash showed in profiles.
/// Keys come from the pack's own files, so flooding is not a concern.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn write_u64(&mut self, i: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(K);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Collects normalised patterns, merging keywords that normalise alike.
#[derive(Default)]
pub(crate) struct Builder {
    pub(crate) patterns: Vec<String>,
    pub(crate) keywords: Vec<Keyword>,
    /// Each keyword as written in the normalised form, with its `*`s (for
    /// `explain`).
    pub(crate) names: Vec<String>,
    index: FastMap<String, usize>,
}

impl Builder {
    /// The keyword for `word` (normalised; a trailing `*` relaxes the right
    /// boundary, a leading `*` the left one), created on first use.
    /// `section` names it in errors.
    pub(crate) fn keyword(&mut self, section: &str, word: &str) -> Result<&mut Keyword, Error> {
        let id = self.keyword_id(section, word)?;
        Ok(&mut self.keywords[id])
    }

    /// The index of [`Builder::keyword`].
    pub(crate) fn keyword_id(&mut self, section: &str, word: &str) -> Result<usize, Error> {
        // A trailing `*` in an English keyword allows any word ending
        // ("refund*"), a leading one any beginning ("*fund*" inside a word).
        let (stem, prefix) = match word.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (word, false),
        };
        let (stem, suffix) = match stem.strip_prefix('*') {
            Some(stem) => (stem, true),
            None => (stem, false),
        };
        let pattern = normalize(stem);
        if pattern.is_empty() {
            return Err(Error::EmptyKeyword {
                section: section.to_string(),
                keyword: word.to_string(),
            });
        }
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let left_boundary = !suffix && edge(pattern.chars().next());
        let right_boundary = !prefix && edge(pattern.chars().last());
        let key = format!(
            "{}{pattern}{}",
            if suffix { "*" } else { "" },
            if prefix { "*" } else { "" }
        );
        let next = self.keywords.len();
        let id = *self.index.entry(key.clone()).or_insert(next);
        if id == next {
            self.patterns.push(pattern);
            self.names.push(key);
            self.keywords.push(Keyword {
                left_boundary,
                right_boundary,
                ..Keyword::default()
            });
        }
        Ok(id)
    }
}

/// Weights are positive finite numbers.
pub(crate) fn check_weight(section: &str, keyword: &str, weight: f32) -> Result<(), Error> {
    if weight.is_finite() && weight > 0.0 {
        Ok(())
    } else {
        Err(Error::BadWeight {
            section: section.to_string(),
            keyword: keyword.to_string(),
            weight,
        })
    }
}

/// Thresholds and temperature are in range.
pub(crate) fn check_parameters(spec: &LexiconSpec) -> Result<(), Error> {
    let checks = [
        (
            "anger",
            "threshold",
            spec.anger.threshold,
            (0.0..=1.0).contains(&spec.anger.threshold),
            "0..=1",
        ),
        (
            "scoring",
            "out_of_scope",
            spec.scoring.out_of_scope,
            spec.scoring.out_of_scope >= 0.0,
            ">= 0",
        ),
        (
            "scoring",
            "temperature",
            spec.scoring.temperature,
            spec.scoring.temperature > 0.0,
            "> 0",
        ),
    ];
    for (section, field, value, ok, expected) in checks {
        if !ok || !value.is_finite() {
            return Err(Error::BadParameter {
                section,
                field,
                value,
                expected,
            });
        }
    }
    Ok(())
}
