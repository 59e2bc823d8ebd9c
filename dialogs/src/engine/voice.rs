//! The language and script a turn answers in.
//!
//! A message answers in its own language when it has words, and in
//! Chinese in its own script when its characters show one. What carries no
//! language (an order id, a tracking number, digits, emoji) or no script
//! (Chinese whose characters are the same in both scripts, "我想改地址")
//! keeps the conversation's: the one the shopper last wrote in, and before
//! that the one the conversation opened in, from the customer's profile.

use intents::{Lang, Script, Understanding};

use super::DialogState;
use crate::Customer;

impl DialogState {
    /// The state a conversation opens with: nothing said yet, held in
    /// `voice` (see [`Customer::voice`]).
    pub fn opened_in(voice: (Lang, Script)) -> DialogState {
        let mut state = DialogState::default();
        state.keep_voice(voice);
        state
    }

    /// Remembers the voice a turn answered in (and, for Chinese, its script).
    pub(crate) fn keep_voice(&mut self, voice: (Lang, Script)) {
        self.lang = Some(voice);
        if voice.0 == Lang::Zh {
            self.zh_script = Some(voice.1);
        }
    }

    /// The language and script to answer `u` in, given what the
    /// conversation remembers (see the module doc). Without a remembered
    /// one (a conversation opened before it was kept), the message's own.
    pub fn voice_for(&self, u: &Understanding) -> (Lang, Script) {
        let kept = self.lang;
        if !u.has_words() {
            return kept.unwrap_or((u.lang, u.script));
        }
        match u.lang {
            Lang::En => (Lang::En, Script::Latin),
            Lang::Zh => {
                let script = written_script(u).unwrap_or(match (kept, self.zh_script) {
                    (Some((Lang::Zh, script)), _) | (_, Some(script)) => script,
                    _ => Script::Simplified,
                });
                (Lang::Zh, script)
            }
        }
    }
}

impl Customer {
    /// The language and script of the shop's profile (`language`): `en…`
    /// is English; `zh-Hant`, `zh-TW`, `zh-HK` and `zh-MO` (any case) are
    /// traditional Chinese; anything else is simplified Chinese.
    pub fn voice(&self) -> (Lang, Script) {
        let tag = self.language.trim().to_ascii_lowercase();
        if tag.starts_with("en") {
            return (Lang::En, Script::Latin);
        }
        let traditional = tag
            .split(['-', '_'])
            .skip(1)
            .any(|part| matches!(part, "hant" | "tw" | "hk" | "mo"));
        if traditional {
            (Lang::Zh, Script::Traditional)
        } else {
            (Lang::Zh, Script::Simplified)
        }
    }

    /// The language and script a conversation with this customer opens in:
    /// `lang` when the caller chose one (Chinese in the profile's script when
    /// the profile is Chinese), else the profile's.
    pub fn voice_in(&self, lang: Option<Lang>) -> (Lang, Script) {
        match (lang, self.voice()) {
            (None, voice) => voice,
            (Some(Lang::En), _) => (Lang::En, Script::Latin),
            (Some(Lang::Zh), (Lang::Zh, script)) => (Lang::Zh, script),
            (Some(Lang::Zh), _) => (Lang::Zh, Script::Simplified),
        }
    }
}

/// The script Chinese text shows: traditional when the normaliser folded a
/// character, simplified when a character exists only in simplified form,
/// `None` when every character is written the same in both.
fn written_script(u: &Understanding) -> Option<Script> {
    if u.script == Script::Traditional {
        return Some(Script::Traditional);
    }
    // Folding changed nothing: `normalized` has the characters as written.
    u.normalized
        .chars()
        .any(simplified_only)
        .then_some(Script::Simplified)
}

/// Whether `c` is a simplified form of a different traditional character:
/// the converter the replies use gives another character for it, and the
/// normaliser folds that one back to `c`. The round trip keeps out the
/// converter's wrong variants (`最` becomes `㝡`, which does not fold back):
/// those characters are the same in both scripts.
fn simplified_only(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    let mut buf = [0; 4];
    let written: &str = c.encode_utf8(&mut buf);
    let traditional = character_converter::simplified_to_traditional(written);
    traditional != written && intents::normalize(&traditional) == written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(language: &str) -> Customer {
        Customer {
            customer_id: "C1".into(),
            name: "陳美玲".into(),
            tier: Default::default(),
            phone: String::new(),
            language: language.into(),
        }
    }

    #[test]
    fn profiles() {
        use Script::*;
        let cases = [
            ("zh", (Lang::Zh, Simplified)),
            ("zh-CN", (Lang::Zh, Simplified)),
            ("zh-Hans", (Lang::Zh, Simplified)),
            ("zh-Hant", (Lang::Zh, Traditional)),
            ("zh-TW", (Lang::Zh, Traditional)),
            ("zh_hk", (Lang::Zh, Traditional)),
            ("zh-Hant-TW", (Lang::Zh, Traditional)),
            ("en", (Lang::En, Latin)),
            ("en-US", (Lang::En, Latin)),
            ("", (Lang::Zh, Simplified)),
        ];
        for (tag, voice) in cases {
            assert_eq!(customer(tag).voice(), voice, "{tag}");
        }
        let c1003 = customer("zh-Hant");
        assert_eq!(c1003.voice_in(None), (Lang::Zh, Traditional));
        assert_eq!(c1003.voice_in(Some(Lang::Zh)), (Lang::Zh, Traditional));
        assert_eq!(c1003.voice_in(Some(Lang::En)), (Lang::En, Latin));
        assert_eq!(
            customer("en").voice_in(Some(Lang::Zh)),
            (Lang::Zh, Simplified)
        );
    }

    #[test]
    fn script_evidence() {
        for (c, only) in [
            ('递', true),
            ('吗', true),
            ('后', false),
            ('嗎', false),
            ('转', true),
            ('最', false),
            ('以', false),
            ('我', false),
            ('址', false),
            ('遞', false),
            ('a', false),
        ] {
            assert_eq!(simplified_only(c), only, "{c}");
        }
    }

    #[test]
    fn a_message_keeps_the_conversations_voice_unless_it_shows_its_own() {
        use Lang::{En, Zh};
        use Script::{Latin, Simplified, Traditional};
        let pack = crate::Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        let hant = DialogState::opened_in((Zh, Traditional));
        let hans = DialogState::opened_in((Zh, Simplified));
        let en = DialogState::opened_in((En, Latin));
        let nothing_kept = DialogState::default();
        let mut hant_then_en = DialogState::opened_in((Zh, Traditional));
        hant_then_en.keep_voice((En, Latin));
        let cases = [
            // No language of its own: ids, digits, emoji.
            (&hans, "E20261111000123", (Zh, Simplified)),
            (&hans, "SF1402839475820", (Zh, Simplified)),
            (&hant, "12345", (Zh, Traditional)),
            (&hant, "👍", (Zh, Traditional)),
            (&en, "E20261111000123", (En, Latin)),
            (&nothing_kept, "12345", (En, Latin)),
            // Chinese the same in both scripts keeps the script.
            (&hant, "我想改地址", (Zh, Traditional)),
            (&hans, "我想改地址", (Zh, Simplified)),
            (&en, "我想改地址", (Zh, Simplified)),
            // A zh-Hant shopper who wrote English keeps traditional.
            (&hant_then_en, "我想改地址", (Zh, Traditional)),
            // A message that shows a script or a language switches.
            (&hant, "我的快递到哪了", (Zh, Simplified)),
            (&hans, "我的快遞到哪了", (Zh, Traditional)),
            (&hant, "where is my parcel", (En, Latin)),
            (&en, "在吗", (Zh, Simplified)),
        ];
        for (state, text, voice) in cases {
            let u = pack.matcher().classify(text);
            assert_eq!(state.voice_for(&u), voice, "{text} after {:?}", state.lang);
        }
    }
}
