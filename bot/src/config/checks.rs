//! The configuration file's shapes that serde cannot see: the team's agent
//! ids (unique, not empty) and the alert webhook's URL. A duplicate id
//! would silently drop the first agent (the roster keeps the last), and a
//! webhook that is not a URL would fail only when the first alert is due.

use std::collections::BTreeSet;

use super::FileConfig;

/// Every such problem of `file`, each naming its key.
pub(super) fn malformed(file: &FileConfig) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(desk) = &file.desk else {
        return problems;
    };
    let mut seen = BTreeSet::new();
    for (i, agent) in desk.agents.iter().enumerate() {
        if agent.id.trim().is_empty() {
            problems.push(format!(
                "`desk.agents` number {}: the id is empty (every agent needs one, e.g. `id = \"amy\"`)",
                i + 1
            ));
        } else if !seen.insert(agent.id.as_str()) {
            problems.push(format!(
                "`desk.agents`: the id `{}` is given twice (each agent needs an id of their own)",
                agent.id
            ));
        }
    }
    if let Some(url) = &desk.webhook {
        if crate::shop::http_url(url).is_none() {
            problems.push(format!(
                "`desk.webhook` = `{url}` is not an http(s) URL, e.g. https://hooks.example.com/xiaoer"
            ));
        }
    }
    problems
}

/// Warnings for `[handoff]` intent names (`human_intent`,
/// `complaint_intent`, `repeat_exempt`) that are no intent of the content
/// pack: a typo (`greting`) silently turns that rule off. A warning, not an
/// error, as for `[desk.skills]`: a reloaded pack may bring the intent.
pub fn intent_warnings<'a>(
    policy: &handoff::Policy,
    intents: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let known: BTreeSet<&str> = intents.into_iter().collect();
    let mut warnings = Vec::new();
    let mut check = |key: &str, name: &str, effect: &str| {
        if !known.contains(name) {
            warnings.push(format!(
                "handoff.{key}: `{name}` is no intent of the content pack, so {effect}"
            ));
        }
    };
    check(
        "human_intent",
        &policy.human_intent,
        "asking for a person hands nothing over",
    );
    check(
        "complaint_intent",
        &policy.complaint_intent,
        "a complaint hands nothing over",
    );
    for name in &policy.repeat_exempt {
        check("repeat_exempt", name, "it exempts nothing");
    }
    warnings
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn problems(text: &str) -> String {
        match FileConfig::parse(text, Path::new("x.toml")) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    const AGENT: &str = "skills = [\"orders\"]\nlanguages = [\"zh\"]\nmax_chats = 3\n";

    #[test]
    fn a_duplicate_or_empty_agent_id_is_refused() {
        let two = format!(
            "[[desk.agents]]\nid = \"amy\"\nname = \"Amy A\"\n{AGENT}[[desk.agents]]\nid = \"amy\"\nname = \"Amy B\"\n{AGENT}"
        );
        let err = problems(&two);
        assert!(err.contains("the id `amy` is given twice"), "{err}");
        let empty = format!("[[desk.agents]]\nid = \" \"\nname = \"Nobody\"\n{AGENT}");
        let err = problems(&empty);
        assert!(
            err.contains("`desk.agents` number 1: the id is empty"),
            "{err}"
        );
        let fine = format!(
            "[[desk.agents]]\nid = \"amy\"\nname = \"Amy\"\n{AGENT}[[desk.agents]]\nid = \"bo\"\nname = \"Bo\"\n{AGENT}"
        );
        assert_eq!(problems(&fine), "");
    }

    #[test]
    fn a_webhook_must_be_an_http_url() {
        for bad in [
            "not a url",
            "ftp://hooks.example.com/x",
            "/relative/path",
            "hooks.example.com",
        ] {
            let err = problems(&format!("[desk]\nwebhook = \"{bad}\"\n"));
            assert!(err.contains("`desk.webhook`"), "{bad}: {err}");
            assert!(err.starts_with("config file x.toml:"), "{err}");
        }
        for good in [
            "https://hooks.example.com/xiaoer",
            "http://127.0.0.1:9000/alerts",
        ] {
            assert_eq!(
                problems(&format!("[desk]\nwebhook = \"{good}\"\n")),
                "",
                "{good}"
            );
        }
    }

    #[test]
    fn handoff_intent_names_matching_no_intent_are_warned_about() {
        let pack = dialogs::Pack::embedded().unwrap();
        let ids = || pack.matcher().intent_ids();
        assert!(intent_warnings(&handoff::Policy::default(), ids()).is_empty());
        let file = FileConfig::parse(
            "[handoff]\nrepeat_exempt = [\"greting\"]\nhuman_intent = \"nope\"\n",
            Path::new("x.toml"),
        )
        .unwrap();
        let warnings = intent_warnings(&file.handoff.unwrap(), ids());
        assert_eq!(
            warnings,
            [
                "handoff.human_intent: `nope` is no intent of the content pack, so asking for a person hands nothing over",
                "handoff.repeat_exempt: `greting` is no intent of the content pack, so it exempts nothing",
            ]
        );
    }
}
