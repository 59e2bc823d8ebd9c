//! The stored form of a conversation: its "head".
//!
//! The head is the one key a bot turn commits with. Its value holds the
//! conversation's last message seq, so a turn writes its messages first and
//! then the head (one compare-and-swap): a message above the head's seq is
//! not part of the conversation yet (a crash cut its turn short) and the
//! next write overwrites it. sled recovers a prefix of its log, so a head
//! that survived a crash brings the messages written before it.
//!
//! Value layout (version 1):
//!
//! ```text
//! 0x01 | last seq (u64 BE) | streak (u32 BE) | header len (u32 BE) | header JSON | dialog JSON
//! ```
//!
//! The header (id, customer, language, opening time, status) changes only
//! with the queue, so a turn copies its bytes and encodes just the dialog.
//! A value that starts with `{` is the JSON [`Conversation`] of the first
//! layout, whose last seq lives in the `handoff/seqs` tree; it is read as
//! is and rewritten in this layout at its next change.

use std::sync::{Mutex, MutexGuard, PoisonError};

use dialogs::{DialogState, Time};
use intents::Lang;
use serde::{Deserialize, Serialize};
use sled::IVec;

use super::{decode, encode};
use crate::{ConvStatus, Conversation, Error};

const VERSION: u8 = 1;
const FIXED: usize = 1 + 8 + 4 + 4;

/// A conversation's head, parsed only as far as a write needs.
pub(super) struct Head<'a> {
    /// The last message seq, `None` for a first-layout value (read `seqs`).
    pub last_seq: Option<u64>,
    /// The header JSON, borrowed; `None` for a first-layout value.
    header: Option<&'a [u8]>,
    /// The whole value, for decoding on demand.
    raw: &'a [u8],
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    id: &'a str,
    customer_id: &'a str,
    lang: Lang,
    created_at: Time,
    status: &'a ConvStatus,
}

#[derive(Deserialize)]
struct HeaderIn {
    id: String,
    customer_id: String,
    lang: Lang,
    created_at: Time,
    status: ConvStatus,
}

impl<'a> Head<'a> {
    pub(super) fn parse(id: &str, raw: &'a [u8]) -> Result<Head<'a>, Error> {
        match raw.first() {
            Some(b'{') => Ok(Head {
                last_seq: None,
                header: None,
                raw,
            }),
            Some(&VERSION) if raw.len() >= FIXED => {
                let last_seq = u64::from_be_bytes(raw[1..9].try_into().expect("8 bytes"));
                let len = u32::from_be_bytes(raw[13..17].try_into().expect("4 bytes")) as usize;
                match raw.get(FIXED..FIXED + len) {
                    Some(header) => Ok(Head {
                        last_seq: Some(last_seq),
                        header: Some(header),
                        raw,
                    }),
                    None => Err(corrupt(id, "header runs past the value")),
                }
            }
            _ => Err(corrupt(id, "unknown layout")),
        }
    }

    /// The whole conversation.
    pub(super) fn conversation(&self, id: &str) -> Result<Conversation, Error> {
        let Some(header) = self.header else {
            return decode("conversation", id, self.raw);
        };
        let h: HeaderIn = decode("conversation", id, header)?;
        let streak = u32::from_be_bytes(self.raw[9..13].try_into().expect("4 bytes"));
        let dialog: DialogState = decode("conversation", id, &self.raw[FIXED + header.len()..])?;
        Ok(Conversation {
            id: h.id,
            customer_id: h.customer_id,
            lang: h.lang,
            created_at: h.created_at,
            status: h.status,
            dialog,
            not_understood_streak: streak,
        })
    }

    /// This head with a new last seq and, if given, a new dialog state,
    /// re-encoding only what changed.
    pub(super) fn with(
        &self,
        id: &str,
        last_seq: u64,
        dialog: Option<(&DialogState, u32)>,
    ) -> Result<Vec<u8>, Error> {
        match (self.header, dialog) {
            (Some(header), Some((dialog, streak))) => {
                let dialog = encode("conversation", dialog)?;
                Ok(assemble(last_seq, streak, header, &dialog))
            }
            (Some(header), None) => {
                let mut value = self.raw.to_vec();
                value[1..9].copy_from_slice(&last_seq.to_be_bytes());
                debug_assert_eq!(&value[FIXED..FIXED + header.len()], header);
                Ok(value)
            }
            (None, _) => {
                let mut conversation = self.conversation(id)?;
                if let Some((dialog, streak)) = dialog {
                    conversation.dialog = dialog.clone();
                    conversation.not_understood_streak = streak;
                }
                to_bytes(&conversation, last_seq)
            }
        }
    }
}

/// A conversation in the current layout.
pub(super) fn to_bytes(conversation: &Conversation, last_seq: u64) -> Result<Vec<u8>, Error> {
    let header = encode(
        "conversation",
        &HeaderOut {
            id: &conversation.id,
            customer_id: &conversation.customer_id,
            lang: conversation.lang,
            created_at: conversation.created_at,
            status: &conversation.status,
        },
    )?;
    let dialog = encode("conversation", &conversation.dialog)?;
    Ok(assemble(
        last_seq,
        conversation.not_understood_streak,
        &header,
        &dialog,
    ))
}

fn assemble(last_seq: u64, streak: u32, header: &[u8], dialog: &[u8]) -> Vec<u8> {
    let mut value = Vec::with_capacity(FIXED + header.len() + dialog.len());
    value.push(VERSION);
    value.extend_from_slice(&last_seq.to_be_bytes());
    value.extend_from_slice(&streak.to_be_bytes());
    let len = u32::try_from(header.len()).expect("a conversation header is small");
    value.extend_from_slice(&len.to_be_bytes());
    value.extend_from_slice(header);
    value.extend_from_slice(dialog);
    value
}

/// Recently decoded heads, each with the bytes it was decoded from.
///
/// A turn reads its conversation's head and decodes it (JSON header and
/// dialog state: about a tenth of a turn's own work), then writes the next
/// head. Kept here, the next turn finds the conversation it would decode:
/// an entry is used only when the bytes sled returns are exactly the bytes
/// it was made from, so it can never be stale, whoever wrote the head
/// (heads hold their id, so equal bytes are the same conversation). A
/// fixed number of slots, picked by the id's hash: memory stays bounded,
/// and a collision only costs a decode.
pub(super) struct Decoded {
    slots: Box<[Mutex<Slot>]>,
}

/// A head's bytes and what they decode to.
type Slot = Option<(IVec, Conversation)>;

const SLOTS: usize = 1024;

impl Decoded {
    pub(super) fn new() -> Decoded {
        Decoded {
            slots: (0..SLOTS).map(|_| Mutex::new(None)).collect(),
        }
    }

    fn slot(&self, id: &str) -> MutexGuard<'_, Slot> {
        // A slot is replaced whole, so a panic elsewhere cannot leave one
        // half written.
        self.slots[super::keys::spread(id) % SLOTS]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The conversation whose head is `raw`.
    pub(super) fn conversation(&self, id: &str, raw: &IVec) -> Result<Conversation, Error> {
        if let Some((bytes, conversation)) = &*self.slot(id) {
            if bytes == raw {
                return Ok(conversation.clone());
            }
        }
        let conversation = Head::parse(id, raw)?.conversation(id)?;
        *self.slot(id) = Some((raw.clone(), conversation.clone()));
        Ok(conversation)
    }

    /// The head `old` was replaced by `new`, which carries `dialog` (or the
    /// same dialog state when `None`).
    pub(super) fn replaced(
        &self,
        id: &str,
        old: &IVec,
        new: &IVec,
        dialog: Option<(&DialogState, u32)>,
    ) {
        let mut slot = self.slot(id);
        let Some((bytes, conversation)) = slot.as_mut() else {
            return;
        };
        if bytes != old {
            return;
        }
        if let Some((dialog, streak)) = dialog {
            conversation.dialog = dialog.clone();
            conversation.not_understood_streak = streak;
        }
        *bytes = new.clone();
    }
}

fn corrupt(id: &str, reason: &str) -> Error {
    Error::Corrupt {
        what: "conversation",
        key: id.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Conversation {
        Conversation {
            id: "ab".repeat(16),
            customer_id: "C1001".to_owned(),
            lang: Lang::Zh,
            created_at: Time::parse_from_rfc3339("2026-11-20T12:00:00+08:00").unwrap(),
            status: ConvStatus::WithAgent {
                agent_id: "A1".to_owned(),
            },
            dialog: DialogState {
                current_order: Some("E20261111000123".to_owned()),
                ..DialogState::default()
            },
            not_understood_streak: 2,
        }
    }

    #[test]
    fn round_trips_and_rewrites_only_what_changed() {
        let c = sample();
        let bytes = to_bytes(&c, 7).unwrap();
        let head = Head::parse(&c.id, &bytes).unwrap();
        assert_eq!(head.last_seq, Some(7));
        assert_eq!(head.conversation(&c.id).unwrap(), c);

        let seq_only = head.with(&c.id, 9, None).unwrap();
        let head = Head::parse(&c.id, &seq_only).unwrap();
        assert_eq!(head.last_seq, Some(9));
        assert_eq!(head.conversation(&c.id).unwrap(), c);

        let dialog = DialogState::default();
        let turned = head.with(&c.id, 11, Some((&dialog, 0))).unwrap();
        let head = Head::parse(&c.id, &turned).unwrap();
        let got = head.conversation(&c.id).unwrap();
        assert_eq!(head.last_seq, Some(11));
        assert_eq!((got.dialog, got.not_understood_streak), (dialog, 0));
        assert_eq!(got.status, c.status);
    }

    #[test]
    fn reads_the_first_layout_and_upgrades_it() {
        let c = sample();
        let json = serde_json::to_vec(&c).unwrap();
        let head = Head::parse(&c.id, &json).unwrap();
        assert_eq!(head.last_seq, None);
        assert_eq!(head.conversation(&c.id).unwrap(), c);
        let upgraded = head.with(&c.id, 3, None).unwrap();
        let head = Head::parse(&c.id, &upgraded).unwrap();
        assert_eq!(head.last_seq, Some(3));
        assert_eq!(head.conversation(&c.id).unwrap(), c);
    }

    #[test]
    fn damaged_values_are_reported_not_trusted() {
        let c = sample();
        let bytes = to_bytes(&c, 1).unwrap();
        for bad in [&[][..], &[2, 0, 0], &bytes[..FIXED + 3]] {
            assert!(matches!(
                Head::parse(&c.id, bad),
                Err(Error::Corrupt { .. })
            ));
        }
    }
}
