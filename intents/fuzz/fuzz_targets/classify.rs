//! Any bytes, as text, through normalise and classify with the default
//! lexicon and a small learned model: no panic, normalisation idempotent,
//! the understanding within its contract.
#![no_main]

use std::sync::OnceLock;

use intents::{normalize, LexiconSpec, Matcher};
use libfuzzer_sys::fuzz_target;

const LEXICON: &str = include_str!("../../../dialogs/pack/lexicon.toml");
const MODEL: &str = r#"
[model.intents]
temperature = 0.5
out_of_scope_below = 0.3
bias = { refund_status = 0.1, track_package = 0.0, out_of_scope = 0.2 }
hand = { refund_status = { refund_status = 0.5 } }
features = { "退款" = { refund_status = 1.0 }, "*ack*" = { track_package = 0.7 }, "where" = { track_package = 0.5 }, "my order" = { track_package = 0.4 } }
[model.anger]
threshold = 0.5
bias = { angry = -1.0 }
hand = { lexical = { angry = 2.0 }, writing = { angry = 1.0 } }
features = { "气死" = { angry = 2.0 } }
"#;

fn matchers() -> &'static [Matcher; 2] {
    static M: OnceLock<[Matcher; 2]> = OnceLock::new();
    M.get_or_init(|| {
        let hand: LexiconSpec = toml::from_str(LEXICON).unwrap();
        let trained: LexiconSpec = toml::from_str(&format!("{LEXICON}\n{MODEL}")).unwrap();
        [
            Matcher::new(&hand).unwrap(),
            Matcher::new(&trained).unwrap(),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let once = normalize(text);
    assert_eq!(normalize(&once), once);
    for m in matchers() {
        let u = m.classify(text);
        assert!((0.0..=1.0).contains(&u.confidence));
        assert!((0.0..=1.0).contains(&u.anger));
        assert!(!u.candidates.is_empty() && u.candidates.len() <= 5);
        assert_eq!(u.candidates[0].intent, u.intent);
        let e = m.explain(text);
        assert_eq!(e.understanding, u);
    }
});
