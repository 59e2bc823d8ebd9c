//! The command line (clap). Stable contract: see the README.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// 店小二 xiaoer: a storefront chat bot that answers shoppers' order, parcel
/// and refund questions, and hands over to a human agent when it should.
#[derive(Debug, Parser)]
#[command(name = "xiaoer", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP + WebSocket server (shopper API, agent API, web pages).
    Serve(ServeArgs),
    /// Load customers.jsonl and orders.jsonl from a directory into the store.
    Import(ImportArgs),
    /// Classify messages (an argument, or one per stdin line).
    Classify(ClassifyArgs),
    /// Score the matcher on a labelled JSONL file.
    Eval(EvalArgs),
    /// Learn intent and anger weights from labelled JSONL into a model file.
    Train(TrainArgs),
    /// Talk to the bot on stdin/stdout, without a server.
    Chat(ChatArgs),
    /// What waits for a person: queued conversations and tickets.
    Queue(QueueArgs),
    /// Validate a content pack (the embedded default without PACK) and list every problem.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A TOML config file (see the README for its keys).
    #[arg(long, env = "XIAOER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "XIAOER_LISTEN")]
    pub listen: Option<String>,
    /// Store directory [default: ./xiaoer-data].
    #[arg(long, env = "XIAOER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Pin the clock, e.g. 2026-11-20T12:00:00+08:00.
    #[arg(long, env = "XIAOER_NOW", conflicts_with = "start")]
    pub now: Option<String>,
    /// Start the clock at this instant and let it run (a demo at the demo
    /// shop's date in which SLA timers and handling times move).
    #[arg(long, env = "XIAOER_START")]
    pub start: Option<String>,
    /// A content pack directory [default: the config's `pack_dir`, else the
    /// embedded storefront pack]; SIGHUP and the reload endpoint read it again.
    #[arg(long, env = "XIAOER_PACK")]
    pub pack: Option<PathBuf>,
    /// Load the demo shop (6 customers, 13 orders) into an empty store:
    /// the default without --config; with a config file only when asked.
    #[arg(long, env = "XIAOER_DEMO")]
    pub demo: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Directory holding customers.jsonl and orders.jsonl.
    pub dir: PathBuf,
    /// Store directory [default: ./xiaoer-data].
    #[arg(long, env = "XIAOER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// One JSON object per line instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also show, per candidate, the keywords and features that fired and
    /// their weights (with --json: an `explain` field).
    #[arg(long)]
    pub explain: bool,
    /// A content pack directory [default: the embedded storefront pack].
    #[arg(long)]
    pub pack: Option<PathBuf>,
    /// A model file written by `xiaoer train` (lines, .json or .toml): its
    /// weights are loaded into the pack's automaton.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// The message; without it, every stdin line is one message.
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Labelled JSONL: {"text", "intent"?, "angry"?, "lang"?} per line.
    pub file: PathBuf,
    /// One JSON object with the figures instead of tables.
    #[arg(long)]
    pub json: bool,
    /// A content pack directory [default: the embedded storefront pack].
    #[arg(long)]
    pub pack: Option<PathBuf>,
    /// A model file written by `xiaoer train` (lines, .json or .toml): its
    /// weights are loaded into the pack's automaton.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Rows of the confusion table (the most frequent expected -> got pairs).
    #[arg(long, default_value_t = 10)]
    pub confusions: usize,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled JSONL to learn from: lines with `intent` train the intent
    /// head, lines with `angry` the anger head.
    pub file: PathBuf,
    /// Where to write the model: one feature a line (e.g. `clinc150.model`;
    /// the fastest to load), or `.json` / `.toml` for a lexicon's `[model]`.
    #[arg(long)]
    pub out: PathBuf,
    /// Labelled JSONL for calibration (temperature, out-of-scope and anger
    /// thresholds) [default: every line of FILE is learned from, and the
    /// calibration is fitted on the scores of 5 models that each did not
    /// learn a fifth of FILE: 6 trainings].
    #[arg(long)]
    pub val: Option<PathBuf>,
    /// The pack whose hand keywords are inputs [default: the embedded pack].
    #[arg(long)]
    pub pack: Option<PathBuf>,
    /// Passes over the training data.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// In-scope accuracy (a share) the out-of-scope threshold may cost on
    /// the validation split.
    #[arg(long, default_value_t = 0.01)]
    pub out_of_scope_budget: f32,
    /// Step size of a perceptron update (relative to the margin of 1): only
    /// the intent head with `--l2 0` (the SVM and the anger head's logistic
    /// regression use their own steps).
    #[arg(long, default_value_t = 0.1)]
    pub learning_rate: f32,
    /// L2 strength of the intent head's SVM (trained by SGD); 0 trains an
    /// averaged perceptron instead.
    #[arg(long, default_value_t = 3e-5)]
    pub l2: f32,
    /// A feature must occur in this many training messages.
    #[arg(long, default_value_t = 1)]
    pub min_count: usize,
    /// Anger head: drop weights smaller than this share of the largest.
    #[arg(long, default_value_t = 0.01)]
    pub prune: f32,
    /// Intent head: drop weights smaller than this share of the largest
    /// (smaller models, faster loading and classification).
    #[arg(long, default_value_t = 0.01)]
    pub intent_prune: f32,
    /// Do not use the pack's hand keyword scores as inputs.
    #[arg(long)]
    pub no_hand: bool,
    /// English features: `words` (whole words, word pairs, word
    /// beginnings), or `pieces`: also 3–5-letter pieces from inside words
    /// (`"*efun*"`), as character n-gram models have. Pieces helped on
    /// Bitext's train split (10-fold CV) and hurt on CLINC150's val split;
    /// they cost classification speed (automaton patterns).
    #[arg(long, default_value = "words", value_parser = ["words", "pieces"])]
    pub features: String,
    /// Train even on too few examples: an intent with fewer than 5, an
    /// anger head with fewer than 20 angry or 20 calm messages (without
    /// it, the first is refused and the anger labels of the second left out,
    /// so the pack's anger lexicon keeps deciding).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The shopper's customer id [default: C1001, a demo customer].
    #[arg(long, default_value = "C1001")]
    pub customer: String,
    /// Use a temporary store loaded from this directory's customers.jsonl and orders.jsonl.
    #[arg(long, conflicts_with = "data_dir")]
    pub import: Option<PathBuf>,
    /// Use the persistent store `serve` uses (handoffs land in its queue);
    /// without it (and without --import) a temporary copy of the demo shop.
    #[arg(long, env = "XIAOER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Pin the clock, e.g. 2026-11-20T12:00:00+08:00.
    #[arg(long, env = "XIAOER_NOW")]
    pub now: Option<String>,
    /// The server's configuration file: its content pack, escalation
    /// policy, desk, clock and `[shop]` (the merchant's order system) apply;
    /// the store stays temporary unless --data-dir is given.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A content pack directory [default: the config's `pack_dir`, else the
    /// embedded storefront pack].
    #[arg(long, env = "XIAOER_PACK")]
    pub pack: Option<PathBuf>,
    /// One JSON object per shopper line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// Store directory [default: ./xiaoer-data].
    #[arg(long, env = "XIAOER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A content pack directory; without it, the embedded default pack.
    pub pack: Option<PathBuf>,
}
