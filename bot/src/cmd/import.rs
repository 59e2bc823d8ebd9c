//! `xiaoer import DIR`: loads a shop export into the store.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::ImportArgs;
use crate::config::DEFAULT_DATA_DIR;
use crate::shop::SledShop;

pub fn run(args: ImportArgs) -> Result<()> {
    let data_dir = args
        .data_dir
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
    let db = super::open_db(&data_dir)?;
    let shop = SledShop::open(&db)?;
    let imported = shop.import_dir(&args.dir).with_context(|| {
        format!(
            "import from {} failed; nothing was written",
            args.dir.display()
        )
    })?;
    db.flush().context("flushing the store")?;
    if let Some((customers, orders)) = imported.demo_removed {
        println!(
            "the store held the demo shop: removed its {customers} customers and {orders} orders first"
        );
    }
    println!(
        "imported {} customers and {} orders into {}",
        imported.customers,
        imported.orders,
        data_dir.display()
    );
    Ok(())
}
