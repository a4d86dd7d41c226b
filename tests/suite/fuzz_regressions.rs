//! Replays the fuzzers' committed inputs (`fuzz/seeds/*` and every crash
//! turned regression in `fuzz/regressions/*`) as ordinary tests, so what
//! the fuzzers found stays fixed without running them.

#[path = "../../fuzz/cases.rs"]
mod cases;

use crate::util::{copy_tree, corpus_dir, index};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in [
        fuzz.join("seeds").join(target),
        fuzz.join("regressions").join(target),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

#[test]
fn query_fuzz_inputs_replay_cleanly() {
    let files = inputs("query");
    assert!(files.len() >= 20, "the committed query seeds are missing");
    for f in files {
        cases::query_case(index(), &std::fs::read(&f).unwrap());
    }
}

#[test]
fn corpus_fuzz_inputs_replay_cleanly() {
    let files = inputs("corpus_toml");
    assert!(files.len() >= 13, "the committed corpus seeds are missing");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    for f in files {
        cases::corpus_case(&root, &std::fs::read(&f).unwrap());
    }
}

fn seed(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/corpus_toml")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The valid seeds are the current corpus files (a first byte picking the
/// file, then its bytes), so that mutations start from a corpus that loads.
#[test]
fn valid_corpus_seeds_load_as_the_bundled_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    for (name, file) in [
        ("seed0", "actors.toml"),
        ("seed1", "stances.toml"),
        ("seed2", "topics.toml"),
        ("seed3", "articles/iran-intel/article.toml"),
    ] {
        let data = seed(name);
        assert_eq!(
            data[1..],
            std::fs::read(corpus_dir().join(file)).unwrap()[..],
            "{name} is not the current {file}"
        );
        match cases::corpus_outcome(&root, &data) {
            Some(Ok(summary)) => assert_eq!(summary.passages, 20, "{name}"),
            other => panic!("{name}: {:?}", other.map(|o| o.map(|_| ()))),
        }
    }
}

/// An expected error: file, line and message.
type Expected = (&'static str, usize, &'static str);

/// Each invalid seed and the errors it must produce, from the edit that
/// made it.
const INVALID: [(&str, &[Expected]); 8] = [
    (
        "invalid-actors-syntax",
        &[("actors.toml", 1, "unclosed array table, expected `]`")],
    ),
    (
        "invalid-stances-own-ancestor",
        &[("stances.toml", 30, "stance `condemns` is its own ancestor")],
    ),
    (
        "invalid-stances-wrong-type",
        &[(
            "stances.toml",
            2,
            "invalid type: integer `7`, expected a string",
        )],
    ),
    (
        "invalid-topics-duplicate-and-actor-id",
        &[
            ("topics.toml", 57, "duplicate topic id `war-escalation`"),
            (
                "topics.toml",
                61,
                "topic id `iran` is also an actor id; stance targets could not tell them apart",
            ),
        ],
    ),
    (
        "invalid-topics-unknown-field",
        &[("topics.toml", 6, "unknown field `colour`")],
    ),
    (
        "invalid-article-annotations",
        &[
            (
                ARTICLE,
                24,
                "unknown polarity `hostile`; valid values: favor, against, neutral",
            ),
            (ARTICLE, 29, "bad date `2021-13`: month 13 is not 01-12"),
            (
                ARTICLE,
                43,
                "unknown actor id `mosad` (did you mean `mossad`?)",
            ),
        ],
    ),
    (
        "invalid-article-span",
        &[
            (
                ARTICLE,
                16,
                "span [0, 99999) falls outside the text (6074 bytes)",
            ),
            // Passage 1 is dropped, so passage 2 leaves its text uncovered.
            (
                ARTICLE,
                42,
                "span [306, 424) skips text that is not whitespace (bytes 0..306)",
            ),
        ],
    ),
    (
        "invalid-article-not-utf8",
        &[(
            ARTICLE,
            2,
            "text is not UTF-8 (invalid byte 0xFF at byte 27)",
        )],
    ),
];

const ARTICLE: &str = "articles/iran-intel/article.toml";

fn corpus_errors(root: &Path, name: &str) -> Vec<dossier::Diagnostic> {
    match cases::corpus_outcome(root, &seed(name)) {
        Some(Err(dossier::Error::Corpus(errors))) => errors,
        other => panic!("{name}: {:?}", other.map(|o| o.map(|_| ()))),
    }
}

/// The invalid seeds reach the error paths the replay would otherwise never
/// take, each with the errors it was made for.
#[test]
fn invalid_corpus_seeds_give_the_errors_they_were_made_for() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &root);
    for (name, expected) in INVALID {
        let got: Vec<(String, Option<usize>, String)> = corpus_errors(&root, name)
            .into_iter()
            .map(|d| (d.file.display().to_string(), d.line, d.message))
            .collect();
        let expected: Vec<(String, Option<usize>, String)> = expected
            .iter()
            .map(|(f, l, m)| (f.to_string(), Some(*l), m.to_string()))
            .collect();
        assert_eq!(got, expected, "{name}");
    }
    // An empty actors.toml registers no actor: every reference in the
    // article is unknown, starting with passage 1's actors on line 17.
    let errors = corpus_errors(&root, "invalid-actors-empty");
    assert_eq!(
        (
            errors[0].file.to_str(),
            errors[0].line,
            errors[0].message.as_str()
        ),
        (Some(ARTICLE), Some(17), "unknown actor id `esmail-khatib`")
    );
    assert!(errors
        .iter()
        .all(|d| d.file == Path::new(ARTICLE) && d.message.starts_with("unknown ")));
    // The replayed set is the valid seeds and these.
    let mut names: Vec<String> = inputs("corpus_toml")
        .iter()
        .filter(|p| p.parent().unwrap().ends_with("seeds/corpus_toml"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut listed: Vec<String> = INVALID.iter().map(|(n, _)| n.to_string()).collect();
    listed.extend(["invalid-actors-empty", "seed0", "seed1", "seed2", "seed3"].map(String::from));
    listed.sort();
    assert_eq!(names, listed, "a seed without its expectation");
}
