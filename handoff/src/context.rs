//! What an agent sees when taking over: who, which orders, why, and the
//! transcript so far.

use std::collections::BTreeMap;

use dialogs::{Customer, Order, Tier, Time};
use serde::{Deserialize, Serialize};

use crate::{Message, PastHandoff, Reason};

/// Everything an agent needs to take over without asking the shopper again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Context {
    /// The conversation.
    pub conversation_id: String,
    /// The shopper, when the shop knows them.
    pub customer: Option<Customer>,
    /// Why it was handed over.
    pub reasons: Vec<Reason>,
    /// The orders the conversation is about.
    pub orders: Vec<Order>,
    /// One line for the queue view, e.g. `VIP 李娜 · 订单 E20261111000123 · 愤怒 0.82 · 要求投诉`.
    pub summary: String,
    /// The messages so far. Not frozen at enqueue: empty in stored queue
    /// entries (and then left out of the JSON), filled when read through
    /// [`Store::context`](crate::Store::context).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transcript: Vec<Message>,
    /// Standard replies (标准话术) the content pack offers for this case.
    #[serde(default)]
    pub suggested_replies: Vec<String>,
    /// Lines written for the agent about this hand-over: the content
    /// pack's note for the situation (e.g. `订单 E20261111000123 超过承诺发货时间
    /// 11月18日 仍未发货`), what the order system said when it failed or
    /// refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The conversation's earlier hand-overs, oldest first: the newest
    /// [`KEPT_HANDOFFS`](crate::KEPT_HANDOFFS) of them. Kept in the queue
    /// entry by the [`Store`](crate::Store), which carries them from one
    /// hand-over to the next; whatever a caller puts here is replaced.
    #[serde(default)]
    pub history: Vec<PastHandoff>,
    /// How many hand-overs older than `history` were dropped to keep it bounded.
    #[serde(default)]
    pub history_dropped: u64,
    /// A ticket's promise: when the shopper was told a person answers
    /// ([`Route::Ticket`](crate::Route)'s `answer_by`, or a callback's). Its
    /// expected wait runs to this time ([`ticket_wait`](crate::ticket_wait)).
    /// `None` in the live queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_by: Option<Time>,
}

/// Assembles a [`Context`] and writes its summary with the default labels.
pub fn build_context(
    customer: Option<Customer>,
    reasons: &[Reason],
    orders: Vec<Order>,
    transcript: Vec<Message>,
    conversation_id: &str,
) -> Context {
    let summary = SummaryLabels::default().summarize(customer.as_ref(), reasons, &orders);
    Context {
        conversation_id: conversation_id.to_owned(),
        customer,
        reasons: reasons.to_vec(),
        orders,
        summary,
        transcript,
        suggested_replies: Vec::new(),
        notes: Vec::new(),
        history: Vec::new(),
        history_dropped: 0,
        answer_by: None,
    }
}

/// The words of the agent's one-line summary: the only display text this
/// crate holds, kept together so that a content pack can supply them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryLabels {
    /// Put between the parts of the line.
    pub separator: String,
    /// Before a VIP's name.
    pub vip: String,
    /// Before an SVIP's name.
    pub svip: String,
    /// Before the order ids.
    pub order: String,
    /// Before the anger score.
    pub anger: String,
    /// For [`Reason::AskedForHuman`].
    pub asked_for_human: String,
    /// For [`Reason::Complaint`].
    pub complaint: String,
    /// For [`Reason::NotUnderstood`]; `{turns}` is replaced by the count.
    pub not_understood: String,
    /// For [`Reason::Situation`], by code; an unlisted code is shown as is.
    pub situations: BTreeMap<String, String>,
    /// For [`Reason::RisingAnger`].
    pub rising_anger: String,
    /// For [`Reason::RepeatedIntent`]; `{turns}` is replaced by the count.
    pub repeated: String,
}

impl Default for SummaryLabels {
    fn default() -> SummaryLabels {
        // A content pack supplies its own (the bot reads the pack's
        // `[summary]` texts); these serve a caller without one.
        let situations = [("lost_parcel", "疑似丢件"), ("damaged_parcel", "包裹破损")];
        SummaryLabels {
            separator: " · ".to_owned(),
            vip: "VIP".to_owned(),
            svip: "SVIP".to_owned(),
            order: "订单".to_owned(),
            anger: "愤怒".to_owned(),
            asked_for_human: "要求人工".to_owned(),
            complaint: "要求投诉".to_owned(),
            not_understood: "{turns} 轮未理解".to_owned(),
            rising_anger: "情绪升级".to_owned(),
            repeated: "同一问题问了 {turns} 次".to_owned(),
            situations: situations
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }
}

impl SummaryLabels {
    /// The one-line summary: tier and name, orders, anger, then the other reasons.
    pub fn summarize(
        &self,
        customer: Option<&Customer>,
        reasons: &[Reason],
        orders: &[Order],
    ) -> String {
        let mut parts = Vec::new();
        if let Some(c) = customer {
            parts.push(match c.tier {
                Tier::Normal => c.name.clone(),
                Tier::Vip => format!("{} {}", self.vip, c.name),
                Tier::Svip => format!("{} {}", self.svip, c.name),
            });
        }
        if !orders.is_empty() {
            let ids: Vec<&str> = orders.iter().map(|o| o.order_id.as_str()).collect();
            parts.push(format!("{} {}", self.order, ids.join(", ")));
        }
        for reason in reasons {
            if let Reason::Anger { score, .. } = reason {
                parts.push(format!("{} {score:.2}", self.anger));
            }
        }
        for reason in reasons {
            match reason {
                Reason::AskedForHuman => parts.push(self.asked_for_human.clone()),
                Reason::Complaint => parts.push(self.complaint.clone()),
                Reason::NotUnderstood { turns } => {
                    parts.push(self.not_understood.replace("{turns}", &turns.to_string()))
                }
                Reason::Situation { code } => {
                    parts.push(self.situations.get(code).unwrap_or(code).clone())
                }
                Reason::RisingAnger { .. } => parts.push(self.rising_anger.clone()),
                Reason::RepeatedIntent { turns, .. } => {
                    parts.push(self.repeated.replace("{turns}", &turns.to_string()))
                }
                Reason::Anger { .. } => {}
            }
        }
        parts.join(&self.separator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LI_NA: &str = r#"{"customer_id":"C1001","name":"李娜","tier":"vip","phone":"13812345678","language":"zh"}"#;
    const LATE_ORDER: &str = r#"{"order_id":"E20261111000123","customer_id":"C1001","created_at":"2026-11-11T00:05:12+08:00","status":"shipped","items":[],"shipping_fee":0.00,"discount":50.00,"paid_amount":549.00,"payment_method":"alipay","paid_at":"2026-11-11T00:05:40+08:00","address":{"province":"上海市","city":"上海市","district":"浦东新区"},"shipment":null,"refund":null}"#;

    #[test]
    fn summary_puts_who_what_and_why_on_one_line() {
        let customer: Customer = serde_json::from_str(LI_NA).unwrap();
        let order: Order = serde_json::from_str(LATE_ORDER).unwrap();
        let reasons = [
            Reason::Complaint,
            Reason::Anger {
                score: 0.82,
                threshold: 0.45,
            },
        ];
        let context = build_context(Some(customer), &reasons, vec![order], Vec::new(), "c1");
        assert_eq!(
            context.summary,
            "VIP 李娜 · 订单 E20261111000123 · 愤怒 0.82 · 要求投诉"
        );
        assert_eq!(context.conversation_id, "c1");
        assert_eq!(context.reasons, reasons);
    }

    #[test]
    fn summary_of_an_unknown_shopper_names_only_the_reasons() {
        #[rustfmt::skip]
        let table: Vec<(Vec<Reason>, &str)> = vec![
            (vec![], ""),
            (vec![Reason::AskedForHuman], "要求人工"),
            (vec![Reason::NotUnderstood { turns: 3 }], "3 轮未理解"),
            (vec![Reason::Situation { code: "lost_parcel".into() }], "疑似丢件"),
            (vec![Reason::Situation { code: "wrong_size".into() }], "wrong_size"),
        ];
        for (reasons, want) in table {
            assert_eq!(
                SummaryLabels::default().summarize(None, &reasons, &[]),
                want
            );
        }
    }
}
