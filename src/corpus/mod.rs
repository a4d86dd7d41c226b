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
pub mod names;
mod registry;
pub mod segment;
mod source;
pub(crate) mod toml_file;

pub use article::ArticleReport;
pub use model::*;
pub use registry::Registry;
pub(crate) use source::now_ns;
pub use source::CorpusSource;
pub(crate) use source::{stamp_digest, FileStamp};
pub(crate) use source::{ARTICLES_DIR, ARTICLE_FILE, REGISTRY_FILES, TEXT_FILE};

use crate::error::{Diagnostic, Error, Result};
pub(crate) use article::SeenPassages;
use lint::MentionFinder;
use names::NameResolver;
pub(crate) use registry::is_kebab_id;
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
    /// Every file's stamp, taken when the corpus was opened and before any
    /// file was read, so that an edit racing a build leaves it stale.
    stamps: Vec<FileStamp>,
    /// The content hash of each registry file, as read.
    registry_hashes: Vec<(String, u64)>,
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
        // Stamps first, reads after: see `stamps`.
        let stamps = source.survey(source.article_ids()?)?.into_stamps();
        Corpus::open_on_stamps(source, stamps)
    }

    /// Loads a corpus whose files were stamped (by
    /// [`CorpusSource::survey`]) before any of them was read. Its articles
    /// are the stamped ones: an article added since is left for the next
    /// check, which will find it.
    pub(crate) fn open_on_stamps(source: CorpusSource, stamps: Vec<FileStamp>) -> Result<Corpus> {
        // An article whose folder vanished since the listing has no stamps.
        let article_ids = source::stamped_article_ids(&stamps);
        let mut registry_hashes = Vec::new();
        let registry = Registry::load(&source, &mut registry_hashes).map_err(Error::Corpus)?;
        let (resolver, _) = NameResolver::new(&registry.actors);
        let mentions = MentionFinder::new(&registry.actors);
        Ok(Corpus {
            source,
            registry,
            article_ids,
            resolver,
            mentions,
            stamps,
            registry_hashes,
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

    fn load_articles(&self, lint: bool) -> impl Iterator<Item = ArticleReport> + '_ {
        let mut seen = SeenPassages::default();
        self.article_ids.iter().map(move |id| {
            let mut report = article::load_article(self, id, lint);
            if !report.vanished {
                article::check_passage_ids(self, &mut seen, &|_| false, &mut report);
            }
            report
        })
    }

    /// Loads `ids` on worker threads (in batches, so memory stays bounded)
    /// and hands each report to `consume` in id order, with the corpus-wide
    /// passage id check applied against `seen` and `taken` (ids held by
    /// articles not being loaded). Reading and validating overlap with
    /// whatever `consume` does (such as indexing).
    pub(crate) fn load_parallel(
        &self,
        ids: &[String],
        seen: &mut SeenPassages,
        taken: &dyn Fn(&str) -> bool,
        mut consume: impl FnMut(ArticleReport) -> Result<()>,
    ) -> Result<()> {
        use rayon::prelude::*;
        const BATCH: usize = 64;
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ArticleReport>>(1);
            scope.spawn(move || {
                for batch in ids.chunks(BATCH) {
                    let reports: Vec<ArticleReport> = batch
                        .par_iter()
                        .map(|id| article::load_article(self, id, false))
                        .collect();
                    if tx.send(reports).is_err() {
                        // The consumer stopped (an error): stop reading.
                        return;
                    }
                }
            });
            for batch in rx {
                for mut report in batch {
                    if !report.vanished {
                        article::check_passage_ids(self, seen, taken, &mut report);
                    }
                    consume(report)?;
                }
            }
            Ok(())
        })
    }

    /// One article, loaded and validated (not linted).
    pub fn article(&self, id: &str) -> Result<Article> {
        let mut report = article::load_article(self, id, false);
        if report.vanished {
            return Err(Error::io(
                self.display_path(&Path::new(source::ARTICLES_DIR).join(id)),
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such article"),
            ));
        }
        if !report.errors.is_empty() {
            return Err(Error::Corpus(std::mem::take(&mut report.errors)));
        }
        report
            .article
            .ok_or_else(|| Error::InvalidArgument(format!("article `{id}` did not load")))
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

    /// Every file's stamp, taken when the corpus was opened.
    pub(crate) fn stamps(&self) -> &[FileStamp] {
        &self.stamps
    }

    /// The content hash of each registry file, as read.
    pub(crate) fn registry_hashes(&self) -> &[(String, u64)] {
        &self.registry_hashes
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
