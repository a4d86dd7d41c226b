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
    assert_eq!(
        r.stderr,
        "dossier: note: `Ali` is ambiguous; searching all of: Ali Khamenei (ali-khamenei), \
         Ali Younesi (ali-younesi), Qorbanali Dorri Najafabadi (qorbanali-dorri-najafabadi), \
         Alireza Zakani (alireza-zakani)\n"
    );
    // stdout stays pure JSON: the passages of the four (8, 9, 18, 19).
    let results: Results = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        results
            .hits
            .iter()
            .map(|h| h.passage.as_str())
            .collect::<Vec<_>>(),
        [
            "iran-intel-08",
            "iran-intel-09",
            "iran-intel-18",
            "iran-intel-19"
        ]
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
    let index = tmp.path().join("index");
    // Build first, so that the pipe closes while results are printed.
    assert_eq!(
        run(&index, &["--corpus", root.to_str().unwrap(), "index"]).code,
        0
    );
    // dossier's own exit status, not head's.
    let script = format!(
        "'{}' --corpus '{}' --index '{}' search --limit 1000 --format jsonl | head -c 100 > /dev/null; \
         echo \"exit=${{PIPESTATUS[0]}}\"",
        bin.display(),
        root.display(),
        index.display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_remove("NO_COLOR")
        .env_remove("DOSSIER_INDEX")
        .env_remove("DOSSIER_CORPUS")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exit=0\n");
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
    let piped = run(idx.path(), &["search", "revenge", "--color", "auto"]);
    assert_eq!(piped.code, 0);
    assert!(!piped.stdout.contains('\x1b'), "no colour in a pipe");
    // On a terminal (a pty from script(1)): colour by default, none with
    // NO_COLOR set.
    let on_a_terminal = |no_color: bool| {
        let command = format!(
            "{}'{}' --index '{}' search revenge --color auto",
            if no_color { "NO_COLOR=1 " } else { "" },
            assert_cmd::cargo::cargo_bin("dossier").display(),
            idx.path().display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("DOSSIER_INDEX")
            .env_remove("DOSSIER_CORPUS")
            .env("TERM", "xterm")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let tty = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(tty.contains("iran-intel-12"), "{tty:?}");
        tty
    };
    assert!(
        on_a_terminal(false).contains("\x1b["),
        "colour on a terminal"
    );
    assert!(
        !on_a_terminal(true).contains('\x1b'),
        "NO_COLOR turns it off"
    );
    let json = run(
        idx.path(),
        &["search", "revenge", "--color", "always", "--format", "json"],
    );
    assert!(!json.stdout.contains("\x1b["), "JSON is never coloured");
}

#[test]
fn every_command_speaks_every_format() {
    let idx = tempfile::tempdir().unwrap();
    // With the number of JSON lines each prints: security is in 13
    // passages (10 by default), 10 stances are used, 36 actors registered,
    // 13 dated events; show and a name resolution are one object.
    let commands: [(&[&str], usize); 7] = [
        (&["search", "security"], 10),
        (&["facets", "--by", "stance"], 10),
        (&["show", "iran-intel-01"], 1),
        (&["actors"], 36),
        (&["actors", "Dehghan"], 1),
        (&["stances"], 10),
        (&["timeline"], 13),
    ];
    for (args, lines) in commands {
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
        assert_eq!(jsonl.stdout.lines().count(), lines, "{args:?}");
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
    // Each limit alone, with its own message: 257 words in 1,285 bytes,
    // then 8,193 bytes in one word.
    let many = vec!["term"; 257].join(" ");
    let r = run(idx.path(), &["search", &many]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dossier: bad query at character 1280: the query has more than 256 words; this is word 257\n"
    );
    let long = "x".repeat(8193);
    let r = run(idx.path(), &["search", &long]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dossier: bad query at character 8192: the query is 8193 bytes long; the limit is 8192\n"
    );
}

/// The passage ids a JSON search printed, in order.
fn found(r: &crate::util::Run) -> Vec<String> {
    assert_eq!(r.code, 0, "{}", r.stderr);
    let results: Results = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(results.total, results.hits.len(), "one page holds them all");
    results.hits.into_iter().map(|h| h.passage).collect()
}

fn numbered(ordinals: &[u32]) -> Vec<String> {
    ordinals
        .iter()
        .map(|o| format!("iran-intel-{o:02}"))
        .collect()
}

/// Every filter flag and annotation field, with the passages read from
/// article.toml.
#[test]
fn filters_and_fields_find_exactly_the_annotated_passages() {
    let idx = tempfile::tempdir().unwrap();
    let search = |args: &[&str]| {
        // Fields are keywords, ranked by score: compare in passage order.
        let mut all = vec![
            "search", "--limit", "100", "--sort", "position", "--format", "json",
        ];
        all.extend_from_slice(args);
        run(idx.path(), &all)
    };
    let against: Vec<u32> = (1..=20).filter(|o| ![11, 18].contains(o)).collect();
    let cases: [(&[&str], &[u32]); 15] = [
        // Stance targets that are topics.
        (
            &["--target", "security-reckoning"],
            &[8, 11, 12, 13, 19, 20],
        ),
        (&["--target", "mojtahed-rule"], &[16, 17]),
        (&["--target", "war-escalation"], &[12, 13]),
        // Camps of the actors listed: centrists and Rouhani (17); hardliners,
        // Zakani and Hamshahri (19); reformists and the Reformist Front (13).
        (&["--camp", "hardliner"], &[12, 19]),
        (&["--camp", "centrist"], &[12, 17]),
        (&["--camp", "reformist"], &[12, 13]),
        (&["--camp", "reformist", "--camp", "centrist"], &[12]),
        // Favor is only ever the reckoning; 11 and 18 hold nothing against.
        (&["--polarity", "favor"], &[8, 11, 12, 13, 19, 20]),
        (&["--polarity", "Against"], &against),
        // Query fields.
        (&["holder:hardliners"], &[12]),
        (&["holder:Abbasi"], &[10]),
        (&["holder:author"], &[3, 4, 5, 6, 7, 10, 19, 20]),
        (&["topic:mojtahed-rule"], &[16, 17, 18]),
        (
            &["topic:hijab-enforcement OR topic:blame-shifting"],
            &[15, 19],
        ),
        (&["target:israel", "--stance", "condemns"], &[13, 15]),
    ];
    for (args, expected) in cases {
        assert_eq!(found(&search(args)), numbered(expected), "{args:?}");
    }
    // No annotation is neutral.
    let none = search(&["--polarity", "neutral"]);
    assert_eq!(none.code, 1);
    let v: serde_json::Value = serde_json::from_str(&none.stdout).unwrap();
    assert_eq!(
        (v["total"].as_u64(), v["hits"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    // Paging: the second of Khatib's three passages, and the last two of all.
    let page = |args: &[&str]| {
        let mut all = vec!["search", "--format", "json"];
        all.extend_from_slice(args);
        let r = run(idx.path(), &all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let results: Results = serde_json::from_str(&r.stdout).unwrap();
        let got: Vec<String> = results.hits.into_iter().map(|h| h.passage).collect();
        (results.total, got)
    };
    assert_eq!(
        page(&["--actor", "Khatib", "--offset", "1", "--limit", "1"]),
        (3, numbered(&[2]))
    );
    assert_eq!(page(&["--offset", "18"]), (20, numbered(&[19, 20])));
    let r = run(idx.path(), &["search", "--offset", "100001"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "dossier: invalid value '100001' for '--offset <OFFSET>': 100001 is not in 0..=100000 \
         (see `dossier --help`)\n"
    );
    let r = run(idx.path(), &["search", "--offset", "100000"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "dossier: --offset 100000 is past the last hit (20 passages match)\n"
        )
    );
}

#[test]
fn sort_orders_by_score_or_by_position() {
    let idx = tempfile::tempdir().unwrap();
    // hijab is only in passage 15, revenge only in 12, iPhone only in 19;
    // the boosts decide the order by score.
    let q = "hijab^100 OR revenge^10 OR iphone";
    let order = |sort: Option<&str>| {
        let mut args = vec!["search", q, "--format", "json"];
        if let Some(s) = sort {
            args.extend_from_slice(&["--sort", s]);
        }
        found(&run(idx.path(), &args))
    };
    assert_eq!(order(Some("score")), numbered(&[15, 12, 19]));
    assert_eq!(order(None), numbered(&[15, 12, 19]), "score is the default");
    assert_eq!(order(Some("position")), numbered(&[12, 15, 19]));
    // Without keywords every score is null and order is position.
    let r = run(
        idx.path(),
        &[
            "search",
            "--camp",
            "hardliner",
            "--sort",
            "score",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["hits"][0]["score"], serde_json::Value::Null);
    assert_eq!(found(&r), numbered(&[12, 19]));
}

#[test]
fn article_flag_and_field_pick_one_article() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    crate::util::big_corpus(&root, 1);
    let corpus = root.to_str().unwrap();
    let idx = tmp.path().join("index");
    let search = |args: &[&str]| {
        let mut all = vec!["--corpus", corpus, "search", "--format", "json"];
        all.extend_from_slice(args);
        found(&run(&idx, &all))
    };
    assert_eq!(search(&["revenge"]), ["copy-0000-12", "iran-intel-12"]);
    assert_eq!(
        search(&["--article", "copy-0000", "--actor", "Khatib"]),
        ["copy-0000-01", "copy-0000-02", "copy-0000-03"]
    );
    assert_eq!(
        search(&["--article", "iran-intel", "revenge"]),
        ["iran-intel-12"]
    );
    assert_eq!(search(&["article:copy-0000 revenge"]), ["copy-0000-12"]);
    assert_eq!(
        search(&[
            "article:copy-0000 OR article:iran-intel",
            "--actor",
            "Dehqan"
        ]),
        ["copy-0000-08", "iran-intel-08"]
    );
}

#[test]
fn facets_and_timeline_exit_1_when_nothing_matches() {
    let idx = tempfile::tempdir().unwrap();
    let facets = run(idx.path(), &["facets", "--by", "actor", "zeppelin"]);
    assert_eq!(
        (facets.code, facets.stdout.as_str()),
        (1, "0 passages match; counts by actor\n")
    );
    let json = run(
        idx.path(),
        &["facets", "--by", "holder", "zeppelin", "--format", "json"],
    );
    assert_eq!(json.code, 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json.stdout).unwrap(),
        serde_json::json!({"by": ["holder"], "total": 0, "counts": []})
    );
    let timeline = run(idx.path(), &["timeline", "zeppelin"]);
    assert_eq!((timeline.code, timeline.stdout.as_str()), (1, ""));
    // Passage 15 matches but reports no dated event: nothing to list.
    let undated = run(idx.path(), &["timeline", "hijab"]);
    assert_eq!((undated.code, undated.stdout.as_str()), (1, ""));
    // Khatib's passages 1 and 3 report three events; 2 reports none.
    let dated = run(
        idx.path(),
        &["timeline", "--actor", "Khatib", "--format", "json"],
    );
    assert_eq!(dated.code, 0);
    let v: serde_json::Value = serde_json::from_str(&dated.stdout).unwrap();
    let events: Vec<(&str, &str)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["date"].as_str().unwrap(), e["passage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        events,
        [
            ("2021", "iran-intel-01"),
            ("--07-24", "iran-intel-01"),
            ("--07-31", "iran-intel-03")
        ]
    );
}

#[test]
fn a_damaged_index_without_its_corpus_is_exit_2_naming_the_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    let idx = tmp.path().join("index");
    let corpus = root.to_str().unwrap();
    assert_eq!(run(&idx, &["--corpus", corpus, "index"]).code, 0);
    let generation = idx.join(std::fs::read_to_string(idx.join("CURRENT")).unwrap().trim());
    let store = std::fs::read_dir(&generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let size = std::fs::metadata(&store).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .unwrap()
        .set_len(10)
        .unwrap();
    let saved = tmp.path().join("saved");
    std::fs::rename(&root, &saved).unwrap();
    let expected = format!(
        "dossier: the index at {} is unusable ({} is 10 bytes, expected {size}); \
         rebuild it with `dossier index --force`\n",
        generation.display(),
        store.file_name().unwrap().to_string_lossy()
    );
    let flag = run(
        &idx,
        &["--corpus", corpus, "--no-refresh", "search", "revenge"],
    );
    assert_eq!((flag.code, flag.stdout.as_str()), (2, ""));
    assert_eq!(flag.stderr, expected);
    let env = dossier(&idx)
        .env("DOSSIER_NO_REFRESH", "1")
        .args(["--corpus", corpus, "facets", "--by", "actor"])
        .output()
        .unwrap();
    assert_eq!(env.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&env.stderr), expected);
    // Checking freshness needs the corpus first.
    let fresh = run(&idx, &["--corpus", corpus, "search", "revenge"]);
    assert_eq!(fresh.code, 2);
    assert_eq!(
        fresh.stderr,
        format!("dossier: {corpus}: no such corpus directory\n")
    );
    // With the corpus back, the damaged index is rebuilt.
    std::fs::rename(&saved, &root).unwrap();
    let rebuilt = run(
        &idx,
        &["--corpus", corpus, "search", "revenge", "--format", "json"],
    );
    assert_eq!(found(&rebuilt), ["iran-intel-12"]);
}
