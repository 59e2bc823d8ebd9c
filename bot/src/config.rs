//! Configuration: plain data read at the edge (a TOML file, then command-line
//! flags and environment variables on top), checked once and turned into the
//! values the rest of the program takes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Deserialize;

mod checks;
mod ranges;

pub use checks::intent_warnings;

use crate::clock::{parse_instant, Clock, RunningClock};
use crate::desk::DeskConfig;
use crate::shop::{HttpShopConfig, DEFAULT_TIMEOUT};

/// The config file's shape. Every key is optional; see the README for each.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub listen: Option<String>,
    /// Directory of the sled store (shop data, conversations, queue).
    pub data_dir: Option<PathBuf>,
    /// Pin the clock to this RFC 3339 instant.
    pub now: Option<String>,
    /// Start the clock at this RFC 3339 instant and let it run.
    pub start: Option<String>,
    /// A content pack directory that replaces the embedded default pack.
    pub pack_dir: Option<PathBuf>,
    /// Bearer token required on the agent API; unset means the agent API is open.
    pub agent_token: Option<String>,
    /// Longest shopper message accepted, in characters.
    pub max_message_chars: Option<usize>,
    /// Escalation policy knobs (see `handoff::Policy`).
    #[serde(default)]
    pub handoff: Option<handoff::Policy>,
    /// The agents' desk: hours, skills, SLA, overflow, spikes, the team.
    #[serde(default)]
    pub desk: Option<DeskConfig>,
    /// The merchant's order system; without it, the embedded sled shop.
    #[serde(default)]
    pub shop: Option<ShopFile>,
}

/// The `[shop]` table: where the merchant's order system answers the
/// contract of `shop::HttpShop` (README, "Connecting your order system").
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopFile {
    /// Base URL, e.g. `https://orders.example.com/xiaoer`.
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<String>,
    /// Timeout of one request, in milliseconds (default 3000).
    pub timeout_ms: Option<u64>,
}

/// Never prints the token.
impl std::fmt::Debug for ShopFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopFile")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("timeout_ms", &self.timeout_ms)
            .finish()
    }
}

impl FileConfig {
    /// Reads a config file; a missing or malformed file is an error that names it.
    pub fn read(path: &Path) -> Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        FileConfig::parse(&text, path)
    }

    /// Parses the text of the config file at `path` and checks every number
    /// against its range; the error names the file and lists every key out
    /// of range with the range allowed.
    pub fn parse(text: &str, path: &Path) -> Result<FileConfig> {
        let file: FileConfig = toml::from_str(text)
            .with_context(|| format!("config file {} is not valid", path.display()))?;
        let mut problems = ranges::out_of_range(&file);
        problems.extend(checks::malformed(&file));
        anyhow::ensure!(
            problems.is_empty(),
            "config file {}: {}",
            path.display(),
            problems.join("; ")
        );
        Ok(file)
    }
}

/// Warnings for `[desk.skills]` patterns that match no intent of the
/// content pack (`refnd_*`): such a rule routes nothing. A warning, not an
/// error: the pack can be reloaded with new intents while the server runs.
pub fn skill_warnings<'a>(
    skills: &handoff::SkillRules,
    intents: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    skills
        .unmatched(intents)
        .into_iter()
        .map(|(skill, pattern)| {
            let skill = serde_json::to_value(skill)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("desk.skills.{skill}: `{pattern}` matches no intent of the content pack, so it routes nothing")
        })
        .collect()
}

/// The checked configuration the program runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub clock: Clock,
    pub pack_dir: Option<PathBuf>,
    pub agent_token: Option<String>,
    pub max_message_chars: usize,
    pub policy: handoff::Policy,
    pub desk: DeskConfig,
    /// The merchant's order system, when the file has a `[shop]` table;
    /// `None` is the embedded sled shop.
    pub shop: Option<HttpShopConfig>,
}

/// Defaults a merchant gets without a config file.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "xiaoer-data";
pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 2000;

/// Values given on the command line (or through the environment); they win
/// over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub now: Option<String>,
    pub start: Option<String>,
    pub pack_dir: Option<PathBuf>,
}

impl Config {
    /// Layers overrides over the file over the defaults, and checks the result.
    pub fn build(file: FileConfig, over: Overrides) -> Result<Config> {
        let listen = over
            .listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen.parse().with_context(|| {
            format!("listen address `{listen}` is not host:port, e.g. 127.0.0.1:8080")
        })?;
        anyhow::ensure!(
            file.now.is_none() || file.start.is_none(),
            "the config file sets both `now` (a pinned clock) and `start` (a running one): keep one"
        );
        // A flag wins over the file, whichever of the two each sets.
        // Which setting a bad instant came from, for the error.
        let instant = |t: &str, setting: &str| {
            parse_instant(t).map_err(|e| anyhow::anyhow!("{setting}: {e}"))
        };
        let clock = match (over.now, over.start, file.now, file.start) {
            (Some(t), ..) => Clock::Pinned(instant(&t, "--now (or XIAOER_NOW)")?),
            (None, None, Some(t), _) => Clock::Pinned(instant(&t, "`now` in the config file")?),
            (None, Some(t), ..) => Clock::Running(RunningClock::starting_at(instant(
                &t,
                "--start (or XIAOER_START)",
            )?)),
            (None, None, None, Some(t)) => Clock::Running(RunningClock::starting_at(instant(
                &t,
                "`start` in the config file",
            )?)),
            (None, None, None, None) => Clock::System,
        };
        let max_message_chars = file.max_message_chars.unwrap_or(DEFAULT_MAX_MESSAGE_CHARS);
        anyhow::ensure!(
            max_message_chars > 0,
            "max_message_chars must be at least 1"
        );
        let shop = file
            .shop
            .map(|shop| {
                let timeout = shop
                    .timeout_ms
                    .map_or(DEFAULT_TIMEOUT, std::time::Duration::from_millis);
                HttpShopConfig::new(&shop.url, shop.token, timeout)
            })
            .transpose()?;
        Ok(Config {
            listen,
            data_dir: over
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            clock,
            pack_dir: over.pack_dir.or(file.pack_dir),
            agent_token: file.agent_token.filter(|t| !t.is_empty()),
            max_message_chars,
            policy: file.handoff.unwrap_or_default(),
            desk: file.desk.unwrap_or_default(),
            shop,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_file_and_defaults_fill_the_rest() {
        let file: FileConfig = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nnow = \"2026-11-20T12:00:00+08:00\"\nmax_message_chars = 500\n",
        )
        .unwrap();
        let over = Overrides {
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        };
        let c = Config::build(file.clone(), over).unwrap();
        assert_eq!(c.listen.port(), 9100);
        assert_eq!(c.pack_dir, None);
        // `--pack` (review 6, finding 11) wins over the file's `pack_dir`.
        let mut with_pack = file.clone();
        with_pack.pack_dir = Some(PathBuf::from("/etc/xiaoer/pack"));
        let flag = Overrides {
            pack_dir: Some(PathBuf::from("mypack")),
            ..Default::default()
        };
        assert_eq!(
            Config::build(with_pack.clone(), flag).unwrap().pack_dir,
            Some(PathBuf::from("mypack"))
        );
        assert_eq!(
            Config::build(with_pack, Overrides::default())
                .unwrap()
                .pack_dir,
            Some(PathBuf::from("/etc/xiaoer/pack"))
        );
        let c = Config::build(
            file,
            Overrides {
                listen: Some("127.0.0.1:9100".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.max_message_chars, 500);
        assert_eq!(c.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert!(matches!(c.clock, Clock::Pinned(_)));
    }

    #[test]
    fn a_running_clock_from_the_file_or_a_flag_and_a_flag_wins() {
        let file = |text: &str| -> FileConfig { toml::from_str(text).unwrap() };
        let start = "start = \"2026-11-20T09:00:00+08:00\"\n";
        let c = Config::build(file(start), Overrides::default()).unwrap();
        let Clock::Running(clock) = &c.clock else {
            panic!("{:?}", c.clock)
        };
        assert_eq!(
            clock.now().date_naive(),
            parse_instant("2026-11-20T09:00:00+08:00")
                .unwrap()
                .date_naive()
        );
        // --now on the command line pins it, whatever the file says.
        let over = Overrides {
            now: Some("2026-11-20T12:00:00+08:00".into()),
            ..Default::default()
        };
        let c = Config::build(file(start), over).unwrap();
        assert!(matches!(c.clock, Clock::Pinned(_)), "{:?}", c.clock);
        // --start on the command line runs it, over a pinned file.
        let over = Overrides {
            start: Some("2026-11-20T09:00:00+08:00".into()),
            ..Default::default()
        };
        let c = Config::build(file("now = \"2026-11-20T12:00:00+08:00\"\n"), over).unwrap();
        assert!(matches!(c.clock, Clock::Running(_)), "{:?}", c.clock);
        // Both in the file: refused, and a bad instant names itself.
        let both = format!("{start}now = \"2026-11-20T12:00:00+08:00\"\n");
        let err = format!(
            "{:#}",
            Config::build(file(&both), Overrides::default()).unwrap_err()
        );
        assert!(err.contains("keep one"), "{err}");
        let err = format!(
            "{:#}",
            Config::build(file("start = \"yesterday\"\n"), Overrides::default()).unwrap_err()
        );
        assert!(err.contains("yesterday"), "{err}");
    }

    #[test]
    fn desk_sections_parse_with_defaults_for_the_rest() {
        let file: FileConfig = toml::from_str(
            r#"
            [desk.hours]
            tz = "Asia/Shanghai"
            holidays = ["2026-10-01"]
            [desk.hours.weekly]
            mon = ["09:00-18:00"]
            [desk.overflow]
            max_wait = "10m"
            [[desk.agents]]
            id = "a1"
            name = "小美"
            skills = ["refunds", "orders"]
            languages = ["zh"]
            max_chats = 3
            "#,
        )
        .unwrap();
        let c = Config::build(file, Overrides::default()).unwrap();
        assert_eq!(c.desk.agents.len(), 1);
        assert_eq!(
            c.desk.overflow.max_wait,
            std::time::Duration::from_secs(600)
        );
    }

    #[test]
    fn a_configured_agent_needs_only_an_id() {
        let file: FileConfig = toml::from_str(
            r#"
            [[desk.agents]]
            id = "emp-0042"
            "#,
        )
        .unwrap();
        let c = Config::build(file, Overrides::default()).unwrap();
        let agent = &c.desk.agents[0];
        assert_eq!(agent.skills.len(), 4, "every skill");
        assert_eq!(agent.languages, [intents::Lang::Zh, intents::Lang::En]);
        assert_eq!(agent.max_chats, handoff::DEFAULT_MAX_CHATS);
        let desk = crate::desk::Desk::new(c.desk.clone());
        assert_eq!(desk.agent("emp-0042").unwrap().name, "emp-0042");
    }

    /// The README's configuration examples are real configuration.
    #[test]
    fn readme_config_examples_parse() {
        let readme = include_str!("../../README.md");
        let blocks: Vec<&str> = readme
            .split("```toml")
            .skip(1)
            .map(|b| b.split("```").next().unwrap())
            .collect();
        assert!(blocks.len() >= 2, "README lost its config examples");
        for block in blocks {
            let file = FileConfig::parse(block, Path::new("README.md"))
                .unwrap_or_else(|e| panic!("{e:#}\n{block}"));
            Config::build(file, Overrides::default()).unwrap();
        }
    }

    #[test]
    fn a_shop_table_names_the_order_system_and_is_checked() {
        let file = |text: &str| -> FileConfig { toml::from_str(text).unwrap() };
        let c = Config::build(file(""), Overrides::default()).unwrap();
        assert!(c.shop.is_none(), "no [shop]: the embedded store");
        let c = Config::build(
            file("[shop]\nurl = \"https://orders.example.com/xiaoer/\"\ntoken = \"t0k\"\n"),
            Overrides::default(),
        )
        .unwrap();
        let shop = c.shop.unwrap();
        assert_eq!(shop.url(), "https://orders.example.com/xiaoer");
        assert_eq!(shop.timeout(), DEFAULT_TIMEOUT);
        assert!(!format!("{:?}", file("[shop]\nurl = \"x\"\ntoken = \"t0k\"\n")).contains("t0k"));
        let err = Config::build(
            file("[shop]\nurl = \"orders.example.com\"\n"),
            Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("[shop] url `orders.example.com`"), "{err}");
        let err = Config::build(
            file("[shop]\nurl = \"http://127.0.0.1:9\"\ntimeout_ms = 0\n"),
            Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("timeout_ms"), "{err}");
        assert!(toml::from_str::<FileConfig>("[shop]\nurl = \"http://x\"\ntimeout = 3\n").is_err());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
        let file = FileConfig {
            listen: Some("nowhere".into()),
            ..Default::default()
        };
        let err = Config::build(file, Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("nowhere"), "{err}");
    }

    #[test]
    fn an_out_of_range_number_is_refused_with_the_file_key_and_range() {
        let err = FileConfig::parse(
            "[handoff]\nanger_threshold = 6\n",
            Path::new("/etc/xiaoer.toml"),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "config file /etc/xiaoer.toml: `handoff.anger_threshold` = 6 is outside the allowed range 0 to 1"
        );
    }

    #[test]
    fn a_skill_pattern_matching_no_intent_of_the_pack_is_warned_about() {
        let file = FileConfig::parse(
            "[desk.skills]\nrefunds = [\"refnd_*\"]\n",
            Path::new("x.toml"),
        )
        .unwrap();
        let pack = dialogs::Pack::embedded().unwrap();
        let warnings = skill_warnings(&file.desk.unwrap().skills, pack.matcher().intent_ids());
        assert_eq!(
            warnings,
            ["desk.skills.refunds: `refnd_*` matches no intent of the content pack, so it routes nothing"]
        );
        let defaults = handoff::SkillRules::default();
        assert!(skill_warnings(&defaults, pack.matcher().intent_ids()).is_empty());
    }
}
