//! The corpus data model: what the TOML files hold, as typed serde structs.
//!
//! `corpus/README.md` documents each field for authors; the doc comments here
//! document them for programmers. Unknown fields are rejected by the loader.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `actors.toml`: the actor registry shared by every article.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ActorsFile {
    #[serde(default)]
    pub actors: Vec<Actor>,
}

/// `stances.toml`: the stance taxonomy.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct StancesFile {
    #[serde(default)]
    pub stances: Vec<StanceDef>,
}

/// `topics.toml`: the topic vocabulary.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TopicsFile {
    #[serde(default)]
    pub topics: Vec<Topic>,
}

/// A person, organisation, state, group, outlet or collective that a passage
/// can mention or that can hold a stance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Actor {
    /// Kebab-case id, unique in the registry.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What sort of actor this is.
    pub kind: ActorKind,
    /// Every other spelling and short form, transliterations included.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// ISO 3166 alpha-3 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// CAMEO-style role code (GOV, MIL, SPY, LEG, MED, PTY, CVL, REB, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Political camp, for Iranian political actors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camp: Option<Camp>,
    /// One line on who this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The kind of an [`Actor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum ActorKind {
    Person,
    Organization,
    State,
    Group,
    Media,
    Collective,
    Author,
}

/// Political camp of an Iranian political actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum Camp {
    Hardliner,
    Reformist,
    Centrist,
}

impl Camp {
    /// Every camp, in a fixed order.
    pub const ALL: [Camp; 3] = [Camp::Hardliner, Camp::Reformist, Camp::Centrist];

    /// The label used in files, queries and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Camp::Hardliner => "hardliner",
            Camp::Reformist => "reformist",
            Camp::Centrist => "centrist",
        }
    }
}

impl fmt::Display for Camp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stance of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct StanceDef {
    /// Kebab-case id.
    pub id: String,
    /// What the stance means.
    pub description: String,
    /// A broader stance; a search for the parent also finds this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// One topic of the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Topic {
    /// Kebab-case id.
    pub id: String,
    /// What the topic covers.
    pub description: String,
}

/// `articles/<id>/article.toml`: an article's metadata and its passages.
#[derive(Debug, Clone, PartialEq, Deserialize, toml_spanner::Toml)]
pub(crate) struct ArticleFile {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    #[toml(default)]
    pub passages: Vec<PassageFile>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, toml_spanner::Toml)]
pub(crate) struct PassageFile {
    pub id: String,
    pub ordinal: u32,
    pub span: SpanFile,
    #[serde(default)]
    #[toml(default)]
    pub actors: Vec<String>,
    #[serde(default)]
    #[toml(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    #[toml(default)]
    pub stances: Vec<StanceFile>,
    #[serde(default)]
    #[toml(default)]
    pub events: Vec<EventFile>,
}

/// A span as written. The public [`Span`] is the same pair; this one
/// carries the file parsers' traits, which keeps toml-spanner out of the
/// library's API.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, toml_spanner::Toml)]
pub(crate) struct SpanFile {
    pub start: usize,
    pub end: usize,
}

impl From<SpanFile> for Span {
    fn from(s: SpanFile) -> Span {
        Span {
            start: s.start,
            end: s.end,
        }
    }
}

/// A stance as written; polarity and voice are checked by the validator so
/// that a typo there is reported alongside every other error.
#[derive(Debug, Clone, PartialEq, Deserialize, toml_spanner::Toml)]
pub(crate) struct StanceFile {
    pub holder: String,
    pub stance: String,
    pub target: String,
    pub polarity: String,
    pub quote: String,
    pub voice: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, toml_spanner::Toml)]
pub(crate) struct EventFile {
    pub date: String,
    pub what: String,
    #[serde(default)]
    #[toml(default)]
    pub actors: Vec<String>,
}

/// A validated article, with its text and passages.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Article id (also its directory name).
    pub id: String,
    /// Title.
    pub title: String,
    /// Where it was published, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Publication date, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<EventDate>,
    /// BCP 47 language tag, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The verbatim text.
    #[serde(skip)]
    pub text: String,
    /// The passages, in ordinal order.
    pub passages: Vec<Passage>,
}

/// A validated passage: a span of its article's text and its annotations.
#[derive(Debug, Clone, Serialize)]
pub struct Passage {
    /// Id, unique in the corpus.
    pub id: String,
    /// 1-based position in the article.
    pub ordinal: u32,
    /// Byte span into the article text.
    pub span: Span,
    /// The exact text of the span.
    pub text: String,
    /// Actor ids mentioned or clearly referred to.
    pub actors: Vec<String>,
    /// Topic ids.
    pub topics: Vec<String>,
    /// Stances taken in the passage.
    pub stances: Vec<StanceAnnotation>,
    /// Dated events the passage reports.
    pub events: Vec<Event>,
}

/// An actor as shown in a hit: its id and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct ActorRef {
    /// Actor id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// A byte span `[start, end)` into an article text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// Who takes which position toward whom, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct StanceAnnotation {
    /// Actor id of who holds the stance.
    pub holder: String,
    /// Stance id from the taxonomy.
    pub stance: String,
    /// Actor id or topic id the stance is directed at.
    pub target: String,
    /// For, against or neutral toward the target.
    pub polarity: Polarity,
    /// Exact substring of the passage: the evidence.
    pub quote: String,
    /// Whether the author holds it or reports it.
    pub voice: Voice,
}

/// Polarity of a stance toward its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum Polarity {
    Favor,
    Against,
    Neutral,
}

impl std::str::FromStr for Polarity {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Polarity::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(())
    }
}

impl Polarity {
    /// Every polarity, in a fixed order.
    pub const ALL: [Polarity; 3] = [Polarity::Favor, Polarity::Against, Polarity::Neutral];

    /// The label used in files, queries and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Favor => "favor",
            Polarity::Against => "against",
            Polarity::Neutral => "neutral",
        }
    }
}

/// Who speaks a stance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub enum Voice {
    /// The article's author takes the stance.
    Author,
    /// The author reports someone else's stance.
    Reported,
}

impl Voice {
    /// The label used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Voice::Author => "author",
            Voice::Reported => "reported",
        }
    }
}

impl std::str::FromStr for Voice {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "author" => Ok(Voice::Author),
            "reported" => Ok(Voice::Reported),
            _ => Err(()),
        }
    }
}

/// A dated event reported by a passage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct Event {
    /// When, at the precision the text gives: `YYYY`, `YYYY-MM`,
    /// `YYYY-MM-DD`, or `--MM-DD` when the year is not stated.
    #[cfg_attr(feature = "serve", schema(value_type = String))]
    pub date: EventDate,
    /// What happened.
    pub what: String,
    /// Actor ids involved.
    pub actors: Vec<String>,
}

pub use crate::date::EventDate;
