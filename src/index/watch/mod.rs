//! `dossier watch`: a change notifier that lets one-shot queries skip the
//! freshness scan.
//!
//! Without it, every query stats each corpus file (two per article), which
//! costs about 2 µs per file on a fast machine: 0.1 to 0.2 s at 100,000
//! files. A long-running watcher holds inotify watches on the corpus and
//! counts every change it is told of. It answers queries over a Unix
//! socket in the index folder:
//!
//! 1. A query asks: "is generation G of corpus C fresh?" The watcher first
//!    reads every event the kernel has queued (inotify queues them before
//!    the write that caused them returns), then answers **fresh** only if a
//!    full check found G fresh and no event has arrived since that check
//!    began. Otherwise it answers with a **token**: its event count now.
//! 2. A query that got a token does the full check (and the refresh, if the
//!    corpus changed) as it would without a watcher, and then tells the
//!    watcher: "G' was fresh as of this token". Its stamps were taken after
//!    the token, so any later change has moved the count past it.
//!
//! Anything unexpected (no socket, a watcher that is stopped or slow, a
//! garbled answer) means "no watcher": the query does the full check. So a
//! watcher can make a query faster, never wrong.
//!
//! This module is the query's side; [`daemon`] is the watcher's.

#[cfg(target_os = "linux")]
mod daemon;
#[cfg(target_os = "linux")]
pub use daemon::Watcher;

use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

/// The watcher's socket, in the index folder.
pub(crate) const SOCKET: &str = "watch.sock";
/// Held (flock) by the one watcher of an index folder.
pub(crate) const LOCK: &str = "watch.lock";
/// Where to bind or connect to the socket in an index folder. A socket's
/// address holds at most 107 bytes of path; a longer one is reached through
/// an open descriptor of the folder (`/proc/self/fd/N/watch.sock`), which
/// this keeps open until the bind or connect is done.
pub(crate) struct SocketAddress {
    pub path: std::path::PathBuf,
    _folder: Option<rustix::fd::OwnedFd>,
}

impl SocketAddress {
    pub(crate) fn of(index_dir: &Path) -> std::io::Result<SocketAddress> {
        use rustix::fd::AsRawFd;
        use rustix::fs::{Mode, OFlags};
        let path = index_dir.join(SOCKET);
        if rustix::net::SocketAddrUnix::new(&path).is_ok() {
            return Ok(SocketAddress {
                path,
                _folder: None,
            });
        }
        if !Path::new("/proc/self/fd").is_dir() {
            return Err(std::io::Error::other(format!(
                "the path is too long for a socket ({} bytes, at most 107) and /proc, \
                 which would shorten it, is not mounted; use a shorter --index",
                path.as_os_str().len()
            )));
        }
        let folder = rustix::fs::open(
            index_dir,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(SocketAddress {
            path: format!("/proc/self/fd/{}/{SOCKET}", folder.as_raw_fd()).into(),
            _folder: Some(folder),
        })
    }
}

/// How long a query waits for an answer before doing the full check. The
/// watcher answers in well under a millisecond; this bounds the cost of a
/// stopped one.
const ANSWER_TIMEOUT: Duration = Duration::from_millis(250);
/// The longest request or answer line.
const MAX_LINE: u64 = 64 * 1024;

/// The watcher's event count at one moment, from one watcher process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Token {
    /// Random per watcher process, so that a token outlives no restart.
    pub watcher: u64,
    /// Events seen so far.
    pub events: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub(crate) enum Request {
    /// Is this generation of this corpus fresh?
    Check { corpus: String, generation: String },
    /// A full check found this generation fresh, as of this token.
    Verified { generation: String, token: Token },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub(crate) enum Reply {
    Fresh,
    /// Not known to be fresh: check, then send `Verified` with this token.
    Unknown {
        token: Token,
    },
    /// This watcher watches another corpus.
    OtherCorpus,
    Noted,
    /// The request was not understood.
    Refused {
        reason: String,
    },
}

/// One query's conversation with the watcher of its index folder, if any.
pub(crate) struct Session<'a> {
    index_dir: &'a Path,
    /// The first token received: the earliest, so the safest to report.
    token: Option<Token>,
    /// No watcher answered: not asked again, so that a stopped watcher
    /// costs a command one timeout. (The check under the build lock never
    /// asks; a watcher that stops between the question and the report
    /// costs a second timeout, after the lock is let go.)
    silent: bool,
}

impl<'a> Session<'a> {
    pub(crate) fn new(index_dir: &'a Path) -> Session<'a> {
        Session {
            index_dir,
            token: None,
            silent: false,
        }
    }

    /// Whether the watcher vouches that `generation` (a folder of the
    /// index) of `corpus` is fresh. `false` when there is no watcher, or it
    /// cannot say; then the caller checks in full, and reports with
    /// [`Session::tell`].
    pub(crate) fn vouches(&mut self, corpus: &str, generation: &Path) -> bool {
        let Some(generation) = generation_name(generation).filter(|_| !self.silent) else {
            return false;
        };
        let request = Request::Check {
            corpus: corpus.to_owned(),
            generation,
        };
        match exchange(self.index_dir, &request) {
            Some(Reply::Fresh) => true,
            Some(Reply::Unknown { token }) => {
                self.token.get_or_insert(token);
                false
            }
            _ => {
                self.silent = true;
                false
            }
        }
    }

    /// Tells the watcher that a check that began after its token found
    /// `index` fresh, and passes the index on. The stamps that decided it
    /// must have been taken after [`Session::vouches`] answered; see
    /// [`Session::forget`] for when they were not.
    pub(crate) fn tell(&self, index: super::Index) -> super::Index {
        if let (Some(token), Some(generation)) = (self.token, generation_name(index.path())) {
            // Best effort: a watcher that misses this answers "unknown"
            // again.
            let _ = exchange(self.index_dir, &Request::Verified { generation, token });
        }
        index
    }

    /// Drops the token: what is built next was stamped before it (a
    /// caller's own corpus), so the watcher must not be told of it.
    pub(crate) fn forget(&mut self) {
        self.token = None;
    }
}

fn generation_name(path: &Path) -> Option<String> {
    path.file_name()?.to_str().map(str::to_owned)
}

/// Sends one request line and reads one answer line. `None` on any
/// trouble, which callers read as "no watcher".
fn exchange(index_dir: &Path, request: &Request) -> Option<Reply> {
    let address = SocketAddress::of(index_dir).ok()?;
    let mut stream = connect(&address.path)?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(ANSWER_TIMEOUT)).ok()?;
    let mut line = serde_json::to_vec(request).ok()?;
    line.push(b'\n');
    stream.write_all(&line).ok()?;
    let mut answer = Vec::new();
    BufReader::new(stream.take(MAX_LINE))
        .read_until(b'\n', &mut answer)
        .ok()?;
    serde_json::from_slice(&answer).ok()
}

/// Connects without waiting: a Unix socket's `connect` blocks while the
/// listener's backlog is full (a stopped watcher), so it is made
/// non-blocking, and a full backlog means "no watcher".
fn connect(path: &Path) -> Option<UnixStream> {
    use rustix::net::{AddressFamily, SocketAddrUnix, SocketFlags, SocketType};
    let address = SocketAddrUnix::new(path).ok()?;
    let fd = rustix::net::socket_with(
        AddressFamily::UNIX,
        SocketType::STREAM,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )
    .ok()?;
    rustix::net::connect(&fd, &address).ok()?;
    let stream = UnixStream::from(fd);
    stream.set_nonblocking(false).ok()?;
    Some(stream)
}
