//! The query builder, and its translation into a tantivy query.
//!
//! A [`Query`] holds what the user typed. [`Index::search`](crate::Index)
//! resolves it against the registry (names, stance descendants, labels) into
//! a [`ResolvedQuery`], which is echoed in results so that a user sees how
//! each name was understood, and compiles it into one tantivy query
//! (`compile`). The keyword text is read by `parse` and given its boolean
//! meaning by `text`, whose module docs state the rules.

mod compile;
mod filtered;
mod parse;
mod stance_match;
mod text;

pub(crate) use compile::{Compiled, Compiler};
pub use parse::{MAX_QUERY_BYTES, MAX_QUERY_DEPTH, MAX_QUERY_TERMS};

use crate::names::Resolution;
use serde::{Deserialize, Serialize};

/// Most hits one search returns.
pub const MAX_LIMIT: usize = 1000;
/// Default number of hits.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest `offset`: deep paging costs memory proportional to it.
pub const MAX_OFFSET: usize = 100_000;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum TargetResolution {
    /// A topic id.
    Topic {
        /// The topic id.
        id: String,
    },
    /// One or more actors.
    Actor(Resolution),
}

impl TargetResolution {
    /// The ids the target stands for: the topic, or the matched actors.
    pub fn ids(&self) -> Vec<&str> {
        match self {
            TargetResolution::Topic { id } => vec![id.as_str()],
            TargetResolution::Actor(r) => r.ids().collect(),
        }
    }
}

/// The query as understood: every name resolved, every label checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
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
