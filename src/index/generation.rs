//! What a generation holds besides tantivy's files: its manifest and the
//! side files that let it answer without the corpus.
//!
//! ```text
//! gen-…/
//!   manifest.json   how and from what it was made, and every tantivy file's size
//!   registry.json   the registries it was built with (lazy: names, facets)
//!   names.json      the prebuilt name resolver (lazy: name filters)
//!   stamps.bin      every corpus file's stamp and content hash (read only
//!                   when the corpus looks changed)
//! ```

use super::store::{replace_durably, write_durably};
use crate::corpus::FileStamp;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(crate) const MANIFEST: &str = "manifest.json";
pub(crate) const REGISTRY: &str = "registry.json";
pub(crate) const RESOLVER: &str = "names.json";
pub(crate) const STAMPS: &str = "stamps.bin";
/// Files of a generation that are dossier's, not tantivy's.
const OURS: [&str; 5] = [MANIFEST, REGISTRY, RESOLVER, STAMPS, "readers.lock"];

/// A corpus file as it was indexed: its stamp (taken before it was read)
/// and the hash of the bytes that were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexedFile {
    pub stamp: FileStamp,
    pub hash: u64,
}

/// What a generation records about how it was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub schema_version: u32,
    pub dossier_version: String,
    /// The corpus it was built from (its canonical location).
    pub corpus: String,
    /// Digest of every corpus file's stamp: equal digests mean a fresh
    /// index without reading `stamps.bin`.
    pub stamp_digest: u64,
    pub stats: super::BuildStats,
    /// Every tantivy file with its size, to detect a deleted or truncated
    /// file before tantivy maps it (a truncated mapping would crash the
    /// process with SIGBUS instead of returning an error).
    pub index_files: Vec<(String, u64)>,
}

impl Manifest {
    pub(crate) fn read(gen: &Path) -> Result<Manifest> {
        read_json(gen, MANIFEST)
    }

    /// Writes the manifest of a generation being built.
    pub(crate) fn write(&self, gen: &Path) -> Result<()> {
        write_durably(&gen.join(MANIFEST), &to_json(self, MANIFEST)?)
    }

    /// Replaces the manifest of a published generation (new stamps after a
    /// touch), atomically.
    pub(crate) fn replace(&self, gen: &Path) -> Result<()> {
        replace_durably(&gen.join(MANIFEST), &to_json(self, MANIFEST)?)
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

    /// Checks that every recorded tantivy file is present at its size.
    pub(crate) fn verify_files(&self, gen: &Path) -> std::result::Result<(), String> {
        if self.index_files.is_empty() {
            return Err("it lists no index files".into());
        }
        for (name, size) in &self.index_files {
            match std::fs::metadata(gen.join(name)) {
                Ok(m) if m.len() == *size => {}
                Ok(m) => return Err(format!("{name} is {} bytes, expected {size}", m.len())),
                Err(_) => return Err(format!("{name} is missing")),
            }
        }
        Ok(())
    }
}

/// tantivy's files in a finished build folder, with their sizes.
pub(crate) fn tantivy_files(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata().map_err(|e| Error::io(entry.path(), e))?;
        if meta.is_file()
            && !OURS.contains(&name.as_str())
            && !name.ends_with(".lock")
            && !name.ends_with(".tmp")
        {
            files.push((name, meta.len()));
        }
    }
    files.sort();
    Ok(files)
}

fn to_json<T: Serialize>(value: &T, name: &str) -> Result<Vec<u8>> {
    serde_json::to_vec(value)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode {name}: {e}")))
}

/// Writes a JSON side file of a generation being built.
pub(crate) fn write_json<T: Serialize>(gen: &Path, name: &str, value: &T) -> Result<()> {
    write_durably(&gen.join(name), &to_json(value, name)?)
}

/// Reads a JSON side file; unreadable means damaged.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(gen: &Path, name: &str) -> Result<T> {
    let path = gen.join(name);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::IndexDamaged {
        path: gen.to_owned(),
        reason: format!("{name} is unreadable: {e}"),
    })
}

/// Writes the stamps of a generation being built (binary: a corpus of a
/// million passages has a hundred thousand files).
pub(crate) fn write_stamps(gen: &Path, files: &[IndexedFile]) -> Result<()> {
    write_durably(&gen.join(STAMPS), &encode_stamps(files)?)
}

/// Replaces the stamps of a published generation, atomically.
pub(crate) fn replace_stamps(gen: &Path, files: &[IndexedFile]) -> Result<()> {
    replace_durably(&gen.join(STAMPS), &encode_stamps(files)?)
}

fn encode_stamps(files: &[IndexedFile]) -> Result<Vec<u8>> {
    postcard::to_stdvec(files)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode {STAMPS}: {e}")))
}

pub(crate) fn read_stamps(gen: &Path) -> Result<Vec<IndexedFile>> {
    let path = gen.join(STAMPS);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    postcard::from_bytes(&bytes).map_err(|e| Error::IndexDamaged {
        path: gen.to_owned(),
        reason: format!("{STAMPS} is unreadable: {e}"),
    })
}
