//! Where an escalated conversation goes: the live queue, a callback offer,
//! or a ticket with the time a person will answer. Never a dead queue: when
//! the shop is closed, closes before the shopper's turn, or nobody who
//! speaks the shopper's language is online, the answer is a ticket.

use std::time::Duration;

use dialogs::{Tier, Time};
use serde::{Deserialize, Serialize};

use crate::duration::{after, between};
use crate::{
    estimate_wait, overflow, BusinessHours, HandlingStats, Needs, Overflow, OverflowPolicy, Roster,
    Seats, SlaPolicy,
};

/// The shop's side of the decision, as it stands at `now`.
#[derive(Debug, Clone, Copy)]
pub struct Desk<'a> {
    /// Opening hours.
    pub hours: &'a BusinessHours,
    /// Who is on duty.
    pub roster: &'a Roster,
    /// How long conversations take.
    pub stats: &'a HandlingStats,
    /// Service targets: a ticket is answered within `ticket_first_response`.
    pub sla: &'a SlaPolicy,
    /// When to offer a callback instead of a long wait.
    pub overflow: &'a OverflowPolicy,
}

/// The shopper's side.
#[derive(Debug, Clone, Copy)]
pub struct Shopper<'a> {
    /// Skill and language wanted.
    pub needs: &'a Needs,
    /// Membership tier.
    pub tier: Tier,
    /// Anger in [0, 1].
    pub anger: f32,
    /// Place in the queue, 1 = next: one more than the waiting entries that
    /// [`Store::queue`](crate::Store::queue) puts before it (higher
    /// priority, or equal priority and older).
    pub position: usize,
}

/// Why a ticket instead of a live chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketReason {
    /// The shop is closed now.
    AfterHours,
    /// Open, but the wait runs past closing time.
    Closing,
    /// Open, but no agent who speaks the shopper's language is online.
    NoAgentOnline,
}

/// Where the conversation goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Route {
    /// Wait in the chat for a person; `eta` is the expected wait.
    LiveQueue {
        /// Expected wait.
        #[serde(with = "crate::duration")]
        eta: Duration,
    },
    /// A person answers later.
    Ticket {
        /// When the shop next opens (now, if open). `None` only if the hours
        /// never open (a configuration refuses that).
        opens_at: Option<Time>,
        /// When a person will answer: the ticket first-response target
        /// counted in open time (or the queue ahead, when longer).
        answer_by: Option<Time>,
        /// Why not live.
        why: TicketReason,
    },
    /// The wait is long: offer to get back to the shopper instead.
    Callback {
        /// The wait they would face in the queue.
        #[serde(with = "crate::duration")]
        eta: Duration,
    },
}

/// Decides the route of a conversation escalated at `now`. Pure.
///
/// In order: closed → ticket (after hours). No seat for the needs → the
/// skill is dropped and only the language kept (an orders agent beats no
/// agent: offer with [`Needs::any_skill`] too when the skilled offer comes
/// back empty); still none → ticket (no agent online). The expected wait
/// ([`estimate_wait`]) running past closing → ticket (closing). Otherwise
/// [`overflow`] picks the live queue or a callback; angry and VIP shoppers
/// are always queued.
pub fn route(now: Time, desk: &Desk, shopper: &Shopper) -> Route {
    let hours = desk.hours;
    let ticket = |why, wait: Duration| Route::Ticket {
        opens_at: hours.next_opening(now),
        answer_by: hours.answer_by(now, wait.max(desk.sla.ticket_first_response)),
        why,
    };
    if !hours.is_open(now) {
        return ticket(TicketReason::AfterHours, Duration::ZERO);
    }
    let seats = seats_for(desk.roster, shopper.needs);
    let Some(eta) = estimate_wait(shopper.position, seats, desk.stats) else {
        return ticket(TicketReason::NoAgentOnline, Duration::ZERO);
    };
    if hours.answer_by(now, eta) != Some(after(now, eta)) {
        return ticket(TicketReason::Closing, eta);
    }
    match overflow(eta, desk.overflow, shopper.tier, shopper.anger) {
        Overflow::Queue => Route::LiveQueue { eta },
        Overflow::OfferCallback => Route::Callback { eta },
    }
}

/// The seats online for `needs`, or, when none has the skill, for any
/// skill in the same language (an orders agent beats no agent).
pub fn seats_for(roster: &Roster, needs: &Needs) -> Seats {
    let seats = roster.seats(needs);
    if seats.total == 0 {
        roster.seats(&needs.any_skill())
    } else {
        seats
    }
}

/// How long until a person answers a waiting ticket that `promised` an
/// answer by then, seen at `now` from the ticket's `position` in the queue
/// (1 = next). Pure.
///
/// The promise is what the shopper was told when the ticket was filed
/// ([`Route::Ticket`]'s `answer_by`, kept in the entry's
/// [`Context::answer_by`](crate::Context::answer_by)): the next opening plus
/// the ticket first-response target, counted in open time, or later when
/// the queue ahead was longer; for a callback, the target or the wait it
/// was offered instead of, whichever is longer. So:
/// - while the shop is open and someone online can take it, the ticket is
///   worked like the live queue: [`estimate_wait`] from its place and the
///   seats online now (counted in open time, so a wait that runs past
///   closing resumes at the next opening);
/// - otherwise (closed, or nobody online) a person answers by the promised
///   time: the wait is what is left of it;
/// - past that promise, with the shop closed, the next opening; open with
///   nobody online, `None`: no honest figure exists until someone signs in.
pub fn ticket_wait(
    now: Time,
    desk: &Desk,
    needs: &Needs,
    position: usize,
    promised: Time,
) -> Option<Duration> {
    let hours = desk.hours;
    let open = hours.is_open(now);
    if open {
        let seats = seats_for(desk.roster, needs);
        if let Some(eta) = estimate_wait(position, seats, desk.stats) {
            return hours.answer_by(now, eta).map(|at| between(now, at));
        }
    }
    if promised > now {
        Some(between(now, promised))
    } else if open {
        None
    } else {
        hours.next_opening(now).map(|at| between(now, at))
    }
}

#[cfg(test)]
#[path = "routing_tests.rs"]
mod tests;
