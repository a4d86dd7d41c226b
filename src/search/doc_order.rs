//! What it takes to put an index's documents in (article id, ordinal)
//! order, kept for the life of an [`Index`](crate::Index): each segment's
//! fast-field columns, opened once, and the article ids read so far.
//!
//! An `Index` never reloads its reader (a refresh opens a new `Index` on
//! the new generation), so its segments are fixed. Reading an article id
//! decompresses a dictionary block, which costs more than the rest of a
//! common word's search; a server asks for the same ids again and again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentOrdinal, SegmentReader};

/// Per segment of one searcher, opened on first use.
pub(crate) struct DocOrder {
    segments: Vec<(SegmentId, OnceLock<Arc<SegmentOrder>>)>,
}

impl DocOrder {
    pub(crate) fn new(searcher: &Searcher) -> DocOrder {
        DocOrder {
            segments: searcher
                .segment_readers()
                .iter()
                .map(|r| (r.segment_id(), OnceLock::new()))
                .collect(),
        }
    }

    /// The order of the segment at `ordinal`. A segment this index does not
    /// know (which cannot happen while readers do not reload) is opened
    /// without being kept.
    pub(crate) fn segment(
        &self,
        ordinal: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Arc<SegmentOrder>> {
        match self.segments.get(ordinal as usize) {
            Some((id, slot)) if *id == reader.segment_id() => {
                if let Some(order) = slot.get() {
                    return Ok(order.clone());
                }
                let order = Arc::new(SegmentOrder::open(reader)?);
                // Two threads may open it at once; either copy serves.
                Ok(slot.get_or_init(|| order).clone())
            }
            _ => Ok(Arc::new(SegmentOrder::open(reader)?)),
        }
    }
}

/// One segment's article ids and passage ordinals.
pub(crate) struct SegmentOrder {
    article: Option<StrColumn>,
    ordinal: Option<Column<u64>>,
    /// Article ids by term ordinal, as read so far.
    names: Mutex<HashMap<u64, Arc<str>>>,
}

impl SegmentOrder {
    fn open(reader: &SegmentReader) -> tantivy::Result<SegmentOrder> {
        Ok(SegmentOrder {
            article: reader.fast_fields().str("article")?,
            ordinal: reader.fast_fields().u64("ordinal").ok(),
            names: Mutex::new(HashMap::new()),
        })
    }

    /// The article's term ordinal: within a segment, it sorts as the id.
    pub(crate) fn article_ord(&self, doc: DocId) -> u64 {
        self.article
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .unwrap_or(0)
    }

    /// The passage's position in its article.
    pub(crate) fn ordinal(&self, doc: DocId) -> u64 {
        self.ordinal
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(0)
    }

    /// The article ids of `ords` (sorted, without repeats), in their order;
    /// those not read before are read in one pass over the dictionary. A
    /// missing column or a short dictionary names an article "".
    pub(crate) fn names(&self, ords: &[u64]) -> tantivy::Result<Vec<Arc<str>>> {
        // A panic elsewhere while holding the lock leaves a usable map.
        let mut known = self.names.lock().unwrap_or_else(|p| p.into_inner());
        let missing: Vec<u64> = ords
            .iter()
            .copied()
            .filter(|o| !known.contains_key(o))
            .collect();
        if !missing.is_empty() {
            let mut read = Vec::with_capacity(missing.len());
            if let Some(c) = &self.article {
                c.dictionary().sorted_ords_to_term_cb(&missing, |bytes| {
                    read.push(Arc::<str>::from(String::from_utf8_lossy(bytes)))
                })?;
            }
            read.resize(missing.len(), Arc::from(""));
            known.extend(missing.into_iter().zip(read));
        }
        Ok(ords
            .iter()
            .map(|o| known.get(o).cloned().unwrap_or_else(|| Arc::from("")))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, STRING};
    use tantivy::{doc, Index};

    #[test]
    fn names_read_now_and_names_read_before_come_back_in_order() {
        let mut schema = Schema::builder();
        let article = schema.add_text_field("article", STRING | FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for a in ["delta", "alpha", "charlie", "bravo"] {
            writer.add_document(doc!(article => a)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let order = DocOrder::new(&searcher);
        let segment = order.segment(0, searcher.segment_reader(0)).unwrap();
        let names = |ords: &[u64]| -> Vec<String> {
            let got = segment.names(ords).unwrap();
            got.iter().map(|n| n.to_string()).collect()
        };
        assert_eq!(names(&[0, 2]), ["alpha", "charlie"]);
        assert_eq!(names(&[0, 1, 2, 3]), ["alpha", "bravo", "charlie", "delta"]);
        assert_eq!(names(&[1, 3]), ["bravo", "delta"]);
        // Past the dictionary: named "", not an error.
        assert_eq!(names(&[3, 9]), ["delta", ""]);
        // Document 0 is "delta", the last id in the dictionary.
        assert_eq!(segment.article_ord(0), 3);
        // The same segment, opened once.
        let again = order.segment(0, searcher.segment_reader(0)).unwrap();
        assert!(Arc::ptr_eq(&segment, &again));
    }
}
