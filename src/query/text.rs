//! Keyword text: the boolean meaning of a parsed query, as one tantivy
//! query.
//!
//! * `a b` and `a AND b`: both; `a OR b`: either. `NOT` binds tightest, then
//!   `AND` (written or a space), then `OR`: `a b OR c` is `(a b) OR c`.
//! * `NOT a` and `-a` mean every passage without `a`. A group made only of
//!   negations means "all passages except" them, wherever it stands, so
//!   negation nests: `NOT NOT a` is `a`, and `a OR NOT b` is every passage
//!   with `a` or without `b`. (tantivy's own `QueryParser` matched nothing
//!   for a group of negations, so `security AND NOT iran` found nothing.)
//! * `+a` is `a`. `*` is every passage. `a^2` doubles the score of `a`.
//! * Only `"` quotes a phrase (`"blood revenge"`, `"a b"~2` for words near
//!   each other, `"blood rev"*` for a last word that is a prefix); `'` is an
//!   apostrophe. A word that the analyzer splits (`Iran’s`) is a phrase.
//! * Fields (`actor:`, `holder:`, `target:`, `stance:`, `polarity:`,
//!   `topic:`, `camp:`, `article:`) match annotations, resolved like the
//!   filters; `text:` is passage text.
//! * A part with no letters or digits (`’`, a lone `-`) is left out; a query
//!   made only of such parts matches nothing.
//! * Negated parts and annotation fields do not score: the BM25 score comes
//!   from the words a passage has.

use super::compile::{any_of, camp, polarity, Compiler};
use super::filtered::unscored;
use super::parse::{self, Node, Words};
use super::stance_match::stance_filter;
use crate::error::{Error, Result};
use crate::index::schema::only_part;
use crate::index::text_analyzer;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query as TQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::tokenizer::TokenStream;

/// The annotation fields of keyword text.
pub(crate) const FIELDS: [&str; 8] = [
    "actor", "holder", "target", "stance", "polarity", "topic", "camp", "article",
];

/// Compiles keyword text into one tantivy query.
pub(crate) fn compile(c: &Compiler<'_>, text: &str) -> Result<Box<dyn TQuery>> {
    let node = parse::parse(text)?;
    let built = match node {
        Some(node) => Builder { c }.build(node)?,
        None => None,
    };
    Ok(built.unwrap_or_else(|| Box::new(EmptyQuery)))
}

struct Builder<'c, 'a> {
    c: &'c Compiler<'a>,
}

/// Matches every passage without adding to the score.
fn everything() -> Box<dyn TQuery> {
    Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))
}

/// Every passage except those of `q`.
fn all_but(q: Box<dyn TQuery>) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, everything()),
        (Occur::MustNot, q),
    ]))
}

impl Builder<'_, '_> {
    /// `None` for a part with no words, which is left out.
    fn build(&self, node: Node) -> Result<Option<Box<dyn TQuery>>> {
        Ok(match node {
            Node::And(parts) => {
                let mut clauses = Vec::with_capacity(parts.len() + 1);
                for part in parts {
                    // A negated part of an AND excludes; it needs no "all".
                    let (occur, part) = match part {
                        Node::Not(inner) => (Occur::MustNot, *inner),
                        other => (Occur::Must, other),
                    };
                    if let Some(q) = self.build(part)? {
                        clauses.push((occur, q));
                    }
                }
                if clauses.is_empty() {
                    return Ok(None);
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, everything()));
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Or(parts) => {
                let mut clauses = Vec::with_capacity(parts.len());
                for part in parts {
                    if let Some(q) = self.build(part)? {
                        clauses.push((Occur::Should, q));
                    }
                }
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn TQuery>)
            }
            Node::Not(inner) => self.build(*inner)?.map(all_but),
            Node::Boost(inner, boost) => self
                .build(*inner)?
                .map(|q| Box::new(BoostQuery::new(q, boost)) as Box<dyn TQuery>),
            Node::All => Some(Box::new(AllQuery)),
            Node::Words(words) => match words.field.as_deref() {
                None | Some("text") => self.words(&words)?,
                Some(field) => Some(unscored(self.field(field, &words)?)),
            },
        })
    }

    /// A word or phrase of passage text.
    fn words(&self, w: &Words) -> Result<Option<Box<dyn TQuery>>> {
        if !w.quoted {
            if let Some((word, _)) = w.text.rsplit_once('~').filter(|(word, n)| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !terms(word).is_empty()
            }) {
                return Err(Error::QuerySyntax {
                    position: w.at + word.chars().count(),
                    message: format!(
                        "fuzzy terms such as `{}` are not supported: words match by their stem \
                         (`{word}` also finds its other forms); for words near each other, \
                         write a phrase with slop such as `\"blood revenge\"~2`",
                        w.text
                    ),
                });
            }
        }
        let field = self.c.fields.text;
        let terms: Vec<Term> = terms(&w.text)
            .into_iter()
            .map(|t| Term::from_field_text(field, &t))
            .collect();
        Ok(match terms.len() {
            0 => None,
            1 if !w.prefix => Some(Box::new(TermQuery::new(
                terms[0].clone(),
                IndexRecordOption::WithFreqs,
            ))),
            _ if w.prefix => Some(Box::new(PhrasePrefixQuery::new(terms))),
            1 => unreachable!("a single term without prefix is handled above"),
            _ => {
                let mut phrase = PhraseQuery::new(terms);
                phrase.set_slop(w.slop);
                Some(Box::new(phrase))
            }
        })
    }

    /// `field:value` → a clause on the indexed annotation ids.
    fn field(&self, field: &str, w: &Words) -> Result<Box<dyn TQuery>> {
        let c = self.c;
        let f = c.fields;
        let value = w.text.as_str();
        let stance_part =
            |part: usize, ids: &[&str]| stance_filter(f.stance_key, only_part(part, ids));
        Ok(match field {
            "actor" => any_of(f.actor, c.actor(value)?.ids()),
            "holder" => stance_part(0, &c.actor(value)?.ids().collect::<Vec<_>>()),
            "stance" => {
                let ids = c.stance(value)?;
                stance_part(1, &ids.iter().map(String::as_str).collect::<Vec<_>>())
            }
            "target" => stance_part(2, &c.target(value)?.ids()),
            "polarity" => stance_part(3, &[polarity(value)?.as_str()]),
            "topic" => any_of(f.topic, [c.topic(value)?.as_str()].into_iter()),
            "camp" => any_of(f.camp, [camp(value)?.as_str()].into_iter()),
            "article" => any_of(f.article, [c.article(value)?.as_str()].into_iter()),
            other => {
                return Err(Error::QuerySyntax {
                    position: w.at,
                    message: format!(
                        "unknown field `{other}`; fields are text, {}",
                        FIELDS.join(", ")
                    ),
                })
            }
        })
    }
}

/// The terms the analyzer makes of `text`, as the index holds them.
fn terms(text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}
