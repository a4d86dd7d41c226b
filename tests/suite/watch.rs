//! `dossier watch`: with a watcher running, commands skip their check of
//! every corpus file, and must still see every edit; a watcher that is
//! stopped, killed, fed garbage or sent forged reports (without its id)
//! must never cost a correct answer; and what it cannot vouch for, it
//! refuses. (A peer that may connect to the socket may also write the
//! index folder: the socket is no weaker than the index itself.)

use crate::util::{copy_tree, corpus_dir, run_on as dossier, Watching};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const VOUCHED: &str = "index is up to date (dossier watch saw no change)";
const CHECKED: &str = "index is up to date: ";

/// A copy of the bundled corpus with its index built.
fn setup(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let corpus = root.join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    let index = root.join("index");
    assert!(dossier(&corpus, &index, &["index"]).status.success());
    (corpus, index)
}

/// Replaces the first `from` in a corpus file.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The next command finds the index stale, and updates the one article
/// that changed.
fn refreshed_after_one_change(corpus: &Path, index: &Path) {
    let after = dossier(corpus, index, &["search", "revenge"]);
    assert!(
        stderr(&after).starts_with("dossier: updated 1 article (1 changed)"),
        "{}",
        stderr(&after)
    );
}

/// The polarity of a passage's first stance, as `show` gives it.
fn first_polarity(corpus: &Path, index: &Path, passage: &str) -> String {
    let out = dossier(corpus, index, &["show", passage, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    v["stances"][0]["polarity"]
        .as_str()
        .unwrap_or("?")
        .to_owned()
}

/// One request line to the watcher's socket, and its answer line.
fn ask(index: &Path, line: &[u8]) -> String {
    let mut stream = UnixStream::connect(index.join("watch.sock")).unwrap();
    stream.write_all(line).unwrap();
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).unwrap();
    answer
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

#[test]
fn with_a_watcher_every_kind_of_edit_is_seen_and_then_vouched_for() {
    crate::lifecycle::edits_are_answered_as_by_a_fresh_build(true);
}

#[test]
fn a_stopped_killed_garbled_or_lied_to_watcher_never_costs_a_correct_answer() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = setup(tmp.path());
    let annotations = corpus.join("articles/iran-intel/article.toml");
    let watcher = Watching::start(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));

    // Garbage, an empty request and an oversized one are refused, and the
    // watcher goes on.
    assert!(ask(&index, b"hello\n").contains("\"refused\""));
    drop(UnixStream::connect(index.join("watch.sock")).unwrap());
    let mut huge = vec![b'{'; 200_000];
    huge.push(b'\n');
    let mut stream = UnixStream::connect(index.join("watch.sock")).unwrap();
    let _ = stream.write_all(&huge);
    drop(stream);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));

    // A forged report that the edited corpus was checked, with every event
    // count a forger could try, but not the watcher's own id.
    // The first polarity is of iran-intel-01's only stance, "against".
    edit(
        &annotations,
        "polarity = \"against\"",
        "polarity = \"favor\"",
    );
    let generation = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    for events in 0..64 {
        let forged = format!(
            "{{\"op\":\"verified\",\"generation\":\"{}\",\"token\":{{\"watcher\":{events},\"events\":{events}}}}}\n",
            generation.trim()
        );
        assert!(ask(&index, forged.as_bytes()).contains("noted"));
    }
    refreshed_after_one_change(&corpus, &index);

    // Stopped: commands wait at most a moment, then check in full.
    signal(watcher.pid(), "STOP");
    edit(
        &annotations,
        "polarity = \"favor\"",
        "polarity = \"neutral\"",
    );
    refreshed_after_one_change(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(CHECKED));
    signal(watcher.pid(), "CONT");

    // Killed: its socket is left behind, and nobody answers on it.
    signal(watcher.pid(), "KILL");
    drop(watcher);
    assert!(index.join("watch.sock").exists());
    edit(
        &annotations,
        "polarity = \"neutral\"",
        "polarity = \"favor\"",
    );
    refreshed_after_one_change(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(CHECKED));

    // A new watcher takes the dead one's socket; a second one is refused.
    let _watcher = Watching::start(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
    let (second, said) = Watching::try_start(&corpus, &index);
    assert!(
        said.contains("dossier: another `dossier watch` is already watching"),
        "{said}"
    );
    assert_eq!(second.wait().0, Some(2));
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
    assert_eq!(first_polarity(&corpus, &index, "iran-intel-01"), "favor");
}

#[test]
fn a_watcher_refuses_what_it_cannot_vouch_for() {
    let tmp = tempfile::tempdir().unwrap();
    // The built-in corpus: nothing to watch.
    let out = Command::new(assert_cmd::cargo::cargo_bin("dossier"))
        .env_remove("DOSSIER_CORPUS")
        .env("DOSSIER_INDEX", tmp.path().join("builtin-index"))
        .current_dir(tmp.path())
        .arg("watch")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("dossier: the built-in corpus never changes"),
        "{}",
        stderr(&out)
    );
    // A corpus with a symbolic link to an article folder.
    let (corpus, index) = setup(tmp.path());
    let other = tmp.path().join("other");
    copy_tree(&corpus, &other);
    crate::util::add_copy(&other, "linked");
    std::os::unix::fs::symlink(
        other.join("articles/linked"),
        corpus.join("articles/linked"),
    )
    .unwrap();
    let (watcher, said) = Watching::try_start(&corpus, &index);
    assert!(
        said.contains("articles/linked is a symbolic link"),
        "{said}"
    );
    assert_eq!(watcher.wait().0, Some(2));
    // No socket is left, and commands check in full.
    assert!(!index.join("watch.sock").exists());
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(CHECKED));
}

#[test]
fn a_watcher_stops_when_it_can_no_longer_vouch() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = setup(tmp.path());
    let stop = |watcher: Watching, expect: &str| {
        let (code, said) = watcher.wait();
        assert_eq!(code, Some(2), "{said}");
        assert!(said.contains(expect), "{said}");
    };

    // A symbolic link appears in the corpus.
    let watcher = Watching::start(&corpus, &index);
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), corpus.join("articles/late")).unwrap();
    stop(watcher, "articles/late is a symbolic link");
    std::fs::remove_file(corpus.join("articles/late")).unwrap();

    // The corpus folder is moved away, and another takes its place.
    let watcher = Watching::start(&corpus, &index);
    let moved = tmp.path().join("moved");
    std::fs::rename(&corpus, &moved).unwrap();
    copy_tree(&moved, &corpus);
    edit(
        &corpus.join("articles/iran-intel/article.toml"),
        "polarity = \"against\"",
        "polarity = \"favor\"",
    );
    stop(watcher, "was moved or deleted");
    refreshed_after_one_change(&corpus, &index);

    // The index folder is deleted.
    let watcher = Watching::start(&corpus, &index);
    std::fs::remove_dir_all(&index).unwrap();
    stop(
        watcher,
        &format!("the index folder {} was deleted", index.display()),
    );
}

/// A library caller may build from a corpus it loaded before an edit; that
/// index is not fresh, and the watcher must not be told it is.
#[test]
fn a_build_from_a_corpus_loaded_before_an_edit_is_not_vouched_for() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    copy_tree(&corpus_dir(), &corpus);
    // Past the window in which a fresh file's stamp is not trusted (and
    // its content is compared instead), so that the build below trusts
    // the stamps its caller's corpus took.
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let index = tmp.path().join("index");
    let _watcher = Watching::start(&corpus, &index);
    let loaded = dossier::Corpus::load(&corpus).unwrap();
    edit(
        &corpus.join("articles/iran-intel/article.toml"),
        "polarity = \"against\"",
        "polarity = \"favor\"",
    );
    // Built from the corpus as it was loaded.
    let built =
        dossier::Index::open_or_build(&loaded, dossier::Location::Dir(index.clone())).unwrap();
    drop(built);
    refreshed_after_one_change(&corpus, &index);
    assert_eq!(first_polarity(&corpus, &index, "iran-intel-01"), "favor");
}

/// With a watcher, readers racing a writer that edits, removes and
/// restores articles: no read fails, every read gives an answer of some
/// published generation, and each edit is seen by the writer's very next
/// command, whoever refreshed the index first.
#[test]
fn under_a_watcher_each_edit_is_seen_by_the_next_command_while_readers_race() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    crate::util::big_corpus(&corpus, 40);
    let index = tmp.path().join("index");
    let stage = tmp.path().join("stage");
    std::fs::create_dir(&stage).unwrap();
    let _watcher = Watching::start(&corpus, &index);
    let readers = crate::util::Readers::default();
    let annotations = corpus.join("articles/copy-0000/article.toml");
    let polarity_of_first = || first_polarity(&corpus, &index, "copy-0000-01");
    std::thread::scope(|scope| {
        for _ in 0..3 {
            let (readers, corpus, index) = (&readers, &corpus, &index);
            scope.spawn(move || {
                let args = [
                    "search", "--actor", "Khatib", "--format", "json", "--limit", "1",
                ];
                while readers.running() {
                    let out = dossier(corpus, index, &args);
                    let v: serde_json::Value =
                        serde_json::from_slice(&out.stdout).unwrap_or_default();
                    // Three Khatib passages in each of 41 articles, or 40
                    // while one is moved away.
                    let ok =
                        out.status.code() == Some(0) && (v["total"] == 123 || v["total"] == 120);
                    readers.record(
                        (!ok).then(|| format!("{:?} {} {}", out.status, stderr(&out), v["total"])),
                    );
                }
            });
        }
        let _stop_readers = readers.stop_on_drop();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut round = 0;
        while std::time::Instant::now() < deadline {
            match round % 4 {
                0 => {
                    edit(
                        &annotations,
                        "polarity = \"against\"",
                        "polarity = \"favor\"",
                    );
                    assert_eq!(polarity_of_first(), "favor", "round {round}");
                }
                1 => {
                    edit(
                        &annotations,
                        "polarity = \"favor\"",
                        "polarity = \"against\"",
                    );
                    assert_eq!(polarity_of_first(), "against", "round {round}");
                }
                2 => {
                    std::fs::rename(corpus.join("articles/copy-0001"), stage.join("copy-0001"))
                        .unwrap();
                    let gone = dossier(&corpus, &index, &["show", "copy-0001-01"]);
                    assert_eq!(gone.status.code(), Some(2), "round {round}");
                }
                _ => {
                    std::fs::rename(stage.join("copy-0001"), corpus.join("articles/copy-0001"))
                        .unwrap();
                    let back = dossier(&corpus, &index, &["show", "copy-0001-01"]);
                    assert_eq!(back.status.code(), Some(0), "round {round}");
                }
            }
            round += 1;
        }
    });
    readers.assert_none_failed(50);
    // And after the race the watcher vouches again.
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
}

/// Ctrl-C, SIGTERM, SIGQUIT or SIGHUP stop a watcher cleanly: it says so,
/// exits 0 and removes its socket, and the next command checks in full.
#[test]
fn a_watcher_stopped_by_a_signal_says_so_and_leaves_no_socket() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = setup(tmp.path());
    for sig in ["INT", "TERM", "QUIT", "HUP"] {
        let watcher = Watching::start(&corpus, &index);
        assert!(index.join("watch.sock").exists(), "{sig}");
        signal(watcher.pid(), sig);
        let (code, said) = watcher.wait();
        assert_eq!(code, Some(0), "{sig}: {said}");
        assert!(said.contains("dossier: stopped watching"), "{sig}: {said}");
        assert!(!index.join("watch.sock").exists(), "{sig}");
        assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(CHECKED));
    }
}

/// An index folder so deep that its socket's path does not fit in a
/// socket address (over 107 bytes) is watched all the same: commands are
/// vouched for, and an edit is seen.
#[test]
fn a_deep_index_folder_is_watched_all_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = tmp.path().join("d".repeat(60)).join("e".repeat(60));
    std::fs::create_dir_all(&deep).unwrap();
    let (corpus, index) = setup(&deep);
    assert!(index.join("watch.sock").as_os_str().len() > 107);
    let _watcher = Watching::start(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
    edit(
        &corpus.join("articles/iran-intel/article.toml"),
        "polarity = \"against\"",
        "polarity = \"favor\"",
    );
    refreshed_after_one_change(&corpus, &index);
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
}

/// A peer that sends its request a byte at a time is cut off once the
/// time for a request is up, and holds up nobody meanwhile.
#[test]
fn a_slow_sender_is_cut_off_and_holds_up_no_one() {
    use std::io::Read;
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = setup(tmp.path());
    let _watcher = Watching::start(&corpus, &index);
    let mut slow = UnixStream::connect(index.join("watch.sock")).unwrap();
    // A byte every 100 ms, each well inside a per-read timeout, for a
    // second in all: more than the time a whole request may take.
    for _ in 0..10 {
        if slow.write_all(b" ").is_err() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(stdout(&dossier(&corpus, &index, &["index"])).starts_with(VOUCHED));
    slow.set_read_timeout(Some(std::time::Duration::from_secs(3)))
        .unwrap();
    // Refused and closed long before this side's 3 s timeout.
    let mut answer = String::new();
    let read = slow.read_to_string(&mut answer);
    assert!(read.is_ok(), "{read:?}");
    assert!(answer.contains("\"refused\""), "{answer}");
}

/// A damaged generation that the watcher vouches for is rebuilt, as
/// without a watcher, not reported as an error on every command.
#[test]
fn a_damaged_index_is_rebuilt_while_a_watcher_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (corpus, index) = setup(tmp.path());
    let _watcher = Watching::start(&corpus, &index);
    let generation = index.join(
        std::fs::read_to_string(index.join("CURRENT"))
            .unwrap()
            .trim(),
    );
    let store = std::fs::read_dir(&generation)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "store"))
        .unwrap();
    std::fs::write(&store, b"").unwrap();
    let after = dossier(&corpus, &index, &["search", "revenge"]);
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    assert!(stderr(&after).contains("damaged"), "{}", stderr(&after));
    assert!(stdout(&after).contains("revenge"), "{}", stdout(&after));
}
