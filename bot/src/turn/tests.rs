//! Turns with a remote shop (the merchant's order system): what they hold
//! while the shop is slow, and what they keep when it fails half-way.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use dialogs::{Commerce, CommerceError, Customer, MemoryShop, Order, Time};

use super::*;
use crate::desk::{Desk, DeskConfig};
use crate::shop::{DEMO_CUSTOMERS, DEMO_ORDERS};

/// The demo shop behind a gate: order lookups wait while it is closed; and
/// optionally every customer lookup fails once an order was cancelled.
struct SlowShop {
    shop: MemoryShop,
    open: Mutex<bool>,
    opened: Condvar,
    /// Order lookups that reached the gate.
    entered: AtomicUsize,
    fail_after_cancel: bool,
    cancelled: AtomicBool,
}

impl SlowShop {
    fn new(open: bool, fail_after_cancel: bool) -> SlowShop {
        SlowShop {
            shop: MemoryShop::from_jsonl(DEMO_CUSTOMERS, DEMO_ORDERS).unwrap(),
            open: Mutex::new(open),
            opened: Condvar::new(),
            entered: AtomicUsize::new(0),
            fail_after_cancel,
            cancelled: AtomicBool::new(false),
        }
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl Commerce for SlowShop {
    fn customer(&self, id: &str) -> Result<Option<Customer>, CommerceError> {
        if self.fail_after_cancel && self.cancelled.load(SeqCst) {
            return Err(CommerceError::Failed(
                "GET /customers: no answer within the timeout".into(),
            ));
        }
        self.shop.customer(id)
    }
    fn orders_of(&self, id: &str) -> Result<Vec<Order>, CommerceError> {
        self.shop.orders_of(id)
    }
    fn order(&self, id: &str) -> Result<Option<Order>, CommerceError> {
        self.entered.fetch_add(1, SeqCst);
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        drop(open);
        self.shop.order(id)
    }
    fn cancel_order(&self, id: &str, at: Time) -> Result<Order, CommerceError> {
        let order = self.shop.cancel_order(id, at)?;
        self.cancelled.store(true, SeqCst);
        Ok(order)
    }
}

fn remote_bot(dir: &std::path::Path, shop: Arc<SlowShop>) -> Arc<Bot> {
    let db = crate::cmd::open_db(dir).unwrap();
    let noon: Time = "2026-11-20T12:00:00+08:00".parse().unwrap();
    let bot = Bot::new(
        crate::cmd::load_pack(None).unwrap(),
        shop,
        Store::from_db(db).unwrap(),
        Policy::default(),
        Clock::Pinned(noon),
        2000,
        Desk::new(DeskConfig::default()),
    );
    Arc::new(bot.with_remote_shop(true))
}

#[test]
fn a_shopper_sending_many_messages_to_a_slow_shop_takes_one_blocking_thread() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shop = Arc::new(SlowShop::new(false, false));
    let bot = remote_bot(dir.path(), Arc::clone(&shop));
    let (c, _) = bot.start("C1001", None).unwrap();
    runtime.block_on(async {
        let turns: Vec<_> = (0..4)
            .map(|_| {
                let (bot, id) = (Arc::clone(&bot), c.id.clone());
                tokio::spawn(async move {
                    bot.handle_async(&id, "我的快递到哪了?订单E20261111000123")
                        .await
                })
            })
            .collect();
        // The first turn waits in the order system…
        for _ in 0..500 {
            if shop.entered.load(SeqCst) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(shop.entered.load(SeqCst), 1);
        // …while the other three wait for the conversation's lock as tasks:
        // a blocking thread is still free for everything else.
        let other =
            tokio::time::timeout(Duration::from_secs(10), tokio::task::spawn_blocking(|| 7)).await;
        assert_eq!(other.expect("no blocking thread left").unwrap(), 7);
        shop.open();
        // All four are answered (the same question a third time hands the
        // conversation over, after which the bot keeps quiet).
        let mut tracked = 0;
        for turn in turns {
            let outcome = turn.await.unwrap().unwrap();
            let said: String = outcome.replies.iter().map(|m| m.text.as_str()).collect();
            tracked += usize::from(said.contains("SF1402839475820"));
        }
        assert!(tracked >= 1);
        assert_eq!(
            bot.store()
                .messages(&c.id, 0)
                .unwrap()
                .iter()
                .filter(|m| m.author == Author::Shopper)
                .count(),
            4
        );
    });
}

#[test]
fn a_cancellation_is_kept_when_the_shop_fails_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let shop = Arc::new(SlowShop::new(true, true));
    let bot = remote_bot(dir.path(), Arc::clone(&shop));
    let (c, _) = bot.start("C1002", None).unwrap();
    let asks = bot.handle(&c.id, "订单E20261111000456能取消吗").unwrap();
    let yes = asks.replies[0].buttons[0].payload.clone();
    let done = bot.handle(&c.id, &yes).unwrap();
    assert!(shop.cancelled.load(SeqCst));
    // The customer was read before the cancellation and is not asked again:
    // the shopper hears that the order is cancelled, and stays with the bot.
    let said: String = done.replies.iter().map(|m| m.text.as_str()).collect();
    assert!(said.contains("R20261120000456"), "{said}");
    assert!(done.handoff.is_none(), "{said}");
    assert_eq!(
        shop.shop.order("E20261111000456").unwrap().unwrap().status,
        dialogs::OrderStatus::Cancelled
    );
}

#[test]
fn a_message_of_only_invisible_characters_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let bot = remote_bot(dir.path(), Arc::new(SlowShop::new(true, false)));
    for text in [
        "",
        "  \n",
        "\u{200b}\u{200b}",
        " \u{feff}\u{200d} ",
        "\u{2060}\u{0007}",
    ] {
        assert!(
            matches!(bot.check_text(text), Err(TurnError::EmptyMessage)),
            "{text:?}"
        );
    }
    assert_eq!(bot.check_text(" 在吗\u{200b} ").unwrap(), "在吗\u{200b}");
}
