//! Writing a corpus into a fresh tantivy index.

use super::analysis::{text_analyzer, TEXT_TOKENIZER};
use super::schema::{stance_keys, Fields, KEY_SEP};
use super::write_watch::{take, FirstError, WatchedDirectory};
use crate::corpus::{Article, Corpus, Event, Passage, Span, StanceAnnotation};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;
use tantivy::{IndexSettings, TantivyDocument};

/// Heap given to tantivy's writer, shared by its threads. It bounds the
/// build's memory whatever the corpus size: segments are flushed when full.
const WRITER_HEAP_BYTES: usize = 512 * 1024 * 1024;

/// Progress of a build, reported after each article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildProgress {
    /// Articles processed so far.
    pub articles_done: usize,
    /// Articles in the corpus.
    pub articles_total: usize,
    /// Passages indexed so far.
    pub passages: usize,
}

/// What a build wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildStats {
    /// Articles indexed.
    pub articles: u64,
    /// Passages indexed.
    pub passages: u64,
}

/// The annotations stored with each passage, so that a hit needs no corpus.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredAnnotations {
    pub span: Span,
    /// With display names, so that a hit needs no registry.
    pub actors: Vec<crate::search::ActorRef>,
    pub topics: Vec<String>,
    pub stances: Vec<StanceAnnotation>,
    pub events: Vec<Event>,
}

/// A new, empty index in `dir`, and the slot where its first failed write
/// is kept.
pub(crate) fn create_tantivy_index(
    dir: &Path,
    fields: &Fields,
) -> Result<(tantivy::Index, FirstError)> {
    let (directory, first_error) = WatchedDirectory::open(dir)?;
    let index = tantivy::Index::builder()
        .schema(fields.schema.clone())
        .settings(IndexSettings {
            // The stored passages are most of the index; zstd keeps the
            // index near the size of the text it holds.
            // Level 1: most of zstd's size gain at a fraction of level 3's CPU.
            docstore_compression: tantivy::store::Compressor::Zstd(
                tantivy::store::ZstdCompressor {
                    compression_level: Some(1),
                },
            ),
            ..IndexSettings::default()
        })
        .open_or_create(directory)?;
    index.tokenizers().register(TEXT_TOKENIZER, text_analyzer());
    Ok((index, first_error))
}

/// tantivy words a failed write inside its threads as "An index writer was
/// killed"; name the file and the cause instead, when one was recorded.
fn name_write_failure(e: Error, first_error: &FirstError) -> Error {
    match (e, take(first_error)) {
        (Error::Tantivy(_), Some((path, source))) => Error::IndexWrite { path, source },
        (e, _) => e,
    }
}

/// Indexes every article of `corpus` into `dir`, which must be empty. On a
/// corpus error nothing is committed and every error is returned.
pub(crate) fn build(
    corpus: &Corpus,
    dir: &Path,
    progress: &mut dyn FnMut(BuildProgress),
) -> Result<BuildStats> {
    let fields = Fields::new();
    let (index, first_error) = create_tantivy_index(dir, &fields)?;
    write_all(corpus, &index, &fields, progress).map_err(|e| name_write_failure(e, &first_error))
}

fn write_all(
    corpus: &Corpus,
    index: &tantivy::Index,
    fields: &Fields,
    progress: &mut dyn FnMut(BuildProgress),
) -> Result<BuildStats> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let mut writer =
        index.writer_with_num_threads::<TantivyDocument>(threads, WRITER_HEAP_BYTES)?;
    let mut errors = Vec::new();
    let mut stats = BuildStats::default();
    let total = corpus.article_ids().len();
    for (done, mut report) in corpus.articles_unlinted().enumerate() {
        errors.append(&mut report.errors);
        // Keep validating after an error, to report them all, but stop
        // feeding the writer: nothing will be committed.
        if let (Some(article), true) = (report.article, errors.is_empty()) {
            stats.articles += 1;
            for passage in &article.passages {
                writer.add_document(passage_document(
                    fields,
                    corpus,
                    &article,
                    passage,
                    stats.passages,
                )?)?;
                stats.passages += 1;
            }
        }
        progress(BuildProgress {
            articles_done: done + 1,
            articles_total: total,
            passages: stats.passages as usize,
        });
    }
    if !errors.is_empty() {
        writer.rollback()?;
        return Err(Error::Corpus(errors));
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(stats)
}

fn passage_document(
    f: &Fields,
    corpus: &Corpus,
    article: &Article,
    p: &Passage,
    position: u64,
) -> Result<TantivyDocument> {
    let registry = corpus.registry();
    let mut doc = TantivyDocument::default();
    doc.add_text(f.passage, &p.id);
    doc.add_text(f.article, &article.id);
    doc.add_u64(f.ordinal, u64::from(p.ordinal));
    doc.add_u64(f.position, position);
    doc.add_text(f.text, &p.text);
    let mut camps = BTreeSet::new();
    for a in &p.actors {
        doc.add_text(f.actor, a);
        if let Some(camp) = registry.actor(a).and_then(|a| a.camp) {
            camps.insert(camp);
        }
    }
    for c in camps {
        doc.add_text(f.camp, c.as_str());
    }
    for t in &p.topics {
        doc.add_text(f.topic, t);
    }
    // Facet columns count passages, so each value goes in once per passage.
    let mut stances = BTreeSet::new();
    let mut holders = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for s in &p.stances {
        stances.insert(s.stance.as_str());
        holders.insert(s.holder.as_str());
        pairs.insert(format!("{}{KEY_SEP}{}", s.holder, s.stance));
        keys.extend(stance_keys(
            &s.holder,
            &s.stance,
            &s.target,
            s.polarity.as_str(),
        ));
    }
    for s in stances {
        doc.add_text(f.stance, s);
    }
    for h in holders {
        doc.add_text(f.holder, h);
    }
    for pair in pairs {
        doc.add_text(f.holder_stance, pair);
    }
    for k in keys {
        doc.add_text(f.stance_key, k);
    }
    for day in p
        .events
        .iter()
        .filter_map(|e| e.date.first_day_key())
        .collect::<BTreeSet<_>>()
    {
        doc.add_u64(f.event_day, day);
    }
    let stored = StoredAnnotations {
        span: p.span,
        actors: p
            .actors
            .iter()
            .map(|id| crate::search::ActorRef {
                id: id.clone(),
                name: registry
                    .actor(id)
                    .map_or_else(|| id.clone(), |a| a.name.clone()),
            })
            .collect(),
        topics: p.topics.clone(),
        stances: p.stances.clone(),
        events: p.events.clone(),
    };
    let json = serde_json::to_string(&stored)
        .map_err(|e| Error::InvalidArgument(format!("cannot encode annotations: {e}")))?;
    doc.add_text(f.annotations, json);
    Ok(doc)
}
