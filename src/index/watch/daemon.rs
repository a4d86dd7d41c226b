//! The watcher's side of [`super`]: inotify watches on every folder and
//! file of the corpus, and the socket that answers queries.
//!
//! Folders are watched for entries created, removed or renamed, and for
//! changes to the files in them; each registry and article file is also
//! watched itself, so that an edit through a hard link elsewhere is seen.
//! A new article folder or file is watched as soon as its creation is read,
//! which is always before a query is answered; a change made inside it
//! before then is covered by the query's own full check, which starts
//! after that answer (see the protocol in [`super`]).
//!
//! What the watcher cannot vouch for, it refuses to watch, so that queries
//! keep their full check: symbolic links in the corpus (a change behind a
//! link's target is not reported at the link), and network or FUSE file
//! systems (changes made on another machine are not reported at all).
//! Writes through a memory map are not reported by Linux either; no
//! editor writes that way.

use super::{Reply, Request, SocketAddress, Token, LOCK, MAX_LINE, SOCKET};
use crate::corpus::{CorpusSource, ARTICLES_DIR, ARTICLE_FILE, REGISTRY_FILES, TEXT_FILE};
use crate::error::{Error, Result};
use crate::index::store::{open_lock_file, Store};
use crate::index::{resolve_location, BuildOptions, Freshness, Index, Location};
use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
use rustix::io::Errno;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a query may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_millis(200);
/// How often the watcher looks whether its socket and corpus are still in
/// place, when nothing else happens.
const LOOK_AROUND: Timespec = Timespec {
    tv_sec: 1,
    tv_nsec: 0,
};

/// What a folder watch stands for.
enum Folder {
    Root,
    Articles,
    Article(PathBuf),
}

/// A running watcher of one corpus, for one index folder.
///
/// Each query is answered on a thread of its own, so that one slow to send
/// its request (a process descheduled between connecting and writing)
/// holds up no other.
pub struct Watcher {
    state: Arc<Mutex<State>>,
    /// Queries being answered now.
    answering: Arc<AtomicUsize>,
    root: PathBuf,
    socket: PathBuf,
    socket_id: (u64, u64),
    listener: UnixListener,
    _lock: File,
}

/// What the watcher knows of the corpus, shared by the threads that answer.
struct State {
    root: PathBuf,
    identity: String,
    root_id: (u64, u64),
    inotify: OwnedFd,
    folders: HashMap<i32, Folder>,
    watches: HashSet<i32>,
    watcher: u64,
    events: u64,
    /// A generation that a full check found fresh, and the event count
    /// when that check began.
    verified: Option<(u64, String)>,
    /// Why the watcher must stop, when an answering thread found it.
    failure: Option<Error>,
}

/// The most queries answered at once; more are turned away (and check in
/// full), so that a flood of connections cannot exhaust threads.
const MAX_ANSWERING: usize = 256;

const FOLDER_EVENTS: WatchFlags = WatchFlags::CREATE
    .union(WatchFlags::DELETE)
    .union(WatchFlags::MOVED_FROM)
    .union(WatchFlags::MOVED_TO)
    .union(WatchFlags::MODIFY)
    .union(WatchFlags::ATTRIB)
    .union(WatchFlags::CLOSE_WRITE)
    .union(WatchFlags::DELETE_SELF)
    .union(WatchFlags::MOVE_SELF)
    .union(WatchFlags::ONLYDIR)
    .union(WatchFlags::DONT_FOLLOW);
const FILE_EVENTS: WatchFlags = WatchFlags::MODIFY
    .union(WatchFlags::ATTRIB)
    .union(WatchFlags::CLOSE_WRITE)
    .union(WatchFlags::DELETE_SELF)
    .union(WatchFlags::MOVE_SELF)
    .union(WatchFlags::DONT_FOLLOW);

impl Watcher {
    /// Watches the corpus at `source` for the index at `location`: sets up
    /// the watches, brings the index up to date (building it if needed),
    /// and opens the socket. Queries use the watcher from then on.
    pub fn start(source: &CorpusSource, location: &Location) -> Result<Watcher> {
        let CorpusSource::Dir(dir) = source else {
            return Err(Error::Watch(
                "the built-in corpus never changes, so there is nothing to watch; give --corpus DIR"
                    .into(),
            ));
        };
        let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
        refuse_remote(&root)?;
        let store = Store::new(resolve_location(source, location));
        store.claim()?;
        let lock = take_lock(&store.dir)?;
        let socket = store.dir.join(SOCKET);
        let inotify = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)
            .map_err(|e| Error::Watch(format!("inotify is not available: {e}")))?;
        // Before any work, so that a socket that cannot be reached fails
        // early; it is bound once the watches are set and the index fresh.
        SocketAddress::of(&store.dir).map_err(|e| cannot_listen(&socket, e))?;
        let mut state = State {
            root_id: identify(&root).map_err(|e| Error::io(&root, e))?,
            identity: source.identity(),
            root: root.clone(),
            inotify,
            folders: HashMap::new(),
            watches: HashSet::new(),
            watcher: random_id(),
            events: 0,
            verified: None,
            failure: None,
        };
        state.watch_all()?;
        // The first full check, made as a query makes it: after the watches
        // are in place, on the count before it began.
        state.drain()?;
        let began = state.events;
        let index = Index::open_or_build_source(source, None, location, BuildOptions::default())?;
        // A stale index that could not be written is not vouched for.
        let fresh = !matches!(index.freshness(), Freshness::StaleReadOnly(_));
        if let Some(name) = super::generation_name(index.path()).filter(|_| fresh) {
            state.verified = Some((began, name));
        }
        let listener = bind(&store.dir)?;
        Ok(Watcher {
            state: Arc::new(Mutex::new(state)),
            answering: Arc::new(AtomicUsize::new(0)),
            root,
            socket_id: identify(&socket).map_err(|e| Error::io(&socket, e))?,
            socket,
            listener,
            _lock: lock,
        })
    }

    /// The corpus folder watched.
    pub fn corpus(&self) -> &Path {
        &self.root
    }

    /// The socket that queries ask.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Files and folders watched.
    pub fn watched(&self) -> usize {
        self.state().map_or(0, |s| s.watches.len())
    }

    fn state(&self) -> Result<MutexGuard<'_, State>> {
        // Poisoned only if an answering thread panicked; its state is not
        // to be trusted.
        self.state
            .lock()
            .map_err(|_| Error::Watch("a thread of the watcher failed".into()))
    }

    /// Answers queries until the watcher can no longer vouch for the corpus
    /// (it was moved or deleted, a symbolic link appeared in it, the system
    /// ran out of watches) or its socket was removed. Returns only then,
    /// with the reason.
    pub fn run(&mut self) -> Result<()> {
        self.run_until(&AtomicBool::new(false))
    }

    /// Like [`Watcher::run`], but also returns, with `Ok`, once `stop` is
    /// set: usually at once when a signal handler sets it (the signal
    /// interrupts the wait), at worst after [`LOOK_AROUND`] (a signal just
    /// before the wait began). The socket is removed when the watcher is
    /// dropped.
    pub fn run_until(&mut self, stop: &AtomicBool) -> Result<()> {
        // The inotify descriptor, to wait on without holding the state.
        let inotify = self
            .state()?
            .inotify
            .try_clone()
            .map_err(|e| Error::Watch(format!("inotify: {e}")))?;
        while !stop.load(Ordering::SeqCst) {
            let (changes, queries) = {
                let mut fds = [
                    PollFd::new(&inotify, PollFlags::IN),
                    PollFd::new(&self.listener, PollFlags::IN),
                ];
                match rustix::event::poll(&mut fds, Some(&LOOK_AROUND)) {
                    Ok(_) | Err(Errno::INTR) => {}
                    Err(e) => return Err(Error::Watch(format!("poll failed: {e}"))),
                }
                (!fds[0].revents().is_empty(), !fds[1].revents().is_empty())
            };
            if changes {
                let mut state = self.state()?;
                if let Err(failure) = state.drain() {
                    state.failure = Some(failure);
                }
            }
            if queries {
                self.answer_pending();
            }
            let mut state = self.state()?;
            if state.failure.is_none() {
                if let Err(failure) = state.still_in_place() {
                    state.failure = Some(failure);
                }
            }
            // Left in place, so that no thread answers again before the
            // process ends.
            if let Some(failure) = &state.failure {
                return Err(Error::Watch(failure.to_string()));
            }
            drop(state);
            if identify(&self.socket).ok() != Some(self.socket_id) {
                let index = self.socket.parent().unwrap_or(&self.socket);
                return Err(Error::Watch(if index.is_dir() {
                    format!("{} was removed or replaced", self.socket.display())
                } else {
                    format!("the index folder {} was deleted", index.display())
                }));
            }
        }
        Ok(())
    }

    /// Starts answering the queries waiting to be accepted; at most
    /// [`MAX_ANSWERING`] per call, so that a flood of connections cannot
    /// keep the main loop from its other duties.
    fn answer_pending(&self) {
        for _ in 0..MAX_ANSWERING {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // Nothing more waiting, or out of descriptors for now: the
                // query finds no answer and checks in full.
                Err(_) => return,
            };
            if self.answering.fetch_add(1, Ordering::SeqCst) >= MAX_ANSWERING {
                self.answering.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            let (state, answering) = (self.state.clone(), self.answering.clone());
            let spawned = std::thread::Builder::new()
                .name("answer".into())
                .spawn(move || {
                    answer_one(&state, stream);
                    answering.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.answering.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// Reads one query's request and answers it. A failure that means the
/// watcher must stop is left in the state for the main loop; the query
/// gets no answer, and checks in full.
fn answer_one(state: &Mutex<State>, stream: UnixStream) {
    let reply = match read_request(&stream) {
        Some(request) => {
            let Ok(mut state) = state.lock() else {
                return;
            };
            match state.answer(request) {
                Ok(reply) => reply,
                Err(failure) => {
                    state.failure = Some(failure);
                    return;
                }
            }
        }
        None => Reply::Refused {
            reason: "not a dossier watch request".into(),
        },
    };
    let _ = write_reply(stream, &reply);
}

impl State {
    fn answer(&mut self, request: Request) -> Result<Reply> {
        if self.failure.is_some() {
            return Ok(Reply::Refused {
                reason: "the watcher is stopping".into(),
            });
        }
        Ok(match request {
            Request::Check { corpus, generation } => {
                // Every change finished before the query asked is queued
                // by now; count it before answering.
                self.drain()?;
                self.still_in_place()?;
                if corpus != self.identity {
                    Reply::OtherCorpus
                } else if self.verified.as_ref() == Some(&(self.events, generation)) {
                    Reply::Fresh
                } else {
                    Reply::Unknown {
                        token: Token {
                            watcher: self.watcher,
                            events: self.events,
                        },
                    }
                }
            }
            Request::Verified { generation, token } => {
                let newer = self
                    .verified
                    .as_ref()
                    .is_none_or(|(events, _)| token.events >= *events);
                if token.watcher == self.watcher && token.events <= self.events && newer {
                    self.verified = Some((token.events, generation));
                }
                Reply::Noted
            }
        })
    }

    /// Reads every queued event: counts it, and watches what it created.
    fn drain(&mut self) -> Result<()> {
        let mut buffer = [MaybeUninit::<u8>::uninit(); 16 * 1024];
        let mut created = Vec::new();
        let mut rescan = false;
        let mut gone = false;
        let mut reader = inotify::Reader::new(&self.inotify, &mut buffer);
        loop {
            let event = match reader.next() {
                Ok(event) => event,
                Err(Errno::AGAIN) => break,
                Err(Errno::INTR) => continue,
                Err(e) => return Err(Error::Watch(format!("reading inotify events failed: {e}"))),
            };
            self.events += 1;
            let flags = event.events();
            if flags.contains(ReadFlags::QUEUE_OVERFLOW) {
                // Events were lost, and with them perhaps a new folder:
                // watch everything again.
                rescan = true;
                continue;
            }
            if flags.contains(ReadFlags::IGNORED) {
                self.folders.remove(&event.wd());
                self.watches.remove(&event.wd());
                continue;
            }
            let made = flags.intersects(ReadFlags::CREATE | ReadFlags::MOVED_TO);
            let name = event
                .file_name()
                .map(|n| PathBuf::from(std::ffi::OsStr::from_bytes(n.to_bytes())));
            match (self.folders.get(&event.wd()), name) {
                (Some(Folder::Root), _)
                    if flags.intersects(ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF) =>
                {
                    gone = true
                }
                (Some(Folder::Root), Some(name)) if made => {
                    if name == Path::new(ARTICLES_DIR) {
                        rescan = true;
                    } else if REGISTRY_FILES.iter().any(|r| name == Path::new(r)) {
                        created.push((self.root.join(name), false));
                    }
                }
                (Some(Folder::Articles), Some(name)) if made => {
                    created.push((self.root.join(ARTICLES_DIR).join(name), true));
                }
                (Some(Folder::Article(dir)), Some(name))
                    if made
                        && [ARTICLE_FILE, TEXT_FILE]
                            .iter()
                            .any(|f| name == Path::new(f)) =>
                {
                    created.push((dir.join(name), false));
                }
                _ => {}
            }
        }
        if gone {
            return Err(self.corpus_gone());
        }
        for (path, is_article) in created {
            if is_article {
                self.watch_article(path)?;
            } else {
                self.watch_file(&path)?;
            }
        }
        if rescan {
            self.watch_all()?;
        }
        Ok(())
    }

    /// Watches the corpus root, the registries, `articles/` and every
    /// article. Watching a watched file again is harmless.
    fn watch_all(&mut self) -> Result<()> {
        let root = self.root.clone();
        let Some(wd) = self.add(&root, FOLDER_EVENTS)? else {
            return Err(self.corpus_gone());
        };
        self.folders.insert(wd, Folder::Root);
        for file in REGISTRY_FILES {
            self.watch_file(&root.join(file))?;
        }
        let articles = root.join(ARTICLES_DIR);
        self.local(&articles)?;
        let Some(wd) = self.add(&articles, FOLDER_EVENTS)? else {
            return Ok(());
        };
        self.folders.insert(wd, Folder::Articles);
        let entries = match std::fs::read_dir(&articles) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(&articles, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&articles, e))?;
            self.watch_article(entry.path())?;
        }
        Ok(())
    }

    fn watch_article(&mut self, dir: PathBuf) -> Result<()> {
        if !self.local(&dir)?.is_some_and(|t| t.is_dir()) {
            return Ok(());
        }
        let Some(wd) = self.add(&dir, FOLDER_EVENTS)? else {
            return Ok(());
        };
        for file in [ARTICLE_FILE, TEXT_FILE] {
            self.watch_file(&dir.join(file))?;
        }
        self.folders.insert(wd, Folder::Article(dir));
        Ok(())
    }

    fn watch_file(&mut self, path: &Path) -> Result<()> {
        if self.local(path)?.is_some_and(|t| t.is_file()) {
            self.add(path, FILE_EVENTS)?;
        }
        Ok(())
    }

    /// Adds a watch. `None` when the path vanished meanwhile: its removal
    /// is an event of its folder.
    fn add(&mut self, path: &Path, flags: WatchFlags) -> Result<Option<i32>> {
        match inotify::add_watch(&self.inotify, path, flags) {
            Ok(wd) => {
                self.watches.insert(wd);
                Ok(Some(wd))
            }
            Err(Errno::NOENT | Errno::NOTDIR) => Ok(None),
            Err(Errno::NOSPC) => Err(Error::Watch(format!(
                "the system's limit of inotify watches was reached after {} (raise fs.inotify.max_user_watches)",
                self.watches.len()
            ))),
            Err(e) => Err(Error::io(path, e.into())),
        }
    }

    /// The file type of `path` (`None` if it does not exist), after making
    /// sure that it can be watched: not a symbolic link, and not a mount
    /// of a network file system (see the module notes).
    fn local(&self, path: &Path) -> Result<Option<std::fs::FileType>> {
        let Some(meta) = refuse_link(path)? else {
            return Ok(None);
        };
        if meta.dev() != self.root_id.0 {
            refuse_remote(path)?;
        }
        Ok(Some(meta.file_type()))
    }

    /// Fails when the corpus folder is no longer at its path.
    fn still_in_place(&self) -> Result<()> {
        if identify(&self.root).ok() != Some(self.root_id) {
            return Err(self.corpus_gone());
        }
        Ok(())
    }

    fn corpus_gone(&self) -> Error {
        Error::Watch(format!("{} was moved or deleted", self.root.display()))
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if identify(&self.socket).ok() == Some(self.socket_id) {
            let _ = std::fs::remove_file(&self.socket);
        }
    }
}

/// Takes the index folder's watcher lock, without waiting.
fn take_lock(index_dir: &Path) -> Result<File> {
    let path = index_dir.join(LOCK);
    let file = open_lock_file(&path).map_err(|e| Error::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Watch(format!(
            "another `dossier watch` is already watching for the index at {}",
            index_dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&path, e)),
    }
}

/// Binds the socket of the index folder, replacing one left by a watcher
/// that died (we hold the lock, so no live watcher owns it). Refuses to
/// replace anything but a socket.
fn bind(index_dir: &Path) -> Result<UnixListener> {
    let socket = &index_dir.join(SOCKET);
    match std::fs::symlink_metadata(socket) {
        Ok(m) if m.file_type().is_socket() => {
            std::fs::remove_file(socket).map_err(|e| Error::io(socket, e))?
        }
        Ok(_) => {
            return Err(Error::Watch(format!(
                "{} exists and is not a socket",
                socket.display()
            )))
        }
        Err(_) => {}
    }
    let listener = SocketAddress::of(index_dir)
        .and_then(|address| UnixListener::bind(&address.path))
        .map_err(|e| cannot_listen(socket, e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io(socket, e))?;
    Ok(listener)
}

fn cannot_listen(socket: &Path, e: std::io::Error) -> Error {
    Error::Watch(format!("cannot listen at {}: {e}", socket.display()))
}

/// Reads one request line, within [`REQUEST_TIMEOUT`] in all: a peer
/// that sends a byte at a time cannot hold a thread for longer.
fn read_request(mut stream: &UnixStream) -> Option<Request> {
    stream.set_nonblocking(false).ok()?;
    let deadline = Instant::now() + REQUEST_TIMEOUT;
    let mut line = Vec::new();
    let mut chunk = [0u8; 4096];
    while !line.contains(&b'\n') {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())?;
        stream.set_read_timeout(Some(left)).ok()?;
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 || line.len() + n > MAX_LINE as usize {
            return None;
        }
        line.extend_from_slice(&chunk[..n]);
    }
    let end = line.iter().position(|&b| b == b'\n')?;
    serde_json::from_slice(&line[..end]).ok()
}

fn write_reply(mut stream: UnixStream, reply: &Reply) -> std::io::Result<()> {
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let mut line = serde_json::to_vec(reply)?;
    line.push(b'\n');
    stream.write_all(&line)
}

/// What `path` is, without following a link; `None` when it does not
/// exist. A symbolic link is refused: see the module notes.
fn refuse_link(path: &Path) -> Result<Option<std::fs::Metadata>> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Error::Watch(format!(
            "{} is a symbolic link, and a change behind a link is not reported at the link; queries on this corpus check every file instead",
            path.display()
        ))),
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Device and inode: what tells a path's file from its replacement.
fn identify(path: &Path) -> std::io::Result<(u64, u64)> {
    let m = std::fs::symlink_metadata(path)?;
    Ok((m.dev(), m.ino()))
}

/// Refuses file systems whose changes made elsewhere inotify never hears
/// of: network file systems and FUSE (which includes virtiofs).
fn refuse_remote(path: &Path) -> Result<()> {
    const REMOTE: [(i64, &str); 9] = [
        (0x6969, "NFS"),
        (0x517B, "SMB"),
        (0xFF53_4D42, "CIFS"),
        (0xFE53_4D42, "SMB2"),
        (0x6573_5546, "FUSE"),
        (0x0102_1997, "9P"),
        (0x00C3_6400, "Ceph"),
        (0x5346_414F, "AFS"),
        (0x7375_7245, "Coda"),
    ];
    let fs = rustix::fs::statfs(path).map_err(|e| Error::io(path, e.into()))?;
    // `f_type` is 32 bits wide on some architectures, where the larger
    // magic numbers come out negative: compare the low 32 bits.
    #[allow(clippy::unnecessary_cast)]
    let kind = fs.f_type as i64 & 0xFFFF_FFFF;
    match REMOTE.iter().find(|(magic, _)| *magic == kind) {
        Some((_, name)) => Err(Error::Watch(format!(
            "{} is on a {name} file system, where changes made on other machines are not reported; queries on it check every file instead",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// A number that differs between watcher processes.
fn random_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.write_u64(crate::corpus::now_ns());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The protocol's promise, request by request: "fresh" only for a
    /// generation reported checked from a token that no event has passed.
    #[test]
    fn a_generation_is_vouched_for_only_from_a_token_no_change_has_passed() {
        let tmp = tempfile::tempdir().unwrap();
        // The registries alone: a corpus of no article, whose files change.
        let corpus = tmp.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for file in REGISTRY_FILES {
            std::fs::copy(bundled.join(file), corpus.join(file)).unwrap();
        }
        let source = CorpusSource::Dir(corpus.clone());
        let location = Location::Dir(tmp.path().join("index"));
        let mut watcher = Watcher::start(&source, &location).unwrap();
        let generation = std::fs::read_to_string(tmp.path().join("index/CURRENT")).unwrap();
        let check = |watcher: &mut Watcher, corpus: &str| {
            let request = Request::Check {
                corpus: corpus.to_owned(),
                generation: generation.trim().to_owned(),
            };
            watcher.state.lock().unwrap().answer(request).unwrap()
        };
        let verified = |watcher: &mut Watcher, token: Token| {
            let request = Request::Verified {
                generation: generation.trim().to_owned(),
                token,
            };
            let reply = watcher.state.lock().unwrap().answer(request).unwrap();
            assert!(matches!(reply, Reply::Noted));
        };
        let identity = source.identity();
        let token = |reply: Reply| match reply {
            Reply::Unknown { token } => token,
            other => panic!("expected unknown, got {other:?}"),
        };
        // Start checked the index.
        assert!(matches!(check(&mut watcher, &identity), Reply::Fresh));
        assert!(matches!(
            check(&mut watcher, "/another/corpus"),
            Reply::OtherCorpus
        ));
        // Two edits, each seen by the next check.
        let topics = corpus.join(REGISTRY_FILES[2]);
        let comment = |text: &str| {
            let before = std::fs::read_to_string(&topics).unwrap();
            std::fs::write(&topics, format!("{before}# {text}\n")).unwrap();
        };
        comment("one");
        let first = token(check(&mut watcher, &identity));
        comment("two");
        let second = token(check(&mut watcher, &identity));
        assert!(second.events > first.events);
        // A check from before the second edit vouches for nothing.
        verified(&mut watcher, first);
        assert_eq!(token(check(&mut watcher, &identity)), second);
        // Another watcher's token, with this one's count, is ignored.
        let forged = Token {
            watcher: second.watcher.wrapping_add(1),
            ..second
        };
        verified(&mut watcher, forged);
        assert_eq!(token(check(&mut watcher, &identity)), second);
        // A check from after it does; an older report arriving late does
        // not undo it.
        verified(&mut watcher, second);
        assert!(matches!(check(&mut watcher, &identity), Reply::Fresh));
        verified(&mut watcher, first);
        assert!(matches!(check(&mut watcher, &identity), Reply::Fresh));
        // A count from the future is not taken on trust.
        comment("three");
        let third = token(check(&mut watcher, &identity));
        let future = Token {
            events: third.events + 1,
            ..third
        };
        verified(&mut watcher, future);
        assert_eq!(token(check(&mut watcher, &identity)), third);
        // Once it must stop, it vouches for nothing.
        verified(&mut watcher, third);
        assert!(matches!(check(&mut watcher, &identity), Reply::Fresh));
        watcher.state.lock().unwrap().failure = Some(Error::Watch("stop".into()));
        assert!(matches!(
            check(&mut watcher, &identity),
            Reply::Refused { .. }
        ));
    }
}
