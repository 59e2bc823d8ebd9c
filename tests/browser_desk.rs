//! The desk's live side in a real browser (see `browser`): the widget shows
//! the place in the queue as pushed; the agent console hears the roster,
//! offers and alerts live and transfers to a colleague.

use std::time::Duration;

use serde_json::json;
use xiaoer::clock::{parse_instant, ManualClock};

use crate::browser::{
    click, driver, open_console, open_widget, runtime, texts, type_and_send, wait_for,
};
use crate::support::{Server, REFERENCE_NOW};

#[test]
fn the_console_hears_the_desk_live_and_the_widget_shows_the_place() {
    let Some(driver) = driver() else { return };
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(parse_instant(REFERENCE_NOW).unwrap());
    let server = Server::start_manual(dir.path(), clock.clone(), Default::default());
    runtime().block_on(async {
        let agent = open_console(&driver, &server.base).await;
        wait_for(
            &agent,
            "the roster, live",
            "document.getElementById('roster').innerText.includes('agent-1 agent-1 · online')",
        )
        .await;

        // A shopper asks for a person in the widget: they see their place;
        // the console gets the offer.
        let shopper = open_widget(&driver, &server.base).await;
        type_and_send(&shopper, "#text", "转人工").await;
        wait_for(
            &shopper,
            "the place in the queue",
            "document.getElementById('place').innerText.includes('#1')",
        )
        .await;
        wait_for(
            &agent,
            "the offer",
            "document.querySelector('#offers .offer')",
        )
        .await;
        let offers = texts(&agent, "#offers .offer").await;
        assert!(offers[0].contains("李娜"), "{offers:?}");

        // Unanswered past the first-response target: the alert shows up live.
        clock.advance(Duration::from_secs(121));
        assert_eq!(server.get("/api/agent/alerts").0, 200);
        wait_for(
            &agent,
            "the SLA alert",
            "document.getElementById('alerts').innerText.includes('first_response')",
        )
        .await;

        // Take the offer, then pass it to a colleague who just signed in.
        click(&agent, "#offers .offer").await;
        wait_for(
            &agent,
            "claim enabled",
            "!document.getElementById('claim').disabled",
        )
        .await;
        click(&agent, "#claim").await;
        wait_for(
            &shopper,
            "the agent-joined notice",
            "document.getElementById('place').innerText === ''",
        )
        .await;
        let (status, _) = server.put("/api/agent/agents/a2", json!({ "presence": "online" }));
        assert_eq!(status, 200);
        wait_for(
            &agent,
            "the colleague in the transfer list",
            "Array.from(document.getElementById('to-agent').options).some(o => o.value === 'a2')",
        )
        .await;
        agent
            .execute("document.getElementById('to-agent').value = 'a2';", vec![])
            .await
            .unwrap();
        click(&agent, "#transfer").await;
        wait_for(
            &shopper,
            "the colleague-joined notice",
            "document.querySelector('#log').innerText.includes('a2')",
        )
        .await;
        let (_, agents) = server.get("/api/agent/agents");
        let a2 = agents["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == "a2")
            .unwrap()
            .clone();
        assert_eq!(a2["active"].as_array().unwrap().len(), 1, "{agents}");

        agent.close().await.unwrap();
        shopper.close().await.unwrap();
    });
    server.stop();
}

#[test]
fn the_widget_shows_a_tickets_wait_until_a_person_answers() {
    let Some(driver) = driver() else { return };
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::starting_at(parse_instant(REFERENCE_NOW).unwrap());
    let server = Server::start_manual(dir.path(), clock, Default::default());
    runtime().block_on(async {
        // Nobody online: a ticket, answered within the hour.
        let shopper = open_widget(&driver, &server.base).await;
        type_and_send(&shopper, "#text", "转人工").await;
        wait_for(
            &shopper,
            "the ticket and its wait",
            "document.getElementById('place').innerText === '工单 / ticket: #1 · 预计等待约 1 小时 / about 1 h'",
        )
        .await;
        // Someone signs in: next up, pushed.
        let (status, _) = server.put("/api/agent/agents/a1", json!({ "presence": "online" }));
        assert_eq!(status, 200);
        wait_for(
            &shopper,
            "next up",
            "document.getElementById('place').innerText.endsWith('马上为您接通 / next up')",
        )
        .await;
        shopper.close().await.unwrap();
    });
    server.stop();
}
