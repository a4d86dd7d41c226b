//! Shared helpers: the bundled corpus, a shared index, temp corpora.

use assert_cmd::Command;
use dossier::{Corpus, Index, Location};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

pub fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| Corpus::load(corpus_dir()).expect("the bundled corpus loads"))
}

/// One index of the bundled corpus, built once for all API tests.
pub fn index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = Index::open_or_build(corpus(), Location::Dir(dir.path().to_owned()))
                .expect("index builds");
            (dir, index)
        })
        .1
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every (passage id) of the bundled corpus for which `pred` holds, in order.
pub fn passages_where(pred: impl Fn(&dossier::corpus::Passage) -> bool) -> Vec<String> {
    corpus()
        .articles()
        .flat_map(|r| r.article.expect("valid article").passages)
        .filter(|p| pred(p))
        .map(|p| p.id)
        .collect()
}

/// How many entries of `dir` start with `prefix` (index generations, temp folders).
pub fn entries(dir: &Path, prefix: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(prefix)
        })
        .count()
}

/// The bundled corpus with `copies` copies of its article, for builds that
/// take a while.
pub fn big_corpus(root: &Path, copies: usize) {
    copy_tree(&corpus_dir(), root);
    for n in 0..copies {
        add_copy(root, &format!("copy-{n:04}"));
    }
}

/// Adds a copy of the bundled article under `id` to the corpus at `root`.
pub fn add_copy(root: &Path, id: &str) {
    let dir = root.join("articles").join(id);
    copy_tree(&root.join("articles/iran-intel"), &dir);
    let toml = std::fs::read_to_string(dir.join("article.toml")).unwrap();
    let toml = toml
        .replace("\"iran-intel\"", &format!("\"{id}\""))
        .replace("\"iran-intel-", &format!("\"{id}-"));
    std::fs::write(dir.join("article.toml"), toml).unwrap();
}

/// A hermetic `dossier` command: no inherited DOSSIER_* or NO_COLOR, its own
/// index folder, run from the repository root (which has ./corpus).
pub fn dossier(index: &Path) -> Command {
    let mut cmd = Command::cargo_bin("dossier").unwrap();
    cmd.env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .env_remove("DOSSIER_NO_REFRESH")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE");
    cmd.env("DOSSIER_INDEX", index)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(index: &Path, args: &[&str]) -> Run {
    let out = dossier(index).args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `dossier --corpus C --index I`, with a clean environment.
pub fn command_on(corpus: &Path, index: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("dossier"));
    cmd.env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .env_remove("DOSSIER_NO_REFRESH")
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index);
    cmd
}

/// Runs `dossier --corpus C --index I ARGS...` (see [`command_on`]).
pub fn run_on(corpus: &Path, index: &Path, args: &[&str]) -> std::process::Output {
    command_on(corpus, index).args(args).output().unwrap()
}

/// A running `dossier watch` for one corpus and index, killed when dropped.
pub struct Watching {
    child: std::process::Child,
    stderr: std::io::BufReader<std::process::ChildStderr>,
}

impl Watching {
    /// Starts a watcher and waits until it says that it watches.
    pub fn start(corpus: &Path, index: &Path) -> Watching {
        let (watching, said) = Watching::try_start(corpus, index);
        assert!(said.contains("dossier: watching "), "{said}");
        watching
    }

    /// Starts a watcher; returns it with what it wrote on stderr up to its
    /// "watching" line, or until it ended (with why it refused).
    pub fn try_start(corpus: &Path, index: &Path) -> (Watching, String) {
        use std::io::BufRead;
        let mut child = command_on(corpus, index)
            .arg("watch")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        // Up to its "watching" line, or all it said before it ended.
        let mut said = String::new();
        while stderr.read_line(&mut said).unwrap() > 0 && !said.contains("dossier: watching ") {}
        (Watching { child, stderr }, said)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the watcher to end (it looks around once a second);
    /// its exit code and what it wrote on stderr after its first line.
    /// Fails the test if it runs on for half a minute.
    pub fn wait(mut self) -> (Option<i32>, String) {
        use std::io::Read;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the watcher did not stop"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        (status.code(), rest)
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reader loops beside a writer: whether to go on, how many reads ran,
/// and what failed.
#[derive(Default)]
pub struct Readers {
    stop: std::sync::atomic::AtomicBool,
    reads: std::sync::atomic::AtomicUsize,
    failures: std::sync::Mutex<Vec<String>>,
}

impl Readers {
    pub fn running(&self) -> bool {
        !self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts one read, and keeps its failure if it failed.
    pub fn record(&self, failure: Option<String>) {
        if let Some(failure) = failure {
            self.failures.lock().unwrap().push(failure);
        }
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Stops the readers when dropped, so that they stop even when the
    /// writer's assertion fails: the failure is reported instead of the
    /// test waiting on them for ever.
    pub fn stop_on_drop(&self) -> impl Drop + '_ {
        struct StopOnDrop<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for StopOnDrop<'_> {
            fn drop(&mut self) {
                self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        StopOnDrop(&self.stop)
    }

    /// No read failed, and more than `at_least` ran.
    pub fn assert_none_failed(self, at_least: usize) {
        let failures = self.failures.into_inner().unwrap();
        let reads = self.reads.into_inner();
        assert!(
            failures.is_empty(),
            "{} of {reads} reads failed: {:#?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
        assert!(reads > at_least, "only {reads} reads ran");
    }
}
