//! `xiaoer serve`: the server, with a clean shutdown path (mini-redis style):
//! the signal stops new connections, in-flight turns finish, the store is
//! flushed, then the process exits 0.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use tokio::net::TcpListener;

use crate::cli::ServeArgs;
use crate::config::{Config, FileConfig, Overrides};
use crate::http::{self, AppState};

pub async fn run(args: ServeArgs) -> Result<()> {
    // The demo shop goes into an empty store only for a try-out (no config
    // file) or when asked: a merchant's production store never gets it.
    let demo = args.demo || args.config.is_none();
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let config = Config::build(
        file,
        Overrides {
            listen: args.listen,
            data_dir: args.data_dir,
            now: args.now,
            start: args.start,
            pack_dir: args.pack,
        },
    )?;
    let pack = super::load_pack(config.pack_dir.as_deref())?;
    let db = super::open_db(&config.data_dir)?;
    if config.shop.is_none() {
        if demo {
            super::load_demo_if_empty(&db)?;
        } else if crate::shop::SledShop::open(&db)?.is_empty() {
            tracing::warn!(data_dir = %config.data_dir.display(), "the shop store is empty: load your customers and orders with `xiaoer import DIR`, or start with --demo for the demo shop");
        } else {
            // Still say so when a store holds the demo shop from an earlier try-out.
            super::load_demo_if_empty(&db)?;
        }
    }
    let bot = Arc::new(super::build_bot_with_shop(
        &db,
        config.shop.as_ref(),
        pack,
        config.policy.clone(),
        config.clock.clone(),
        config.max_message_chars,
        config.desk.clone(),
    )?);
    if config.agent_token.is_none() {
        tracing::warn!(
            "no agent_token configured: the agent API is open to anyone who can reach this address"
        );
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %config.data_dir.display(), clock = %config.clock, "xiaoer is serving");
    // Printed (not only logged) so scripts and tests can find an ephemeral port.
    println!("xiaoer listening on http://{addr}");

    let state = AppState::new(bot.clone(), config.agent_token.clone())
        .with_pack_dir(config.pack_dir.clone());
    #[cfg(unix)]
    tokio::spawn(reload_on_sighup(state.clone()));
    // Breach alerts (and webhook posts) as they happen, not only when
    // someone looks at `/api/agent/alerts`.
    tokio::spawn(crate::desk::watch_sla(
        bot.clone(),
        SLA_CHECK_EVERY,
        state.closing.subscribe(),
    ));
    http::serve(listener, state, shutdown_signal())
        .await
        .context("server failed")?;

    let flushed = db
        .flush_async()
        .await
        .context("flushing the store at shutdown")?;
    tracing::info!(bytes = flushed, "store flushed; bye");
    Ok(())
}

/// Reloads the content pack on every SIGHUP (a broken pack is refused and logged).
#[cfg(unix)]
async fn reload_on_sighup(state: AppState) {
    let mut hangups = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("cannot listen for SIGHUP: {e}");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        // The outcome is logged by reload_pack.
        let _ = state.reload_pack().await;
    }
}

/// How often open queue entries are checked against the SLA.
const SLA_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
