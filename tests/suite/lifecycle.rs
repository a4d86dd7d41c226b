//! The index lifecycle: ownership of the index folder, freshness decided
//! from stamps taken before reading, readers that outlive a rebuild,
//! read-only indexes, and incremental updates that answer exactly as a
//! fresh build.

use crate::util::{copy_tree, corpus_dir, entries, run_on as dossier};
use dossier::{BuildOptions, Corpus, CorpusSource, Freshness, Index, Location, Query};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("dossier")
}

fn bundled_copy(root: &Path) -> PathBuf {
    let corpus = root.join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    corpus
}

fn open(corpus: &Path, index: &Path) -> Index {
    let c = Corpus::load(corpus).unwrap();
    Index::open_or_build(&c, Location::Dir(index.to_owned())).unwrap()
}

#[test]
fn a_folder_dossier_did_not_make_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let proj = tmp.path().join("proj");
    std::fs::create_dir_all(proj.join("tmp-notes")).unwrap();
    std::fs::write(proj.join("tmp-notes/a.txt"), "x").unwrap();
    std::fs::create_dir_all(proj.join("gen-1-2")).unwrap();
    std::fs::write(proj.join("notes.md"), "mine").unwrap();
    let out = dossier(&corpus, &proj, &["search", "revenge"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("dossier: ")
            && stderr.contains("is not empty and is not a dossier index"),
        "{stderr}"
    );
    // Nothing was deleted or written.
    let mut names: Vec<String> = std::fs::read_dir(&proj)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["gen-1-2", "notes.md", "tmp-notes"]);
    assert_eq!(
        std::fs::read_to_string(proj.join("tmp-notes/a.txt")).unwrap(),
        "x"
    );
    // A new folder, or an empty one, becomes an index and is marked.
    for dir in [tmp.path().join("new/deep"), {
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        empty
    }] {
        let out = dossier(&corpus, &dir, &["search", "revenge"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(dir.join("DOSSIER_INDEX").is_file());
    }
}

#[test]
fn a_registry_edit_during_a_build_leaves_the_index_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    let actors = corpus.join("actors.toml");
    let mut edited = false;
    let mut edit = |_: dossier::index::BuildProgress| {
        // The build has stamped and read the registries: edit them now.
        if !edited {
            let mut text = std::fs::read_to_string(&actors).unwrap();
            text.push_str("\n[[actors]]\nid = \"zarif\"\nname = \"Mohammad Javad Zarif\"\nkind = \"person\"\n");
            std::fs::write(&actors, text).unwrap();
            edited = true;
        }
    };
    let source = CorpusSource::Dir(corpus.clone());
    let first = Index::open_or_build_source(
        &source,
        None,
        &Location::Dir(index.clone()),
        BuildOptions {
            force: false,
            progress: Some(&mut edit),
        },
    )
    .unwrap();
    assert!(matches!(first.freshness(), Freshness::Built(_)));
    assert!(
        first.resolver().unwrap().resolve("Zarif").is_none(),
        "built before the edit"
    );
    drop(first);
    // The edit is seen: the registries are updated, and Zarif resolves.
    let second = open(&corpus, &index);
    match second.freshness() {
        Freshness::Updated(s) => assert!(s.registries && s.added + s.changed + s.removed == 0),
        other => panic!("the edit was recorded as indexed: {other:?}"),
    }
    assert!(second.resolver().unwrap().resolve("Zarif").is_some());
}

#[test]
fn an_article_removed_during_a_build_is_a_removal_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    crate::util::big_corpus(&corpus, 3);
    let index = tmp.path().join("index");
    let stage = tmp.path().join("stage");
    std::fs::create_dir(&stage).unwrap();
    // Listed and stamped (the corpus is open), then moved away before the
    // build reads it.
    let listed = Corpus::load(&corpus).unwrap();
    assert_eq!(listed.article_ids().len(), 4);
    std::fs::rename(corpus.join("articles/iran-intel"), stage.join("iran-intel")).unwrap();
    let built = Index::open_or_build(&listed, Location::Dir(index.clone())).unwrap();
    assert_eq!(built.stats().articles, 3);
    assert_eq!(built.stats().passages, 60);
    drop(built);
    assert_eq!(open(&corpus, &index).freshness(), &Freshness::Reused);
    // Putting it back adds it.
    std::fs::rename(stage.join("iran-intel"), corpus.join("articles/iran-intel")).unwrap();
    let back = open(&corpus, &index);
    match back.freshness() {
        Freshness::Updated(s) => assert_eq!((s.added, s.changed, s.removed), (1, 0, 0)),
        other => panic!("{other:?}"),
    }
    assert_eq!(back.stats().passages, 80);
}

#[test]
fn a_same_size_edit_with_its_mtime_set_back_is_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    let text = corpus.join("articles/iran-intel/text.txt");
    assert_eq!(
        dossier(&corpus, &index, &["search", "zeppelinxxxx"])
            .status
            .code(),
        Some(1)
    );
    let before = std::fs::metadata(&text).unwrap().modified().unwrap();
    let content = std::fs::read_to_string(&text).unwrap();
    std::fs::write(&text, content.replacen("achievements", "zeppelinxxxx", 1)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&text)
        .unwrap()
        .set_modified(before)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&text).unwrap().modified().unwrap(),
        before
    );
    let out = dossier(&corpus, &index, &["search", "zeppelinxxxx"]);
    assert_eq!(out.status.code(), Some(0), "the edit must be seen");
    assert!(String::from_utf8_lossy(&out.stderr).contains("updated 1 article (1 changed)"));
}

#[test]
fn no_refresh_never_answers_from_another_corpus() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base");
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    assert!(dossier(&fixture, &index, &["index"]).status.success());
    let out = dossier(
        &corpus,
        &index,
        &["--no-refresh", "search", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["total"], 20,
        "the bundled corpus, not the fixture's 2 passages"
    );
    assert_eq!(v["hits"][0]["article"], "iran-intel");
}

#[test]
fn a_reader_finishes_on_its_generation_while_rebuilds_collect_others() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    let old = open(&corpus, &index);
    let old_path = old.path().to_owned();
    // Two rebuilds publish newer generations; the old one is held.
    for _ in 0..2 {
        let c = Corpus::load(&corpus).unwrap();
        Index::open_or_build_source(
            c.source(),
            Some(&c),
            &Location::Dir(index.clone()),
            BuildOptions {
                force: true,
                progress: None,
            },
        )
        .unwrap();
    }
    assert!(old_path.exists(), "held by a reader");
    // The old reader still answers, and loads its side files on first use.
    assert_eq!(old.search(&Query::all().actor("Khatib")).unwrap().total, 3);
    assert_eq!(old.passage("iran-intel-03").unwrap().ordinal, 3);
    assert!(old.registry().unwrap().actor("esmail-khatib").is_some());
    drop(old);
    // Once it is gone, the next look collects it (and the unheld middle one
    // went at the second build).
    assert_eq!(open(&corpus, &index).freshness(), &Freshness::Reused);
    assert!(!old_path.exists());
    assert_eq!(entries(&index, "gen-"), 1);
}

/// A refresh that reads a file while an editor saves it in place (the file
/// truncated, not yet written) reads the corpus again once the save is
/// done, and answers from it, instead of reporting the empty file. The save
/// is finished only when the first attempt lets go of the build lock (seen
/// with inotify), so that attempt surely read the empty file.
#[test]
fn a_file_caught_half_saved_is_read_again_not_reported() {
    use rustix::event::{PollFd, PollFlags, Timespec};
    use rustix::fs::inotify::{self, CreateFlags, WatchFlags};
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    drop(open(&corpus, &index));
    for file in ["articles/iran-intel/article.toml", "actors.toml"] {
        let path = corpus.join(file);
        let saved = std::fs::read_to_string(&path).unwrap() + "\n# saved again\n";
        // The editor's save begins: the file is truncated.
        std::fs::File::create(&path).unwrap();
        let lock_closed = inotify::init(CreateFlags::CLOEXEC).unwrap();
        inotify::add_watch(
            &lock_closed,
            index.join("build.lock"),
            WatchFlags::CLOSE_WRITE,
        )
        .unwrap();
        let refreshed = std::thread::scope(|scope| {
            scope.spawn(|| {
                let mut fds = [PollFd::new(&lock_closed, PollFlags::IN)];
                let wait = Timespec {
                    tv_sec: 10,
                    tv_nsec: 0,
                };
                let ready = rustix::event::poll(&mut fds, Some(&wait)).unwrap();
                assert_eq!(ready, 1, "{file}: no attempt let go of the build lock");
                // ... and ends.
                std::fs::write(&path, &saved).unwrap();
            });
            Index::open_or_build_source(
                &CorpusSource::Dir(corpus.clone()),
                None,
                &Location::Dir(index.clone()),
                BuildOptions::default(),
            )
        });
        let index = refreshed.unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            index.search(&Query::all().actor("Khatib")).unwrap().total,
            3,
            "{file}"
        );
    }
}

/// Runs `args` as another, unprivileged user (root ignores permissions),
/// or as this user when it is not root (then the index is made read-only).
fn as_someone_else(args: &[&str], index: &Path) -> std::process::Output {
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin());
        c
    } else {
        Command::new("chmod")
            .arg("-R")
            .arg("a-w")
            .arg(index)
            .status()
            .unwrap();
        Command::new(bin())
    };
    cmd.env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .env("HOME", "/nonexistent")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_read_only_index_answers_and_says_when_it_is_stale() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // Everyone may read and enter (but not write) the corpus and index.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    assert!(dossier(&corpus, &index, &["index"]).status.success());
    Command::new("chmod")
        .arg("-R")
        .arg("go+rX")
        .arg(tmp.path())
        .status()
        .unwrap();
    let (c, i) = (corpus.to_str().unwrap(), index.to_str().unwrap());
    let fresh = as_someone_else(&["--corpus", c, "--index", i, "search", "revenge"], &index);
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&fresh.stderr), "");
    let no_refresh = as_someone_else(
        &[
            "--no-refresh",
            "--corpus",
            c,
            "--index",
            i,
            "search",
            "revenge",
        ],
        &index,
    );
    assert_eq!(no_refresh.status.code(), Some(0));
    // Stale: it still answers, with a warning.
    let article = corpus.join("articles/iran-intel/article.toml");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(
        &article,
        text.replacen("title = \"", "title = \"Edited: ", 1),
    )
    .unwrap();
    let stale = as_someone_else(&["--corpus", c, "--index", i, "search", "revenge"], &index);
    assert_eq!(stale.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(
        stderr.starts_with("dossier: warning: the index at ")
            && stderr.contains("is stale (1 article changed) and cannot be written"),
        "{stderr}"
    );
    // `dossier index` cannot do its job there: an error.
    let build = as_someone_else(&["--corpus", c, "--index", i, "index"], &index);
    assert_eq!(build.status.code(), Some(2));
}

/// Readers beside a writer that rebuilds, edits, removes and restores
/// articles for a while: no read may fail, and every answer is one that
/// some published generation gives.
#[test]
fn readers_never_fail_while_a_writer_rebuilds_and_updates() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    crate::util::big_corpus(&corpus, 100);
    let index = tmp.path().join("index");
    let stage = tmp.path().join("stage");
    std::fs::create_dir(&stage).unwrap();
    assert!(dossier(&corpus, &index, &["index"]).status.success());
    let readers = crate::util::Readers::default();
    std::thread::scope(|scope| {
        for reader in 0..4 {
            let (readers, corpus, index) = (&readers, &corpus, &index);
            scope.spawn(move || {
                while readers.running() {
                    let args: &[&str] = if reader % 2 == 0 {
                        &[
                            "search", "--actor", "Khatib", "--format", "json", "--limit", "1",
                        ]
                    } else {
                        &["show", "iran-intel-03", "--format", "json"]
                    };
                    let out = dossier(corpus, index, args);
                    let ok = out.status.code() == Some(0) && {
                        let v: serde_json::Value =
                            serde_json::from_slice(&out.stdout).unwrap_or_default();
                        // 101 articles, or 100 while one is moved away.
                        reader % 2 == 1 || v["total"] == 303 || v["total"] == 300
                    };
                    readers.record((!ok).then(|| {
                        format!(
                            "{args:?}: {:?} {} {}",
                            out.status,
                            String::from_utf8_lossy(&out.stderr),
                            String::from_utf8_lossy(&out.stdout)
                                .chars()
                                .take(200)
                                .collect::<String>()
                        )
                    }));
                }
            });
        }
        let _stop_readers = readers.stop_on_drop();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let title = corpus.join("articles/copy-0000/article.toml");
        let mut round = 0;
        while std::time::Instant::now() < deadline {
            let step = match round % 4 {
                0 => dossier(&corpus, &index, &["index", "--force"]),
                1 => {
                    let text = std::fs::read_to_string(&title).unwrap();
                    std::fs::write(&title, text.replacen("title = \"", "title = \"x", 1)).unwrap();
                    dossier(&corpus, &index, &["index"])
                }
                2 => {
                    std::fs::rename(corpus.join("articles/copy-0001"), stage.join("copy-0001"))
                        .unwrap();
                    dossier(&corpus, &index, &["index"])
                }
                _ => {
                    std::fs::rename(stage.join("copy-0001"), corpus.join("articles/copy-0001"))
                        .unwrap();
                    dossier(&corpus, &index, &["index"])
                }
            };
            assert!(
                step.status.success(),
                "{}",
                String::from_utf8_lossy(&step.stderr)
            );
            round += 1;
        }
    });
    readers.assert_none_failed(100);
}

#[test]
fn the_build_lock_excludes_a_second_builder() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = bundled_copy(tmp.path());
    let index = tmp.path().join("index");
    assert!(dossier(&corpus, &index, &["index"]).status.success());
    // Hold the lock as a builder would.
    let lock = std::fs::File::options()
        .write(true)
        .open(index.join("build.lock"))
        .unwrap();
    lock.lock().unwrap();
    let before = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let mut child = Command::new(bin())
        .args([
            "--corpus",
            corpus.to_str().unwrap(),
            "--index",
            index.to_str().unwrap(),
        ])
        .args(["index", "--force"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it must wait for the lock"
    );
    assert_eq!(
        std::fs::read_to_string(index.join("CURRENT")).unwrap(),
        before
    );
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert_ne!(
        std::fs::read_to_string(index.join("CURRENT")).unwrap(),
        before
    );
}

#[test]
fn of_two_builders_after_an_edit_one_updates_and_the_other_finds_it_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    crate::util::big_corpus(&corpus, 200);
    let index = tmp.path().join("index");
    assert!(dossier(&corpus, &index, &["index"]).status.success());
    let toml = corpus.join("articles/copy-0007/article.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replacen("title = \"", "title = \"Edited ", 1)).unwrap();
    let run = || {
        Command::new(bin())
            .args([
                "--corpus",
                corpus.to_str().unwrap(),
                "--index",
                index.to_str().unwrap(),
                "index",
            ])
            .output()
            .unwrap()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(run);
        let b = s.spawn(run);
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut said: Vec<String> = [a, b]
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    said.sort();
    assert!(
        said[0].starts_with("index is up to date: 4020 passages"),
        "{said:?}"
    );
    assert!(
        said[1].starts_with("updated 1 article (1 changed) in "),
        "{said:?}"
    );
}

/// The CLI's answers to a fixed set of commands, for comparing two indexes
/// of one corpus: each command's exit code and stdout, with BM25 scores
/// left out (see `incremental.rs`: they may differ until a merge).
fn cli_answers(corpus: &Path, index: &Path) -> Vec<(String, i32, serde_json::Value)> {
    let search = |args: &[&'static str]| -> Vec<&'static str> {
        let sorted = ["search", "--format", "json", "--sort", "position"];
        [&sorted[..], &["--limit", "1000"], args].concat()
    };
    let commands: Vec<Vec<&str>> = vec![
        search(&["security"]),
        search(&["reckoning OR revenge", "--actor", "Khatib"]),
        search(&["--camp", "reformist"]),
        search(&["--camp", "centrist"]),
        search(&["--stance", "admits-failure"]),
        search(&["--holder", "Zarif"]),
        search(&["--actor", "Javad Zarif"]),
        vec![
            "facets", "--by", "holder", "--by", "stance", "--format", "json",
        ],
        vec!["facets", "--by", "camp", "--format", "json"],
        vec!["timeline", "--format", "json"],
        vec!["actors", "Zarif", "--format", "json"],
        vec!["actors", "Khatib", "--format", "json"],
        vec!["stances", "--format", "json"],
    ];
    commands
        .into_iter()
        .map(|args| {
            let out = dossier(corpus, index, &args);
            let mut json: serde_json::Value =
                serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
            if let Some(hits) = json.get_mut("hits").and_then(|h| h.as_array_mut()) {
                for hit in hits {
                    hit.as_object_mut().unwrap().remove("score");
                }
            }
            (args.join(" "), out.status.code().unwrap_or(-1), json)
        })
        .collect()
}

/// The larger CLI counterpart of the model-based test: a corpus of 41
/// articles goes through one edit of each kind, and after each the index
/// that `dossier search` refreshed answers every command of `cli_answers`
/// exactly as a fresh build does, having done only the work it said.
#[test]
fn after_each_kind_of_edit_the_refreshed_cli_answers_as_a_fresh_build() {
    edits_are_answered_as_by_a_fresh_build(false);
}

/// The steps of the test above, optionally with a `dossier watch` running
/// for the live index (see `watch.rs`). With one, every edit must still be
/// seen by the next command, and every command after that must be answered
/// on the watcher's word alone.
pub(crate) fn edits_are_answered_as_by_a_fresh_build(watched: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    crate::util::big_corpus(&corpus, 40);
    let live = tmp.path().join("live");
    assert!(dossier(&corpus, &live, &["index"]).status.success());
    let _watcher = watched.then(|| crate::util::Watching::start(&corpus, &live));
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let actors = corpus.join("actors.toml");
    let stances = corpus.join("stances.toml");
    let note = corpus.join("articles/zarif-note");
    let edit = |path: &Path, from: &str, to: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(from), "{from} not in {}", path.display());
        std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    };
    let append = |path: &Path, more: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, text + more).unwrap();
    };
    let zarif = "\n[[actors]]\nid = \"mohammad-javad-zarif\"\nname = \"Mohammad Javad Zarif\"\nkind = \"person\"\naliases = [\"Zarif\"]\ncamp = \"reformist\"\n";
    let text = "Zarif said the security failure was evident.";
    // Each step: what the refresh must say, and the edit.
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        (
            "updated 1 article (1 changed)",
            Box::new(|| {
                edit(
                    &corpus.join("articles/copy-0003/article.toml"),
                    "polarity = \"against\"",
                    "polarity = \"favor\"",
                )
            }),
        ),
        (
            // Through a hard link outside the corpus: no event names the
            // corpus folder, only the file itself changes.
            "updated 1 article (1 changed)",
            Box::new(|| {
                let link = elsewhere.join("linked.toml");
                std::fs::hard_link(corpus.join("articles/copy-0004/article.toml"), &link).unwrap();
                edit(&link, "polarity = \"against\"", "polarity = \"favor\"");
            }),
        ),
        (
            // As editors save: a new file renamed over the old one.
            "updated 1 article (1 changed)",
            Box::new(|| {
                let path = corpus.join("articles/copy-0006/article.toml");
                let text = std::fs::read_to_string(&path).unwrap();
                let saved = elsewhere.join("saved.toml");
                std::fs::write(
                    &saved,
                    text.replacen("polarity = \"against\"", "polarity = \"favor\"", 1),
                )
                .unwrap();
                std::fs::rename(&saved, &path).unwrap();
            }),
        ),
        (
            "updated 1 article (1 removed)",
            Box::new(|| {
                std::fs::rename(
                    corpus.join("articles/copy-0007"),
                    elsewhere.join("copy-0007"),
                )
                .unwrap()
            }),
        ),
        (
            "updated 1 article (1 added)",
            Box::new(|| {
                std::fs::rename(
                    elsewhere.join("copy-0007"),
                    corpus.join("articles/copy-0007"),
                )
                .unwrap()
            }),
        ),
        (
            "updated 1 article (1 removed)",
            Box::new(|| std::fs::remove_dir_all(corpus.join("articles/copy-0005")).unwrap()),
        ),
        (
            "updated the registries (no passage re-indexed)",
            Box::new(|| append(&actors, zarif)),
        ),
        (
            "updated 1 article (1 added)",
            Box::new(|| {
                std::fs::create_dir_all(&note).unwrap();
                std::fs::write(note.join("text.txt"), text).unwrap();
                std::fs::write(
                note.join("article.toml"),
                format!(
                    "id = \"zarif-note\"\ntitle = \"A note\"\n\n[[passages]]\nid = \"zarif-note-01\"\nordinal = 1\nspan = {{ start = 0, end = {} }}\nactors = [\"mohammad-javad-zarif\"]\ntopics = []\n\n[[passages.stances]]\nholder = \"mohammad-javad-zarif\"\nstance = \"admits-failure\"\ntarget = \"iran\"\npolarity = \"against\"\nquote = \"the security failure was evident\"\nvoice = \"reported\"\n\n[[passages.events]]\ndate = \"2024-08-02\"\nwhat = \"Zarif spoke\"\nactors = [\"mohammad-javad-zarif\"]\n",
                    text.len()
                ),
            )
            .unwrap();
            }),
        ),
        (
            // Only the new folder's file: a watcher must watch it by now.
            "updated 1 article (1 changed)",
            Box::new(|| {
                edit(
                    &note.join("article.toml"),
                    "title = \"A note\"",
                    "title = \"A short note\"",
                )
            }),
        ),
        (
            "updated the registries (no passage re-indexed)",
            Box::new(|| {
                edit(
                    &actors,
                    "aliases = [\"Zarif\"]",
                    "aliases = [\"Zarif\", \"Javad Zarif\"]\ndescription = \"Named in a note.\"",
                )
            }),
        ),
        (
            "updated the registries (1 article re-indexed",
            Box::new(|| {
                edit(
                    &actors,
                    "note.\"\ncamp = \"reformist\"",
                    "note.\"\ncamp = \"centrist\"",
                )
            }),
        ),
        (
            "updated 1 article (1 changed) and the registries (no passage re-indexed)",
            Box::new(|| {
                append(&stances, "\n[[stances]]\nid = \"admits-intelligence-failure\"\nparent = \"admits-failure\"\ndescription = \"A narrower admission.\"\n");
                edit(
                    &note.join("article.toml"),
                    "stance = \"admits-failure\"",
                    "stance = \"admits-intelligence-failure\"",
                );
            }),
        ),
    ];
    for (n, (said, step)) in steps.iter().enumerate() {
        step();
        // The first query refreshes the live index, and says how.
        let first = dossier(&corpus, &live, &["search", "evident", "--limit", "1"]);
        let stderr = String::from_utf8_lossy(&first.stderr);
        assert!(
            stderr.starts_with(&format!("dossier: {said}")),
            "step {n}: {stderr}"
        );
        if watched {
            // The refresh told the watcher, which now vouches for the index.
            let again = dossier(&corpus, &live, &["index"]);
            let said = String::from_utf8_lossy(&again.stdout);
            assert!(
                said.starts_with("index is up to date (dossier watch saw no change)"),
                "step {n}: {said}"
            );
        }
        let fresh = tmp.path().join(format!("fresh-{n}"));
        assert!(dossier(&corpus, &fresh, &["index"]).status.success());
        let (updated, built) = (cli_answers(&corpus, &live), cli_answers(&corpus, &fresh));
        for (u, b) in updated.iter().zip(&built) {
            assert_eq!(u, b, "step {n} ({said})");
        }
    }
    // The edits were seen, so the comparison compared something: Zarif
    // holds a stance (narrower than admits-failure) and is a centrist.
    let answers = cli_answers(&corpus, &live);
    let ids = |i: usize| -> Vec<&str> {
        answers[i].2["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["passage"].as_str().unwrap())
            .collect()
    };
    assert_eq!(ids(5), ["zarif-note-01"]);
    assert!(ids(4).contains(&"zarif-note-01"));
    assert!(ids(3).contains(&"zarif-note-01"));
    assert!(!ids(2).contains(&"zarif-note-01"));
    assert!(ids(0).iter().all(|p| !p.starts_with("copy-0005")));
}
