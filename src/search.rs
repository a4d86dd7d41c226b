//! Running queries: hits with snippets, facet counts and timelines.

use crate::corpus::{Event, Span, StanceAnnotation};
use crate::error::{Error, Result};
use crate::index::{Index, StoredAnnotations};
use crate::query::{Compiled, Compiler, Query, ResolvedQuery, Sort};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::schema::{document::Value, IndexRecordOption, Term};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// An actor as shown in a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    /// Actor id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A short extract of the passage with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// The extract.
    pub text: String,
    /// Byte ranges of `text` that matched the keywords.
    pub highlights: Vec<Span>,
}

/// One matching passage with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub struct SearchResults {
    /// The query as understood.
    pub query: ResolvedQuery,
    /// Passages matching in all (not only those returned).
    pub total: usize,
    /// The returned page of hits.
    pub hits: Vec<Hit>,
}

/// A dimension to count passages by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetDim {
    /// Actors mentioned.
    Actor,
    /// Stances taken.
    Stance,
    /// Stance holders.
    Holder,
    /// Topics.
    Topic,
    /// Camps of the actors mentioned.
    Camp,
}

impl FacetDim {
    /// Every dimension.
    pub const ALL: [FacetDim; 5] = [
        FacetDim::Actor,
        FacetDim::Stance,
        FacetDim::Holder,
        FacetDim::Topic,
        FacetDim::Camp,
    ];

    /// The label used in flags and output.
    pub fn as_str(self) -> &'static str {
        match self {
            FacetDim::Actor => "actor",
            FacetDim::Stance => "stance",
            FacetDim::Holder => "holder",
            FacetDim::Topic => "topic",
            FacetDim::Camp => "camp",
        }
    }

    /// The fast-field column that holds this dimension (named alike).
    fn column(self) -> &'static str {
        self.as_str()
    }
}

/// A facet value: one label, or a pair for a two-way count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FacetKey {
    /// One dimension.
    One(String),
    /// Two dimensions, in the order they were asked for.
    Pair(String, String),
}

/// How many passages have one facet value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (id or label).
    pub value: FacetKey,
    /// Its display name.
    pub name: FacetKey,
    /// Matching passages with this value. For holder × stance, matching
    /// passages where that holder takes that stance.
    pub count: u64,
}

/// Facet counts for a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// The dimensions counted.
    pub by: Vec<FacetDim>,
    /// Passages matching the query.
    pub total: u64,
    /// Counts, by count descending, then value.
    pub counts: Vec<FacetCount>,
}

/// One dated event in a timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        let top = TopDocs::with_limit(r.limit).and_offset(r.offset);
        let by_score = r.sort == Sort::Score;
        let scored = compiled.text_query.is_some();
        let ranked = top.tweak_score(move |segment: &SegmentReader| {
            let positions = segment
                .fast_fields()
                .u64("position")
                .ok()
                .map(|c| c.first_or_default_col(0));
            // Higher keys rank first: (score or 0, reversed position, score).
            // The last element only carries the score out for display.
            move |doc: DocId, score: Score| {
                let pos = positions
                    .as_ref()
                    .map_or(u64::from(doc), |c| c.get_val(doc));
                let primary = if by_score && scored { score } else { 0.0 };
                (primary, u64::MAX - pos, score)
            }
        });
        let (top, total) = self.read(|| searcher.search(&*compiled.query, &(ranked, Count)))?;
        let snippets = match &compiled.text_query {
            Some(tq) => {
                let mut g =
                    self.read(|| SnippetGenerator::create(&searcher, &**tq, self.fields.text))?;
                g.set_max_num_chars(SNIPPET_CHARS);
                Some(g)
            }
            None => None,
        };
        let mut hits = Vec::with_capacity(top.len());
        for (key, address) in top {
            let score = scored.then_some(key.2);
            hits.push(self.hit(&searcher, address, score, snippets.as_ref())?);
        }
        Ok(SearchResults {
            query: compiled.resolved,
            total,
            hits,
        })
    }

    /// How many passages match (the `total` of a search, without hits).
    pub fn count(&self, q: &Query) -> Result<usize> {
        let (compiled, searcher) = self.compile(q)?;
        self.read(|| searcher.search(&*compiled.query, &Count))
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
        let stored: StoredAnnotations =
            serde_json::from_str(&text_of(f.annotations)).map_err(|e| Error::IndexDamaged {
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

    /// Counts matching passages by one dimension, or by a pair of them.
    pub fn facets(&self, q: &Query, by: &[FacetDim]) -> Result<Facets> {
        let (compiled, searcher) = self.compile(q)?;
        let columns: Vec<&'static str> = match by {
            [one] => vec![one.column()],
            [FacetDim::Holder, FacetDim::Stance] | [FacetDim::Stance, FacetDim::Holder] => {
                vec!["holder_stance"]
            }
            [a, b] if a != b => vec![a.column(), b.column()],
            _ => {
                return Err(Error::InvalidArgument(
                    "facets count by one dimension, or by two different ones".into(),
                ))
            }
        };
        let registry = self.registry()?;
        let collector = (
            FacetCollector {
                columns: columns.clone(),
            },
            Count,
        );
        let (raw, total) = self.read(|| searcher.search(&*compiled.query, &collector))?;
        let mut counts: Vec<FacetCount> = raw
            .into_iter()
            .map(|(values, count)| {
                let value = match (by, values.as_slice()) {
                    ([FacetDim::Holder, FacetDim::Stance], [pair])
                    | ([FacetDim::Stance, FacetDim::Holder], [pair]) => {
                        let (h, s) = pair
                            .split_once(crate::index::schema::KEY_SEP)
                            .unwrap_or((pair.as_str(), ""));
                        if by[0] == FacetDim::Holder {
                            FacetKey::Pair(h.to_owned(), s.to_owned())
                        } else {
                            FacetKey::Pair(s.to_owned(), h.to_owned())
                        }
                    }
                    (_, [one]) => FacetKey::One(one.clone()),
                    (_, [a, b]) => FacetKey::Pair(a.clone(), b.clone()),
                    _ => FacetKey::One(values.join(" ")),
                };
                let name = match &value {
                    FacetKey::One(v) => FacetKey::One(Self::display_name(registry, by[0], v)),
                    FacetKey::Pair(a, b) => FacetKey::Pair(
                        Self::display_name(registry, by[0], a),
                        Self::display_name(registry, by[1], b),
                    ),
                };
                FacetCount { value, name, count }
            })
            .collect();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(Facets {
            by: by.to_vec(),
            total: total as u64,
            counts,
        })
    }

    fn display_name(registry: &crate::corpus::Registry, dim: FacetDim, value: &str) -> String {
        match dim {
            FacetDim::Actor | FacetDim::Holder => registry
                .actor(value)
                .map_or_else(|| value.to_owned(), |a| a.name.clone()),
            _ => value.to_owned(),
        }
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

/// Counts documents per value (or value pair) of string fast fields, by
/// term ordinal per segment, then merges by string.
struct FacetCollector {
    columns: Vec<&'static str>,
}

struct FacetSegment {
    columns: Vec<Option<tantivy::columnar::StrColumn>>,
    single: Vec<u64>,
    pairs: HashMap<(u64, u64), u64>,
    scratch: Vec<u64>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<(Vec<String>, u64)>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let columns = self
            .columns
            .iter()
            .map(|c| segment.fast_fields().str(c))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let size = columns
            .first()
            .and_then(|c| c.as_ref())
            .map_or(0, |c| c.num_terms());
        Ok(FacetSegment {
            single: vec![0; if columns.len() == 1 { size } else { 0 }],
            columns,
            pairs: HashMap::new(),
            scratch: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Vec<String>, u64)>>) -> tantivy::Result<Self::Fruit> {
        let mut merged: HashMap<Vec<String>, u64> = HashMap::new();
        for fruit in fruits {
            for (k, n) in fruit {
                *merged.entry(k).or_default() += n;
            }
        }
        Ok(merged.into_iter().collect())
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = Vec<(Vec<String>, u64)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        match self.columns.as_slice() {
            [Some(c)] => {
                for ord in c.term_ords(doc) {
                    if let Some(n) = self.single.get_mut(ord as usize) {
                        *n += 1;
                    }
                }
            }
            [Some(a), Some(b)] => {
                self.scratch.clear();
                self.scratch.extend(b.term_ords(doc));
                for x in a.term_ords(doc) {
                    for &y in &self.scratch {
                        *self.pairs.entry((x, y)).or_default() += 1;
                    }
                }
            }
            _ => {}
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::new();
        let single: Vec<u64> = (0..self.single.len() as u64)
            .filter(|&o| self.single[o as usize] > 0)
            .collect();
        let names = terms_of(&self.columns[0], &single);
        for (ord, name) in single.iter().zip(names) {
            out.push((vec![name], self.single[*ord as usize]));
        }
        if !self.pairs.is_empty() {
            let mut xs: Vec<u64> = self.pairs.keys().map(|p| p.0).collect();
            let mut ys: Vec<u64> = self.pairs.keys().map(|p| p.1).collect();
            for v in [&mut xs, &mut ys] {
                v.sort_unstable();
                v.dedup();
            }
            let x_names: HashMap<u64, String> = xs
                .iter()
                .copied()
                .zip(terms_of(&self.columns[0], &xs))
                .collect();
            let y_names: HashMap<u64, String> = ys
                .iter()
                .copied()
                .zip(terms_of(&self.columns[1], &ys))
                .collect();
            for (&(x, y), &n) in &self.pairs {
                out.push((
                    vec![
                        x_names.get(&x).cloned().unwrap_or_default(),
                        y_names.get(&y).cloned().unwrap_or_default(),
                    ],
                    n,
                ));
            }
        }
        out
    }
}

/// The terms of sorted ordinals, in one pass over the dictionary: looking
/// each one up alone decodes a dictionary block per ordinal, which made
/// facet counts on large indexes slow.
fn terms_of(column: &Option<tantivy::columnar::StrColumn>, sorted_ords: &[u64]) -> Vec<String> {
    let mut names = Vec::with_capacity(sorted_ords.len());
    if let Some(c) = column {
        // On an I/O error the values show as empty rather than failing.
        let _ = c.dictionary().sorted_ords_to_term_cb(sorted_ords, |bytes| {
            names.push(String::from_utf8_lossy(bytes).into_owned())
        });
    }
    names.resize(sorted_ords.len(), String::new());
    names
}
