//! Writing passages into tantivy: a full build into an empty folder, or an
//! update of a generation's copy. Articles are read and validated on worker
//! threads while tantivy indexes the previous ones.

use super::analysis::{text_analyzer, TEXT_TOKENIZER};
use super::directories::{take, FirstError, WatchedDirectory};
use super::document::passage_document;
use super::generation::IndexedFile;
use super::merge::ExpungingMergePolicy;
use super::schema::Fields;
use crate::corpus::{Article, ArticleReport, Corpus, FileStamp, Registry, SeenPassages};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use tantivy::schema::Term;
use tantivy::{IndexSettings, IndexWriter, TantivyDocument};

/// Heap given to tantivy's writer, shared by its threads. It bounds the
/// build's memory whatever the corpus size: segments are flushed when full.
const WRITER_HEAP_BYTES: usize = 512 * 1024 * 1024;
/// A smaller heap for updates, which touch few articles.
const UPDATE_HEAP_BYTES: usize = 64 * 1024 * 1024;

/// Progress of a build, reported after each article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildProgress {
    /// Articles processed so far.
    pub articles_done: usize,
    /// Articles to process.
    pub articles_total: usize,
    /// Passages indexed so far.
    pub passages: usize,
}

/// What an index holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildStats {
    /// Articles indexed.
    pub articles: u64,
    /// Passages indexed.
    pub passages: u64,
}

fn settings() -> IndexSettings {
    IndexSettings {
        // The stored passages are most of the index; zstd keeps the index
        // near the size of the text it holds. Level 1: most of zstd's size
        // gain at a fraction of level 3's CPU.
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(1),
        }),
        ..IndexSettings::default()
    }
}

/// tantivy over `dir`, creating an empty index when there is none, with the
/// slot where its first failed write is kept.
pub(crate) fn open_tantivy(dir: &Path, fields: &Fields) -> Result<(tantivy::Index, FirstError)> {
    let (directory, first_error) = WatchedDirectory::open(dir)?;
    let index = tantivy::Index::builder()
        .schema(fields.schema.clone())
        .settings(settings())
        .open_or_create(directory)?;
    index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
    Ok((index, first_error))
}

/// A tantivy writer that names the cause when a write fails.
pub(crate) struct PassageWriter<'f> {
    writer: IndexWriter<TantivyDocument>,
    first_error: FirstError,
    fields: &'f Fields,
    pub passages: u64,
}

impl<'f> PassageWriter<'f> {
    pub(crate) fn new(
        index: &tantivy::Index,
        first_error: FirstError,
        fields: &'f Fields,
        full: bool,
    ) -> Result<Self> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let heap = if full {
            WRITER_HEAP_BYTES
        } else {
            UPDATE_HEAP_BYTES
        };
        let writer = index
            .writer_with_num_threads(threads, heap)
            .map_err(|e| name_write_failure(e.into(), &first_error))?;
        writer.set_merge_policy(Box::new(ExpungingMergePolicy::default()));
        Ok(PassageWriter {
            writer,
            first_error,
            fields,
            passages: 0,
        })
    }

    fn named(&self, e: tantivy::TantivyError) -> Error {
        name_write_failure(e.into(), &self.first_error)
    }

    pub(crate) fn add(&mut self, registry: &Registry, article: &Article) -> Result<()> {
        for passage in &article.passages {
            let doc = passage_document(self.fields, registry, article, passage)?;
            self.writer.add_document(doc).map_err(|e| self.named(e))?;
            self.passages += 1;
        }
        Ok(())
    }

    pub(crate) fn delete_article(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.article, id));
    }

    /// Commits and waits for merges, so that the folder is complete.
    pub(crate) fn commit(mut self) -> Result<()> {
        self.writer.commit().map_err(|e| self.named(e))?;
        let first_error = self.first_error.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| name_write_failure(e.into(), &first_error))
    }
}

/// tantivy words a failed write inside its threads as "An index writer was
/// killed"; name the file and the cause instead, when one was recorded.
fn name_write_failure(e: Error, first_error: &FirstError) -> Error {
    match (e, take(first_error)) {
        (Error::Tantivy(_), Some((path, source))) => Error::IndexWrite { path, source },
        (e, _) => e,
    }
}

/// What reading the articles gave: the record of every file read, the
/// articles that vanished, and every error.
#[derive(Default)]
pub(crate) struct ReadLog {
    hashes: HashMap<String, u64>,
    pub vanished: BTreeSet<String>,
    pub errors: Vec<crate::error::Diagnostic>,
    pub articles: u64,
}

impl ReadLog {
    /// Takes in one report; returns the article when it is valid and no
    /// error was seen so far (after an error nothing will be committed, so
    /// nothing more is indexed, but every error is still collected).
    pub(crate) fn take(&mut self, mut report: ArticleReport) -> Option<Article> {
        if report.vanished {
            self.vanished.insert(report.id);
            return None;
        }
        self.hashes.extend(report.hashes.drain(..));
        self.errors.append(&mut report.errors);
        if !self.errors.is_empty() {
            return None;
        }
        self.articles += 1;
        report.article
    }

    /// The record of the files behind the index: each stamp (taken before
    /// the file was read) with the hash of what was read; `kept` supplies
    /// the record of files that were not read again.
    pub(crate) fn indexed_files(
        &self,
        corpus: &Corpus,
        kept: &HashMap<&str, u64>,
    ) -> Vec<IndexedFile> {
        let registry: HashMap<&str, u64> = corpus
            .registry_hashes()
            .iter()
            .map(|(p, h)| (p.as_str(), *h))
            .collect();
        corpus
            .stamps()
            .iter()
            .filter(|s| !self.is_vanished(s))
            .map(|s| IndexedFile {
                stamp: s.clone(),
                // A file with no hash was not read: 0 never matches, so the
                // next check reads it rather than trusting it.
                hash: registry
                    .get(s.path.as_str())
                    .or_else(|| self.hashes.get(&s.path))
                    .or_else(|| kept.get(s.path.as_str()))
                    .copied()
                    .unwrap_or(0),
            })
            .collect()
    }

    fn is_vanished(&self, s: &FileStamp) -> bool {
        s.path
            .strip_prefix("articles/")
            .and_then(|rest| rest.split_once('/'))
            .is_some_and(|(id, _)| self.vanished.contains(id))
    }
}

/// Indexes every article of `corpus` into the empty folder `dir`. On a
/// corpus error nothing is committed and every error is returned.
pub(crate) fn build(
    corpus: &Corpus,
    dir: &Path,
    progress: &mut dyn FnMut(BuildProgress),
) -> Result<(BuildStats, Vec<IndexedFile>)> {
    let fields = Fields::new();
    let (index, first_error) = open_tantivy(dir, &fields)?;
    let mut writer = PassageWriter::new(&index, first_error, &fields, true)?;
    let mut log = ReadLog::default();
    let total = corpus.article_ids().len();
    let mut done = 0;
    let ids = corpus.article_ids();
    corpus.load_parallel(ids, &mut SeenPassages::default(), &|_| false, |report| {
        if let Some(article) = log.take(report) {
            writer.add(corpus.registry(), &article)?;
        }
        done += 1;
        progress(BuildProgress {
            articles_done: done,
            articles_total: total,
            passages: writer.passages as usize,
        });
        Ok(())
    })?;
    if !log.errors.is_empty() {
        return Err(Error::Corpus(log.errors));
    }
    let passages = writer.passages;
    writer.commit()?;
    let stats = BuildStats {
        articles: log.articles,
        passages,
    };
    Ok((stats, log.indexed_files(corpus, &HashMap::new())))
}
