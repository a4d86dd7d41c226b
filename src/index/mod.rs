//! The search index: building it, keeping it fresh, and opening it.

mod analysis;
mod build;
mod directories;
mod document;
mod freshness;
mod generation;
mod merge;
pub(crate) mod schema;
mod store;
mod update;
mod watch;

pub use build::{BuildProgress, BuildStats};
pub use schema::SCHEMA_VERSION;
pub use update::UpdateSummary;
#[cfg(target_os = "linux")]
pub use watch::Watcher;

pub(crate) use analysis::{highlight_analyzer, text_analyzer};
pub(crate) use document::StoredAnnotations;
pub(crate) use schema::Fields;

use crate::corpus::{Corpus, CorpusSource, Registry};
use crate::error::{Error, Result};
use crate::names::NameResolver;
use directories::ReadOnlyDirectory;
use freshness::{Found, Staleness};
use generation::{IndexedFile, Manifest};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use store::{Lease, Store};
use tantivy::{IndexReader, ReloadPolicy};

/// Where the index lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// This directory.
    Dir(PathBuf),
    /// The per-user cache directory, in a folder keyed by the corpus
    /// location (see [`default_index_dir`]).
    Cache,
}

/// Whether [`Index::open_or_build`] reused the index, built it or updated it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum Freshness {
    /// The index matched the corpus and was opened as it was.
    Reused,
    /// The index was built from scratch, for the given reason.
    Built(String),
    /// The index was updated: only what changed was re-indexed.
    Updated(UpdateSummary),
    /// The index is stale (for the given reason) but could not be written,
    /// so it was opened as it is.
    StaleReadOnly(String),
}

/// Options for opening or building.
#[derive(Default)]
pub struct BuildOptions<'a> {
    /// Rebuild even when the index is fresh. (default: false)
    pub force: bool,
    /// Called after each article of a build. (default: none)
    pub progress: Option<&'a mut dyn FnMut(BuildProgress)>,
}

/// An open, searchable index.
pub struct Index {
    pub(crate) dir: PathBuf,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    /// Document order, per segment of the reader (which never reloads).
    pub(crate) order: crate::search::DocOrder,
    /// Loaded on first use from the generation's side files.
    registry: OnceLock<Registry>,
    resolver: OnceLock<NameResolver>,
    pub(crate) stats: BuildStats,
    freshness: Freshness,
    /// Whether a `dossier watch` vouched for its freshness (no file was
    /// stated).
    vouched: bool,
    /// Keeps the generation from being collected while this is open.
    _lease: Lease,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .field("stats", &self.stats)
            .finish()
    }
}

/// The default index folder for a corpus: `<cache>/dossier/<key>`, where the
/// key hashes the corpus's canonical path (or names the built-in corpus and
/// this version). Staleness inside it is tracked per file by the manifest.
pub fn default_index_dir(source: &CorpusSource) -> PathBuf {
    let base = dirs::cache_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("dossier");
    let key = match source {
        CorpusSource::Dir(d) => {
            let canonical = d.canonicalize().unwrap_or_else(|_| d.clone());
            let name = canonical
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let hash = xxhash_rust::xxh3::xxh3_64(canonical.as_os_str().as_encoded_bytes());
            format!("{name}-{hash:016x}")
        }
        CorpusSource::Builtin => format!("builtin-{}", env!("CARGO_PKG_VERSION")),
    };
    base.join(key)
}

pub(crate) fn resolve_location(source: &CorpusSource, location: &Location) -> PathBuf {
    match location {
        Location::Dir(d) => d.clone(),
        Location::Cache => default_index_dir(source),
    }
}

/// What a look at the live generation found.
enum Check {
    /// Fresh (or only touched): opened, ready.
    Fresh(Index),
    /// Stale. `found` is set when an update can follow (see
    /// [`Staleness::Stale`]); `live` is the stale index, opened, when it is
    /// usable.
    Stale {
        reason: String,
        found: Option<Found>,
        live: Option<Index>,
    },
}

impl Check {
    fn stale(reason: impl Into<String>) -> Check {
        Check::Stale {
            reason: reason.into(),
            found: None,
            live: None,
        }
    }
}

/// Whether an error means "this process may not write there".
fn is_read_only(e: &Error) -> bool {
    use std::io::ErrorKind::{PermissionDenied, ReadOnlyFilesystem};
    matches!(e, Error::Io { source, .. } if matches!(source.kind(), PermissionDenied | ReadOnlyFilesystem))
}

impl Index {
    /// Opens the index for `corpus` at `location`, building it first when it
    /// is missing, stale, damaged or of another format, or updating it in
    /// place of a build when only some articles or registry entries changed.
    pub fn open_or_build(corpus: &Corpus, location: Location) -> Result<Index> {
        Index::open_or_build_source(
            corpus.source(),
            Some(corpus),
            &location,
            BuildOptions::default(),
        )
    }

    /// Like [`Index::open_or_build`], but parses the corpus only if a build
    /// is needed: a fresh index answers from its own snapshot of the
    /// registries, after a `stat` of each corpus file.
    ///
    /// A fresh index needs only read access. A stale one that cannot be
    /// written (a read-only mount, another user's index) is opened as it
    /// is, with [`Freshness::StaleReadOnly`] saying why it is stale.
    ///
    /// A corpus found invalid while a file was being saved is read again
    /// (up to three times), so that a save in progress is not reported as
    /// a broken corpus.
    pub fn open_or_build_source(
        source: &CorpusSource,
        corpus: Option<&Corpus>,
        location: &Location,
        mut options: BuildOptions<'_>,
    ) -> Result<Index> {
        const READS: usize = 4;
        let store = Store::new(resolve_location(source, location));
        // One session for every attempt: a watcher that did not answer is
        // not asked again, and the first token is the safest to report.
        let mut watch = watch::Session::new(&store.dir);
        for _ in 1..READS {
            let started = crate::corpus::now_ns();
            match Index::refresh(&store, &mut watch, source, corpus, &mut options) {
                Err(Error::Corpus(errors)) if source.was_mid_edit(started, &errors) => continue,
                outcome => return outcome,
            }
        }
        Index::refresh(&store, &mut watch, source, corpus, &mut options)
    }

    /// One attempt of [`Index::open_or_build_source`].
    fn refresh(
        store: &Store,
        watch: &mut watch::Session<'_>,
        source: &CorpusSource,
        corpus: Option<&Corpus>,
        options: &mut BuildOptions<'_>,
    ) -> Result<Index> {
        let first = if options.force {
            Check::stale("a rebuild was requested")
        } else {
            Index::check(store, source, Some(watch))?
        };
        let (reason, found, live) = match first {
            Check::Fresh(index) => return Ok(watch.tell(index)),
            Check::Stale {
                reason,
                found,
                live,
            } => (reason, found, live),
        };
        let lock = match store.claim().and_then(|()| store.lock()) {
            Ok(lock) => lock,
            Err(e) if is_read_only(&e) && live.is_some() && !options.force => {
                let mut index = live.expect("checked above");
                index.freshness = Freshness::StaleReadOnly(reason);
                return Ok(index);
            }
            Err(e) => return Err(e),
        };
        // Another process may have built or updated it while we waited. If
        // the live generation is still the one checked, the check stands
        // (the corpus's own stamps, taken next, decide what is indexed), and
        // a second stat of every corpus file is saved.
        let unchanged = live.as_ref().is_some_and(|l| {
            store
                .current_name()
                .is_some_and(|n| store.dir.join(n) == l.dir)
        });
        let (mut reason, found, live) = if options.force {
            ("a rebuild was requested".to_owned(), None, None)
        } else if unchanged {
            (reason, found, live)
        } else {
            drop(live);
            // Not asked again: a watcher that stopped meanwhile would keep
            // every other command waiting on this lock.
            match Index::check(store, source, None)? {
                Check::Fresh(index) => {
                    drop(lock);
                    return Ok(watch.tell(index));
                }
                Check::Stale {
                    reason,
                    found,
                    live,
                } => (reason, found, live),
            }
        };
        let updatable = found.is_some();
        // A corpus opened here opens on the check's stamps, and the update
        // reuses what the check compared; a caller's corpus has stamps of
        // its own, which the update compares again.
        let loaded;
        let (corpus, known) = match (corpus, found) {
            (Some(c), _) => {
                // Its stamps were taken before the watcher was asked: a
                // build from it is nothing the watcher may be told of.
                watch.forget();
                (c, None)
            }
            (None, Some(found)) => {
                loaded = Corpus::open_on_stamps(source.clone(), found.stamps)?;
                (&loaded, Some((found.changes, found.kept)))
            }
            (None, None) => {
                loaded = Corpus::open(source.clone())?;
                (&loaded, None)
            }
        };
        if let (true, Some(live)) = (updatable, live) {
            let manifest = Manifest::read(&live.dir)?;
            let tmp = store.begin_from(&lock, &live.dir, &manifest.index_files)?;
            let outcome = update::update(corpus, &live.dir, &live.reader.searcher(), &tmp, known);
            drop(live);
            match outcome {
                Ok(update::Outcome::Updated {
                    stats,
                    files,
                    summary,
                }) => {
                    let index = Index::finish(
                        store,
                        &lock,
                        &tmp,
                        corpus,
                        stats,
                        files,
                        Freshness::Updated(summary),
                    )?;
                    drop(lock);
                    return Ok(watch.tell(index));
                }
                Ok(update::Outcome::NeedsFullBuild(why)) => {
                    let _ = std::fs::remove_dir_all(&tmp);
                    reason = why;
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&tmp);
                    return Err(e);
                }
            }
        }
        let index = Index::build_full(store, &lock, corpus, reason, options)?;
        // The watcher is told after the lock is let go: other commands
        // need not wait on a slow watcher.
        drop(lock);
        Ok(watch.tell(index))
    }

    fn build_full(
        store: &Store,
        lock: &store::BuildLock,
        corpus: &Corpus,
        reason: String,
        options: &mut BuildOptions<'_>,
    ) -> Result<Index> {
        let tmp = store.begin(lock)?;
        let mut no_progress = |_: BuildProgress| {};
        let progress: &mut dyn FnMut(BuildProgress) = match options.progress.as_mut() {
            Some(p) => *p,
            None => &mut no_progress,
        };
        match build::build(corpus, &tmp, progress) {
            Ok((stats, files)) => Index::finish(
                store,
                lock,
                &tmp,
                corpus,
                stats,
                files,
                Freshness::Built(reason),
            ),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                Err(e)
            }
        }
    }

    /// Writes the side files and the manifest of a finished build, publishes
    /// it, and opens it.
    fn finish(
        store: &Store,
        lock: &store::BuildLock,
        tmp: &Path,
        corpus: &Corpus,
        stats: BuildStats,
        files: Vec<IndexedFile>,
        freshness: Freshness,
    ) -> Result<Index> {
        let written = (|| {
            generation::write_json(tmp, generation::REGISTRY, corpus.registry())?;
            generation::write_json(tmp, generation::RESOLVER, corpus.resolver())?;
            generation::write_stamps(tmp, &files)?;
            let stamps: Vec<_> = files.iter().map(|f| f.stamp.clone()).collect();
            Manifest {
                schema_version: SCHEMA_VERSION,
                dossier_version: env!("CARGO_PKG_VERSION").to_owned(),
                corpus: corpus.source().identity(),
                stamp_digest: crate::corpus::stamp_digest(&stamps),
                stats,
                index_files: generation::tantivy_files(tmp)?,
            }
            .write(tmp)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(tmp);
            return Err(e);
        }
        store.publish(lock, tmp)?;
        let lease = store.open_live()?.ok_or_else(|| Error::IndexDamaged {
            path: store.dir.clone(),
            reason: "the generation just published is gone".into(),
        })?;
        let manifest = Manifest::read(&lease.path)?;
        Index::open_generation(lease, manifest, freshness)
    }

    /// Looks at the live generation, without writing (except to record new
    /// stamps after a touch, when the directory is ours and free).
    fn check(
        store: &Store,
        source: &CorpusSource,
        watch: Option<&mut watch::Session>,
    ) -> Result<Check> {
        let lease = match store.open_live() {
            Ok(Some(lease)) => lease,
            Ok(None) => return Ok(Check::stale("there is no index yet")),
            Err(e) => return Ok(Check::stale(format!("the index is damaged ({e})"))),
        };
        let mut manifest = match Manifest::read(&lease.path) {
            Ok(m) => m,
            Err(e) => return Ok(Check::stale(format!("the index is damaged ({e})"))),
        };
        if manifest.format_mismatch().is_none()
            && manifest.corpus == source.identity()
            && watch.is_some_and(|w| w.vouches(&manifest.corpus, &lease.path))
        {
            return Ok(
                match Index::open_generation(lease, manifest, Freshness::Reused) {
                    Ok(mut index) => {
                        index.vouched = true;
                        Check::Fresh(index)
                    }
                    Err(e) => Check::stale(format!("the index is damaged ({e})")),
                },
            );
        }
        let staleness = freshness::staleness(&manifest, &lease.path, source)?;
        let (reason, found) = match staleness {
            Staleness::Fresh => (None, None),
            Staleness::Touched { files, digest } => {
                // Same content, new stamps (a checkout, a touch): record them
                // so the next query takes the fast path. Skipped if a builder
                // holds the lock or we may not write; the next query retries.
                // Also skipped while a file is racy: the next check could not
                // take the fast path anyway.
                let settled = files.iter().all(|f| !f.stamp.is_racy());
                if let Some(_lock) = settled.then(|| store.try_lock()).flatten() {
                    manifest.stamp_digest = digest;
                    let _ = generation::replace_stamps(&lease.path, &files)
                        .and_then(|()| manifest.replace(&lease.path));
                }
                (None, None)
            }
            Staleness::Stale { reason, found } => (Some(reason), found),
        };
        let opened = Index::open_generation(lease, manifest, Freshness::Reused);
        if reason.is_none() {
            store.collect_if_idle();
        }
        Ok(match (reason, opened) {
            (None, Ok(index)) => Check::Fresh(index),
            (_, Err(e)) => Check::stale(format!("the index is damaged ({e})")),
            (Some(reason), Ok(index)) => Check::Stale {
                reason,
                found,
                live: Some(index),
            },
        })
    }

    /// Opens an existing index directory without a corpus (for embedding a
    /// prebuilt index). Fails if there is none or it is damaged. Needs only
    /// read access.
    pub fn open(dir: impl AsRef<Path>) -> Result<Index> {
        let store = Store::new(dir.as_ref().to_owned());
        let lease = store.open_live()?.ok_or_else(|| Error::IndexDamaged {
            path: store.dir.clone(),
            reason: "no index has been built there".into(),
        })?;
        let manifest = Manifest::read(&lease.path)?;
        if let Some(reason) = manifest.format_mismatch() {
            return Err(Error::IndexDamaged {
                path: lease.path.clone(),
                reason,
            });
        }
        Index::open_generation(lease, manifest, Freshness::Reused)
    }

    /// Opens the index at `location` without looking at the corpus files
    /// (for `--no-refresh`). `None` when there is no index built from
    /// `source` in this format; an error when there is one but it is
    /// damaged (it is reported, not silently rebuilt).
    pub fn open_unchecked(source: &CorpusSource, location: &Location) -> Result<Option<Index>> {
        let store = Store::new(resolve_location(source, location));
        let Some(lease) = store.open_live()? else {
            return Ok(None);
        };
        let manifest = Manifest::read(&lease.path)?;
        if manifest.format_mismatch().is_some() || manifest.corpus != source.identity() {
            return Ok(None);
        }
        Index::open_generation(lease, manifest, Freshness::Reused).map(Some)
    }

    fn open_generation(lease: Lease, manifest: Manifest, freshness: Freshness) -> Result<Index> {
        let gen = lease.path.clone();
        // tantivy's message quotes the bad file's content, whole.
        let damaged = |e: tantivy::TantivyError| Error::IndexDamaged {
            path: gen.clone(),
            reason: crate::error::clip(&e.to_string(), 300),
        };
        manifest
            .verify_files(&gen)
            .map_err(|reason| Error::IndexDamaged {
                path: gen.clone(),
                reason,
            })?;
        let directory = ReadOnlyDirectory::open(&gen).map_err(damaged)?;
        let index = tantivy::Index::open(directory).map_err(damaged)?;
        index
            .tokenizers()
            .register(analysis::TEXT_TOKENIZER, analysis::text_analyzer());
        let fields = Fields::new();
        if index.schema() != fields.schema {
            return Err(Error::IndexDamaged {
                path: gen,
                reason: "its schema differs from this version's".into(),
            });
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(damaged)?;
        let order = crate::search::DocOrder::new(&reader.searcher());
        Ok(Index {
            dir: gen,
            fields,
            reader,
            order,
            registry: OnceLock::new(),
            resolver: OnceLock::new(),
            stats: manifest.stats,
            freshness,
            vouched: false,
            _lease: lease,
        })
    }

    /// Keeps up to `blocks` decompressed blocks of stored passages (16 KiB
    /// each, per segment) in memory, instead of tantivy's 100. A server
    /// answering many queries gains most: decompressing a block again
    /// costs more than the rest of a search.
    pub fn with_doc_cache(mut self, blocks: usize) -> Result<Index> {
        let index = self.reader.searcher().index().clone();
        self.reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .doc_store_cache_num_blocks(blocks)
            .try_into()
            .map_err(|e: tantivy::TantivyError| Error::IndexDamaged {
                path: self.dir.clone(),
                reason: e.to_string(),
            })?;
        Ok(self)
    }

    /// Whether this index was reused, built or updated when opened.
    pub fn freshness(&self) -> &Freshness {
        &self.freshness
    }

    /// Whether a running `dossier watch` vouched that this index was fresh
    /// when it was opened, so that no corpus file was stated.
    pub fn vouched_by_watcher(&self) -> bool {
        self.vouched
    }

    /// The generation folder in use.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Articles and passages in the index.
    pub fn stats(&self) -> BuildStats {
        self.stats
    }

    /// The registries the index was built with.
    pub fn registry(&self) -> Result<&Registry> {
        if let Some(r) = self.registry.get() {
            return Ok(r);
        }
        let loaded =
            generation::read_json::<Registry>(&self.dir, generation::REGISTRY)?.reindexed();
        Ok(self.registry.get_or_init(|| loaded))
    }

    /// Resolves actor names against the index's registry.
    pub fn resolver(&self) -> Result<&NameResolver> {
        if let Some(r) = self.resolver.get() {
            return Ok(r);
        }
        let loaded: NameResolver = generation::read_json(&self.dir, generation::RESOLVER)?;
        Ok(self.resolver.get_or_init(|| loaded))
    }
}
