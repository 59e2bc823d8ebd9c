//! 店小二 xiaoer: the storefront chat bot program.
//!
//! This crate is the only one that knows about HTTP, the command line,
//! configuration files and the system clock. It wires the library crates
//! together: a shopper's message goes through `intents` (understanding),
//! `dialogs` (what to say, from the content pack and the shop's data) and
//! maybe `handoff` (the human queue), in [`turn::Bot`]; the HTTP API, the
//! web pages and `xiaoer chat` all drive that one engine.
//!
//! It also owns the commerce back-end the bot ships with: [`shop::SledShop`],
//! the shop's customers and orders in the same sled database as the queue.
//!
//! Entry points for tests: [`http::router`] and [`http::serve`] with an
//! [`http::AppState`] built by [`cmd::build_bot`].

pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod desk;
pub mod http;
pub mod hub;
pub mod metrics;
pub mod shop;
pub mod turn;
mod web;
pub mod webhook;

pub use crate::clock::Clock;
pub use crate::turn::{Bot, TurnError, TurnOutcome};
