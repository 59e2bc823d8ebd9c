//! Random enqueue / claim / resolve / restart sequences, checked against a
//! plain in-memory model, as sled's own tests check trees against a BTreeMap:
//! the latest entry of each conversation, the ones that ended before it (its
//! history) and the queue order.

use std::collections::BTreeMap;

use dialogs::Time;
use handoff::{ConvStatus, EntryState, Error, HandoffOutcome, Store};
use intents::Lang;
use proptest::prelude::*;

use crate::support::{at, bare_context};

#[derive(Debug, Clone)]
enum Op {
    Create,
    Enqueue { conv: usize, priority: i64 },
    Claim { conv: usize, agent: u8 },
    Resolve { conv: usize, agent: u8 },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Create),
        4 => (any::<usize>(), -3i64..4).prop_map(|(conv, priority)| Op::Enqueue { conv, priority }),
        3 => (any::<usize>(), 0u8..2).prop_map(|(conv, agent)| Op::Claim { conv, agent }),
        3 => (any::<usize>(), 0u8..2).prop_map(|(conv, agent)| Op::Resolve { conv, agent }),
        1 => Just(Op::Restart),
    ]
}

/// What the model knows of one conversation.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    status: ConvStatus,
    /// (priority, waiting since, state) of the latest entry.
    entry: Option<(i64, Time, EntryState)>,
    /// The entries that ended before it, oldest first: none is ever lost
    /// (the store keeps the newest `KEPT_HANDOFFS` and counts the others).
    past: Vec<(i64, Time, EntryState)>,
    /// When the latest entry joined the queue, in order of arrival among all
    /// entries: it breaks ties of priority and time.
    arrival: u64,
}

/// The error the store should give, by variant name; `None` for success.
type Outcome = Option<&'static str>;

fn variant(result: Result<(), Error>) -> Outcome {
    result.err().map(|e| match e {
        Error::NotWaiting { .. } => "NotWaiting",
        Error::NotClaimed { .. } => "NotClaimed",
        Error::ClaimedByOther { .. } => "ClaimedByOther",
        Error::AlreadyWithAgent { .. } => "AlreadyWithAgent",
        other => panic!("unexpected error: {other}"),
    })
}

fn step(
    model: &mut BTreeMap<String, Model>,
    arrivals: &mut u64,
    id: &str,
    op: &Op,
    now: Time,
) -> Outcome {
    let m = model.get_mut(id).expect("op on a created conversation");
    match op {
        Op::Enqueue { priority, .. } => match (&m.status, &mut m.entry) {
            (ConvStatus::WithAgent { .. }, _) => return Some("AlreadyWithAgent"),
            (ConvStatus::Queued, Some((p, _, _))) => *p = (*p).max(*priority),
            _ => {
                m.status = ConvStatus::Queued;
                *arrivals += 1;
                m.arrival = *arrivals;
                let last = m.entry.replace((*priority, now, EntryState::Waiting));
                if let Some(ended @ (_, _, EntryState::Resolved { .. })) = last {
                    m.past.push(ended);
                }
            }
        },
        Op::Claim { agent, .. } => match &mut m.entry {
            Some((_, _, state)) if *state == EntryState::Waiting => {
                let agent_id = format!("A{agent}");
                *state = EntryState::Claimed {
                    agent_id: agent_id.clone(),
                    at: now,
                };
                m.status = ConvStatus::WithAgent { agent_id };
            }
            _ => return Some("NotWaiting"),
        },
        Op::Resolve { agent, .. } => match &mut m.entry {
            Some((_, _, state)) => match state {
                EntryState::Claimed { agent_id, at } if *agent_id == format!("A{agent}") => {
                    *state = EntryState::Resolved {
                        at: now,
                        agent_id: Some(agent_id.clone()),
                        claimed_at: Some(*at),
                    };
                    m.status = ConvStatus::Bot;
                }
                EntryState::Claimed { .. } => return Some("ClaimedByOther"),
                _ => return Some("NotClaimed"),
            },
            None => return Some("NotClaimed"),
        },
        Op::Create | Op::Restart => unreachable!("handled by the driver"),
    }
    None
}

fn check(store: &Store, model: &BTreeMap<String, Model>) -> Result<(), TestCaseError> {
    for (id, m) in model {
        let c = store.conversation(id).unwrap();
        prop_assert_eq!(
            c.map(|c| c.status),
            Some(m.status.clone()),
            "status of {}",
            id
        );
        let stored = store.entry(id).unwrap();
        let past: Vec<(i64, Time, EntryState)> = stored
            .iter()
            .flat_map(|e| &e.context.history)
            .map(|h| {
                let HandoffOutcome::Resolved { at } = h.outcome;
                let state = EntryState::Resolved {
                    at,
                    agent_id: h.agent_id.clone(),
                    claimed_at: h.claimed_at,
                };
                (h.priority, h.queued_at, state)
            })
            .collect();
        let dropped = m.past.len().saturating_sub(handoff::KEPT_HANDOFFS);
        prop_assert_eq!(&past[..], &m.past[dropped..], "past hand-overs of {}", id);
        prop_assert_eq!(
            stored.as_ref().map_or(0, |e| e.context.history_dropped),
            dropped as u64,
            "hand-overs of {} dropped",
            id
        );
        let entry = stored.map(|e| (e.priority, e.waiting_since, e.state));
        prop_assert_eq!(&entry, &m.entry, "entry of {}", id);
    }
    let mut waiting: Vec<(i64, Time, u64, &String)> = model
        .iter()
        .filter_map(|(id, m)| match &m.entry {
            Some((p, since, EntryState::Waiting)) => Some((*p, *since, m.arrival, id)),
            _ => None,
        })
        .collect();
    // Priority first, then the oldest, then the first to arrive.
    waiting.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let want: Vec<&String> = waiting.into_iter().map(|w| w.3).collect();
    let got: Vec<String> = store
        .queue()
        .unwrap()
        .into_iter()
        .map(|e| e.conversation_id)
        .collect();
    prop_assert_eq!(
        got.iter().collect::<Vec<_>>(),
        want,
        "queue order, each waiting entry once"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn queue_never_loses_or_duplicates_a_conversation(ops in prop::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let mut model: BTreeMap<String, Model> = BTreeMap::new();
        let mut ids: Vec<String> = Vec::new();
        let mut arrivals = 0u64;
        for (tick, op) in ops.iter().enumerate() {
            // Several ops share a second, so ties in waiting time happen.
            let now = at(tick as i64 / 3);
            let conv = match op {
                Op::Create => {
                    let c = store.create_conversation("C1001", Lang::Zh, now).unwrap();
                    model.insert(c.id.clone(), Model { status: ConvStatus::Bot, entry: None, past: Vec::new(), arrival: 0 });
                    ids.push(c.id);
                    continue;
                }
                Op::Restart => {
                    drop(store);
                    store = Store::open(dir.path()).unwrap();
                    check(&store, &model)?;
                    continue;
                }
                Op::Enqueue { conv, .. } | Op::Claim { conv, .. } | Op::Resolve { conv, .. } => *conv,
            };
            if ids.is_empty() {
                continue;
            }
            let id = ids[conv % ids.len()].clone();
            let got = variant(match op {
                Op::Enqueue { priority, .. } => {
                    store.enqueue(&id, vec![], *priority, bare_context(&id), now).map(drop)
                }
                Op::Claim { agent, .. } => store.claim(&id, &format!("A{agent}"), now).map(drop),
                Op::Resolve { agent, .. } => store.resolve(&id, &format!("A{agent}"), now),
                Op::Create | Op::Restart => unreachable!(),
            });
            let want = step(&mut model, &mut arrivals, &id, op, now);
            prop_assert_eq!(got, want, "{:?} on {}", op, id);
            check(&store, &model)?;
        }
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        check(&store, &model)?;
    }
}
