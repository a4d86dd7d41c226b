//! Running queries: hits with snippets, facet counts and timelines.

mod count;
mod doc_order;
mod facets;
mod rank;

pub(crate) use doc_order::DocOrder;

pub use facets::{FacetCount, FacetDim, FacetKey, Facets};

use crate::corpus::{ActorRef, Event, Span, StanceAnnotation};
use crate::error::{Error, Result};
use crate::index::{Index, StoredAnnotations};
use crate::query::{Compiled, Compiler, Query, ResolvedQuery, Sort};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{document::Value, IndexRecordOption, Term};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// A short extract of the passage with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Snippet {
    /// The extract.
    pub text: String,
    /// Byte ranges of `text` that matched the keywords.
    pub highlights: Vec<Span>,
}

/// One matching passage with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Hit {
    /// Article id.
    pub article: String,
    /// Passage id.
    pub passage: String,
    /// Passage position in its article (1-based).
    pub ordinal: u32,
    /// BM25 score; `null` when the query has no keywords.
    pub score: Option<f32>,
    /// Byte span in the article text.
    pub span: Span,
    /// The passage text, exactly as in the article.
    pub text: String,
    /// Extract around the matches.
    pub snippet: Snippet,
    /// Actors mentioned.
    pub actors: Vec<ActorRef>,
    /// Stances taken.
    pub stances: Vec<StanceAnnotation>,
    /// Topic ids.
    pub topics: Vec<String>,
    /// Dated events.
    pub events: Vec<Event>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct SearchResults {
    /// The query as understood.
    pub query: ResolvedQuery,
    /// Passages matching in all (not only those returned).
    pub total: usize,
    /// The returned page of hits.
    pub hits: Vec<Hit>,
}

/// One dated event in a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// The event.
    #[serde(flatten)]
    pub event: Event,
    /// Article id.
    pub article: String,
    /// Passage reporting it.
    pub passage: String,
    /// Passage ordinal.
    pub ordinal: u32,
}

/// Events of the matching passages, in date order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Timeline {
    /// The query as understood.
    pub query: ResolvedQuery,
    /// Events in the date range, earliest first; events without a stated
    /// year come last, by month and day.
    pub events: Vec<TimelineEntry>,
}

impl Index {
    /// Runs a search.
    pub fn search(&self, q: &Query) -> Result<SearchResults> {
        let (compiled, searcher) = self.compile(q)?;
        let r = &compiled.resolved;
        let scored = compiled.text_query.is_some();
        let keep = r.offset + r.limit;
        let (top, total) = if r.sort == Sort::Score && scored {
            // Counting alone is cheap (a term's count is its document
            // frequency), and lets the top-k skip most matches.
            let top =
                self.read(|| rank::top_by_score(&searcher, &*compiled.query, keep, &self.order))?;
            (
                top,
                self.read(|| count::count_matches(&searcher, &*compiled.query))?,
            )
        } else {
            let collector = (rank::top_by_position(keep, scored, &self.order), Count);
            self.read(|| searcher.search(&*compiled.query, &collector))?
        };
        let snippets = match &compiled.text_query {
            Some(tq) => Some(self.read(|| self.snippet_generator(&searcher, &**tq))?),
            None => None,
        };
        let mut hits = Vec::with_capacity(top.len());
        for ranked in top.into_iter().skip(r.offset) {
            let score = scored.then_some(ranked.score);
            hits.push(self.hit(&searcher, ranked.address, score, snippets.as_ref())?);
        }
        Ok(SearchResults {
            query: compiled.resolved,
            total,
            hits,
        })
    }

    /// Every passage that matches, in document order (article, ordinal),
    /// without a limit: for exports. The hits are read one at a time as the
    /// iterator advances; `limit`, `offset` and `sort` are ignored.
    pub fn all_hits(&self, q: &Query) -> Result<impl Iterator<Item = Result<Hit>> + '_> {
        let (compiled, searcher) = self.compile(q)?;
        let total = self.read(|| count::count_matches(&searcher, &*compiled.query))?;
        let collector = rank::top_by_position(total, false, &self.order);
        let ranked = self.read(|| searcher.search(&*compiled.query, &collector))?;
        Ok(ranked
            .into_iter()
            .map(move |r| self.hit(&searcher, r.address, None, None)))
    }

    /// Highlights the keywords of `query` in hits. As tantivy's own
    /// generator, with an analyzer that stems only the words that could
    /// match (see `highlight_analyzer`).
    fn snippet_generator(
        &self,
        searcher: &Searcher,
        query: &dyn tantivy::query::Query,
    ) -> tantivy::Result<SnippetGenerator> {
        let mut terms = std::collections::BTreeSet::new();
        query.query_terms(&mut |term, _| {
            if term.field() == self.fields.text {
                terms.insert(term.clone());
            }
        });
        let mut weights = std::collections::BTreeMap::new();
        for term in &terms {
            if let Some(text) = term.value().as_str() {
                let doc_freq = searcher.doc_freq(term)?;
                if doc_freq > 0 {
                    // Rarer words weigh more in choosing the fragment.
                    weights.insert(text.to_owned(), 1.0 / (1.0 + doc_freq as f32));
                }
            }
        }
        let analyzer = crate::index::highlight_analyzer(weights.keys().map(String::as_str));
        Ok(SnippetGenerator::new(
            weights,
            analyzer,
            self.fields.text,
            SNIPPET_CHARS,
        ))
    }

    /// How many passages match (the `total` of a search, without hits).
    pub fn count(&self, q: &Query) -> Result<usize> {
        let (compiled, searcher) = self.compile(q)?;
        self.read(|| count::count_matches(&searcher, &*compiled.query))
    }

    /// Runs a tantivy read. tantivy can panic on index files that are
    /// corrupt in ways that keep their size; a reader must get an error, not
    /// a crash. Only tantivy's reads are guarded: a panic in dossier's own
    /// code (name folding, dates, query compiling) is a bug, and must show.
    pub(crate) fn read<T>(&self, f: impl FnOnce() -> tantivy::Result<T>) -> Result<T> {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(result) => Ok(result?),
            Err(payload) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                Err(Error::IndexDamaged {
                    path: self.dir.clone(),
                    reason: format!("reading it failed: {what}"),
                })
            }
        }
    }

    fn compile(&self, q: &Query) -> Result<(Compiled, Searcher)> {
        let searcher = self.reader.searcher();
        let compiler = Compiler {
            fields: &self.fields,
            owner: self,
            searcher: &searcher,
        };
        let compiled = compiler.compile(q)?;
        Ok((compiled, searcher))
    }

    /// The passage with this id.
    pub fn passage(&self, id: &str) -> Result<Hit> {
        let searcher = self.reader.searcher();
        let term = Term::from_field_text(self.fields.passage, id);
        let q = tantivy::query::TermQuery::new(term, IndexRecordOption::Basic);
        let top = self.read(|| searcher.search(&q, &TopDocs::with_limit(1).order_by_score()))?;
        match top.first() {
            Some((_, address)) => self.hit(&searcher, *address, None, None),
            None => Err(Error::UnknownPassage {
                id: id.to_owned(),
                suggestions: self.closest_terms(&searcher, self.fields.passage, id, 3)?,
            }),
        }
    }

    /// The `n` terms of an exact field closest to `input` (for "did you
    /// mean"), in one pass over each segment's dictionary.
    pub(crate) fn closest_terms(
        &self,
        searcher: &Searcher,
        field: tantivy::schema::Field,
        input: &str,
        n: usize,
    ) -> Result<Vec<String>> {
        let mut best: Vec<(f64, String)> = Vec::new();
        let rank = |best: &mut Vec<(f64, String)>| {
            best.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            best.dedup_by(|a, b| a.1 == b.1);
            best.truncate(n);
        };
        for segment in searcher.segment_readers() {
            self.read(|| {
                let inverted = segment.inverted_index(field)?;
                let mut terms = inverted.terms().stream()?;
                while terms.advance() {
                    let candidate = String::from_utf8_lossy(terms.key()).into_owned();
                    best.push((strsim::jaro_winkler(input, &candidate), candidate));
                    if best.len() > 64 {
                        rank(&mut best);
                    }
                }
                Ok(())
            })?;
        }
        rank(&mut best);
        Ok(best.into_iter().map(|(_, s)| s).collect())
    }

    fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: Option<f32>,
        snippets: Option<&SnippetGenerator>,
    ) -> Result<Hit> {
        let doc: TantivyDocument = self.read(|| searcher.doc(address))?;
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let text = text_of(f.text);
        let stored = doc
            .get_first(f.annotations)
            .and_then(|v| v.as_bytes())
            .ok_or_else(|| "missing".to_owned())
            .and_then(StoredAnnotations::decode)
            .map_err(|e| Error::IndexDamaged {
                path: self.dir.clone(),
                reason: format!("stored annotations are unreadable: {e}"),
            })?;
        let snippet = match snippets {
            Some(g) => {
                let s = g.snippet(&text);
                if s.is_empty() {
                    lead_snippet(&text)
                } else {
                    Snippet {
                        text: s.fragment().to_owned(),
                        highlights: s
                            .highlighted()
                            .iter()
                            .map(|r| Span {
                                start: r.start,
                                end: r.end,
                            })
                            .collect(),
                    }
                }
            }
            None => lead_snippet(&text),
        };
        let actors = stored.actors;
        Ok(Hit {
            article: text_of(f.article),
            passage: text_of(f.passage),
            ordinal: doc
                .get_first(f.ordinal)
                .and_then(|v| v.as_u64())
                .unwrap_or_default() as u32,
            score,
            span: stored.span,
            text,
            snippet,
            actors,
            stances: stored.stances,
            topics: stored.topics,
            events: stored.events,
        })
    }

    /// Dated events of the matching passages, in date order. `--since` and
    /// `--until` also bound which events of those passages are listed.
    pub fn timeline(&self, q: &Query) -> Result<Timeline> {
        let (compiled, searcher) = self.compile(q)?;
        let docs =
            self.read(|| searcher.search(&*compiled.query, &tantivy::collector::DocSetCollector))?;
        let since = compiled
            .resolved
            .since
            .as_deref()
            .and_then(|d| d.parse::<crate::EventDate>().ok())
            .and_then(|d| d.first_day_key());
        let until = compiled
            .resolved
            .until
            .as_deref()
            .and_then(|d| d.parse::<crate::EventDate>().ok())
            .and_then(|d| d.last_day_key());
        let ranged = since.is_some() || until.is_some();
        let mut events = Vec::new();
        for address in docs {
            let hit = self.hit(&searcher, address, None, None)?;
            for event in hit.events {
                if ranged {
                    let Some(day) = event.date.first_day_key() else {
                        continue;
                    };
                    if since.is_some_and(|s| day < s) || until.is_some_and(|u| day > u) {
                        continue;
                    }
                }
                events.push(TimelineEntry {
                    event,
                    article: hit.article.clone(),
                    passage: hit.passage.clone(),
                    ordinal: hit.ordinal,
                });
            }
        }
        events.sort_by(|a, b| {
            a.event
                .date
                .timeline_key()
                .cmp(&b.event.date.timeline_key())
                .then_with(|| (&a.article, a.ordinal).cmp(&(&b.article, b.ordinal)))
        });
        Ok(Timeline {
            query: compiled.resolved,
            events,
        })
    }
}

fn lead_snippet(text: &str) -> Snippet {
    let end = text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let cut = text[..end]
        .rfind(' ')
        .filter(|_| end < text.len())
        .unwrap_or(end);
    Snippet {
        text: text[..cut].to_owned(),
        highlights: Vec::new(),
    }
}
