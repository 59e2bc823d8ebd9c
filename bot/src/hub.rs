//! Live delivery of new messages to whoever watches a conversation (the
//! shopper's widget, an agent's console) over SSE or WebSocket.
//!
//! The hub is only a doorbell: messages are durable in the store before they
//! are published, and a listener that lags or reconnects catches up from the
//! store by sequence number. So a dropped broadcast never loses a message.

use std::collections::HashMap;
use std::sync::Mutex;

use handoff::Message;
use tokio::sync::broadcast;

/// Capacity of one conversation's channel; a slower listener gets `Lagged`
/// and re-reads from the store.
const CAPACITY: usize = 64;

/// Per-conversation broadcast channels, created on first subscription.
#[derive(Default)]
pub struct Hub {
    channels: Mutex<HashMap<String, broadcast::Sender<Message>>>,
}

impl Hub {
    /// Listens for new messages of one conversation.
    pub fn subscribe(&self, conversation_id: &str) -> broadcast::Receiver<Message> {
        let mut channels = self.channels.lock().expect("hub lock");
        channels
            .entry(conversation_id.to_string())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Tells current listeners; forgets channels nobody listens to any more.
    pub fn publish(&self, conversation_id: &str, message: &Message) {
        let mut channels = self.channels.lock().expect("hub lock");
        if let Some(tx) = channels.get(conversation_id) {
            if tx.send(message.clone()).is_err() {
                channels.remove(conversation_id);
            }
        }
    }
}
