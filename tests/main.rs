//! End-to-end tests: the real router over real HTTP on 127.0.0.1, and the
//! real `xiaoer` binary, with the demo shop at the fixtures' reference clock
//! (2026-11-20T12:00:00+08:00). One integration binary (ripgrep-style).

mod support;

mod api_errors;
mod browser;
mod browser_desk;
mod cli;
mod desk;
mod desk_clock;
mod handoff_flow;
mod language;
mod metrics;
mod order_naming;
mod order_system;
mod pack_reload;
mod serve_process;
mod shop_answers;
mod websocket;
