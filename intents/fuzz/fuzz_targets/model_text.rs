//! Any bytes, as a model file of lines: parsing never panics; a model that
//! parses writes back to the same model, and compiles (or is refused with
//! an error) into a matcher that keeps classify's contract.
#![no_main]

use std::sync::OnceLock;

use intents::{model_text, LexiconSpec, Matcher};
use libfuzzer_sys::fuzz_target;

const LEXICON: &str = include_str!("../../../dialogs/pack/lexicon.toml");

fn lexicon() -> &'static LexiconSpec {
    static L: OnceLock<LexiconSpec> = OnceLock::new();
    L.get_or_init(|| toml::from_str(LEXICON).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = model_text::parse(text) else {
        return;
    };
    if let Ok(written) = model_text::write(&model) {
        assert_eq!(model_text::parse(&written).unwrap(), model);
    }
    let spec = LexiconSpec {
        model: Some(model),
        ..lexicon().clone()
    };
    let Ok(m) = Matcher::from_spec(spec) else {
        return;
    };
    for text in [text, "refund where is my order", "退款 气死了!!", ""] {
        let u = m.classify(text);
        assert!((0.0..=1.0).contains(&u.confidence), "{u:?}");
        assert!((0.0..=1.0).contains(&u.anger), "{u:?}");
        assert!(!u.candidates.is_empty() && u.candidates.len() <= 5);
        assert_eq!(u.candidates[0].intent, u.intent);
    }
});
