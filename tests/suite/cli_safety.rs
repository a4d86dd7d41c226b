//! CLI defects found by hostile testing: dash-queries, environment
//! variables, terminal safety, closed pipes and paging past the end.

use crate::util::{copy_tree, dossier, run};
use std::path::Path;

fn json_total(stdout: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
    v["total"].as_u64().unwrap()
}

fn passages(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["passage"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_query_that_starts_with_a_dash_needs_the_escape_and_never_prints_help() {
    let idx = tempfile::tempdir().unwrap();
    for (args, shown) in [
        (&["search", "-hijab"][..], "dossier search -- '-hijab'"),
        (
            &["search", "-security", "-iran"],
            "dossier search -- '-security -iran'",
        ),
        (&["search", "-nope"], "dossier search -- '-nope'"),
        (
            &["facets", "--by", "actor", "-hijab"],
            "dossier facets -- '-hijab'",
        ),
        (&["timeline", "-hijab"], "dossier timeline -- '-hijab'"),
    ] {
        let r = run(idx.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stdout);
        assert_eq!(r.stdout, "", "{args:?}: no help, no hits");
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(
            r.stderr.starts_with("dossier: ") && r.stderr.trim_end().ends_with(shown),
            "{args:?}: {}",
            r.stderr
        );
    }
    // The escaped forms work: all but passage 15, and security without Iran.
    let r = run(idx.path(), &["search", "--format", "json", "--", "-hijab"]);
    assert_eq!((r.code, json_total(&r.stdout)), (0, 19), "{}", r.stderr);
    let r = run(
        idx.path(),
        &[
            "search",
            "--limit",
            "100",
            "--format",
            "json",
            "--",
            "security -iran",
        ],
    );
    let mut found = passages(&r.stdout);
    found.sort();
    assert_eq!(found, ["iran-intel-08", "iran-intel-11", "iran-intel-18"]);
    // Help is still help when asked for.
    let help = run(idx.path(), &["search", "--help"]);
    assert_eq!(help.code, 0);
    assert!(
        help.stdout.contains("dossier search -- '-hijab'"),
        "{}",
        help.stdout
    );
}

/// DOSSIER_NO_REFRESH in each spelling: true ones answer from the
/// existing index although the corpus changed, false ones see the change.
#[test]
fn boolean_environment_variables_take_the_usual_spellings() {
    for (value, no_refresh) in [
        ("1", true),
        ("yes", true),
        ("on", true),
        ("true", true),
        ("TRUE", true),
        ("0", false),
        ("no", false),
        ("off", false),
        ("false", false),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("corpus");
        copy_tree(&crate::util::corpus_dir(), &root);
        let idx = tmp.path().join("index");
        let corpus = root.to_str().unwrap();
        assert_eq!(run(&idx, &["--corpus", corpus, "index"]).code, 0);
        // Passage 15 is the only one with this topic; take it away.
        let article = root.join("articles/iran-intel/article.toml");
        let toml = std::fs::read_to_string(&article).unwrap();
        let edited = toml.replace("\"hijab-enforcement\", ", "");
        assert_ne!(edited, toml);
        std::fs::write(&article, edited).unwrap();
        let r = dossier(&idx)
            .env("DOSSIER_NO_REFRESH", value)
            .args(["--corpus", corpus, "search", "--topic", "hijab-enforcement"])
            .args(["--format", "json"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&r.stdout);
        if no_refresh {
            assert_eq!(r.status.code(), Some(0), "DOSSIER_NO_REFRESH={value}");
            assert_eq!(
                passages(&stdout),
                ["iran-intel-15"],
                "{value}: the old index"
            );
        } else {
            assert_eq!(r.status.code(), Some(1), "DOSSIER_NO_REFRESH={value}");
            assert_eq!(json_total(&stdout), 0, "{value}: rebuilt");
        }
    }
    let idx = tempfile::tempdir().unwrap();
    let r = dossier(idx.path())
        .env("DOSSIER_NO_REFRESH", "maybe")
        .args(["search", "revenge"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("'maybe'"));
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let cache = tempfile::tempdir().unwrap();
    let out = dossier(cache.path())
        .env("DOSSIER_INDEX", "")
        .env("DOSSIER_CORPUS", "")
        .env("DOSSIER_NO_REFRESH", "")
        .env("XDG_CACHE_HOME", cache.path())
        .args(["search", "revenge", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        passages(&String::from_utf8_lossy(&out.stdout)),
        ["iran-intel-12"]
    );
    // The default index went to the cache folder the environment names.
    assert!(cache.path().join("dossier").is_dir());
}

/// A corpus whose passage 1 holds an OSC sequence (retitles a terminal),
/// a bell and a lone carriage return, and whose passage 2 ends in CRLF.
fn hostile_text_corpus(root: &Path) -> String {
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"),
        root,
    );
    let text = "Mr Khatib \x1b]0;pwned\x07spoke.\rX\r\nMossad was beaten, he said.";
    std::fs::write(root.join("articles/tiny/text.txt"), text).unwrap();
    let toml = root.join("articles/tiny/article.toml");
    let annotations = std::fs::read_to_string(&toml).unwrap();
    let p1_end = text.find("\r\n").unwrap();
    let p2_start = p1_end + 2;
    std::fs::write(
        &toml,
        annotations
            .replace("start = 0, end = 16", &format!("start = 0, end = {p1_end}"))
            .replace(
                "start = 17, end = 44",
                &format!("start = {p2_start}, end = {}", text.len()),
            ),
    )
    .unwrap();
    text[..p1_end].to_owned()
}

#[test]
fn control_characters_never_reach_a_terminal_and_pipes_get_the_exact_text() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    let passage = hostile_text_corpus(&root);
    let idx = tmp.path().join("index");
    let corpus = root.to_str().unwrap();
    // Piped `show` prints the passage byte for byte.
    let out = dossier(&idx)
        .args(["--corpus", corpus, "show", "tiny-01"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains(&format!("\n\n{passage}\n\n")), "{stdout:?}");
    // Styled output is meant for a terminal: the corpus's controls are
    // escaped while dossier's own colour codes remain.
    let out = dossier(&idx)
        .args(["--corpus", corpus, "--color", "always", "show", "tiny-01"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("Mr Khatib \\x1b]0;pwned\\x07spoke.\\x0dX"),
        "{stdout:?}"
    );
    assert!(
        !stdout.contains('\x07') && !stdout.contains("\x1b]"),
        "{stdout:?}"
    );
    assert!(stdout.contains("\x1b["), "colour codes");
    // On a real terminal (a pty from script(1)), without colour.
    let bin = assert_cmd::cargo::cargo_bin("dossier");
    let command = format!(
        "NO_COLOR=1 '{}' --corpus '{}' --index '{}' show tiny-01",
        bin.display(),
        corpus,
        idx.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{tty}");
    assert!(tty.contains("\\x1b]0;pwned\\x07spoke.\\x0dX"), "{tty:?}");
    assert!(!tty.contains('\x07'), "{tty:?}");
}

#[test]
fn snippets_stay_on_one_line_with_crlf_text() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    hostile_text_corpus(&root);
    let r = run(
        &tmp.path().join("index"),
        &["--corpus", root.to_str().unwrap(), "search", "spoke"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains('\r'), "{:?}", r.stdout);
    let snippet = r.stdout.lines().nth(1).unwrap();
    assert!(
        snippet.contains("spoke.") && snippet.ends_with('X'),
        "{snippet:?}"
    );
}

#[test]
fn a_closed_pipe_is_quiet_for_completions_too() {
    let bin = assert_cmd::cargo::cargo_bin("dossier");
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "'{}' completions {shell} | true; echo \"exit=${{PIPESTATUS[0]}}\"",
                bin.display()
            ))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "exit=0\n", "{shell}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{shell}");
    }
}

#[test]
fn an_offset_past_the_last_hit_finds_nothing() {
    let idx = tempfile::tempdir().unwrap();
    for format in ["text", "json"] {
        let r = run(
            idx.path(),
            &["search", "--offset", "30", "--format", format],
        );
        assert_eq!(r.code, 1, "{format}");
        assert_eq!(
            r.stderr,
            "dossier: --offset 30 is past the last hit (20 passages match)\n"
        );
    }
    let text = run(idx.path(), &["search", "--offset", "30"]);
    assert_eq!(text.stdout, "", "no \"0 of 20\" line");
    let last = run(
        idx.path(),
        &["search", "--offset", "19", "--format", "json"],
    );
    assert_eq!((last.code, passages(&last.stdout).len()), (0, 1));
}

#[test]
fn articles_and_fuzzy_terms_are_checked_on_the_command_line() {
    let idx = tempfile::tempdir().unwrap();
    let r = run(
        idx.path(),
        &["search", "--article", "IRAN-INTEL", "--format", "json"],
    );
    assert_eq!((r.code, json_total(&r.stdout)), (0, 20));
    for args in [
        &["search", "--article", "nonexistent"][..],
        &["search", "article:nope"],
    ] {
        let r = run(idx.path(), args);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr.starts_with("dossier: unknown article `"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.ends_with("did you mean iran-intel?\n"),
            "{}",
            r.stderr
        );
    }
    let r = run(idx.path(), &["search", "security~2"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("dossier: bad query at character 8: fuzzy terms"),
        "{}",
        r.stderr
    );
}

/// Every query example of the README's syntax section, with its answer
/// written from the term sets of `boolean.rs`.
#[test]
fn the_readme_query_examples_answer_as_documented() {
    let idx = tempfile::tempdir().unwrap();
    let security = [
        "01", "04", "05", "06", "08", "10", "11", "12", "13", "14", "16", "18", "19",
    ];
    let without_hijab: Vec<String> = (1..=20)
        .filter(|n| *n != 15)
        .map(|n| format!("{n:02}"))
        .collect();
    let without_hijab: Vec<&str> = without_hijab.iter().map(String::as_str).collect();
    let cases: [(&[&str], &[&str]); 9] = [
        (&["security AND NOT iran"], &["08", "11", "18"]),
        (&["NOT iran AND security"], &["08", "11", "18"]),
        (&["--", "security -iran"], &["08", "11", "18"]),
        (
            &["security OR NOT iran"],
            &[
                "01", "02", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "16",
                "17", "18", "19",
            ],
        ),
        (&["NOT NOT security"], &security),
        (&["hijab war OR nuclear"], &["01", "06", "10"]),
        (&["--", "-hijab"], &without_hijab),
        (&["Iran's nuclear"], &["01", "06", "10"]),
        (&["actor:Khatib OR actor:Abbasi"], &["01", "02", "03", "10"]),
    ];
    for (query, expected) in cases {
        let mut args = vec![
            "search", "--sort", "position", "--limit", "100", "--format", "json",
        ];
        args.extend_from_slice(query);
        let r = run(idx.path(), &args);
        assert_eq!(r.code, 0, "{query:?}: {}", r.stderr);
        let got: Vec<String> = passages(&r.stdout)
            .into_iter()
            .map(|p| p["iran-intel-".len()..].to_owned())
            .collect();
        assert_eq!(got, expected, "{query:?}");
    }
    // After `--` everything is the query: a flag there is an error.
    let r = run(idx.path(), &["search", "--", "-hijab", "--limit", "2"]);
    assert_eq!(r.code, 2);
}
