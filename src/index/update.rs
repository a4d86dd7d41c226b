//! Applying corpus edits to a new generation that shares the live one's
//! unchanged segments.
//!
//! * Articles added, changed or removed: their passages are deleted by
//!   article id and the new ones added; nothing else is touched.
//! * Registry edits do only the work they need. Only two registry values
//!   are indexed: an actor's display name (stored in each hit) and its camp
//!   (the `camp` field). An edit to either re-indexes the articles that
//!   mention that actor; any other addition or edit (actors, aliases,
//!   descriptions, topics, stances, parents) re-indexes nothing and only
//!   rewrites the side files. Removing an id could invalidate articles that
//!   were not read, so it asks for a full build, as do changes to most of
//!   the corpus.

use super::build::{open_tantivy, PassageWriter, ReadLog};
use super::freshness::{diff, Changes};
use super::generation::{self, IndexedFile};
use super::schema::Fields;
use crate::corpus::{Corpus, Registry, SeenPassages};
use crate::error::{Error, Result};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Term, Value};
use tantivy::{Searcher, TantivyDocument};

/// What an update did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpdateSummary {
    /// Articles added.
    pub added: usize,
    /// Articles whose files changed.
    pub changed: usize,
    /// Articles removed.
    pub removed: usize,
    /// Whether the registries changed.
    pub registries: bool,
    /// Articles re-indexed because an actor they mention changed its name
    /// or camp.
    pub reindexed_for_registry: usize,
}

impl std::fmt::Display for UpdateSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let articles = self.added + self.changed + self.removed;
        let mut parts = Vec::new();
        if articles > 0 {
            let mut how = Vec::new();
            for (n, what) in [
                (self.added, "added"),
                (self.changed, "changed"),
                (self.removed, "removed"),
            ] {
                if n > 0 {
                    how.push(format!("{n} {what}"));
                }
            }
            parts.push(format!(
                "{articles} article{} ({})",
                plural(articles),
                how.join(", ")
            ));
        }
        if self.registries {
            parts.push(match self.reindexed_for_registry {
                0 => "the registries (no passage re-indexed)".to_owned(),
                n => format!(
                    "the registries ({n} article{} re-indexed for changed actor names or camps)",
                    plural(n)
                ),
            });
        }
        if parts.is_empty() {
            parts.push("nothing".into());
        }
        write!(f, "{}", parts.join(" and "))
    }
}

/// The outcome of trying an update.
pub(crate) enum Outcome {
    Updated {
        stats: super::BuildStats,
        files: Vec<IndexedFile>,
        summary: UpdateSummary,
    },
    /// A full build is needed, for this reason.
    NeedsFullBuild(String),
}

/// Updates `tmp`, which holds hard links to the live generation's tantivy
/// files (`live` is that generation, opened), to match `corpus`. `known`
/// is what changed and what was kept, when already compared against
/// `corpus.stamps()` (see [`super::freshness::Found`]).
pub(crate) fn update(
    corpus: &Corpus,
    live_dir: &Path,
    live: &Searcher,
    tmp: &Path,
    known: Option<(Changes, Vec<IndexedFile>)>,
) -> Result<Outcome> {
    // The corpus's own stamps, taken before it read anything, decide what
    // changed: they are what this generation will record.
    let (changes, kept) = match known {
        Some(known) => known,
        None => diff(
            &generation::read_stamps(live_dir)?,
            corpus.stamps(),
            corpus.source(),
        )?,
    };
    let fields = Fields::new();
    let mut reindexed_for_registry = BTreeSet::new();
    if changes.registries {
        let old: Registry =
            generation::read_json::<Registry>(live_dir, generation::REGISTRY)?.reindexed();
        if let Some(reason) = removed_ids(&old, corpus.registry()) {
            return Ok(Outcome::NeedsFullBuild(reason));
        }
        for actor in renamed_or_moved(&old, corpus.registry()) {
            reindexed_for_registry.extend(articles_mentioning(live, &fields, &actor)?);
        }
    }
    let Changes {
        added,
        changed,
        removed,
        ..
    } = &changes;
    reindexed_for_registry.retain(|a| !changed.contains(a) && !removed.contains(a));
    let reindex: BTreeSet<String> = added
        .iter()
        .chain(changed)
        .chain(&reindexed_for_registry)
        .cloned()
        .collect();
    let articles = corpus.article_ids().len();
    if 2 * (reindex.len() + removed.len()) > articles.max(1) && articles > 1 {
        return Ok(Outcome::NeedsFullBuild(format!(
            "{}: re-indexing {} of {articles} articles would cost about as much, so most of the corpus was rebuilt",
            changes.describe(),
            reindex.len() + removed.len()
        )));
    }

    let (index, first_error) = open_tantivy(tmp, &fields)?;
    let mut writer = PassageWriter::new(&index, first_error, &fields, false)?;
    for id in changed.iter().chain(removed).chain(&reindexed_for_registry) {
        writer.delete_article(id);
    }
    // A new passage id must not be held by an article that stays.
    let deleted: BTreeSet<&String> = changed.iter().chain(removed).collect();
    let taken = |passage: &str| {
        article_of_passage(live, &fields, passage)
            .is_some_and(|a| !deleted.contains(&a) && !reindex.contains(&a))
    };
    let mut log = ReadLog::default();
    let ids: Vec<String> = reindex.iter().cloned().collect();
    corpus.load_parallel(&ids, &mut SeenPassages::default(), &taken, |report| {
        if let Some(article) = log.take(report) {
            writer.add(corpus.registry(), &article)?;
        }
        Ok(())
    })?;
    if !log.errors.is_empty() {
        return Err(Error::Corpus(log.errors));
    }
    writer.commit()?;
    let passages = index.reader()?.searcher().num_docs();
    let kept: HashMap<&str, u64> = kept
        .iter()
        .map(|f| (f.stamp.path.as_str(), f.hash))
        .collect();
    let files = log.indexed_files(corpus, &kept);
    // An article that vanished while it was read was removed.
    let gone = &log.vanished;
    let count = |set: &BTreeSet<String>| set.iter().filter(|a| !gone.contains(*a)).count();
    let gone_before = gone.iter().filter(|a| !added.contains(*a)).count();
    Ok(Outcome::Updated {
        stats: super::BuildStats {
            articles: (articles - gone.len()) as u64,
            passages,
        },
        files,
        summary: UpdateSummary {
            added: count(added),
            changed: count(changed),
            removed: removed.len() + gone_before,
            registries: changes.registries,
            reindexed_for_registry: count(&reindexed_for_registry),
        },
    })
}

/// Why a full build is needed, if an id of `old` is gone from `new`.
fn removed_ids(old: &Registry, new: &Registry) -> Option<String> {
    let actor = old.actors.iter().find(|a| new.actor(&a.id).is_none());
    let stance = old.stances.iter().find(|s| new.stance(&s.id).is_none());
    let topic = old.topics.iter().find(|t| new.topic(&t.id).is_none());
    match (actor, stance, topic) {
        (Some(a), _, _) => Some(format!("actor `{}` was removed", a.id)),
        (_, Some(s), _) => Some(format!("stance `{}` was removed", s.id)),
        (_, _, Some(t)) => Some(format!("topic `{}` was removed", t.id)),
        _ => None,
    }
}

/// Actors whose indexed values (display name, camp) changed.
fn renamed_or_moved(old: &Registry, new: &Registry) -> Vec<String> {
    old.actors
        .iter()
        .filter(|a| {
            new.actor(&a.id)
                .is_some_and(|n| n.name != a.name || n.camp != a.camp)
        })
        .map(|a| a.id.clone())
        .collect()
}

/// The articles whose passages list `actor`.
fn articles_mentioning(searcher: &Searcher, f: &Fields, actor: &str) -> Result<BTreeSet<String>> {
    let q = TermQuery::new(
        Term::from_field_text(f.actor, actor),
        IndexRecordOption::Basic,
    );
    let docs = searcher.search(&q, &tantivy::collector::DocSetCollector)?;
    let mut articles = BTreeSet::new();
    for address in docs {
        let doc: TantivyDocument = searcher.doc(address)?;
        if let Some(a) = doc.get_first(f.article).and_then(|v| v.as_str()) {
            articles.insert(a.to_owned());
        }
    }
    Ok(articles)
}

/// The article of the passage with this id in `searcher`, if any.
fn article_of_passage(searcher: &Searcher, f: &Fields, passage: &str) -> Option<String> {
    let q = TermQuery::new(
        Term::from_field_text(f.passage, passage),
        IndexRecordOption::Basic,
    );
    let top = searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())
        .ok()?;
    let (_, address) = top.first()?;
    let doc: TantivyDocument = searcher.doc(*address).ok()?;
    doc.get_first(f.article)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}
