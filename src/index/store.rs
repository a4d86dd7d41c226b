//! The on-disk layout of an index directory: ownership, generations, the
//! build lock, readers' leases and garbage collection.
//!
//! ```text
//! DIR/
//!   DOSSIER_INDEX    marker: dossier made this directory and may write here
//!   CURRENT          name of the live generation, replaced by rename(2)
//!   build.lock       held (flock) by the one process that builds
//!   gen-<stamp>/     a complete generation: tantivy files, manifest, side
//!                    files, and `readers.lock`
//!   tmp-<stamp>/     a build in progress; removed if its builder died
//!   trash-<stamp>/   a generation being deleted
//! ```
//!
//! **Ownership.** dossier writes to, or deletes from, only a directory that
//! it created or found empty, and marked. A non-empty directory without the
//! marker is refused (an index of an earlier dossier, recognised by its
//! `CURRENT` and `gen-` layout, is adopted). Only names of the exact forms
//! above are ever deleted.
//!
//! **Generations are immutable once published.** A build writes a whole
//! generation in a `tmp-` folder (an update starts it with hard links to the
//! live generation's tantivy files, which tantivy never modifies), renames
//! it to `gen-`, then points `CURRENT` at it with an atomic rename. A killed
//! build leaves only a `tmp-` folder, which the next build removes.
//!
//! **Readers finish on the generation they opened.** A reader holds a
//! shared `flock` on its generation's `readers.lock` for as long as it uses
//! it. The collector deletes an old generation only after taking that lock
//! exclusively without waiting; a generation in use is kept and retried at
//! the next build. It first renames the generation to `trash-`, so a reader
//! that locked a generation just as it was collected sees that it is gone
//! and follows `CURRENT` again. Reading needs only read access: the lease is
//! an `flock` on a file opened read-only.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

const MARKER: &str = "DOSSIER_INDEX";
const MARKER_TEXT: &str = "This directory is a dossier index. dossier creates and deletes \
files here; do not keep anything else in it.\nformat 1\n";
const CURRENT: &str = "CURRENT";
const LOCK: &str = "build.lock";
/// In each generation: the readers' shared lock.
const READERS: &str = "readers.lock";
const GEN: &str = "gen-";
const TMP: &str = "tmp-";
const TRASH: &str = "trash-";

/// An index directory.
#[derive(Debug, Clone)]
pub(crate) struct Store {
    pub dir: PathBuf,
}

/// Held while building; released on drop (and by the OS if the process
/// dies).
pub(crate) struct BuildLock {
    _file: File,
}

/// A generation in use: its folder, and the shared lock that keeps the
/// collector away from it until this is dropped.
#[derive(Debug)]
pub(crate) struct Lease {
    pub path: PathBuf,
    _lock: File,
}

/// Whether `name` is `<prefix><digits>-<digits>`, the only names dossier
/// creates (and so the only ones it deletes).
fn is_ours(name: &str, prefix: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix) else {
        return false;
    };
    let mut parts = rest.split('-');
    let digits =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none()
}

impl Store {
    pub(crate) fn new(dir: PathBuf) -> Store {
        Store { dir }
    }

    /// The live generation's name, if any.
    pub(crate) fn current_name(&self) -> Option<String> {
        let name = std::fs::read_to_string(self.dir.join(CURRENT)).ok()?;
        let name = name.trim();
        is_ours(name, GEN).then(|| name.to_owned())
    }

    /// Leases the live generation for reading, or `None` when there is no
    /// index yet. Never writes.
    pub(crate) fn open_live(&self) -> Result<Option<Lease>> {
        // A collector may delete the generation between our reading CURRENT
        // and locking it; then CURRENT names a newer one. A few rounds
        // always suffice unless builds publish faster than we can lock.
        for _ in 0..16 {
            let Some(name) = self.current_name() else {
                return Ok(None);
            };
            let path = self.dir.join(&name);
            let lock_path = path.join(READERS);
            let file = match File::open(&lock_path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if path.is_dir() {
                        // A generation without a readers' lock: an index of
                        // an earlier dossier, to be rebuilt.
                        return Err(Error::IndexDamaged {
                            path,
                            reason: "it was made by an earlier dossier".into(),
                        });
                    }
                    // Collected since we read CURRENT: follow it again.
                    continue;
                }
                Err(e) => return Err(Error::io(&lock_path, e)),
            };
            file.lock_shared().map_err(|e| Error::io(&lock_path, e))?;
            // Still the same file at the same path: not collected meanwhile.
            if same_file(&file, &lock_path) {
                return Ok(Some(Lease { path, _lock: file }));
            }
        }
        Err(Error::IndexBusy {
            path: self.dir.clone(),
        })
    }

    /// Makes sure dossier may write here: creates the directory with its
    /// marker, marks an empty one, adopts an index of an earlier dossier,
    /// and refuses anything else.
    pub(crate) fn claim(&self) -> Result<()> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
                return self.mark();
            }
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        let names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if names.iter().any(|n| n == MARKER) {
            return Ok(());
        }
        let earlier_dossier = names.iter().any(|n| n == CURRENT)
            && names.iter().all(|n| {
                n == CURRENT
                    || n == LOCK
                    || n == "CURRENT.tmp"
                    || is_ours(n, GEN)
                    || is_ours(n, TMP)
            });
        if names.is_empty() || earlier_dossier {
            return self.mark();
        }
        Err(Error::IndexDirForeign {
            path: self.dir.clone(),
        })
    }

    fn mark(&self) -> Result<()> {
        write_durably(&self.dir.join(MARKER), MARKER_TEXT.as_bytes())
    }

    /// Takes the build lock, waiting for another builder to finish. Call
    /// after [`Store::claim`].
    pub(crate) fn lock(&self) -> Result<BuildLock> {
        let path = self.dir.join(LOCK);
        let file = open_lock_file(&path).map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(BuildLock { _file: file })
    }

    /// Takes the build lock only if it is free and the directory is ours.
    pub(crate) fn try_lock(&self) -> Option<BuildLock> {
        if !self.dir.join(MARKER).exists() {
            return None;
        }
        let file = open_lock_file(&self.dir.join(LOCK)).ok()?;
        file.try_lock().ok()?;
        Some(BuildLock { _file: file })
    }

    /// A fresh, empty folder for a build, with its readers' lock. Call with
    /// the lock held.
    pub(crate) fn begin(&self, _lock: &BuildLock) -> Result<PathBuf> {
        self.collect_garbage(_lock);
        let path = self.dir.join(format!("{TMP}{}", unique_stamp()));
        std::fs::create_dir(&path).map_err(|e| Error::io(&path, e))?;
        write_durably(&path.join(READERS), b"")?;
        Ok(path)
    }

    /// A build folder that starts as a copy of `base`'s tantivy files, by
    /// hard links: tantivy never modifies a file once written, so the
    /// generations share them safely and publishing stays atomic.
    pub(crate) fn begin_from(
        &self,
        lock: &BuildLock,
        base: &Path,
        files: &[(String, u64)],
    ) -> Result<PathBuf> {
        let path = self.begin(lock)?;
        for (name, _) in files {
            let from = base.join(name);
            let to = path.join(name);
            if let Err(e) = std::fs::hard_link(&from, &to) {
                // A file system without hard links: copy instead.
                if std::fs::copy(&from, &to).is_err() {
                    let _ = std::fs::remove_dir_all(&path);
                    return Err(Error::io(&to, e));
                }
            }
        }
        Ok(path)
    }

    /// Publishes a finished build: rename to `gen-`, then switch CURRENT.
    pub(crate) fn publish(&self, lock: &BuildLock, tmp: &Path) -> Result<PathBuf> {
        let name = format!("{GEN}{}", unique_stamp());
        let gen = self.dir.join(&name);
        std::fs::rename(tmp, &gen).map_err(|e| Error::io(&gen, e))?;
        let current_tmp = self.dir.join(format!("{CURRENT}.tmp"));
        write_durably(&current_tmp, name.as_bytes())?;
        let current = self.dir.join(CURRENT);
        std::fs::rename(&current_tmp, &current).map_err(|e| Error::io(&current, e))?;
        if let Ok(d) = File::open(&self.dir) {
            // Makes the rename itself durable; a failure only weakens that.
            let _ = d.sync_all();
        }
        self.collect_garbage(lock);
        Ok(gen)
    }

    /// Removes leftover builds, and superseded generations that no reader
    /// holds. Called with the build lock held, so no `tmp-` folder belongs
    /// to a live builder. Best effort: what cannot go now goes next time.
    pub(crate) fn collect_garbage(&self, _lock: &BuildLock) {
        let live = self.current_name();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if is_ours(&name, TMP) || is_ours(&name, TRASH) {
                let _ = std::fs::remove_dir_all(&path);
            } else if is_ours(&name, GEN) && live.as_deref() != Some(name.as_str()) {
                let Ok(lock) = File::open(path.join(READERS)) else {
                    // No readers' lock: a generation of an earlier dossier,
                    // which no reader of this one can hold.
                    let _ = std::fs::remove_dir_all(&path);
                    continue;
                };
                if lock.try_lock().is_ok() {
                    let trash = self.dir.join(format!("{TRASH}{}", &name[GEN.len()..]));
                    if std::fs::rename(&path, &trash).is_ok() {
                        drop(lock);
                        let _ = std::fs::remove_dir_all(&trash);
                    }
                }
            }
        }
    }

    /// Collects garbage when there is some and no builder is at work: old
    /// generations whose readers have all gone are removed by the next
    /// process that looks, not only by the next build. Costs one listing
    /// of the (small) index directory.
    pub(crate) fn collect_if_idle(&self) {
        let live = self.current_name();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let garbage = entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            is_ours(&name, TMP)
                || is_ours(&name, TRASH)
                || (is_ours(&name, GEN) && live.as_deref() != Some(name.as_str()))
        });
        if garbage {
            if let Some(lock) = self.try_lock() {
                self.collect_garbage(&lock);
            }
        }
    }

    /// The generations on disk (live and superseded).
    #[cfg(test)]
    pub(crate) fn generations(&self) -> Vec<PathBuf> {
        let mut gens: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| is_ours(&e.file_name().to_string_lossy(), GEN))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        gens.sort();
        gens
    }
}

/// Opens (creating if needed) a file that is only ever `flock`ed.
pub(crate) fn open_lock_file(path: &Path) -> std::io::Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
}

/// Whether `file` is the file now at `path` (same device and inode).
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Writes a file durably (create, write, fsync).
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))
}

/// Replaces a file atomically: write a temporary beside it, then rename.
/// Never writes through an existing file, which may be a hard link shared
/// with another generation.
pub(crate) fn replace_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    write_durably(&tmp, bytes)?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn unique_stamp() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos}-{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_dossier_names_are_ours() {
        assert!(is_ours("gen-1795727311296164554-11100", GEN));
        assert!(is_ours("tmp-1-2", TMP));
        for name in [
            "tmp-notes",
            "gen-",
            "gen-1",
            "gen-1-2-3",
            "gen-1-x",
            "tmp-1-2/",
            "xgen-1-2",
        ] {
            assert!(!is_ours(name, GEN) && !is_ours(name, TMP), "{name}");
        }
    }

    #[test]
    fn a_foreign_folder_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("proj");
        std::fs::create_dir_all(dir.join("tmp-notes")).unwrap();
        std::fs::write(dir.join("tmp-notes/a.txt"), "x").unwrap();
        let store = Store::new(dir.clone());
        assert!(matches!(store.claim(), Err(Error::IndexDirForeign { .. })));
        assert!(dir.join("tmp-notes/a.txt").exists());
        assert!(!dir.join(MARKER).exists());
    }

    #[test]
    fn new_and_empty_folders_are_claimed() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("a/b"));
        store.claim().unwrap();
        assert!(tmp.path().join("a/b").join(MARKER).exists());
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        Store::new(empty.clone()).claim().unwrap();
        assert!(empty.join(MARKER).exists());
    }

    #[test]
    fn a_leased_generation_survives_collection_and_goes_after() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_owned());
        store.claim().unwrap();
        let lock = store.lock().unwrap();
        let first = store.begin(&lock).unwrap();
        let first = store.publish(&lock, &first).unwrap();
        let lease = store.open_live().unwrap().unwrap();
        assert_eq!(lease.path, first);
        let second = store.begin(&lock).unwrap();
        let second = store.publish(&lock, &second).unwrap();
        assert!(first.exists(), "a reader holds it");
        assert_eq!(store.generations(), vec![first.clone(), second.clone()]);
        drop(lease);
        store.collect_garbage(&lock);
        assert!(!first.exists());
        assert_eq!(store.generations(), vec![second]);
    }
}
