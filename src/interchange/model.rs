//! What the importers read, before it becomes articles: documents with
//! their text, entity mentions, stance annotations and (when the source has
//! them) passages. Spans are bytes here; each reader converts its own units
//! exactly and checks them against the text first.

use crate::corpus::Span;
use crate::error::Diagnostic;
use std::path::{Path, PathBuf};

/// One source document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Doc {
    /// The file it came from, for messages.
    pub file: PathBuf,
    /// What the article id is made from (a document id, or a file name).
    pub name: String,
    /// The article's title, source, date and language, when the source
    /// carries them (a dossier export does).
    pub meta: ArticleMeta,
    pub text: String,
    /// Passages as the source gives them (a dossier export does); else the
    /// paragraph rule cuts the text.
    pub passages: Option<Vec<PassageIn>>,
    pub mentions: Vec<MentionIn>,
    pub stances: Vec<StanceIn>,
    /// Topics given per passage by span, where the source has them apart
    /// from passages (Label Studio choices).
    pub topics: Vec<(Span, String)>,
    /// What the source has and dossier has no place for (free-text notes,
    /// other attributes), each reported to the user rather than dropped
    /// silently.
    pub not_kept: Vec<Diagnostic>,
}

/// An article's own fields, as exports carry them so that an import loses
/// nothing.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub(crate) struct ArticleMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl ArticleMeta {
    pub(crate) fn of(a: &crate::corpus::Article) -> ArticleMeta {
        ArticleMeta {
            title: Some(a.title.clone()),
            source: a.source.clone(),
            published: a.published.as_ref().map(ToString::to_string),
            language: a.language.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PassageIn {
    pub span: Span,
    /// Where the source defines it, for messages.
    pub line: Option<usize>,
    pub id: Option<String>,
    /// The passage's actors, when the source lists them (else its mentions).
    pub actors: Option<Vec<String>>,
    pub topics: Vec<String>,
    pub events: Vec<EventIn>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub(crate) struct EventIn {
    pub date: String,
    pub what: String,
    #[serde(default)]
    pub actors: Vec<String>,
}

/// An entity mention: a span with a label.
#[derive(Debug, Clone)]
pub(crate) struct MentionIn {
    /// The source's id for it (`T3`, a region id), for references.
    pub key: String,
    pub label: String,
    pub span: Span,
    /// The actor id, when the source names it (a dossier export does).
    pub actor: Option<String>,
    pub line: Option<usize>,
}

/// Who holds or is aimed at by a stance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ref {
    /// An actor or topic id, named by the source.
    Id(String),
    /// A mention, by its key.
    Mention(String),
    /// Not given.
    None,
}

/// A stance annotation as the source has it.
#[derive(Debug, Clone)]
pub(crate) struct StanceIn {
    /// The source's label (a stance id, or mapped to one).
    pub label: String,
    /// The evidence span.
    pub quote: Option<Span>,
    pub holder: Ref,
    pub target: Ref,
    /// The source's polarity value (mapped to favor, against, neutral).
    pub polarity: Option<String>,
    pub voice: Option<String>,
    /// The passage it belongs to, when the source says.
    pub passage: Option<String>,
    pub line: Option<usize>,
}

/// A problem found in a source file, at a line when known.
pub(crate) fn problem(file: &Path, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line,
        column: None,
        passage: None,
        message: message.into(),
    }
}

/// The 1-based line of byte offset `at` in `text`.
pub(crate) fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}
