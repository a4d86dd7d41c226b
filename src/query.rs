//! The query builder, and its translation into a tantivy query.
//!
//! A [`Query`] holds what the user typed. [`Index::search`](crate::Index)
//! resolves it against the registry (names, stance descendants, labels) into
//! a [`ResolvedQuery`], which is echoed in results so that a user sees how
//! each name was understood, and compiles it into one tantivy query:
//!
//! * the keyword text, parsed with tantivy's grammar (AND by default), with
//!   `actor:`, `holder:`, `stance:`, `topic:`, `camp:` and `article:` fields
//!   rewritten to the indexed ids;
//! * each filter as a zero-score required clause, so BM25 reflects the
//!   keywords only;
//! * the stance filters as one composite key per combination of values, so
//!   that holder, stance, target and polarity hold on the same annotation.

use crate::corpus::{Camp, EventDate, Polarity, Registry};
use crate::error::{Error, Result};
use crate::index::schema::{stance_key, Fields};
use crate::names::{NameResolver, Resolution};
use serde::{Deserialize, Serialize};
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query as TQuery, QueryParser, RangeQuery,
    TermQuery,
};
use tantivy::query_grammar::{self, Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{IndexRecordOption, Term};

/// Most hits one search returns.
pub const MAX_LIMIT: usize = 1000;
/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;
/// Longest keyword query accepted, in bytes. Longer input is refused rather
/// than parsed: parse time and clause count grow with it.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Deepest parenthesis nesting accepted.
pub const MAX_QUERY_DEPTH: usize = 32;
/// Most words in a keyword query.
pub const MAX_QUERY_TERMS: usize = 256;
/// Largest `offset`: deep paging costs memory proportional to it.
pub const MAX_OFFSET: usize = 100_000;
/// Most composite keys one stance filter may expand to.
const MAX_STANCE_KEYS: usize = 4096;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// BM25 score, best first, when there is keyword text; else position.
    #[default]
    Auto,
    /// BM25 score, best first; ties in document order.
    Score,
    /// Document order: article id, then passage ordinal.
    Position,
}

/// A search: keywords plus filters. Filters all AND together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    /// Keyword query in tantivy's grammar. (default: none, match all)
    pub text: Option<String>,
    /// Actor names; the passage must mention every one. (default: none)
    pub actors: Vec<String>,
    /// Topic ids; the passage must have every one. (default: none)
    pub topics: Vec<String>,
    /// Camps; the passage must mention an actor of every one. (default: none)
    pub camps: Vec<String>,
    /// Restrict to one article id. (default: all)
    pub article: Option<String>,
    /// Stance id (with its descendants), on the same annotation as
    /// `holder`, `target` and `polarity`. (default: any)
    pub stance: Option<String>,
    /// Name of the stance holder. (default: any)
    pub holder: Option<String>,
    /// Name of an actor, or a topic id, that the stance targets. (default: any)
    pub target: Option<String>,
    /// favor, against or neutral. (default: any)
    pub polarity: Option<String>,
    /// Earliest event date, inclusive (YYYY, YYYY-MM or YYYY-MM-DD). (default: none)
    pub since: Option<String>,
    /// Latest event date, inclusive. (default: none)
    pub until: Option<String>,
    /// Hits to return, 1 to 1000. (default: 10)
    pub limit: Option<usize>,
    /// Hits to skip. (default: 0)
    pub offset: usize,
    /// Order of hits. (default: score with text, else position)
    pub sort: Sort,
}

impl Query {
    /// A query for passages matching keyword `text`.
    pub fn text(text: impl Into<String>) -> Query {
        Query {
            text: Some(text.into()),
            ..Query::default()
        }
    }

    /// A query matching every passage (add filters to narrow it).
    pub fn all() -> Query {
        Query::default()
    }

    /// Also require a mention of this actor (id, name or any alias).
    pub fn actor(mut self, name: impl Into<String>) -> Query {
        self.actors.push(name.into());
        self
    }

    /// Also require this topic.
    pub fn topic(mut self, id: impl Into<String>) -> Query {
        self.topics.push(id.into());
        self
    }

    /// Also require an actor of this camp (hardliner, reformist, centrist).
    pub fn camp(mut self, camp: impl Into<String>) -> Query {
        self.camps.push(camp.into());
        self
    }

    /// Only this article.
    pub fn article(mut self, id: impl Into<String>) -> Query {
        self.article = Some(id.into());
        self
    }

    /// A stance annotation with this stance (or a descendant).
    pub fn stance(mut self, id: impl Into<String>) -> Query {
        self.stance = Some(id.into());
        self
    }

    /// A stance annotation held by this actor.
    pub fn holder(mut self, name: impl Into<String>) -> Query {
        self.holder = Some(name.into());
        self
    }

    /// A stance annotation aimed at this actor or topic.
    pub fn target(mut self, name: impl Into<String>) -> Query {
        self.target = Some(name.into());
        self
    }

    /// A stance annotation of this polarity.
    pub fn polarity(mut self, polarity: impl Into<String>) -> Query {
        self.polarity = Some(polarity.into());
        self
    }

    /// An event on or after this date.
    pub fn since(mut self, date: impl Into<String>) -> Query {
        self.since = Some(date.into());
        self
    }

    /// An event on or before this date.
    pub fn until(mut self, date: impl Into<String>) -> Query {
        self.until = Some(date.into());
        self
    }

    /// Return at most `n` hits (1 to 1000).
    pub fn limit(mut self, n: usize) -> Query {
        self.limit = Some(n);
        self
    }

    /// Skip the first `n` hits.
    pub fn offset(mut self, n: usize) -> Query {
        self.offset = n;
        self
    }

    /// Order hits.
    pub fn sort(mut self, sort: Sort) -> Query {
        self.sort = sort;
        self
    }
}

/// What a stance target resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum TargetResolution {
    /// A topic id.
    Topic {
        /// The topic id.
        id: String,
    },
    /// One or more actors.
    Actor(Resolution),
}

/// The query as understood: every name resolved, every label checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedQuery {
    /// Keyword text.
    pub text: Option<String>,
    /// Each `actor` filter and what it resolved to.
    pub actors: Vec<Resolution>,
    /// Topic ids.
    pub topics: Vec<String>,
    /// Camps.
    pub camps: Vec<String>,
    /// Article id.
    pub article: Option<String>,
    /// Stance ids searched (the stance and its descendants).
    pub stances: Vec<String>,
    /// The holder and what it resolved to.
    pub holder: Option<Resolution>,
    /// The target and what it resolved to.
    pub target: Option<TargetResolution>,
    /// Polarity.
    pub polarity: Option<String>,
    /// Earliest event date.
    pub since: Option<String>,
    /// Latest event date.
    pub until: Option<String>,
    /// Hits requested.
    pub limit: usize,
    /// Hits skipped.
    pub offset: usize,
    /// Effective order.
    pub sort: Sort,
}

impl ResolvedQuery {
    /// Every name that resolved to several actors.
    pub fn ambiguities(&self) -> impl Iterator<Item = &Resolution> {
        let target = match &self.target {
            Some(TargetResolution::Actor(r)) => Some(r),
            _ => None,
        };
        self.actors
            .iter()
            .chain(self.holder.as_ref())
            .chain(target)
            .filter(|r| r.is_ambiguous())
    }
}

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
    pub index: &'a tantivy::Index,
}

fn resolve_actor(resolver: &NameResolver, name: &str) -> Result<Resolution> {
    resolver.resolve(name).ok_or_else(|| Error::UnknownActor {
        name: name.to_owned(),
        suggestions: resolver.suggest(name, 3),
    })
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
            let r = resolve_actor(self.resolver()?, name)?;
            filters.push(self.any_of(self.fields.actor, r.ids()));
            actors.push(r);
        }
        let mut topics = Vec::new();
        for t in &q.topics {
            let id = self.topic(t)?;
            filters.push(self.term(self.fields.topic, &id));
            topics.push(id);
        }
        let mut camps = Vec::new();
        for c in &q.camps {
            let camp = camp(c)?;
            filters.push(self.term(self.fields.camp, camp.as_str()));
            camps.push(camp.as_str().to_owned());
        }
        let article = q.article.clone();
        if let Some(a) = &article {
            filters.push(self.term(self.fields.article, a));
        }

        let stances = match &q.stance {
            Some(s) => self.stance(s)?,
            None => Vec::new(),
        };
        let holder = q
            .holder
            .as_deref()
            .map(|h| resolve_actor(self.resolver()?, h))
            .transpose()?;
        let target = q.target.as_deref().map(|t| self.target(t)).transpose()?;
        let polarity = q.polarity.as_deref().map(polarity).transpose()?;
        if !stances.is_empty() || holder.is_some() || target.is_some() || polarity.is_some() {
            let holders: Vec<Option<&str>> = holder
                .as_ref()
                .map_or(vec![None], |r| r.ids().map(Some).collect());
            let stance_ids: Vec<Option<&str>> = if stances.is_empty() {
                vec![None]
            } else {
                stances.iter().map(|s| Some(s.as_str())).collect()
            };
            let targets: Vec<Option<&str>> = match &target {
                None => vec![None],
                Some(TargetResolution::Topic { id }) => vec![Some(id.as_str())],
                Some(TargetResolution::Actor(r)) => r.ids().map(Some).collect(),
            };
            let mut keys = Vec::new();
            for h in &holders {
                for s in &stance_ids {
                    for t in &targets {
                        keys.push(stance_key(*h, *s, *t, polarity.map(Polarity::as_str)));
                    }
                }
            }
            if keys.len() > MAX_STANCE_KEYS {
                return Err(Error::InvalidArgument(
                    "the stance filter is too broad; name fewer actors".into(),
                ));
            }
            filters.push(self.any_of(self.fields.stance_key, keys.iter().map(String::as_str)));
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
            let lower = since
                .and_then(|d| d.first_day_key())
                .map_or(Bound::Unbounded, |k| {
                    Bound::Included(Term::from_field_u64(self.fields.event_day, k))
                });
            let upper = until
                .and_then(|d| d.last_day_key())
                .map_or(Bound::Unbounded, |k| {
                    Bound::Included(Term::from_field_u64(self.fields.event_day, k))
                });
            filters.push(Box::new(RangeQuery::new(lower, upper)));
        }

        let text_query = text.map(|t| self.text(t)).transpose()?;
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        if let Some(tq) = &text_query {
            clauses.push((Occur::Must, tq.box_clone()));
        }
        for f in filters {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(f, 0.0))));
        }
        let query: Box<dyn TQuery> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
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

    fn term(&self, field: tantivy::schema::Field, value: &str) -> Box<dyn TQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    fn any_of<'v>(
        &self,
        field: tantivy::schema::Field,
        values: impl Iterator<Item = &'v str>,
    ) -> Box<dyn TQuery> {
        let mut terms: Vec<Box<dyn TQuery>> = values.map(|v| self.term(field, v)).collect();
        if terms.len() == 1 {
            terms.pop().unwrap_or_else(|| Box::new(AllQuery))
        } else {
            Box::new(BooleanQuery::union(terms))
        }
    }

    pub(crate) fn stance(&self, s: &str) -> Result<Vec<String>> {
        let id = s.trim().to_lowercase();
        if self.registry()?.stance(&id).is_none() {
            return Err(Error::UnknownLabel {
                kind: "stance",
                value: s.to_owned(),
                valid: self
                    .registry()?
                    .stances
                    .iter()
                    .map(|s| s.id.clone())
                    .collect(),
            });
        }
        Ok(self.registry()?.stance_with_descendants(&id))
    }

    pub(crate) fn topic(&self, t: &str) -> Result<String> {
        let id = t.trim().to_lowercase();
        if self.registry()?.topic(&id).is_none() {
            return Err(Error::UnknownLabel {
                kind: "topic",
                value: t.to_owned(),
                valid: self
                    .registry()?
                    .topics
                    .iter()
                    .map(|t| t.id.clone())
                    .collect(),
            });
        }
        Ok(id)
    }

    fn target(&self, t: &str) -> Result<TargetResolution> {
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

    /// Parses keyword text, rewriting annotation fields to indexed ids.
    fn text(&self, text: &str) -> Result<Box<dyn TQuery>> {
        check_query_size(text)?;
        // The lenient parser explains most mistakes with a position; the
        // strict one decides whether the query is valid at all.
        let (ast, errors) = query_grammar::parse_query_lenient(text);
        if let Some(e) = errors.first() {
            return Err(Error::QuerySyntax {
                position: char_position(text, e.pos),
                message: e.message.clone(),
            });
        }
        if query_grammar::parse_query(text).is_err() {
            let (position, message) = locate_malformation(text);
            return Err(Error::QuerySyntax { position, message });
        }
        let ast = match self.rewrite(ast, text)? {
            // "-hijab" alone means "every passage without hijab".
            UserInputAst::Clause(mut clauses)
                if clauses.iter().all(|(o, _)| *o == Some(Occur::MustNot)) =>
            {
                clauses.push((
                    Some(Occur::Must),
                    UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
                ));
                UserInputAst::Clause(clauses)
            }
            ast => ast,
        };
        let mut parser = QueryParser::for_index(self.index, vec![self.fields.text]);
        parser.set_conjunction_by_default();
        parser
            .build_query_from_user_input_ast(ast)
            .map_err(|e| Error::QuerySyntax {
                position: 0,
                message: e.to_string(),
            })
    }

    fn rewrite(&self, ast: UserInputAst, text: &str) -> Result<UserInputAst> {
        Ok(match ast {
            UserInputAst::Clause(clauses) => UserInputAst::Clause(
                clauses
                    .into_iter()
                    .map(|(occur, sub)| Ok((occur, self.rewrite(sub, text)?)))
                    .collect::<Result<_>>()?,
            ),
            UserInputAst::Boost(sub, boost) => {
                UserInputAst::Boost(Box::new(self.rewrite(*sub, text)?), boost)
            }
            UserInputAst::Leaf(leaf) => match *leaf {
                UserInputLeaf::Literal(lit) => match lit.field_name.clone() {
                    None => UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(lit))),
                    Some(field) => self.field_values(&field, &lit.phrase, text)?,
                },
                UserInputLeaf::Set {
                    field: Some(field),
                    elements,
                } => {
                    let mut clauses = Vec::new();
                    for e in elements {
                        clauses.push((Some(Occur::Should), self.field_values(&field, &e, text)?));
                    }
                    UserInputAst::Clause(clauses)
                }
                UserInputLeaf::All => UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
                other => {
                    let what = match other {
                        UserInputLeaf::Range { .. } => "ranges (use --since and --until for dates)",
                        UserInputLeaf::Regex { .. } => "regular expressions",
                        UserInputLeaf::Exists { .. } => "field existence tests",
                        _ => "sets without a field",
                    };
                    return Err(Error::QuerySyntax {
                        position: 0,
                        message: format!("{what} are not supported"),
                    });
                }
            },
        })
    }

    /// `field:value` in keyword text → a clause on the indexed ids.
    fn field_values(&self, field: &str, value: &str, text: &str) -> Result<UserInputAst> {
        let (indexed, ids): (&str, Vec<String>) = match field {
            "text" => return Ok(literal(None, value)),
            "actor" => (
                "actor",
                resolve_actor(self.resolver()?, value)?
                    .ids()
                    .map(str::to_owned)
                    .collect(),
            ),
            "holder" => (
                "stance_key",
                resolve_actor(self.resolver()?, value)?
                    .ids()
                    .map(|h| stance_key(Some(h), None, None, None))
                    .collect(),
            ),
            "stance" => (
                "stance_key",
                self.stance(value)?
                    .iter()
                    .map(|s| stance_key(None, Some(s), None, None))
                    .collect(),
            ),
            "topic" => ("topic", vec![self.topic(value)?]),
            "camp" => ("camp", vec![camp(value)?.as_str().to_owned()]),
            "article" => ("article", vec![value.to_owned()]),
            other => {
                let at = text
                    .find(&format!("{other}:"))
                    .map_or(0, |b| char_position(text, b));
                return Err(Error::QuerySyntax {
                    position: at,
                    message: format!("unknown field `{other}`; fields are text, actor, holder, stance, topic, camp and article"),
                });
            }
        };
        let mut clauses: Vec<(Option<Occur>, UserInputAst)> = ids
            .iter()
            .map(|id| (Some(Occur::Should), literal(Some(indexed), id)))
            .collect();
        Ok(if clauses.len() == 1 {
            clauses.remove(0).1
        } else {
            UserInputAst::Clause(clauses)
        })
    }
}

fn literal(field: Option<&str>, value: &str) -> UserInputAst {
    UserInputAst::Leaf(Box::new(UserInputLeaf::Literal(UserInputLiteral {
        field_name: field.map(str::to_owned),
        phrase: value.to_owned(),
        delimiter: if field.is_some() {
            Delimiter::DoubleQuotes
        } else {
            Delimiter::None
        },
        slop: 0,
        prefix: false,
    })))
}

/// Refuses input whose parse or execution cost would be unbounded.
fn check_query_size(text: &str) -> Result<()> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(Error::QuerySyntax {
            position: char_position(text, MAX_QUERY_BYTES),
            message: format!(
                "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                text.len()
            ),
        });
    }
    if let Some(at) = text.find('\0') {
        return Err(Error::QuerySyntax {
            position: char_position(text, at),
            message: "the query contains a NUL character".into(),
        });
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_QUERY_DEPTH {
                    return Err(Error::QuerySyntax {
                        position: char_position(text, i),
                        message: format!("parentheses nest deeper than {MAX_QUERY_DEPTH} levels"),
                    });
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count();
    if words > MAX_QUERY_TERMS {
        return Err(Error::QuerySyntax {
            position: 0,
            message: format!("the query has {words} words; the limit is {MAX_QUERY_TERMS}"),
        });
    }
    Ok(())
}

/// Where a query the strict grammar rejects (but the lenient one accepts)
/// goes wrong: an unclosed parenthesis, or an operator with no operand.
fn locate_malformation(text: &str) -> (usize, String) {
    let mut open = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '(' => open.push(i),
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    if let Some(&at) = open.first() {
        return (
            char_position(text, at),
            "this parenthesis is never closed".into(),
        );
    }
    let trimmed = text.trim_end();
    for op in ["AND", "OR", "NOT"] {
        let dangling_end = trimmed.ends_with(op)
            && trimmed[..trimmed.len() - op.len()]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace);
        if dangling_end {
            return (
                char_position(text, trimmed.len() - op.len()),
                format!("`{op}` needs a term after it"),
            );
        }
    }
    (0, "the query is malformed".into())
}

fn char_position(text: &str, byte: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < byte).count()
}

fn camp(c: &str) -> Result<Camp> {
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

fn polarity(p: &str) -> Result<Polarity> {
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
    let mut scored: Vec<(f64, &str)> = labels
        .map(|l| (strsim::jaro_winkler(&input.to_lowercase(), l), l))
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
    fn oversized_and_nested_queries_are_refused_with_positions() {
        assert!(matches!(
            check_query_size(&"a ".repeat(5000)),
            Err(Error::QuerySyntax { .. })
        ));
        let deep = format!("{}x{}", "(".repeat(40), ")".repeat(40));
        assert!(matches!(
            check_query_size(&deep),
            Err(Error::QuerySyntax { position: 32, .. })
        ));
        assert!(matches!(
            check_query_size("a\0b"),
            Err(Error::QuerySyntax { position: 1, .. })
        ));
        assert!(check_query_size("(security AND reckoning) OR \"blood revenge\"").is_ok());
    }

    #[test]
    fn malformations_are_located() {
        assert_eq!(locate_malformation("a (foo").0, 2);
        assert_eq!(locate_malformation("foo(").0, 3);
        assert_eq!(locate_malformation("a AND").0, 2);
        assert_eq!(locate_malformation("OR").0, 0);
    }

    #[test]
    fn camps_accept_plural_and_case() {
        assert_eq!(camp("Reformists").unwrap(), Camp::Reformist);
        assert!(matches!(
            camp("moderate"),
            Err(Error::UnknownLabel { kind: "camp", .. })
        ));
    }
}
