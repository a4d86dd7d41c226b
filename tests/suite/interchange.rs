//! `dossier add`, `export` and `import`: what goes in and out, exactly.
//!
//! Oracles are the bundled corpus's hand annotations, offsets counted by
//! hand (or with Python's own string indices when the fixtures were
//! written), and the fixtures' texts.

use crate::util::{copy_tree, corpus, corpus_dir, index, run};
use dossier::interchange::{export, import, ExportFormat, ImportFormat, ImportOptions, Mapping};
use dossier::{Corpus, Error, Query};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interchange")
        .join(name)
}

/// A corpus with the bundled registries and no article.
fn empty_corpus(root: &Path) -> PathBuf {
    let dir = root.join("corpus");
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    for f in ["actors.toml", "stances.toml", "topics.toml"] {
        std::fs::copy(corpus_dir().join(f), dir.join(f)).unwrap();
    }
    dir
}

/// Every file under `dir` with its bytes: what "nothing was written" is
/// checked against.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().to_owned();
                all.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    all
}

fn seed_text() -> String {
    std::fs::read_to_string(corpus_dir().join("articles/iran-intel/text.txt")).unwrap()
}

fn export_all(format: ExportFormat, out: &Path) {
    let stats = export(index(), corpus(), &Query::default(), format, Some(out)).unwrap();
    // 1 article, 20 passages and 40 stance annotations (corpus README).
    assert_eq!((stats.articles, stats.passages, stats.stances), (1, 20, 40));
}

fn import_into(
    dir: &Path,
    format: ImportFormat,
    files: &[PathBuf],
) -> dossier::Result<dossier::interchange::Imported> {
    import(dir, format, files, &ImportOptions::default())
}

// ------------------------------------------------------------------ export

#[test]
fn csv_has_one_row_per_stance_with_byte_offsets() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("stances.csv");
    export_all(ExportFormat::CsvStances, &path);
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "article",
            "passage",
            "ordinal",
            "holder",
            "holder_name",
            "stance",
            "target",
            "target_name",
            "polarity",
            "voice",
            "quote",
            "quote_start",
            "quote_end",
            "passage_start",
            "passage_end",
            "passage_text"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 40);
    // Passage 01: Khatib claims success against Israel, "claimed he had
    // solved it" at bytes 280..304 (the curly apostrophes before it are 3
    // bytes each).
    let first = &rows[0];
    assert_eq!(
        first.iter().take(13).collect::<Vec<_>>(),
        [
            "iran-intel",
            "iran-intel-01",
            "1",
            "esmail-khatib",
            "Esmail Khatib",
            "claims-success",
            "israel",
            "Israel",
            "against",
            "reported",
            "claimed he had solved it",
            "280",
            "304"
        ]
    );
    let text = seed_text();
    for row in &rows {
        let (qs, qe): (usize, usize) = (row[11].parse().unwrap(), row[12].parse().unwrap());
        assert_eq!(&text[qs..qe], &row[10], "quote offsets of {:?}", &row[1]);
        let (ps, pe): (usize, usize) = (row[13].parse().unwrap(), row[14].parse().unwrap());
        assert_eq!(&text[ps..pe], &row[15], "passage text of {:?}", &row[1]);
    }
}

#[test]
fn csv_passage_rows_and_a_filtered_export() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("passages.csv");
    export_all(ExportFormat::CsvPassages, &path);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 20);
    // Passage 03 spans a hard line break: the CSV keeps the newline.
    assert!(rows[2][10].contains('\n'));
    assert_eq!(&rows[2][1], "iran-intel-03");

    // The Reformist Front's admission is in passage 13 only, which carries
    // four stance annotations, all the Front's.
    let out = tmp.path().join("front.csv");
    let q = Query {
        stance: Some("admits-failure".into()),
        holder: Some("Reformist Front".into()),
        ..Query::default()
    };
    let stats = export(index(), corpus(), &q, ExportFormat::CsvStances, Some(&out)).unwrap();
    assert_eq!((stats.articles, stats.passages, stats.stances), (1, 1, 4));
    let rows: Vec<(String, String)> = csv::Reader::from_path(&out)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(&r[1], "iran-intel-13");
            (r[3].to_owned(), r[5].to_owned())
        })
        .collect();
    let front = "iranian-reformist-front".to_owned();
    assert_eq!(
        rows,
        [
            (front.clone(), "condemns".to_owned()),
            (front.clone(), "calls-for-reckoning".to_owned()),
            (front.clone(), "admits-failure".to_owned()),
            (front, "warns-against-war".to_owned()),
        ]
    );
}

#[test]
fn web_annotation_counts_code_points() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("out.jsonld");
    export_all(ExportFormat::WebAnno, &path);
    let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["type"], "AnnotationCollection");
    assert_eq!(doc["@context"][0], "http://www.w3.org/ns/anno.jsonld");
    let items = doc["first"]["items"].as_array().unwrap();
    // One annotation per passage and one per stance.
    assert_eq!(items.len(), 20 + 40);
    assert_eq!(doc["total"], 60);
    let stance = items
        .iter()
        .find(|a| a["body"]["type"] == "dossier:Stance")
        .unwrap();
    assert_eq!(stance["body"]["dossier:holder"], "esmail-khatib");
    assert_eq!(stance["body"]["dossier:stance"], "claims-success");
    let selectors = stance["target"]["selector"].as_array().unwrap();
    assert_eq!(selectors[0]["type"], "TextQuoteSelector");
    assert_eq!(selectors[0]["exact"], "claimed he had solved it");
    // 32 characters of context: the full stop, the line break, the next quote.
    assert_eq!(
        selectors[0]["suffix"].as_str().unwrap(),
        ".\n“With the grace of God, Mossad"
    );
    // Bytes 280..304 are code points 274..298: six curly apostrophes and
    // quotes before it are 3 bytes and 1 code point each (counted with
    // Python's len() on the text).
    assert_eq!(selectors[1]["type"], "TextPositionSelector");
    assert_eq!(
        (selectors[1]["start"].as_u64(), selectors[1]["end"].as_u64()),
        (Some(274), Some(298))
    );
    // The text travels with the annotations.
    assert_eq!(
        doc["dossier:sources"][0]["dossier:text"].as_str().unwrap(),
        seed_text()
    );
    assert_eq!(doc["dossier:sources"][0]["dossier:language"], "en");
}

#[test]
fn brat_export_is_valid_standoff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("brat");
    export_all(ExportFormat::Brat, &dir);
    assert_eq!(
        std::fs::read(dir.join("iran-intel.txt")).unwrap(),
        seed_text().as_bytes()
    );
    let text: Vec<char> = seed_text().chars().collect();
    let ann = std::fs::read_to_string(dir.join("iran-intel.ann")).unwrap();
    let conf = std::fs::read_to_string(dir.join("annotation.conf")).unwrap();
    let mut events = 0;
    for line in ann.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if line.starts_with('T') {
            let (label, ranges) = fields[1].split_once(' ').unwrap();
            // Each fragment's characters, joined by a space, are the text
            // column: brat's own rule.
            let covered: Vec<String> = ranges
                .split(';')
                .map(|r| {
                    let (s, e) = r.split_once(' ').unwrap();
                    text[s.parse::<usize>().unwrap()..e.parse::<usize>().unwrap()]
                        .iter()
                        .collect()
                })
                .collect();
            assert_eq!(covered.join(" "), fields[2], "{line}");
            assert!(!fields[2].contains('\n'));
            assert!(
                conf.lines().any(|l| l.split('\t').next() == Some(label)),
                "{label} declared"
            );
        }
        if line.starts_with('E') {
            events += 1;
        }
    }
    assert_eq!(events, 40);
    // Passage 01's stance: Khatib (a Person mention) claims success
    // against Israel (a State mention).
    assert!(ann.contains("claims-success 274 298\tclaimed he had solved it"));
    assert!(ann.contains("\tPerson 41 54\tEsmail Khatib"));
}

#[test]
fn label_studio_tasks_and_config_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ls");
    export_all(ExportFormat::LabelStudio, &dir);
    let tasks: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("tasks.json")).unwrap()).unwrap();
    assert_eq!(tasks.len(), 20);
    let config = std::fs::read_to_string(dir.join("config.xml")).unwrap();
    // The config is well-formed XML.
    let mut reader = quick_xml::Reader::from_str(&config);
    let mut declared = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Empty(e) if e.name().as_ref() == "Label" => {
                let value = e.try_get_attribute("value").unwrap().unwrap();
                declared.push(value.value.to_string());
            }
            _ => {}
        }
    }
    let mut stances = 0;
    for task in &tasks {
        let text: Vec<char> = task["data"]["text"].as_str().unwrap().chars().collect();
        for r in task["predictions"][0]["result"].as_array().unwrap() {
            if r["type"] != "labels" {
                continue;
            }
            let v = &r["value"];
            let (s, e) = (
                v["start"].as_u64().unwrap() as usize,
                v["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                text[s..e].iter().collect::<String>(),
                v["text"].as_str().unwrap()
            );
            let label = v["labels"][0].as_str().unwrap();
            assert!(declared.iter().any(|d| d == label), "{label} declared");
            if r["from_name"] == "stance" {
                stances += 1;
            }
        }
    }
    assert_eq!(stances, 40);
}

#[test]
fn export_cli_refuses_what_would_overwrite_or_has_nowhere_to_go() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let no_out = run(&index, &["export", "--format", "brat"]);
    assert_eq!(no_out.code, 2);
    assert!(
        no_out.stderr.contains("give --out DIR"),
        "{}",
        no_out.stderr
    );

    let full = tmp.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "mine").unwrap();
    let r = run(
        &index,
        &[
            "export",
            "--format",
            "labelstudio",
            "--out",
            full.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not empty"), "{}", r.stderr);
    assert_eq!(snapshot(&full).len(), 1);

    let rows = run(
        &index,
        &["export", "--format", "jsonl", "--rows", "passages"],
    );
    assert_eq!(rows.code, 2);
    assert!(
        rows.stderr.contains("--rows applies to --format csv"),
        "{}",
        rows.stderr
    );

    // A stream format writes to stdout; a search that selects nothing exits 1.
    let jsonl = run(
        &index,
        &["export", "--format", "jsonl", "--actor", "Khatib"],
    );
    assert_eq!(jsonl.code, 0);
    for line in jsonl.stdout.lines() {
        let hit: Value = serde_json::from_str(line).unwrap();
        assert!(hit["actors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "esmail-khatib"));
    }
    let none = run(&index, &["export", "--format", "csv", "zzzqqq"]);
    assert_eq!(none.code, 1);
    assert_eq!(none.stdout.lines().count(), 1, "the header alone");
}

// ------------------------------------------------------------ round trips

/// Exports everything in `format`, imports it into an empty corpus with
/// the same registries, and compares the article with the bundled one.
fn round_trip(format: ExportFormat, import_format: ImportFormat, file: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("export");
    export_all(format, &out);
    let target = empty_corpus(tmp.path());
    let file = if file.is_empty() { out } else { out.join(file) };
    let imported = import_into(&target, import_format, &[file]).unwrap();
    assert_eq!(imported.articles, ["iran-intel"]);
    assert!(
        imported.actors.is_empty(),
        "no new actor: {:?}",
        imported.actors
    );
    assert!(imported.not_kept.is_empty(), "{:?}", imported.not_kept);
    let original = corpus().article("iran-intel").unwrap();
    let back = Corpus::load(&target)
        .unwrap()
        .article("iran-intel")
        .unwrap();
    assert_eq!(back.text, original.text, "text byte for byte");
    assert_eq!(
        serde_json::to_value(&back).unwrap(),
        serde_json::to_value(&original).unwrap(),
        "title, language, passages, spans, actors, topics, stances, events"
    );
    Corpus::load(&target).unwrap().check().unwrap();
}

#[test]
fn web_annotation_round_trip_loses_nothing() {
    round_trip(ExportFormat::WebAnno, ImportFormat::WebAnno, "");
}

#[test]
fn web_annotation_lines_round_trip_loses_nothing() {
    round_trip(ExportFormat::WebAnnoLines, ImportFormat::WebAnno, "");
}

#[test]
fn brat_round_trip_loses_nothing() {
    round_trip(ExportFormat::Brat, ImportFormat::Brat, "iran-intel.ann");
}

#[test]
fn label_studio_round_trip_loses_nothing() {
    round_trip(
        ExportFormat::LabelStudio,
        ImportFormat::LabelStudio,
        "tasks.json",
    );
}

// ----------------------------------------------------- foreign annotations

fn stances_of(dir: &Path, article: &str) -> Vec<(String, String, String, String, String)> {
    Corpus::load(dir)
        .unwrap()
        .article(article)
        .unwrap()
        .passages
        .iter()
        .flat_map(|p| &p.stances)
        .map(|s| {
            (
                s.holder.clone(),
                s.stance.clone(),
                s.target.clone(),
                s.polarity.as_str().to_owned(),
                s.quote.clone(),
            )
        })
        .collect()
}

fn t5(a: &str, b: &str, c: &str, d: &str, e: &str) -> (String, String, String, String, String) {
    (a.into(), b.into(), c.into(), d.into(), e.into())
}

#[test]
fn brat_nested_events_with_a_mapping() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    let options = ImportOptions {
        mapping: Mapping::load(&fixture("mapping.toml")).unwrap(),
        ..ImportOptions::default()
    };
    let imported = import(&dir, ImportFormat::Brat, &[fixture("nested.ann")], &options).unwrap();
    // "Zarif condemned Israel for attacking Tehran": the condemnation's
    // theme is an Attack event, which stands for its agent, Israel.
    // "The Reformist Front blamed Khatib": names the registry knows.
    assert_eq!(
        stances_of(&dir, "nested"),
        [
            t5("zarif", "condemns", "israel", "against", "condemned"),
            t5(
                "iranian-reformist-front",
                "deflects-blame",
                "esmail-khatib",
                "against",
                "blamed"
            ),
        ]
    );
    // Zarif and Tehran are not registered: new actors, of the kinds their
    // labels map to.
    assert_eq!(imported.actors, ["zarif", "tehran"]);
    let actors = Corpus::load(&dir).unwrap();
    let registry = actors.registry();
    assert_eq!(
        registry.actor("zarif").unwrap().kind,
        dossier::corpus::ActorKind::Person
    );
    assert_eq!(
        registry.actor("tehran").unwrap().kind,
        dossier::corpus::ActorKind::State
    );
    // What has no place in dossier is reported, at its line.
    let lines: Vec<Option<usize>> = imported.not_kept.iter().map(|d| d.line).collect();
    assert_eq!(lines, [Some(14), Some(15)], "{:?}", imported.not_kept);
    // Without the mapping, the event types are unknown: nothing written.
    let before = snapshot(&dir);
    let err = import_into(&dir, ImportFormat::Brat, &[fixture("nested.ann")]).unwrap_err();
    let Error::Import(problems) = err else {
        panic!("{err}")
    };
    assert_eq!(
        problems.iter().map(|d| d.line).collect::<Vec<_>>(),
        [Some(10), Some(12)]
    );
    assert!(problems[0].message.contains("unknown event type `Condemn`"));
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn brat_offsets_count_code_points_through_bom_crlf_emoji_and_combining_marks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    let options = ImportOptions {
        mapping: Mapping::load(&fixture("mapping.toml")).unwrap(),
        ..ImportOptions::default()
    };
    import(
        &dir,
        ImportFormat::Brat,
        &[fixture("unicode.ann")],
        &options,
    )
    .unwrap();
    let article = Corpus::load(&dir).unwrap().article("unicode").unwrap();
    assert_eq!(
        article.text.as_bytes(),
        std::fs::read(fixture("unicode.txt")).unwrap()
    );
    // "échoué" with combining accents: code points 21..29, bytes 26..36
    // (BOM 3 bytes, emoji 4, each combining mark 2).
    assert_eq!(
        stances_of(&dir, "unicode"),
        [t5(
            "zarif",
            "condemns",
            "esmail-khatib",
            "neutral",
            "e\u{301}choue\u{301}"
        )]
    );
    let p1 = &article.passages[0];
    assert_eq!(p1.actors, ["zarif", "esmail-khatib"]);
    let p2 = &article.passages[1];
    // Passage 2 starts after "\r\n": byte 39.
    assert_eq!((p2.span.start, p2.span.end), (39, 63));
    assert_eq!(p2.actors, ["mossad"]);
    assert!(!article.title.starts_with('\u{feff}'));
}

#[test]
fn label_studio_relations_and_old_utf16_offsets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    let options = ImportOptions {
        mapping: Mapping::load(&fixture("labelstudio-mapping.toml")).unwrap(),
        ..ImportOptions::default()
    };
    let imported = import(
        &dir,
        ImportFormat::LabelStudio,
        &[fixture("labelstudio.json")],
        &options,
    )
    .unwrap();
    assert_eq!(imported.articles, ["task-101", "task-102"]);
    // Holder and target relations around a stance region.
    assert_eq!(
        stances_of(&dir, "task-101"),
        [t5(
            "zarif",
            "condemns",
            "israel",
            "neutral",
            "condemned Israel for the strike"
        )]
    );
    // A relation labelled with a mapped stance; its offsets count UTF-16
    // units (two emoji before "Khatib" are 4 units, 2 code points).
    assert_eq!(
        stances_of(&dir, "task-102"),
        [t5(
            "esmail-khatib",
            "admits-failure",
            "masoud-pezeshkian",
            "neutral",
            "Khatib admitted failure to Pezeshkian"
        )]
    );
    let a = Corpus::load(&dir).unwrap().article("task-101").unwrap();
    assert_eq!(a.passages[0].topics, ["intelligence-failure"]);
}

#[test]
fn hypothesis_style_tags_by_quote_with_the_text_beside() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    let imported =
        import_into(&dir, ImportFormat::WebAnno, &[fixture("hypothesis.jsonld")]).unwrap();
    let a = Corpus::load(&dir).unwrap().article("hypothesis").unwrap();
    assert_eq!(
        a.text,
        std::fs::read_to_string(fixture("hypothesis.txt")).unwrap()
    );
    let actors: Vec<&[String]> = a.passages.iter().map(|p| p.actors.as_slice()).collect();
    assert_eq!(
        actors,
        [
            &["esmail-khatib".to_owned(), "mossad".to_owned()][..],
            &["ismail-haniyeh".to_owned()][..]
        ]
    );
    // The comment body is reported, not dropped in silence.
    assert_eq!(imported.not_kept.len(), 1);
    assert!(imported.not_kept[0].message.contains("Is this right?"));
}

// ------------------------------------------------------------- hostile

/// Imports `files` into a copy of the bundled corpus; expects an error
/// naming `needle` (with the file and line given), and nothing written.
fn refused(format: ImportFormat, files: &[(&str, &[u8])], needle: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &dir);
    let before = snapshot(&dir);
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|(name, bytes)| {
            let p = tmp.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    let ann: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "txt"))
        .cloned()
        .collect();
    let err = import_into(&dir, format, &ann).unwrap_err();
    let message = err.to_string();
    assert!(message.contains(needle), "{message}");
    assert!(message.starts_with("nothing was imported"), "{message}");
    assert_eq!(snapshot(&dir), before, "the corpus is untouched");
    // The CLI says it in one place, exits 2 and leaves nothing behind.
    let mut args = vec!["--corpus", dir.to_str().unwrap(), "import", "--format"];
    args.push(match format {
        ImportFormat::Brat => "brat",
        ImportFormat::WebAnno => "webanno",
        _ => "labelstudio",
    });
    args.extend(ann.iter().map(|p| p.to_str().unwrap()));
    let r = run(&tmp.path().join("index"), &args);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("dossier: nothing was imported"),
        "{}",
        r.stderr
    );
    assert_eq!(snapshot(&dir), before);
}

const TEXT: &[u8] = b"Zarif spoke.\n\nKhatib spoke.\n";

#[test]
fn brat_hostile_files() {
    refused(
        ImportFormat::Brat,
        &[("a.txt", TEXT), ("a.ann", b"T1\tPerson 0 99\tZarif\n")],
        "a.ann:1: span 0 99 is outside the text (28 characters)",
    );
    refused(
        ImportFormat::Brat,
        &[("a.txt", TEXT), ("a.ann", b"T1\tPerson 0 5\tZarof\n")],
        "a.ann:1: T1: the text \"Zarof\" disagrees with the text at its offsets: \"Zarif\"",
    );
    refused(
        ImportFormat::Brat,
        &[
            ("a.txt", TEXT),
            (
                "a.ann",
                b"T1\tPassage 0 12\tZarif spoke.\nT2\tPassage 6 12;14 27\tspoke. Khatib spoke.\n",
            ),
        ],
        "a.ann:2: this passage (6..27) overlaps the one before it (0..12)",
    );
    refused(
        ImportFormat::Brat,
        &[("a.txt", TEXT), ("a.ann", b"T1\tPerson 0 5\tZarif\nT2\tPerson 14 20\tKhatib\nT3\tPraise 6 11\tspoke\nE1\tPraise:T3 Agent:T1 Theme:T2\n")],
        "a.ann:4: E1: unknown event type `Praise`",
    );
    refused(
        ImportFormat::Brat,
        &[("a.txt", TEXT), ("a.ann", b"")],
        "a.ann: the file is empty",
    );
    refused(
        ImportFormat::Brat,
        &[("a.txt", TEXT), ("a.ann", b"\xff\xfe\x00garbage\x9f")],
        "a.ann: not UTF-8 text",
    );
    refused(
        ImportFormat::Brat,
        &[("a.ann", b"T1\tPerson 0 5\tZarif\n")],
        "its text",
    );
}

#[test]
fn web_annotation_hostile_files() {
    let source =
        r#"{"id":"s","type":"dossier:Source","dossier:text":"Zarif spoke.\n\nKhatib spoke.\n"}"#;
    let with = |annotation: &str| format!("{source}\n{annotation}\n").into_bytes();
    refused(
        ImportFormat::WebAnno,
        &[(
            "a.jsonl",
            &with(
                r#"{"type":"Annotation","body":"Person","target":{"source":"s","selector":{"type":"TextPositionSelector","start":0,"end":900}}}"#,
            ),
        )],
        "a.jsonl:2: position 0..900 is outside the text (28 characters)",
    );
    refused(
        ImportFormat::WebAnno,
        &[(
            "a.jsonl",
            &with(
                r#"{"type":"Annotation","body":"Person","target":{"source":"s","selector":[{"type":"TextQuoteSelector","exact":"Zarof"},{"type":"TextPositionSelector","start":0,"end":5}]}}"#,
            ),
        )],
        "a.jsonl:2: the quote \"Zarof\" disagrees with the text at 0..5: \"Zarif\"",
    );
    refused(
        ImportFormat::WebAnno,
        &[(
            "a.jsonl",
            &with(
                r#"{"type":"Annotation","body":{"type":"dossier:Stance","dossier:stance":"admires","dossier:holder":"author","dossier:target":"iran"},"target":{"source":"s","selector":{"type":"TextPositionSelector","start":0,"end":5}}}"#,
            ),
        )],
        "unknown stance label `admires`",
    );
    refused(
        ImportFormat::WebAnno,
        &[(
            "a.jsonl",
            &with(concat!(
                r#"{"type":"Annotation","body":{"type":"dossier:Passage"},"target":{"source":"s","selector":{"type":"TextPositionSelector","start":0,"end":12}}}"#,
                "\n",
                r#"{"type":"Annotation","body":{"type":"dossier:Passage"},"target":{"source":"s","selector":{"type":"TextPositionSelector","start":5,"end":27}}}"#
            )),
        )],
        "a.jsonl:3: this passage (5..27) overlaps the one before it (0..12)",
    );
    // Readable, but not a valid corpus: the staged check catches it and
    // names the file the import would have written.
    refused(
        ImportFormat::WebAnno,
        &[("a.jsonl", &with(r#"{"type":"Annotation","body":{"type":"dossier:Stance","dossier:stance":"condemns","dossier:holder":"nobody-known","dossier:target":"iran","dossier:polarity":"against"},"target":{"source":"s","selector":{"type":"TextPositionSelector","start":0,"end":5}}}"#))],
        "a.jsonl: passage s-01: the article `s` it gives would be invalid: unknown actor id `nobody-known` as holder",
    );
    refused(
        ImportFormat::WebAnno,
        &[("a.json", b"   \n")],
        "a.json: the file is empty",
    );
    refused(
        ImportFormat::WebAnno,
        &[("a.json", b"\x00\x01\x02\xff binary")],
        "a.json: not UTF-8 text",
    );
    refused(
        ImportFormat::WebAnno,
        &[("a.json", b"{\"items\": [1, 2,")],
        "a.json:1: not Web Annotation JSON",
    );
}

#[test]
fn label_studio_hostile_files() {
    let task = |result: &str| {
        format!(r#"[{{"data":{{"text":"Zarif spoke to Khatib."}},"annotations":[{{"result":[{result}]}}]}}]"#).into_bytes()
    };
    refused(
        ImportFormat::LabelStudio,
        &[(
            "t.json",
            &task(r#"{"id":"a","type":"labels","value":{"start":0,"end":99,"labels":["Person"]}}"#),
        )],
        "t.json:1: task 1: offsets 0..99 are outside the text (22 characters)",
    );
    refused(
        ImportFormat::LabelStudio,
        &[(
            "t.json",
            &task(
                r#"{"id":"a","type":"labels","value":{"start":0,"end":5,"text":"Zarof","labels":["Person"]}}"#,
            ),
        )],
        "task 1: the text \"Zarof\" disagrees with the text at 0..5: \"Zarif\"",
    );
    refused(
        ImportFormat::LabelStudio,
        &[(
            "t.json",
            &task(concat!(
                r#"{"id":"a","type":"labels","value":{"start":0,"end":5,"labels":["Person"]}},"#,
                r#"{"id":"b","type":"labels","value":{"start":15,"end":21,"labels":["Person"]}},"#,
                r#"{"type":"relation","from_id":"a","to_id":"b","labels":["Admires"]}"#
            )),
        )],
        "task 1: unknown relation label `Admires`",
    );
    refused(
        ImportFormat::LabelStudio,
        &[("t.json", b"")],
        "t.json: the file is empty",
    );
    refused(
        ImportFormat::LabelStudio,
        &[("t.json", b"\x89PNG\r\n\x1a\n\x00")],
        "t.json: not UTF-8 text",
    );
    refused(
        ImportFormat::LabelStudio,
        &[("t.json", b"42")],
        "expected a list of tasks",
    );
}

#[test]
fn a_50_mb_file_of_bad_lines_is_refused_in_one_clear_message() {
    // 50 MB of text-bound lines, every one past the end of a short text.
    let line = b"T1\tPerson 100 105\tZarif\n";
    let ann: Vec<u8> = line.iter().copied().cycle().take(50 << 20).collect();
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    std::fs::write(tmp.path().join("big.txt"), TEXT).unwrap();
    std::fs::write(tmp.path().join("big.ann"), &ann).unwrap();
    let before = snapshot(&dir);
    let err = import_into(&dir, ImportFormat::Brat, &[tmp.path().join("big.ann")]).unwrap_err();
    let Error::Import(problems) = &err else {
        panic!("{err}")
    };
    // Every line, and the last one cut short by the 50 MB mark.
    assert_eq!(problems.len(), ann.len().div_ceil(line.len()));
    // The message lists the first 200 and counts the rest.
    let message = err.to_string();
    assert_eq!(message.lines().count(), 1 + 200 + 1);
    assert!(message.ends_with(&format!("… and {} more", problems.len() - 200)));
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn existing_articles_need_update_and_skip_invalid_reports_each_skip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = empty_corpus(tmp.path());
    let file = fixture("hypothesis.jsonld");
    import_into(&dir, ImportFormat::WebAnno, std::slice::from_ref(&file)).unwrap();
    let before = snapshot(&dir);
    let err = import_into(&dir, ImportFormat::WebAnno, std::slice::from_ref(&file)).unwrap_err();
    assert!(
        err.to_string()
            .contains("article `hypothesis` already exists; use --update"),
        "{err}"
    );
    assert_eq!(snapshot(&dir), before);
    let update = ImportOptions {
        update: true,
        ..ImportOptions::default()
    };
    import(
        &dir,
        ImportFormat::WebAnno,
        std::slice::from_ref(&file),
        &update,
    )
    .unwrap();
    assert_eq!(
        snapshot(&dir),
        before,
        "the same import gives the same files"
    );

    // One bad region among good ones: refused by default, imported
    // without it under --skip-invalid, the skip reported with its line.
    let bad = tmp.path().join("mixed.json");
    let tasks = serde_json::json!([{"data": {"text": "Zarif spoke to Khatib."}, "annotations": [{"result": [
        {"id": "a", "type": "labels", "value": {"start": 0, "end": 5, "labels": ["Person"]}},
        {"id": "b", "type": "labels", "value": {"start": 15, "end": 99, "labels": ["Person"]}}
    ]}]}]);
    std::fs::write(&bad, serde_json::to_string_pretty(&tasks).unwrap()).unwrap();
    assert!(import_into(&dir, ImportFormat::LabelStudio, std::slice::from_ref(&bad)).is_err());
    let skip = ImportOptions {
        skip_invalid: true,
        ..ImportOptions::default()
    };
    let imported = import(
        &dir,
        ImportFormat::LabelStudio,
        std::slice::from_ref(&bad),
        &skip,
    )
    .unwrap();
    assert_eq!(imported.skipped.len(), 1);
    // serde_json sorts keys: `"id": "b"` is on line 18 of the pretty JSON.
    assert_eq!(imported.skipped[0].line, Some(18));
    assert_eq!(
        Corpus::load(&dir)
            .unwrap()
            .article("task-1")
            .unwrap()
            .passages[0]
            .actors,
        ["zarif"]
    );
}

#[test]
fn mapping_file_mistakes_are_reported_with_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("m.toml");
    std::fs::write(
        &path,
        "[stances]\nCondemn = \"condemns\"\n\nunknown_key = 1\n",
    )
    .unwrap();
    let err = Mapping::load(&path).unwrap_err();
    let Error::Import(d) = &err else {
        panic!("{err}")
    };
    assert_eq!(d[0].line, Some(4), "{err}");
}

// ------------------------------------------------------------------ add

#[test]
fn add_prefills_actors_and_passes_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &dir);
    let text =
        "Esmail Khatib met Ismail Haniyeh in Tehran.\n\nMohammad Javad Zarif said nothing.\n";
    let file = tmp.path().join("new.txt");
    std::fs::write(&file, text).unwrap();
    let index = tmp.path().join("index");
    let corpus_arg = dir.to_str().unwrap();
    let r = run(
        &index,
        &[
            "--corpus",
            corpus_arg,
            "add",
            file.to_str().unwrap(),
            "--id",
            "zarif-test",
            "--published",
            "2024-08",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read(dir.join("articles/zarif-test/text.txt")).unwrap(),
        text.as_bytes()
    );
    let toml = std::fs::read_to_string(dir.join("articles/zarif-test/article.toml")).unwrap();
    assert!(
        toml.contains("# unregistered names: Mohammad Javad Zarif"),
        "{toml}"
    );
    let article = Corpus::load(&dir).unwrap().article("zarif-test").unwrap();
    // Two paragraphs: bytes 0..43 and 45..79, counted by hand.
    let spans: Vec<(usize, usize)> = article
        .passages
        .iter()
        .map(|p| (p.span.start, p.span.end))
        .collect();
    assert_eq!(spans, [(0, 43), (45, 79)]);
    assert_eq!(
        article.passages[0].actors,
        ["esmail-khatib", "ismail-haniyeh"]
    );
    assert!(article.passages[1].actors.is_empty());
    let check = run(&index, &["--corpus", corpus_arg, "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check.stdout.contains("warnings                0"),
        "{}",
        check.stdout
    );

    // Refusals: each exit 2, one line, nothing left behind.
    let before = snapshot(&dir);
    for (args, needle) in [
        (vec!["--id", "zarif-test"], "already exists"),
        (vec!["--id", "Not An Id"], "kebab-case"),
        (vec!["--id", "ok-id", "--published", "2024-13"], "2024-13"),
    ] {
        let mut all = vec!["--corpus", corpus_arg, "add", file.to_str().unwrap()];
        all.extend(args);
        let r = run(&index, &all);
        assert_eq!(r.code, 2, "{all:?}");
        assert!(r.stderr.contains(needle), "{all:?}: {}", r.stderr);
        assert_eq!(snapshot(&dir), before, "{all:?}");
    }
    let binary = tmp.path().join("bin.txt");
    std::fs::write(&binary, b"\xff\xfeZ\x00").unwrap();
    let r = run(
        &index,
        &[
            "--corpus",
            corpus_arg,
            "add",
            binary.to_str().unwrap(),
            "--id",
            "bin",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not UTF-8"), "{}", r.stderr);
    let r = run(
        &index,
        &[
            "--corpus",
            corpus_arg,
            "add",
            "/no/such/file.txt",
            "--id",
            "missing",
        ],
    );
    assert_eq!(r.code, 2);
    assert_eq!(snapshot(&dir), before);
}

/// The fenced blocks of `kind` in `text`, in order.
fn fenced<'t>(text: &'t str, kind: &str) -> Vec<&'t str> {
    let open = format!("```{kind}\n");
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find("```").unwrap();
        blocks.push(&body[..end]);
        rest = &body[end + 3..];
    }
    blocks
}

/// corpus/README.md section 5 cannot drift from the tool: its scaffold is
/// what `dossier add` writes, and its finished article passes `check`
/// with the counts it states.
#[test]
fn corpus_readme_add_example_is_what_add_writes() {
    let readme = std::fs::read_to_string(corpus_dir().join("README.md")).unwrap();
    let section = &readme[readme.find("## 5.").unwrap()..readme.find("## 6.").unwrap()];
    let toml = fenced(section, "toml");
    let (actors, scaffold, finished) = (toml[0], toml[1], toml[2]);
    let text = fenced(section, "text")[0];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &dir);
    let mut registry = std::fs::read_to_string(dir.join("actors.toml")).unwrap();
    registry.push('\n');
    registry.push_str(actors);
    std::fs::write(dir.join("actors.toml"), registry).unwrap();
    let file = tmp.path().join("harbour-pier.txt");
    std::fs::write(&file, text).unwrap();
    let index = tmp.path().join("index");
    let corpus_arg = dir.to_str().unwrap();
    let r = run(
        &index,
        &[
            "--corpus",
            corpus_arg,
            "add",
            file.to_str().unwrap(),
            "--id",
            "harbour-pier",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(dir.join("articles/harbour-pier/article.toml")).unwrap();
    assert_eq!(written, scaffold);
    std::fs::write(dir.join("articles/harbour-pier/article.toml"), finished).unwrap();
    let check = run(&index, &["--corpus", corpus_arg, "check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    for line in [
        "articles                2",
        "passages               22",
        "actors                 38",
        "events                 14",
        "warnings                0",
    ] {
        assert!(check.stdout.contains(line), "{line}: {}", check.stdout);
    }
}

// ------------------------------------------------------------ any input

mod any_input {
    use super::*;
    use proptest::prelude::*;

    /// Texts with what breaks offset arithmetic: multi-byte and astral
    /// characters, combining marks, CR, blank lines.
    fn text() -> impl Strategy<Value = String> {
        "[a-zK Z.\n\r😀é\u{301}’]{0,60}"
    }

    fn label() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "Person", "GPE", "condemns", "Passage", "Attack", "holder", "target", "Stance", "x",
        ])
        .prop_map(str::to_owned)
    }

    /// brat lines of every kind, with offsets near and past the text's end.
    fn brat_line() -> impl Strategy<Value = String> {
        prop_oneof![
            (1..6u8, label(), 0..70usize, 0..70usize, "[a-zK ]{0,8}")
                .prop_map(|(n, l, s, e, t)| format!("T{n}\t{l} {s} {e}\t{t}")),
            (1..6u8, label(), 0..70usize, 0..70usize, 0..70usize)
                .prop_map(|(n, l, a, b, c)| format!("T{n}\t{l} {a} {b};{b} {c}\tx")),
            (1..4u8, label(), 1..6u8, label(), 1..6u8, label(), 1..6u8).prop_map(
                |(n, l, t, r1, a1, r2, a2)| format!("E{n}\t{l}:T{t} {r1}:T{a1} {r2}:E{a2}")
            ),
            (1..4u8, label(), 1..6u8, 1..6u8)
                .prop_map(|(n, l, a, b)| format!("R{n}\t{l} Arg1:T{a} Arg2:T{b}")),
            (1..4u8, label(), 1..4u8, "[a-z]{0,6}")
                .prop_map(|(n, l, e, v)| format!("A{n}\t{l} E{e} {v}")),
            (1..4u8, 1..6u8, "[a-z:-]{0,12}")
                .prop_map(|(n, t, r)| format!("N{n}\tReference T{t} {r}\tname")),
            (1..4u8, 1..6u8, "[a-z{}\":]{0,20}")
                .prop_map(|(n, t, note)| format!("#{n}\tAnnotatorNotes T{t}\tdossier:{note}")),
            "\\PC{0,20}",
        ]
    }

    fn label_studio() -> impl Strategy<Value = String> {
        let region = (0..6u8, label(), 0..70u64, 0..70u64, prop::option::of("[a-zK ]{0,6}")).prop_map(|(id, l, s, e, t)| {
            serde_json::json!({"id": format!("r{id}"), "type": "labels", "value": {"start": s, "end": e, "text": t, "labels": [l]}})
        });
        let relation = (0..6u8, 0..6u8, label()).prop_map(|(a, b, l)| serde_json::json!({"type": "relation", "from_id": format!("r{a}"), "to_id": format!("r{b}"), "labels": [l]}));
        let result = prop::collection::vec(prop_oneof![region, relation], 0..6);
        prop::collection::vec((text(), result, prop::option::of("[a-z]{1,4}")), 1..3).prop_map(|tasks| {
            let tasks: Vec<Value> = tasks
                .into_iter()
                .map(|(t, r, article)| serde_json::json!({"data": {"text": t, "article": article, "before": "\n"}, "annotations": [{"result": r}]}))
                .collect();
            serde_json::to_string(&tasks).unwrap()
        })
    }

    fn web_annotation() -> impl Strategy<Value = String> {
        let selector = prop_oneof![
            (0..70u64, 0..70u64).prop_map(
                |(s, e)| serde_json::json!({"type": "TextPositionSelector", "start": s, "end": e})
            ),
            ("[a-zK ]{0,6}", "[a-z ]{0,3}").prop_map(
                |(x, p)| serde_json::json!({"type": "TextQuoteSelector", "exact": x, "prefix": p})
            ),
        ];
        let body = prop_oneof![
            label().prop_map(Value::String),
            (label(), prop::option::of(label())).prop_map(|(s, h)| serde_json::json!({"type": "dossier:Stance", "dossier:stance": s, "dossier:holder": h, "dossier:target": "iran"})),
            Just(serde_json::json!({"type": "dossier:Passage", "dossier:actors": ["iran"]})),
        ];
        let annotation = (body, prop::collection::vec(selector, 0..3)).prop_map(|(b, s)| {
            serde_json::json!({"type": "Annotation", "body": b, "target": {"source": "s", "selector": s}})
        });
        (text(), prop::collection::vec(annotation, 0..6)).prop_map(|(t, items)| {
            let mut lines = vec![
                serde_json::json!({"id": "s", "type": "dossier:Source", "dossier:text": t})
                    .to_string(),
            ];
            lines.extend(items.iter().map(Value::to_string));
            lines.join("\n")
        })
    }

    /// An import of anything either writes a corpus that passes `check`,
    /// or returns an error and leaves every file as it was. Never a panic.
    fn import_is_all_or_nothing(
        format: ImportFormat,
        files: &[(&str, &str)],
    ) -> Result<(), TestCaseError> {
        let tmp = tempfile::tempdir().unwrap();
        let dir = empty_corpus(tmp.path());
        let before = snapshot(&dir);
        let mut given = Vec::new();
        for (name, content) in files {
            let p = tmp.path().join(name);
            std::fs::write(&p, content).unwrap();
            if !name.ends_with(".txt") {
                given.push(p);
            }
        }
        match import_into(&dir, format, &given) {
            Ok(imported) => {
                prop_assert!(!imported.articles.is_empty());
                let summary = Corpus::load(&dir).and_then(|c| c.check());
                prop_assert!(summary.is_ok(), "{:?}", summary.err());
            }
            Err(_) => prop_assert_eq!(snapshot(&dir), before),
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn any_brat_file(text in text(), lines in prop::collection::vec(brat_line(), 0..10)) {
            import_is_all_or_nothing(ImportFormat::Brat, &[("a.txt", &text), ("a.ann", &lines.join("\n"))])?;
        }

        #[test]
        fn any_label_studio_file(tasks in label_studio()) {
            import_is_all_or_nothing(ImportFormat::LabelStudio, &[("t.json", &tasks)])?;
        }

        #[test]
        fn any_web_annotation_file(lines in web_annotation()) {
            import_is_all_or_nothing(ImportFormat::WebAnno, &[("a.jsonl", &lines)])?;
        }
    }
}
