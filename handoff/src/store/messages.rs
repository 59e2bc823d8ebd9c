//! A conversation's messages: appended with gapless seqs, read in order.

use sled::transaction::TransactionalTree;

use super::{abort, decode, encode, keys, unknown, Pending, Store, TxResult};
use crate::{Error, Message, NewMessage};

impl Store {
    /// Appends a message and returns it with its seq: one more than the
    /// conversation's previous message, even with concurrent writers.
    /// Durable on return.
    pub fn append(&self, id: &str, message: NewMessage) -> Result<Message, Error> {
        self.write_message(id, message)?.wait()
    }

    /// Like [`append`](Store::append), but returns as soon as the message is
    /// written: await (or wait for) the [`Pending`] before telling anyone.
    pub fn write_message(&self, id: &str, message: NewMessage) -> Result<Pending<Message>, Error> {
        let mut stored = self.write_plain(id, vec![message], None)?;
        let message = stored.pop().expect("one message written");
        Ok(self.inner.flusher.pending(message))
    }

    /// Like [`write_message`](Store::write_message) for several messages,
    /// written together (one record, consecutive seqs, all or none).
    pub fn write_messages(
        &self,
        id: &str,
        messages: Vec<NewMessage>,
    ) -> Result<Pending<Vec<Message>>, Error> {
        let stored = self.write_plain(id, messages, None)?;
        Ok(self.inner.flusher.pending(stored))
    }

    /// The conversation's last message, `None` when it has none yet.
    pub fn last_message(&self, id: &str) -> Result<Option<Message>, Error> {
        if !keys::is_well_formed(id) {
            return Err(unknown(id));
        }
        let Some(last) = self.inner.last_seq(id)? else {
            return Err(unknown(id));
        };
        if last == 0 {
            return Ok(None);
        }
        Ok(self.messages(id, last - 1)?.pop())
    }

    /// The conversation's messages with a seq above `after_seq`, in order
    /// (`after_seq` 0 gives the whole transcript).
    pub fn messages(&self, id: &str, after_seq: u64) -> Result<Vec<Message>, Error> {
        if !keys::is_well_formed(id) {
            return Err(unknown(id));
        }
        let Some(last) = self.inner.last_seq(id)? else {
            return Err(unknown(id));
        };
        if after_seq >= last {
            return Ok(Vec::new());
        }
        let tree = &self.inner.messages;
        // The record holding the first wanted message starts at or before
        // it: the last key up to it (every key up to the head starts a
        // record, see `write_record`).
        let wanted = keys::message(id, after_seq + 1);
        let start = match tree
            .range(keys::message(id, 0)..=wanted.clone())
            .next_back()
        {
            Some(item) => item?.0.to_vec(),
            None => wanted,
        };
        // Messages above the head's seq belong to a turn that never
        // committed; they are not read.
        let mut out = Vec::new();
        let mut next = 0;
        for item in tree.range(start..=keys::message(id, last)) {
            let (key, value) = item?;
            let seq = keys::message_seq(&key).unwrap_or_default();
            if seq < next {
                continue; // inside the record before: left by an older write
            }
            let record = decode_record(id, seq, &value)?;
            next = seq + record.len() as u64;
            out.extend(
                record
                    .into_iter()
                    .filter(|m| m.seq > after_seq && m.seq <= last),
            );
        }
        Ok(out)
    }
}

/// Tag of a value that holds a turn's messages (a record): the tag, the
/// number of messages (u32), then each message as fixed fields and
/// length-prefixed parts (see [`encode_record`]). A value that holds one
/// message is that message's JSON (as every value of the first layout
/// is; JSON never starts with this byte), so the two read alike.
const RECORD: u8 = 1;

/// The value that stores `messages` (consecutive seqs) under the first
/// one's key. The seqs follow from the key. Per message: the time (unix
/// seconds i64, nanoseconds u32 and UTC offset seconds i32), then the
/// author, the text, the buttons and the turn facts, each as a u32 length
/// and bytes: the text as is, the others as JSON (empty for no buttons or
/// no facts). All numbers big-endian. Shorter and cheaper to write than
/// JSON (no field names, no date formatting); sled copies every value it
/// holds several times over (leaf copies, consolidations, splits).
pub(super) fn encode_record(messages: &[Message]) -> Result<Vec<u8>, Error> {
    if let [one] = messages {
        return encode("message", one);
    }
    let mut out =
        Vec::with_capacity(16 + messages.iter().map(|m| m.text.len() + 96).sum::<usize>());
    out.push(RECORD);
    put_len(&mut out, messages.len());
    for m in messages {
        out.extend_from_slice(&m.at.timestamp().to_be_bytes());
        out.extend_from_slice(&m.at.timestamp_subsec_nanos().to_be_bytes());
        out.extend_from_slice(&m.at.offset().local_minus_utc().to_be_bytes());
        put_part(&mut out, &encode("message", &m.author)?);
        put_part(&mut out, m.text.as_bytes());
        let buttons = match m.buttons.as_slice() {
            [] => Vec::new(),
            _ => encode("message", &m.buttons)?,
        };
        put_part(&mut out, &buttons);
        let turn = match &m.turn {
            Some(turn) => encode("message", turn)?,
            None => Vec::new(),
        };
        put_part(&mut out, &turn);
    }
    Ok(out)
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    let len = u32::try_from(len).expect("a message part is under 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
}

fn put_part(out: &mut Vec<u8>, part: &[u8]) {
    put_len(out, part.len());
    out.extend_from_slice(part);
}

/// Reads a record's fields in order; any shortfall is corruption.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        let len = u32::from_be_bytes(self.array()?);
        self.take(usize::try_from(len).ok()?)
    }
}

/// The messages of a record (see [`encode_record`]) whose first seq is `seq`.
fn decode_messages(key: &str, seq: u64, record: &[u8]) -> Result<Vec<Message>, Error> {
    let corrupt = |reason: &str| Error::Corrupt {
        what: "message",
        key: key.to_owned(),
        reason: reason.to_owned(),
    };
    let truncated = || corrupt("the record is cut short");
    let mut r = Reader { rest: record };
    let count = u32::from_be_bytes(r.array().ok_or_else(truncated)?);
    let mut messages = Vec::with_capacity(count.min(64) as usize);
    for seq in (seq..).take(count as usize) {
        let secs = i64::from_be_bytes(r.array().ok_or_else(truncated)?);
        let nanos = u32::from_be_bytes(r.array().ok_or_else(truncated)?);
        let offset = i32::from_be_bytes(r.array().ok_or_else(truncated)?);
        let at = chrono::FixedOffset::east_opt(offset)
            .zip(chrono::DateTime::from_timestamp(secs, nanos))
            .map(|(offset, utc)| utc.with_timezone(&offset))
            .ok_or_else(|| corrupt("a time out of range"))?;
        let author = decode("message", key, r.part().ok_or_else(truncated)?)?;
        let text = std::str::from_utf8(r.part().ok_or_else(truncated)?)
            .map_err(|_| corrupt("a text that is not UTF-8"))?
            .to_owned();
        let buttons = match r.part().ok_or_else(truncated)? {
            [] => Vec::new(),
            json => decode("message", key, json)?,
        };
        let turn = match r.part().ok_or_else(truncated)? {
            [] => None,
            json => Some(decode("message", key, json)?),
        };
        messages.push(Message {
            seq,
            at,
            author,
            text,
            buttons,
            turn,
        });
    }
    if !r.rest.is_empty() {
        return Err(corrupt("bytes after the record's last message"));
    }
    Ok(messages)
}

/// The messages of the value under `id`'s key for `seq`, checked to start
/// there and to follow each other.
fn decode_record(id: &str, seq: u64, value: &[u8]) -> Result<Vec<Message>, Error> {
    let key = format!("{id}#{seq}");
    let messages: Vec<Message> = match value.split_first() {
        Some((&RECORD, record)) => decode_messages(&key, seq, record)?,
        _ => vec![decode("message", &key, value)?],
    };
    let gapless = messages.iter().zip(seq..).all(|(m, s)| m.seq == s);
    if messages.is_empty() || !gapless {
        return Err(Error::Corrupt {
            what: "message",
            key,
            reason: "the record's seqs do not follow its key".to_owned(),
        });
    }
    Ok(messages)
}

/// Appends inside a transaction after the conversation's `last` seq. The
/// caller commits the new last seq with the conversation's head.
pub(super) fn append_tx(
    messages: &TransactionalTree,
    id: &str,
    last: u64,
    message: NewMessage,
) -> TxResult<Message> {
    let message = Message::new(last + 1, message);
    let value = encode("message", &message).or_else(abort)?;
    messages.insert(keys::message(id, message.seq), value)?;
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Author;

    fn message(seq: u64, at: &str, author: Author, text: &str) -> Message {
        Message {
            seq,
            at: dialogs::Time::parse_from_rfc3339(at).unwrap(),
            author,
            text: text.to_owned(),
            buttons: Vec::new(),
            turn: None,
        }
    }

    fn turn() -> Vec<Message> {
        let mut shopper = message(
            7,
            "2026-11-20T12:00:00.123456789+08:00",
            Author::Shopper,
            "我的快递到哪了?订单E20261111000123",
        );
        shopper.turn = Some(
            serde_json::from_value(serde_json::json!({
                "intent": "track_package", "confidence": 0.8952611, "anger": 0.25,
                "angry": false, "slots": {"order_ids": ["E20261111000123"], "amounts": [89.5]}
            }))
            .unwrap(),
        );
        let mut bot = message(
            8,
            "2026-11-20T04:00:00Z",
            Author::Bot,
            "运单号 SF1402839475820\n\"ok\"",
        );
        bot.buttons = serde_json::from_value(serde_json::json!([
            {"label": "查物流", "payload": "我的快递到哪了"},
            {"label": "转人工", "payload": "转人工"}
        ]))
        .unwrap();
        let agent = Author::Agent {
            agent_id: "A1".to_owned(),
        };
        vec![
            shopper,
            bot,
            message(9, "1969-12-31T19:00:00.5-05:30", agent, ""),
            message(10, "2026-11-20T12:00:01+08:00", Author::System, "已转人工"),
        ]
    }

    #[test]
    fn records_round_trip_every_field() {
        let messages = turn();
        let value = encode_record(&messages).unwrap();
        assert_eq!(value[0], RECORD);
        assert_eq!(decode_record("c", 7, &value).unwrap(), messages);
        // Smaller than the same messages as JSON.
        assert!(value.len() < serde_json::to_vec(&messages).unwrap().len());
        // One message is stored as its JSON, as the first layout did.
        let one = encode_record(&messages[..1]).unwrap();
        assert_eq!(one, serde_json::to_vec(&messages[0]).unwrap());
        assert_eq!(decode_record("c", 7, &one).unwrap(), messages[..1]);
    }

    #[test]
    fn damaged_records_are_reported_not_trusted() {
        let value = encode_record(&turn()).unwrap();
        for cut in [1, 5, 20, value.len() - 1] {
            let got = decode_record("c", 7, &value[..cut]);
            assert!(
                matches!(got, Err(Error::Corrupt { .. })),
                "cut at {cut}: {got:?}"
            );
        }
        let mut longer = value.clone();
        longer.push(0);
        assert!(matches!(
            decode_record("c", 7, &longer),
            Err(Error::Corrupt { .. })
        ));
        let mut empty = vec![RECORD];
        empty.extend_from_slice(&0u32.to_be_bytes());
        assert!(matches!(
            decode_record("c", 7, &empty),
            Err(Error::Corrupt { .. })
        ));
    }
}
