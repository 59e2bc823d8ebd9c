//! One module per subcommand; each takes its parsed arguments and does the work.

pub mod chat;
pub mod check;
pub mod classify;
pub mod eval;
pub mod import;
pub mod queue;
pub mod serve;
pub mod train;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, Result};

use crate::clock::Clock;
use crate::desk::{Desk, DeskConfig};
use crate::shop::{HttpShop, HttpShopConfig, SledShop};
use crate::turn::Bot;

/// Loads the content pack: a directory when configured, else the embedded default.
pub fn load_pack(dir: Option<&Path>) -> Result<dialogs::Pack> {
    match dir {
        Some(dir) => {
            dialogs::Pack::load_dir(dir).with_context(|| format!("content pack {}", dir.display()))
        }
        None => dialogs::Pack::embedded().context("embedded content pack"),
    }
}

/// Opens the store in `data_dir` (shop and handoff share one sled database).
pub fn open_db(data_dir: &Path) -> Result<sled::Db> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
    sled::open(data_dir).map_err(|e| store_error(data_dir, e))
}

/// Why the store in `data_dir` could not be opened, in words: sled's lock
/// error is an OS error's debug form.
fn store_error(data_dir: &Path, e: sled::Error) -> anyhow::Error {
    match e {
        // sled 0.34 reports a held lock as an `Other` error whose text holds
        // the OS error's debug form.
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::WouldBlock
                || io.to_string().contains("could not acquire lock") =>
        {
            anyhow::anyhow!(
            "cannot open the store in {}: another xiaoer is using it (is `xiaoer serve` running on it? it holds the store while it runs; so do chat and queue with --data-dir)",
            data_dir.display()
            )
        }
        other => anyhow::Error::new(other)
            .context(format!("cannot open the store in {}", data_dir.display())),
    }
}

/// Opens the store `serve` wrote in `data_dir`, creating nothing: for the
/// commands that only read it (`queue`). A mistyped `--data-dir`, or the
/// default `./xiaoer-data` run from another folder, would otherwise open a
/// new empty store and report an empty queue as if that were the answer.
pub fn open_existing_db(data_dir: &Path) -> Result<sled::Db> {
    if !data_dir.is_dir() {
        anyhow::bail!(
            "no data dir {}: give --data-dir the directory `xiaoer serve` uses",
            data_dir.display()
        );
    }
    // sled keeps its settings in `conf` and its log in `db`: a directory
    // without both holds no store.
    if !["conf", "db"].iter().all(|f| data_dir.join(f).is_file()) {
        anyhow::bail!(
            "no store in {}: give --data-dir the directory `xiaoer serve` uses",
            data_dir.display()
        );
    }
    sled::open(data_dir).map_err(|e| store_error(data_dir, e))
}

/// Everything a running bot needs, built from an open database, with the
/// embedded shop, loaded with the demo shop when empty (tests, `chat`'s
/// temporary store).
pub fn build_bot(
    db: &sled::Db,
    pack: dialogs::Pack,
    policy: handoff::Policy,
    clock: Clock,
    max_message_chars: usize,
    desk: DeskConfig,
) -> Result<Bot> {
    load_demo_if_empty(db)?;
    build_bot_with_shop(db, None, pack, policy, clock, max_message_chars, desk)
}

/// Loads the demo shop into an empty embedded store, and says so in the log
/// (and says it again at every start while the store holds it): the demo's
/// customer ids (C1001…) look like real ones, so a store meant for a real
/// shop must never get it unnoticed. Returns whether it loaded it.
pub fn load_demo_if_empty(db: &sled::Db) -> Result<bool> {
    let shop = SledShop::open(db).context("shop store")?;
    let loaded = shop.seed_demo_if_empty().context("loading the demo shop")?;
    if loaded {
        tracing::warn!(
            "empty store: loaded the DEMO shop (6 customers C1001-C1006, 13 orders); `xiaoer import` of your own data removes it"
        );
    } else if shop.holds_demo().context("shop store")? {
        tracing::warn!("this store holds the DEMO shop (customers C1001-C1006); `xiaoer import` of your own data removes it");
    }
    Ok(loaded)
}

/// A bot over `db`, with the merchant's order system as the shop when `shop`
/// is set (`[shop]` in the config file): then the embedded shop's trees
/// are not read, and turns run on blocking threads (see
/// [`Bot::with_remote_shop`]). Without it, the embedded shop as it is: the
/// demo shop is loaded only by [`load_demo_if_empty`], never here.
pub fn build_bot_with_shop(
    db: &sled::Db,
    shop: Option<&HttpShopConfig>,
    pack: dialogs::Pack,
    policy: handoff::Policy,
    clock: Clock,
    max_message_chars: usize,
    desk: DeskConfig,
) -> Result<Bot> {
    for warning in crate::config::skill_warnings(&desk.skills, pack.matcher().intent_ids()) {
        tracing::warn!("{warning}");
    }
    for warning in crate::config::intent_warnings(&policy, pack.matcher().intent_ids()) {
        tracing::warn!("{warning}");
    }
    let remote = shop.is_some();
    let shop: Arc<dyn dialogs::Commerce> = match shop {
        Some(config) => {
            tracing::info!(url = config.url(), timeout = ?config.timeout(), "shop: the merchant's order system");
            Arc::new(HttpShop::new(config.clone()))
        }
        None => Arc::new(SledShop::open(db).context("shop store")?),
    };
    let store = handoff::Store::from_db(db.clone()).context("handoff store")?;
    let bot = Bot::new(
        pack,
        shop,
        store,
        policy,
        clock,
        max_message_chars,
        Desk::new(desk)
            .with_team(handoff::Team::open(db).context("agent profiles")?)
            .context("agent profiles")?,
    );
    Ok(bot.with_remote_shop(remote))
}
