//! The index the server answers from, and how it is kept fresh.
//!
//! Queries read the current generation through an `Arc` taken at the start
//! of each request, so they never wait for a build and never stat the
//! corpus. A refresher task watches the corpus (notify, with a periodic
//! check as a safety net), and on a change builds or updates the index in
//! the background, then swaps it in. A failed refresh (a corpus error) keeps
//! the last good index serving and reports the error in `/api/health`.

use crate::corpus::CorpusSource;
use crate::index::{BuildOptions, Index, Location};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Decompressed blocks of stored passages kept per segment (16 KiB each):
/// a server sees the same passages again and again.
const DOC_CACHE_BLOCKS: usize = 2048;

/// What `/api/health` reports.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `starting` (no index yet), `ready`, `refreshing`, or `error` (the
    /// last refresh failed; the last good index keeps serving).
    pub status: String,
    /// The generation being served.
    pub generation: Option<String>,
    /// Articles in the index served.
    pub articles: u64,
    /// Passages in the index served.
    pub passages: u64,
    /// Whether the served index matched the corpus at the last check.
    pub fresh: bool,
    /// Why the last refresh failed.
    pub error: Option<String>,
    /// What the last refresh did, such as "updated 1 article (1 changed)".
    pub last_refresh: Option<String>,
    /// Seconds since the server started.
    pub uptime_seconds: u64,
}

#[derive(Debug, Default)]
struct Status {
    refreshing: bool,
    error: Option<String>,
    last_refresh: Option<String>,
}

/// Responses of the generation being served, by request (path and query
/// string): an answer is a pure function of the request and the index.
type ResponseCache = lru::LruCache<String, axum::body::Bytes>;

/// Shared by every request.
pub(crate) struct State {
    current: RwLock<Option<Arc<Index>>>,
    /// Emptied whenever a new generation is swapped in. `None`: no cache.
    cache: Option<Mutex<ResponseCache>>,
    status: Mutex<Status>,
    started: Instant,
    source: CorpusSource,
    location: Location,
}

impl State {
    pub(crate) fn new(source: CorpusSource, location: Location, cache_entries: usize) -> State {
        State {
            current: RwLock::new(None),
            cache: std::num::NonZeroUsize::new(cache_entries)
                .map(|n| Mutex::new(ResponseCache::new(n))),
            status: Mutex::new(Status::default()),
            started: Instant::now(),
            source,
            location,
        }
    }

    /// The index to answer from, if one is ready.
    pub(crate) fn index(&self) -> Option<Arc<Index>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// A cached answer to this request, from the generation being served.
    pub(crate) fn cached(&self, key: &str) -> Option<axum::body::Bytes> {
        self.cache.as_ref()?.lock().ok()?.get(key).cloned()
    }

    /// Keeps an answer computed from `index`, unless a newer generation was
    /// swapped in meanwhile.
    pub(crate) fn keep(&self, key: String, index: &Index, body: axum::body::Bytes) {
        let Some(cache) = &self.cache else { return };
        // Held while inserting: a swap (which empties the cache under the
        // write lock) cannot slip in between the check and the insert.
        let Ok(current) = self.current.read() else {
            return;
        };
        if current.as_deref().is_some_and(|c| c.path() == index.path()) {
            if let Ok(mut c) = cache.lock() {
                c.put(key, body);
            }
        }
    }

    pub(crate) fn health(&self) -> Health {
        let index = self.index();
        let status = self
            .status
            .lock()
            .map(|s| (s.refreshing, s.error.clone(), s.last_refresh.clone()));
        let (refreshing, error, last_refresh) = status.unwrap_or((false, None, None));
        let state = match (&index, refreshing, &error) {
            (None, _, None) => "starting",
            (_, true, _) => "refreshing",
            (_, false, Some(_)) => "error",
            (Some(_), false, None) => "ready",
        };
        Health {
            status: state.to_owned(),
            generation: index.as_ref().and_then(|i| {
                i.path()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            }),
            articles: index.as_ref().map_or(0, |i| i.stats().articles),
            passages: index.as_ref().map_or(0, |i| i.stats().passages),
            fresh: index.is_some() && !refreshing && error.is_none(),
            error,
            last_refresh,
            uptime_seconds: self.started.elapsed().as_secs(),
        }
    }

    /// Checks the corpus and builds or updates the index when it changed
    /// (blocking: run it off the async workers). The new index replaces the
    /// current one only once it is complete.
    pub(crate) fn refresh(&self) {
        if let Ok(mut s) = self.status.lock() {
            s.refreshing = true;
        }
        let started = Instant::now();
        let outcome = Index::open_or_build_source(
            &self.source,
            None,
            &self.location,
            BuildOptions::default(),
        );
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status.refreshing = false;
        match outcome {
            Ok(index) => {
                let said = match index.freshness() {
                    crate::Freshness::Reused => None,
                    crate::Freshness::Built(reason) => Some(format!("rebuilt: {reason}")),
                    crate::Freshness::Updated(summary) => Some(format!("updated {summary}")),
                    crate::Freshness::StaleReadOnly(reason) => {
                        Some(format!("stale ({reason}) and read-only"))
                    }
                };
                if let Some(said) = said {
                    status.last_refresh = Some(format!(
                        "{said} in {:.2} s",
                        started.elapsed().as_secs_f64()
                    ));
                }
                status.error = None;
                let index = match index.with_doc_cache(DOC_CACHE_BLOCKS) {
                    Ok(i) => i,
                    Err(e) => {
                        status.error = Some(e.to_string());
                        return;
                    }
                };
                let new = Arc::new(index);
                let mut current = self.current.write().unwrap_or_else(|p| p.into_inner());
                // Same generation: keep the one whose caches are warm.
                if current.as_ref().is_none_or(|c| c.path() != new.path()) {
                    *current = Some(new);
                    if let Some(cache) = &self.cache {
                        if let Ok(mut c) = cache.lock() {
                            c.clear();
                        }
                    }
                }
            }
            Err(e) => status.error = Some(e.to_string()),
        }
    }
}

/// The refresher: a first build, then one check per burst of corpus
/// events (and one every `poll` in case an event was missed).
pub(crate) async fn keep_fresh(state: Arc<State>, poll: Duration) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    // The watcher lives as long as this task; without one (too many
    // watches, an unsupported file system) the periodic check remains.
    let _watcher = match &state.source {
        CorpusSource::Dir(dir) => watch(dir, tx),
        CorpusSource::Builtin => None,
    };
    loop {
        let s = state.clone();
        let _ = tokio::task::spawn_blocking(move || s.refresh()).await;
        tokio::select! {
            got = rx.recv() => {
                if got.is_none() {
                    // No watcher: poll only.
                    tokio::time::sleep(poll).await;
                    continue;
                }
                // Let a burst of edits (a checkout, an editor's save) settle.
                tokio::time::sleep(Duration::from_millis(200)).await;
                while rx.try_recv().is_ok() {}
            }
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

fn watch(
    dir: &std::path::Path,
    tx: tokio::sync::mpsc::UnboundedSender<()>,
) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(e) = event {
            if !matches!(e.kind, notify::EventKind::Access(_)) {
                let _ = tx.send(());
            }
        }
    })
    .ok()?;
    watcher.watch(dir, notify::RecursiveMode::Recursive).ok()?;
    Some(watcher)
}
