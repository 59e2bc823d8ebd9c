//! The demo shop, the embedded pack and a pinned clock.

use std::sync::OnceLock;

use dialogs::{respond, DialogState, MemoryShop, Pack, Reply, Time, TurnInput};

pub const CUSTOMERS: &str = include_str!("../../demo/customers.jsonl");
pub const ORDERS: &str = include_str!("../../demo/orders.jsonl");

/// The fixtures' reference clock.
pub fn now() -> Time {
    "2026-11-20T12:00:00+08:00".parse().unwrap()
}

/// The embedded pack, loaded once for the whole test binary.
pub fn pack() -> &'static Pack {
    static PACK: OnceLock<Pack> = OnceLock::new();
    PACK.get_or_init(|| Pack::embedded().unwrap_or_else(|e| panic!("embedded pack: {e}")))
}

pub fn shop() -> MemoryShop {
    MemoryShop::from_jsonl(CUSTOMERS, ORDERS).unwrap()
}

/// A conversation of one customer with the demo shop.
pub struct Chat {
    pub pack: &'static Pack,
    pub shop: MemoryShop,
    pub customer: &'static str,
    pub state: DialogState,
}

impl Chat {
    pub fn new(customer: &'static str) -> Chat {
        Chat {
            pack: pack(),
            shop: shop(),
            customer,
            state: DialogState::default(),
        }
    }

    /// The shopper says `text`; the bot's reply.
    pub fn say(&mut self, text: &str) -> Reply {
        let understanding = self.pack.matcher().classify(text);
        let input = TurnInput {
            customer_id: self.customer,
            understanding: &understanding,
            now: now(),
        };
        let reply = respond(self.pack, &self.shop, &mut self.state, &input)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!(
            !reply.text.contains('{'),
            "unfilled placeholder after {text:?} (intent {}): {}",
            understanding.intent,
            reply.text
        );
        reply
    }
}
