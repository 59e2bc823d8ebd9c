//! Alerts POSTed as JSON to the merchant's webhook, from a thread of its own
//! so that no chat turn ever waits for the merchant's server. Delivery is
//! best effort: a failed POST is logged, and the alert stays readable at
//! `GET /api/agent/alerts`.

use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::time::Duration;

use serde::Serialize;

/// Alerts waiting to be sent; beyond this the newest are dropped (and logged).
const BACKLOG: usize = 256;
const TIMEOUT: Duration = Duration::from_secs(5);

/// A running webhook sender. Dropping it ends the thread after the backlog.
pub struct Webhook {
    tx: SyncSender<String>,
}

impl Webhook {
    /// Starts the sender thread for `url`.
    pub fn start(url: String) -> Webhook {
        let (tx, rx) = sync_channel::<String>(BACKLOG);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        std::thread::Builder::new()
            .name("alert-webhook".into())
            .spawn(move || {
                for body in rx {
                    let sent = agent
                        .post(&url)
                        .content_type("application/json")
                        .send(body.as_str());
                    if let Err(e) = sent {
                        tracing::warn!(%url, "alert webhook failed: {e}");
                    }
                }
            })
            .expect("spawning the webhook thread");
        Webhook { tx }
    }

    /// Queues one alert for sending.
    pub fn send(&self, alert: &impl Serialize) {
        let Ok(body) = serde_json::to_string(alert) else {
            return;
        };
        if let Err(TrySendError::Full(_)) = self.tx.try_send(body) {
            tracing::warn!("alert webhook backlog full: an alert was not sent");
        }
    }
}
