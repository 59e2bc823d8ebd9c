//! English learned features found word by word: whole words (`"refund"`),
//! word beginnings (`"refu*"`) and pairs of whole words (`"my refund"`).
//!
//! They are most of a trained model's features, and as automaton patterns
//! they made the automaton walk the largest part of a classify (a word's
//! beginnings, the word and every word inside it, "is" in "this", each a
//! hit to look at). A word is a maximal run of ASCII letters and digits,
//! exactly what such a pattern matches at its word boundaries, so looking
//! each run up in a table finds the same features: a whole-word pattern is
//! found where a run equals it, a beginning where a run starts with it, a
//! pair where two runs equal its words one space apart. The automaton keeps
//! everything else: hand keywords, Chinese n-grams, other pattern shapes.

use crate::features::WordCount;
use crate::keywords::FastMap;
use crate::normalize;

/// No learned feature (a word that is only half of a pair).
const NONE: u32 = u32::MAX;

/// The word features of a model (see the module doc).
#[derive(Debug, Default)]
pub(crate) struct WordFeatures {
    /// Whole word -> (its learned feature or [`NONE`], its word id for pairs
    /// or [`NONE`]).
    words: Table<(u32, u32)>,
    /// Word beginning (without the `*`) -> learned feature.
    beginnings: Table<u32>,
    /// Bit `n` set when some beginning has `n` bytes (`n` < 64).
    lengths: u64,
    /// (first word id, second word id) -> learned feature.
    pairs: NumberMap<u32>,
    /// How many words have a word id.
    ids: u32,
}

/// Words of up to 8 bytes keyed by their bytes in a `u64` (a word has no
/// 0 byte, so the padding is unambiguous): one multiply to hash and no
/// string compare, where most lookups are. Longer ones by their text.
#[derive(Debug)]
struct Table<V> {
    short: NumberMap<V>,
    long: FastMap<Box<str>, V>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            short: NumberMap::default(),
            long: FastMap::default(),
        }
    }
}

impl<V: Copy> Table<V> {
    fn is_empty(&self) -> bool {
        self.short.is_empty() && self.long.is_empty()
    }

    fn entry(&mut self, word: &str, default: V) -> &mut V {
        match packed(word.as_bytes()) {
            Some(key) => self.short.entry(key, default),
            None => self.long.entry(word.into()).or_insert(default),
        }
    }

    /// `key` is `packed(word)`.
    fn get(&self, word: &str, key: Option<u64>) -> Option<&V> {
        match key {
            Some(key) => self.short.get(key),
            None => self.long.get(word),
        }
    }
}

/// A map from numbers (a packed word, a pair of word ids) to a value:
/// open addressing with linear probing in one array of (key, value), at
/// most half full, the slot from the high bits of a multiply. A lookup is
/// a multiply and, most often, one compare in one cache line, where a
/// `HashMap` hashed, probed a control group and compared (the word
/// lookups were about a fifth of a Bitext classify).
#[derive(Debug)]
struct NumberMap<V> {
    /// (key, value) per slot, [`EMPTY`] keys for free slots; a power of
    /// two long, or empty.
    slots: Vec<(u64, V)>,
    len: usize,
    /// 64 minus log2 of the number of slots.
    shift: u32,
}

/// The key of a free slot: no packed word (ASCII bytes) and no pair of
/// word ids (both would be [`NONE`]) is this.
const EMPTY: u64 = u64::MAX;

impl<V> Default for NumberMap<V> {
    fn default() -> Self {
        NumberMap {
            slots: Vec::new(),
            len: 0,
            shift: 64,
        }
    }
}

impl<V: Copy> NumberMap<V> {
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn slot(&self, key: u64) -> usize {
        // FxHash's multiplier; the high bits mix every byte of the key.
        (key.wrapping_mul(0x517c_c1b7_2722_0a95) >> self.shift) as usize
    }

    fn get(&self, key: u64) -> Option<&V> {
        let mask = self.slots.len().wrapping_sub(1);
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.slot(key);
        loop {
            let (k, ref v) = self.slots[i];
            if k == key {
                return Some(v);
            }
            if k == EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// The value of `key`, inserted as `default` if absent.
    fn entry(&mut self, key: u64, default: V) -> &mut V {
        assert_ne!(key, EMPTY, "the key of a free slot");
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow(default);
        }
        let mask = self.slots.len() - 1;
        let mut i = self.slot(key);
        while self.slots[i].0 != key && self.slots[i].0 != EMPTY {
            i = (i + 1) & mask;
        }
        if self.slots[i].0 == EMPTY {
            self.slots[i] = (key, default);
            self.len += 1;
        }
        &mut self.slots[i].1
    }

    /// Twice the slots (16 at first), every key placed again. `filler` is
    /// the value of free slots.
    fn grow(&mut self, filler: V) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![(EMPTY, filler); size]);
        self.shift = 64 - size.trailing_zeros();
        let mask = size - 1;
        for (key, value) in old.into_iter().filter(|s| s.0 != EMPTY) {
            let mut i = self.slot(key);
            while self.slots[i].0 != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = (key, value);
        }
    }
}

/// A mask of the low `n` bytes of a `u64` (all of them from 8 on).
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// The first 8 bytes (or fewer) of a word as one number, as [`packed`].
fn packed_prefix(word: &[u8]) -> u64 {
    word.iter()
        .take(8)
        .enumerate()
        .fold(0u64, |key, (k, &b)| key | (u64::from(b) << (8 * k)))
}

/// The bytes of a word of up to 8 bytes as one number.
fn packed(word: &[u8]) -> Option<u64> {
    (word.len() <= 8).then(|| {
        word.iter()
            .rev()
            .fold(0u64, |key, &b| (key << 8) | u64::from(b))
    })
}

/// What a learned feature is, when it is a word feature.
pub(crate) enum Shape {
    Word(String),
    Beginning(String),
    Pair(String, String),
}

impl Shape {
    /// The feature as `explain` names it: as written in the model, normalised.
    pub(crate) fn name(&self) -> String {
        match self {
            Shape::Word(w) => w.clone(),
            Shape::Beginning(b) => format!("{b}*"),
            Shape::Pair(first, second) => format!("{first} {second}"),
        }
    }

    /// The shape of a feature pattern written in the keyword syntax, if it
    /// is a word feature.
    pub(crate) fn of(pattern: &str) -> Option<Shape> {
        if pattern.starts_with('*') {
            return None;
        }
        let (stem, beginning) = match pattern.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (pattern, false),
        };
        let stem = normalize(stem);
        let word = |w: &str| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphanumeric());
        if word(&stem) {
            return Some(if beginning {
                Shape::Beginning(stem)
            } else {
                Shape::Word(stem)
            });
        }
        match stem.split_once(' ') {
            Some((first, second)) if !beginning && word(first) && word(second) => {
                Some(Shape::Pair(first.to_string(), second.to_string()))
            }
            _ => None,
        }
    }
}

impl WordFeatures {
    /// Whether there is nothing to look for.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty() && self.beginnings.is_empty()
    }

    /// The learned feature of a word feature, `next` if it is new (then
    /// the caller gives `next` to it).
    pub(crate) fn feature(&mut self, shape: &Shape, next: u32) -> u32 {
        match shape {
            Shape::Word(w) => {
                let entry = self.words.entry(w, (NONE, NONE));
                if entry.0 == NONE {
                    entry.0 = next;
                }
                entry.0
            }
            Shape::Beginning(b) => {
                if b.len() < 64 {
                    self.lengths |= 1 << b.len();
                }
                *self.beginnings.entry(b, next)
            }
            Shape::Pair(first, second) => {
                let key = pair_key(self.word_id(first), self.word_id(second));
                *self.pairs.entry(key, next)
            }
        }
    }

    fn word_id(&mut self, word: &str) -> u32 {
        let entry = self.words.entry(word, (NONE, NONE));
        if entry.1 == NONE {
            entry.1 = self.ids;
            self.ids += 1;
        }
        entry.1
    }

    /// Pushes the learned features of the words of `normalized` to `learned`
    /// (repeats included: the caller sorts and removes them), and returns
    /// the English part of [`crate::features::count`] of the text, counted
    /// on the same pass.
    pub(crate) fn find(&self, normalized: &str, learned: &mut Vec<u32>) -> usize {
        let bytes = normalized.as_bytes();
        let mut count = WordCount::default();
        // The previous run: (its end, its word id).
        let mut previous = (usize::MAX, NONE);
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let start = i;
            let mut first_digit = usize::MAX;
            while i < bytes.len() {
                let b = bytes[i];
                if b.is_ascii_alphabetic() {
                    i += 1;
                } else if b.is_ascii_digit() {
                    if first_digit == usize::MAX {
                        first_digit = i - start;
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            count.run(bytes, start, i, first_digit);
            let len = i - start;
            // The first 8 bytes as a number: one load where the text goes on
            // for 8 bytes, byte by byte near its end.
            let key = match bytes.get(start..start + 8) {
                Some(eight) => {
                    u64::from_le_bytes(eight.try_into().unwrap_or([0; 8])) & low_bytes(len)
                }
                None => packed_prefix(&bytes[start..i]),
            };
            // ASCII, so any byte offset is a char boundary.
            let word = &normalized[start..i];
            // The beginnings' lengths up to the word's, shortest first.
            let mut lengths = if len >= 63 {
                self.lengths
            } else {
                self.lengths & ((2u64 << len) - 1)
            };
            while lengths != 0 {
                let n = lengths.trailing_zeros() as usize;
                lengths &= lengths - 1;
                let found = if n <= 8 {
                    self.beginnings.short.get(key & low_bytes(n))
                } else {
                    self.beginnings.long.get(&word[..n])
                };
                if let Some(&f) = found {
                    learned.push(f);
                }
            }
            let id = match self.words.get(word, (word.len() <= 8).then_some(key)) {
                Some(&(f, id)) => {
                    if f != NONE {
                        learned.push(f);
                    }
                    id
                }
                None => NONE,
            };
            let (end, last) = previous;
            if id != NONE && last != NONE && end + 1 == start && bytes[end] == b' ' {
                if let Some(&f) = self.pairs.get(pair_key(last, id)) {
                    learned.push(f);
                }
            }
            previous = (i, id);
        }
        count.n
    }
}

fn pair_key(first: u32, second: u32) -> u64 {
    (u64::from(first) << 32) | u64::from(second)
}
