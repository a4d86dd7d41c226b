//! Where corpus files come from: a directory, or the corpus compiled into the
//! binary. Both answer the same few questions (list articles, read a file,
//! describe files for the fingerprint), so the loader does not care which.

use crate::error::{Error, Result};
use include_dir::{include_dir, Dir};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/corpus");

/// The registry files at the corpus root.
pub(crate) const ACTORS_FILE: &str = "actors.toml";
pub(crate) const STANCES_FILE: &str = "stances.toml";
pub(crate) const TOPICS_FILE: &str = "topics.toml";
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

/// Size and modification time of one corpus file, for the fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct FileStamp {
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: u64,
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
                    // Follows symlinks on purpose: a linked article folder is
                    // a normal way to share one article between corpora.
                    if entry.path().is_dir() {
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

    /// Size and mtime of every corpus file, in a fixed order. Costs one
    /// `stat` per file and never reads contents.
    pub(crate) fn stamps(&self, article_ids: &[String]) -> Result<Vec<FileStamp>> {
        let mut rel: Vec<PathBuf> =
            vec![ACTORS_FILE.into(), STANCES_FILE.into(), TOPICS_FILE.into()];
        for id in article_ids {
            let (a, t) = article_files(id);
            rel.push(a);
            rel.push(t);
        }
        rel.into_iter().map(|path| self.stamp(path)).collect()
    }

    fn stamp(&self, path: PathBuf) -> Result<FileStamp> {
        match self {
            CorpusSource::Dir(root) => {
                let full = root.join(&path);
                match std::fs::metadata(&full) {
                    Ok(meta) => {
                        let mtime_ns = meta
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
                        Ok(FileStamp {
                            path,
                            size: meta.len(),
                            mtime_ns,
                        })
                    }
                    // A missing file is a corpus error that the build will
                    // report; for the fingerprint it is simply "absent".
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileStamp {
                        path,
                        size: u64::MAX,
                        mtime_ns: 0,
                    }),
                    Err(e) => Err(Error::io(full, e)),
                }
            }
            CorpusSource::Builtin => {
                // The built-in corpus has no mtimes; its content hash stands in.
                let contents = BUILTIN
                    .get_file(&path)
                    .map(|f| f.contents())
                    .unwrap_or_default();
                let hash = xxhash_rust::xxh3::xxh3_64(contents);
                Ok(FileStamp {
                    path,
                    size: contents.len() as u64,
                    mtime_ns: hash,
                })
            }
        }
    }

    /// xxh3 hash of one file's contents, used when only its mtime changed.
    pub(crate) fn content_hash(&self, rel: &Path) -> Result<u64> {
        Ok(xxhash_rust::xxh3::xxh3_64(&self.read(rel)?))
    }
}

/// One number for a list of stamps: equal digests mean no file was added,
/// removed, resized or touched.
pub(crate) fn stamp_digest(stamps: &[FileStamp]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for s in stamps {
        h.update(s.path.as_os_str().as_encoded_bytes());
        h.update(&[0]);
        h.update(&s.size.to_le_bytes());
        h.update(&s.mtime_ns.to_le_bytes());
    }
    h.digest()
}
