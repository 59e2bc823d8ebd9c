//! An in-memory shop: the reference implementation of [`Commerce`].

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

use serde::de::DeserializeOwned;

use super::{Commerce, CommerceError, Customer, Order};
use crate::Time;

/// Customers and orders held in memory (tests, demos).
///
/// Orders sit behind a lock because cancelling changes them through
/// `&self`, as every [`Commerce`] back-end must allow. No lock is held
/// while anything else runs, so a std `RwLock` is enough. A clone is a
/// separate shop that starts with the same data.
#[derive(Debug, Default)]
pub struct MemoryShop {
    customers: BTreeMap<String, Customer>,
    orders: RwLock<BTreeMap<String, Order>>,
}

impl Clone for MemoryShop {
    fn clone(&self) -> Self {
        MemoryShop {
            customers: self.customers.clone(),
            orders: RwLock::new(self.read().clone()),
        }
    }
}

impl MemoryShop {
    /// A shop with these customers and orders.
    pub fn new(customers: Vec<Customer>, orders: Vec<Order>) -> Self {
        MemoryShop {
            customers: customers
                .into_iter()
                .map(|c| (c.customer_id.clone(), c))
                .collect(),
            orders: RwLock::new(
                orders
                    .into_iter()
                    .map(|o| (o.order_id.clone(), o))
                    .collect(),
            ),
        }
    }

    /// The orders, read. A writer that panicked left no half-made change
    /// (each change is one assignment), so a poisoned lock is still sound.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Order>> {
        self.orders.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the fixture format: one JSON object per line, blank lines skipped.
    /// The error names the file and line (`orders.jsonl line 3: …`).
    pub fn from_jsonl(customers: &str, orders: &str) -> Result<MemoryShop, CommerceError> {
        Ok(MemoryShop::new(
            parse_lines(customers, "customers.jsonl")?,
            parse_lines(orders, "orders.jsonl")?,
        ))
    }

    /// Every order of the shop as it is now, by id.
    pub fn orders(&self) -> Vec<Order> {
        self.read().values().cloned().collect()
    }

    /// Every customer of the shop, by id.
    pub fn customers(&self) -> impl Iterator<Item = &Customer> {
        self.customers.values()
    }
}

fn parse_lines<T: DeserializeOwned>(text: &str, file: &str) -> Result<Vec<T>, CommerceError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| CommerceError::Failed(format!("{file} line {}: {e}", i + 1)))
        })
        .collect()
}

impl Commerce for MemoryShop {
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        Ok(self.customers.get(customer_id).cloned())
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let mut orders: Vec<Order> = self
            .read()
            .values()
            .filter(|o| o.customer_id == customer_id)
            .cloned()
            .collect();
        super::newest_first(&mut orders);
        Ok(orders)
    }

    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        Ok(self.read().get(order_id).cloned())
    }

    fn cancel_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError> {
        let mut orders = self.orders.write().unwrap_or_else(PoisonError::into_inner);
        let order = orders
            .get_mut(order_id)
            .ok_or_else(|| CommerceError::Failed(format!("order {order_id} does not exist")))?;
        // Check and change under one lock: two cancellations cannot both pass.
        let mut changed = order.clone();
        changed.cancel(at)?;
        *order = changed.clone();
        Ok(changed)
    }
}
