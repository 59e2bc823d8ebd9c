//! The shop's orders, as the dialogs see them: model types and the
//! [`Commerce`] trait that is the crate's only window on the world.

mod memory;
mod model;

pub use memory::MemoryShop;
pub use model::{Address, Customer, Item, Order, OrderStatus, Refund, ScanEvent, Shipment, Tier};

/// Read access to the merchant's customers and orders.
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
}

/// The commerce back-end failed (or its data could not be read).
#[derive(Debug, thiserror::Error)]
#[error("commerce back-end: {0}")]
pub struct CommerceError(pub String);
