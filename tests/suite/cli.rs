//! The `dossier` binary, run as a process with a clean environment.

use crate::util::{copy_tree, corpus_dir, dossier, run};
use dossier::{FacetKey, Facets, Hit};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Results {
    query: serde_json::Value,
    total: usize,
    hits: Vec<Hit>,
}

#[test]
fn search_by_actor_prints_khatib_passages() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(idx.path(), &["search", "--actor", "Khatib"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("iran-intel-02"));
    assert!(r.stdout.contains("Mossad’s network"));
    assert!(!r.stdout.contains('\x1b'), "no colour when piped");
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn json_output_round_trips_into_typed_hits() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(
        idx.path(),
        &[
            "search",
            "security",
            "--stance",
            "calls-for-reckoning",
            "--holder",
            "Reformist Front",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let results: Results = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(results.total, 1);
    assert_eq!(results.hits[0].passage, "iran-intel-13");
    assert_eq!(
        results.query["holder"]["matches"][0]["id"],
        "iranian-reformist-front"
    );
    let lib = crate::util::index().passage("iran-intel-13").unwrap();
    assert_eq!(results.hits[0].stances, lib.stances);
    assert_eq!(results.hits[0].text, lib.text);
    let show = run(idx.path(), &["show", "iran-intel-13", "--format", "json"]);
    let shown: Hit = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(shown.text, results.hits[0].text);
}

#[test]
fn jsonl_prints_one_hit_per_line() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(
        idx.path(),
        &[
            "search", "--actor", "Haniyeh", "--format", "jsonl", "--limit", "1000",
        ],
    );
    assert_eq!(r.code, 0);
    let hits: Vec<Hit> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = crate::util::passages_where(|p| p.actors.iter().any(|a| a == "ismail-haniyeh"));
    assert_eq!(
        hits.into_iter().map(|h| h.passage).collect::<Vec<_>>(),
        expected
    );
}

#[test]
fn exit_codes_mean_found_nothing_and_error() {
    let idx = tempfile::tempdir().unwrap();
    assert_eq!(run(idx.path(), &["search", "reckoning"]).code, 0);
    let none = run(idx.path(), &["search", "zeppelin"]);
    assert_eq!((none.code, none.stdout.as_str()), (1, ""));
    let bad = run(idx.path(), &["search", "--actor", "Zarif"]);
    assert_eq!(bad.code, 2);
    assert_eq!(bad.stderr.lines().count(), 1, "{}", bad.stderr);
    assert!(
        bad.stderr
            .starts_with("dossier: unknown actor `Zarif`; did you mean "),
        "{}",
        bad.stderr
    );
    let stance = run(idx.path(), &["search", "--stance", "reckoning"]);
    assert_eq!(stance.code, 2);
    assert!(
        stance.stderr.contains("valid values: claims-success"),
        "{}",
        stance.stderr
    );
    let syntax = run(idx.path(), &["search", "(security"]);
    assert_eq!(syntax.code, 2);
    assert_eq!(
        syntax.stderr,
        "dossier: bad query at character 0: this parenthesis is never closed\n"
    );
    assert!(!syntax.stderr.contains("panicked"));
}

#[test]
fn limit_bounds_are_enforced() {
    let idx = tempfile::tempdir().unwrap();
    for bad in ["0", "-1", "1001", "ten"] {
        let r = run(idx.path(), &["search", "--limit", bad]);
        assert_eq!(r.code, 2, "--limit {bad}");
        assert!(r.stderr.starts_with("dossier: "), "{}", r.stderr);
    }
    let r = run(
        idx.path(),
        &["search", "--limit", "1000", "--format", "json"],
    );
    assert_eq!(
        serde_json::from_str::<Results>(&r.stdout)
            .unwrap()
            .hits
            .len(),
        20
    );
}

#[test]
fn ambiguous_names_are_noted_on_stderr() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(
        idx.path(),
        &["search", "--actor", "Ali", "--format", "json"],
    );
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("`Ali` is ambiguous"), "{}", r.stderr);
    assert!(
        serde_json::from_str::<Results>(&r.stdout).is_ok(),
        "stdout stays pure JSON"
    );
}

#[test]
fn facets_count_and_cross_tabulate() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(idx.path(), &["facets", "--by", "actor", "--format", "json"]);
    assert_eq!(r.code, 0);
    let f: Facets = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(f.total, 20);
    assert!(f.counts.windows(2).all(|w| w[0].count >= w[1].count));
    let m = run(
        idx.path(),
        &[
            "facets", "--by", "holder", "--by", "stance", "--format", "json",
        ],
    );
    let m: Facets = serde_json::from_str(&m.stdout).unwrap();
    assert!(m
        .counts
        .iter()
        .any(|c| c.value == FacetKey::Pair("hardliners".into(), "calls-for-retaliation".into())));
    let text = run(idx.path(), &["facets", "--by", "holder", "--by", "stance"]);
    assert!(text.stdout.contains("calls-for-retaliation") && text.stdout.contains("hardliners"));
    let bars = run(idx.path(), &["facets", "--by", "topic"]);
    assert!(bars.stdout.contains('█'));
}

#[test]
fn show_actors_stances_timeline_check_index_completions() {
    let idx = tempfile::tempdir().unwrap();
    let show = run(idx.path(), &["show", "iran-intel-12"]);
    assert_eq!(show.code, 0);
    assert!(
        show.stdout.contains("bytes 3118..3495") && show.stdout.contains("“blood revenge”"),
        "{}",
        show.stdout
    );
    let missing = run(idx.path(), &["show", "iran-intel-99"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("did you mean"),
        "{}",
        missing.stderr
    );

    let actors = run(idx.path(), &["actors"]);
    assert!(actors.stdout.contains("esmail-khatib"));
    let one = run(idx.path(), &["actors", "Haniya"]);
    assert!(
        one.stdout.contains("ismail-haniyeh") && one.stdout.contains("matched by"),
        "{}",
        one.stdout
    );
    assert_eq!(run(idx.path(), &["actors", "Nobody Atall"]).code, 2);

    let stances = run(idx.path(), &["stances", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stances.stdout).unwrap();
    assert!(rows
        .iter()
        .any(|r| r["id"] == "warns-against-war" && r["passages"].as_u64().unwrap() > 0));

    let timeline = run(
        idx.path(),
        &["timeline", "--since", "2018", "--until", "2020"],
    );
    assert_eq!(timeline.code, 0);
    assert!(timeline.stdout.starts_with("2018"), "{}", timeline.stdout);
    assert!(!timeline.stdout.contains("1984"));

    let check = run(idx.path(), &["check"]);
    assert_eq!(check.code, 0);
    assert!(
        check.stdout.contains("passages               20")
            && check.stdout.contains("warnings                0"),
        "{}",
        check.stdout
    );

    let index = run(idx.path(), &["index", "--force"]);
    assert!(
        index.stdout.starts_with("built index of 20 passages"),
        "{}",
        index.stdout
    );
    let again = run(idx.path(), &["index"]);
    assert!(
        again.stdout.starts_with("index is up to date"),
        "{}",
        again.stdout
    );

    let completions = run(idx.path(), &["completions", "bash"]);
    assert!(completions.stdout.contains("_dossier()"));
    let version = run(idx.path(), &["--version"]);
    assert!(version.stdout.starts_with("dossier "));
}

#[test]
fn check_reports_every_error_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"),
        &root,
    );
    let article = root.join("articles/tiny/article.toml");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        text.replace("\"mossad\", ", "\"mosad\", ")
            .replace("date = \"2021\"", "date = \"2021-13\""),
    )
    .unwrap();
    let r = run(tmp.path(), &["check", "--corpus", root.to_str().unwrap()]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("dossier: the corpus has 2 errors"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "articles/tiny/article.toml:14:11: passage tiny-02: unknown actor id `mosad`"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("month 13 is not 01-12"), "{}", r.stderr);
}

#[test]
fn a_changed_corpus_file_triggers_a_rebuild() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let idx = tmp.path().join("index");
    let corpus = root.to_str().unwrap();
    assert_eq!(
        run(&idx, &["search", "--corpus", corpus, "zeppelin"]).code,
        1
    );
    let text = root.join("articles/iran-intel/article.toml");
    let toml = std::fs::read_to_string(&text).unwrap();
    // Re-annotate passage 1 with an extra topic: searches must see it at once.
    std::fs::write(&text, toml.replacen("topics = [\"israeli-covert-operations\", \"nuclear-programme\"]", "topics = [\"israeli-covert-operations\", \"nuclear-programme\", \"hijab-enforcement\"]", 1)).unwrap();
    let r = run(
        &idx,
        &[
            "search",
            "--corpus",
            corpus,
            "--topic",
            "hijab-enforcement",
            "--format",
            "json",
        ],
    );
    let results: Results = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        results.hits.iter().any(|h| h.passage == "iran-intel-01"),
        "stale index served"
    );
}

#[test]
fn without_a_corpus_folder_the_builtin_corpus_is_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = dossier(&tmp.path().join("index"))
        .current_dir(tmp.path())
        .args(["search", "--actor", "Khatib", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Results = serde_json::from_slice(&out.stdout).unwrap();
    assert!(results.hits.iter().any(|h| h.passage == "iran-intel-02"));
    let check = dossier(&tmp.path().join("index"))
        .current_dir(tmp.path())
        .arg("check")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&check.stdout).contains("the built-in corpus"));
}

#[test]
fn a_closed_pipe_exits_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    // 50 copies of the article make output far larger than a pipe buffer.
    let root = tmp.path().join("corpus");
    crate::util::big_corpus(&root, 50);
    let bin = assert_cmd::cargo::cargo_bin("dossier");
    let script = format!(
        "'{}' --corpus '{}' --index '{}' search --limit 1000 --format jsonl | head -c 100 > /dev/null",
        bin.display(),
        root.display(),
        tmp.path().join("index").display()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "",
        "no error on a closed pipe"
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let idx = tempfile::tempdir().unwrap();
    let on = run(idx.path(), &["search", "revenge", "--color", "always"]);
    assert!(on.stdout.contains("\x1b["), "colour on request");
    let off = dossier(idx.path())
        .args(["search", "revenge", "--color", "auto"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&off.stdout).contains("\x1b["));
    let json = run(
        idx.path(),
        &["search", "revenge", "--color", "always", "--format", "json"],
    );
    assert!(!json.stdout.contains("\x1b["), "JSON is never coloured");
}

#[test]
fn every_command_speaks_every_format() {
    let idx = tempfile::tempdir().unwrap();
    let commands: [&[&str]; 7] = [
        &["search", "security"],
        &["facets", "--by", "stance"],
        &["show", "iran-intel-01"],
        &["actors"],
        &["actors", "Dehghan"],
        &["stances"],
        &["timeline"],
    ];
    for args in commands {
        let text = run(idx.path(), &[args, &["--format", "text"]].concat());
        assert_eq!(text.code, 0, "{args:?}: {}", text.stderr);
        assert!(
            !text.stdout.is_empty() && !text.stdout.starts_with('{'),
            "{args:?}"
        );
        let json = run(idx.path(), &[args, &["--format", "json"]].concat());
        assert_eq!(json.code, 0, "{args:?}");
        serde_json::from_str::<serde_json::Value>(&json.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let jsonl = run(idx.path(), &[args, &["--format", "jsonl"]].concat());
        assert_eq!(jsonl.code, 0, "{args:?}");
        for line in jsonl.stdout.lines() {
            serde_json::from_str::<serde_json::Value>(line)
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
    }
    let check = run(idx.path(), &["check", "--format", "json"]);
    let summary: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(summary["passages"], 20);
}

#[test]
fn no_refresh_serves_the_existing_index_without_checking_the_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let idx = tmp.path().join("index");
    let corpus = root.to_str().unwrap();
    assert_eq!(
        run(
            &idx,
            &[
                "search",
                "--corpus",
                corpus,
                "--topic",
                "hijab-enforcement",
                "--format",
                "json"
            ]
        )
        .code,
        0
    );
    let article = root.join("articles/iran-intel/article.toml");
    let toml = std::fs::read_to_string(&article).unwrap();
    // Passage 15 is the only one with this topic; take it away.
    let edited = toml.replace("\"hijab-enforcement\", ", "");
    assert_ne!(edited, toml);
    std::fs::write(&article, edited).unwrap();
    // --no-refresh answers from the old index: hijab passages still found.
    let stale = run(
        &idx,
        &[
            "--no-refresh",
            "search",
            "--corpus",
            corpus,
            "--topic",
            "hijab-enforcement",
        ],
    );
    assert_eq!(stale.code, 0, "{}", stale.stderr);
    // Without it, the change is seen at once.
    let fresh = run(
        &idx,
        &["search", "--corpus", corpus, "--topic", "hijab-enforcement"],
    );
    assert_eq!(fresh.code, 1, "{}", fresh.stdout);
    // With no index at all, --no-refresh builds one rather than failing.
    let other = tmp.path().join("other-index");
    assert_eq!(
        run(
            &other,
            &["--no-refresh", "search", "--corpus", corpus, "revenge"]
        )
        .code,
        0
    );
}

#[test]
fn hostile_arguments_get_one_line_errors() {
    use std::os::unix::ffi::OsStrExt;
    let idx = tempfile::tempdir().unwrap();
    let bad_utf8 = dossier(idx.path())
        .arg("search")
        .arg(std::ffi::OsStr::from_bytes(b"caf\xff"))
        .output()
        .unwrap();
    assert_eq!(bad_utf8.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_utf8.stderr);
    assert!(
        stderr.starts_with("dossier: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    let nested = format!("{}x{}", "(".repeat(100), ")".repeat(100));
    let r = run(idx.path(), &["search", &nested]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("parentheses nest 33 levels deep here; the limit is 32"),
        "{}",
        r.stderr
    );
    let many = "term ".repeat(10_000);
    let r = run(idx.path(), &["search", &many]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("the limit is"), "{}", r.stderr);
}
