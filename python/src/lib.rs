//! `dossier._native`: the compiled half of the Python package `dossier`.
//!
//! The binding is deliberately coarse (the lesson of tantivy-py's users):
//! each call takes plain arguments, runs one library call with the GIL
//! released, and returns the result as the JSON text that the CLI prints
//! with `--format json` (`serde_json` of the same Rust value). The Python
//! half (`dossier/__init__.py`) parses it with `json.loads` and wraps it in
//! small classes with attribute access, so `to_dict()` equals the CLI's JSON
//! by construction, floats included.
//!
//! Errors become the exceptions of `dossier/_errors.py` through one factory
//! there (`_from_native`), and a Rust panic becomes `dossier.Error`: every
//! call runs inside `catch_unwind`, so no panic crosses into Python.

use dossier::corpus::CorpusSource;
use dossier::{
    BuildOptions, Corpus, Error, FacetDim, Hit, Index, Location, Query, SearchResults, Sort,
};
use pyo3::exceptions::{PyIndexError, PyRuntimeError};
use pyo3::prelude::*;
use serde::Serialize;
use serde_json::json;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// What a native call can end with, besides its value.
enum Failure {
    /// A library error, mapped to the exception hierarchy.
    Dossier(Error),
    /// A panic: a bug, reported as `dossier.Error`.
    Panic(String),
}

/// Runs `f` with the GIL released, catching panics, and turns its outcome
/// into a Python value or exception.
fn run<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> dossier::Result<T> + Send,
    T: Send,
{
    let outcome = py.detach(|| match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(Failure::Dossier(e)),
        Err(payload) => Err(Failure::Panic(panic_message(payload.as_ref()))),
    });
    outcome.map_err(|failure| to_pyerr(py, failure))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// The exception for a failure, made by `dossier._errors._from_native`.
fn to_pyerr(py: Python<'_>, failure: Failure) -> PyErr {
    let (kind, message, payload) = match failure {
        Failure::Panic(what) => (
            "panic",
            format!("internal error in dossier (please report it): {what}"),
            json!({}),
        ),
        Failure::Dossier(e) => {
            let message = e.to_string();
            let (kind, payload) = describe(&e);
            (kind, message, payload)
        }
    };
    let made = (|| -> PyResult<PyErr> {
        let factory = py.import("dossier._errors")?.getattr("_from_native")?;
        let exc = factory.call1((kind, message.as_str(), payload.to_string()))?;
        Ok(PyErr::from_value(exc))
    })();
    // Only a broken installation (no `dossier._errors`) gets here.
    made.unwrap_or_else(|e| PyRuntimeError::new_err(format!("{message} ({e})")))
}

/// The variant's name and its fields, as JSON for the Python factory.
fn describe(e: &Error) -> (&'static str, serde_json::Value) {
    match e {
        Error::QuerySyntax { position, .. } => ("query-syntax", json!({ "position": position })),
        Error::InvalidArgument(_) => ("invalid-argument", json!({})),
        Error::UnknownActor { name, suggestions } => (
            "unknown-label",
            json!({ "kind": "actor", "value": name, "suggestions": suggestions }),
        ),
        Error::UnknownLabel { kind, value, valid } => (
            "unknown-label",
            json!({ "kind": kind, "value": value, "suggestions": valid, "valid": valid }),
        ),
        Error::UnknownArticle { id, suggestions } => (
            "unknown-label",
            json!({ "kind": "article", "value": id, "suggestions": suggestions }),
        ),
        Error::UnknownPassage { id, suggestions } => (
            "unknown-label",
            json!({ "kind": "passage", "value": id, "suggestions": suggestions }),
        ),
        Error::Corpus(diagnostics) => ("corpus", json!({ "diagnostics": diagnostics })),
        Error::Import(diagnostics) => ("import", json!({ "diagnostics": diagnostics })),
        Error::Io { path, .. } => ("io", json!({ "path": path })),
        Error::IndexBusy { path } => ("index", json!({ "path": path, "reason": "busy" })),
        Error::IndexDamaged { path, .. } => ("index", json!({ "path": path, "reason": "damaged" })),
        Error::IndexDirForeign { path } => ("index", json!({ "path": path, "reason": "foreign" })),
        Error::IndexWrite { path, .. } => ("index", json!({ "path": path, "reason": "write" })),
        Error::Tantivy(_) => ("index", json!({ "path": null, "reason": "tantivy" })),
        // `dossier::Error` is non-exhaustive: a future variant is still an Error.
        _ => ("other", json!({})),
    }
}

/// `serde_json` of a result: exactly what the CLI prints.
fn to_json<T: Serialize>(value: &T) -> dossier::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode the result as JSON: {e}")))
}

fn source_of(corpus: Option<PathBuf>) -> CorpusSource {
    corpus.map_or(CorpusSource::Builtin, CorpusSource::Dir)
}

/// A corpus folder that does not exist is an error, not an empty corpus
/// (the CLI says the same).
fn require_dir(source: &CorpusSource) -> dossier::Result<()> {
    match source {
        CorpusSource::Dir(d) if !d.is_dir() => Err(Error::Io {
            path: d.clone(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such corpus directory"),
        }),
        _ => Ok(()),
    }
}

/// Opens (building or refreshing when needed) the index; see
/// `dossier.open` for the rules.
fn open_index(
    corpus: Option<PathBuf>,
    index: Option<PathBuf>,
    refresh: bool,
) -> dossier::Result<Index> {
    let prebuilt_only = corpus.is_none() && index.is_some();
    let source = source_of(corpus);
    let location = index.clone().map_or(Location::Cache, Location::Dir);
    if let (true, Some(dir)) = (prebuilt_only, &index) {
        // An index folder given without a corpus. An empty or new folder
        // gets the built-in corpus, and an index of the built-in corpus is
        // handled as usual; any other index (built by the CLI from another
        // corpus, say) is opened as it is, and never rebuilt from the
        // built-in corpus: if it cannot be opened, that is the error.
        let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
        if !empty && Index::open_unchecked(&source, &location)?.is_none() {
            return Index::open(dir);
        }
    }
    if !refresh {
        if let Some(found) = Index::open_unchecked(&source, &location)? {
            return Ok(found);
        }
    }
    require_dir(&source)?;
    Index::open_or_build_source(&source, None, &location, BuildOptions::default())
}

/// Opens the index; the Python `dossier.open` documents the arguments.
#[pyfunction]
#[pyo3(signature = (corpus=None, index=None, refresh=true))]
fn open(
    py: Python<'_>,
    corpus: Option<PathBuf>,
    index: Option<PathBuf>,
    refresh: bool,
) -> PyResult<NativeIndex> {
    let inner = run(py, move || open_index(corpus, index, refresh))?;
    Ok(NativeIndex { inner })
}

/// Validates a corpus. Returns `{"summary": CheckSummary | null, "errors":
/// [Diagnostic]}`: an invalid corpus is a report, not an exception.
#[pyfunction]
#[pyo3(signature = (corpus=None))]
fn check(py: Python<'_>, corpus: Option<PathBuf>) -> PyResult<String> {
    run(py, move || {
        let source = source_of(corpus);
        require_dir(&source)?;
        let checked = Corpus::open(source).and_then(|c| c.check());
        let report = match checked {
            Ok(summary) => json!({ "summary": summary, "errors": [] }),
            Err(Error::Corpus(errors)) => json!({ "summary": null, "errors": errors }),
            Err(e) => return Err(e),
        };
        to_json(&report)
    })
}

/// Panics inside a guarded call, to test that a panic becomes
/// `dossier.Error` (no real input panics: the library is fuzzed for that).
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    run(py, move || -> dossier::Result<()> { panic!("{message}") })
}

/// An open index. Python code uses `dossier.Index`, which wraps this.
#[pyclass(frozen, name = "Index", module = "dossier._native")]
struct NativeIndex {
    inner: Index,
}

/// Builds a library query from the filter arguments.
#[allow(clippy::too_many_arguments)]
fn build_query(
    text: Option<String>,
    actors: Vec<String>,
    topics: Vec<String>,
    camps: Vec<String>,
    article: Option<String>,
    stance: Option<String>,
    holder: Option<String>,
    target: Option<String>,
    polarity: Option<String>,
    since: Option<String>,
    until: Option<String>,
) -> Query {
    Query {
        text,
        actors,
        topics,
        camps,
        article,
        stance,
        holder,
        target,
        polarity,
        since,
        until,
        ..Query::default()
    }
}

fn to_usize(what: &str, n: i64) -> dossier::Result<usize> {
    usize::try_from(n)
        .map_err(|_| Error::InvalidArgument(format!("{what} must not be negative, not {n}")))
}

fn sort_of(sort: &str) -> dossier::Result<Sort> {
    match sort {
        "auto" => Ok(Sort::Auto),
        "score" => Ok(Sort::Score),
        "position" => Ok(Sort::Position),
        other => Err(Error::UnknownLabel {
            kind: "sort",
            value: other.to_owned(),
            valid: vec!["auto".into(), "score".into(), "position".into()],
        }),
    }
}

fn dim_of(dim: &str) -> dossier::Result<FacetDim> {
    FacetDim::ALL
        .into_iter()
        .find(|d| d.as_str() == dim)
        .ok_or_else(|| Error::UnknownLabel {
            kind: "facet dimension",
            value: dim.to_owned(),
            valid: FacetDim::ALL
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
        })
}

#[pymethods]
impl NativeIndex {
    /// Runs a search. The results stay in Rust until they are read: see
    /// `NativeResults`.
    #[pyo3(signature = (text, actors, topics, camps, article, stance, holder, target, polarity, since, until, limit, offset, sort))]
    #[allow(clippy::too_many_arguments)]
    fn search(
        &self,
        py: Python<'_>,
        text: Option<String>,
        actors: Vec<String>,
        topics: Vec<String>,
        camps: Vec<String>,
        article: Option<String>,
        stance: Option<String>,
        holder: Option<String>,
        target: Option<String>,
        polarity: Option<String>,
        since: Option<String>,
        until: Option<String>,
        limit: i64,
        offset: i64,
        sort: String,
    ) -> PyResult<NativeResults> {
        let inner = run(py, move || {
            let mut q = build_query(
                text, actors, topics, camps, article, stance, holder, target, polarity, since,
                until,
            );
            q.limit = Some(to_usize("limit", limit)?);
            q.offset = to_usize("offset", offset)?;
            q.sort = sort_of(&sort)?;
            self.inner.search(&q)
        })?;
        Ok(NativeResults { inner })
    }

    /// `Facets` as JSON.
    #[pyo3(signature = (by, text, actors, topics, camps, article, stance, holder, target, polarity, since, until))]
    #[allow(clippy::too_many_arguments)]
    fn facets(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        text: Option<String>,
        actors: Vec<String>,
        topics: Vec<String>,
        camps: Vec<String>,
        article: Option<String>,
        stance: Option<String>,
        holder: Option<String>,
        target: Option<String>,
        polarity: Option<String>,
        since: Option<String>,
        until: Option<String>,
    ) -> PyResult<String> {
        run(py, move || {
            let dims = by
                .iter()
                .map(|d| dim_of(d))
                .collect::<dossier::Result<Vec<_>>>()?;
            let q = build_query(
                text, actors, topics, camps, article, stance, holder, target, polarity, since,
                until,
            );
            to_json(&self.inner.facets(&q, &dims)?)
        })
    }

    /// `Timeline` as JSON.
    #[pyo3(signature = (text, actors, topics, camps, article, stance, holder, target, polarity, since, until))]
    #[allow(clippy::too_many_arguments)]
    fn timeline(
        &self,
        py: Python<'_>,
        text: Option<String>,
        actors: Vec<String>,
        topics: Vec<String>,
        camps: Vec<String>,
        article: Option<String>,
        stance: Option<String>,
        holder: Option<String>,
        target: Option<String>,
        polarity: Option<String>,
        since: Option<String>,
        until: Option<String>,
    ) -> PyResult<String> {
        run(py, move || {
            let q = build_query(
                text, actors, topics, camps, article, stance, holder, target, polarity, since,
                until,
            );
            to_json(&self.inner.timeline(&q)?)
        })
    }

    /// One passage (a `Hit`) as JSON.
    fn passage(&self, py: Python<'_>, id: String) -> PyResult<String> {
        run(py, move || to_json(&self.inner.passage(&id)?))
    }

    /// Every registered actor with its passage count, as JSON.
    fn actors(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || to_json(&self.inner.actors()?))
    }

    /// How `name` resolves (a `Resolution`), as JSON; an unknown name is
    /// `UnknownLabelError` with suggestions, as in the CLI.
    fn resolve(&self, py: Python<'_>, name: String) -> PyResult<String> {
        run(py, move || {
            let resolver = self.inner.resolver()?;
            let resolution = resolver.resolve(&name).ok_or_else(|| Error::UnknownActor {
                suggestions: resolver.suggest(&name, 3),
                name: name.clone(),
            })?;
            to_json(&resolution)
        })
    }

    /// The stance taxonomy with passage counts, as JSON.
    fn stances(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || to_json(&self.inner.stances()?))
    }

    /// The registries (actors, stances, topics) as JSON.
    fn registry(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || to_json(self.inner.registry()?))
    }

    /// Whether the index was reused, built or updated when opened, as JSON
    /// (`{"status": ..., "reason": ...}`).
    fn freshness(&self) -> PyResult<String> {
        serde_json::to_string(self.inner.freshness())
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// The generation folder in use.
    fn path(&self) -> PathBuf {
        self.inner.path().to_owned()
    }

    /// (articles, passages) in the index.
    fn stats(&self) -> (u64, u64) {
        let s = self.inner.stats();
        (s.articles, s.passages)
    }
}

/// The answer to a search, kept in Rust: a search costs no conversion, and
/// Python converts only what it reads (a hit's ids and score by getters,
/// its annotations and the whole results as the CLI's JSON).
#[pyclass(frozen, name = "Results", module = "dossier._native")]
struct NativeResults {
    inner: SearchResults,
}

impl NativeResults {
    fn hit(&self, i: usize) -> PyResult<&Hit> {
        self.inner
            .hits
            .get(i)
            .ok_or_else(|| PyIndexError::new_err(format!("no hit {i}")))
    }
}

#[pymethods]
impl NativeResults {
    /// Passages matching in all.
    fn total(&self) -> usize {
        self.inner.total
    }

    /// Hits returned.
    fn __len__(&self) -> usize {
        self.inner.hits.len()
    }

    /// The whole results as JSON: what `dossier search --format json` prints.
    fn json(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || to_json(&self.inner))
    }

    /// The query as understood, as JSON.
    fn query_json(&self, py: Python<'_>) -> PyResult<String> {
        run(py, || to_json(&self.inner.query))
    }

    /// Hit `i` as JSON.
    fn hit_json(&self, py: Python<'_>, i: usize) -> PyResult<String> {
        let hit = self.hit(i)?;
        run(py, || to_json(hit))
    }

    /// Hit `i`'s (article, passage, ordinal, score). The score is the number
    /// the JSON has: its shortest decimal form as an f32, read as a double,
    /// as `json.loads` reads it.
    fn hit_head(&self, i: usize) -> PyResult<(&str, &str, u32, Option<f64>)> {
        let hit = self.hit(i)?;
        let score = hit.score.map(|s| {
            serde_json::to_string(&s)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(f64::from(s))
        });
        Ok((&hit.article, &hit.passage, hit.ordinal, score))
    }

    /// Hit `i`'s text.
    fn hit_text(&self, i: usize) -> PyResult<&str> {
        Ok(&self.hit(i)?.text)
    }
}

/// The module `dossier._native`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_function(wrap_pyfunction!(check, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_class::<NativeIndex>()?;
    m.add_class::<NativeResults>()?;
    m.add("DOSSIER_VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
