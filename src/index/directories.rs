//! The two ways dossier gives tantivy a folder.
//!
//! * [`WatchedDirectory`], for writing, remembers the first failed write.
//!   When a write fails inside tantivy's indexing threads (a full disk, a
//!   file size limit), tantivy reports only "An index writer was killed";
//!   this keeps the underlying `io::Error` and the file it concerned, so
//!   that the build can name the real cause.
//! * [`ReadOnlyDirectory`], for reading a published generation, never
//!   writes. tantivy's reader takes a lock file against its own garbage
//!   collector, which needs write access; a published generation is
//!   immutable and guarded by dossier's readers' lease instead, so searching
//!   works on a read-only mount or an index owned by another user.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// The first write error seen: the file and the error.
pub(crate) type FirstError = Arc<Mutex<Option<(PathBuf, io::Error)>>>;

#[derive(Debug, Clone)]
pub(crate) struct WatchedDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    first_error: FirstError,
}

impl WatchedDirectory {
    pub(crate) fn open(root: &Path) -> tantivy::Result<(WatchedDirectory, FirstError)> {
        let first_error = FirstError::default();
        let dir = WatchedDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_owned(),
            first_error: first_error.clone(),
        };
        Ok((dir, first_error))
    }
}

fn record(slot: &FirstError, path: &Path, e: &io::Error) {
    if let Ok(mut first) = slot.lock() {
        if first.is_none() {
            *first = Some((path.to_owned(), io::Error::new(e.kind(), e.to_string())));
        }
    }
}

/// Takes the recorded error, if any.
pub(crate) fn take(slot: &FirstError) -> Option<(PathBuf, io::Error)> {
    slot.lock().ok().and_then(|mut first| first.take())
}

struct WatchedWriter {
    inner: WritePtr,
    path: PathBuf,
    first_error: FirstError,
}

impl WatchedWriter {
    fn watch<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            record(&self.first_error, &self.path, e);
        }
        result
    }
}

impl Write for WatchedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.watch(r)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let r = self.inner.write_all(buf);
        self.watch(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.watch(r)
    }
}

impl TerminatingWrite for WatchedWriter {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        let r = self.inner.terminate_ref(token);
        self.watch(r)
    }
}

impl Directory for WatchedDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let inner = self.inner.open_write(path).inspect_err(|e| {
            if let OpenWriteError::IoError { io_error, .. } = e {
                record(&self.first_error, &self.root.join(path), io_error);
            }
        })?;
        // The inner writer buffers already; this one only forwards.
        Ok(WritePtr::with_capacity(
            0,
            Box::new(WatchedWriter {
                inner,
                path: self.root.join(path),
                first_error: self.first_error.clone(),
            }),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let r = self.inner.atomic_write(path, data);
        if let Err(e) = &r {
            record(&self.first_error, &self.root.join(path), e);
        }
        r
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

/// A published generation, read without ever writing (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct ReadOnlyDirectory {
    inner: MmapDirectory,
}

impl ReadOnlyDirectory {
    pub(crate) fn open(root: &Path) -> tantivy::Result<ReadOnlyDirectory> {
        Ok(ReadOnlyDirectory {
            inner: MmapDirectory::open(root)?,
        })
    }
}

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{} belongs to a published generation, which is read-only",
            path.display()
        ),
    )
}

impl Directory for ReadOnlyDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_owned(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(
            read_only(path),
            path.to_owned(),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, _: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    /// Nothing to lock: no one writes to or collects a published
    /// generation while a reader holds its lease.
    fn acquire_lock(&self, _: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
