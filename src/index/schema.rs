//! The tantivy schema, defined once. Every other module uses the typed
//! [`Fields`] handles instead of looking fields up by name.

use super::analysis::TEXT_TOKENIZER;
use tantivy::schema::{
    IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};

/// Bumped whenever the schema, the tokenizer or the stored layout changes;
/// an index with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 6;

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
    /// Keys of each stance annotation ([`stance_keys`]). A filter on the
    /// holder, the stance or the polarity alone is one term; a filter on the
    /// target, or on several parts, walks the keys that hold them all
    /// (`crate::query::stance_match`), so they hold on one annotation.
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

/// The tags of a stance key's parts, in key order: holder, stance, target,
/// polarity.
pub(crate) const STANCE_KEY_TAGS: [&str; 4] = ["h=", "s=", "t=", "p="];

/// The key for a set of stance parts, in key order.
pub(crate) fn stance_key(
    holder: Option<&str>,
    stance: Option<&str>,
    target: Option<&str>,
    polarity: Option<&str>,
) -> String {
    let mut key = String::new();
    for (tag, value) in STANCE_KEY_TAGS
        .into_iter()
        .zip([holder, stance, target, polarity])
    {
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

/// Which parts (holder, stance, target, polarity) are keys alone. A target
/// alone is not: a target filter walks the holderless keys, in which only the
/// stance, one of a few, comes before it (see `crate::query::stance_match`).
pub(crate) const SINGLE_PART_KEYS: [bool; 4] = [true, true, false, true];

/// The four stance parts in key order (0 holder, 1 stance, 2 target,
/// 3 polarity), with only `part` given.
pub(crate) fn only_part<T: Copy>(part: usize, value: T) -> [Option<T>; 4] {
    let mut parts = [None; 4];
    parts[part] = Some(value);
    parts
}

/// The key of one part alone (see [`only_part`]).
pub(crate) fn single_part_key(part: usize, value: &str) -> String {
    let [h, s, t, p] = only_part(part, value);
    stance_key(h, s, t, p)
}

/// The keys of one annotation: the parts that are keys alone, then stance,
/// target and polarity in one key, then all four. A filter on several parts
/// walks the last key if it names a holder, else the one before.
pub(crate) fn stance_keys(holder: &str, stance: &str, target: &str, polarity: &str) -> Vec<String> {
    let parts = [holder, stance, target, polarity];
    let mut keys: Vec<String> = (0..parts.len())
        .filter(|&i| SINGLE_PART_KEYS[i])
        .map(|i| single_part_key(i, parts[i]))
        .collect();
    keys.push(stance_key(None, Some(stance), Some(target), Some(polarity)));
    keys.push(stance_key(
        Some(holder),
        Some(stance),
        Some(target),
        Some(polarity),
    ));
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn one_annotation_yields_three_single_parts_its_holderless_key_and_its_full_key() {
        let keys = stance_keys("hardliners", "calls-for-retaliation", "israel", "against");
        assert_eq!(
            keys,
            [
                "h=hardliners",
                "s=calls-for-retaliation",
                "p=against",
                "s=calls-for-retaliation|t=israel|p=against",
                "h=hardliners|s=calls-for-retaliation|t=israel|p=against",
            ]
        );
    }
}
