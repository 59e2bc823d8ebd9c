//! Asking instead of guessing: when the two best intents are close and
//! neither is sure, the bot asks which one the shopper means, with both as
//! buttons (each button's text is a phrase the matcher reads as that intent).

use crate::Vars;

use super::Turn;

impl Turn<'_> {
    /// Replies with the clarifying question when the understanding is too
    /// close to call and the pack labels both intents; returns whether it did.
    pub(crate) fn clarify(&mut self) -> bool {
        let limits = self.pack.clarify_limits();
        let u = self.input.understanding;
        let [first, second, ..] = u.candidates.as_slice() else {
            return false;
        };
        let close = first.score < limits.below && first.score - second.score < limits.margin;
        if !close || first.intent == "out_of_scope" || second.intent == "out_of_scope" {
            return false;
        }
        let never = &self.pack.limits().never_ask;
        if never.contains(&first.intent) || never.contains(&second.intent) {
            return false;
        }
        let none = Vars::new();
        let mut buttons = Vec::with_capacity(2);
        for intent in [&first.intent, &second.intent] {
            let label = format!("intent.{intent}.label");
            let payload = format!("intent.{intent}.payload");
            if self.pack.template(&label, self.lang).is_none()
                || self.pack.template(&payload, self.lang).is_none()
            {
                return false;
            }
            buttons.push(crate::Button {
                label: self.pack.text(&label, self.lang, self.script, &none),
                payload: self.pack.text(&payload, self.lang, self.script, &none),
            });
        }
        self.say("clarify.question");
        self.buttons.extend(buttons);
        self.clarifying = true;
        true
    }
}
