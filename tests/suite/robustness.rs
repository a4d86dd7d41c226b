//! Damaged indexes, killed builds, concurrent builders, and hostile corpora.

use crate::util::{big_corpus, copy_tree, corpus_dir, entries};
use dossier::{Corpus, Error, Freshness, Index, Location, Query};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("dossier")
}

/// The live generation folder of an index directory.
fn generation(index_dir: &Path) -> PathBuf {
    let name = std::fs::read_to_string(index_dir.join("CURRENT")).unwrap();
    index_dir.join(name.trim())
}

/// A built index of the bundled corpus in a temp dir.
fn built() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("index");
    Index::open_or_build(crate::util::corpus(), Location::Dir(dir.clone())).unwrap();
    (tmp, dir)
}

fn segment_files(gen: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(gen)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            ["idx", "term", "pos", "store", "fast", "fieldnorm"].contains(&ext.as_str())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

fn assert_damaged_then_rebuilt(dir: &Path, expect_in_reason: &str) {
    match Index::open(dir) {
        Err(Error::IndexDamaged { reason, .. }) => {
            assert!(reason.contains(expect_in_reason), "{reason}");
            // The reason quotes at most a little of a garbage file.
            assert!(
                reason.chars().count() <= 400,
                "{} characters",
                reason.chars().count()
            );
        }
        other => panic!("expected a damaged index, got {other:?}"),
    }
    let rebuilt =
        Index::open_or_build(crate::util::corpus(), Location::Dir(dir.to_owned())).unwrap();
    assert!(matches!(rebuilt.freshness(), Freshness::Built(_)));
    assert_eq!(
        rebuilt.search(&Query::all().actor("Khatib")).unwrap().total,
        3
    );
}

#[test]
fn a_deleted_segment_file_is_detected_and_rebuilt() {
    let (_tmp, dir) = built();
    let victim = segment_files(&generation(&dir)).remove(0);
    std::fs::remove_file(&victim).unwrap();
    assert_damaged_then_rebuilt(&dir, "is missing");
}

#[test]
fn a_truncated_segment_file_is_detected_and_rebuilt() {
    let (_tmp, dir) = built();
    for victim in segment_files(&generation(&dir)) {
        let len = std::fs::metadata(&victim).unwrap().len();
        if len > 8 {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&victim)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
            break;
        }
    }
    assert_damaged_then_rebuilt(&dir, "bytes, expected");
}

#[test]
fn corrupt_meta_json_and_manifest_are_detected_and_rebuilt() {
    let (_tmp, dir) = built();
    let meta = generation(&dir).join("meta.json");
    let len = std::fs::metadata(&meta).unwrap().len() as usize;
    std::fs::write(&meta, "x".repeat(len)).unwrap();
    assert_damaged_then_rebuilt(&dir, "Meta file cannot be deserialized");

    let manifest = generation(&dir).join("manifest.json");
    std::fs::write(&manifest, b"{\"schema_version\": ").unwrap();
    assert_damaged_then_rebuilt(&dir, "manifest.json is unreadable");
}

#[test]
fn an_index_of_another_schema_version_is_rebuilt() {
    let (_tmp, dir) = built();
    let manifest = generation(&dir).join("manifest.json");
    let json = std::fs::read_to_string(&manifest).unwrap();
    let old = json.replacen(
        &format!("\"schema_version\":{}", dossier::index::SCHEMA_VERSION),
        "\"schema_version\":0",
        1,
    );
    assert_ne!(json, old);
    std::fs::write(&manifest, old).unwrap();
    assert!(
        matches!(Index::open(&dir), Err(Error::IndexDamaged { reason, .. }) if reason.contains("format 0"))
    );
    let rebuilt = Index::open_or_build(crate::util::corpus(), Location::Dir(dir.clone())).unwrap();
    match rebuilt.freshness() {
        Freshness::Built(reason) => assert!(reason.contains("index format 0"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

/// Every byte of the segment files scrambled at the same size: the
/// manifest check passes, and tantivy meets garbage. Without a rebuild
/// (`--no-refresh` keeps the damaged index in use), each command must end
/// with one `dossier:` line and exit 2 (or answer), never with a crash, a
/// hang or a rebuild.
#[test]
fn scrambled_segment_contents_give_errors_or_results_never_a_crash() {
    let (tmp, dir) = built();
    let before = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    for file in segment_files(&generation(&dir)) {
        let mut bytes = std::fs::read(&file).unwrap();
        for (i, b) in bytes.iter_mut().enumerate() {
            if i % 7 == 3 {
                *b = b.wrapping_mul(31).wrapping_add(17);
            }
        }
        std::fs::write(&file, bytes).unwrap();
    }
    let mut errors = 0;
    for args in [
        &["search", "security"][..],
        &["search", "--actor", "Khatib"],
        &["facets", "--by", "actor"],
        &["show", "iran-intel-02"],
        &["timeline"],
    ] {
        let out = assert_cmd::Command::new(bin())
            .env_remove("NO_COLOR")
            .env_remove("DOSSIER_CORPUS")
            .env("DOSSIER_INDEX", &dir)
            .arg("--no-refresh")
            .arg("--corpus")
            .arg(corpus_dir())
            .args(args)
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) | Some(1) => assert_eq!(stderr, "", "{args:?}"),
            Some(2) => {
                errors += 1;
                assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
                assert!(
                    stderr.starts_with("dossier: the index at ") && stderr.contains("is unusable"),
                    "{args:?}: {stderr}"
                );
                assert!(
                    !stderr.contains("internal error"),
                    "{args:?}: a panic of ours: {stderr}"
                );
            }
            _ => panic!("{args:?} ended with {:?}: {stderr}", out.status),
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("CURRENT")).unwrap(),
            before,
            "{args:?}: --no-refresh must not rebuild"
        );
    }
    assert!(
        errors > 0,
        "scrambled files went unnoticed by every command"
    );
    drop(tmp);
}

fn dossier_index(corpus: &Path, index: &Path, force: bool) -> Command {
    let mut cmd = Command::new(bin());
    cmd.env_remove("DOSSIER_CORPUS").env_remove("DOSSIER_INDEX");
    cmd.arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .arg("index");
    if force {
        cmd.arg("--force");
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

/// Waits until the index folder has a `tmp-` folder (a build under way),
/// or the child ends. True if a build was seen under way.
fn wait_for_build(index: &Path, child: &mut std::process::Child) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if entries(index, "tmp-") > 0 {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

/// SIGKILL while a build writes its new generation, at several points:
/// the live generation is untouched and answers; what the killed build left
/// is swept by the next one.
#[test]
fn a_killed_build_leaves_the_last_good_index_usable() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    big_corpus(&corpus, 1500);
    assert!(dossier_index(&corpus, &index, false)
        .status()
        .unwrap()
        .success());
    // The kill points are shares of a forced build's time on this machine,
    // so that they fall while it writes however fast the machine is (fixed
    // delays of up to 600 ms came after the end of a 0.33 s build).
    let started = std::time::Instant::now();
    assert!(dossier_index(&corpus, &index, true)
        .status()
        .unwrap()
        .success());
    let build = started.elapsed();
    let mut good = generation(&index);
    let mut interrupted = 0;
    for share in [0.0, 0.1, 0.3, 0.6] {
        let delay = build.mul_f64(share);
        let mut child = dossier_index(&corpus, &index, true).spawn().unwrap();
        assert!(
            wait_for_build(&index, &mut child),
            "the build never started"
        );
        std::thread::sleep(delay);
        // SIGKILL: no destructor, no cleanup.
        child.kill().unwrap();
        if child.wait().unwrap().code().is_some() {
            // It finished first, and its generation is the good one now.
            good = generation(&index);
            continue;
        }
        interrupted += 1;
        assert!(
            entries(&index, "tmp-") > 0,
            "the interrupted build left its folder"
        );
        assert_eq!(generation(&index), good, "nothing was published");
        let opened = Index::open(&index).unwrap();
        let r = opened.search(&Query::all().actor("Khatib")).unwrap();
        assert_eq!(r.total, 3 * 1501, "after a kill at {delay:?}");
    }
    assert!(
        interrupted >= 3,
        "only {interrupted} of 4 builds were caught under way"
    );
    // The next build sweeps what the killed builds left behind.
    assert!(dossier_index(&corpus, &index, true)
        .status()
        .unwrap()
        .success());
    assert_eq!(entries(&index, "tmp-"), 0, "temp folders pile up");
    assert_eq!(entries(&index, "gen-"), 1);
}

/// The same for an incremental update: a kill leaves the last good
/// generation answering, and the next run applies the edit.
#[test]
fn a_killed_update_leaves_the_last_good_index_usable() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    big_corpus(&corpus, 1000);
    assert!(dossier_index(&corpus, &index, false)
        .status()
        .unwrap()
        .success());
    // Remove Khatib from 400 articles (under half: an update, not a build).
    for n in 0..400 {
        let toml = corpus.join(format!("articles/copy-{n:04}/article.toml"));
        let text = std::fs::read_to_string(&toml).unwrap();
        let edited = text
            .replace("\"esmail-khatib\", ", "")
            .replace(", \"esmail-khatib\"", "");
        std::fs::write(&toml, edited).unwrap();
    }
    let good = generation(&index);
    let mut interrupted = 0;
    for delay_ms in [0, 20, 100] {
        let mut child = dossier_index(&corpus, &index, false).spawn().unwrap();
        if !wait_for_build(&index, &mut child) {
            continue;
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        if child.wait().unwrap().code().is_some() {
            continue; // it finished first
        }
        interrupted += 1;
        assert_eq!(generation(&index), good, "nothing was published");
        let r = Index::open(&index)
            .unwrap()
            .search(&Query::all().actor("Khatib"))
            .unwrap();
        assert_eq!(r.total, 3 * 1001, "the last good index answers");
    }
    assert!(interrupted > 0, "no update was caught under way");
    let out = dossier_index(&corpus, &index, false).output().unwrap();
    assert!(out.status.success());
    let r = Index::open(&index)
        .unwrap()
        .search(&Query::all().actor("Khatib"))
        .unwrap();
    // Passage 1, 2 and 3 of each article list Khatib; 400 copies no longer.
    assert_eq!(r.total, 3 * (1001 - 400));
    assert_eq!(entries(&index, "tmp-"), 0);
}

#[test]
fn two_builders_at_once_serialize_and_searches_never_fail_meanwhile() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    big_corpus(&corpus, 150);
    assert!(dossier_index(&corpus, &index, false)
        .status()
        .unwrap()
        .success());
    let a = dossier_index(&corpus, &index, true).spawn().unwrap();
    let b = dossier_index(&corpus, &index, true).spawn().unwrap();
    let mut searches = 0;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let (mut a, mut b) = (a, b);
    loop {
        let out = Command::new(bin())
            .env_remove("DOSSIER_CORPUS")
            .env_remove("DOSSIER_INDEX")
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args([
                "search", "--actor", "Khatib", "--format", "json", "--limit", "1",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "search during rebuild: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["total"], 3 * 151);
        searches += 1;
        let done = a.try_wait().unwrap().is_some() && b.try_wait().unwrap().is_some();
        if done || std::time::Instant::now() > deadline {
            break;
        }
    }
    for child in [&mut a, &mut b] {
        let out = child.wait().unwrap();
        assert!(out.success(), "a builder failed");
    }
    assert!(searches >= 2, "searches ran alongside the builds");
    // A search may still have held the superseded generation when the last
    // build published; the next process to look collects it.
    let settle = dossier_index(&corpus, &index, false).output().unwrap();
    assert!(settle.status.success());
    assert_eq!(entries(&index, "gen-"), 1);
    assert_eq!(entries(&index, "tmp-"), 0);
    assert_eq!(Index::open(&index).unwrap().stats().passages, 20 * 151);
}

#[test]
fn a_failed_build_keeps_the_previous_index() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    let index = tmp.path().join("index");
    Index::open_or_build(
        &Corpus::load(&corpus).unwrap(),
        Location::Dir(index.clone()),
    )
    .unwrap();
    let before = generation(&index);
    // Break the corpus: the rebuild must fail and change nothing.
    let article = corpus.join("articles/iran-intel/article.toml");
    let toml = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, toml.replacen("ordinal = 1", "ordinal = 7", 1)).unwrap();
    let c = Corpus::load(&corpus).unwrap();
    assert!(matches!(
        Index::open_or_build(&c, Location::Dir(index.clone())),
        Err(Error::Corpus(_))
    ));
    assert_eq!(generation(&index), before);
    assert_eq!(entries(&index, "tmp-"), 0);
    assert_eq!(
        Index::open(&index)
            .unwrap()
            .search(&Query::text("revenge"))
            .unwrap()
            .total,
        1
    );
}

#[test]
fn hostile_corpus_layouts_get_errors_not_hangs() {
    // Empty directory: every registry file is reported missing.
    let tmp = tempfile::tempdir().unwrap();
    match Corpus::load(tmp.path()) {
        Err(Error::Corpus(e)) => assert_eq!(e.len(), 3, "{e:#?}"),
        other => panic!("{other:?}"),
    }
    // A symlink loop among the articles, and a text file that is a folder.
    let root = tmp.path().join("corpus");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"),
        &root,
    );
    std::os::unix::fs::symlink(".", root.join("articles/loop")).unwrap();
    let text = root.join("articles/tiny/text.txt");
    std::fs::remove_file(&text).unwrap();
    std::fs::create_dir(&text).unwrap();
    let errors = match Corpus::load(&root).unwrap().check() {
        Err(Error::Corpus(e)) => e,
        other => panic!("{other:?}"),
    };
    assert!(
        errors
            .iter()
            .any(|d| d.file == Path::new("articles/loop/article.toml")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|d| d.file == Path::new("articles/tiny/text.txt")),
        "{errors:#?}"
    );
    // A truncated annotation file.
    let root2 = tmp.path().join("corpus2");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base"),
        &root2,
    );
    let toml_path = root2.join("articles/tiny/article.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    std::fs::write(&toml_path, &toml[..toml.find("quote = ").unwrap() + 12]).unwrap();
    let errors = match Corpus::load(&root2).unwrap().check() {
        Err(Error::Corpus(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(errors[0].line, Some(22), "{errors:#?}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn base_article() -> String {
        std::fs::read_to_string(corpus_dir().join("articles/iran-intel/article.toml")).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Mutated annotation files: the loader returns a corpus or errors,
        /// never panics, and every error names a file.
        #[test]
        fn mutated_toml_is_reported_not_fatal(cut in 0usize..30_000, len in 0usize..200, insert in "\\PC{0,20}") {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("corpus");
            copy_tree(&corpus_dir(), &root);
            let original = base_article();
            let mut bytes = original.clone().into_bytes();
            let at = cut.min(bytes.len());
            let end = (at + len).min(bytes.len());
            bytes.splice(at..end, insert.bytes());
            std::fs::write(root.join("articles/iran-intel/article.toml"), &bytes).unwrap();
            match Corpus::load(&root).and_then(|c| c.check()) {
                Ok(summary) => prop_assert!(summary.passages <= 20),
                Err(Error::Corpus(errors)) => {
                    prop_assert!(!errors.is_empty());
                    prop_assert!(errors.iter().all(|d| !d.file.as_os_str().is_empty()));
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }
    }
}

/// Fault injection: the builder's writes start failing (a file-size limit
/// makes write(2) return EFBIG, as a full disk would return ENOSPC). The
/// build must fail with a clear error and leave the last good index in use.
#[test]
fn a_failed_write_during_the_build_keeps_the_last_good_index() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    big_corpus(&corpus, 300);
    assert!(dossier_index(&corpus, &index, false)
        .status()
        .unwrap()
        .success());
    let good = generation(&index);
    let script = format!(
        "trap '' XFSZ; ulimit -f 512; exec '{}' --corpus '{}' --index '{}' index --force",
        bin().display(),
        corpus.display(),
        index.display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    // One line, no Rust panic report (tantivy's own wording may say "panicked").
    assert!(
        stderr.starts_with("dossier: ")
            && !stderr.contains("panicked at")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert_eq!(generation(&index), good, "the live index must not change");
    assert_eq!(
        Index::open(&index)
            .unwrap()
            .search(&Query::all().actor("Khatib"))
            .unwrap()
            .total,
        3 * 301
    );
    // The next unconstrained build cleans up and succeeds.
    assert!(dossier_index(&corpus, &index, true)
        .status()
        .unwrap()
        .success());
    assert_eq!(entries(&index, "tmp-"), 0);
}
