//! Key encodings, chosen so that sled's byte order is the order we read in.

use dialogs::Time;

use crate::{Error, QueueEntry};

/// Length of a conversation id: 128 bits as lowercase hex.
pub(super) const ID_LEN: usize = 32;

/// A fresh conversation id: 128 bits from the operating system's random
/// source, as hex. It is the shopper's bearer token, so it must not be
/// guessable from other ids or from time.
pub(super) fn new_conversation_id() -> Result<String, Error> {
    let mut bytes = [0u8; ID_LEN / 2];
    getrandom::fill(&mut bytes).map_err(|e| Error::Entropy(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether `id` could have come from [`new_conversation_id`]; anything else
/// is unknown without a lookup, and cannot collide with a key prefix.
pub(super) fn is_well_formed(id: &str) -> bool {
    id.len() == ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A conversation id spread over `usize`, to pick one of a fixed number of
/// slots (the write stripes, the remembered heads).
pub(super) fn spread(id: &str) -> usize {
    id.bytes()
        .fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
}

/// `messages` key: conversation id, then the big-endian seq, so one
/// conversation's messages are contiguous and in order.
pub(super) fn message(id: &str, seq: u64) -> Vec<u8> {
    [id.as_bytes(), &seq.to_be_bytes()].concat()
}

/// The seq back from a `messages` key.
pub(super) fn message_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(ID_LEN..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// `waiting` key: priority descending, then waiting-since ascending, then
/// the order of arrival (equal times: a pinned clock), then id, so a forward
/// scan is the order agents serve the queue in.
pub(super) fn waiting(priority: i64, since: &Time, arrival: u64, id: &str) -> Vec<u8> {
    // Flipping the sign bit maps i64 onto u64 keeping order; `!` reverses it.
    let priority = !((priority as u64) ^ (1 << 63));
    let since = (since.timestamp_micros() as u64) ^ (1 << 63);
    [
        &priority.to_be_bytes()[..],
        &since.to_be_bytes(),
        &arrival.to_be_bytes(),
        id.as_bytes(),
    ]
    .concat()
}

/// The `waiting` key of a waiting entry.
pub(super) fn waiting_of(entry: &QueueEntry) -> Vec<u8> {
    waiting(
        entry.priority,
        &entry.waiting_since,
        entry.arrival,
        &entry.conversation_id,
    )
}

/// Length of a `waiting` key written before the order of arrival was in it
/// (priority, since, id): such an index is rebuilt when the store opens.
pub(super) const OLD_WAITING_KEY_LEN: usize = 8 + 8 + ID_LEN;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        Time::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn ids_are_well_formed_and_distinct() {
        let a = new_conversation_id().unwrap();
        let b = new_conversation_id().unwrap();
        assert!(is_well_formed(&a) && is_well_formed(&b));
        assert_ne!(a, b);
        assert!(!is_well_formed("C1001"));
        assert!(!is_well_formed(&a.to_uppercase()));
    }

    #[test]
    fn waiting_keys_sort_by_priority_desc_then_oldest() {
        let early = at("2026-11-20T12:00:00+08:00");
        let late = at("2026-11-20T05:00:01+00:00"); // one second later, other offset
        let id = "0".repeat(ID_LEN);
        let mut keys = [
            (waiting(-5, &early, 0, &id), "neg"),
            (waiting(10, &late, 0, &id), "10 late"),
            (waiting(i64::MIN, &early, 0, &id), "min"),
            (waiting(10, &early, 7, &id), "10 early, 2nd"),
            (waiting(10, &early, 3, &"f".repeat(ID_LEN)), "10 early, 1st"),
            (waiting(i64::MAX, &late, 0, &id), "max"),
            (waiting(0, &early, 0, &id), "zero"),
        ];
        keys.sort();
        let order: Vec<&str> = keys.iter().map(|k| k.1).collect();
        assert_eq!(
            order,
            [
                "max",
                "10 early, 1st",
                "10 early, 2nd",
                "10 late",
                "zero",
                "neg",
                "min"
            ]
        );
    }

    #[test]
    fn message_keys_round_trip_and_sort_by_seq() {
        let id = "ab".repeat(ID_LEN / 2);
        assert_eq!(message_seq(&message(&id, 258)), Some(258));
        assert!(message(&id, 255) < message(&id, 256));
    }
}
