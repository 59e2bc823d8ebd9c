//! The embedded shop store: customers and orders in sled, behind the
//! `dialogs::Commerce` trait. It shares the one sled database with the
//! handoff store, in trees of its own.
//!
//! Orders are kept by id, plus an index `customer_id \0 created_at \0
//! order_id` so that a customer's orders come back newest first without a
//! scan of the whole shop.
//!
//! The other back-end, for a merchant with an order system of their own,
//! is [`HttpShop`] (`http.rs`): the same trait over a small HTTP contract.

mod cache;
mod http;

pub(crate) use http::http_url;
pub use http::{HttpShop, HttpShopConfig, ShopConfigError, DEFAULT_TIMEOUT};

use std::path::Path;
use std::sync::Arc;

use dialogs::{Commerce, CommerceError, Customer, Order, Time};
use sled::transaction::{TransactionError, Transactional};
use thiserror::Error;

/// The demo shop that ships inside the binary (the project's fixtures).
pub const DEMO_CUSTOMERS: &str = include_str!("../../demo/customers.jsonl");
pub const DEMO_ORDERS: &str = include_str!("../../demo/orders.jsonl");

/// What can go wrong importing shop data. Messages name file and line.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{file} line {line}: {message}")]
    Line {
        file: String,
        line: usize,
        message: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("shop store: {0}")]
    Store(#[from] sled::Error),
}

/// Customers and orders in sled, with the parsed records cached in memory
/// (clones share the cache; every change through the shop refreshes it).
#[derive(Clone)]
pub struct SledShop {
    customers: sled::Tree,
    orders: sled::Tree,
    by_customer: sled::Tree,
    /// Marks: `demo` while the store holds the demo shop.
    meta: sled::Tree,
    cache: Arc<cache::Cache>,
}

/// How many records an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub customers: usize,
    pub orders: usize,
    /// The demo shop's records this import removed first (the store held
    /// the demo shop), if any: a merchant's data never sits beside it.
    pub demo_removed: Option<(usize, usize)>,
}

/// The key in `shop/meta` that marks a store seeded with the demo shop.
const DEMO_MARK: &[u8] = b"demo";

impl SledShop {
    /// Opens the shop's trees in a shared database.
    pub fn open(db: &sled::Db) -> Result<SledShop, sled::Error> {
        Ok(SledShop {
            customers: db.open_tree("shop/customers")?,
            orders: db.open_tree("shop/orders")?,
            by_customer: db.open_tree("shop/orders_by_customer")?,
            meta: db.open_tree("shop/meta")?,
            cache: Arc::default(),
        })
    }

    /// True when no customer and no order has been imported yet.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty() && self.orders.is_empty()
    }

    /// Imports `customers.jsonl` and `orders.jsonl` from a directory.
    pub fn import_dir(&self, dir: &Path) -> Result<Imported, ImportError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| ImportError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        self.import(&read("customers.jsonl")?, &read("orders.jsonl")?)
    }

    /// Imports JSON-lines text. Every line is checked before anything is
    /// written, so a bad file changes nothing; records with a known id are
    /// replaced (an import is an upsert). When the store holds the demo
    /// shop, its records (those still as the demo wrote them) are removed
    /// in the same transaction: a real customer C1001 must never see the
    /// demo's orders.
    pub fn import(&self, customers: &str, orders: &str) -> Result<Imported, ImportError> {
        self.import_records(customers, orders, true)
    }

    /// True when the store holds the demo shop: seeded by
    /// [`seed_demo_if_empty`](Self::seed_demo_if_empty) (which marks it), or,
    /// for a store seeded before the mark existed, every demo record is
    /// there unchanged.
    pub fn holds_demo(&self) -> Result<bool, ImportError> {
        if self.meta.contains_key(DEMO_MARK)? {
            return Ok(true);
        }
        let (customers, orders) = self.demo_records()?;
        Ok(customers.len() == DEMO_CUSTOMERS.lines().count()
            && orders.len() == DEMO_ORDERS.lines().count())
    }

    /// The demo records stored exactly as the demo wrote them (one the
    /// merchant's import has since replaced is theirs, not the demo's).
    fn demo_records(&self) -> Result<(Vec<Customer>, Vec<Order>), ImportError> {
        let customers: Vec<(usize, Customer)> = parse_lines("customers.jsonl", DEMO_CUSTOMERS)?;
        let orders: Vec<(usize, Order)> = parse_lines("orders.jsonl", DEMO_ORDERS)?;
        let mut kept_customers = Vec::new();
        for (_, c) in customers {
            if self.customers.get(c.customer_id.as_bytes())?.as_deref() == Some(&to_json(&c)[..]) {
                kept_customers.push(c);
            }
        }
        let mut kept_orders = Vec::new();
        for (_, o) in orders {
            if self.orders.get(o.order_id.as_bytes())?.as_deref() == Some(&to_json(&o)[..]) {
                kept_orders.push(o);
            }
        }
        Ok((kept_customers, kept_orders))
    }

    fn import_records(
        &self,
        customers: &str,
        orders: &str,
        drop_demo: bool,
    ) -> Result<Imported, ImportError> {
        let customers: Vec<(usize, Customer)> = parse_lines("customers.jsonl", customers)?;
        let orders: Vec<(usize, Order)> = parse_lines("orders.jsonl", orders)?;
        let (demo_customers, demo_orders) = if drop_demo && self.holds_demo()? {
            self.demo_records()?
        } else {
            (Vec::new(), Vec::new())
        };
        for (line, order) in &orders {
            let known = customers
                .iter()
                .any(|(_, c)| c.customer_id == order.customer_id)
                || (self.customers.contains_key(&order.customer_id)?
                    && !demo_customers
                        .iter()
                        .any(|c| c.customer_id == order.customer_id));
            if !known {
                return Err(ImportError::Line {
                    file: "orders.jsonl".into(),
                    line: *line,
                    message: format!(
                        "order {} belongs to customer {}, who is in neither customers.jsonl nor the store",
                        order.order_id, order.customer_id
                    ),
                });
            }
        }
        let mut stale_index: Vec<Vec<u8>> = demo_orders.iter().map(index_key).collect();
        for (_, o) in &orders {
            if let Some(old) = self.stored_order(&o.order_id)? {
                stale_index.push(index_key(&old));
            }
        }
        // One transaction over the three trees: a crash mid-import leaves the
        // store as it was, never orders without their index.
        (&self.customers, &self.orders, &self.by_customer, &self.meta)
            .transaction(|(tc, to, ti, tm)| {
                if drop_demo {
                    tm.remove(DEMO_MARK)?;
                }
                for c in &demo_customers {
                    tc.remove(c.customer_id.as_bytes())?;
                }
                for o in &demo_orders {
                    to.remove(o.order_id.as_bytes())?;
                }
                for (_, c) in &customers {
                    tc.insert(c.customer_id.as_bytes(), to_json(c))?;
                }
                for key in &stale_index {
                    ti.remove(key.as_slice())?;
                }
                for (_, o) in &orders {
                    to.insert(o.order_id.as_bytes(), to_json(o))?;
                    ti.insert(index_key(o), o.order_id.as_bytes())?;
                }
                Ok(())
            })
            .map_err(|e: TransactionError<()>| match e {
                TransactionError::Storage(e) => ImportError::Store(e),
                // The closure above never aborts; keep the variant honest anyway.
                TransactionError::Abort(()) => ImportError::Store(sled::Error::ReportableBug(
                    "import transaction aborted".into(),
                )),
            })?;
        self.customers.flush()?;
        self.cache.invalidate();
        Ok(Imported {
            customers: customers.len(),
            orders: orders.len(),
            demo_removed: (!demo_customers.is_empty() || !demo_orders.is_empty())
                .then_some((demo_customers.len(), demo_orders.len())),
        })
    }

    /// Loads the embedded demo shop when the store is empty (first start)
    /// and marks the store as holding it. Returns whether it did.
    pub fn seed_demo_if_empty(&self) -> Result<bool, ImportError> {
        if !self.is_empty() {
            return Ok(false);
        }
        self.import_records(DEMO_CUSTOMERS, DEMO_ORDERS, false)?;
        self.meta.insert(DEMO_MARK, &[])?;
        self.meta.flush()?;
        Ok(true)
    }

    fn stored_order(&self, order_id: &str) -> Result<Option<Order>, sled::Error> {
        Ok(self
            .orders
            .get(order_id.as_bytes())?
            .and_then(|v| serde_json::from_slice(&v).ok()))
    }
}

/// Parses JSON lines, keeping each record's 1-based line for later messages.
fn parse_lines<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<Vec<(usize, T)>, ImportError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(line).map_err(|e| ImportError::Line {
            file: file.to_string(),
            line: i + 1,
            // serde's "… at line 1 column 47": the line is ours already.
            message: format!("{} (column {})", without_location(&e), e.column()),
        })?;
        out.push((i + 1, record));
    }
    Ok(out)
}

fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("shop records serialise")
}

fn index_key(order: &Order) -> Vec<u8> {
    let mut key = order.customer_id.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(order.created_at.timestamp().to_be_bytes().as_slice());
    key.push(0);
    key.extend_from_slice(order.order_id.as_bytes());
    key
}

fn backend(e: impl std::fmt::Display) -> CommerceError {
    CommerceError::Failed(e.to_string())
}

impl Commerce for SledShop {
    fn customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        let key = customer_id.to_owned();
        self.cache.get_or_load(&self.cache.customers, &key, || {
            self.read_customer(customer_id)
        })
    }

    fn orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let key = customer_id.to_owned();
        let orders = self.cache.get_or_load(&self.cache.orders_of, &key, || {
            self.read_orders_of(customer_id).map(Some)
        })?;
        Ok(orders.unwrap_or_default())
    }

    fn order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        let key = order_id.to_owned();
        self.cache
            .get_or_load(&self.cache.orders, &key, || self.read_order(order_id))
    }

    fn cancel_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError> {
        let cancelled = self.cancel_stored_order(order_id, at);
        // Whatever happened, the next read goes to sled again.
        self.cache.invalidate();
        cancelled
    }
}

/// Straight from sled, under the cache.
impl SledShop {
    fn read_customer(&self, customer_id: &str) -> Result<Option<Customer>, CommerceError> {
        match self
            .customers
            .get(customer_id.as_bytes())
            .map_err(backend)?
        {
            Some(v) => serde_json::from_slice(&v).map(Some).map_err(backend),
            None => Ok(None),
        }
    }

    fn read_orders_of(&self, customer_id: &str) -> Result<Vec<Order>, CommerceError> {
        let mut prefix = customer_id.as_bytes().to_vec();
        prefix.push(0);
        let mut orders = Vec::new();
        // The index sorts oldest first; newest first is what a shopper means by "my order".
        for entry in self.by_customer.scan_prefix(&prefix).rev() {
            let (_, order_id) = entry.map_err(backend)?;
            let id = String::from_utf8_lossy(&order_id).into_owned();
            if let Some(order) = self.read_order(&id)? {
                orders.push(order);
            }
        }
        Ok(orders)
    }

    fn read_order(&self, order_id: &str) -> Result<Option<Order>, CommerceError> {
        match self.orders.get(order_id.as_bytes()).map_err(backend)? {
            Some(v) => serde_json::from_slice(&v).map(Some).map_err(backend),
            None => Ok(None),
        }
    }

    fn cancel_stored_order(&self, order_id: &str, at: Time) -> Result<Order, CommerceError> {
        let key = order_id.as_bytes();
        loop {
            let Some(old) = self.orders.get(key).map_err(backend)? else {
                return Err(CommerceError::Failed(format!(
                    "order {order_id} does not exist"
                )));
            };
            let mut order: Order = serde_json::from_slice(&old).map_err(backend)?;
            order.cancel(at)?;
            // Compare-and-swap: if another turn changed the order since it
            // was read (say, cancelled it), read it again and decide anew.
            // The index is untouched: created_at does not change.
            let swapped = self
                .orders
                .compare_and_swap(key, Some(&old), Some(to_json(&order)))
                .map_err(backend)?;
            if swapped.is_ok() {
                self.orders.flush().map_err(backend)?;
                return Ok(order);
            }
        }
    }
}

/// A serde_json error's message without its " at line L column C".
fn without_location(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> (tempfile::TempDir, SledShop) {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        (dir, SledShop::open(&db).unwrap())
    }

    #[test]
    fn demo_shop_seeds_once_and_lists_newest_first() {
        let (_dir, shop) = shop();
        assert!(shop.seed_demo_if_empty().unwrap());
        assert!(!shop.seed_demo_if_empty().unwrap());
        let orders = shop.orders_of("C1002").unwrap();
        let ids: Vec<_> = orders.iter().map(|o| o.order_id.as_str()).collect();
        assert_eq!(
            ids,
            ["E20261112000789", "E20261111001555", "E20261111000456"]
        );
        assert_eq!(shop.customer("C1001").unwrap().unwrap().name, "李娜");
        assert!(shop.order("E00000000000000").unwrap().is_none());
    }

    #[test]
    fn bad_line_is_named_and_nothing_is_written() {
        let (_dir, shop) = shop();
        let customers = format!("{}\n{{not json\n", DEMO_CUSTOMERS.lines().next().unwrap());
        let err = shop.import(&customers, "").unwrap_err().to_string();
        assert!(err.starts_with("customers.jsonl line 2:"), "{err}");
        assert!(shop.is_empty());
    }

    #[test]
    fn order_of_unknown_customer_is_refused() {
        let (_dir, shop) = shop();
        let order = DEMO_ORDERS
            .lines()
            .next()
            .unwrap()
            .replace("C1001", "C9999");
        let err = shop.import("", &order).unwrap_err().to_string();
        assert!(err.contains("C9999"), "{err}");
        assert!(shop.is_empty());
    }

    #[test]
    fn cancelling_records_the_refund_durably_and_refuses_twice() {
        let dir = tempfile::tempdir().unwrap();
        let at: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        {
            let db = sled::open(dir.path()).unwrap();
            let shop = SledShop::open(&db).unwrap();
            shop.seed_demo_if_empty().unwrap();
            let order = shop.cancel_order("E20261111000456", at).unwrap();
            assert_eq!(order.status, dialogs::OrderStatus::Cancelled);
            assert!(
                shop.cancel_order("E20261111000456", at).is_err(),
                "already cancelled"
            );
            assert!(shop.cancel_order("E20261111000123", at).is_err(), "shipped");
            assert!(
                shop.cancel_order("E00000000000000", at).is_err(),
                "no such order"
            );
            let unpaid = shop.cancel_order("E20261120000333", at).unwrap();
            assert_eq!(unpaid.refund, None);
        }
        let db = sled::open(dir.path()).unwrap();
        let shop = SledShop::open(&db).unwrap();
        let order = shop.order("E20261111000456").unwrap().unwrap();
        assert_eq!(order.cancelled_at, Some(at));
        let refund = order.refund.unwrap();
        assert_eq!(
            (refund.status.as_str(), refund.amount),
            ("processing", 299.0)
        );
        assert_eq!(
            (refund.method.as_str(), refund.approved_at),
            ("wechat_pay", Some(at))
        );
        // Still listed with the customer's orders, in the same place.
        let ids: Vec<_> = shop
            .orders_of("C1002")
            .unwrap()
            .into_iter()
            .map(|o| o.order_id)
            .collect();
        assert_eq!(
            ids,
            ["E20261112000789", "E20261111001555", "E20261111000456"]
        );
        assert_eq!(
            shop.order("E20261111000123").unwrap().unwrap().status,
            dialogs::OrderStatus::Shipped
        );
    }

    #[test]
    fn cached_records_follow_cancellations_and_imports() {
        let (_dir, shop) = shop();
        shop.seed_demo_if_empty().unwrap();
        let at: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
        let id = "E20261111000456";
        let status = |shop: &SledShop| shop.order(id).unwrap().unwrap().status;
        let listed = |shop: &SledShop| {
            let orders = shop.orders_of("C1002").unwrap();
            orders
                .into_iter()
                .find(|o| o.order_id == id)
                .unwrap()
                .status
        };
        // Both lookups are now cached...
        assert_ne!(status(&shop), dialogs::OrderStatus::Cancelled);
        assert_ne!(listed(&shop), dialogs::OrderStatus::Cancelled);
        shop.cancel_order(id, at).unwrap();
        // ...and a cancellation through a clone refreshes them for all.
        assert_eq!(status(&shop.clone()), dialogs::OrderStatus::Cancelled);
        assert_eq!(listed(&shop), dialogs::OrderStatus::Cancelled);
        shop.import(DEMO_CUSTOMERS, DEMO_ORDERS).unwrap();
        assert_ne!(
            status(&shop),
            dialogs::OrderStatus::Cancelled,
            "re-imported"
        );
    }

    #[test]
    fn reimport_replaces_and_keeps_index_consistent() {
        let (_dir, shop) = shop();
        shop.seed_demo_if_empty().unwrap();
        let imported = shop.import(DEMO_CUSTOMERS, DEMO_ORDERS).unwrap();
        assert_eq!(
            imported,
            Imported {
                customers: 6,
                orders: 13,
                demo_removed: Some((6, 13)),
            }
        );
        assert_eq!(shop.orders_of("C1002").unwrap().len(), 3);
    }

    /// Review 6, finding 1: a merchant's import into a store holding the
    /// demo shop removes the demo's records first, so their customer C1001
    /// never sees the demo's orders; demo records the merchant replaced are
    /// theirs and stay.
    #[test]
    fn import_over_the_demo_shop_removes_it() {
        let (_dir, shop) = shop();
        assert!(shop.seed_demo_if_empty().unwrap());
        assert!(shop.holds_demo().unwrap());
        let customer = r#"{"customer_id":"C1001","name":"陈真","tier":"normal","phone":"13900000000","language":"zh"}"#;
        let mut order: serde_json::Value =
            serde_json::from_str(DEMO_ORDERS.lines().next().unwrap()).unwrap();
        order["order_id"] = "E20261201000002".into();
        let imported = shop
            .import(customer, &order.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(imported.demo_removed, Some((6, 13)));
        assert!(!shop.holds_demo().unwrap());
        let ids: Vec<_> = shop
            .orders_of("C1001")
            .unwrap()
            .into_iter()
            .map(|o| o.order_id)
            .collect();
        assert_eq!(ids, ["E20261201000002"]);
        assert_eq!(shop.customer("C1001").unwrap().unwrap().name, "陈真");
        assert!(shop.customer("C1002").unwrap().is_none());
        assert!(shop.order("E20261111000456").unwrap().is_none());
        // A second import has no demo left to remove.
        let again = shop.import(customer, "").unwrap();
        assert_eq!(again.demo_removed, None);
    }

    /// A store seeded before the mark existed is recognised by its records.
    #[test]
    fn an_unmarked_demo_store_is_recognised() {
        let (_dir, shop) = shop();
        shop.import_records(DEMO_CUSTOMERS, DEMO_ORDERS, false)
            .unwrap();
        assert!(shop.holds_demo().unwrap());
        let imported = shop.import("", "").unwrap();
        assert_eq!(imported.demo_removed, Some((6, 13)));
        assert!(shop.is_empty());
    }
}
