//! Naming an order by what was bought: "绘本那单", "my gloves".
//!
//! A message names an item when, after normalisation and without the pack's
//! generic words (`订单`, `快递`, `order`…), it shares with the item's title
//!
//! - two Han characters in a row (`绘本` in `儿童绘本 10册套装`, `保温杯` in
//!   `定製刻字保溫杯`: titles are normalised too), or
//! - an English word of four letters or more, singular or plural (`gloves`
//!   in `Leather gloves, brown`), or
//! - one of the pack's short forms (`[items.aliases]`: `鞋` for
//!   `运动鞋`, `crab` for `大闸蟹`).
//!
//! Titles come from the order data; the generic words and short forms from
//! `pack.toml`'s `[items]`. Nothing here knows a product.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[items]` of `pack.toml`, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct ItemsSpec {
    /// Words that never name an item, even when a title has them.
    pub(crate) generic: Vec<String>,
    /// A word shoppers write → words of item titles it stands for.
    pub(crate) aliases: BTreeMap<String, Vec<String>>,
}

/// The compiled `[items]`: every word normalised once, at load.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemWords {
    generic_han: Vec<String>,
    generic_words: Vec<String>,
    aliases: Vec<(Term, Vec<Term>)>,
}

/// Shortest English word that counts as naming an item by itself.
const MIN_WORD: usize = 4;

/// A word or phrase as it is looked for: Chinese as a substring, English
/// as a run of whole words (stemmed, so singular and plural meet).
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Han(String),
    Words(Vec<String>),
}

/// A message or a title, normalised, ready to be searched.
struct Text {
    normalized: String,
    words: Vec<String>,
}

impl ItemWords {
    /// Compiles the spec; the words that normalise to nothing (a problem
    /// `check` reports) are left out.
    pub(crate) fn new(spec: &ItemsSpec) -> ItemWords {
        let mut words = ItemWords::default();
        for word in &spec.generic {
            match Term::of(word) {
                Some(Term::Han(han)) => words.generic_han.push(han),
                Some(Term::Words(w)) => words.generic_words.extend(w),
                None => {}
            }
        }
        for (key, targets) in &spec.aliases {
            let Some(key) = Term::of(key) else { continue };
            let targets: Vec<Term> = targets.iter().filter_map(|t| Term::of(t)).collect();
            if !targets.is_empty() {
                words.aliases.push((key, targets));
            }
        }
        words
    }

    /// Whether the `message` has one of the pack's short forms (鞋, 手套,
    /// gloves): it names some item, whether or not the shopper bought one.
    pub(crate) fn mentions_an_item(&self, message: &str) -> bool {
        let mut message = message.to_string();
        for word in &self.generic_han {
            message = message.replace(word.as_str(), " ");
        }
        let message = Text::of(&message);
        self.aliases.iter().any(|(key, _)| key.found_in(&message))
    }

    /// Whether the shopper's `message` (normalised by the matcher) names the
    /// item called `title` (as the order data has it).
    pub(crate) fn names(&self, message: &str, title: &str) -> bool {
        let mut message = message.to_string();
        for word in &self.generic_han {
            message = message.replace(word.as_str(), " ");
        }
        let mut message = Text::of(&message);
        message.words.retain(|w| !self.generic_words.contains(w));
        let title = Text::of(&intents::normalize(title));
        shares_han_pair(&message.normalized, &title.normalized)
            || message
                .words
                .iter()
                .filter(|w| w.chars().count() >= MIN_WORD)
                .any(|w| title.words.contains(w))
            || self.aliases.iter().any(|(key, targets)| {
                key.found_in(&message) && targets.iter().any(|t| t.found_in(&title))
            })
    }
}

/// The problem with a word of `[items]`, if any (for `check`).
pub(crate) fn word_problem(word: &str) -> Option<&'static str> {
    Term::of(word)
        .is_none()
        .then_some("is empty once normalised (no letter, digit or Han character)")
}

impl Term {
    fn of(word: &str) -> Option<Term> {
        let normalized = intents::normalize(word);
        if normalized.chars().any(is_han) {
            return Some(Term::Han(normalized));
        }
        let words = Text::of(&normalized).words;
        (!words.is_empty()).then_some(Term::Words(words))
    }

    fn found_in(&self, text: &Text) -> bool {
        match self {
            Term::Han(han) => text.normalized.contains(han.as_str()),
            Term::Words(words) => text.words.windows(words.len()).any(|run| run == words),
        }
    }
}

impl Text {
    fn of(normalized: &str) -> Text {
        let words = normalized
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(stem)
            .collect();
        Text {
            normalized: normalized.to_string(),
            words,
        }
    }
}

/// The message has a piece of the title's Han words: three characters in a
/// row of one of them, or the last two of one. A Chinese noun's head comes
/// last (运动**鞋**, 电动**牙刷**, 儿童**绘本**), so two characters from the
/// front of a title word are a modifier that other words share: 电动 of
/// 电动车, 运动 of 我在运动 name nothing.
fn shares_han_pair(message: &str, title: &str) -> bool {
    let title: Vec<char> = title.chars().collect();
    title
        .split(|c| !is_han(*c))
        .filter(|run| run.len() >= 2)
        .any(|run| {
            let tail: String = run[run.len() - 2..].iter().collect();
            message.contains(&tail)
                || run
                    .windows(3)
                    .any(|three| message.contains(&three.iter().collect::<String>()))
        })
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}')
}

/// English singular: `gloves` → `glove`, `boxes` → `box`, `berries` →
/// `berry`; words with a digit are kept as written.
fn stem(word: &str) -> String {
    if word.len() <= 3 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    if let Some(base) = word.strip_suffix("ies") {
        return format!("{base}y");
    }
    for ending in ["ches", "shes", "sses", "xes", "zes"] {
        if word.ends_with(ending) {
            return word[..word.len() - 2].to_string();
        }
    }
    match word.strip_suffix('s') {
        Some(base) if !base.ends_with('s') && !base.ends_with('u') => base.to_string(),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> ItemWords {
        let spec: ItemsSpec = toml::from_str(
            r#"
            generic = ["订单", "快递", "包裹", "商品", "东西", "order", "package", "item"]
            [aliases]
            "鞋" = ["鞋"]
            "蟹" = ["蟹"]
            "杯" = ["杯"]
            "robot vacuum" = ["扫地机器人"]
            "shoe" = ["鞋"]
            "scarves" = ["scarf"]
            "#,
        )
        .unwrap();
        ItemWords::new(&spec)
    }

    fn names(message: &str, title: &str) -> bool {
        words().names(&intents::normalize(message), title)
    }

    #[test]
    fn two_han_characters_in_a_row_name_an_item() {
        assert!(names("绘本那单取消吧,不要了", "儿童绘本 10册套装"));
        assert!(names("我的运动鞋到哪了", "男士运动鞋 42码 灰色"));
        assert!(names("羽绒服能换个L码吗", "轻薄羽绒服 女款 M 黑色"));
        assert!(!names("羽绒服能换个L码吗", "加湿器 小型静音"));
        assert!(!names("绘本那单取消吧", "空气炸锅 5L 白色(预售)"));
    }

    #[test]
    fn two_characters_from_the_front_of_a_title_word_name_nothing() {
        // 电动 of 电动车 is not 电动牙刷; 运动 of 我在运动 is not 运动鞋.
        assert!(!names(
            "快递员骑电动车送的,显示签收了但我没收到",
            "电动牙刷"
        ));
        assert!(!names("我在运动,晚点再签收可以吗", "男士运动鞋 42码 灰色"));
        assert!(names("牙刷的退款到了没", "电动牙刷"));
        assert!(names("电动牙刷到了吗", "电动牙刷"));
        assert!(names("运动鞋呢", "男士运动鞋 42码 灰色"));
    }

    #[test]
    fn titles_and_messages_meet_in_simplified_characters() {
        assert!(names("保溫杯那個", "定製刻字保溫杯"));
        assert!(names("保温杯那个", "定製刻字保溫杯"));
        assert!(names("耳机坏了", "無線藍牙耳機 Pro"));
        assert!(!names("保溫杯那個", "無線藍牙耳機 Pro"));
    }

    #[test]
    fn generic_words_name_nothing() {
        // `订单` alone is shared by a title that happens to have it.
        assert!(!names("我的订单到哪了", "订单打印机"));
        assert!(!names("快递怎么还没到", "快递盒 10个"));
        assert!(!names("where is my order", "Order book, blue"));
        assert!(names("where is my order book", "Order book, blue"));
    }

    #[test]
    fn one_shared_character_is_not_enough_without_a_short_form() {
        assert!(!names("我的鞋", "男士衬衫"));
        assert!(names("鞋子到了吗", "男士运动鞋 42码 灰色"));
        assert!(names("螃蟹不新鲜", "阳澄湖大闸蟹 8只装"));
        assert!(names("杯子能退吗", "定製刻字保溫杯"));
        assert!(!names("我想退货", "男士运动鞋 42码 灰色"));
    }

    #[test]
    fn english_words_match_whole_singular_or_plural() {
        assert!(names(
            "i want to return the gloves",
            "Leather gloves, brown"
        ));
        assert!(names("is my glove here", "Leather gloves, brown"));
        assert!(!names("i want to return the gloves", "Wool scarf, grey"));
        assert!(names("the scarf please", "Wool scarf, grey"));
        assert!(names("both scarves", "Wool scarf, grey"));
        // Short English words are too common to name an item.
        assert!(!names("the car", "Toy car, red"));
        assert!(!names("glovebox", "Leather gloves, brown"));
    }

    #[test]
    fn short_forms_cross_languages() {
        assert!(names("where is my robot vacuum", "扫地机器人 X9"));
        assert!(names("my shoes", "男士运动鞋 42码 灰色"));
        assert!(!names("my robot", "扫地机器人 X9"));
    }

    #[test]
    fn singular_forms() {
        assert_eq!(stem("gloves"), "glove");
        assert_eq!(stem("boxes"), "box");
        assert_eq!(stem("berries"), "berry");
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("status"), "status");
        assert_eq!(stem("x9s"), "x9s");
    }
}
