//! The shop's data as the merchant's order system exports it.
//!
//! The field names and shapes are exactly those of the fixture files
//! (`demo/customers.jsonl`, `demo/orders.jsonl`): one JSON object per line.
//! Optional fields that the export leaves out are `#[serde(default)]` and are
//! left out again when serialised, so a record survives a round trip.

use serde::{Deserialize, Serialize};

use super::CommerceError;
use crate::Time;

/// A shopper of the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub customer_id: String,
    pub name: String,
    pub tier: Tier,
    pub phone: String,
    /// The language the shop has on file, e.g. `zh`, `zh-Hant`, `en`.
    pub language: String,
}

/// Membership tier; higher tiers jump the human queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    #[default]
    Normal,
    Vip,
    Svip,
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Shipped,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    /// The snake_case id used in the JSON and in flow conditions (`status == shipped`).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// One order with its items, parcel and refund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub customer_id: String,
    pub created_at: Time,
    pub status: OrderStatus,
    pub items: Vec<Item>,
    pub shipping_fee: f64,
    pub discount: f64,
    pub paid_amount: f64,
    /// What is still to pay on an unpaid order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_due: Option<f64>,
    /// `alipay`, `wechat_pay`, `credit_card`, … (`None` while unpaid).
    pub payment_method: Option<String>,
    pub paid_at: Option<Time>,
    /// Deadline to pay an unpaid order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_by: Option<Time>,
    /// Promised shipping date (pre-sale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_by: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Time>,
    pub address: Address,
    pub shipment: Option<Shipment>,
    pub refund: Option<Refund>,
}

impl Order {
    /// Whether the order can still be cancelled: it has not shipped and is
    /// not cancelled already.
    pub fn cancellable(&self) -> bool {
        matches!(self.status, OrderStatus::Paid | OrderStatus::PendingPayment)
    }

    /// Cancels the order at `at`, as [`Commerce::cancel_order`] records it:
    /// status `cancelled`, `cancelled_at`, and for a paid order a refund of
    /// the whole paid amount to the payment method, approved at once and
    /// `processing` (its id is `R` + the day + the order id's last six
    /// digits, as the merchant's system numbers them). An unpaid order gets
    /// no refund record. Errs, changing nothing, when the order has shipped
    /// or is already cancelled.
    ///
    /// [`Commerce::cancel_order`]: super::Commerce::cancel_order
    pub fn cancel(&mut self, at: Time) -> Result<(), CommerceError> {
        if !self.cancellable() {
            return Err(CommerceError::Refused(format!(
                "order {} is {} and can no longer be cancelled",
                self.order_id,
                self.status.as_str()
            )));
        }
        if self.status == OrderStatus::Paid {
            let digits = &self.order_id[self.order_id.len().saturating_sub(6)..];
            self.refund = Some(Refund {
                refund_id: format!("R{}{digits}", at.format("%Y%m%d")),
                kind: "cancel".to_string(),
                status: "processing".to_string(),
                amount: self.paid_amount,
                reason: "cancelled by the shopper".to_string(),
                requested_at: at,
                approved_at: Some(at),
                completed_at: None,
                expected_by: None,
                method: self
                    .payment_method
                    .clone()
                    .unwrap_or_else(|| "unknown".to_string()),
                note: None,
            });
        }
        self.status = OrderStatus::Cancelled;
        self.cancelled_at = Some(at);
        Ok(())
    }
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub name: String,
    pub qty: u32,
    pub unit_price: f64,
    /// e.g. `apparel`, `fresh_food`, `custom`: the return policy keys on it.
    pub category: String,
    /// `false` excludes the item from the 7-day no-reason return.
    pub returnable_7d: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warranty_months: Option<u32>,
}

/// Delivery address, coarse on purpose: no street, no name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub province: String,
    pub city: String,
    pub district: String,
}

/// The parcel of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_no: String,
    pub shipped_at: Time,
    pub promised_by: Time,
    pub delivered_at: Option<Time>,
    /// Carrier scans, oldest first.
    pub events: Vec<ScanEvent>,
}

/// One carrier scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanEvent {
    pub at: Time,
    pub location: String,
    /// The carrier's own words, e.g. `已到达`, `派送中`, `异常:外包装破损`.
    pub status: String,
}

/// A refund on an order (cancellation or return).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    pub refund_id: String,
    /// `cancel`, `return`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// `pending`, `approved`, `processing`, `completed`, `rejected`, …
    pub status: String,
    pub amount: f64,
    pub reason: String,
    pub requested_at: Time,
    pub approved_at: Option<Time>,
    pub completed_at: Option<Time>,
    pub expected_by: Option<Time>,
    /// Where the money goes back: the payment method id.
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
