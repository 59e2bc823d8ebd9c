//! One turn's view of a remote shop: each customer, order and order list
//! is asked for at most once per turn.
//!
//! A turn reads the same records several times (the dialog reads the
//! customer, the bot reads it again for the tier; an order mentioned is read
//! by the dialog, by the spike counter and by the agent's context). With the
//! embedded shop that is a cache hit; with the merchant's order system every
//! read is a request, and a second read can fail where the first succeeded:
//! a cancellation POSTed by the dialog must not be thrown away because the
//! customer lookup after it timed out. Failures are not remembered (the
//! shop's circuit breaker deals with a failing system), and a cancellation
//! forgets the orders read so far, since it changes them.

use std::sync::{Mutex, MutexGuard, PoisonError};

use dialogs::{Commerce, CommerceError, Customer, Order, Time};

/// Records read so far this turn, by id.
type Seen<T> = Mutex<Vec<(String, T)>>;

pub(super) struct TurnShop<'a> {
    shop: &'a dyn Commerce,
    customers: Seen<Option<Customer>>,
    orders: Seen<Option<Order>>,
    lists: Seen<Vec<Order>>,
}

fn lock<T>(seen: &Seen<T>) -> MutexGuard<'_, Vec<(String, T)>> {
    // One push or clear at a time: consistent at every unlock.
    seen.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The record read earlier this turn, or a read of `shop` remembered.
fn read<T: Clone>(
    seen: &Seen<T>,
    id: &str,
    fetch: impl FnOnce() -> Result<T, CommerceError>,
) -> Result<T, CommerceError> {
    if let Some((_, found)) = lock(seen).iter().find(|(k, _)| k == id) {
        return Ok(found.clone());
    }
    let found = fetch()?;
    lock(seen).push((id.to_owned(), found.clone()));
    Ok(found)
}

impl<'a> TurnShop<'a> {
    pub(super) fn new(shop: &'a dyn Commerce) -> TurnShop<'a> {
        TurnShop {
            shop,
            customers: Mutex::default(),
            orders: Mutex::default(),
            lists: Mutex::default(),
        }
    }

    /// The customer if this turn already read them, without asking again.
    pub(super) fn known_customer(&self, customer_id: &str) -> Option<Customer> {
        lock(&self.customers)
            .iter()
            .find(|(k, _)| k == customer_id)
            .and_then(|(_, c)| c.clone())
    }
}

impl Commerce for TurnShop<'_> {
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        read(&self.customers, customer_id, || {
            self.shop.customer(customer_id)
        })
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        read(&self.lists, customer_id, || {
            self.shop.orders_of(customer_id)
        })
    }

    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        read(&self.orders, order_id, || self.shop.order(order_id))
    }

    fn cancel_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError> {
        // Whatever the answer, the orders read before may have changed.
        lock(&self.orders).clear();
        lock(&self.lists).clear();
        self.shop.cancel_order(order_id, at)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    use dialogs::MemoryShop;

    use super::*;
    use crate::shop::{DEMO_CUSTOMERS, DEMO_ORDERS};

    /// Counts the reads that reach the shop.
    struct Counting {
        shop: MemoryShop,
        reads: AtomicUsize,
    }

    impl Commerce for Counting {
        fn customer(&self, id: &str) -> Result<Option<Customer>, CommerceError> {
            self.reads.fetch_add(1, SeqCst);
            self.shop.customer(id)
        }
        fn orders_of(&self, id: &str) -> Result<Vec<Order>, CommerceError> {
            self.reads.fetch_add(1, SeqCst);
            self.shop.orders_of(id)
        }
        fn order(&self, id: &str) -> Result<Option<Order>, CommerceError> {
            self.reads.fetch_add(1, SeqCst);
            if id == "E-FAILS" {
                return Err(CommerceError::Failed("down".into()));
            }
            self.shop.order(id)
        }
        fn cancel_order(&self, id: &str, at: Time) -> Result<Order, CommerceError> {
            self.shop.cancel_order(id, at)
        }
    }

    #[test]
    fn each_record_is_read_once_and_a_cancellation_reads_orders_afresh() {
        let shop = Counting {
            shop: MemoryShop::from_jsonl(DEMO_CUSTOMERS, DEMO_ORDERS).unwrap(),
            reads: AtomicUsize::new(0),
        };
        let turn = TurnShop::new(&shop);
        assert_eq!(turn.known_customer("C1002"), None);
        for _ in 0..3 {
            assert_eq!(turn.customer("C1002").unwrap().unwrap().name, "王强");
            assert!(turn.order("E20261111000456").unwrap().is_some());
            assert!(turn.order("E00000000000000").unwrap().is_none());
            assert_eq!(turn.orders_of("C1002").unwrap().len(), 3);
        }
        assert_eq!(shop.reads.load(SeqCst), 4);
        assert_eq!(turn.known_customer("C1002").unwrap().name, "王强");
        // Failures are not remembered.
        assert!(turn.order("E-FAILS").is_err());
        assert!(turn.order("E-FAILS").is_err());
        assert_eq!(shop.reads.load(SeqCst), 6);
        // After a cancellation the order is read again, as it now is.
        let at: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        turn.cancel_order("E20261111000456", at).unwrap();
        let now = turn.order("E20261111000456").unwrap().unwrap();
        assert_eq!(now.status, dialogs::OrderStatus::Cancelled);
        assert_eq!(turn.orders_of("C1002").unwrap()[2].status, now.status);
        assert_eq!(shop.reads.load(SeqCst), 8);
        // The customer is still the one read before.
        turn.customer("C1002").unwrap();
        assert_eq!(shop.reads.load(SeqCst), 8);
    }
}
