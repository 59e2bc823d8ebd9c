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
    let mut chosen: Option<usize> = None;
    for (place, words) in picks {
        if !words.iter().any(|w| contains_word(&text, w)) {
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
}
