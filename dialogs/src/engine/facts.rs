//! Facts about an order at a moment: what templates say and branches test.
//!
//! Every fact is a string (money with two decimals, dates in the language's
//! `format.date`). The list is documented in `pack/README.md`.

use chrono::{Duration, Months};
use intents::Lang;

use crate::{Customer, Order, Pack, Time, Vars};

/// Every fact [`order_facts`] can set (which ones it does depends on the
/// order: a parcel, a refund…). `check` allows these in the templates and
/// conditions of flows that look an order up.
pub(crate) const ORDER_FACTS: &[&str] = &[
    "order_id",
    "status",
    "status_text",
    "item",
    "items",
    "item_count",
    "created_at",
    "paid_amount",
    "shipping_fee",
    "discount",
    "goods_amount",
    "amount_due",
    "payment_method",
    "method_text",
    "refund_days",
    "city",
    "pay_by",
    "pay_overdue",
    "ship_by",
    "ship_overdue",
    "cancelled_at",
    "has_shipment",
    "carrier",
    "carrier_text",
    "tracking_no",
    "shipped_at",
    "promised_by",
    "days_late",
    "hours_since_scan",
    "days_since_scan",
    "last_scan_place",
    "last_scan_time",
    "last_scan_status",
    "delivered_at",
    "scan",
    "has_refund",
    "refund.id",
    "refund.kind",
    "refund.status",
    "refund.status_text",
    "refund.amount",
    "refund.reason",
    "refund.method",
    "refund.method_text",
    "refund.requested_at",
    "refund.days",
    "refund.expected_by",
    "refund.completed_at",
    "refund.note",
    "refund.withheld",
    "refund.partial",
    "return_excluded",
    "excluded_item",
    "excluded_category_text",
    "has_warranty",
    "delivered",
    "warranty_item",
    "warranty_months",
    "warranty_until",
    "under_warranty",
    "return_until",
    "return_open",
    "return_days_left",
    "exchange_until",
    "exchange_open",
];

/// Facts every turn has, besides `policy.*`: the shopper and the message.
pub(crate) const TURN_FACTS: &[&str] = &[
    "customer.name",
    "customer.tier",
    "customer.tier_text",
    "message",
    "angry",
];

/// Facts about `order` at `now`, named for templates and conditions: the
/// whole sheet (the turn asks [`order_facts_where`] for what it reads).
#[cfg(test)]
pub(crate) fn order_facts(pack: &Pack, lang: Lang, order: &Order, now: Time) -> Vars {
    order_facts_where(pack, lang, order, now, &|_| true)
}

/// The facts of [`order_facts`] whose names `wanted` accepts, and only
/// those computed: a reply reads a handful of the ~60 facts, and dates,
/// money and display names each cost a formatting and an allocation.
/// Every wanted fact has exactly the value `order_facts` gives it.
pub(crate) fn order_facts_where(
    pack: &Pack,
    lang: Lang,
    order: &Order,
    now: Time,
    wanted: &dyn Fn(&str) -> bool,
) -> Vars {
    let mut f = Facts::new(pack, lang, wanted);
    let policy = pack.policy();
    f.set("order_id", &order.order_id);
    f.set("status", order.status.as_str());
    f.name("status_text", "status_name", order.status.as_str());
    f.set_with("item", || {
        order
            .items
            .first()
            .map(|i| i.name.clone())
            .unwrap_or_default()
    });
    f.set_with("items", || {
        let names: Vec<&str> = order.items.iter().map(|i| i.name.as_str()).collect();
        names.join(" + ")
    });
    f.set_with("item_count", || {
        order.items.iter().map(|i| i.qty).sum::<u32>().to_string()
    });
    f.datetime("created_at", &order.created_at);
    f.money("paid_amount", order.paid_amount);
    f.money("shipping_fee", order.shipping_fee);
    f.money("discount", order.discount);
    let goods: f64 = order
        .items
        .iter()
        .map(|i| i.unit_price * f64::from(i.qty))
        .sum();
    f.money("goods_amount", goods);
    f.money(
        "amount_due",
        order
            .amount_due
            .unwrap_or(goods + order.shipping_fee - order.discount),
    );
    let method = order.payment_method.as_deref().unwrap_or("unknown");
    f.set("payment_method", method);
    f.name("method_text", "method_name", method);
    f.set("refund_days", policy.refund_days(method));
    f.set("city", &order.address.city);
    if let Some(t) = order.pay_by {
        f.datetime("pay_by", &t);
        f.flag("pay_overdue", now > t);
    }
    if let Some(t) = order.ship_by {
        f.date("ship_by", &t);
        f.flag("ship_overdue", now > t);
    }
    if let Some(t) = order.cancelled_at {
        f.datetime("cancelled_at", &t);
    }
    shipment_facts(&mut f, order, now);
    refund_facts(&mut f, order);
    after_sale_facts(&mut f, order, now);
    f.vars
}

fn shipment_facts(f: &mut Facts, order: &Order, now: Time) {
    let policy = &f.pack.policy().delivery;
    let Some(s) = &order.shipment else {
        f.flag("has_shipment", false);
        return;
    };
    f.flag("has_shipment", true);
    f.set("carrier", &s.carrier);
    f.name("carrier_text", "carrier_name", &s.carrier);
    f.set("tracking_no", &s.tracking_no);
    f.datetime("shipped_at", &s.shipped_at);
    f.date("promised_by", &s.promised_by);
    f.set_with("days_late", || {
        let promised_day = s.promised_by.date_naive();
        let late_days = match s.delivered_at {
            Some(at) => {
                (at.with_timezone(s.promised_by.offset()).date_naive() - promised_day).num_days()
            }
            None if now > s.promised_by => {
                (now.with_timezone(s.promised_by.offset()).date_naive() - promised_day).num_days()
            }
            None => 0,
        };
        late_days.max(0).to_string()
    });
    let last = s.events.last();
    let last_at = last.map_or(s.shipped_at, |e| e.at);
    let hours = (now - last_at).num_hours().max(0);
    f.set_with("hours_since_scan", || hours.to_string());
    f.set_with("days_since_scan", || (hours / 24).to_string());
    if let Some(e) = last {
        f.set("last_scan_place", &e.location);
        f.datetime("last_scan_time", &e.at);
        f.set("last_scan_status", &e.status);
    }
    let says = |words: &[String]| {
        last.is_some_and(|e| words.iter().any(|w| e.status.contains(w.as_str())))
    };
    if let Some(at) = s.delivered_at {
        f.datetime("delivered_at", &at);
    }
    if !f.wants("scan") {
        return;
    }
    let scan = if s.delivered_at.is_some() {
        "delivered"
    } else if says(&policy.exception_words) {
        "exception"
    } else if hours >= policy.no_scan_lost_hours {
        "lost"
    } else if says(&policy.out_for_delivery_words) {
        "out_for_delivery"
    } else {
        "in_transit"
    };
    f.set("scan", scan);
}

fn refund_facts(f: &mut Facts, order: &Order) {
    let Some(r) = &order.refund else {
        f.flag("has_refund", false);
        return;
    };
    f.flag("has_refund", true);
    f.set("refund.id", &r.refund_id);
    f.set("refund.kind", &r.kind);
    f.set("refund.status", &r.status);
    f.name("refund.status_text", "refund_status_name", &r.status);
    f.money("refund.amount", r.amount);
    f.set("refund.reason", &r.reason);
    f.set("refund.method", &r.method);
    f.name("refund.method_text", "method_name", &r.method);
    f.date("refund.requested_at", &r.requested_at);
    f.set("refund.days", f.pack.policy().refund_days(&r.method));
    // A refund the back-end has just recorded has no date yet: the
    // policy's timing for its method gives one.
    if f.wants("refund.expected_by") {
        let expected = r.expected_by.or_else(|| {
            let from = r.approved_at.unwrap_or(r.requested_at);
            f.pack.policy().refund_expected_by(&r.method, from)
        });
        if let Some(t) = expected {
            f.date("refund.expected_by", &t);
        }
    }
    if let Some(t) = r.completed_at {
        f.datetime("refund.completed_at", &t);
    }
    if let Some(note) = &r.note {
        f.set("refund.note", note);
    }
    let withheld = (order.paid_amount - r.amount).max(0.0);
    f.money("refund.withheld", withheld);
    f.flag("refund.partial", withheld > 0.005);
}

fn after_sale_facts(f: &mut Facts, order: &Order, now: Time) {
    let policy = f.pack.policy();
    let excluded = order
        .items
        .iter()
        .find(|i| !i.returnable_7d || policy.returns.excluded_categories.contains(&i.category));
    f.flag("return_excluded", excluded.is_some());
    if let Some(item) = excluded {
        f.set("excluded_item", &item.name);
        f.name("excluded_category_text", "category_name", &item.category);
    }
    let warranty = order
        .items
        .iter()
        .find_map(|i| i.warranty_months.map(|m| (i, m)));
    f.flag("has_warranty", warranty.is_some());
    let delivered = order.shipment.as_ref().and_then(|s| s.delivered_at);
    f.flag("delivered", delivered.is_some());
    if let Some((item, months)) = warranty {
        f.set("warranty_item", &item.name);
        f.set_with("warranty_months", || months.to_string());
        let from = delivered.unwrap_or(order.created_at);
        if let Some(until) = from.checked_add_months(Months::new(months)) {
            f.long_date("warranty_until", &until);
            f.flag("under_warranty", now <= until);
        }
    }
    let Some(at) = delivered else {
        return;
    };
    let return_until = at + Duration::days(policy.returns.window_days);
    // To the minute: "21日前" reads as "by the 20th" to many shoppers.
    f.datetime("return_until", &return_until);
    f.flag("return_open", now <= return_until);
    f.set_with("return_days_left", || {
        let left =
            (return_until.date_naive() - now.with_timezone(at.offset()).date_naive()).num_days();
        left.max(0).to_string()
    });
    let exchange_until = at + Duration::days(policy.exchange.window_days);
    f.datetime("exchange_until", &exchange_until);
    f.flag("exchange_open", now <= exchange_until);
}

/// Facts about the shopper.
pub(crate) fn customer_facts(pack: &Pack, lang: Lang, customer: &Customer, vars: &mut Vars) {
    let mut f = Facts::new(pack, lang, &|_| true);
    let tier = serde_json::to_value(customer.tier)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    f.set("customer.name", &customer.name);
    f.name("customer.tier_text", "tier_name", &tier);
    f.set("customer.tier", &tier);
    vars.extend(f.vars);
}

/// A fact sheet being filled, with the pack's formats for one language.
/// Facts that `wanted` refuses are neither computed nor set.
struct Facts<'a> {
    pack: &'a Pack,
    lang: Lang,
    wanted: &'a dyn Fn(&str) -> bool,
    vars: Vars,
}

impl<'a> Facts<'a> {
    fn new(pack: &'a Pack, lang: Lang, wanted: &'a dyn Fn(&str) -> bool) -> Self {
        Facts {
            pack,
            lang,
            wanted,
            vars: Vars::new(),
        }
    }

    fn wants(&self, key: &str) -> bool {
        (self.wanted)(key)
    }

    fn set(&mut self, key: &str, value: &str) {
        if self.wants(key) {
            self.vars.insert(key.to_string(), value.to_string());
        }
    }

    fn set_with(&mut self, key: &str, value: impl FnOnce() -> String) {
        if self.wants(key) {
            self.vars.insert(key.to_string(), value());
        }
    }

    fn flag(&mut self, key: &str, value: bool) {
        self.set(key, if value { "true" } else { "false" });
    }

    fn money(&mut self, key: &str, value: f64) {
        self.set_with(key, || format!("{value:.2}"));
    }

    /// `key` = the pack's display name `<group>.<id>`, or the id itself.
    fn name(&mut self, key: &str, group: &str, id: &str) {
        let (pack, lang) = (self.pack, self.lang);
        self.set_with(key, || {
            pack.template(&format!("{group}.{id}"), lang)
                .unwrap_or(id)
                .to_string()
        });
    }

    fn date(&mut self, key: &str, t: &Time) {
        self.format(key, t, "format.date", "%Y-%m-%d");
    }

    fn long_date(&mut self, key: &str, t: &Time) {
        self.format(key, t, "format.long_date", "%Y-%m-%d");
    }

    fn datetime(&mut self, key: &str, t: &Time) {
        self.format(key, t, "format.datetime", "%Y-%m-%d %H:%M");
    }

    fn format(&mut self, key: &str, t: &Time, format: &str, default: &str) {
        let (pack, lang) = (self.pack, self.lang);
        self.set_with(key, || {
            t.format(pack.template(format, lang).unwrap_or(default))
                .to_string()
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ORDER_FACTS` is what `check` allows: it must be exactly what
    /// `order_facts` sets, over orders in every situation (the demo shop
    /// has one of each).
    #[test]
    fn order_facts_lists_every_fact_set() {
        let pack = Pack::embedded().unwrap();
        let now: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        let mut set = std::collections::BTreeSet::new();
        for line in include_str!("../../../demo/orders.jsonl").lines() {
            let order: Order = serde_json::from_str(line).unwrap();
            for lang in [Lang::Zh, Lang::En] {
                set.extend(order_facts(&pack, lang, &order, now).into_keys());
            }
        }
        let listed: std::collections::BTreeSet<String> =
            ORDER_FACTS.iter().map(|s| s.to_string()).collect();
        assert_eq!(set, listed);
    }

    /// Asking for some facts gives exactly those of the full sheet.
    #[test]
    fn wanted_facts_are_the_full_sheets_values() {
        let pack = Pack::embedded().unwrap();
        let now: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        for line in include_str!("../../../demo/orders.jsonl").lines() {
            let order: Order = serde_json::from_str(line).unwrap();
            for lang in [Lang::Zh, Lang::En] {
                let all = order_facts(&pack, lang, &order, now);
                for name in ORDER_FACTS.iter().chain(&["nonsense"]) {
                    let one = order_facts_where(&pack, lang, &order, now, &|k| k == *name);
                    let expected: Vars = all
                        .iter()
                        .filter(|(k, _)| k == name)
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    assert_eq!(one, expected, "{name} of {}", order.order_id);
                }
            }
        }
    }
}
