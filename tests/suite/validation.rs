//! Broken corpora: each validation error class, with its exact message,
//! file and line. Each test copies `tests/fixtures/base` and breaks it.

use crate::util::copy_tree;
use dossier::{Corpus, Diagnostic, Error};
use std::path::{Path, PathBuf};

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("corpus");
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"),
            &root,
        );
        Fixture { _tmp: tmp, root }
    }

    fn edit(&self, file: &str, from: &str, to: &str) -> &Fixture {
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from:?} not in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    fn errors(&self) -> Vec<Diagnostic> {
        let result = Corpus::load(&self.root).and_then(|c| c.check());
        match result {
            Err(Error::Corpus(errors)) => errors,
            other => panic!("expected corpus errors, got {other:?}"),
        }
    }
}

const ARTICLE: &str = "articles/tiny/article.toml";

fn one(errors: &[Diagnostic]) -> &Diagnostic {
    assert_eq!(errors.len(), 1, "{errors:#?}");
    &errors[0]
}

#[test]
fn the_base_fixture_is_valid() {
    let summary = Corpus::load(Fixture::new().root).unwrap().check().unwrap();
    assert_eq!((summary.passages, summary.warnings.len()), (2, 0));
}

#[test]
fn unknown_actor_id() {
    let f = Fixture::new();
    f.edit(ARTICLE, "actors = [\"mossad\", ", "actors = [\"mosad\", ");
    let e = f.errors();
    let d = one(&e);
    assert_eq!(
        d.message,
        "unknown actor id `mosad` (did you mean `mossad`?)"
    );
    assert_eq!(
        (d.file.as_path(), d.line, d.passage.as_deref()),
        (Path::new(ARTICLE), Some(14), Some("tiny-02"))
    );
    assert_eq!(
        d.to_string(),
        format!(
            "{ARTICLE}:14:11: passage tiny-02: unknown actor id `mosad` (did you mean `mossad`?)"
        )
    );
}

#[test]
fn duplicate_ids() {
    let f = Fixture::new();
    f.edit(ARTICLE, "id = \"tiny-02\"", "id = \"tiny-01\"");
    let d = one(&f.errors()).clone();
    assert_eq!(d.message, "duplicate passage id `tiny-01`");
    assert_eq!(d.line, Some(11));
    let f = Fixture::new();
    f.edit("actors.toml", "id = \"mossad\"", "id = \"esmail-khatib\"");
    let errors = f.errors();
    assert!(
        errors
            .iter()
            .any(|d| d.message == "duplicate actor id `esmail-khatib`" && d.line == Some(9)),
        "{errors:#?}"
    );
}

#[test]
fn span_overlapping_outside_or_skipping_text() {
    let f = Fixture::new();
    f.edit(ARTICLE, "start = 17, end = 44", "start = 10, end = 44");
    let e = f.errors();
    assert_eq!(
        e[0].message, "span [10, 44) overlaps the previous passage, which ends at 16",
        "{e:#?}"
    );
    let f = Fixture::new();
    f.edit(ARTICLE, "start = 17, end = 44", "start = 17, end = 99");
    assert_eq!(
        one(&f.errors()).message,
        "span [17, 99) falls outside the text (44 bytes)"
    );
    let f = Fixture::new();
    f.edit(ARTICLE, "start = 17, end = 44", "start = 24, end = 44");
    let e = f.errors();
    assert!(
        e.iter()
            .any(|d| d.message == "span [24, 44) skips text that is not whitespace (bytes 16..24)"),
        "{e:#?}"
    );
    assert_eq!(
        e.iter()
            .find(|d| d.message.starts_with("span"))
            .unwrap()
            .line,
        Some(13)
    );
}

#[test]
fn quote_not_in_passage() {
    let f = Fixture::new();
    f.edit(
        ARTICLE,
        "quote = \"Mossad was beaten\"",
        "quote = \"Mossad was destroyed\"",
    );
    let d = one(&f.errors()).clone();
    assert_eq!(
        d.message,
        "quote \"Mossad was destroyed\" is not in the passage"
    );
    assert_eq!((d.line, d.passage.as_deref()), (Some(22), Some("tiny-02")));
}

#[test]
fn bad_date() {
    let f = Fixture::new();
    f.edit(ARTICLE, "date = \"2021\"", "date = \"2021-02-30\"");
    let d = one(&f.errors()).clone();
    assert_eq!(
        d.message,
        "bad date `2021-02-30`: day 30 is not in month 02"
    );
    assert_eq!(d.line, Some(26));
}

#[test]
fn text_that_is_not_utf8() {
    let f = Fixture::new();
    std::fs::write(
        f.root.join("articles/tiny/text.txt"),
        b"Mr Khatib spoke.\nMossad \xff was beaten",
    )
    .unwrap();
    let d = one(&f.errors()).clone();
    assert_eq!(
        d.message,
        "text is not UTF-8 (invalid byte 0xFF at byte 24)"
    );
    assert_eq!(
        (d.file.as_path(), d.line, d.column),
        (Path::new("articles/tiny/text.txt"), Some(2), Some(8))
    );
}

#[test]
fn empty_article() {
    let f = Fixture::new();
    std::fs::write(f.root.join("articles/tiny/text.txt"), "  \n").unwrap();
    let e = f.errors();
    assert!(
        e.iter()
            .any(|d| d.message == "empty article: articles/tiny/text.txt has no text"),
        "{e:#?}"
    );
}

#[test]
fn unknown_fields_are_all_reported_with_lines() {
    let f = Fixture::new();
    f.edit(
        ARTICLE,
        "title = \"Tiny\"",
        "title = \"Tiny\"\nauthor = \"X\"",
    );
    f.edit(
        ARTICLE,
        "voice = \"reported\"",
        "voice = \"reported\"\nconfidence = 0.9",
    );
    let e = f.errors();
    assert_eq!(e.len(), 2, "{e:#?}");
    assert_eq!(
        (e[0].message.as_str(), e[0].line),
        ("unknown field `author`", Some(3))
    );
    assert_eq!(
        (e[1].message.as_str(), e[1].line),
        ("unknown field `confidence`", Some(25))
    );
}

#[test]
fn syntax_and_type_errors_name_the_line() {
    let f = Fixture::new();
    f.edit(ARTICLE, "ordinal = 2", "ordinal = \"two\"");
    let d = one(&f.errors()).clone();
    assert!(d.message.contains("invalid type"), "{}", d.message);
    assert_eq!(d.line, Some(12));
    let f = Fixture::new();
    f.edit(
        "topics.toml",
        "description = \"Spying.\"",
        "description = \"Spying.",
    );
    let d = f.errors()[0].clone();
    assert_eq!(
        (d.file.as_path(), d.line),
        (Path::new("topics.toml"), Some(3))
    );
}

#[test]
fn bad_polarity_voice_and_unknown_stance() {
    let f = Fixture::new();
    f.edit(ARTICLE, "polarity = \"against\"", "polarity = \"hostile\"");
    f.edit(ARTICLE, "voice = \"reported\"", "voice = \"narrator\"");
    f.edit(
        ARTICLE,
        "stance = \"claims-success\"",
        "stance = \"boasts\"",
    );
    let messages: Vec<String> = f
        .errors()
        .into_iter()
        .map(|d| format!("{}: {}", d.line.unwrap(), d.message))
        .collect();
    assert_eq!(
        messages,
        vec![
            "19: unknown stance id `boasts`",
            "21: unknown polarity `hostile`; valid values: favor, against, neutral",
            "23: unknown voice `narrator`; valid values: author, reported",
        ]
    );
}

#[test]
fn several_errors_in_several_files_are_all_reported() {
    let f = Fixture::new();
    f.edit(
        ARTICLE,
        "actors = [\"esmail-khatib\"]",
        "actors = [\"khatib\"]",
    );
    f.edit(ARTICLE, "quote = \"Mossad was beaten\"", "quote = \"nope\"");
    f.edit(ARTICLE, "date = \"2021\"", "date = \"21\"");
    f.edit(ARTICLE, "ordinal = 2", "ordinal = 3");
    let e = f.errors();
    assert_eq!(e.len(), 4, "{e:#?}");
    let lines: Vec<usize> = e.iter().map(|d| d.line.unwrap()).collect();
    assert_eq!(lines, vec![8, 12, 22, 26]);
}

#[test]
fn registry_errors_are_reported_together() {
    let f = Fixture::new();
    f.edit(
        "actors.toml",
        "name = \"Mossad\"",
        "name = \"Mossad\"\naliases = [\"Mr. Khatib\"]",
    );
    f.edit(
        "stances.toml",
        "id = \"claims-success\"",
        "id = \"Claims Success\"",
    );
    let e = match Corpus::load(&f.root) {
        Err(Error::Corpus(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.len(), 2, "{e:#?}");
    assert!(
        e[0].message.contains("folds to `mrkhatib`"),
        "{}",
        e[0].message
    );
    assert_eq!(
        e[1].message,
        "stance id `Claims Success` is not kebab-case (a-z, 0-9 and single hyphens)"
    );
}

#[test]
fn lint_warns_about_unlisted_names() {
    let f = Fixture::new();
    f.edit(ARTICLE, "actors = [\"esmail-khatib\"]", "actors = []");
    let summary = Corpus::load(&f.root).unwrap().check().unwrap();
    assert_eq!(summary.warnings.len(), 1);
    assert_eq!(
        summary.warnings[0].message,
        "the text names `Mr Khatib` but the passage does not list actor `esmail-khatib`"
    );
    assert_eq!(summary.warnings[0].passage.as_deref(), Some("tiny-01"));
}

#[test]
fn missing_registry_file_and_missing_directory() {
    let f = Fixture::new();
    std::fs::remove_file(f.root.join("topics.toml")).unwrap();
    assert!(
        matches!(Corpus::load(&f.root), Err(Error::Corpus(e)) if e[0].file == Path::new("topics.toml"))
    );
    assert!(matches!(
        Corpus::load("/nonexistent/dossier"),
        Err(Error::Io { .. })
    ));
}
