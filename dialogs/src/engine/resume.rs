//! Picking up the question the bot asked last turn.
//!
//! A pending question is answered by the slot it asked for (an order id, a
//! yes or no); a message about another topic drops it; anything else gets
//! the question again, up to its attempt limit.

use super::turn::{slot_value, Turn};
use super::DialogState;
use crate::pack::{Flow, Node};
use crate::DialogError;

/// Where this turn goes after looking at the pending question.
pub(crate) enum Resume {
    /// Go on in this flow from this node.
    Continue { flow: String, node: String },
    /// The turn already has its reply (the question asked again).
    Replied,
    /// No question pending, or the shopper moved on: start the intent's flow.
    NewTopic,
}

/// Attempts an `ask`-like question gets when the node does not say.
const DEFAULT_ATTEMPTS: u32 = 2;

pub(crate) fn resume(turn: &mut Turn, state: &mut DialogState) -> Result<Resume, DialogError> {
    let Some(pending) = state.pending.take() else {
        return Ok(Resume::NewTopic);
    };
    let pack = turn.pack;
    let Some(flow) = pack.flow(&pending.flow) else {
        return Ok(Resume::NewTopic);
    };
    let go = |node: &str| {
        Ok(Resume::Continue {
            flow: pending.flow.clone(),
            node: node.to_string(),
        })
    };
    let Some(node) = flow.nodes.get(&pending.node) else {
        // The pack was reloaded and the question's node is gone: an answer
        // to it (是的, an order id) starts its flow again, which asks anew,
        // rather than falling to "I cannot answer that"; a message with a
        // topic of its own is that topic.
        return if moved_on(turn, flow) {
            Ok(Resume::NewTopic)
        } else {
            go(&flow.start)
        };
    };
    let again = pending.attempts + 1;
    match node {
        Node::Confirm { yes, no, .. } => {
            let moved = moved_on(turn, flow);
            // "不是这单, 绘本那单": an answer that names another order than
            // the one asked about asks the flow again, about that order.
            if names_another_order(turn, state)? {
                return if moved {
                    turn.dropped_confirm = state.current_order.clone();
                    Ok(Resume::NewTopic)
                } else {
                    go(&flow.start)
                };
            }
            if let Some(answer) = yes_or_no(turn) {
                return go(if answer { yes } else { no });
            }
            // Asking back ("确定吗?", "ok?") is asked again however often.
            if asks_back(turn) && !moved {
                turn.attempts = pending.attempts;
                return go(&pending.node);
            }
            if moved || again >= DEFAULT_ATTEMPTS {
                turn.dropped_confirm = state.current_order.clone();
                return Ok(Resume::NewTopic);
            }
            turn.attempts = again;
            go(&pending.node)
        }
        Node::Ask {
            slot,
            retry,
            attempts,
            give_up,
            ..
        } => {
            if moved_on(turn, flow) {
                return Ok(Resume::NewTopic);
            }
            if slot_value(turn.understanding(), *slot).is_some() {
                return go(&pending.node);
            }
            if again >= *attempts {
                return match give_up {
                    Some(node) => go(node),
                    None => Ok(Resume::NewTopic),
                };
            }
            match retry {
                Some(key) => {
                    turn.say(key);
                    state.pending = Some(super::Pending {
                        attempts: again,
                        ..pending
                    });
                    Ok(Resume::Replied)
                }
                None => {
                    turn.attempts = again;
                    go(&pending.node)
                }
            }
        }
        Node::Lookup { .. } => {
            if moved_on(turn, flow) {
                return Ok(Resume::NewTopic);
            }
            // A place among the buttons: "第二个", "2", "the last one".
            let picks = pack.order_picks();
            let normalized = &turn.understanding().normalized;
            if let Some(i) = super::pick::ordinal(&picks, normalized, pending.offered.len()) {
                turn.picked = Some(pending.offered[i].clone());
                return go(&pending.node);
            }
            if has_order_slot(turn.understanding()) || !turn.named_orders()?.is_empty() {
                return go(&pending.node);
            }
            // One order offered ("is it this one?"): a yes takes it, a no
            // ("算了", "never mind") closes the question.
            if let [only] = pending.offered.as_slice() {
                match yes_or_no(turn) {
                    Some(true) => {
                        turn.picked = Some(only.clone());
                        return go(&pending.node);
                    }
                    Some(false) => {
                        return Ok(if turn.say_if_any("order.none_chosen") {
                            Resume::Replied
                        } else {
                            Resume::NewTopic
                        });
                    }
                    None => {}
                }
            }
            if again >= DEFAULT_ATTEMPTS {
                return Ok(Resume::NewTopic);
            }
            turn.attempts = again;
            go(&pending.node)
        }
        _ => Ok(Resume::NewTopic),
    }
}

/// The shopper asked about something else (not just answered with a slot).
fn moved_on(turn: &Turn, flow: &Flow) -> bool {
    let u = turn.understanding();
    if u.intent == "out_of_scope" || flow.intents.contains(&u.intent) {
        return false;
    }
    !is_bare_slot(u)
}

/// The message is only an order id or tracking number (a pressed order
/// button, a pasted id).
pub(crate) fn is_bare_order_id(u: &intents::Understanding) -> bool {
    is_bare_slot(u)
}

/// The message is only ids (a pressed order button, a pasted tracking
/// number, a mistyped order id).
fn is_bare_slot(u: &intents::Understanding) -> bool {
    let mut rest = u.normalized.to_lowercase();
    let slots = &u.slots;
    for id in slots
        .order_ids
        .iter()
        .chain(&slots.tracking_numbers)
        .chain(&slots.malformed_order_ids)
    {
        rest = rest.replace(&id.to_lowercase(), " ");
    }
    has_order_slot(u) && !rest.chars().any(char::is_alphanumeric)
}

/// The message names an order by an id: an order id, a tracking number,
/// or something meant as an order id.
fn has_order_slot(u: &intents::Understanding) -> bool {
    let slots = &u.slots;
    !slots.order_ids.is_empty()
        || !slots.tracking_numbers.is_empty()
        || !slots.malformed_order_ids.is_empty()
}

/// The message names an order other than the conversation's: by another
/// id, a mistyped one, or the item of another order (and not of this one).
fn names_another_order(turn: &Turn, state: &DialogState) -> Result<bool, DialogError> {
    let current = state.current_order.as_deref();
    let slots = &turn.understanding().slots;
    if let Some(id) = slots.order_ids.first() {
        return Ok(Some(id.as_str()) != current);
    }
    if !slots.malformed_order_ids.is_empty() {
        return Ok(true);
    }
    let named = turn.named_orders()?;
    Ok(!named.is_empty() && !named.iter().any(|o| Some(o.order_id.as_str()) == current))
}

/// Yes, no, or neither, to a `confirm` question (the cancellation's: a write
/// that cannot be undone, so only a clear yes is a yes). In this order, by
/// the pack's word lists (any language of the pack):
///
/// 1. `confirm.keep_words` ("不取消", "don't cancel") or
///    `confirm.unsure_words` ("我想想", "let me think"): no, the order stays;
///    then `confirm.question_marks` ("吗", "?": "确定吗?", "ok?"): the
///    shopper asks back, which is no answer (asked again);
/// 2. `confirm.yes_phrases`, yeses that hold a negation ("不要了", "don't
///    want it", "no problem"): yes;
/// 3. any of `confirm.no_words` ("不", "no"): no;
/// 4. an answer made only of `confirm.yes_words` ("好的", "是", "ok") and
///    `confirm.filler_words` (particles, "please"): yes. A yes word inside
///    a longer message ("好慢啊", "我要查物流") is not an answer;
/// 5. otherwise neither: the question is asked again (or the shopper moved on).
fn yes_or_no(turn: &Turn) -> Option<bool> {
    let u = turn.understanding();
    let mut text = u.normalized.to_lowercase();
    // A pasted order id beside the answer ("是的 E2026…") is not a word of it.
    for id in u.slots.order_ids.iter().chain(&u.slots.tracking_numbers) {
        text = text.replace(&id.to_lowercase(), " ");
    }
    let words = |key: &str| -> Vec<String> {
        let mut list: Vec<String> = turn
            .pack
            .words(key)
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        // Longest first, so "是的" goes before "是" when removing.
        list.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        list
    };
    let has = |list: &[String]| list.iter().any(|w| contains_word(&text, w));
    if has(&words("confirm.keep_words")) || has(&words("confirm.unsure_words")) {
        return Some(false);
    }
    // Asked back ("确定吗?", "可以吗", "ok?"): a question, not an answer.
    if asks_back(turn) {
        return None;
    }
    if has(&words("confirm.yes_phrases")) {
        return Some(true);
    }
    if has(&words("confirm.no_words")) {
        return Some(false);
    }
    let yes = words("confirm.yes_words");
    if !has(&yes) {
        return None;
    }
    let mut rest = text.clone();
    for w in yes.iter().chain(&words("confirm.filler_words")) {
        rest = remove_word(&rest, w);
    }
    (!rest.chars().any(char::is_alphanumeric)).then_some(true)
}

/// The message asks back (`confirm.question_marks`: "确定吗?", "ok?").
fn asks_back(turn: &Turn) -> bool {
    let text = turn.understanding().normalized.to_lowercase();
    turn.pack
        .words("confirm.question_marks")
        .iter()
        .any(|q| text.contains(&q.to_lowercase()))
}

/// `text` without the occurrences of `word` (latin words only where they
/// stand alone, as [`contains_word`] finds them).
fn remove_word(text: &str, word: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    if !word.is_ascii() {
        return text.replace(word, " ");
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for at in standing_alone(text, word) {
        if at < last {
            continue;
        }
        out.push_str(&text[last..at]);
        out.push(' ');
        last = at + word.len();
    }
    out.push_str(&text[last..]);
    out
}

/// Where the latin `word` stands alone in `text` (no letter or digit right
/// before or after it).
fn standing_alone<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
}

/// `word` occurs in `text`; latin words must stand alone ("no" is not in "know").
pub(super) fn contains_word(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    if !word.is_ascii() {
        return text.contains(word);
    }
    standing_alone(text, word).next().is_some()
}
