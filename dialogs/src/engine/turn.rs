//! Walking a flow's nodes for one turn and collecting the reply.

use intents::{Lang, Script, Understanding};

use super::facts::{customer_facts, order_facts_where};
use super::{DialogError, DialogState, Pending, TurnInput};
use crate::pack::{Node, Slot};
use crate::{Button, Commerce, CommerceError, Customer, HandoffRequest, Order, Pack, Reply, Vars};

/// One turn in progress: the facts known so far and the reply being built.
pub(crate) struct Turn<'a> {
    pub(crate) pack: &'a Pack,
    shop: &'a dyn Commerce,
    pub(crate) input: &'a TurnInput<'a>,
    lang: Lang,
    script: Script,
    /// Facts of the shopper, the message and the slots; the pack's
    /// `policy.*` facts are read from the pack under them, not copied.
    vars: Vars,
    /// The order this turn is about (replaced by each lookup).
    order: OrderFacts,
    /// The shopper, whose `customer.*` facts are made when a text reads them.
    customer: Option<Customer>,
    texts: Vec<String>,
    buttons: Vec<Button>,
    handoff: Option<HandoffRequest>,
    orders: Vec<String>,
    understood: bool,
    /// The reply is the clarifying question ([`Reply::clarifying`]).
    clarifying: bool,
    /// The shop's words when it declined a cancellation (`declined`), for
    /// the note of the hand-over that follows.
    shop_said: Option<String>,
    /// The flow this turn ran.
    flow: Option<String>,
    /// Answers that did not fit the pending question, carried into it again.
    pub(crate) attempts: u32,
    /// The offered order the shopper picked by its place ("第二个"), for
    /// the `lookup` that asked.
    pub(crate) picked: Option<String>,
    /// The order of a yes/no question the shopper moved on from without
    /// answering ("确定,另外鞋子能退吗"): said to be unchanged.
    pub(crate) dropped_confirm: Option<String>,
    /// The orders the message names by their item, once looked up.
    named: std::cell::OnceCell<Vec<Order>>,
}

/// Where the facts of the turn's order come from. They are computed only
/// when a template or condition reads them, and then only those it reads.
enum OrderFacts {
    None,
    Order(Box<Order>),
    /// What is known without an order (the id that was not found).
    Fixed(Vars),
}

/// Which order a `lookup` node settles on.
enum Resolved {
    Found(Box<Order>),
    NotFound(String),
    Choose(Vec<Order>),
    NoCandidate,
}

mod clarify;

impl<'a> Turn<'a> {
    pub(crate) fn new(
        pack: &'a Pack,
        shop: &'a dyn Commerce,
        state: &mut DialogState,
        input: &'a TurnInput<'a>,
    ) -> Result<Self, DialogError> {
        let u = input.understanding;
        let (lang, script) = state.voice_for(u);
        state.keep_voice((lang, script));
        let lang = pack.reply_lang(lang);
        let script = match (lang, script) {
            (Lang::Zh, Script::Traditional) => Script::Traditional,
            (Lang::Zh, _) => Script::Simplified,
            (Lang::En, _) => Script::Latin,
        };
        let mut vars = Vars::new();
        vars.insert("angry".into(), u.angry.to_string());
        vars.insert("message".into(), u.text.clone());
        let customer = shop.customer(input.customer_id)?;
        // A question answered this turn (yes/no) is about the remembered order.
        let mut order = OrderFacts::None;
        if let Some(id) = &state.current_order {
            if let Some(found) = shop.order(id)? {
                if found.customer_id == input.customer_id {
                    order = OrderFacts::Order(Box::new(found));
                }
            }
        }
        Ok(Turn {
            pack,
            shop,
            input,
            lang,
            script,
            vars,
            order,
            customer,
            texts: Vec::new(),
            buttons: Vec::new(),
            handoff: None,
            orders: Vec::new(),
            understood: true,
            clarifying: false,
            shop_said: None,
            flow: None,
            attempts: 0,
            picked: None,
            dropped_confirm: None,
            named: std::cell::OnceCell::new(),
        })
    }

    pub(crate) fn understanding(&self) -> &Understanding {
        self.input.understanding
    }

    /// The facts known so far among `names`: the order's over the
    /// turn's over the policy's. Only those are looked up (and the order's
    /// computed), which renders and tests exactly as the whole sheet would.
    fn facts_named(&self, names: &[&str]) -> Vars {
        let mut facts = match &self.order {
            OrderFacts::None => Vars::new(),
            OrderFacts::Order(order) => {
                order_facts_where(self.pack, self.lang, order, self.input.now, &|k| {
                    names.contains(&k)
                })
            }
            OrderFacts::Fixed(vars) => names
                .iter()
                .filter_map(|n| vars.get_key_value(*n))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let policy = self.pack.policy_vars();
        let mut customer = None;
        for name in names {
            if facts.contains_key(*name) {
                continue;
            }
            let value = self.vars.get(*name).or_else(|| {
                let theirs = customer.get_or_insert_with(|| {
                    let mut vars = Vars::new();
                    let wanted = names.iter().any(|n| n.starts_with("customer."));
                    if let Some(c) = self.customer.as_ref().filter(|_| wanted) {
                        customer_facts(self.pack, self.lang, c, &mut vars);
                    }
                    vars
                });
                theirs.get(*name).or_else(|| policy.get(*name))
            });
            if let Some(value) = value {
                facts.insert((*name).to_string(), value.clone());
            }
        }
        facts
    }

    /// `key`'s text with the facts known so far.
    fn text(&self, key: &str) -> String {
        let names = self
            .pack
            .template(key, self.lang)
            .map(placeholders)
            .unwrap_or_default();
        let facts = self.facts_named(&names);
        self.pack.text(key, self.lang, self.script, &facts)
    }

    /// Says an optional text of the pack; whether the pack has it.
    pub(crate) fn say_if_any(&mut self, key: &str) -> bool {
        let has = self.pack.template(key, self.lang).is_some();
        if has {
            self.say(key);
        }
        has
    }

    /// Says a template with the facts known so far.
    pub(crate) fn say(&mut self, key: &str) {
        let text = self.text(key);
        self.texts.push(text);
    }

    /// Runs `flow` from `node` until a node ends the turn.
    pub(crate) fn run(
        &mut self,
        state: &mut DialogState,
        flow_name: &str,
        mut node_id: String,
    ) -> Result<(), DialogError> {
        let pack = self.pack;
        let Some(flow) = pack.flow(flow_name) else {
            return Ok(());
        };
        self.flow = Some(flow_name.to_owned());
        for _ in 0..pack.limits().max_steps {
            let Some(node) = flow.nodes.get(&node_id) else {
                return Ok(());
            };
            match self.step(state, flow_name, &node_id, node)? {
                Some(next) => node_id = next,
                None => return Ok(()),
            }
        }
        Err(DialogError::Loop {
            flow: flow_name.to_string(),
            node: node_id,
            steps: pack.limits().max_steps,
        })
    }

    /// Executes one node; `Some(next)` moves on within the turn.
    fn step(
        &mut self,
        state: &mut DialogState,
        flow_name: &str,
        node_id: &str,
        node: &Node,
    ) -> Result<Option<String>, DialogError> {
        let wait = |attempts| Pending {
            flow: flow_name.to_string(),
            node: node_id.to_string(),
            attempts,
            offered: Vec::new(),
        };
        match node {
            Node::Answer {
                say,
                buttons,
                menu,
                next,
                understood,
                asks,
            } => {
                self.clarifying |= *asks;
                self.say(say);
                let topics = if *menu { self.pack.menu() } else { buttons };
                let extra = self.pack.menu_buttons(topics, self.lang, self.script);
                self.buttons.extend(extra);
                self.understood &= *understood;
                Ok(next.clone())
            }
            Node::Ask {
                slot, say, next, ..
            } => {
                if let Some(value) = slot_value(self.understanding(), *slot) {
                    self.vars
                        .insert(format!("slot.{}", slot.name()), value.clone());
                    state.slots.insert(slot.name().to_string(), value);
                    return Ok(Some(next.clone()));
                }
                self.say(say);
                state.pending = Some(wait(self.attempts));
                Ok(None)
            }
            Node::Lookup {
                filter,
                found,
                none,
                offer_single,
            } => match self.resolve(state, filter.as_deref(), *offer_single)? {
                Resolved::Found(order) => {
                    state.current_order = Some(order.order_id.clone());
                    self.orders.push(order.order_id.clone());
                    self.order = OrderFacts::Order(order);
                    Ok(Some(found.clone()))
                }
                Resolved::NotFound(id) => {
                    self.order = OrderFacts::Fixed(Vars::from([("order_id".to_string(), id)]));
                    self.say("order.not_found");
                    Ok(None)
                }
                Resolved::Choose(orders) => {
                    self.say("order.choose");
                    let offered: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
                    self.orders.extend(offered.iter().cloned());
                    self.push_order_buttons(orders);
                    state.pending = Some(Pending {
                        offered,
                        ..wait(self.attempts)
                    });
                    Ok(None)
                }
                Resolved::NoCandidate => match none {
                    Some(next) => Ok(Some(next.clone())),
                    None => {
                        self.say("order.none");
                        Ok(None)
                    }
                },
            },
            Node::Branch { cases, otherwise } => {
                let names: Vec<&str> = cases
                    .iter()
                    .filter_map(|c| self.pack.condition(&c.when))
                    .flat_map(|c| c.facts())
                    .collect();
                let facts = self.facts_named(&names);
                let next = cases
                    .iter()
                    .find(|c| {
                        self.pack
                            .condition(&c.when)
                            .is_some_and(|c| c.holds(&facts))
                    })
                    .map_or(otherwise, |c| &c.goto);
                Ok(Some(next.clone()))
            }
            Node::Confirm {
                say,
                yes_label,
                no_label,
                ..
            } => {
                self.say(say);
                for key in [yes_label, no_label] {
                    let text = self.text(key);
                    self.buttons.push(Button {
                        label: text.clone(),
                        payload: text,
                    });
                }
                state.pending = Some(wait(self.attempts));
                Ok(None)
            }
            Node::Handoff { reason, say, note } => {
                self.say(say);
                let note = note.as_deref().map(|key| self.text(key));
                // What the shop said when it declined, for the agent.
                let note = match (note, self.shop_said.take()) {
                    (Some(note), Some(said)) => Some(format!("{note} ({said})")),
                    (note, said) => note.or(said),
                };
                self.handoff = Some(HandoffRequest {
                    reason: reason.clone(),
                    note,
                });
                Ok(None)
            }
            Node::Cancel {
                done,
                refused,
                declined,
            } => self.cancel(state, done, refused, declined.as_deref()),
            Node::End { say } => {
                if let Some(key) = say {
                    self.say(key);
                }
                Ok(None)
            }
        }
    }

    /// Cancels the conversation's order in the shop. What the shopper said
    /// yes to may be stale (the order may have shipped since), so ownership
    /// and state are checked again now, and the shop has the last word.
    fn cancel(
        &mut self,
        state: &DialogState,
        done: &str,
        refused: &str,
        declined: Option<&str>,
    ) -> Result<Option<String>, DialogError> {
        let customer = self.input.customer_id;
        let theirs = match &state.current_order {
            Some(id) => self
                .shop
                .order(id)?
                .filter(|order| order.customer_id == customer),
            None => None,
        };
        let Some(order) = theirs else {
            self.say("order.none");
            return Ok(None);
        };
        let id = order.order_id.clone();
        self.orders.push(id.clone());
        if !order.cancellable() {
            self.set_order(order);
            return Ok(Some(refused.to_string()));
        }
        // An order system that answers "OK" but sends back an order that is
        // not cancelled (it cancels later, or not at all) has not cancelled
        // it: the shopper is never told it is done.
        let answer = self
            .shop
            .cancel_order(&id, self.input.now)
            .and_then(|after| {
                if after.status == crate::OrderStatus::Cancelled {
                    Ok(after)
                } else {
                    Err(CommerceError::Refused(format!(
                        "the cancellation of {id} was answered, but the order still reads {}",
                        after.status.as_str()
                    )))
                }
            });
        match answer {
            Ok(cancelled) => {
                self.set_order(cancelled);
                Ok(Some(done.to_string()))
            }
            // A refusal usually reads as an order that can no longer be
            // cancelled; one whose order still reads cancellable goes to
            // `declined`, with the shop's words for the agent; anything
            // else is the back-end failing.
            Err(e) => {
                // A cancellation that failed without an answer (a timeout, a
                // dropped connection) may have been applied all the same:
                // the person who takes over is told to check first.
                let unknown = || {
                    DialogError::from(CommerceError::Failed(format!(
                        "cancelling order {id}: {}; it may have been cancelled all the same: \
                         check the order in the order system before answering",
                        e.message()
                    )))
                };
                let now = match self.shop.order(&id) {
                    Ok(now) => now,
                    Err(_) if !e.is_refusal() => return Err(unknown()),
                    Err(again) => return Err(again.into()),
                };
                match (now, declined) {
                    (Some(now), _) if !now.cancellable() => {
                        self.set_order(now);
                        Ok(Some(refused.to_string()))
                    }
                    (Some(now), Some(declined)) if e.is_refusal() => {
                        self.set_order(now);
                        self.shop_said = Some(e.to_string());
                        Ok(Some(declined.to_string()))
                    }
                    _ if !e.is_refusal() => Err(unknown()),
                    _ => Err(e.into()),
                }
            }
        }
    }

    fn apologise(&mut self) {
        if self.pack.template("apology.prefix", self.lang).is_none() {
            return;
        }
        let said = self.texts.join("\n").to_lowercase();
        let sorry = self.pack.words("apology.words");
        if sorry.iter().any(|w| said.contains(&w.to_lowercase())) {
            return;
        }
        let prefix = self.text("apology.prefix");
        self.texts[0].insert_str(0, &prefix);
    }

    fn set_order(&mut self, order: Order) {
        self.order = OrderFacts::Order(Box::new(order));
    }

    /// The order the shopper means: the one named by order id or tracking
    /// number (if it is theirs; a mistyped id is not found, never guessed),
    /// the one picked among those offered, the one whose item the message
    /// names, the one remembered, or the only candidate; several candidates
    /// (or several orders of the item named) are offered.
    fn resolve(
        &self,
        state: &DialogState,
        filter: Option<&str>,
        offer_single: bool,
    ) -> Result<Resolved, DialogError> {
        let customer = self.input.customer_id;
        if let Some(id) = self.understanding().slots.order_ids.first() {
            // Someone else's order and no order at all read the same: the
            // reply must not reveal that the id exists.
            return Ok(match self.shop.order(id)? {
                Some(order) if order.customer_id == customer => Resolved::Found(Box::new(order)),
                _ => Resolved::NotFound(id.clone()),
            });
        }
        if let Some(tracking_no) = self.understanding().slots.tracking_numbers.first() {
            // Only the shopper's own parcels are searched, so a stranger's
            // tracking number is simply not found.
            let theirs = self.shop.orders_of(customer)?.into_iter().find(|o| {
                o.customer_id == customer
                    && o.shipment
                        .as_ref()
                        .is_some_and(|s| &s.tracking_no == tracking_no)
            });
            return Ok(match theirs {
                Some(order) => Resolved::Found(Box::new(order)),
                None => Resolved::NotFound(tracking_no.clone()),
            });
        }
        if let Some(typo) = self.understanding().slots.malformed_order_ids.first() {
            return Ok(Resolved::NotFound(typo.clone()));
        }
        if let Some(id) = &self.picked {
            if let Some(order) = self.shop.order(id)? {
                if order.customer_id == customer {
                    return Ok(Resolved::Found(Box::new(order)));
                }
            }
        }
        let filter = filter.and_then(|f| self.pack.condition(f));
        let names = filter.map(|f| f.facts()).unwrap_or_default();
        let fits = |o: &Order| {
            filter.as_ref().is_none_or(|f| {
                f.holds(&order_facts_where(
                    self.pack,
                    self.lang,
                    o,
                    self.input.now,
                    &|k| names.contains(&k),
                ))
            })
        };
        let mut named = self.named_orders()?;
        if named.len() > 1 {
            // "羽绒服到哪了?另外加湿器的退款为什么少了10块": of the orders
            // named, the one the flow is about (the refund's), if just one;
            // the others are offered after the answer (`order.also`).
            let fitting: Vec<usize> = (0..named.len()).filter(|&i| fits(&named[i])).collect();
            if let [one] = fitting[..] {
                return Ok(Resolved::Found(Box::new(named.swap_remove(one))));
            }
        }
        match named.len() {
            0 => {}
            1 => return Ok(Resolved::Found(Box::new(named.remove(0)))),
            _ => {
                named.truncate(self.pack.limits().order_buttons.max(1));
                return Ok(Resolved::Choose(named));
            }
        }
        if let Some(id) = &state.current_order {
            if let Some(order) = self.shop.order(id)? {
                if order.customer_id == customer {
                    return Ok(Resolved::Found(Box::new(order)));
                }
            }
        }
        let mut candidates: Vec<Order> = self
            .shop
            .orders_of(customer)?
            .into_iter()
            .filter(|o| o.customer_id == customer)
            .filter(|o| fits(o))
            .collect();
        // "我的运动鞋到哪了" from a shopper who bought no shoes: the only
        // candidate is not what they asked about; it is offered, not taken.
        let names_another_item = || {
            self.understanding().has_words()
                && self
                    .pack
                    .item_words()
                    .mentions_an_item(&self.understanding().normalized)
        };
        Ok(match candidates.len() {
            0 => Resolved::NoCandidate,
            1 if offer_single || names_another_item() => Resolved::Choose(candidates),
            1 => Resolved::Found(Box::new(candidates.remove(0))),
            _ => {
                candidates.truncate(self.pack.limits().order_buttons.max(1));
                Resolved::Choose(candidates)
            }
        })
    }

    /// The shopper's orders whose item the message names (newest first).
    /// Looked up once a turn (the lookup and the orders offered after the
    /// answer both ask).
    pub(crate) fn named_orders(&self) -> Result<Vec<Order>, DialogError> {
        if let Some(named) = self.named.get() {
            return Ok(named.clone());
        }
        let u = self.understanding();
        let named: Vec<Order> = if u.has_words() {
            let customer = self.input.customer_id;
            let words = self.pack.item_words();
            self.shop
                .orders_of(customer)?
                .into_iter()
                .filter(|o| o.customer_id == customer)
                .filter(|o| o.items.iter().any(|i| words.names(&u.normalized, &i.name)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(self.named.get_or_init(|| named).clone())
    }

    /// Orders the message names beside the one answered ("E…0456 和
    /// E…0789 分别是什么状态") are not dropped without a word: with the pack's
    /// `order.also`, each of the shopper's other named orders is offered as a
    /// button (its id: pressed, it is looked up). Only after an answer about
    /// an order, and not while a question waits for its answer (its buttons
    /// are the answers).
    pub(crate) fn offer_other_orders(&mut self, state: &DialogState) -> Result<(), DialogError> {
        if state.pending.is_some()
            || self.orders.is_empty()
            || self.pack.template("order.also", self.lang).is_none()
        {
            return Ok(());
        }
        let ids = self.understanding().slots.order_ids.clone();
        let mut others = Vec::new();
        // Named by their item too ("…另外加湿器的退款…"); not looked for
        // beside a pasted id (those who paste ids paste each: the common
        // turn stays one read of the shop).
        if ids.is_empty() {
            for order in self.named_orders()? {
                if !self.orders.contains(&order.order_id) {
                    others.push(order);
                }
            }
        }
        for id in ids {
            if self.orders.contains(&id) || others.iter().any(|o: &Order| o.order_id == id) {
                continue;
            }
            if let Some(order) = self.shop.order(&id)? {
                if order.customer_id == self.input.customer_id {
                    others.push(order);
                }
            }
        }
        others.truncate(self.pack.limits().order_buttons.max(1));
        if others.is_empty() {
            return Ok(());
        }
        self.say("order.also");
        self.push_order_buttons(others);
        Ok(())
    }

    /// Each order as a button: its `order.button` label, its id as payload
    /// (pressed, the id is looked up).
    fn push_order_buttons(&mut self, orders: Vec<Order>) {
        let names = self
            .pack
            .template("order.button", self.lang)
            .map(placeholders)
            .unwrap_or_default();
        for order in orders {
            let facts = order_facts_where(self.pack, self.lang, &order, self.input.now, &|k| {
                names.contains(&k)
            });
            let label = self
                .pack
                .text("order.button", self.lang, self.script, &facts);
            self.buttons.push(Button {
                label,
                payload: order.order_id,
            });
        }
    }

    /// After the answer to another topic, the yes/no question left behind
    /// is said to be unanswered (`confirm.dropped`, when the pack has it):
    /// the shopper who wrote "确定,另外…" must not believe it was done.
    pub(crate) fn note_dropped_confirm(&mut self) {
        let Some(id) = self.dropped_confirm.take() else {
            return;
        };
        if self.pack.template("confirm.dropped", self.lang).is_none() {
            return;
        }
        let vars = Vars::from([("order_id".to_string(), id)]);
        let text = self
            .pack
            .text("confirm.dropped", self.lang, self.script, &vars);
        self.texts.push(text);
    }

    /// The reply built by this turn; an angry shopper hears the pack's
    /// `apology.prefix` first, unless the reply already apologises (has
    /// one of the `apology.words`).
    pub(crate) fn finish(mut self) -> Reply {
        if self.understanding().angry && !self.texts.is_empty() {
            self.apologise();
        }
        Reply {
            text: self.texts.join("\n"),
            buttons: self.buttons,
            handoff: self.handoff,
            orders: self.orders,
            understood: self.understood,
            flow: self.flow,
            clarifying: self.clarifying,
        }
    }
}

/// The names a template's `{…}` could read: the text between every `{` and
/// the next `}` (a superset of what `render` looks up, so the facts of
/// these names render the template exactly as all facts would).
fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        match rest.find('}') {
            Some(close) => names.push(&rest[..close]),
            None => break,
        }
    }
    names
}

/// The value an `ask` node wants, if the message carries it.
pub(crate) fn slot_value(u: &Understanding, slot: Slot) -> Option<String> {
    match slot {
        Slot::OrderId => u.slots.order_ids.first().cloned(),
        Slot::TrackingNumber => u.slots.tracking_numbers.first().cloned(),
        Slot::Phone => u.slots.phones.first().cloned(),
        Slot::Amount => u.slots.amounts.first().map(|a| format!("{a:.2}")),
    }
}
