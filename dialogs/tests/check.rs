//! `check`: every problem of a pack, each with its file and line. One
//! broken copy of the default pack per kind of problem.

use dialogs::{check, check_embedded, Pack, PackError, Problem};

use crate::support::{pack_copy, read, write};

/// The 1-based line of `file` in the pack copy that contains `needle`.
fn line_of(dir: &tempfile::TempDir, file: &str, needle: &str) -> usize {
    read(dir, file)
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"))
        + 1
}

/// `file` of the pack copy with `from` replaced by `to` (once, and it must be there).
fn edit(dir: &tempfile::TempDir, file: &str, from: &str, to: &str) {
    let text = read(dir, file);
    assert!(text.contains(from), "{from:?} not in {file}");
    write(dir, file, &text.replacen(from, to, 1));
}

/// The problems of the pack copy, which must also refuse to load.
fn problems_of(dir: &tempfile::TempDir) -> Vec<Problem> {
    let problems = check(dir.path());
    match Pack::load_dir(dir.path()) {
        Err(PackError::Problems(refused)) => assert_eq!(refused, problems),
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a pack with problems loaded: {problems:?}"),
    }
    problems
}

fn only(problems: Vec<Problem>) -> Problem {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.into_iter().next().unwrap()
}

#[test]
fn the_embedded_pack_is_clean() {
    let problems = check_embedded();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "\n{}", text.join("\n"));
    assert!(check(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("pack")
            .as_path()
    )
    .is_empty());
    let report = dialogs::check_report(None).unwrap();
    assert!(
        report.starts_with("pack OK: 26 intents, 26 flows, "),
        "{report}"
    );
}

#[test]
fn a_problem_displays_as_file_line_message() {
    let p = Problem {
        file: "flows/a.toml".into(),
        line: Some(3),
        message: "oops".into(),
    };
    assert_eq!(p.to_string(), "flows/a.toml:3: oops");
    let p = Problem { line: None, ..p };
    assert_eq!(p.to_string(), "flows/a.toml: oops");
}

#[test]
fn bad_toml_in_every_broken_file_is_reported() {
    let dir = pack_copy();
    edit(&dir, "flows/thanks.toml", "[nodes.", "[nodes.\n");
    edit(&dir, "templates/en.toml", "[cancel]", "[cancel");
    let problems = problems_of(&dir);
    let files: Vec<(&str, Option<usize>)> =
        problems.iter().map(|p| (p.file.as_str(), p.line)).collect();
    assert_eq!(
        files,
        [
            (
                "flows/thanks.toml",
                Some(line_of(&dir, "flows/thanks.toml", "[nodes."))
            ),
            (
                "templates/en.toml",
                Some(line_of(&dir, "templates/en.toml", "[cancel"))
            ),
        ],
        "{problems:#?}"
    );
    let dir = pack_copy();
    edit(
        &dir,
        "policy.toml",
        "window_days = 7",
        "window_days = \"seven\"",
    );
    let p = only(problems_of(&dir));
    assert_eq!(
        p.line,
        Some(line_of(&dir, "policy.toml", "\"seven\"")),
        "{p}"
    );
    assert!(p.message.starts_with("invalid type"), "{p}");
}

#[test]
fn an_unknown_node_is_reported_where_it_is_named() {
    let dir = pack_copy();
    edit(
        &dir,
        "flows/cancel_order.toml",
        "no = \"kept\"",
        "no = \"keep\"",
    );
    let p = only(problems_of(&dir));
    assert_eq!(p.file, "flows/cancel_order.toml");
    assert_eq!(
        p.line,
        Some(line_of(&dir, "flows/cancel_order.toml", "no = \"keep\""))
    );
    assert_eq!(
        p.message,
        "node `keep` is not defined (named by `confirm_unpaid`)"
    );
}

#[test]
fn an_unknown_intent_is_reported() {
    let dir = pack_copy();
    edit(
        &dir,
        "flows/invoice.toml",
        "intents = [\"invoice\"]",
        "intents = [\"invoice\", \"invoices\"]",
    );
    let p = only(problems_of(&dir));
    assert_eq!(
        (p.file.as_str(), p.line),
        (
            "flows/invoice.toml",
            Some(line_of(&dir, "flows/invoice.toml", "\"invoices\""))
        )
    );
    assert!(p.message.starts_with("unknown intent `invoices`"), "{p}");
}

#[test]
fn an_unreachable_node_is_reported_at_its_header() {
    let dir = pack_copy();
    // `kept` is only reached by the two `no` answers.
    let text = read(&dir, "flows/cancel_order.toml")
        .replace("no = \"kept\"", "no = \"already_cancelled\"");
    write(&dir, "flows/cancel_order.toml", &text);
    let p = only(problems_of(&dir));
    assert_eq!(
        p.line,
        Some(line_of(&dir, "flows/cancel_order.toml", "[nodes.kept]"))
    );
    assert_eq!(
        p.message,
        "node `kept` is unreachable: no path leads to it from `find` or `why`"
    );
}

#[test]
fn a_placeholder_no_flow_provides_is_reported_at_the_template() {
    let dir = pack_copy();
    // The thanks flow looks no order up: it has no order id to say.
    edit(
        &dir,
        "templates/en.toml",
        "\nthanks = \"",
        "\nthanks = \"Order {order_id}: ",
    );
    let p = only(problems_of(&dir));
    assert_eq!(p.file, "templates/en.toml");
    assert_eq!(
        p.line,
        Some(line_of(&dir, "templates/en.toml", "thanks = \"Order"))
    );
    assert_eq!(
        p.message,
        "`{order_id}` in `thanks` is not a fact in flows/thanks.toml (node `welcome`): it looks no order up"
    );
    // A typo in a fact name, in a flow that does look the order up.
    let dir = pack_copy();
    edit(
        &dir,
        "templates/zh.toml",
        "{refund.amount} 元将原路退回",
        "{refund.amout} 元将原路退回",
    );
    let p = only(problems_of(&dir));
    assert_eq!(
        p.line,
        Some(line_of(&dir, "templates/zh.toml", "{refund.amout}"))
    );
    assert!(
        p.message.starts_with(
            "`{refund.amout}` in `cancel.done_paid` is not a fact in flows/cancel_order.toml"
        ),
        "{p}"
    );
}

#[test]
fn a_text_missing_from_one_language_is_reported_in_that_file() {
    let dir = pack_copy();
    let kept = line_of(&dir, "templates/en.toml", "kept = ");
    let text: String = read(&dir, "templates/en.toml")
        .lines()
        .enumerate()
        .filter(|(i, _)| i + 1 != kept)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    write(&dir, "templates/en.toml", &text);
    let p = only(problems_of(&dir));
    assert_eq!(p.file, "templates/en.toml");
    // The line of the section the text belongs in.
    assert_eq!(p.line, Some(line_of(&dir, "templates/en.toml", "[cancel]")));
    let zh = line_of(&dir, "templates/zh.toml", "kept = ");
    assert_eq!(
        p.message,
        format!("template `cancel.kept` is missing (templates/zh.toml line {zh} has it)")
    );
}

#[test]
fn a_keyword_two_intents_claim_with_the_same_weight_is_reported() {
    let dir = pack_copy();
    // greeting has "在吗" = 1.8; thanks now claims it as well (traditional
    // script, which the matcher folds to the same keyword).
    edit(
        &dir,
        "lexicon.toml",
        "[intents.thanks]\nzh = { ",
        "[intents.thanks]\nzh = { \"在嗎\" = 1.8, ",
    );
    let p = only(problems_of(&dir));
    assert_eq!(
        (p.file.as_str(), p.line),
        (
            "lexicon.toml",
            Some(line_of(&dir, "lexicon.toml", "\"在嗎\" = 1.8"))
        )
    );
    assert_eq!(
        p.message,
        "keyword `在吗` is claimed by `greeting` and `thanks` with the same weight 1.8: give one a higher weight or drop it"
    );
    // A different weight decides between them: no problem.
    edit(&dir, "lexicon.toml", "\"在嗎\" = 1.8", "\"在嗎\" = 0.5");
    assert!(check(dir.path()).is_empty());
}

/// The same anger word with and without a `*` would count twice.
#[test]
fn an_anger_word_written_twice_is_reported() {
    let dir = pack_copy();
    edit(
        &dir,
        "lexicon.toml",
        "[anger.words]\n",
        "[anger.words]\n\"rude*\" = 0.2\n",
    );
    let p = only(problems_of(&dir));
    assert_eq!(p.file, "lexicon.toml");
    assert_eq!(
        p.line,
        Some(line_of(&dir, "lexicon.toml", "\"rude*\" = ")),
        "{p}"
    );
    assert_eq!(
        p.message,
        "anger word `rude*` and `rude` both match `rude`: a message with it counts both; keep one"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let dir = pack_copy();
    edit(
        &dir,
        "flows/cancel_order.toml",
        "no = \"kept\"",
        "no = \"keep\"",
    );
    edit(
        &dir,
        "flows/invoice.toml",
        "intents = [\"invoice\"]",
        "intents = [\"invoices\"]",
    );
    edit(
        &dir,
        "templates/en.toml",
        "\nthanks = \"",
        "\nthanks = \"{nope} ",
    );
    edit(
        &dir,
        "pack.toml",
        "fallback = \"out_of_scope\"",
        "fallback = \"nothing\"",
    );
    let problems = problems_of(&dir);
    let files: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "flows/cancel_order.toml",
            "flows/invoice.toml",
            "pack.toml",
            "templates/en.toml"
        ],
        "{problems:#?}"
    );
    let err = Pack::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        err.ends_with("(and 3 more problems: `xiaoer check` lists all)"),
        "{err}"
    );
    let report = dialogs::check_report(Some(dir.path())).unwrap_err();
    assert_eq!(report.lines().count(), 4, "{report}");
}

#[test]
fn a_pack_directory_that_cannot_be_read_is_one_problem() {
    let problems = check(std::path::Path::new("/nonexistent/pack"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].file, "/nonexistent/pack");
    assert!(
        problems[0].message.starts_with("cannot read: "),
        "{}",
        problems[0]
    );
}

#[test]
fn a_missing_file_and_a_condition_on_an_unknown_fact_are_reported() {
    let dir = pack_copy();
    std::fs::remove_file(dir.path().join("policy.toml")).unwrap();
    edit(
        &dir,
        "flows/cancel_order.toml",
        "{ when = \"status == paid\"",
        "{ when = \"stauts == paid\"",
    );
    let problems = problems_of(&dir);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let line = line_of(&dir, "flows/cancel_order.toml", "stauts");
    assert_eq!(
        text,
        [
            format!("flows/cancel_order.toml:{line}: node `can_cancel`: condition `stauts == paid` reads `stauts`, which is not a fact here"),
            "policy.toml: the file is missing".to_string(),
        ]
    );
}

/// A model file named in `pack.toml` is loaded into the pack's matcher; a
/// missing or broken one is a problem with its line.
#[test]
fn a_pack_loads_the_model_its_manifest_names() {
    const MODEL: &str = "# xiaoer model 1\nhead\tintents\nscale\ttext\n\
        bias\trefund_status:0 track_package:0\n\
        feature\tzzqx\ttrack_package:4\n\
        feature\tqqzx\trefund_status:4\n";
    let dir = pack_copy();
    edit(
        &dir,
        "pack.toml",
        "fallback = ",
        "model = \"shop.model\"\nfallback = ",
    );
    write(&dir, "shop.model", MODEL);
    let pack = Pack::load_dir(dir.path()).unwrap();
    assert!(pack.matcher().is_trained());
    assert_eq!(pack.matcher().classify("zzqx").intent, "track_package");
    assert_eq!(
        pack.matcher().classify("qqzx please").intent,
        "refund_status"
    );

    write(
        &dir,
        "shop.model",
        &MODEL.replace("track_package:4", "track_package=4"),
    );
    let p = only(problems_of(&dir));
    assert_eq!(p.file, "shop.model");
    assert_eq!(p.line, Some(5), "{p}");
    assert!(
        p.message
            .contains("`track_package=4` is not `class:weight`"),
        "{p}"
    );

    std::fs::remove_file(dir.path().join("shop.model")).unwrap();
    let p = only(problems_of(&dir));
    assert_eq!(
        (p.file.as_str(), p.line),
        ("pack.toml", Some(line_of(&dir, "pack.toml", "model = ")))
    );
    assert!(
        p.message
            .contains("`shop.model` is not in the pack directory"),
        "{p}"
    );
}

#[test]
fn an_excluded_category_without_a_display_name_is_a_problem() {
    let dir = pack_copy();
    edit(
        &dir,
        "policy.toml",
        "\"digital_download\"]",
        "\"digital_download\", \"books\"]",
    );
    let problems = problems_of(&dir);
    assert_eq!(problems.len(), 2, "one per language: {problems:#?}");
    for p in &problems {
        assert_eq!(p.file, "policy.toml");
        assert_eq!(
            p.line,
            Some(line_of(&dir, "policy.toml", "excluded_categories"))
        );
        assert!(p.message.contains("category_name.books"), "{p}");
    }
}

#[test]
fn an_ordinal_text_of_no_place_is_reported() {
    let dir = pack_copy();
    for file in ["templates/zh.toml", "templates/en.toml"] {
        edit(&dir, file, "\nlast = ", "\nlatest = ");
    }
    let problems = problems_of(&dir);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let p = &problems[1];
    assert_eq!(p.file, "templates/zh.toml");
    assert_eq!(
        p.line,
        Some(line_of(&dir, "templates/zh.toml", "latest = "))
    );
    assert_eq!(
        p.message,
        "`order.pick.latest`: an ordinal is `order.pick.<n>` (1, 2, …) or `order.pick.last`"
    );
}

#[test]
fn an_empty_item_word_or_short_form_is_reported() {
    let dir = pack_copy();
    edit(
        &dir,
        "pack.toml",
        "\"鞋\" = [\"鞋\", \"shoe\", \"sneaker\"]",
        "\"鞋\" = []",
    );
    edit(
        &dir,
        "pack.toml",
        "\"蟹\" = [\"蟹\", \"crab\"]",
        "\"蟹\" = [\"蟹\", \"!?\"]",
    );
    let problems = problems_of(&dir);
    let messages: Vec<(Option<usize>, &str)> = problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                Some(line_of(&dir, "pack.toml", "\"鞋\" = ")),
                "[items.aliases] `鞋` stands for no word of a title"
            ),
            (
                Some(line_of(&dir, "pack.toml", "\"蟹\" = ")),
                "[items.aliases] `蟹`: `!?` is empty once normalised (no letter, digit or Han character)"
            ),
        ],
        "{problems:#?}"
    );
    assert!(problems.iter().all(|p| p.file == "pack.toml"));
}

#[test]
fn a_why_that_names_no_node_is_reported() {
    let dir = pack_copy();
    edit(
        &dir,
        "flows/refund_status.toml",
        "why = \"why\"",
        "why = \"why_not\"",
    );
    let problems = problems_of(&dir);
    // The missing node, and the nodes only `why` reached.
    let p = &problems[0];
    assert_eq!(p.file, "flows/refund_status.toml");
    assert_eq!(
        p.line,
        Some(line_of(&dir, "flows/refund_status.toml", "why = "))
    );
    assert_eq!(p.message, "node `why_not` is not defined (named by `why`)");
}

#[test]
fn an_intent_no_flow_starts_is_reported_at_its_keywords() {
    let dir = pack_copy();
    std::fs::remove_file(dir.path().join("flows/invoice.toml")).unwrap();
    let problems = problems_of(&dir);
    let p = problems
        .iter()
        .find(|p| p.file == "lexicon.toml")
        .unwrap_or_else(|| panic!("{problems:#?}"));
    assert_eq!(
        p.line,
        Some(line_of(&dir, "lexicon.toml", "[intents.invoice]"))
    );
    assert!(
        p.message
            .contains("intent `invoice` has keywords but no flow"),
        "{p}"
    );
}
