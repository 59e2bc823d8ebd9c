//! An in-memory shop: the reference implementation of [`Commerce`].

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::{Commerce, CommerceError, Customer, Order};

/// Customers and orders held in memory (tests, demos).
#[derive(Debug, Clone, Default)]
pub struct MemoryShop {
    customers: BTreeMap<String, Customer>,
    orders: BTreeMap<String, Order>,
}

impl MemoryShop {
    /// A shop with these customers and orders.
    pub fn new(customers: Vec<Customer>, orders: Vec<Order>) -> Self {
        MemoryShop {
            customers: customers
                .into_iter()
                .map(|c| (c.customer_id.clone(), c))
                .collect(),
            orders: orders
                .into_iter()
                .map(|o| (o.order_id.clone(), o))
                .collect(),
        }
    }

    /// Reads the fixture format: one JSON object per line, blank lines skipped.
    /// The error names the file and line (`orders.jsonl line 3: …`).
    pub fn from_jsonl(customers: &str, orders: &str) -> Result<MemoryShop, CommerceError> {
        Ok(MemoryShop::new(
            parse_lines(customers, "customers.jsonl")?,
            parse_lines(orders, "orders.jsonl")?,
        ))
    }

    /// Every order of the shop, by id.
    pub fn orders(&self) -> impl Iterator<Item = &Order> {
        self.orders.values()
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
                .map_err(|e| CommerceError(format!("{file} line {}: {e}", i + 1)))
        })
        .collect()
}

impl Commerce for MemoryShop {
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        Ok(self.customers.get(customer_id).cloned())
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let mut orders: Vec<Order> = self
            .orders
            .values()
            .filter(|o| o.customer_id == customer_id)
            .cloned()
            .collect();
        orders.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.order_id.cmp(&a.order_id))
        });
        Ok(orders)
    }

    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        Ok(self.orders.get(order_id).cloned())
    }
}
