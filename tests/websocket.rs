//! The shopper's WebSocket: history then live messages as JSON frames, and
//! messages sent as `{"text": ...}` frames; a bad frame gets an error frame
//! and the socket stays usable.

use std::time::Duration;

use serde_json::Value;
use tungstenite::Message;

use crate::support::Server;

fn next_json(socket: &mut tungstenite::WebSocket<std::net::TcpStream>) -> Value {
    loop {
        match socket.read().unwrap() {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

#[test]
fn websocket_streams_history_and_takes_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let c = server.start_conversation("C1004");
    let addr = server.base.trim_start_matches("http://").to_string();
    let stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let url = format!("ws://{addr}/api/conversations/{c}/ws?after=0");
    let (mut socket, _) = tungstenite::client(url.as_str(), stream).unwrap();

    let greeting = next_json(&mut socket);
    assert_eq!(
        (
            greeting["seq"].as_u64(),
            greeting["author"]["kind"].as_str()
        ),
        (Some(1), Some("bot")),
        "{greeting}"
    );

    socket
        .send(Message::Text(
            "{\"text\": \"where is my parcel? order E20261111001333\"}".into(),
        ))
        .unwrap();
    let shopper = next_json(&mut socket);
    assert_eq!(shopper["author"]["kind"], "shopper");
    assert_eq!(shopper["turn"]["intent"], "track_package", "{shopper}");
    let reply = next_json(&mut socket);
    assert_eq!(reply["author"]["kind"], "bot");
    assert!(
        reply["text"].as_str().unwrap().contains("JDV009988776655"),
        "{reply}"
    );

    socket.send(Message::Text("not json".into())).unwrap();
    let error = next_json(&mut socket);
    assert_eq!(error["error"]["code"], "malformed_json", "{error}");
    socket
        .send(Message::Text("{\"text\": \"  \"}".into()))
        .unwrap();
    let error = next_json(&mut socket);
    assert_eq!(error["error"]["code"], "empty_message", "{error}");

    socket
        .send(Message::Text("{\"text\": \"thanks\"}".into()))
        .unwrap();
    assert_eq!(
        next_json(&mut socket)["seq"],
        4,
        "sequence continues without gaps"
    );
    socket.close(None).unwrap();
}
