//! One passage as a tantivy document, and the annotations stored with it.

use super::schema::{stance_keys, Fields, KEY_SEP};
use crate::corpus::{ActorRef, Article, Event, Passage, Registry, Span, StanceAnnotation};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use tantivy::TantivyDocument;

/// The annotations stored with each passage, so that a hit needs no corpus.
/// Stored in postcard's compact binary form: field names are not repeated
/// in every document, which keeps the index near the size of its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredAnnotations {
    pub span: Span,
    /// With display names, so that a hit needs no registry.
    pub actors: Vec<ActorRef>,
    pub topics: Vec<String>,
    pub stances: Vec<StanceAnnotation>,
    pub events: Vec<Event>,
}

impl StoredAnnotations {
    pub(crate) fn decode(bytes: &[u8]) -> std::result::Result<Self, String> {
        postcard::from_bytes(bytes).map_err(|e| e.to_string())
    }

    fn encode(&self) -> Result<Vec<u8>> {
        postcard::to_stdvec(self)
            .map_err(|e| Error::InvalidArgument(format!("cannot encode annotations: {e}")))
    }
}

/// The document of passage `p` of `article`. The registry supplies the
/// indexed values that are not in the passage: camps and display names.
pub(crate) fn passage_document(
    f: &Fields,
    registry: &Registry,
    article: &Article,
    p: &Passage,
) -> Result<TantivyDocument> {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.passage, &p.id);
    doc.add_text(f.article, &article.id);
    doc.add_u64(f.ordinal, u64::from(p.ordinal));
    doc.add_text(f.text, &p.text);
    let mut camps = BTreeSet::new();
    for a in &p.actors {
        doc.add_text(f.actor, a);
        if let Some(camp) = registry.actor(a).and_then(|a| a.camp) {
            camps.insert(camp);
        }
    }
    for c in camps {
        doc.add_text(f.camp, c.as_str());
    }
    for t in &p.topics {
        doc.add_text(f.topic, t);
    }
    // Facet columns count passages, so each value goes in once per passage.
    let mut stances = BTreeSet::new();
    let mut holders = BTreeSet::new();
    let mut pairs = BTreeSet::new();
    let mut keys = Vec::with_capacity(4 * p.stances.len());
    for (slot, s) in p.stances.iter().enumerate() {
        stances.insert(s.stance.as_str());
        holders.insert(s.holder.as_str());
        pairs.insert(format!("{}{KEY_SEP}{}", s.holder, s.stance));
        keys.extend(stance_keys(
            slot,
            &s.holder,
            &s.stance,
            &s.target,
            s.polarity.as_str(),
        ));
    }
    for s in stances {
        doc.add_text(f.stance, s);
    }
    for h in holders {
        doc.add_text(f.holder, h);
    }
    for pair in pairs {
        doc.add_text(f.holder_stance, pair);
    }
    for k in keys {
        doc.add_text(f.stance_key, k);
    }
    for day in p
        .events
        .iter()
        .filter_map(|e| e.date.first_day_key())
        .collect::<BTreeSet<_>>()
    {
        doc.add_u64(f.event_day, day);
    }
    let stored = StoredAnnotations {
        span: p.span,
        actors: p
            .actors
            .iter()
            .map(|id| ActorRef {
                id: id.clone(),
                name: registry
                    .actor(id)
                    .map_or_else(|| id.clone(), |a| a.name.clone()),
            })
            .collect(),
        topics: p.topics.clone(),
        stances: p.stances.clone(),
        events: p.events.clone(),
    };
    doc.add_bytes(f.annotations, &stored.encode()?);
    Ok(doc)
}
