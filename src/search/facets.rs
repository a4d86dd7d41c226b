//! Facet counts: passages per actor, stance, holder, topic or camp, and the
//! holder × stance matrix, counted from fast-field term ordinals.

use crate::error::{Error, Result};
use crate::index::Index;
use crate::query::Query;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A dimension to count passages by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum FacetKey {
    /// One dimension.
    One(String),
    /// Two dimensions, in the order they were asked for.
    Pair(String, String),
}

/// How many passages have one facet value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Facets {
    /// The dimensions counted.
    pub by: Vec<FacetDim>,
    /// Passages matching the query.
    pub total: u64,
    /// Counts, by count descending, then value.
    pub counts: Vec<FacetCount>,
}

impl Index {
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
