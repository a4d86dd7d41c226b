//! The tantivy schema, defined once. Every other module uses the typed
//! [`Fields`] handles instead of looking fields up by name.

use super::analysis::TEXT_TOKENIZER;
use tantivy::schema::{
    IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Bumped whenever the schema, the tokenizer or the stored layout changes;
/// an index with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 7;

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
    /// Keys of each stance annotation ([`stance_keys`]): one per part,
    /// tagged with the annotation's slot in its passage, so that a filter on
    /// several parts holds them on one annotation
    /// (`crate::query::stance_match`).
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

/// The tags of a stance key's parts: holder, stance, target, polarity.
pub(crate) const STANCE_KEY_TAGS: [&str; 4] = ["h=", "s=", "t=", "p="];

/// Tags the slot of a stance key: the position of its annotation among the
/// passage's stance annotations.
pub(crate) const SLOT_TAG: &str = "n=";

/// The key of one part of the annotation in `slot`: `h=iran|n=0`.
pub(crate) fn stance_part_key(part: usize, value: &str, slot: usize) -> String {
    format!("{}{value}{KEY_SEP}{SLOT_TAG}{slot}", STANCE_KEY_TAGS[part])
}

/// The four stance parts (0 holder, 1 stance, 2 target, 3 polarity), with
/// only `part` given.
pub(crate) fn only_part<T: Copy>(part: usize, value: T) -> [Option<T>; 4] {
    let mut parts = [None; 4];
    parts[part] = Some(value);
    parts
}

/// The keys of the annotation in `slot`: one per part. Keys that share a
/// slot belong to one annotation, which is how a filter on several parts
/// holds them on one annotation (see `crate::query::stance_match`).
pub(crate) fn stance_keys(
    slot: usize,
    holder: &str,
    stance: &str,
    target: &str,
    polarity: &str,
) -> [String; 4] {
    [
        stance_part_key(0, holder, slot),
        stance_part_key(1, stance, slot),
        stance_part_key(2, target, slot),
        stance_part_key(3, polarity, slot),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn one_annotation_yields_one_key_per_part_tagged_with_its_slot() {
        let keys = stance_keys(
            2,
            "hardliners",
            "calls-for-retaliation",
            "israel",
            "against",
        );
        assert_eq!(
            keys,
            [
                "h=hardliners|n=2",
                "s=calls-for-retaliation|n=2",
                "t=israel|n=2",
                "p=against|n=2",
            ]
        );
    }
}
