//! Live delivery to whoever watches a conversation (the shopper's widget, an
//! agent's console) over SSE or WebSocket: its new messages, and while it
//! waits for a person, its place in the queue and the expected wait.
//!
//! The hub is only a doorbell: messages are durable in the store before they
//! are published, and a listener that lags or reconnects catches up from the
//! store by sequence number. So a dropped broadcast never loses a message.
//! Places are not stored: they are worked out from the queue whenever it
//! moves ([`Hub::queue_moved`]) and each listening shopper is told theirs when
//! it changed ([`Hub::tell_places`]); a new or lagging listener is told again.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use handoff::Message;
use tokio::sync::{broadcast, Notify};

use crate::turn::Place;

/// Capacity of one conversation's channel; a slower listener gets `Lagged`
/// and re-reads from the store.
const CAPACITY: usize = 64;

/// What a conversation's listeners receive.
#[derive(Debug, Clone)]
pub enum Live {
    /// A new message (durable before it is sent), boxed: a message with
    /// its turn's facts is far larger than a place.
    Message(Box<Message>),
    /// The conversation's place in the queue changed (or it left the queue).
    Place(Place),
}

/// Conversation → its channel, while someone listens.
type Channels = Arc<Mutex<HashMap<String, broadcast::Sender<Live>>>>;

/// Per-conversation broadcast channels, created on first subscription and
/// forgotten when the last [`Listener`] goes, and the places last told.
#[derive(Default)]
pub struct Hub {
    channels: Channels,
    /// The places told, and who is to be told theirs again.
    told: Mutex<Told>,
    /// Rung when the queue may have moved; the place watcher recomputes.
    moved: Notify,
    watching: AtomicBool,
}

#[derive(Default)]
struct Told {
    /// Conversation → the place its listeners were last told.
    places: HashMap<String, Place>,
    /// Conversations with a new or lagging listener, to be told their place
    /// at the next round whether it changed or not. Kept apart from
    /// `places`: forgetting a told place there would also forget that the
    /// other listeners must hear when it leaves the queue (an agent opening
    /// the conversation while the shopper waits, then claiming it, left
    /// the shopper's widget showing its old place).
    again: HashSet<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain maps, consistent after every update: a panic elsewhere leaves them usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    /// Listens for what happens to one conversation. Its current place
    /// (while it waits) follows at the watcher's next round.
    pub fn subscribe(&self, conversation_id: &str) -> Listener {
        let rx = lock(&self.channels)
            .entry(conversation_id.to_string())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe();
        self.retell(conversation_id);
        Listener {
            rx,
            conversation_id: conversation_id.to_string(),
            channels: Arc::clone(&self.channels),
        }
    }

    /// Tells current listeners; forgets channels nobody listens to any more.
    ///
    /// Every queue change tells its shopper so with a system notice (queued,
    /// ticket, agent joined, waiting again, resolved), published once the
    /// change is committed and durable: so a system notice also rings for
    /// the places. This is how a hand-over in a shopper's turn moves the
    /// others' places without a hook in the turn; bot-only turns publish no
    /// system notice, so they pay one comparison.
    pub fn publish(&self, conversation_id: &str, message: &Message) {
        if message.author == handoff::Author::System {
            self.queue_moved();
        }
        self.send(conversation_id, Live::Message(Box::new(message.clone())));
    }

    fn send(&self, conversation_id: &str, live: Live) {
        let mut channels = lock(&self.channels);
        if let Some(tx) = channels.get(conversation_id) {
            if tx.send(live).is_err() {
                channels.remove(conversation_id);
            }
        }
    }

    fn listened(&self, conversation_id: &str) -> bool {
        lock(&self.channels)
            .get(conversation_id)
            .is_some_and(|tx| tx.receiver_count() > 0)
    }

    /// The queue may have moved (a claim, a transfer, a resolve, an agent
    /// signing in or out, a new entry): the watcher recomputes the places.
    /// Cheap; many rings before the watcher wakes make one round.
    pub fn queue_moved(&self) {
        self.moved.notify_one();
    }

    /// Waits for the next [`queue_moved`](Hub::queue_moved).
    pub async fn next_move(&self) {
        self.moved.notified().await;
    }

    /// Whether the place watcher is to be started now (true exactly once).
    pub fn start_watching(&self) -> bool {
        !self.watching.swap(true, Ordering::SeqCst)
    }

    /// A listener (new, or one that lagged and may have missed a place) is
    /// told its place again at the next round.
    pub fn retell(&self, conversation_id: &str) {
        lock(&self.told).again.insert(conversation_id.to_string());
        self.queue_moved();
    }

    /// Tells each listening conversation among `waiting` its place when it
    /// differs from what it was last told (or it has a new or lagging
    /// listener); a conversation that was told a place and no longer waits
    /// is told `left(id)` (claimed: no position), and so is a new or
    /// lagging listener of a conversation that was queued once (it may have
    /// missed that it left). Returns how many were told.
    pub fn tell_places(
        &self,
        waiting: Vec<(String, Place)>,
        left: impl Fn(&str) -> Option<Place>,
    ) -> usize {
        let waits = |id: &str| waiting.iter().any(|(w, _)| w == id);
        // Who left, and who must be told again, under the lock; their
        // places (store reads, the desk's lock) outside it, since the async
        // side takes it to subscribe (`retell`). A retell meanwhile is
        // served by the next round, which it rings.
        let (gone, again) = {
            let mut told = lock(&self.told);
            let again = std::mem::take(&mut told.again);
            let gone: Vec<String> = told
                .places
                .keys()
                .filter(|id| !waits(id))
                .cloned()
                .collect();
            for id in &gone {
                told.places.remove(id);
            }
            (gone, again)
        };
        let mut sent = 0;
        for id in &gone {
            if let Some(place) = left(id) {
                self.send(id, Live::Place(place));
                sent += 1;
            }
        }
        for id in again.iter().filter(|id| !waits(id) && !gone.contains(id)) {
            if !self.listened(id) {
                continue;
            }
            if let Some(place) = left(id).filter(|p| p.kind.is_some()) {
                self.send(id, Live::Place(place));
                sent += 1;
            }
        }
        let mut told = lock(&self.told);
        for (id, place) in waiting {
            let changed = told.places.get(&id) != Some(&place) || again.contains(&id);
            if changed && self.listened(&id) {
                self.send(&id, Live::Place(place.clone()));
                told.places.insert(id, place);
                sent += 1;
            }
        }
        sent
    }
}

/// One listener of a conversation. Dropping the last one forgets the
/// conversation's channel: otherwise every conversation ever watched (and
/// every id anyone asked to watch, existing or not) would keep a channel
/// and its buffer for the life of the server.
pub struct Listener {
    rx: broadcast::Receiver<Live>,
    conversation_id: String,
    channels: Channels,
}

impl Listener {
    /// The next event (see [`broadcast::Receiver::recv`]).
    pub async fn recv(&mut self) -> Result<Live, broadcast::error::RecvError> {
        self.rx.recv().await
    }

    #[cfg(test)]
    fn try_recv(&mut self) -> Result<Live, broadcast::error::TryRecvError> {
        self.rx.try_recv()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let mut channels = lock(&self.channels);
        // This listener's receiver still counts here; nobody subscribes
        // while the map is locked.
        if channels
            .get(&self.conversation_id)
            .is_some_and(|tx| tx.receiver_count() <= 1)
        {
            channels.remove(&self.conversation_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use handoff::{ConvStatus, EntryKind};

    use super::*;

    fn waiting(position: usize, eta: u64) -> Place {
        Place {
            status: ConvStatus::Queued,
            position: Some(position),
            kind: Some(EntryKind::Queued),
            eta_seconds: Some(eta),
        }
    }

    fn places(rx: &mut Listener) -> Vec<Place> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .filter_map(|live| match live {
                Live::Place(p) => Some(p),
                Live::Message(_) => None,
            })
            .collect()
    }

    #[test]
    fn a_listener_is_told_its_place_when_it_changes_and_when_it_leaves() {
        let hub = Hub::default();
        let mut rx = hub.subscribe("c2");
        let left = |_: &str| {
            Some(Place {
                status: ConvStatus::WithAgent {
                    agent_id: "a1".into(),
                },
                position: None,
                kind: Some(EntryKind::Queued),
                eta_seconds: None,
            })
        };
        let round = |hub: &Hub, p: Vec<(&str, Place)>| {
            hub.tell_places(
                p.into_iter().map(|(i, p)| (i.to_string(), p)).collect(),
                left,
            )
        };
        assert_eq!(
            round(&hub, vec![("c1", waiting(1, 0)), ("c2", waiting(2, 300))]),
            1,
            "c1 has no listener"
        );
        assert_eq!(
            round(&hub, vec![("c1", waiting(1, 0)), ("c2", waiting(2, 300))]),
            0,
            "unchanged"
        );
        assert_eq!(round(&hub, vec![("c2", waiting(1, 120))]), 1);
        assert_eq!(places(&mut rx), vec![waiting(2, 300), waiting(1, 120)]);
        // A new listener is told again, unchanged or not.
        let mut again = hub.subscribe("c2");
        assert_eq!(round(&hub, vec![("c2", waiting(1, 120))]), 1);
        assert_eq!(places(&mut again), vec![waiting(1, 120)]);
        assert_eq!(round(&hub, vec![]), 1, "claimed: told it left the queue");
        assert_eq!(places(&mut again)[0].position, None);
        assert_eq!(round(&hub, vec![]), 0);
    }

    #[test]
    fn a_second_listener_does_not_make_the_first_miss_that_it_left_the_queue() {
        // The shopper's widget waits at #1; an agent opens the conversation
        // (a second listener) and claims it before the next round.
        let hub = Hub::default();
        let mut widget = hub.subscribe("c1");
        let claimed = |_: &str| {
            Some(Place {
                status: ConvStatus::WithAgent {
                    agent_id: "a1".into(),
                },
                position: None,
                kind: Some(EntryKind::Queued),
                eta_seconds: None,
            })
        };
        hub.tell_places(vec![("c1".to_string(), waiting(1, 60))], claimed);
        assert_eq!(places(&mut widget), vec![waiting(1, 60)]);
        let mut console = hub.subscribe("c1");
        assert_eq!(hub.tell_places(Vec::new(), claimed), 1, "told it left");
        assert_eq!(places(&mut widget)[0].position, None);
        assert_eq!(places(&mut console)[0].position, None);
        assert_eq!(hub.tell_places(Vec::new(), claimed), 0, "once");
        // A new listener of a conversation never queued hears nothing.
        let mut other = hub.subscribe("c9");
        let bot = |_: &str| {
            Some(Place {
                status: ConvStatus::Bot,
                position: None,
                kind: None,
                eta_seconds: None,
            })
        };
        assert_eq!(hub.tell_places(Vec::new(), bot), 0);
        assert!(places(&mut other).is_empty());
    }

    #[test]
    fn a_channel_is_forgotten_with_its_last_listener() {
        let hub = Hub::default();
        let channels = || lock(&hub.channels).len();
        // Asked for and given up (an unknown id, a closed widget).
        drop(hub.subscribe("nobody"));
        assert_eq!(channels(), 0);
        let first = hub.subscribe("c1");
        let mut second = hub.subscribe("c1");
        drop(first);
        assert_eq!(channels(), 1, "one listener is left");
        let message = Message {
            seq: 1,
            at: crate::clock::parse_instant("2026-11-20T12:00:00+08:00").unwrap(),
            author: handoff::Author::Bot,
            text: "hi".to_owned(),
            buttons: Vec::new(),
            turn: None,
        };
        hub.publish("c1", &message);
        assert!(matches!(second.try_recv(), Ok(Live::Message(m)) if m.seq == 1));
        drop(second);
        assert_eq!(channels(), 0);
    }
}
