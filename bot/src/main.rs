//! `xiaoer`: parses the command line, sets up logging, runs the subcommand.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

// A chat turn allocates many small strings and JSON values; mimalloc cut the
// server's CPU per turn by about a third against glibc malloc (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;
use xiaoer::cli::{Cli, Command};
use xiaoer::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr so `classify --json`, `eval --json` and `chat --json`
    // keep a clean stdout. RUST_LOG overrides the default level.
    let default_level = if matches!(cli.command, Command::Serve(_)) {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: a log file or a
        // journal gets plain text. NO_COLOR turns them off there too.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let result = match cli.command {
        Command::Serve(args) => tokio::runtime::Runtime::new()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(cmd::serve::run(args))),
        Command::Import(args) => cmd::import::run(args),
        Command::Classify(args) => cmd::classify::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Chat(args) => cmd::chat::run(args),
        Command::Queue(args) => cmd::queue::run(args),
        Command::Check(args) => cmd::check::run(args),
    };
    // One line with the whole cause chain, and never a backtrace (returning the
    // error from `main` would print anyhow's backtrace whenever RUST_BACKTRACE
    // is set in the merchant's environment).
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
