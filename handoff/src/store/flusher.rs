//! Group commit: one thread flushes sled for every writer that waits.
//!
//! sled 0.34's `flush_async` can hang when many callers use it at once
//! (sled issue #1308), and a `flush()` per write would serialise writers on
//! the disk. Instead each writer takes a ticket after its insert and waits;
//! the flusher thread flushes once for all tickets issued so far and wakes
//! the writers that flush covered. Under load one fsync serves many writers.
//!
//! Gathering: a flush costs sled a buffer write, an `fsync` and about ten
//! thread wake-ups (its I/O thread pool wakes every idle thread per job),
//! whether it covers one write or fifty. So while the store is busy (the
//! last flush served more than one writer) flushes start at most once per
//! [`GATHER`] and each covers everything written meanwhile; a lone writer
//! (the last flush served only it) is flushed at once.
//!
//! A writer waits either blocking ([`Flusher::durable`], [`Pending::wait`])
//! or as a future ([`Pending`] in async code): the flusher wakes the task
//! itself, so an async server needs no blocking thread per waiting write.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Error;

/// Under load, the least time from one flush's start to the next (see the
/// module doc). It bounds what gathering adds to a write's latency (a flush
/// itself takes about 0.3 ms on the development VM) while keeping flushes
/// to about a thousand a second.
pub(crate) const GATHER: Duration = Duration::from_millis(1);

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
    /// Wakes blocked writers: a flush finished.
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
    /// The flusher thread waits on `work` until `issued` reaches this.
    wake_at: u64,
    /// Writers blocked on `done` (so a flush must notify it).
    blocked: usize,
    /// Tasks waiting for their ticket, woken by the flusher thread.
    wakers: Vec<(u64, Waker)>,
    /// What the flushes so far cost and covered.
    stats: FlushStats,
}

/// The group commit's work since the store was opened, for monitoring
/// (`GET /metrics`): a slow disk shows here before anywhere else.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FlushStats {
    /// sled flushes (each an `fsync` of the log) made, failed ones included.
    pub flushes: u64,
    /// Writes the successful flushes made durable (turns, messages, queue
    /// changes): `writes / flushes` is the group commit's batch.
    pub writes: u64,
    /// Time spent in those flushes.
    pub seconds: f64,
    /// Flushes that failed (their writers got the error).
    pub failures: u64,
}

impl State {
    /// The outcome for `ticket`, once a flush covered it.
    fn outcome(&self, ticket: u64) -> Option<Result<(), Error>> {
        if self.flushed >= ticket {
            return Some(Ok(()));
        }
        match &self.failure {
            Some((upto, error)) if *upto >= ticket => Some(Err(Error::Storage(error.clone()))),
            _ => None,
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock, and the counters stay
        // consistent at every unlock, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a ticket: a flush that starts after this call covers every
    /// write the caller completed before it.
    fn ticket(&self) -> u64 {
        let mut state = self.lock();
        state.issued += 1;
        let ticket = state.issued;
        // While the thread flushes it re-checks `issued` before it sleeps,
        // so only a waiting thread needs the (system call) wake-up, and only
        // once its batch is full.
        if state.wake_at != 0 && ticket >= state.wake_at {
            state.wake_at = 0;
            self.work.notify_one();
        }
        ticket
    }

    fn wait(&self, ticket: u64) -> Result<(), Error> {
        let mut state = self.lock();
        loop {
            if let Some(outcome) = state.outcome(ticket) {
                return outcome;
            }
            state.blocked += 1;
            state = self
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.blocked -= 1;
        }
    }

    fn poll(&self, ticket: u64, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut state = self.lock();
        if let Some(outcome) = state.outcome(ticket) {
            return Poll::Ready(outcome);
        }
        match state.wakers.iter_mut().find(|(t, _)| *t == ticket) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => state.wakers.push((ticket, cx.waker().clone())),
        }
        Poll::Pending
    }

    /// Wakes every writer whose ticket now has an outcome. Called with the
    /// lock held; the wakers run after it is released.
    fn settle(&self, mut state: MutexGuard<'_, State>) {
        if state.blocked > 0 {
            self.done.notify_all();
        }
        let mut ready = Vec::new();
        let mut i = 0;
        while i < state.wakers.len() {
            if state.outcome(state.wakers[i].0).is_some() {
                ready.push(state.wakers.swap_remove(i).1);
            } else {
                i += 1;
            }
        }
        drop(state);
        for waker in ready {
            waker.wake();
        }
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

    /// What the flushes so far cost and covered.
    pub(crate) fn stats(&self) -> FlushStats {
        self.shared.lock().stats
    }

    /// Returns once every write this thread completed before the call is on
    /// disk, or with the error of the flush that should have covered it.
    pub(crate) fn durable(&self) -> Result<(), Error> {
        self.shared.wait(self.shared.ticket())
    }

    /// Like [`durable`](Flusher::durable), without waiting: `value` comes
    /// back from the [`Pending`] once the writes before this call are on disk.
    pub(crate) fn pending<T>(&self, value: T) -> Pending<T> {
        Pending {
            ticket: self.shared.ticket(),
            shared: Arc::clone(&self.shared),
            value: Some(value),
        }
    }
}

/// A write that is done but not yet known to be on disk.
///
/// Readers may already see it; whoever reports it (an HTTP answer, a live
/// event) must wait first: [`wait`](Pending::wait) blocks the thread,
/// `.await` suspends the task until the group-commit flusher wakes it. The
/// value comes back only once the write is durable; if the flush that should
/// have covered it failed, the error does instead.
#[must_use = "a write is durable only once its Pending is waited for"]
pub struct Pending<T> {
    ticket: u64,
    shared: Arc<Shared>,
    value: Option<T>,
}

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("ticket", &self.ticket)
            .finish_non_exhaustive()
    }
}

impl<T> Pending<T> {
    /// Blocks until the write is on disk, then gives back its result.
    pub fn wait(mut self) -> Result<T, Error> {
        self.shared.wait(self.ticket)?;
        Ok(self.value.take().expect("a Pending yields once"))
    }

    /// Transforms the value that comes back once the write is durable.
    pub fn map<U>(mut self, f: impl FnOnce(T) -> U) -> Pending<U> {
        Pending {
            ticket: self.ticket,
            shared: Arc::clone(&self.shared),
            value: self.value.take().map(f),
        }
    }
}

impl<T: Unpin> Future for Pending<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.shared.poll(self.ticket, cx) {
            Poll::Ready(Ok(())) => {
                Poll::Ready(Ok(self.value.take().expect("a Pending yields once")))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.stopping = true;
        state.wake_at = 0;
        self.shared.work.notify_one();
        drop(state);
        if let Some(thread) = self.thread.take() {
            // A panic in the thread was already reported to writers by
            // `Abandon`; there is nothing more to do with it here.
            let _ = thread.join();
        }
    }
}

fn run(shared: &Shared, db: &sled::Db) {
    let _abandon = Abandon(shared);
    // Whether the last flush served more than one writer, and when it began.
    let mut busy = false;
    let mut began = Instant::now();
    let mut state = shared.lock();
    loop {
        while state.issued == state.attempted && !state.stopping {
            state.wake_at = state.attempted + 1;
            state = shared
                .work
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if busy {
            // Under load, flush at most once per `GATHER`: the writes keep
            // coming and the next flush covers them all.
            state.wake_at = 0;
            while !state.stopping {
                let Some(left) = (began + GATHER).checked_duration_since(Instant::now()) else {
                    break;
                };
                state = shared
                    .work
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        }
        state.wake_at = 0;
        if state.issued == state.attempted {
            return; // stopping, and every ticket is served
        }
        // Every ticket up to `target` was taken after its write completed,
        // so this flush covers all of them.
        let target = state.issued;
        busy = target - state.attempted > 1;
        drop(state);
        began = Instant::now();
        let result = db.flush();
        let took = began.elapsed();
        state = shared.lock();
        state.stats.flushes += 1;
        state.stats.seconds += took.as_secs_f64();
        let covered = target - state.attempted;
        state.attempted = target;
        match result {
            Ok(_) => {
                state.stats.writes += covered;
                state.flushed = target;
            }
            Err(error) => {
                tracing::error!(%error, "flushing the conversation store failed");
                state.stats.failures += 1;
                state.failure = Some((target, error));
            }
        }
        shared.settle(state);
        state = shared.lock();
    }
}

/// Fails every present and future ticket if the flusher thread unwinds, so
/// that no writer waits forever for a thread that is gone.
struct Abandon<'a>(&'a Shared);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let gone = sled::Error::ReportableBug("the handoff flusher thread panicked".to_owned());
            let mut state = self.0.lock();
            state.failure = Some((u64::MAX, gone));
            // Blocked writers re-check on any wake-up.
            state.blocked = state.blocked.max(1);
            self.0.settle(state);
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
        // Every write was covered by exactly one flush; 8 writers share some.
        let stats = flusher.stats();
        assert_eq!(stats.writes, 160, "{stats:?}");
        assert!((1..=160).contains(&stats.flushes), "{stats:?}");
        assert!(stats.seconds > 0.0 && stats.failures == 0, "{stats:?}");
        drop(flusher); // joins: hangs here if the thread does not stop
    }

    /// Polls a future to completion on this thread; the waker unparks it.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            std::thread::park();
        }
    }

    #[test]
    fn pending_writes_are_woken_by_the_flusher_and_yield_their_value() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::open(dir.path()).unwrap();
        let flusher = Flusher::start(db.clone()).unwrap();
        std::thread::scope(|s| {
            for t in 0..8u8 {
                let (db, flusher) = (&db, &flusher);
                s.spawn(move || {
                    for i in 0..20u8 {
                        db.insert([t, i], &[1]).unwrap();
                        let pending = flusher.pending(i).map(u32::from);
                        let got = if i % 2 == 0 {
                            block_on(pending)
                        } else {
                            pending.wait()
                        };
                        assert_eq!(got.unwrap(), u32::from(i));
                    }
                });
            }
        });
        let state = flusher.shared.lock();
        assert_eq!((state.issued, state.flushed), (160, 160));
        assert!(state.wakers.is_empty(), "every waker was taken and woken");
    }

    #[test]
    fn a_failed_flush_fails_the_waiting_futures() {
        // No thread: the state is as `run` leaves it after a failed flush
        // that covered tickets 1 and 2; ticket 3 still waits.
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                issued: 3,
                attempted: 2,
                failure: Some((2, sled::Error::Unsupported("disk gone".into()))),
                ..State::default()
            }),
            work: Condvar::new(),
            done: Condvar::new(),
        });
        let pending = |ticket| Pending {
            ticket,
            shared: Arc::clone(&shared),
            value: Some(()),
        };
        assert!(matches!(block_on(pending(2)), Err(Error::Storage(_))));
        assert!(matches!(pending(1).wait(), Err(Error::Storage(_))));
        let waker = Waker::noop();
        let mut later = pending(3);
        let polled = Pin::new(&mut later).poll(&mut Context::from_waker(waker));
        assert!(polled.is_pending());
        assert_eq!(shared.lock().wakers.len(), 1, "ticket 3 waits for a flush");
    }
}
