//! English anger with the default pack (`dialogs/pack/lexicon.toml`): the
//! social-media cues (insults, swearing, masked swearing, "how dare",
//! capitals) make a message angry, while negated cues and calm shop
//! messages that share words with them stay below the threshold. One row
//! per message, so adding a case is adding a line.

use intents::{LexiconSpec, Matcher};

fn pack() -> Matcher {
    let text = include_str!("../../dialogs/pack/lexicon.toml");
    let spec: LexiconSpec = toml::from_str(text).expect("default lexicon parses");
    Matcher::new(&spec).expect("default lexicon compiles")
}

const ANGRY: &[&str] = &[
    "you're an idiot",
    "You moron, read the thread",
    "how dare you say that",
    "this is so annoying",
    "wtf is this",
    "shut up, nobody asked",
    "I'm sick of this",
    "fed up with waiting",
    "grow the fuck up",
    "what the hell is wrong with you",
    "oh fucking great, another delay",
    // Masked swearing.
    "f*** this shop",
    "what the f**k",
    "this is sh*t",
    "what a b!tch",
    // Capitals and exclamation marks with a mild cue.
    "WHY IS THIS STILL BROKEN, ridiculous",
    "ugh, stupid app!!!",
    // "!!" with no friendly word, or a friendly word negated or beside an
    // anger word, is still anger.
    "fix it!!!",
    "please fix it!!!",
    "not happy, not perfect at all!!!",
    "thanks for nothing, you scammers!!",
    // A friendly word softens only the "!!" right after it: sarcasm and a
    // greeting before a complaint do not.
    "hi, where is my order!!! it has been two weeks!!!",
    "perfect, another delay!!!",
    "I love how you ignore me!!!",
];

const CALM: &[&str] = &[
    // Acronyms are not shouting.
    "can you ship to the USA via DHL or UPS?",
    "need a VAT receipt, is the SKU in stock in the EU?",
    // Negated cues.
    "I'm not angry, just asking about my refund",
    "not annoyed, just curious when it ships",
    "I don't hate it, the colour is just a bit off",
    "im not mad lol",
    // Shop messages that share words with anger cues.
    "tell me a joke",
    "where did you grow up",
    "remind me to take out the trash",
    "wrong size, can I exchange it for an M",
    "is this a fake or the original brand?",
    "can you stop the order before it ships",
    "my cereal got ruined in the post, can I get a refund",
    "please report fraud on my card",
    "email me at bob@shop.com",
    // A sentence's end typed without its space is not a mask.
    "hi!can i change the size",
    "hello!where is my parcel",
    "send it to m@rk please",
    "is it 100% cotton? price $20*2",
    // Capitals that are names, sizes or placeholders, one stretched word.
    "[NAME] said the XXL is back in stock",
    "sooo happy with the scarf, thanks!",
    "what's the status??",
    // Politeness that borrows an anger word.
    "I hate to bother you but where is my order",
    "stupid question but do you ship to canada",
    "sorry for the dumb question, where do I enter the code",
    "shut up and take my money, is it in stock?",
    "I was so annoyed at myself for ordering the wrong size",
    // Swearing as praise.
    "this scarf is damn good",
    "the jacket is fucking awesome",
    "bloody brilliant service, thanks",
    "hell yeah, it arrived",
    // Enthusiasm: "!!" beside a friendly word (thanks, praise, a greeting).
    "love it!!",
    "thank you so much!!!",
    "hi!! do you have this in blue",
    "amazing quality!!",
    // ...and an eager yes (review 7 N18).
    "yes!!",
    "yeah!! cancel it",
];

#[test]
fn english_anger_cues() {
    let m = pack();
    let wrong: Vec<String> = ANGRY
        .iter()
        .map(|t| (t, m.classify(t)))
        .filter(|(_, u)| !u.angry)
        .map(|(t, u)| format!("{t}: anger {:.2}", u.anger))
        .collect();
    assert!(wrong.is_empty(), "not angry:\n{}", wrong.join("\n"));
}

#[test]
fn calm_messages_stay_below_the_threshold() {
    let m = pack();
    let wrong: Vec<String> = CALM
        .iter()
        .map(|t| (t, m.classify(t)))
        .filter(|(_, u)| u.angry)
        .map(|(t, u)| format!("{t}: anger {:.2}", u.anger))
        .collect();
    assert!(wrong.is_empty(), "angry:\n{}", wrong.join("\n"));
}

#[test]
fn a_negation_cancels_the_cue_right_after_it() {
    let m = pack();
    assert!(m.classify("so annoying").anger > m.classify("not annoying").anger);
    assert_eq!(m.classify("not angry").anger, 0.0);
}
