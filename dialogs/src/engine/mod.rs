//! One turn of a conversation: the understood message in, the reply out.

pub(crate) mod facts;
mod pick;
mod resume;
mod turn;
mod voice;

use std::collections::BTreeMap;

use intents::{Lang, Script, Understanding};
use serde::{Deserialize, Serialize};

use crate::{Commerce, CommerceError, Pack, Reply, Time};
use turn::Turn;

/// What a conversation remembers between turns. `handoff::Store` persists it
/// as JSON; only this crate reads or writes the fields.
#[derive(Default, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DialogState {
    /// The last order the conversation talked about, so "when will it
    /// arrive?" works without repeating the id.
    #[serde(default)]
    pub current_order: Option<String>,
    /// A question the bot asked and waits for (slot, order choice, yes/no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// The language and script the conversation is held in: the ones the
    /// shopper last wrote in, and before that the customer's profile's
    /// ([`DialogState::opened_in`]). A message that says nothing about the
    /// language (only an order id) or the script keeps them
    /// ([`DialogState::voice_for`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<(Lang, Script)>,
    /// The Chinese script the conversation last used (or opened in), kept
    /// while the shopper writes English: Chinese that shows no script of its
    /// own after an English turn is answered in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh_script: Option<Script>,
    /// Slots collected by `ask` nodes, e.g. `tracking_number`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub slots: BTreeMap<String, String>,
    /// The last few turns' intent and anger, newest last (at most
    /// [`RECENT_TURNS`]): what the escalation policy reads for rising anger
    /// and for the same question asked again and again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<RecentTurn>,
    /// The flow that answered the last turn (none after a fallback or a
    /// clarifying question): a "why?" next turn goes to its `why` node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_flow: Option<String>,
    /// The buttons' texts of a "which do you mean?" question just asked, in
    /// the order shown: "第一个" next turn is read as the first of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

/// How many turns [`DialogState::recent`] keeps.
pub const RECENT_TURNS: usize = 5;

/// One past turn as the escalation policy sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RecentTurn {
    pub intent: String,
    pub anger: f32,
}

/// The node of a flow that waits for the shopper's answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Flow name (`flows/<flow>.toml`).
    pub flow: String,
    /// Node id in that flow.
    pub node: String,
    /// How many answers did not fit so far.
    #[serde(default)]
    pub attempts: u32,
    /// The orders offered as buttons, in the order shown, when the question
    /// is which order: "第二个" picks the second of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offered: Vec<String>,
}

/// Everything one turn needs besides the pack, the shop and the state.
#[derive(Debug, Clone, Copy)]
pub struct TurnInput<'a> {
    /// The shopper speaking: only their orders are ever shown.
    pub customer_id: &'a str,
    /// The matcher's reading of the message.
    pub understanding: &'a Understanding,
    /// The clock, injected (the bot's, or a pinned one in tests).
    pub now: Time,
}

/// A turn that could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum DialogError {
    /// The commerce back-end failed.
    #[error(transparent)]
    Commerce(#[from] CommerceError),
    /// A flow keeps moving without ever replying.
    #[error("pack flows/{flow}.toml: more than {steps} nodes in one turn, stopped at node `{node}` (a loop?)")]
    Loop {
        flow: String,
        node: String,
        steps: usize,
    },
}

/// Answers one shopper message: resumes the question the bot was waiting on
/// or starts the flow of the message's intent, and updates `state`.
pub fn respond(
    pack: &Pack,
    shop: &dyn Commerce,
    state: &mut DialogState,
    input: &TurnInput,
) -> Result<Reply, DialogError> {
    // "第一个" right after "which do you mean?" is that button pressed.
    let choices = std::mem::take(&mut state.choices);
    if state.pending.is_none() && !choices.is_empty() {
        let picks = pack.order_picks();
        if let Some(i) = pick::ordinal(&picks, &input.understanding.normalized, choices.len()) {
            let chosen = pack.matcher().classify(&choices[i]);
            let input = TurnInput {
                understanding: &chosen,
                ..*input
            };
            return answer(pack, shop, state, &input);
        }
    }
    answer(pack, shop, state, input)
}

fn answer(
    pack: &Pack,
    shop: &dyn Commerce,
    state: &mut DialogState,
    input: &TurnInput,
) -> Result<Reply, DialogError> {
    let u = input.understanding;
    state.recent.push(RecentTurn {
        intent: u.intent.clone(),
        anger: u.anger,
    });
    if state.recent.len() > RECENT_TURNS {
        state.recent.remove(0);
    }
    let mut turn = Turn::new(pack, shop, state, input)?;
    let last_flow = state.last_flow.take();
    let (flow, node) = match resume::resume(&mut turn, state)? {
        resume::Resume::Continue { flow, node } => (flow, node),
        resume::Resume::Replied => {
            state.last_flow = last_flow;
            return Ok(turn.finish());
        }
        resume::Resume::NewTopic => 'topic: {
            if let Some(asked) = why_about(pack, input.understanding, last_flow.as_deref()) {
                break 'topic asked;
            }
            if turn.clarify() {
                let reply = turn.finish();
                state.choices = reply.buttons.iter().map(|b| b.payload.clone()).collect();
                return Ok(reply);
            }
            let u = input.understanding;
            // An order named without a topic of its own ("where are my
            // gloves", "羽绒服呢") is asked about as a bare order id is.
            let intent = if u.intent == "out_of_scope"
                && (resume::is_bare_order_id(u) || turn.named_orders()?.len() == 1)
            {
                pack.bare_order_intent()
            } else {
                &u.intent
            };
            let flow = pack.flow_name_for(intent).to_string();
            let start = pack
                .flow(&flow)
                .map(|f| f.start.clone())
                .unwrap_or_default();
            (flow, start)
        }
    };
    turn.run(state, &flow, node)?;
    turn.note_dropped_confirm();
    turn.offer_other_orders(state)?;
    let reply = turn.finish();
    state.last_flow = reply.understood.then(|| flow.to_string());
    Ok(reply)
}

/// The flow and its `why` node, when the message is a "why?" (the pack's
/// `followup.why_words`) that the matcher found no topic in, right after an
/// answer of a flow that explains itself.
fn why_about(pack: &Pack, u: &Understanding, last_flow: Option<&str>) -> Option<(String, String)> {
    if u.intent != "out_of_scope" || resume::is_bare_order_id(u) {
        return None;
    }
    let flow_name = last_flow?;
    let node = pack.flow(flow_name)?.why.clone()?;
    let text = u.normalized.to_lowercase();
    let asks_why = pack
        .words("followup.why_words")
        .iter()
        .any(|w| resume::contains_word(&text, &w.to_lowercase()));
    asks_why.then(|| (flow_name.to_string(), node))
}
