//! Is the index fresh? Which corpus files changed since it was built?
//!
//! The common case costs one `stat` per corpus file and a hash of the
//! stamps. Only when that digest differs are the recorded stamps read, and a
//! file whose stamp moved is hashed, so that a `touch` or a checkout (same
//! content, new times) keeps the index and an edit does not.

use super::generation::{self, IndexedFile, Manifest};
use crate::corpus::{CorpusSource, FileStamp};
use crate::error::Result;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// What changed in the corpus, article by article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// A registry file changed.
    pub registries: bool,
    pub added: BTreeSet<String>,
    pub changed: BTreeSet<String>,
    pub removed: BTreeSet<String>,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        !self.registries
            && self.added.is_empty()
            && self.changed.is_empty()
            && self.removed.is_empty()
    }

    /// A short reason, such as "articles/x/text.txt changed".
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.registries {
            parts.push("the registries changed".to_owned());
        }
        for (n, what) in [
            (self.added.len(), "added"),
            (self.changed.len(), "changed"),
            (self.removed.len(), "removed"),
        ] {
            if n > 0 {
                parts.push(format!(
                    "{n} article{} {what}",
                    if n == 1 { "" } else { "s" }
                ));
            }
        }
        parts.join(", ")
    }
}

/// The outcome of comparing an index with its corpus.
pub(crate) enum Staleness {
    /// Every file has the stamp it had at build time.
    Fresh,
    /// Some stamps moved but every content is the same: fresh, and these
    /// stamps (with their digest) can be recorded to keep later checks fast.
    Touched {
        files: Vec<IndexedFile>,
        digest: u64,
    },
    /// Stale. `found` is set when an update can follow; `None` asks for a
    /// full build.
    Stale {
        reason: String,
        found: Option<Found>,
    },
}

/// What a check found changed, and the stamps that found it, so that an
/// update that follows neither stats nor compares the corpus again.
pub(crate) struct Found {
    /// Taken before any file was read: a corpus can be opened on them.
    pub stamps: Vec<FileStamp>,
    pub changes: Changes,
    /// The record of every file that did not change (see [`diff`]).
    pub kept: Vec<IndexedFile>,
}

/// Compares the corpus with the generation `gen` made as `manifest` says.
pub(crate) fn staleness(
    manifest: &Manifest,
    gen: &Path,
    source: &CorpusSource,
) -> Result<Staleness> {
    if let Some(reason) = manifest.format_mismatch() {
        return Ok(Staleness::Stale {
            reason,
            found: None,
        });
    }
    if manifest.corpus != source.identity() {
        return Ok(Staleness::Stale {
            reason: format!("it was built from {}", manifest.corpus),
            found: None,
        });
    }
    let survey = source.survey(source.article_ids()?)?;
    let digest = survey.digest();
    if digest == manifest.stamp_digest {
        return Ok(Staleness::Fresh);
    }
    let now = survey.into_stamps();
    let recorded = generation::read_stamps(gen)?;
    let (changes, kept) = diff(&recorded, &now, source)?;
    Ok(if changes.is_empty() {
        Staleness::Touched {
            digest,
            files: kept,
        }
    } else {
        Staleness::Stale {
            reason: changes.describe(),
            found: Some(Found {
                stamps: now,
                changes,
                kept,
            }),
        }
    })
}

/// The article a corpus file belongs to, if it is an article's file.
fn article_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("articles/")?;
    rest.split_once('/').map(|(id, _)| id)
}

/// Compares recorded files with stamps taken now. Returns what changed, and
/// the record of every file that did not: its new stamp with its hash (the
/// hash is recomputed for a file whose stamp moved).
pub(crate) fn diff(
    recorded: &[IndexedFile],
    now: &[FileStamp],
    source: &CorpusSource,
) -> Result<(Changes, Vec<IndexedFile>)> {
    let before: HashMap<&str, &IndexedFile> = recorded
        .iter()
        .map(|f| (f.stamp.path.as_str(), f))
        .collect();
    let mut changes = Changes::default();
    let mut kept = Vec::with_capacity(now.len());
    let mark = |path: &str, changes: &mut Changes, was_known: bool| match article_of(path) {
        Some(id) if was_known => {
            changes.changed.insert(id.to_owned());
        }
        Some(id) => {
            changes.added.insert(id.to_owned());
        }
        None => changes.registries = true,
    };
    for stamp in now {
        match before.get(stamp.path.as_str()) {
            None => mark(&stamp.path, &mut changes, false),
            Some(old) if old.stamp == *stamp => kept.push((*old).clone()),
            Some(old) => {
                let hash = if stamp.is_absent() {
                    None
                } else {
                    source.content_hash(&stamp.path)?
                };
                if !old.stamp.is_absent() && hash == Some(old.hash) {
                    kept.push(IndexedFile {
                        stamp: stamp.clone(),
                        hash: old.hash,
                    });
                } else {
                    mark(&stamp.path, &mut changes, true);
                }
            }
        }
    }
    let present: BTreeSet<&str> = now.iter().filter_map(|s| article_of(&s.path)).collect();
    for old in recorded {
        if let Some(id) = article_of(&old.stamp.path) {
            if !present.contains(id) {
                changes.removed.insert(id.to_owned());
            }
        }
    }
    // An article with one file changed and one kept is changed as a whole.
    let changed_articles: BTreeSet<String> =
        changes.added.union(&changes.changed).cloned().collect();
    kept.retain(|f| article_of(&f.stamp.path).is_none_or(|id| !changed_articles.contains(id)));
    Ok((changes, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(path: &str, size: u64) -> FileStamp {
        FileStamp {
            path: path.into(),
            size,
            mtime_ns: 1,
            ctime_ns: 1,
        }
    }

    fn file(path: &str, size: u64) -> IndexedFile {
        IndexedFile {
            stamp: stamp(path, size),
            hash: 7,
        }
    }

    #[test]
    fn added_changed_and_removed_articles_are_told_apart() {
        let recorded = [
            file("actors.toml", 1),
            file("articles/a/article.toml", 1),
            file("articles/a/text.txt", 1),
            file("articles/b/article.toml", 1),
            file("articles/b/text.txt", 1),
            file("articles/c/article.toml", 1),
            file("articles/c/text.txt", 1),
        ];
        let now = [
            stamp("actors.toml", 1),
            stamp("articles/a/article.toml", 1),
            stamp("articles/a/text.txt", 1),
            // b's text is gone: a changed article (the build will report it).
            stamp("articles/b/article.toml", 1),
            FileStamp {
                size: u64::MAX,
                ..stamp("articles/b/text.txt", 0)
            },
            stamp("articles/d/article.toml", 1),
            stamp("articles/d/text.txt", 1),
        ];
        let (changes, kept) = diff(&recorded, &now, &CorpusSource::Builtin).unwrap();
        assert!(!changes.registries);
        assert_eq!(changes.added, BTreeSet::from(["d".to_string()]));
        assert_eq!(changes.changed, BTreeSet::from(["b".to_string()]));
        assert_eq!(changes.removed, BTreeSet::from(["c".to_string()]));
        let kept: Vec<&str> = kept.iter().map(|f| f.stamp.path.as_str()).collect();
        assert_eq!(
            kept,
            [
                "actors.toml",
                "articles/a/article.toml",
                "articles/a/text.txt"
            ]
        );
    }

    /// The race that timestamps alone miss: an edit that keeps the size
    /// and lands in the time tick of the stamp leaves every stamp field as
    /// it was. Here the later stamps are taken before the edit, standing in
    /// for a file system that kept them through it; the record of a racy
    /// stamp still makes the check hash the file and find the edit.
    #[test]
    fn a_same_size_edit_in_the_tick_of_a_racy_stamp_is_found() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("articles/a");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("article.toml"), "id = \"a\"\n").unwrap();
        std::fs::write(dir.join("text.txt"), "before").unwrap();
        let source = CorpusSource::Dir(root.path().to_owned());
        let survey = |started: u64| source.stamps_at(&["a"], started);
        let now = crate::corpus::now_ns();
        // The build's survey, moments after the files were written, and
        // the record of what it indexed.
        let recorded: Vec<IndexedFile> = survey(now)
            .into_iter()
            .map(|stamp| {
                let hash = source.content_hash(&stamp.path).unwrap().unwrap_or(0);
                IndexedFile { stamp, hash }
            })
            .collect();
        // A later check: the same stat fields, a minute on.
        let later = survey(now + 60_000_000_000);
        std::fs::write(dir.join("text.txt"), "after!").unwrap();
        let (changes, kept) = diff(&recorded, &later, &source).unwrap();
        assert_eq!(changes.changed, BTreeSet::from(["a".to_string()]));
        assert!(kept
            .iter()
            .all(|f| !f.stamp.path.starts_with("articles/a/")));
    }
}
