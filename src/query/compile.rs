//! Resolving a [`Query`] against the index (names, labels, dates) and
//! compiling it into one tantivy query.
//!
//! * The keyword text goes through [`super::text`].
//! * Each filter is a zero-score required clause, so BM25 reflects the
//!   keywords only.
//! * The stance filters (holder, stance, target, polarity) hold on one
//!   annotation together; [`super::stance_match`] says how.

use super::filtered::{unscored, Filtered};
use super::stance_match::stance_filter;
use super::{Query, ResolvedQuery, Sort, TargetResolution, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET};
use crate::corpus::{Camp, EventDate, Polarity, Registry};
use crate::error::{Error, Result};
use crate::index::schema::Fields;
use crate::names::{NameResolver, Resolution};
use std::ops::Bound;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query as TQuery, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::Searcher;

/// A compiled query: the tantivy query, plus the keyword part alone for
/// snippets.
pub(crate) struct Compiled {
    pub resolved: ResolvedQuery,
    pub query: Box<dyn TQuery>,
    pub text_query: Option<Box<dyn TQuery>>,
}

pub(crate) struct Compiler<'a> {
    pub fields: &'a Fields,
    /// Names resolve through the index, which loads its resolver on first
    /// use: keyword-only queries never pay for it.
    pub owner: &'a crate::Index,
    pub searcher: &'a Searcher,
}

impl<'a> Compiler<'a> {
    fn resolver(&self) -> Result<&'a NameResolver> {
        self.owner.resolver()
    }

    fn registry(&self) -> Result<&'a Registry> {
        self.owner.registry()
    }

    pub(crate) fn compile(&self, q: &Query) -> Result<Compiled> {
        let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(Error::InvalidArgument(format!(
                "limit must be between 1 and {MAX_LIMIT}, not {limit}"
            )));
        }
        if q.offset > MAX_OFFSET {
            return Err(Error::InvalidArgument(format!(
                "offset must be at most {MAX_OFFSET}, not {}",
                q.offset
            )));
        }
        let text = q.text.as_deref().filter(|t| !t.trim().is_empty());
        let sort = match (q.sort, text) {
            (Sort::Auto, Some(_)) => Sort::Score,
            (Sort::Auto, None) => Sort::Position,
            (s, _) => s,
        };
        let mut filters: Vec<Box<dyn TQuery>> = Vec::new();

        let mut actors = Vec::new();
        for name in &q.actors {
            let r = self.actor(name)?;
            filters.push(any_of(self.fields.actor, r.ids()));
            actors.push(r);
        }
        let mut topics = Vec::new();
        for t in &q.topics {
            let id = self.topic(t)?;
            filters.push(any_of(self.fields.topic, [id.as_str()].into_iter()));
            topics.push(id);
        }
        let mut camps = Vec::new();
        for c in &q.camps {
            let camp = camp(c)?;
            filters.push(any_of(self.fields.camp, [camp.as_str()].into_iter()));
            camps.push(camp.as_str().to_owned());
        }
        let article = q.article.as_deref().map(|a| self.article(a)).transpose()?;
        if let Some(a) = &article {
            filters.push(any_of(self.fields.article, [a.as_str()].into_iter()));
        }

        let stances = match &q.stance {
            Some(s) => self.stance(s)?,
            None => Vec::new(),
        };
        let holder = q.holder.as_deref().map(|h| self.actor(h)).transpose()?;
        let target = q.target.as_deref().map(|t| self.target(t)).transpose()?;
        let polarity = q.polarity.as_deref().map(polarity).transpose()?;
        let holders: Option<Vec<&str>> = holder.as_ref().map(|r| r.ids().collect());
        let stance_ids: Option<Vec<&str>> =
            (!stances.is_empty()).then(|| stances.iter().map(String::as_str).collect());
        let targets: Option<Vec<&str>> = target.as_ref().map(|t| t.ids());
        let polarities: Option<Vec<&str>> = polarity.map(|p| vec![p.as_str()]);
        let parts = [
            holders.as_deref(),
            stance_ids.as_deref(),
            targets.as_deref(),
            polarities.as_deref(),
        ];
        if parts.iter().any(Option::is_some) {
            filters.push(stance_filter(self.fields.stance_key, parts));
        }

        let since = q
            .since
            .as_deref()
            .map(|d| parse_bound(d, "since"))
            .transpose()?;
        let until = q
            .until
            .as_deref()
            .map(|d| parse_bound(d, "until"))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if s.first_day_key() > u.last_day_key() {
                return Err(Error::InvalidArgument(format!(
                    "--since {s} is after --until {u}"
                )));
            }
        }
        if since.is_some() || until.is_some() {
            let bound = |key: Option<u64>| {
                key.map_or(Bound::Unbounded, |k| {
                    Bound::Included(Term::from_field_u64(self.fields.event_day, k))
                })
            };
            filters.push(Box::new(RangeQuery::new(
                bound(since.and_then(|d| d.first_day_key())),
                bound(until.and_then(|d| d.last_day_key())),
            )));
        }

        let text_query = text.map(|t| super::text::compile(self, t)).transpose()?;
        let query: Box<dyn TQuery> = match (&text_query, filters.len()) {
            (None, 0) => Box::new(AllQuery),
            // A lone clause is queried as itself: wrapped in a BooleanQuery,
            // a word loses tantivy's block-max pruning and its O(1) count.
            (Some(tq), 0) => tq.box_clone(),
            (None, 1) => unscored(filters.remove(0)),
            (None, _) => Box::new(BooleanQuery::new(
                filters
                    .into_iter()
                    .map(|f| (Occur::Must, unscored(f)))
                    .collect(),
            )),
            (Some(tq), _) => Box::new(Filtered::new(tq.box_clone(), filters)),
        };
        let resolved = ResolvedQuery {
            text: text.map(str::to_owned),
            actors,
            topics,
            camps,
            article,
            stances,
            holder,
            target,
            polarity: polarity.map(|p| p.as_str().to_owned()),
            since: since.map(|d| d.to_string()),
            until: until.map(|d| d.to_string()),
            limit,
            offset: q.offset,
            sort,
        };
        Ok(Compiled {
            resolved,
            query,
            text_query,
        })
    }

    /// An actor name: id, name or any spelling.
    pub(crate) fn actor(&self, name: &str) -> Result<Resolution> {
        let resolver = self.resolver()?;
        resolver.resolve(name).ok_or_else(|| Error::UnknownActor {
            name: name.to_owned(),
            suggestions: resolver.suggest(name, 3),
        })
    }

    /// A stance id (any case) and its descendants.
    pub(crate) fn stance(&self, s: &str) -> Result<Vec<String>> {
        let registry = self.registry()?;
        let id = s.trim().to_lowercase();
        if registry.stance(&id).is_none() {
            return Err(Error::UnknownLabel {
                kind: "stance",
                value: s.to_owned(),
                valid: registry.stances.iter().map(|s| s.id.clone()).collect(),
            });
        }
        Ok(registry.stance_with_descendants(&id))
    }

    /// A topic id, in any case.
    pub(crate) fn topic(&self, t: &str) -> Result<String> {
        let registry = self.registry()?;
        let id = t.trim().to_lowercase();
        if registry.topic(&id).is_none() {
            return Err(Error::UnknownLabel {
                kind: "topic",
                value: t.to_owned(),
                valid: registry.topics.iter().map(|t| t.id.clone()).collect(),
            });
        }
        Ok(id)
    }

    /// An article id, in any case, that the index holds. Article ids are
    /// kebab-case, so lower-casing is exact.
    pub(crate) fn article(&self, a: &str) -> Result<String> {
        let id = a.trim().to_lowercase();
        let term = Term::from_field_text(self.fields.article, &id);
        if !id.is_empty() && self.owner.read(|| self.searcher.doc_freq(&term))? > 0 {
            return Ok(id);
        }
        Err(Error::UnknownArticle {
            id: a.to_owned(),
            suggestions: self
                .owner
                .closest_terms(self.searcher, self.fields.article, &id, 3)?,
        })
    }

    /// A stance target: a topic id, else an actor name.
    pub(crate) fn target(&self, t: &str) -> Result<TargetResolution> {
        let registry = self.registry()?;
        let id = t.trim().to_lowercase();
        if registry.topic(&id).is_some() {
            return Ok(TargetResolution::Topic { id });
        }
        let resolver = self.resolver()?;
        resolver
            .resolve(t)
            .map(TargetResolution::Actor)
            .ok_or_else(|| {
                let mut suggestions = resolver.suggest(t, 3);
                suggestions.extend(closest_labels(
                    t,
                    registry.topics.iter().map(|t| t.id.as_str()),
                    1,
                ));
                Error::UnknownActor {
                    name: t.to_owned(),
                    suggestions,
                }
            })
    }
}

/// Passages with any of these values of an exact field.
pub(crate) fn any_of<'v>(field: Field, values: impl Iterator<Item = &'v str>) -> Box<dyn TQuery> {
    let mut terms: Vec<Box<dyn TQuery>> = values
        .map(|v| {
            Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            )) as Box<dyn TQuery>
        })
        .collect();
    if terms.len() == 1 {
        terms.remove(0)
    } else {
        Box::new(BooleanQuery::union(terms))
    }
}

/// A camp, in any case, singular or plural.
pub(crate) fn camp(c: &str) -> Result<Camp> {
    let v = c.trim().to_lowercase();
    Camp::ALL
        .into_iter()
        .find(|k| k.as_str() == v || format!("{}s", k.as_str()) == v)
        .ok_or_else(|| Error::UnknownLabel {
            kind: "camp",
            value: c.to_owned(),
            valid: Camp::ALL.iter().map(|c| c.as_str().to_owned()).collect(),
        })
}

/// A polarity, in any case.
pub(crate) fn polarity(p: &str) -> Result<Polarity> {
    let v = p.trim().to_lowercase();
    Polarity::ALL
        .into_iter()
        .find(|k| k.as_str() == v)
        .ok_or_else(|| Error::UnknownLabel {
            kind: "polarity",
            value: p.to_owned(),
            valid: Polarity::ALL
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        })
}

fn parse_bound(d: &str, flag: &str) -> Result<EventDate> {
    let date: EventDate = d
        .trim()
        .parse()
        .map_err(|e| Error::InvalidArgument(format!("--{flag}: {e}")))?;
    if date.year().is_none() {
        return Err(Error::InvalidArgument(format!(
            "--{flag} needs a year: {d}"
        )));
    }
    Ok(date)
}

fn closest_labels<'a>(input: &str, labels: impl Iterator<Item = &'a str>, n: usize) -> Vec<String> {
    let input = input.to_lowercase();
    let mut scored: Vec<(f64, &str)> = labels
        .map(|l| (strsim::jaro_winkler(&input, l), l))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(n)
        .map(|(_, l)| l.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camps_accept_plural_and_case() {
        assert_eq!(camp("Reformists").unwrap(), Camp::Reformist);
        assert!(matches!(
            camp("moderate"),
            Err(Error::UnknownLabel { kind: "camp", .. })
        ));
    }

    #[test]
    fn polarities_accept_any_case() {
        assert_eq!(polarity("AGAINST").unwrap(), Polarity::Against);
        assert!(matches!(
            polarity("pro"),
            Err(Error::UnknownLabel {
                kind: "polarity",
                ..
            })
        ));
    }
}
