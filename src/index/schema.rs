//! The tantivy schema, defined once. Every other module uses the typed
//! [`Fields`] handles instead of looking fields up by name.

use super::analysis::TEXT_TOKENIZER;
use tantivy::schema::{
    IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Bumped whenever the schema, the tokenizer or the stored layout changes;
/// an index with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 5;

/// Separates the parts of composite keys. Ids are kebab-case, so it never
/// occurs inside one.
pub(crate) const KEY_SEP: char = '|';

/// Typed handles to every field.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub schema: Schema,
    /// Passage id (exact).
    pub passage: tantivy::schema::Field,
    /// Article id (exact, fast for facets).
    pub article: tantivy::schema::Field,
    /// Passage position in its article (fast: with the article id, the
    /// document order that sorts and breaks ties).
    pub ordinal: tantivy::schema::Field,
    /// Passage text: BM25, phrases, snippets.
    pub text: tantivy::schema::Field,
    pub actor: tantivy::schema::Field,
    pub topic: tantivy::schema::Field,
    pub camp: tantivy::schema::Field,
    pub stance: tantivy::schema::Field,
    pub holder: tantivy::schema::Field,
    /// `holder|stance` per annotation: the holder × stance matrix counts
    /// annotations, not passage-level co-occurrence.
    pub holder_stance: tantivy::schema::Field,
    /// Composite keys: every subset of (holder, stance, target, polarity) of
    /// each stance annotation. A filter on several of them is one term, so
    /// they always hold on the same annotation.
    pub stance_key: tantivy::schema::Field,
    /// First day (YYYYMMDD) of each dated event.
    pub event_day: tantivy::schema::Field,
    /// Annotations (postcard), to return a full hit without the corpus.
    pub annotations: tantivy::schema::Field,
}

impl Fields {
    pub(crate) fn new() -> Fields {
        let mut b = Schema::builder();
        let exact_fast = STRING | FAST;
        let text = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TEXT_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let passage = b.add_text_field("passage", STRING | STORED);
        let article = b.add_text_field("article", exact_fast.clone() | STORED);
        let ordinal = b.add_u64_field("ordinal", NumericOptions::default().set_stored().set_fast());
        let text = b.add_text_field("text", text);
        let actor = b.add_text_field("actor", exact_fast.clone());
        let topic = b.add_text_field("topic", exact_fast.clone());
        let camp = b.add_text_field("camp", exact_fast.clone());
        // Stance filters go through `stance_key`; these three only feed
        // facet counts, so they are columns without an inverted index.
        let stance = b.add_text_field("stance", FAST);
        let holder = b.add_text_field("holder", FAST);
        let holder_stance = b.add_text_field("holder_stance", FAST);
        let stance_key = b.add_text_field("stance_key", STRING);
        let event_day = b.add_u64_field(
            "event_day",
            NumericOptions::default().set_indexed().set_fast(),
        );
        let annotations = b.add_bytes_field("annotations", STORED);
        Fields {
            schema: b.build(),
            passage,
            article,
            ordinal,
            text,
            actor,
            topic,
            camp,
            stance,
            holder,
            holder_stance,
            stance_key,
            event_day,
            annotations,
        }
    }
}

/// The composite key for a set of stance constraints, in a fixed order.
pub(crate) fn stance_key(
    holder: Option<&str>,
    stance: Option<&str>,
    target: Option<&str>,
    polarity: Option<&str>,
) -> String {
    let mut key = String::new();
    for (tag, value) in [
        ("h=", holder),
        ("s=", stance),
        ("t=", target),
        ("p=", polarity),
    ] {
        if let Some(v) = value {
            if !key.is_empty() {
                key.push(KEY_SEP);
            }
            key.push_str(tag);
            key.push_str(v);
        }
    }
    key
}

/// Every non-empty subset key of one annotation (15 keys).
pub(crate) fn stance_keys(holder: &str, stance: &str, target: &str, polarity: &str) -> Vec<String> {
    (1u8..16)
        .map(|mask| {
            stance_key(
                (mask & 1 != 0).then_some(holder),
                (mask & 2 != 0).then_some(stance),
                (mask & 4 != 0).then_some(target),
                (mask & 8 != 0).then_some(polarity),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn one_annotation_yields_fifteen_distinct_keys() {
        let keys = stance_keys("hardliners", "calls-for-retaliation", "israel", "against");
        assert_eq!(keys.len(), 15);
        assert!(keys.contains(&stance_key(
            Some("hardliners"),
            Some("calls-for-retaliation"),
            None,
            None
        )));
        assert!(!keys.contains(&stance_key(
            Some("hardliners"),
            Some("warns-against-war"),
            None,
            None
        )));
    }
}
