//! The search index: building it, keeping it fresh, and opening it.

mod analysis;
mod build;
pub(crate) mod schema;
mod store;
mod write_watch;

pub use build::{BuildProgress, BuildStats};
pub use schema::SCHEMA_VERSION;

pub(crate) use analysis::text_analyzer;
pub(crate) use build::StoredAnnotations;
pub(crate) use schema::Fields;

use crate::corpus::{Corpus, CorpusSource, Registry};
use crate::error::{Error, Result};
use crate::names::NameResolver;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use store::{IndexedFile, Manifest, Store};
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

/// Whether [`Index::open_or_build`] reused the index or built it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum Freshness {
    /// The index matched the corpus and was opened as it was.
    Reused,
    /// The index was (re)built, for the given reason.
    Built(String),
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
    /// Loaded on first use from the generation's side files.
    registry: OnceLock<Registry>,
    resolver: OnceLock<NameResolver>,
    pub(crate) stats: BuildStats,
    freshness: Freshness,
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

fn resolve_location(source: &CorpusSource, location: &Location) -> PathBuf {
    match location {
        Location::Dir(d) => d.clone(),
        Location::Cache => default_index_dir(source),
    }
}

/// The outcome of comparing an index with its corpus.
enum Staleness {
    /// Every file has the stamp it had at build time.
    Fresh,
    /// Some mtimes moved but every content hash matches: fresh, and these
    /// stamps (with the digest) can be recorded to keep later checks fast.
    Touched(Vec<IndexedFile>, u64),
    /// Stale, for this reason.
    Stale(String),
}

/// Compares the corpus with the index in `gen`. The common case costs one
/// `stat` per corpus file and a hash of the stamps; `stamps.json` is read
/// only when that digest differs, and a file is read only when its mtime
/// moved but its size did not.
fn staleness(manifest: &Manifest, gen: &Path, source: &CorpusSource) -> Result<Staleness> {
    if let Some(reason) = manifest.format_mismatch() {
        return Ok(Staleness::Stale(reason));
    }
    if manifest.corpus != source.identity() {
        return Ok(Staleness::Stale(format!(
            "it was built from {}",
            manifest.corpus
        )));
    }
    let now = source.stamps(&source.article_ids()?)?;
    let digest = crate::corpus::stamp_digest(&now);
    if digest == manifest.stamp_digest {
        return Ok(Staleness::Fresh);
    }
    let mut files: Vec<IndexedFile> = store::read_json(gen, store::STAMPS)?;
    if now.len() != files.len() || now.iter().zip(&files).any(|(n, m)| n.path != m.stamp.path) {
        return Ok(Staleness::Stale("articles were added or removed".into()));
    }
    for (n, m) in now.iter().zip(files.iter_mut()) {
        if n.size != m.stamp.size {
            return Ok(Staleness::Stale(format!("{} changed", n.path.display())));
        }
        if n.mtime_ns != m.stamp.mtime_ns {
            if source.content_hash(&n.path)? != m.hash {
                return Ok(Staleness::Stale(format!("{} changed", n.path.display())));
            }
            m.stamp = n.clone();
        }
    }
    Ok(Staleness::Touched(files, digest))
}

impl Index {
    /// Opens the index for `corpus` at `location`, building it first when it
    /// is missing, stale, damaged or of another format.
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
    pub fn open_or_build_source(
        source: &CorpusSource,
        corpus: Option<&Corpus>,
        location: &Location,
        mut options: BuildOptions<'_>,
    ) -> Result<Index> {
        let store = Store::new(resolve_location(source, location));
        let reason = if options.force {
            "a rebuild was requested".to_owned()
        } else {
            match Index::check_fresh(&store, source) {
                Ok(index) => return Ok(index),
                Err(reason) => reason,
            }
        };
        let lock = store.lock()?;
        // Another process may have built it while we waited for the lock.
        if !options.force {
            if let Ok(index) = Index::check_fresh(&store, source) {
                return Ok(index);
            }
        }
        let loaded;
        let corpus = match corpus {
            Some(c) => c,
            None => {
                loaded = Corpus::open(source.clone())?;
                &loaded
            }
        };
        let files = corpus
            .stamps()?
            .into_iter()
            .map(|stamp| {
                Ok(IndexedFile {
                    hash: source.content_hash(&stamp.path).unwrap_or(0),
                    stamp,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let stamps: Vec<_> = files.iter().map(|f| f.stamp.clone()).collect();
        let tmp = store.begin(&lock)?;
        store::write_json(&tmp.join(store::STAMPS), &files)?;
        store::write_json(&tmp.join(store::REGISTRY), corpus.registry())?;
        store::write_json(&tmp.join(store::RESOLVER), corpus.resolver())?;
        let mut no_progress = |_: BuildProgress| {};
        let progress: &mut dyn FnMut(BuildProgress) = match options.progress.as_mut() {
            Some(p) => *p,
            None => &mut no_progress,
        };
        let stats = match build::build(corpus, &tmp, progress) {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let mut manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            dossier_version: env!("CARGO_PKG_VERSION").to_owned(),
            corpus: source.identity(),
            stamp_digest: crate::corpus::stamp_digest(&stamps),
            stats,
            index_files: Vec::new(),
        };
        let gen = store.publish(&lock, &tmp, &mut manifest)?;
        drop(lock);
        Index::open_generation(&gen, manifest, Freshness::Built(reason))
    }

    /// Opens the live index if it serves `source`; otherwise says why not.
    fn check_fresh(store: &Store, source: &CorpusSource) -> std::result::Result<Index, String> {
        let gen = store
            .current()
            .ok_or_else(|| "there is no index yet".to_owned())?;
        let mut manifest = Manifest::read(&gen).map_err(|e| e.to_string())?;
        match staleness(&manifest, &gen, source).map_err(|e| e.to_string())? {
            Staleness::Fresh => {}
            Staleness::Stale(reason) => return Err(reason),
            Staleness::Touched(files, digest) => {
                // Same content, new mtimes (a checkout, a touch): record
                // them so the next query takes the fast path. Skipped if
                // a builder holds the lock; the next query will try again.
                if let Some(lock) = store.try_lock() {
                    manifest.stamp_digest = digest;
                    let _ = store.refresh_stamps(&lock, &gen, &manifest, &files);
                }
            }
        }
        Index::open_generation(&gen, manifest, Freshness::Reused)
            .map_err(|e| format!("the index is damaged ({e})"))
    }

    /// Opens an existing index directory without a corpus (for embedding a
    /// prebuilt index). Fails if there is none or it is damaged.
    pub fn open(dir: impl AsRef<Path>) -> Result<Index> {
        let store = Store::new(dir.as_ref().to_owned());
        let gen = store.current().ok_or_else(|| Error::IndexDamaged {
            path: store.dir.clone(),
            reason: "no index has been built there".into(),
        })?;
        let manifest = Manifest::read(&gen)?;
        if let Some(reason) = manifest.format_mismatch() {
            return Err(Error::IndexDamaged { path: gen, reason });
        }
        Index::open_generation(&gen, manifest, Freshness::Reused)
    }

    fn open_generation(gen: &Path, manifest: Manifest, freshness: Freshness) -> Result<Index> {
        let damaged = |e: tantivy::TantivyError| Error::IndexDamaged {
            path: gen.to_owned(),
            reason: e.to_string(),
        };
        manifest
            .verify_files(gen)
            .map_err(|reason| Error::IndexDamaged {
                path: gen.to_owned(),
                reason,
            })?;
        let index = tantivy::Index::open_in_dir(gen).map_err(damaged)?;
        index
            .tokenizers()
            .register(analysis::TEXT_TOKENIZER, analysis::text_analyzer());
        let fields = Fields::new();
        if index.schema() != fields.schema {
            return Err(Error::IndexDamaged {
                path: gen.to_owned(),
                reason: "its schema differs from this version's".into(),
            });
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(damaged)?;
        Ok(Index {
            dir: gen.to_owned(),
            fields,
            reader,
            registry: OnceLock::new(),
            resolver: OnceLock::new(),
            stats: manifest.stats,
            freshness,
        })
    }

    /// Whether this index was reused or built when opened.
    pub fn freshness(&self) -> &Freshness {
        &self.freshness
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
        let loaded = store::read_json::<Registry>(&self.dir, store::REGISTRY)?.reindexed();
        Ok(self.registry.get_or_init(|| loaded))
    }

    /// Resolves actor names against the index's registry.
    pub fn resolver(&self) -> Result<&NameResolver> {
        if let Some(r) = self.resolver.get() {
            return Ok(r);
        }
        let loaded: NameResolver = store::read_json(&self.dir, store::RESOLVER)?;
        Ok(self.resolver.get_or_init(|| loaded))
    }
}
