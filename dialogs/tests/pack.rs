//! Loading packs: the embedded one, directories, and the errors of broken ones.

use std::path::Path;

use dialogs::{Lang, Pack, PackError, Script};

use crate::support::{now, pack, pack_copy, shop, write};

fn load_error(dir: &tempfile::TempDir) -> String {
    match Pack::load_dir(dir.path()) {
        Ok(_) => panic!("the broken pack loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_pack_directory_loads_like_the_embedded_pack() {
    let dir = pack_copy();
    let loaded = Pack::load_dir(dir.path()).unwrap();
    assert_eq!(loaded.name(), pack().name());
    let flows: Vec<&str> = loaded.intents_with_flows().collect();
    assert_eq!(flows, pack().intents_with_flows().collect::<Vec<_>>());
}

#[test]
fn every_intent_of_the_lexicon_has_a_flow() {
    let pack = pack();
    let with_flows: Vec<&str> = pack.intents_with_flows().collect();
    let missing: Vec<&str> = pack
        .matcher()
        .intent_ids()
        .filter(|id| !with_flows.contains(id))
        .collect();
    assert!(missing.is_empty(), "intents without a flow: {missing:?}");
    assert_eq!(with_flows.len(), 26, "{with_flows:?}");
}

#[test]
fn bad_toml_names_the_file_and_line() {
    let dir = pack_copy();
    write(
        &dir,
        "flows/thanks.toml",
        "intents = [\"thanks\"]\nstart = \"welcome\"\n[nodes.welcome\nkind = \"answer\"\n",
    );
    let err = load_error(&dir);
    assert!(err.starts_with("pack flows/thanks.toml line 3: "), "{err}");
}

#[test]
fn an_undefined_node_is_named_with_its_file_and_line() {
    let dir = pack_copy();
    write(
        &dir,
        "flows/refund_status.toml",
        "intents = [\"refund_status\"]\nstart = \"find\"\n\n[nodes.find]\nkind = \"lookup\"\nfound = \"ask_order\"\n",
    );
    let err = load_error(&dir);
    assert_eq!(
        err,
        "pack flows/refund_status.toml line 6: node `ask_order` is not defined (named by `find`)"
    );
}

#[test]
fn other_broken_packs_say_what_to_fix() {
    let table: &[(&str, &str, &str)] = &[
        (
            "flows/thanks.toml",
            "intents = [\"thanks\"]\nstart = \"a\"\n[nodes.a]\nkind = \"answer\"\nsay = \"no.such.text\"\n",
            "pack flows/thanks.toml line 5: node `a`: template `no.such.text` is missing from templates/zh.toml",
        ),
        (
            "flows/thanks.toml",
            "intents = [\"thanks\"]\nstart = \"a\"\n[nodes.a]\nkind = \"branch\"\ncases = [{ when = \"status ==\", goto = \"a\" }]\nelse = \"a\"\n",
            "pack flows/thanks.toml line 5: condition `status ==`: nothing to compare with",
        ),
        (
            "flows/thanks.toml",
            "intents = [\"thanks\"]\nstart = \"a\"\n[nodes.a]\nkind = \"shout\"\n",
            "pack flows/thanks.toml line 4: unknown variant `shout`",
        ),
        (
            "flows/thanks2.toml",
            "intents = [\"thanks\"]\nstart = \"a\"\n[nodes.a]\nkind = \"end\"\n",
            "pack flows/thanks2.toml line 1: intent `thanks` is already handled by flows/thanks.toml",
        ),
        (
            "policy.toml",
            "[returns]\nwindow_days = \"seven\"\n",
            "pack policy.toml line 2: invalid type",
        ),
    ];
    for (file, text, expected) in table {
        let dir = pack_copy();
        write(&dir, file, text);
        let err = load_error(&dir);
        assert!(
            err.starts_with(expected),
            "{file}: {err}\n  want: {expected}"
        );
    }
    let dir = pack_copy();
    std::fs::remove_file(dir.path().join("templates/en.toml")).unwrap();
    assert_eq!(
        load_error(&dir),
        "pack templates/en.toml: the file is missing"
    );
    let missing = Pack::load_dir(Path::new("/nonexistent/pack")).unwrap_err();
    assert!(matches!(missing, PackError::Read { .. }), "{missing}");
    // The OS error once, whether the message or the whole chain is printed
    // (review 6, finding 17: it was repeated).
    assert!(missing.to_string().contains("No such file"), "{missing}");
    assert!(std::error::Error::source(&missing).is_none(), "{missing}");
}

#[test]
fn system_texts_render_with_their_placeholders() {
    let pack = pack();
    let vars = [("position", "3".to_string()), ("minutes", "4".to_string())];
    assert_eq!(
        pack.say("handoff.queued", Lang::Zh, Script::Simplified, &vars),
        "已为您转接人工客服,您当前排在第 3 位,预计等待约 4 分钟,请稍候。"
    );
    let en = pack.say("handoff.queued", Lang::En, Script::Latin, &vars);
    assert!(
        en.contains("number 3 in the queue") && en.contains("4 min"),
        "{en}"
    );
    let ticket = [
        ("answer_by", "11月21日 10:00".to_string()),
        ("opens_at", "11月21日 09:00".to_string()),
    ];
    assert_eq!(
        pack.say("handoff.ticket_after_hours", Lang::Zh, Script::Simplified, &ticket),
        "现在是非工作时间,已为您登记工单。人工客服 11月21日 09:00 上班,最晚 11月21日 10:00 前回复您。"
    );
    let agent = [("agent", "小王".to_string())];
    assert!(pack
        .say(
            "handoff.agent_joined",
            Lang::Zh,
            Script::Traditional,
            &agent
        )
        .contains("已接入"));
    for key in [
        "handoff.queued",
        "handoff.agent_joined",
        "handoff.resolved",
        "handoff.ticket",
        "handoff.waiting",
        "greeting",
        "fallback",
        "order.not_found",
        "error.unavailable",
    ] {
        for lang in [Lang::Zh, Lang::En] {
            assert_ne!(
                pack.say(key, lang, Script::Simplified, &[]),
                key,
                "{key} {lang:?}"
            );
        }
    }
    assert_eq!(
        pack.say("no.such.key", Lang::Zh, Script::Simplified, &[]),
        "no.such.key"
    );
}

#[test]
fn the_greeting_offers_the_main_topics() {
    let zh = pack().greeting(Lang::Zh, Script::Simplified);
    assert!(zh.text.contains("店小二"));
    assert!(zh.understood);
    assert_eq!(zh.buttons.len(), 5);
    let en = pack().greeting(Lang::En, Script::Latin);
    assert!(en.text.starts_with("Hi"));
    // A traditional-Chinese customer is greeted in traditional characters.
    let hant = pack().greeting(Lang::Zh, Script::Traditional);
    assert!(hant.text.contains("有什麼可以幫您"), "{}", hant.text);
    assert!(
        hant.buttons.iter().any(|b| b.label == "轉人工"),
        "{:?}",
        hant.buttons
    );
    // Every menu payload is understood as the topic it names.
    for button in zh.buttons.iter().chain(&en.buttons).chain(&hant.buttons) {
        let u = pack().matcher().classify(&button.payload);
        assert_ne!(u.intent, "out_of_scope", "{}", button.payload);
    }
}

#[test]
fn the_public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Pack>();
    assert_send_sync::<dialogs::MemoryShop>();
    assert_send_sync::<dialogs::Reply>();
    assert_send_sync::<dialogs::DialogState>();
    assert_send_sync::<PackError>();
    assert_send_sync::<dialogs::DialogError>();
}

#[test]
fn an_ask_node_reprompts_then_gives_up() {
    let dir = pack_copy();
    write(
        &dir,
        "flows/invoice.toml",
        r#"intents = ["invoice"]
start = "which"

[nodes.which]
kind = "ask"
slot = "order_id"
say = "order.choose"
retry = "order.none"
attempts = 2
next = "find"
give_up = "human"

[nodes.find]
kind = "lookup"
found = "done"

[nodes.done]
kind = "answer"
say = "status.paid"

[nodes.human]
kind = "handoff"
reason = "human_agent"
say = "human.transfer"
"#,
    );
    let pack = Pack::load_dir(dir.path()).unwrap();
    let shop = shop();
    let mut state = dialogs::DialogState::default();
    let mut turn = |text: &str| {
        let u = pack.matcher().classify(text);
        let input = dialogs::TurnInput {
            customer_id: "C1002",
            understanding: &u,
            now: now(),
        };
        dialogs::respond(&pack, &shop, &mut state, &input).unwrap()
    };
    assert!(turn("开发票").text.contains("哪个订单"));
    assert!(turn("嗯嗯").text.contains("还没有相关订单"), "re-prompt");
    assert_eq!(
        turn("嗯嗯").handoff.map(|h| h.reason).as_deref(),
        Some("human_agent")
    );
    assert!(turn("开发票").text.contains("哪个订单"));
    assert!(turn("E20261111000456").text.contains("299.00"));
}

#[test]
fn standard_replies_for_agents_come_by_intent_in_order_and_language() {
    let pack = pack();
    let zh = pack.standard_replies("complaint", Lang::Zh, Script::Simplified);
    assert_eq!(zh.len(), 2);
    assert!(zh[0].contains("全程跟进"), "{zh:?}");
    let en = pack.standard_replies("complaint", Lang::En, Script::Latin);
    assert!(en[0].contains("follow it through"), "{en:?}");
    let hant = pack.standard_replies("track_package", Lang::Zh, Script::Traditional);
    assert!(
        hant[0].contains("包裹") && hant[0].contains("幫"),
        "{hant:?}"
    );
    assert!(pack
        .standard_replies("greeting", Lang::Zh, Script::Simplified)
        .is_empty());
}

/// Every hand-over reason the default pack's flows give (and the bot's own
/// `shop_unavailable`) has a label in the agents' queue summary, in both
/// languages' texts: an agent never reads a bare code.
#[test]
fn every_handoff_reason_has_a_summary_label() {
    let flows = Path::new(env!("CARGO_MANIFEST_DIR")).join("pack/flows");
    let mut reasons = std::collections::BTreeSet::from(["shop_unavailable".to_string()]);
    for entry in std::fs::read_dir(flows).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let flow: toml::Table = toml::from_str(&text).unwrap();
        for node in flow["nodes"].as_table().unwrap().values() {
            if let Some(reason) = node.get("reason").and_then(|r| r.as_str()) {
                reasons.insert(reason.to_string());
            }
        }
    }
    assert!(reasons.len() > 5, "{reasons:?}");
    let labels = pack().summary_texts();
    for reason in &reasons {
        let label = labels.get(&format!("situation.{reason}"));
        assert!(
            label.is_some_and(|l| !l.is_empty()),
            "no summary label for {reason}"
        );
    }
    for key in ["separator", "vip", "not_understood", "repeated"] {
        assert!(labels.contains_key(key), "{key}");
    }
    // The English texts have them too (a pack without Chinese uses them).
    let en = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("pack/templates/en.toml"),
    )
    .unwrap();
    let en: toml::Table = toml::from_str(&en).unwrap();
    let situations = en["summary"]["situation"].as_table().unwrap();
    for reason in &reasons {
        assert!(situations.contains_key(reason), "en: no label for {reason}");
    }
}
