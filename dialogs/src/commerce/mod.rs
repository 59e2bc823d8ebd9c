//! The shop's orders, as the dialogs see them: model types and the
//! [`Commerce`] trait that is the crate's only window on the world.

mod memory;
mod model;

use crate::Time;
pub use memory::MemoryShop;

pub use model::{Address, Customer, Item, Order, OrderStatus, Refund, ScanEvent, Shipment, Tier};

/// The merchant's customers and orders: reading them, and the one change a
/// shopper can make from the chat, cancelling an order.
///
/// `dialogs` uses it without knowing where the data lives; `bot` implements
/// it over its store or an HTTP connector, tests use [`MemoryShop`].
pub trait Commerce: Send + Sync {
    /// The customer, if the shop knows them.
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError>;
    /// The customer's orders, newest first.
    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError>;
    /// Any order by id, whoever it belongs to: callers check ownership.
    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError>;
    /// Cancels an order that has not shipped. The back-end records the cancellation and the refund
    /// (status "processing", amount = paid_amount, method = payment_method, requested_at = approved_at = at)
    /// and returns the order as it now is. Refuses (Err) an order that has shipped or is already cancelled.
    ///
    /// An order still waiting for payment is cancelled without a refund
    /// record: nothing was paid, so nothing goes back. [`Order::cancel`] is
    /// this change on the record, for back-ends that keep orders themselves.
    /// Callers check that the order is the shopper's before asking.
    fn cancel_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError>;

    /// Why the back-end cannot answer now, known without asking it (a
    /// remote order system's circuit breaker is open), for a readiness
    /// probe; `None` when it can be asked. The default knows of no reason.
    fn unavailable(&self) -> Option<String> {
        None
    }
}

/// Puts a customer's orders in the order [`Commerce::orders_of`] promises:
/// newest first, ties by order id (also newest first), for back-ends that
/// do not keep them sorted.
pub fn newest_first(orders: &mut [Order]) {
    orders.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.order_id.cmp(&a.order_id))
    });
}

/// Why the commerce back-end gave no answer to use.
#[derive(Debug, thiserror::Error)]
pub enum CommerceError {
    /// The back-end failed (down, slow, answering nonsense), or its data
    /// could not be read.
    #[error("commerce back-end: {0}")]
    Failed(String),
    /// The back-end works and said no: it will not make this change (a
    /// cancellation its own rules forbid, though the order's facts allow
    /// it: a warehouse lock, a fraud hold). Not a failure of the back-end.
    #[error("commerce back-end refused: {0}")]
    Refused(String),
}

impl CommerceError {
    /// Whether the back-end refused rather than failed.
    pub fn is_refusal(&self) -> bool {
        matches!(self, CommerceError::Refused(_))
    }

    /// What went wrong, without the kind.
    pub fn message(&self) -> &str {
        match self {
            CommerceError::Failed(m) | CommerceError::Refused(m) => m,
        }
    }
}
