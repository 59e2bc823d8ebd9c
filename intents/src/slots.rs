//! Slot extraction: order ids, tracking numbers, amounts and phone numbers.
//!
//! Runs on normalised text (ASCII digits, lower case), so full-width digits
//! and lower-case prefixes are found too; values come back in canonical
//! upper-case form. `(?-u:\b)` is an ASCII word boundary: a CJK character
//! next to an id counts as a boundary ("订单E20261111000123到哪了"), a letter
//! or digit does not (no phone number inside an order id).

use regex::Regex;

use crate::{Error, Slots};

/// The compiled slot patterns (built once in [`crate::Matcher::new`]).
#[derive(Debug)]
pub(crate) struct SlotFinder {
    order_id: Regex,
    /// Anything shaped like an order id: `e` + 8 to 20 digits, or 13 to 16
    /// bare digits; those that are not `order_id` are typos of one. So is a
    /// carrier's prefix with a digit too many or too few (a waybill typo).
    order_id_like: Regex,
    tracking: Regex,
    amount: Regex,
    phone: Regex,
}

impl SlotFinder {
    pub(crate) fn new() -> Result<SlotFinder, Error> {
        let re = |p: &str| Regex::new(p).map_err(|e| Error::Pattern(e.to_string()));
        Ok(SlotFinder {
            order_id: re(r"(?-u:\b)e[0-9]{14}(?-u:\b)")?,
            order_id_like: re(
                r"(?-u:\b)(?:e[0-9]{8,20}|[0-9]{13,16}|(?:sf|zt|yt|yd|st|jdv)[0-9]{8,16})(?-u:\b)",
            )?,
            tracking: re(
                r"(?-u:\b)(?:sf[0-9]{13}|zt[0-9]{11,13}|yt[0-9]{13}|yd[0-9]{13}|st[0-9]{13}|jdv[0-9]{12})(?-u:\b)",
            )?,
            amount: re(concat!(
                r"(?:[¥$]|rmb|cny|usd)\s?(?P<pre>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?)",
                r"|(?-u:\b)(?P<post>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+(?:\.[0-9]{1,2})?)\s?",
                r"(?:元|块|塊|rmb|yuan|cny|dollars?|bucks?|usd)",
            ))?,
            phone: re(concat!(
                r"(?P<cn>(?:\+?86[- ]?)?(?-u:\b)1[3-9][0-9](?:[- ]?[0-9]{4}){2})(?-u:\b)",
                r"|(?P<intl>\+[1-9][0-9]{0,2}[- ]?\(?[0-9]{2,4}\)?(?:[- ]?[0-9]{2,4}){2,3})(?-u:\b)",
            ))?,
        })
    }

    /// Finds every slot in `normalized` text, in order of appearance, without duplicates.
    pub(crate) fn find(&self, normalized: &str) -> Slots {
        let mut slots = Slots::default();
        // Most messages have no digit; a fold rather than `any` so that the
        // check runs without a branch per byte.
        if !normalized
            .bytes()
            .fold(false, |any, b| any | b.is_ascii_digit())
        {
            return slots;
        }
        for m in self.order_id.find_iter(normalized) {
            push_unique(&mut slots.order_ids, m.as_str().to_ascii_uppercase());
        }
        for m in self.tracking.find_iter(normalized) {
            push_unique(&mut slots.tracking_numbers, m.as_str().to_ascii_uppercase());
        }
        for caps in self.amount.captures_iter(normalized) {
            let number = caps.name("pre").or_else(|| caps.name("post"));
            if let Some(value) =
                number.and_then(|n| n.as_str().replace(',', "").parse::<f64>().ok())
            {
                if !slots.amounts.contains(&value) {
                    slots.amounts.push(value);
                }
            }
        }
        for caps in self.phone.captures_iter(normalized) {
            let phone = match (caps.name("cn"), caps.name("intl")) {
                (Some(cn), _) => {
                    let digits = digits_of(cn.as_str());
                    // Canonical CN mobile: the 11 national digits.
                    digits[digits.len() - 11..].to_string()
                }
                (None, Some(intl)) => format!("+{}", digits_of(intl.as_str())),
                (None, None) => continue,
            };
            push_unique(&mut slots.phones, phone);
        }
        // A phone written with its country code (8613812345678) has the
        // length of a mistyped order id: what the phone pattern took is not one.
        // (The phones are looked for again only when something looks like an
        // order id: most messages have none.)
        let mut like = self.order_id_like.find_iter(normalized).peekable();
        if like.peek().is_none() {
            return slots;
        }
        let phones: Vec<_> = self
            .phone
            .find_iter(normalized)
            .map(|m| m.range())
            .collect();
        for m in like {
            let id = m.as_str().to_ascii_uppercase();
            let is_phone = phones
                .iter()
                .any(|p| p.start < m.end() && m.start() < p.end);
            if !is_phone && !slots.order_ids.contains(&id) && !slots.tracking_numbers.contains(&id)
            {
                push_unique(&mut slots.malformed_order_ids, id);
            }
        }
        slots
    }
}

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;

    fn find(text: &str) -> Slots {
        SlotFinder::new().unwrap().find(&normalize(text))
    }

    #[test]
    fn order_ids_inside_chinese_text() {
        let s = find("订单E20261111000123到哪了");
        assert_eq!(s.order_ids, ["E20261111000123"]);
        assert!(s.phones.is_empty() && s.amounts.is_empty());
        assert_eq!(
            find("ｅ２０２６１１１１０００４５６ 和 e20261112000789").order_ids,
            ["E20261111000456", "E20261112000789"]
        );
        assert!(
            find("E2026111100012").order_ids.is_empty(),
            "13 digits is not an order id"
        );
        assert!(
            find("E202611110001234").order_ids.is_empty(),
            "15 digits is not an order id"
        );
    }

    #[test]
    fn mistyped_order_ids_are_kept_apart() {
        let s = find("取消订单E2026111100155");
        assert!(s.order_ids.is_empty());
        assert_eq!(s.malformed_order_ids, ["E2026111100155"]);
        assert_eq!(
            find("取消订单20261111001555").malformed_order_ids,
            ["20261111001555"]
        );
        assert_eq!(
            find("e202611110015555 和 E20261111").malformed_order_ids,
            ["E202611110015555", "E20261111"]
        );
        let valid = find("E20261111001555");
        assert_eq!(valid.order_ids, ["E20261111001555"]);
        assert!(valid.malformed_order_ids.is_empty());
        // A waybill with a digit missing is a typo too, never another parcel.
        assert_eq!(
            find("ZT7531024689到哪了").malformed_order_ids,
            ["ZT7531024689"]
        );
        assert_eq!(
            find("track JDV00998877665").malformed_order_ids,
            ["JDV00998877665"]
        );
        for other in [
            "SF1402839475820",
            "ZT75310246891",
            "JDV001234567890",
            "+86 13812345678",
            "+8613812345678",
            "13812345678",
            "1,299元",
            "E2026",
        ] {
            assert!(find(other).malformed_order_ids.is_empty(), "{other}");
        }
    }

    #[test]
    fn tracking_numbers_per_carrier() {
        let s = find("顺丰SF1402839475820,中通zt75310246891,圆通YT8800112233445");
        assert_eq!(
            s.tracking_numbers,
            ["SF1402839475820", "ZT75310246891", "YT8800112233445"]
        );
        let s = find("YD4300998877665 ST7700665544332 JDV001234567890 ZT7531024689123");
        assert_eq!(
            s.tracking_numbers,
            [
                "YD4300998877665",
                "ST7700665544332",
                "JDV001234567890",
                "ZT7531024689123"
            ]
        );
        assert!(
            find("SF140283947582").tracking_numbers.is_empty(),
            "SF needs 13 digits"
        );
        assert!(find("JDV0012345678901").tracking_numbers.is_empty());
    }

    #[test]
    fn amounts_in_many_spellings() {
        assert_eq!(find("只退了89元").amounts, [89.0]);
        assert_eq!(find("¥89.5").amounts, [89.5]);
        assert_eq!(find("￥99 还是 89块").amounts, [99.0, 89.0]);
        assert_eq!(find("refund was $12.50 not 20 USD").amounts, [12.5, 20.0]);
        assert_eq!(find("89 yuan").amounts, [89.0]);
        assert_eq!(find("1,299元").amounts, [1299.0]);
        assert!(find("E20261111000123").amounts.is_empty());
    }

    #[test]
    fn phones_cn_and_international() {
        assert_eq!(find("手机13812345678换绑").phones, ["13812345678"]);
        assert_eq!(find("+86 138-1234-5678").phones, ["13812345678"]);
        assert_eq!(find("call me at +1 415-555-0123").phones, ["+14155550123"]);
        assert!(find("E20261111000123").phones.is_empty());
        assert!(find("12315").phones.is_empty());
    }
}
