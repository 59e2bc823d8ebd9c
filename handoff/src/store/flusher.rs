//! Group commit: one thread flushes sled for every writer that waits.
//!
//! sled 0.34's `flush_async` can hang when many callers use it at once
//! (sled issue #1308), and a `flush()` per write would serialise writers on
//! the disk. Instead each writer takes a ticket after its insert and waits;
//! the flusher thread flushes once for all tickets issued so far and wakes
//! the writers that flush covered. Under load one fsync serves many writers.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crate::Error;

/// Handle to the flusher thread; dropping it stops the thread after it has
/// served every ticket already taken.
pub(crate) struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the flusher thread: a ticket was taken, or it should stop.
    work: Condvar,
    /// Wakes writers: a flush finished.
    done: Condvar,
}

#[derive(Default)]
struct State {
    /// Last ticket handed to a writer.
    issued: u64,
    /// Last ticket a flush was attempted for.
    attempted: u64,
    /// Last ticket a flush succeeded for: every write before it is on disk.
    flushed: u64,
    /// The latest failed flush and the last ticket it was attempted for.
    failure: Option<(u64, sled::Error)>,
    stopping: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock, and the counters stay
        // consistent at every unlock, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Flusher {
    /// Starts the flusher thread for `db`.
    pub(crate) fn start(db: sled::Db) -> Result<Flusher, Error> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let thread = std::thread::Builder::new()
            .name("handoff-flusher".to_owned())
            .spawn({
                let shared = Arc::clone(&shared);
                move || run(&shared, &db)
            })
            .map_err(sled::Error::Io)?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }

    /// Returns once every write this thread completed before the call is on
    /// disk, or with the error of the flush that should have covered it.
    pub(crate) fn durable(&self) -> Result<(), Error> {
        let mut state = self.shared.lock();
        state.issued += 1;
        let ticket = state.issued;
        self.shared.work.notify_one();
        loop {
            if state.flushed >= ticket {
                return Ok(());
            }
            if let Some((upto, error)) = &state.failure {
                if *upto >= ticket {
                    return Err(Error::Storage(error.clone()));
                }
            }
            state = self
                .shared
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.shared.lock().stopping = true;
        self.shared.work.notify_one();
        if let Some(thread) = self.thread.take() {
            // A panic in the thread was already reported to writers by
            // `Abandon`; there is nothing more to do with it here.
            let _ = thread.join();
        }
    }
}

fn run(shared: &Shared, db: &sled::Db) {
    let _abandon = Abandon(shared);
    let mut state = shared.lock();
    loop {
        while state.issued == state.attempted && !state.stopping {
            state = shared
                .work
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.issued == state.attempted {
            return; // stopping, and every ticket is served
        }
        // Every ticket up to `target` was taken after its write completed,
        // so this flush covers all of them.
        let target = state.issued;
        drop(state);
        let result = db.flush();
        state = shared.lock();
        state.attempted = target;
        match result {
            Ok(_) => state.flushed = target,
            Err(error) => {
                tracing::error!(%error, "flushing the conversation store failed");
                state.failure = Some((target, error));
            }
        }
        shared.done.notify_all();
    }
}

/// Fails every present and future ticket if the flusher thread unwinds, so
/// that no writer waits forever for a thread that is gone.
struct Abandon<'a>(&'a Shared);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let gone = sled::Error::ReportableBug("the handoff flusher thread panicked".to_owned());
            self.0.lock().failure = Some((u64::MAX, gone));
            self.0.done.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_writers_are_all_served_and_the_thread_stops_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let flusher = Flusher::start(db.clone()).unwrap();
        std::thread::scope(|s| {
            for t in 0..8u8 {
                let (db, flusher) = (&db, &flusher);
                s.spawn(move || {
                    for i in 0..20u8 {
                        db.insert([t, i], &[1]).unwrap();
                        flusher.durable().unwrap();
                    }
                });
            }
        });
        let state = flusher.shared.lock();
        assert_eq!(state.issued, 160);
        assert_eq!(state.flushed, state.attempted);
        drop(state);
        drop(flusher); // joins: hangs here if the thread does not stop
    }
}
