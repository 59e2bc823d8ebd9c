//! Choosing among offered orders by typing their place: "第二个", "the 2nd",
//! "最后一个". The words are the pack's `order.pick.<n>` / `order.pick.last`
//! texts; the place is that of the buttons as they were shown.

use super::resume::contains_word;

/// The index among `offered` orders that `normalized` picks by its place:
/// exactly one place must be named ("第一个还是第二个" picks none).
pub(crate) fn ordinal(
    picks: &[(Option<usize>, Vec<String>)],
    normalized: &str,
    offered: usize,
) -> Option<usize> {
    if offered == 0 {
        return None;
    }
    let text = normalized.to_lowercase();
    // What is left once punctuation and spaces go: "2" alone, or "2."
    let bare: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut chosen: Option<usize> = None;
    for (place, words) in picks {
        let said = |w: &String| {
            if w.bytes().all(|b| b.is_ascii_digit()) {
                // A number alone picks; inside a sentence it is a quantity
                // ("我买了2个", "收到2天了"), unless written as a place (第2).
                bare == *w || text.contains(&format!("第{w}"))
            } else {
                contains_word(&text, w)
            }
        };
        if !words.iter().any(said) {
            continue;
        }
        let index = match place {
            Some(n) if *n <= offered => n - 1,
            Some(_) => continue,
            None => offered - 1,
        };
        match chosen {
            Some(other) if other != index => return None,
            _ => chosen = Some(index),
        }
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks() -> Vec<(Option<usize>, Vec<String>)> {
        crate::Pack::embedded().unwrap().order_picks()
    }

    fn pick(text: &str, offered: usize) -> Option<usize> {
        ordinal(&picks(), &intents::normalize(text), offered)
    }

    #[test]
    fn places_in_chinese_and_english() {
        assert_eq!(pick("第二個", 2), Some(1));
        assert_eq!(pick("第一个", 2), Some(0));
        assert_eq!(pick("要第三单", 3), Some(2));
        assert_eq!(pick("最后一个吧", 3), Some(2));
        assert_eq!(pick("2", 3), Some(1));
        assert_eq!(pick("第2个", 3), Some(1));
        assert_eq!(pick("the second one", 3), Some(1));
        assert_eq!(pick("the 2nd", 3), Some(1));
        assert_eq!(pick("first", 3), Some(0));
        assert_eq!(pick("the last one", 2), Some(1));
    }

    #[test]
    fn no_place_or_a_place_not_offered_picks_nothing() {
        assert_eq!(pick("第三个", 2), None);
        assert_eq!(pick("第一个还是第二个", 2), None);
        assert_eq!(pick("保温杯那个", 2), None);
        assert_eq!(pick("42码的", 3), None);
        assert_eq!(pick("第二个", 0), None);
    }

    #[test]
    fn a_number_in_a_sentence_is_a_quantity_not_a_place() {
        assert_eq!(pick("我买了2个,取消一个行吗", 2), None);
        assert_eq!(pick("退2件", 2), None);
        assert_eq!(pick("2個都要退", 2), None);
        assert_eq!(pick("收到2天了", 2), None);
        assert_eq!(pick("2", 2), Some(1));
        assert_eq!(pick(" 2 。", 2), Some(1));
        assert_eq!(pick("第2个", 2), Some(1));
    }
}
