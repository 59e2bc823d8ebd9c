//! The worked example of `pack/README.md`, done for real: its blocks are
//! applied to a copy of the default pack, which must check clean and answer
//! with the new flow; the mistake it shows must give the output it shows.

use dialogs::{check, respond, DialogState, MemoryShop, Pack, TurnInput};

use crate::support::{now, pack_copy, read, shop, write};

const README: &str = include_str!("../pack/README.md");

/// The fenced blocks of the README whose info string has a word after the
/// language: (`append:lexicon.toml`, text), (`output-ok`, text)…
fn blocks() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut lines = README.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if let Some((_, tag)) = info.split_once(' ') {
            out.push((tag, body.join("\n") + "\n"));
        }
    }
    out
}

fn example_pack() -> tempfile::TempDir {
    let dir = pack_copy();
    let mut applied = 0;
    for (tag, text) in blocks() {
        if let Some(file) = tag.strip_prefix("append:") {
            let before = read(&dir, file);
            write(&dir, file, &format!("{before}\n{text}"));
        } else if let Some(file) = tag.strip_prefix("new:") {
            write(&dir, file, &text);
        } else {
            continue;
        }
        applied += 1;
    }
    assert_eq!(applied, 5, "the example changes four files in five blocks");
    dir
}

fn reply(pack: &Pack, shop: &MemoryShop, customer: &str, text: &str) -> String {
    let u = pack.matcher().classify(text);
    assert_eq!(u.intent, "gift_wrap", "{text}");
    let input = TurnInput {
        customer_id: customer,
        understanding: &u,
        now: now(),
    };
    respond(pack, shop, &mut DialogState::default(), &input)
        .unwrap()
        .text
}

/// Whether `actual` matches `expected`, where `…` stands for any text.
fn matches(expected: &str, actual: &str) -> bool {
    let mut rest = actual;
    let parts: Vec<&str> = expected.split('…').collect();
    for (i, part) in parts.iter().enumerate() {
        match rest.find(part) {
            Some(0) => rest = &rest[part.len()..],
            Some(at) if i > 0 => rest = &rest[at + part.len()..],
            _ => return false,
        }
    }
    rest.is_empty() || expected.ends_with('…')
}

fn output(tag: &str) -> Vec<String> {
    let (_, text) = blocks().into_iter().find(|(t, _)| *t == tag).unwrap();
    text.lines().skip(1).map(str::to_string).collect()
}

#[test]
fn the_readme_worked_example_works() {
    let dir = example_pack();
    let problems = check(dir.path());
    assert!(problems.is_empty(), "{problems:#?}");
    let report = dialogs::check_report(Some(dir.path())).unwrap();
    assert!(matches(&output("output-ok")[0], &report), "{report}");

    let pack = Pack::load_dir(dir.path()).unwrap();
    let shop = shop();
    let zh = reply(&pack, &shop, "C1002", "能帮我加个礼品包装吗");
    assert!(zh.starts_with("订单 E20261111000456(空气炸锅"), "{zh}");
    assert!(zh.contains("每单 5.00 元"), "{zh}");
    let en = reply(&pack, &shop, "C1002", "Can you gift wrap my order?");
    assert!(en.contains("gift wrapped for 5.00 CNY"), "{en}");
    // A shipped order named: too late.
    let late = reply(&pack, &shop, "C1001", "礼品包装 E20261111000123");
    assert!(late.contains("来不及"), "{late}");
    // No unshipped order at all: the general answer.
    let general = reply(&pack, &shop, "C1003", "gift wrapping please");
    assert!(general.starts_with("Write \"gift wrap\""), "{general}");
}

#[test]
fn the_readme_worked_example_mistake_reads_as_shown() {
    let dir = example_pack();
    let flow = read(&dir, "flows/gift_wrap.toml").replace("goto = \"wrap\"", "goto = \"wrapp\"");
    write(&dir, "flows/gift_wrap.toml", &flow);
    let en: String = read(&dir, "templates/en.toml")
        .lines()
        .filter(|l| !l.starts_with("general = \"Write"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(&dir, "templates/en.toml", &en);
    let problems: Vec<String> = check(dir.path()).iter().map(ToString::to_string).collect();
    let shown = output("output-broken");
    assert_eq!(problems.len(), shown.len(), "{problems:#?}");
    for (want, got) in shown.iter().zip(&problems) {
        assert!(
            matches(want, got),
            "README shows {want}\n check gives {got}"
        );
    }
}
