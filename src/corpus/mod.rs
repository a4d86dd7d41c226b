//! The corpus: registries plus articles, read from TOML and validated.
//!
//! [`Corpus::load`] reads and validates the registries and lists the
//! articles; it does not read the articles. [`Corpus::articles`] then streams
//! them one at a time, validated, so a corpus of thousands of articles needs
//! no more memory than its largest article plus the registries.
//! [`Corpus::check`] runs the whole validation and lint.

mod article;
mod lint;
mod model;
mod registry;
pub mod segment;
mod source;
pub(crate) mod toml_file;

pub use article::ArticleReport;
pub use model::*;
pub use registry::Registry;
pub use source::CorpusSource;
pub(crate) use source::{stamp_digest, FileStamp};

use crate::error::{Diagnostic, Error, Result};
use crate::names::NameResolver;
use article::SeenPassages;
use lint::MentionFinder;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A corpus whose registries are loaded and valid.
#[derive(Debug, Clone)]
pub struct Corpus {
    source: CorpusSource,
    registry: Registry,
    article_ids: Vec<String>,
    resolver: NameResolver,
    mentions: MentionFinder,
}

/// What [`Corpus::check`] found in a valid corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CheckSummary {
    /// Number of articles.
    pub articles: usize,
    /// Number of passages.
    pub passages: usize,
    /// Number of registered actors.
    pub actors: usize,
    /// Number of stances in the taxonomy.
    pub stances: usize,
    /// Number of stance annotations over all passages.
    pub stance_annotations: usize,
    /// Number of topics.
    pub topics: usize,
    /// Number of dated events.
    pub events: usize,
    /// Lint warnings.
    pub warnings: Vec<Diagnostic>,
}

impl Corpus {
    /// Loads the corpus in directory `dir`.
    pub fn load(dir: impl AsRef<Path>) -> Result<Corpus> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such corpus directory"),
            ));
        }
        Corpus::open(CorpusSource::Dir(dir.to_owned()))
    }

    /// Loads the corpus compiled into this build of dossier.
    pub fn builtin() -> Result<Corpus> {
        Corpus::open(CorpusSource::Builtin)
    }

    /// Loads a corpus from either kind of source.
    pub fn open(source: CorpusSource) -> Result<Corpus> {
        let registry = Registry::load(&source).map_err(Error::Corpus)?;
        let article_ids = source.article_ids()?;
        let (resolver, _) = NameResolver::new(&registry.actors);
        let mentions = MentionFinder::new(&registry.actors);
        Ok(Corpus {
            source,
            registry,
            article_ids,
            resolver,
            mentions,
        })
    }

    /// Where this corpus lives.
    pub fn source(&self) -> &CorpusSource {
        &self.source
    }

    /// Actors, stances and topics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Resolves typed actor names.
    pub fn resolver(&self) -> &NameResolver {
        &self.resolver
    }

    /// The article ids, sorted.
    pub fn article_ids(&self) -> &[String] {
        &self.article_ids
    }

    pub(crate) fn mentions(&self) -> &MentionFinder {
        &self.mentions
    }

    pub(crate) fn suggest_actor(&self, id: &str) -> String {
        let best = self.resolver.suggest(id, 1).into_iter().next();
        let best = best
            .and_then(|name| self.resolver.resolve(&name))
            .and_then(|r| r.matches.first().map(|m| m.id.clone()));
        best.map(|b| format!(" (did you mean `{b}`?)"))
            .unwrap_or_default()
    }

    /// Streams the articles in id order, each loaded and validated.
    pub fn articles(&self) -> impl Iterator<Item = ArticleReport> + '_ {
        self.load_articles(true)
    }

    /// Like [`Corpus::articles`], without the name lint: for builds, which
    /// report errors only.
    pub(crate) fn articles_unlinted(&self) -> impl Iterator<Item = ArticleReport> + '_ {
        self.load_articles(false)
    }

    fn load_articles(&self, lint: bool) -> impl Iterator<Item = ArticleReport> + '_ {
        let mut seen = SeenPassages::default();
        self.article_ids
            .iter()
            .map(move |id| article::load_article(self, id, &mut seen, lint))
    }

    /// Validates and lints every article. Returns the summary (with its
    /// warnings) when the corpus has no error, else every error.
    pub fn check(&self) -> Result<CheckSummary> {
        let mut summary = CheckSummary {
            actors: self.registry.actors.len(),
            stances: self.registry.stances.len(),
            topics: self.registry.topics.len(),
            ..CheckSummary::default()
        };
        let mut errors = Vec::new();
        for mut report in self.articles() {
            errors.append(&mut report.errors);
            summary.warnings.append(&mut report.warnings);
            if let Some(a) = report.article {
                summary.articles += 1;
                summary.passages += a.passages.len();
                summary.stance_annotations +=
                    a.passages.iter().map(|p| p.stances.len()).sum::<usize>();
                summary.events += a.passages.iter().map(|p| p.events.len()).sum::<usize>();
            }
        }
        if errors.is_empty() {
            Ok(summary)
        } else {
            Err(Error::Corpus(errors))
        }
    }

    /// Size and mtime of every corpus file (one `stat` each, no reads).
    pub(crate) fn stamps(&self) -> Result<Vec<FileStamp>> {
        self.source.stamps(&self.article_ids)
    }

    /// The corpus directory, if it is on disk.
    pub fn dir(&self) -> Option<&Path> {
        match &self.source {
            CorpusSource::Dir(d) => Some(d),
            CorpusSource::Builtin => None,
        }
    }

    /// The path of a corpus file as shown in messages.
    pub fn display_path(&self, rel: &Path) -> PathBuf {
        match &self.source {
            CorpusSource::Dir(d) => d.join(rel),
            CorpusSource::Builtin => Path::new("<built-in>").join(rel),
        }
    }
}

/// Decodes UTF-8, or reports the line and column of the first bad byte.
pub(crate) fn decode_utf8<'b>(
    file: &Path,
    bytes: &'b [u8],
) -> std::result::Result<&'b str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by construction.
        let prefix = std::str::from_utf8(good).unwrap_or_default();
        let (line, column) = toml_file::line_column(prefix, prefix.len());
        Diagnostic {
            file: file.to_owned(),
            line: Some(line),
            column: Some(column),
            passage: None,
            message: format!(
                "text is not UTF-8 (invalid byte 0x{:02X} at byte {})",
                bytes[e.valid_up_to()],
                e.valid_up_to()
            ),
        }
    })
}
