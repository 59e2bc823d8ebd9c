//! One lock per conversation that has a turn in progress.
//!
//! A turn holds its conversation's lock from reading the dialog state to
//! publishing the durable result, across the group-commit flush's `.await`
//! (so a tokio mutex). The lock used to be one of 1,024 stripes picked by a
//! hash of the id: 64 conversations at once share a stripe more often than
//! not (the birthday bound), and a turn then waited for a stranger's whole
//! turn, flush included, which doubled those conversations' latency and
//! set the 99th percentile. A lock per conversation never makes strangers
//! wait; the map holds only the conversations with a turn holding or
//! waiting for their lock, so memory stays bounded by the turns in flight.

use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex, MutexGuard as StdMutexGuard, PoisonError};

use tokio::sync::{Mutex, OwnedMutexGuard};

/// The locks of the conversations with a turn in progress.
#[derive(Default)]
pub(super) struct TurnLocks {
    held: StdMutex<HashMap<Box<str>, Arc<Mutex<()>>>>,
}

/// A conversation's turn lock, held until dropped. Owns what it needs
/// (`'static`), so a turn whose caller went away can be finished by a task
/// of its own, still holding it.
pub(super) struct TurnGuard {
    locks: Arc<TurnLocks>,
    id: Box<str>,
    lock: Arc<Mutex<()>>,
    guard: Option<OwnedMutexGuard<()>>,
}

impl TurnLocks {
    fn held(&self) -> StdMutexGuard<'_, HashMap<Box<str>, Arc<Mutex<()>>>> {
        // The map is consistent at every unlock (one insert or remove).
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A guard that does not hold the lock yet; it registers the caller as
    /// holding or waiting, so the entry stays while anyone needs it.
    fn enter(self: &Arc<Self>, id: &str) -> TurnGuard {
        let lock = Arc::clone(self.held().entry(id.into()).or_default());
        TurnGuard {
            locks: Arc::clone(self),
            id: id.into(),
            lock,
            guard: None,
        }
    }

    /// Waits for the conversation's lock, suspending the task.
    pub(super) async fn lock(self: &Arc<Self>, id: &str) -> TurnGuard {
        // Entered first, so a request dropped while waiting (a timeout)
        // still removes its entry on the way out.
        let mut turn = self.enter(id);
        turn.guard = Some(Arc::clone(&turn.lock).lock_owned().await);
        turn
    }

    /// Waits for the conversation's lock, blocking the thread (never from
    /// an async task).
    pub(super) fn lock_blocking(self: &Arc<Self>, id: &str) -> TurnGuard {
        let mut turn = self.enter(id);
        turn.guard = Some(Arc::clone(&turn.lock).blocking_lock_owned());
        turn
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.held().len()
    }
}

impl Drop for TurnGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut held = self.locks.held();
        // Only the map and this guard have it: nobody holds or waits for
        // the lock, and nobody can start to without the map's lock.
        if Arc::strong_count(&self.lock) == 2 {
            held.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[tokio::test]
    async fn a_conversation_waits_for_its_own_turns_only_and_entries_go() {
        let locks = Arc::new(TurnLocks::default());
        let a = locks.lock("a").await;
        // Another conversation is not held up.
        let b = locks.lock("b").await;
        assert_eq!(locks.len(), 2);
        drop(b);
        assert_eq!(locks.len(), 1);
        // The same conversation waits until the first turn is done.
        let mut again = Box::pin(locks.lock("a"));
        assert!(poll_once(again.as_mut()).is_pending());
        drop(a);
        let a = again.await;
        assert_eq!(locks.len(), 1);
        drop(a);
        assert_eq!(locks.len(), 0);
    }

    #[tokio::test]
    async fn a_wait_given_up_leaves_nothing_behind() {
        let locks = Arc::new(TurnLocks::default());
        let a = locks.lock("a").await;
        let mut waiting = Box::pin(locks.lock("a"));
        assert!(poll_once(waiting.as_mut()).is_pending());
        // Dropped without ever taking the lock (as a timed-out request).
        drop(waiting);
        drop(a);
        assert_eq!(locks.len(), 0);
        let blocked = std::thread::scope(|s| {
            s.spawn(|| drop(locks.lock_blocking("c"))).join().unwrap();
            locks.len()
        });
        assert_eq!(blocked, 0);
    }
}
