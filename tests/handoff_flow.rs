//! Angry shoppers reach a person with their context; agents answer; nothing
//! is lost across a restart.

use serde_json::json;

use crate::desk::{claim, sign_in};
use crate::support::{texts, Server};

#[test]
fn angry_complaint_is_queued_claimed_answered_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1001");
    server.say(&c, "订单E20261111000123到哪了");
    let body = server.say(&c, "气死了!!!说好18号到现在还没到 我要投诉!!!");
    let handoff = &body["handoff"];
    assert!(handoff.is_object(), "no handoff: {body}");
    let kinds: Vec<&str> = handoff["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"anger"), "{kinds:?}");
    assert_eq!(handoff["position"], 1);
    assert_eq!(body["status"]["kind"], "queued", "{body}");

    // The queue shows it with reasons and a priority.
    let (status, queue) = server.get("/api/agent/queue");
    assert_eq!(status, 200);
    let entries = queue["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["conversation_id"], c.as_str());
    assert_eq!(entries[0]["customer_id"], "C1001");

    // The context package has everything: customer, orders, transcript with facts.
    let (status, ctx) = server.get(&format!("/api/agent/conversations/{c}/context"));
    assert_eq!(status, 200, "{ctx}");
    let ctx = &ctx["context"];
    assert_eq!(ctx["customer"]["name"], "李娜");
    assert_eq!(ctx["customer"]["tier"], "vip");
    assert_eq!(ctx["orders"][0]["order_id"], "E20261111000123");
    let transcript = ctx["transcript"].as_array().unwrap();
    let angry_turn = transcript
        .iter()
        .find(|m| m["text"].as_str().unwrap().contains("气死了"))
        .unwrap();
    assert_eq!(angry_turn["turn"]["angry"], true);
    assert!(angry_turn["turn"]["anger"].as_f64().unwrap() > 0.5);
    assert!(
        ctx["summary"].as_str().unwrap().contains("李娜"),
        "{}",
        ctx["summary"]
    );
    let suggested: Vec<&str> = ctx["suggested_replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        suggested.iter().any(|r| r.contains("延误补偿")),
        "replies for the late parcel: {suggested:?}"
    );

    // While waiting, the bot answers nothing but notes the first message.
    let waiting = server.say(&c, "人呢?");
    assert_eq!(waiting["replies"].as_array().unwrap().len(), 1, "{waiting}");
    assert!(
        texts(&waiting["replies"]).contains("已补充到工单"),
        "{waiting}"
    );
    let quiet = server.say(&c, "快点");
    assert!(quiet["replies"].as_array().unwrap().is_empty(), "{quiet}");

    // An agent claims and replies; the shopper receives it live and in the history.
    sign_in(&server, "a1", 5);
    sign_in(&server, "a2", 5);
    let (status, claimed) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 200, "{claimed}");
    let (status, again) = server.post(
        &format!("/api/agent/conversations/{c}/claim"),
        json!({ "agent_id": "a2" }),
    );
    assert_eq!(status, 409, "second claim must be refused: {again}");
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{c}/messages"),
        json!({ "agent_id": "a1", "text": "您好,我是客服小美,马上为您催件" }),
    );
    assert_eq!(status, 200);
    let seen = server.events_until(&format!("/api/conversations/{c}/events?after=0"), |m| {
        m["text"].as_str().unwrap_or_default().contains("小美")
    });
    let agent_msg = seen.last().unwrap();
    assert_eq!(agent_msg["author"]["kind"], "agent", "{agent_msg}");
    let (_, history) = server.get(&format!("/api/conversations/{c}/messages"));
    assert!(texts(&history["messages"]).contains("马上为您催件"));

    // Another agent cannot write into it; the holder resolves and the bot is back.
    let (status, _) = server.post(
        &format!("/api/agent/conversations/{c}/messages"),
        json!({ "agent_id": "a2", "text": "hi" }),
    );
    assert_eq!(status, 409);
    let (status, resolved) = server.post(
        &format!("/api/agent/conversations/{c}/resolve"),
        json!({ "agent_id": "a1" }),
    );
    assert_eq!(status, 200, "{resolved}");
    let (_, queue) = server.get("/api/agent/queue");
    assert!(queue["entries"].as_array().unwrap().is_empty(), "{queue}");
    let back = server.say(&c, "谢谢");
    assert!(
        !back["replies"].as_array().unwrap().is_empty(),
        "bot did not take over again: {back}"
    );
}

#[test]
fn asking_for_a_person_hands_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1004");
    let body = server.say(&c, "I want to talk to a real person");
    let kinds: Vec<&str> = body["handoff"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"asked_for_human"), "{body}");
}

#[test]
fn a_question_that_offers_a_person_among_its_choices_hands_nothing_over_yet() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1006");
    // Too close to call between "a person" and "payment": the bot asks.
    let body = server.say(&c, "找客服问下付款");
    assert!(body["handoff"].is_null(), "{body}");
    let buttons: Vec<&str> = body["replies"][0]["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["payload"].as_str().unwrap())
        .collect();
    assert_eq!(buttons.len(), 2, "{body}");
    assert!(!texts(&body["replies"]).contains("工单"), "{body}");
    // The other choice is answered by the bot (SVIP C1006's unpaid order).
    let payment = buttons
        .iter()
        .find(|p| !p.contains("人工"))
        .expect("a payment choice");
    let answer = server.say(&c, payment);
    assert!(answer["handoff"].is_null(), "{answer}");
    assert!(texts(&answer["replies"]).contains("21:00"), "{answer}");
    // Choosing the person hands over.
    let c2 = server.start_conversation("C1006");
    server.say(&c2, "找客服问下付款");
    let person = buttons.iter().find(|p| p.contains("人工")).unwrap();
    let handed = server.say(&c2, person);
    assert!(handed["handoff"].is_object(), "{handed}");
    // Angry as well: handed over at once, without a question nobody answers.
    let c3 = server.start_conversation("C1006");
    let angry = server.say(&c3, "找客服问下付款!!气死了");
    assert!(angry["handoff"].is_object(), "{angry}");
    let replies = texts(&angry["replies"]);
    assert!(!replies.contains("请选择"), "{replies}");
    assert!(replies.contains("非常抱歉"), "{replies}");
    let buttons = angry["replies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["buttons"].as_array().unwrap())
        .count();
    assert_eq!(buttons, 0, "{angry}");
}

#[test]
fn a_waiting_shopper_who_writes_again_hears_once_that_the_message_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // Nobody online: a ticket, answered by 13:00.
    let c = server.start_conversation("C1001");
    let ticket = server.say(&c, "我的羽绒服怎么还没到啊,都超时两天了😡 我要投诉");
    assert_eq!(ticket["handoff"]["route"]["kind"], "ticket", "{ticket}");
    let noted = server.say(&c, "能给补偿吗");
    assert_eq!(noted["status"]["kind"], "queued", "{noted}");
    let text = texts(&noted["replies"]);
    assert!(text.contains("已补充到工单"), "{noted}");
    assert!(text.contains("13:00"), "{noted}");
    // Once: the next message waits quietly for the person.
    let quiet = server.say(&c, "转人工");
    assert_eq!(quiet["replies"].as_array().unwrap().len(), 0, "{quiet}");
    // The agent's transcript has every message, the notice too.
    let transcript = server.get(&format!("/api/conversations/{c}/messages")).1;
    let all = texts(&transcript["messages"]);
    assert!(
        all.contains("能给补偿吗") && all.contains("转人工"),
        "{all}"
    );
    assert!(all.contains("已补充到工单"), "{all}");

    // In the live queue (an agent online, not yet taken), the place.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    sign_in(&server, "a1", 1);
    let c2 = server.start_conversation("C1004");
    let queued = server.say(&c2, "I want to talk to a real person");
    assert_eq!(queued["handoff"]["route"]["kind"], "live_queue", "{queued}");
    let again = server.say(&c2, "hello? anyone?");
    let text = texts(&again["replies"]);
    assert!(text.contains("Still waiting"), "{again}");
    assert!(text.contains("number 1"), "{again}");
}

#[test]
fn a_waiting_shopper_who_gets_angry_moves_up_and_keeps_the_place_among_equals() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    // Nobody online: a calm ticket.
    let c = server.start_conversation("C1005");
    let calm = server.say(&c, "转人工");
    let before = calm["handoff"]["priority"].as_i64().unwrap();
    let angry = server.say(&c, "你们到底管不管,气死了!!!我要打12315投诉");
    assert_eq!(angry["status"]["kind"], "queued", "{angry}");
    let (_, queue) = server.get("/api/agent/queue");
    let entry = &queue["entries"][0];
    assert_eq!(entry["conversation_id"], c.as_str(), "{queue}");
    let kinds: Vec<&str> = entry["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"asked_for_human"), "{kinds:?}");
    assert!(kinds.contains(&"complaint"), "{kinds:?}");
    assert!(kinds.contains(&"anger"), "{kinds:?}");
    assert!(entry["priority"].as_i64().unwrap() > before, "{entry}");
    assert_eq!(entry["kind"], "ticket", "{entry}");
    // Calm messages change nothing more.
    server.say(&c, "好吧");
    let (_, again) = server.get("/api/agent/queue");
    assert_eq!(
        again["entries"][0]["priority"], entry["priority"],
        "{again}"
    );
}

#[test]
fn asking_whether_the_bot_is_a_robot_or_for_its_phone_number_is_answered_not_handed_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for (customer, text, said) in [
        ("C1006", "你是机器人吗", "智能客服店小二"),
        ("C1002", "你是人吗", "智能客服店小二"),
        ("C1004", "are you a robot?", "shop's assistant"),
        ("C1002", "客服电话是13987654321吗", "不会打电话要求您转账"),
    ] {
        let c = server.start_conversation(customer);
        let body = server.say(&c, text);
        assert!(body["handoff"].is_null(), "{text}: {body}");
        assert!(texts(&body["replies"]).contains(said), "{text}: {body}");
        // The button is the way to a person.
        let person = body["replies"][0]["buttons"][0]["payload"]
            .as_str()
            .unwrap()
            .to_string();
        let handed = server.say(&c, &person);
        assert!(handed["handoff"].is_object(), "{text}: {handed}");
    }
    // Asked for a person in so many words as well: at once.
    for text in [
        "你是机器人吗,帮我转人工",
        "are you a bot? I want a human",
        "你们客服电话是多少,我要投诉",
    ] {
        let c = server.start_conversation("C1002");
        let body = server.say(&c, text);
        assert!(body["handoff"].is_object(), "{text}: {body}");
    }
}

#[test]
fn the_packs_note_for_the_agent_is_in_the_context() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1002");
    // No scan for 8 days: presumed lost, a situation the pack hands over.
    let body = server.say(&c, "快递到哪了 E20261111001555");
    assert!(
        body["handoff"]["reasons"]
            .to_string()
            .contains("lost_parcel"),
        "{body}"
    );
    let (status, ctx) = server.get(&format!("/api/agent/conversations/{c}/context"));
    assert_eq!(status, 200, "{ctx}");
    let notes = ctx["context"]["notes"].as_array().expect("notes").clone();
    assert_eq!(notes.len(), 1, "{ctx}");
    let note = notes[0].as_str().unwrap();
    assert!(note.starts_with("订单 E20261111001555:"), "{note}");
    assert!(note.ends_with("疑似丢件"), "{note}");
    assert!(!note.contains('{'), "{note}");
    // The queue shows it too.
    let (_, queue) = server.get("/api/agent/queue");
    assert_eq!(queue["entries"][0]["context"]["notes"][0], note, "{queue}");
}

#[test]
fn three_turns_not_understood_hand_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1002");
    assert!(server.say(&c, "今天天气怎么样")["handoff"].is_null());
    assert!(server.say(&c, "给我讲个笑话吧")["handoff"].is_null());
    let third = server.say(&c, "明天股票会涨吗");
    let kinds: Vec<&str> = third["handoff"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["not_understood"], "{third}");
    // Not the fallback ("I can pass you to a person"): it says so, then the ticket.
    let replies = texts(&third["replies"]);
    assert!(replies.contains("没能完全理解您的问题"), "{replies}");
    assert!(!replies.contains("暂时回答不了"), "{replies}");
    assert!(replies.contains("已为您登记工单"), "{replies}");
    // Angry about something the bot does not understand: an apology first.
    let c = server.start_conversation("C1005");
    let angry = server.say(&c, "TMD 螃蟹全死了");
    assert!(angry["handoff"].is_object(), "{angry}");
    let replies = texts(&angry["replies"]);
    assert!(replies.contains("非常抱歉"), "{replies}");
}

#[test]
fn the_queue_and_messages_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let c;
    {
        let server = Server::start(dir.path());
        c = server.start_conversation("C1006");
        let body = server.say(&c, "转人工!!!");
        assert!(body["handoff"].is_object(), "{body}");
        server.stop();
    }
    let server = Server::start(dir.path());
    let (_, queue) = server.get("/api/agent/queue");
    let entries = queue["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{queue}");
    assert_eq!(entries[0]["conversation_id"], c.as_str());
    let (status, history) = server.get(&format!("/api/conversations/{c}/messages"));
    assert_eq!(status, 200);
    assert!(texts(&history["messages"]).contains("转人工"), "{history}");
    // The restarted server did not load the demo shop again over real data.
    sign_in(&server, "a1", 5);
    claim(&server, &c, "a1");
}

#[test]
fn agent_api_wants_the_token_when_one_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), Some("s3cret"), None);
    let (status, _) = server.get("/api/agent/queue");
    assert_eq!(status, 200, "the client sends the token");
    let resp = ureq::get(format!("{}/api/agent/queue", server.base)).call();
    assert!(
        matches!(resp, Err(ureq::Error::StatusCode(401))),
        "{resp:?}"
    );
}

#[test]
fn a_traditional_chinese_shopper_hears_system_notices_in_traditional() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1003");
    let body = server.say(&c, "我要轉人工客服");
    assert!(body["handoff"].is_object(), "{body}");
    sign_in(&server, "a1", 5);
    claim(&server, &c, "a1");
    let joined = server.last_message(&c);
    assert!(joined.contains("將為您服務"), "{joined}");
}

#[test]
fn a_second_hand_over_shows_the_first_in_the_agents_context() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let (status, _) = server.put("/api/agent/agents/a1", json!({ "presence": "online" }));
    assert_eq!(status, 200);
    let c = server.start_conversation("C1002");
    assert!(server.say(&c, "转人工")["handoff"].is_object());
    let path = |action: &str| format!("/api/agent/conversations/{c}/{action}");
    assert_eq!(
        server.post(&path("claim"), json!({ "agent_id": "a1" })).0,
        200
    );
    assert_eq!(
        server.post(&path("resolve"), json!({ "agent_id": "a1" })).0,
        200
    );

    let body = server.say(&c, "气死了!!!我要投诉");
    assert!(body["handoff"].is_object(), "{body}");
    let (status, ctx) = server.get(&path("context"));
    assert_eq!(status, 200, "{ctx}");
    let history = ctx["context"]["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{ctx}");
    let first = &history[0];
    assert_eq!(first["reasons"][0]["kind"], "asked_for_human", "{first}");
    assert_eq!(first["agent_id"], "a1");
    assert_eq!(first["outcome"]["kind"], "resolved");
    assert!(first["queued_at"].is_string() && first["claimed_at"].is_string());
    assert_eq!(ctx["context"]["history_dropped"], 0, "{ctx}");
    // The current reasons are this hand-over's own.
    let reasons = ctx["context"]["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["kind"] == "complaint"), "{ctx}");

    // The queue shows the same history in the entry's context, once: no
    // empty copy beside it, and no transcript (read with the context).
    let (_, queue) = server.get("/api/agent/queue");
    let entry = &queue["entries"][0];
    assert_eq!(
        entry["context"]["history"], ctx["context"]["history"],
        "{entry}"
    );
    assert_eq!(entry["context"]["history_dropped"], 0, "{entry}");
    assert!(entry.get("history").is_none(), "{entry}");
    assert!(entry["context"].get("transcript").is_none(), "{entry}");
}
