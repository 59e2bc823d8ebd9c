//! The embedded web pages in a real browser: headless Chromium driven over
//! WebDriver (chromedriver), against the real router on loopback.
//!
//! `.ci/run` installs Chromium and chromedriver and sets `XIAOER_BROWSER=1`,
//! which makes these tests mandatory. Elsewhere they run when `chromedriver`
//! is on the PATH and say on stderr that they were skipped when it is not.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::Server;

/// chromedriver on a free port, in a process group of its own: on drop the
/// whole group (chromedriver and the Chromium processes it started) is
/// killed, so a failing test leaves no browser behind.
pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts chromedriver, or `None` when browser tests are not required and
/// no chromedriver is installed.
pub(crate) fn driver() -> Option<Driver> {
    let required = std::env::var_os("XIAOER_BROWSER").is_some_and(|v| v == "1");
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = match Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
    {
        Ok(child) => child,
        Err(e) if !required => {
            eprintln!(
                "browser test skipped: cannot start chromedriver ({e}); `bash .ci/run` installs it"
            );
            return None;
        }
        Err(e) => panic!("XIAOER_BROWSER=1 but chromedriver does not start: {e}"),
    };
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(driver)
}

pub(crate) async fn browser(driver: &Driver) -> Client {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let mut options = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1100,800"
        ]
    });
    if let Some(path) = chromium {
        options["binary"] = json!(path);
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session")
}

/// Waits until `script` (a JavaScript expression) is true in the page.
pub(crate) async fn wait_for(page: &Client, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = page
            .execute(&format!("return !!({script});"), vec![])
            .await
            .unwrap();
        if v == json!(true) {
            return;
        }
        if Instant::now() > deadline {
            let body = page
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap();
            panic!("timed out waiting for {what}; page text:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of every element matching `css`, read in one script (the console
/// re-renders its lists on live events, so element handles go stale).
pub(crate) async fn texts(page: &Client, css: &str) -> Vec<String> {
    let v = page
        .execute(
            "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);",
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// Clicks the first element matching `css` once it is there.
pub(crate) async fn click(page: &Client, css: &str) {
    wait_for(page, css, &format!("document.querySelector({css:?})")).await;
    page.execute(
        "document.querySelector(arguments[0]).click();",
        vec![json!(css)],
    )
    .await
    .unwrap();
}

pub(crate) async fn type_and_send(page: &Client, input: &str, text: &str) {
    let field = page.find(Locator::Css(input)).await.unwrap();
    field.send_keys(text).await.unwrap();
    field.send_keys("\u{E007}").await.unwrap(); // Enter
}

/// The shopper widget, started for the demo shop's first customer (C1001),
/// once its input takes text.
pub(crate) async fn open_widget(driver: &Driver, base: &str) -> Client {
    let shopper = browser(driver).await;
    shopper.goto(&format!("{base}/")).await.unwrap();
    click(&shopper, "#start").await;
    wait_for(
        &shopper,
        "the input",
        "!document.getElementById('text').disabled",
    )
    .await;
    shopper
}

/// The agent console, signed in online as its default agent.
pub(crate) async fn open_console(driver: &Driver, base: &str) -> Client {
    let agent = browser(driver).await;
    agent.goto(&format!("{base}/agent")).await.unwrap();
    click(&agent, "#online").await;
    agent
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn shopper_widget_answers_and_hands_an_angry_shopper_to_the_agent_console() {
    let Some(driver) = driver() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    runtime().block_on(async {
        // The demo shop's first customer (C1001, order E20261111000123).
        let shopper = open_widget(&driver, &server.base).await;
        wait_for(
            &shopper,
            "the greeting",
            "document.querySelector('.msg.bot')",
        )
        .await;
        type_and_send(&shopper, "#text", "我的快递到哪了?订单E20261111000123").await;
        wait_for(
            &shopper,
            "the tracking answer",
            "document.querySelectorAll('.msg.bot').length >= 2",
        )
        .await;
        let answers = texts(&shopper, ".msg.bot").await;
        let tracking = answers.last().unwrap();
        assert!(tracking.contains("SF1402839475820"), "{answers:?}");
        assert!(tracking.contains("上海转运中心"), "{answers:?}");

        type_and_send(&shopper, "#text", "气死了!!!我要投诉你们,再不处理就打12315").await;
        wait_for(
            &shopper,
            "the queue notice",
            "document.querySelector('.msg.system')",
        )
        .await;

        // The agent console: the conversation is in the queue with its
        // summary; the agent signs in, claims it and answers.
        let agent = open_console(&driver, &server.base).await;
        wait_for(
            &agent,
            "the queued conversation",
            "document.querySelector('#queue .entry')",
        )
        .await;
        let queue = texts(&agent, "#queue .entry").await;
        // Nobody was online: it became a ticket, and the list says so.
        assert!(
            queue
                .iter()
                .any(|e| e.contains("E20261111000123") && e.contains("工单 ticket")),
            "{queue:?}"
        );
        click(&agent, "#queue .entry").await;
        wait_for(
            &agent,
            "the transcript",
            "document.querySelector('#log .m')",
        )
        .await;
        let transcript = texts(&agent, "#log .m").await.join("\n");
        assert!(transcript.contains("12315"), "{transcript}");
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
            "document.querySelectorAll('.msg.system').length >= 2",
        )
        .await;
        type_and_send(&agent, "#text", "您好,我是客服小美,马上为您处理").await;
        wait_for(
            &shopper,
            "the agent's reply",
            "document.querySelector('.msg.agent')",
        )
        .await;
        let from_agent = texts(&shopper, ".msg.agent").await;
        assert!(from_agent[0].contains("客服小美"), "{from_agent:?}");

        agent.close().await.unwrap();
        shopper.close().await.unwrap();
    });
    server.stop();
}
