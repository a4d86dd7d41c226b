//! The on-disk layout of an index directory and its atomic replacement.
//!
//! ```text
//! DIR/
//!   CURRENT          name of the live generation, replaced by rename(2)
//!   build.lock       held (flock) by the one process that is building
//!   gen-<stamp>/     a complete tantivy index + manifest.json
//!   tmp-<stamp>/     a build in progress; removed if its builder died
//! ```
//!
//! A build writes a whole generation in a `tmp-` folder, renames it to
//! `gen-`, then points `CURRENT` at it with an atomic rename. Readers follow
//! `CURRENT`, so they see the old or the new index and never half of one;
//! a killed build leaves only a `tmp-` folder, which the next build removes.

use crate::corpus::FileStamp;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "build.lock";
const MANIFEST: &str = "manifest.json";
/// The prebuilt name resolver, loaded on first use.
pub(crate) const RESOLVER: &str = "names.json";
/// The registries, loaded on first use (keyword searches never need them).
pub(crate) const REGISTRY: &str = "registry.json";
/// Per-file stamps and hashes, read only when the digest does not match.
pub(crate) const STAMPS: &str = "stamps.json";
const GEN_PREFIX: &str = "gen-";
const TMP_PREFIX: &str = "tmp-";

/// A corpus file as it was when the index was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexedFile {
    #[serde(flatten)]
    pub stamp: FileStamp,
    /// xxh3-64 of the contents, consulted only when the mtime moved.
    pub hash: u64,
}

/// What an index generation records about how it was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub schema_version: u32,
    pub dossier_version: String,
    /// The corpus location the index was built from.
    pub corpus: String,
    /// Digest of every corpus file's path, size and mtime: equal digests
    /// mean a fresh index without reading `stamps.json`.
    pub stamp_digest: u64,
    pub stats: super::BuildStats,
    /// Every file of the tantivy index with its size, to detect a deleted
    /// or truncated file before tantivy maps it (a truncated mapping would
    /// crash the process with SIGBUS instead of returning an error).
    #[serde(default)]
    pub index_files: Vec<(String, u64)>,
}

impl Manifest {
    pub(crate) fn read(gen_dir: &Path) -> Result<Manifest> {
        let path = gen_dir.join(MANIFEST);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::IndexDamaged {
            path: gen_dir.to_owned(),
            reason: format!("{MANIFEST} is unreadable: {e}"),
        })
    }

    /// Why this index's format is not this dossier's, if it is not.
    pub(crate) fn format_mismatch(&self) -> Option<String> {
        (self.schema_version != super::SCHEMA_VERSION).then(|| {
            format!(
                "index format {} differs from this dossier's {}",
                self.schema_version,
                super::SCHEMA_VERSION
            )
        })
    }

    /// Checks that every recorded index file is present at its size.
    pub(crate) fn verify_files(&self, gen_dir: &Path) -> std::result::Result<(), String> {
        if self.index_files.is_empty() {
            return Err("it lists no index files".into());
        }
        for (name, size) in &self.index_files {
            match std::fs::metadata(gen_dir.join(name)) {
                Ok(m) if m.len() == *size => {}
                Ok(m) => return Err(format!("{name} is {} bytes, expected {size}", m.len())),
                Err(_) => return Err(format!("{name} is missing")),
            }
        }
        Ok(())
    }

    fn write(&self, gen_dir: &Path) -> Result<()> {
        write_json(&gen_dir.join(MANIFEST), self)
    }
}

/// Writes a side file of a generation as JSON, durably.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let json = serde_json::to_vec(value)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode {}: {e}", path.display())))?;
    write_durably(path, &json)
}

/// Reads a side file of a generation; unreadable means damaged.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(gen_dir: &Path, name: &str) -> Result<T> {
    let path = gen_dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::IndexDamaged {
        path: gen_dir.to_owned(),
        reason: format!("{name} is unreadable: {e}"),
    })
}

impl Manifest {}

fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// An index directory (which holds generations).
#[derive(Debug, Clone)]
pub(crate) struct Store {
    pub dir: PathBuf,
}

/// Held while building; released on drop (and by the OS if the process dies).
pub(crate) struct BuildLock {
    _file: File,
}

impl Store {
    pub(crate) fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    /// The live generation's folder, if there is one.
    pub(crate) fn current(&self) -> Option<PathBuf> {
        let name = std::fs::read_to_string(self.dir.join(CURRENT)).ok()?;
        let name = name.trim();
        if !name.starts_with(GEN_PREFIX) || name.contains(['/', '\\']) {
            return None;
        }
        Some(self.dir.join(name))
    }

    /// Takes the build lock, waiting for another builder to finish.
    pub(crate) fn lock(&self) -> Result<BuildLock> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        let path = self.dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(BuildLock { _file: file })
    }

    /// Takes the build lock only if it is free.
    pub(crate) fn try_lock(&self) -> Option<BuildLock> {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK))
            .ok()?;
        file.try_lock().ok()?;
        Some(BuildLock { _file: file })
    }

    /// A fresh folder for a build. Call with the lock held.
    pub(crate) fn begin(&self, _lock: &BuildLock) -> Result<PathBuf> {
        self.remove_garbage(None);
        let path = self.dir.join(format!("{TMP_PREFIX}{}", unique_stamp()));
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }

    /// Publishes a finished build: manifest, rename, then switch CURRENT.
    pub(crate) fn publish(
        &self,
        _lock: &BuildLock,
        tmp: &Path,
        manifest: &mut Manifest,
    ) -> Result<PathBuf> {
        manifest.index_files = index_files(tmp)?;
        manifest.write(tmp)?;
        let name = format!("{GEN_PREFIX}{}", unique_stamp());
        let gen = self.dir.join(&name);
        std::fs::rename(tmp, &gen).map_err(|e| Error::io(&gen, e))?;
        let current_tmp = self.dir.join(format!("{CURRENT}.tmp"));
        write_durably(&current_tmp, name.as_bytes())?;
        let current = self.dir.join(CURRENT);
        std::fs::rename(&current_tmp, &current).map_err(|e| Error::io(&current, e))?;
        if let Ok(d) = File::open(&self.dir) {
            // Make the rename itself durable; failure only weakens durability.
            let _ = d.sync_all();
        }
        self.remove_garbage(Some(&gen));
        Ok(gen)
    }

    /// Records new mtimes of unchanged files, so the next check takes the
    /// fast path again. Stamps first: a reader that sees the new digest
    /// must find matching stamps.
    pub(crate) fn refresh_stamps(
        &self,
        _lock: &BuildLock,
        gen: &Path,
        manifest: &Manifest,
        files: &[IndexedFile],
    ) -> Result<()> {
        for (name, value) in [
            (STAMPS, serde_json::to_vec(files)),
            (MANIFEST, serde_json::to_vec(manifest)),
        ] {
            let tmp = gen.join(format!("{name}.tmp"));
            let json =
                value.map_err(|e| Error::InvalidArgument(format!("cannot encode {name}: {e}")))?;
            write_durably(&tmp, &json)?;
            std::fs::rename(&tmp, gen.join(name)).map_err(|e| Error::io(gen, e))?;
        }
        Ok(())
    }

    /// Removes leftover builds and superseded generations. Called with the
    /// lock held, so no `tmp-` folder can belong to a live builder. Readers
    /// that still use an old generation keep their open files (POSIX).
    fn remove_garbage(&self, keep: Option<&Path>) {
        let live = keep.map(Path::to_owned).or_else(|| self.current());
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let is_old_gen = name.starts_with(GEN_PREFIX) && Some(&path) != live.as_ref();
            if name.starts_with(TMP_PREFIX) || is_old_gen {
                // Best effort: a folder we cannot remove now is retried next build.
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

/// The tantivy files of a finished build (not locks, not our manifest).
fn index_files(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata().map_err(|e| Error::io(entry.path(), e))?;
        // The manifest and stamps are rewritten in place when mtimes move.
        if meta.is_file() && name != MANIFEST && name != STAMPS && !name.ends_with(".lock") {
            files.push((name, meta.len()));
        }
    }
    files.sort();
    Ok(files)
}

fn unique_stamp() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id())
}
