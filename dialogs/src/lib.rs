//! What to say next.
//!
//! `dialogs` turns one understood shopper message (an
//! [`intents::Understanding`]) into the bot's [`Reply`], following the dialog
//! trees, templates and policies of a content [`Pack`] and looking orders up
//! through the [`Commerce`] trait.
//!
//! ```
//! use dialogs::{respond, DialogState, MemoryShop, Pack, TurnInput};
//!
//! let pack = Pack::embedded()?;
//! let shop = MemoryShop::from_jsonl(
//!     include_str!("../../demo/customers.jsonl"),
//!     include_str!("../../demo/orders.jsonl"),
//! )?;
//! let understanding = pack.matcher().classify("我的快递到哪了 E20261111000123");
//! let now = "2026-11-20T12:00:00+08:00".parse()?;
//! let mut state = DialogState::default();
//! let input = TurnInput { customer_id: "C1001", understanding: &understanding, now };
//! let reply = respond(&pack, &shop, &mut state, &input)?;
//! assert!(reply.text.contains("上海转运中心"));
//! assert_eq!(state.current_order.as_deref(), Some("E20261111000123"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A pack is checked as a whole before it is used: [`check`] lists every
//! problem of a pack directory with its file and line (`xiaoer check`), and
//! [`Pack::load_dir`] refuses a pack that has any.
//!
//! What it does not do: understand text (that is `intents`), keep
//! conversations or queue them for humans (`handoff`), talk HTTP (`bot`).
//!
//! Architecture invariant: dialogs reach the world only through [`Commerce`]
//! and the `now` injected in [`TurnInput`]; no HTTP, no storage, no clock.

mod commerce;
mod condition;
mod engine;
mod items;
mod pack;
mod reply;

pub use commerce::{
    newest_first, Address, Commerce, CommerceError, Customer, Item, MemoryShop, Order, OrderStatus,
    Refund, ScanEvent, Shipment, Tier,
};
pub use engine::{respond, DialogError, DialogState, Pending, RecentTurn, TurnInput, RECENT_TURNS};
pub use intents::{Lang, Script, Understanding};
pub use pack::{check, check_embedded, check_report, Pack, PackError, Problem};
pub use reply::{Button, HandoffRequest, Reply};

/// Time everywhere in xiaoer: a moment with the shop's UTC offset.
pub type Time = chrono::DateTime<chrono::FixedOffset>;

/// Facts and template values by name.
pub(crate) type Vars = std::collections::BTreeMap<String, String>;
