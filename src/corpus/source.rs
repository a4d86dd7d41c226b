//! Where corpus files come from: a directory, or the corpus compiled into the
//! binary. Both answer the same few questions (list articles, read a file,
//! describe files for the fingerprint), so the loader does not care which.

use crate::error::{Diagnostic, Error, Result};
use include_dir::{include_dir, Dir};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/corpus");

/// The registry files at the corpus root.
pub(crate) const ACTORS_FILE: &str = "actors.toml";
pub(crate) const STANCES_FILE: &str = "stances.toml";
pub(crate) const TOPICS_FILE: &str = "topics.toml";
/// Every registry file, in the order the stamps list them.
pub(crate) const REGISTRY_FILES: [&str; 3] = [ACTORS_FILE, STANCES_FILE, TOPICS_FILE];
/// The folder holding one sub-folder per article.
pub(crate) const ARTICLES_DIR: &str = "articles";
/// The annotation file inside an article folder.
pub(crate) const ARTICLE_FILE: &str = "article.toml";
/// The verbatim text inside an article folder.
pub(crate) const TEXT_FILE: &str = "text.txt";

/// The files of one article, relative to the corpus root.
pub(crate) fn article_files(id: &str) -> (PathBuf, PathBuf) {
    let dir = Path::new(ARTICLES_DIR).join(id);
    (dir.join(ARTICLE_FILE), dir.join(TEXT_FILE))
}

/// Where a corpus lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorpusSource {
    /// A directory on disk.
    Dir(PathBuf),
    /// The corpus compiled into this build of dossier.
    Builtin,
}

/// What `stat` says of one corpus file, taken before the file is read: any
/// later edit changes it (a same-size edit with its mtime set back still
/// moves the ctime, which `touch` cannot set). A file changed within the
/// last seconds gets a stamp that no later survey takes, because an edit
/// in the same tick of a coarse clock could leave its times as they were
/// (see `Stat::unless_racy`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    /// Relative to the corpus root, with `/` separators.
    pub path: String,
    /// `u64::MAX` when the file is missing.
    pub size: u64,
    pub mtime_ns: u64,
    pub ctime_ns: u64,
}

impl FileStamp {
    fn absent(path: String) -> FileStamp {
        Stat::ABSENT.stamp(path)
    }

    /// Whether the file was missing.
    pub(crate) fn is_absent(&self) -> bool {
        self.size == Stat::ABSENT.size
    }

    /// Whether the file had changed too recently for its times to be
    /// trusted (see `Stat::unless_racy`): no later survey takes this stamp.
    pub(crate) fn is_racy(&self) -> bool {
        self.ctime_ns & RACY_BIT != 0
    }
}

impl CorpusSource {
    /// A human description: the directory, or "built-in corpus".
    pub fn describe(&self) -> String {
        match self {
            CorpusSource::Dir(p) => p.display().to_string(),
            CorpusSource::Builtin => "the built-in corpus".to_owned(),
        }
    }

    /// What identifies this corpus for an index: the canonical directory
    /// (so `corpus` and `./corpus` are the same), or the built-in corpus.
    pub(crate) fn identity(&self) -> String {
        match self {
            CorpusSource::Dir(p) => p
                .canonicalize()
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
            CorpusSource::Builtin => self.describe(),
        }
    }

    /// Reads a file given relative to the corpus root.
    pub(crate) fn read(&self, rel: &Path) -> Result<Cow<'static, [u8]>> {
        match self {
            CorpusSource::Dir(root) => {
                let path = root.join(rel);
                std::fs::read(&path)
                    .map(Cow::Owned)
                    .map_err(|e| Error::io(path, e))
            }
            CorpusSource::Builtin => BUILTIN
                .get_file(rel)
                .map(|f| Cow::Borrowed(f.contents()))
                .ok_or_else(|| Error::io(rel, std::io::Error::from(std::io::ErrorKind::NotFound))),
        }
    }

    /// Article ids (folder names under `articles/`), sorted.
    pub(crate) fn article_ids(&self) -> Result<Vec<String>> {
        let mut ids = match self {
            CorpusSource::Dir(root) => {
                let dir = root.join(ARTICLES_DIR);
                let entries = match std::fs::read_dir(&dir) {
                    Ok(entries) => entries,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
                    Err(e) => return Err(Error::io(dir, e)),
                };
                let mut ids = Vec::new();
                for entry in entries {
                    let entry = entry.map_err(|e| Error::io(&dir, e))?;
                    // The type comes with the directory listing; only a
                    // symlink costs a stat. Symlinks are followed on
                    // purpose: a linked folder is a normal way to share one
                    // article between corpora.
                    let is_dir = match entry.file_type() {
                        Ok(t) if t.is_symlink() => entry.path().is_dir(),
                        Ok(t) => t.is_dir(),
                        Err(_) => entry.path().is_dir(),
                    };
                    if is_dir {
                        ids.push(entry.file_name().to_string_lossy().into_owned());
                    }
                }
                ids
            }
            CorpusSource::Builtin => BUILTIN
                .get_dir(ARTICLES_DIR)
                .map(|d| {
                    d.dirs()
                        .filter_map(|a| a.path().file_name())
                        .map(|n| n.to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        };
        ids.sort();
        Ok(ids)
    }

    /// The stamp of every corpus file, in a fixed order: the registries,
    /// then each article's annotations and text. Costs one `stat` per file
    /// (relative to an open directory, spread over the cores) and never
    /// reads contents. An article whose folder vanished since it was listed
    /// is left out: it was removed. The stamps stay compact (no path is
    /// built) until they are asked for, because the common case, a fresh
    /// index, needs only their digest.
    pub(crate) fn survey(&self, article_ids: Vec<String>) -> Result<Survey> {
        self.survey_at(article_ids, now_ns())
    }

    /// [`CorpusSource::survey`], begun at `started` (ns since the epoch).
    fn survey_at(&self, article_ids: Vec<String>, started: u64) -> Result<Survey> {
        let registries = REGISTRY_FILES;
        let CorpusSource::Dir(root) = self else {
            let mut rel: Vec<String> = registries.iter().map(|r| r.to_string()).collect();
            for id in &article_ids {
                let (a, t) = article_files(id);
                rel.push(slashed(&a));
                rel.push(slashed(&t));
            }
            return Ok(Survey {
                stamped: rel.into_iter().map(builtin_stamp).collect(),
                articles: Vec::new(),
            });
        };
        let root_fd = open_dir(root)?;
        let mut stamped = Vec::with_capacity(registries.len());
        for r in registries {
            let stat = stat_at(&root_fd, root, r)?.unless_racy(started);
            stamped.push(stat.stamp(r.to_owned()));
        }
        if article_ids.is_empty() {
            return Ok(Survey {
                stamped,
                articles: Vec::new(),
            });
        }
        let articles = root.join(ARTICLES_DIR);
        let articles_fd = open_dir(&articles)?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = article_ids.len().div_ceil(threads).max(256);
        // `None` for an article whose folder is gone.
        let stat_chunk = |ids: &[String]| -> Result<Vec<Option<[Stat; 2]>>> {
            let mut out = Vec::with_capacity(ids.len());
            let mut rel = String::new();
            for id in ids {
                let mut stat = |file: &str| {
                    rel.clear();
                    rel.push_str(id);
                    rel.push('/');
                    rel.push_str(file);
                    stat_at(&articles_fd, &articles, &rel).map(|s| s.unless_racy(started))
                };
                let pair = [stat(ARTICLE_FILE)?, stat(TEXT_FILE)?];
                let gone = pair.iter().all(Stat::is_absent) && !articles.join(id).is_dir();
                out.push((!gone).then_some(pair));
            }
            Ok(out)
        };
        let parts: Vec<Result<Vec<Option<[Stat; 2]>>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = article_ids
                .chunks(chunk)
                .map(|ids| scope.spawn(move || stat_chunk(ids)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::InvalidArgument("a stat thread panicked".into()))
                    })
                })
                .collect()
        });
        let mut stats = Vec::with_capacity(article_ids.len());
        for part in parts {
            stats.append(&mut part?);
        }
        Ok(Survey {
            stamped,
            articles: article_ids
                .into_iter()
                .zip(stats)
                .filter_map(|(id, pair)| pair.map(|p| (id, p)))
                .collect(),
        })
    }

    /// xxh3 hash of one file's contents, used when its stamp moved, to
    /// tell a touch from an edit. `None` when the file is gone.
    pub(crate) fn content_hash(&self, rel: &str) -> Result<Option<u64>> {
        match self.read(Path::new(rel)) {
            Ok(bytes) => Ok(Some(content_hash(&bytes))),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether a read of the corpus begun at `started`, which found the
    /// errors in `diagnostics`, may have caught a save half done. An editor
    /// that saves in place truncates the file and then writes it; a read in
    /// between finds an empty file. The files concerned are the registries
    /// and both files of each article with an error. If none changed since
    /// a second before the read began, the errors stand at once. Otherwise
    /// this waits a moment and says yes if one changed after the read began
    /// or changes during the wait. A ctime in the future (a clock set back)
    /// is no sign of a save.
    pub(crate) fn was_mid_edit(&self, started: u64, diagnostics: &[Diagnostic]) -> bool {
        /// File times come from a clock that may lag the one `started` was
        /// read from by a kernel tick (up to 10 ms).
        const CLOCK_LAG_NS: u64 = 20_000_000;
        const RECENT_NS: u64 = 1_000_000_000;
        /// Long enough for a save to finish, short enough to go unnoticed
        /// before an error message.
        const PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
        let CorpusSource::Dir(root) = self else {
            return false;
        };
        let mut concerned: Vec<PathBuf> = REGISTRY_FILES.iter().map(PathBuf::from).collect();
        for d in diagnostics {
            let mut parts = d.file.components();
            if let (Some(first), Some(id)) = (parts.next(), parts.next()) {
                if first.as_os_str() == ARTICLES_DIR {
                    let (annotations, text) = article_files(&id.as_os_str().to_string_lossy());
                    concerned.extend([annotations, text]);
                }
            }
        }
        concerned.sort();
        concerned.dedup();
        let latest_change = || {
            use std::os::unix::fs::MetadataExt;
            let now = now_ns().saturating_add(CLOCK_LAG_NS);
            concerned
                .iter()
                .filter_map(|rel| std::fs::metadata(root.join(rel)).ok())
                .map(|m| epoch_ns(m.ctime(), m.ctime_nsec()))
                .filter(|&ctime| ctime <= now)
                .max()
                .unwrap_or(0)
        };
        let latest = latest_change();
        if latest.saturating_add(RECENT_NS) < started {
            return false;
        }
        std::thread::sleep(PAUSE);
        latest.saturating_add(CLOCK_LAG_NS) >= started || latest_change() != latest
    }

    /// Whether an article's folder exists (it may vanish while a build runs,
    /// which means the article was removed).
    pub(crate) fn article_exists(&self, id: &str) -> bool {
        match self {
            CorpusSource::Dir(root) => root.join(ARTICLES_DIR).join(id).is_dir(),
            CorpusSource::Builtin => BUILTIN.get_dir(Path::new(ARTICLES_DIR).join(id)).is_some(),
        }
    }
}

/// The article ids of a list of stamps (made by [`CorpusSource::survey`]:
/// the registries, then two files per article).
pub(crate) fn stamped_article_ids(stamps: &[FileStamp]) -> Vec<String> {
    stamps
        .iter()
        .filter_map(|s| {
            s.path
                .strip_prefix(ARTICLES_DIR)?
                .strip_prefix('/')?
                .strip_suffix(ARTICLE_FILE)?
                .strip_suffix('/')
                .map(str::to_owned)
        })
        .collect()
}

/// The hash recorded for a file's contents.
pub(crate) fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// A relative path with `/` separators.
pub(crate) fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn open_dir(dir: &Path) -> Result<rustix::fd::OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    rustix::fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| Error::io(dir, e.into()))
}

/// How long after a file's last change a stamp of it is racy (see
/// [`Stat::unless_racy`]): above FAT's two-second times.
const RACY_WINDOW_NS: u64 = 3_000_000_000;
/// Set in the ctime of a racy stamp.
const RACY_BIT: u64 = 1 << 63;

/// One file's `stat`, without its path (see [`Survey`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stat {
    size: u64,
    mtime_ns: u64,
    ctime_ns: u64,
}

impl Stat {
    const ABSENT: Stat = Stat {
        size: u64::MAX,
        mtime_ns: 0,
        ctime_ns: 0,
    };

    fn is_absent(&self) -> bool {
        self.size == Stat::ABSENT.size
    }

    /// This stat, or, if the file changed too shortly before `started` (when
    /// the survey began), a stamp that no later survey can take.
    ///
    /// File times have a granularity: a tick of the kernel's clock on many
    /// systems (multigrain timestamps, Linux 6.13, refine it only on some
    /// filesystems), two seconds on FAT. An edit that keeps the size and
    /// lands in the tick of the last change leaves size, mtime and ctime as
    /// they were, so a stamp taken in that tick could match the file after
    /// such an edit forever. Such a "racy" stamp (git's word, and its fix)
    /// gets the survey's start in place of its ctime, with the top bit set,
    /// which no real ctime has (it would be after the year 2262). A check
    /// against it never takes the fast path: it hashes the file, and
    /// records a real stamp once the file's last change is safely older
    /// than the survey that stamps it.
    fn unless_racy(self, started: u64) -> Stat {
        if self.is_absent() || self.ctime_ns.saturating_add(RACY_WINDOW_NS) < started {
            return self;
        }
        Stat {
            ctime_ns: started | RACY_BIT,
            ..self
        }
    }

    fn stamp(self, path: String) -> FileStamp {
        FileStamp {
            path,
            size: self.size,
            mtime_ns: self.mtime_ns,
            ctime_ns: self.ctime_ns,
        }
    }
}

/// Stats `rel` relative to the open directory `fd` (whose path is `dir`,
/// for messages). A missing file is "absent": for the fingerprint that is a
/// state like any other, and the build reports it if it matters.
// The stat fields' integer types differ between platforms.
#[allow(clippy::unnecessary_cast)]
fn stat_at(fd: &rustix::fd::OwnedFd, dir: &Path, rel: &str) -> Result<Stat> {
    match rustix::fs::statat(fd, rel, rustix::fs::AtFlags::empty()) {
        Ok(st) => Ok(Stat {
            size: u64::try_from(st.st_size).unwrap_or(0),
            mtime_ns: epoch_ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
            ctime_ns: epoch_ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
        }),
        Err(rustix::io::Errno::NOENT) | Err(rustix::io::Errno::NOTDIR) => Ok(Stat::ABSENT),
        Err(e) => Err(Error::io(dir.join(rel), e.into())),
    }
}

/// Every corpus file's stamp, as [`CorpusSource::survey`] took them.
pub(crate) struct Survey {
    /// Stamps kept with their paths: the registries (and every file of the
    /// built-in corpus).
    stamped: Vec<FileStamp>,
    /// Each article present, with the stats of its annotations and text.
    articles: Vec<(String, [Stat; 2])>,
}

impl Survey {
    /// The article files' paths (in pieces) and stats, in stamp order.
    fn article_files(&self) -> impl Iterator<Item = ([&str; 5], Stat)> + '_ {
        self.articles.iter().flat_map(|(id, [a, t])| {
            [(ARTICLE_FILE, *a), (TEXT_FILE, *t)]
                .map(|(file, stat)| ([ARTICLES_DIR, "/", id.as_str(), "/", file], stat))
        })
    }

    /// Equal to [`stamp_digest`] of [`Survey::into_stamps`], without
    /// building a path.
    pub(crate) fn digest(&self) -> u64 {
        let mut h = StampHasher::default();
        for s in &self.stamped {
            h.add(&[&s.path], s.size, s.mtime_ns, s.ctime_ns);
        }
        for (path, s) in self.article_files() {
            h.add(&path, s.size, s.mtime_ns, s.ctime_ns);
        }
        h.digest()
    }

    pub(crate) fn into_stamps(self) -> Vec<FileStamp> {
        let articles: Vec<FileStamp> = self
            .article_files()
            .map(|(path, stat)| stat.stamp(path.concat()))
            .collect();
        let mut all = self.stamped;
        all.extend(articles);
        all
    }
}

/// The built-in corpus has no times; its content hash stands in.
fn builtin_stamp(path: String) -> FileStamp {
    match BUILTIN.get_file(&path) {
        Some(f) => FileStamp {
            size: f.contents().len() as u64,
            mtime_ns: content_hash(f.contents()),
            ctime_ns: 0,
            path,
        },
        None => FileStamp::absent(path),
    }
}

/// A file time given as seconds and nanoseconds, in ns since the epoch (0
/// for a time before it).
fn epoch_ns(seconds: i64, nanos: i64) -> u64 {
    u64::try_from(seconds)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nanos).unwrap_or(0))
}

/// The time now, in ns since the epoch, as file times are given.
pub(crate) fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// One number for a list of stamps: equal digests mean no file was added,
/// removed, resized or touched.
pub(crate) fn stamp_digest(stamps: &[FileStamp]) -> u64 {
    let mut h = StampHasher::default();
    for s in stamps {
        h.add(&[&s.path], s.size, s.mtime_ns, s.ctime_ns);
    }
    h.digest()
}

/// The digest of a list of stamps, fed in pieces. The stamps are gathered
/// into a buffer and hashed a block at a time: eight small updates per file
/// cost about 10 ms per 100,000 files, a tenth of a one-shot query. The
/// digest depends only on the bytes, not on how they were split.
#[derive(Default)]
struct StampHasher {
    hash: xxhash_rust::xxh3::Xxh3,
    pending: Vec<u8>,
}

impl StampHasher {
    const BLOCK: usize = 64 * 1024;

    /// Feeds one stamp, its path given in pieces.
    fn add(&mut self, path: &[&str], size: u64, mtime: u64, ctime: u64) {
        for piece in path {
            self.pending.extend_from_slice(piece.as_bytes());
        }
        self.pending.push(0);
        for n in [size, mtime, ctime] {
            self.pending.extend_from_slice(&n.to_le_bytes());
        }
        if self.pending.len() >= Self::BLOCK {
            self.hash.update(&self.pending);
            self.pending.clear();
        }
    }

    fn digest(mut self) -> u64 {
        self.hash.update(&self.pending);
        self.hash.digest()
    }
}

#[cfg(test)]
impl CorpusSource {
    /// The stamps of a survey of `ids` begun at `started`.
    pub(crate) fn stamps_at(&self, ids: &[&str], started: u64) -> Vec<FileStamp> {
        let ids = ids.iter().map(|id| id.to_string()).collect();
        self.survey_at(ids, started).unwrap().into_stamps()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which changes make a failed read worth repeating: only changes to
    /// the files its errors concern (the registries, both files of an
    /// article with an error), and only recent ones.
    #[test]
    fn a_read_is_repeated_only_for_a_recent_change_to_a_file_it_concerns() {
        let root = tempfile::tempdir().unwrap();
        for id in ["a", "b"] {
            let dir = root.path().join(ARTICLES_DIR).join(id);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(ARTICLE_FILE), id).unwrap();
            std::fs::write(dir.join(TEXT_FILE), id).unwrap();
        }
        std::fs::write(root.path().join(ACTORS_FILE), "").unwrap();
        let source = CorpusSource::Dir(root.path().to_owned());
        let error_in = |file: &str| Diagnostic {
            file: PathBuf::from(file),
            line: Some(1),
            column: Some(1),
            passage: None,
            message: "broken".into(),
        };
        let in_a = [error_in("articles/a/article.toml")];
        let a_second_passes = || std::thread::sleep(std::time::Duration::from_millis(1100));
        // Everything last changed over a second before the read.
        a_second_passes();
        let started = now_ns();
        assert!(!source.was_mid_edit(started, &in_a));
        // Another article changing is no sign of a save of this one.
        std::fs::write(root.path().join("articles/b/text.txt"), "bb").unwrap();
        assert!(!source.was_mid_edit(started, &in_a));
        // A registry changing is (an article may name a new actor).
        std::fs::write(root.path().join(ACTORS_FILE), "actors = []").unwrap();
        assert!(source.was_mid_edit(started, &in_a));
        // Once that is over a second old, so is the article's own text.
        a_second_passes();
        let started = now_ns();
        assert!(!source.was_mid_edit(started, &in_a));
        std::fs::write(root.path().join("articles/a/text.txt"), "aa").unwrap();
        assert!(source.was_mid_edit(started, &in_a));
        // The built-in corpus never changes.
        assert!(!CorpusSource::Builtin.was_mid_edit(now_ns(), &in_a));
    }

    /// The fast path compares `Survey::digest` with a digest recorded from
    /// full stamps: if the two ever differed, every check would miss the
    /// fast path (and still answer rightly, so no other test would notice).
    #[test]
    fn a_survey_digests_like_its_stamps() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join(ACTORS_FILE), "actors = []\n").unwrap();
        for (id, files) in [("a", 2), ("b", 1), ("c", 0)] {
            let dir = root.path().join(ARTICLES_DIR).join(id);
            std::fs::create_dir_all(&dir).unwrap();
            for file in [ARTICLE_FILE, TEXT_FILE].iter().take(files) {
                std::fs::write(dir.join(file), id).unwrap();
            }
        }
        let source = CorpusSource::Dir(root.path().to_owned());
        // "gone" was listed but has no folder: it is left out.
        let ids = ["a", "b", "c", "gone"].map(String::from).to_vec();
        let survey = source.survey(ids).unwrap();
        let digest = survey.digest();
        let stamps = survey.into_stamps();
        let paths: Vec<&str> = stamps.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "actors.toml",
                "stances.toml",
                "topics.toml",
                "articles/a/article.toml",
                "articles/a/text.txt",
                "articles/b/article.toml",
                "articles/b/text.txt",
                "articles/c/article.toml",
                "articles/c/text.txt",
            ]
        );
        let absent: Vec<bool> = stamps.iter().map(FileStamp::is_absent).collect();
        assert_eq!(
            absent,
            [false, true, true, false, false, false, true, true, true]
        );
        assert_eq!(digest, stamp_digest(&stamps));
    }

    /// The racy-stamp rule (see `Stat::unless_racy`), with the survey's
    /// start chosen: the oracle for a real stamp is what `std` says of the
    /// file.
    #[test]
    fn a_file_changed_just_before_a_survey_gets_a_stamp_no_survey_takes_again() {
        use std::os::unix::fs::MetadataExt;
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join(ACTORS_FILE), "actors = []\n").unwrap();
        let dir = root.path().join(ARTICLES_DIR).join("a");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(ARTICLE_FILE), "id = \"a\"\n").unwrap();
        std::fs::write(dir.join(TEXT_FILE), "text").unwrap();
        let source = CorpusSource::Dir(root.path().to_owned());
        let stamps = |started: u64| source.stamps_at(&["a"], started);
        let present = [
            "actors.toml",
            "articles/a/article.toml",
            "articles/a/text.txt",
        ];
        let ctime = |rel: &str| {
            let m = std::fs::metadata(root.path().join(rel)).unwrap();
            u64::try_from(m.ctime()).unwrap() * 1_000_000_000
                + u64::try_from(m.ctime_nsec()).unwrap()
        };
        let ctime_of = |stamps: &[FileStamp], rel: &str| {
            stamps.iter().find(|s| s.path == rel).unwrap().ctime_ns
        };
        let changed = present.iter().map(|p| ctime(p)).max().unwrap();

        // Long after the files changed: their real stamps.
        let settled = stamps(changed + 60_000_000_000);
        for rel in present {
            assert_eq!(ctime_of(&settled, rel), ctime(rel), "{rel}");
        }
        // Within the window: stamps of the survey, never of the file, and
        // unlike those of any other survey.
        let racy = stamps(changed + 1);
        let again = stamps(changed + 2);
        for rel in present {
            assert_eq!(ctime_of(&racy, rel), (changed + 1) | RACY_BIT, "{rel}");
            assert_ne!(ctime_of(&racy, rel), ctime_of(&again, rel), "{rel}");
        }
        assert_ne!(stamp_digest(&racy), stamp_digest(&settled));
        // A missing file is absent either way.
        for stamps in [&settled, &racy] {
            let missing = stamps.iter().find(|s| s.path == STANCES_FILE).unwrap();
            assert!(missing.is_absent());
            assert_eq!(missing.ctime_ns, 0);
        }
    }

    /// Indexes record the digest: hashing in blocks must give the digest
    /// of the whole byte sequence (path, NUL, size, mtime, ctime per file),
    /// across block boundaries too, or every index would look touched.
    #[test]
    fn the_stamp_digest_is_the_hash_of_every_stamp_in_order() {
        let stamps: Vec<FileStamp> = (0..5000u64)
            .map(|i| FileStamp {
                path: format!("articles/article-{i:05}/article.toml"),
                size: i,
                mtime_ns: i * 3,
                ctime_ns: u64::MAX - i,
            })
            .collect();
        let mut bytes = Vec::new();
        for s in &stamps {
            bytes.extend_from_slice(s.path.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(&s.size.to_le_bytes());
            bytes.extend_from_slice(&s.mtime_ns.to_le_bytes());
            bytes.extend_from_slice(&s.ctime_ns.to_le_bytes());
        }
        assert!(bytes.len() > 3 * StampHasher::BLOCK);
        assert_eq!(stamp_digest(&stamps), xxhash_rust::xxh3::xxh3_64(&bytes));
    }
}
