//! The demo shop, the embedded pack and a pinned clock.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dialogs::{respond, Commerce, DialogState, MemoryShop, Pack, Reply, Time, TurnInput};

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
    /// Opened as the bot opens one: in the language and script of the
    /// customer's profile.
    pub fn new(customer: &'static str) -> Chat {
        let shop = shop();
        let profile = shop.customer(customer).unwrap().map(|c| c.voice());
        Chat {
            pack: pack(),
            shop,
            customer,
            state: profile.map(DialogState::opened_in).unwrap_or_default(),
        }
    }

    /// The status of an order in this conversation's shop now.
    pub fn status(&self, id: &str) -> dialogs::OrderStatus {
        self.shop.order(id).unwrap().expect("a demo order").status
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

/// A copy of the default pack in a temporary directory, to break or extend.
pub fn pack_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("pack"),
        dir.path(),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target: PathBuf = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Writes `text` to `file` of the pack in `dir`.
pub fn write(dir: &tempfile::TempDir, file: &str, text: &str) {
    std::fs::write(dir.path().join(file), text).unwrap();
}

/// The text of `file` of the pack in `dir`.
pub fn read(dir: &tempfile::TempDir, file: &str) -> String {
    std::fs::read_to_string(dir.path().join(file)).unwrap()
}

/// What the reply's buttons send, in the order shown.
pub fn payloads(reply: &Reply) -> Vec<&str> {
    reply.buttons.iter().map(|b| b.payload.as_str()).collect()
}
