//! Exact offset conversion between the units annotation tools count in.
//!
//! dossier counts UTF-8 bytes. The W3C Web Annotation model counts Unicode
//! code points, and so do brat, Label Studio and doccano, whose "characters"
//! are Python string indices. INCEpTION and other UIMA tools count UTF-16
//! code units (Java strings). An astral-plane character (an emoji) is 4
//! bytes, 1 code point and 2 UTF-16 units; a combining mark is its own code
//! point. A conversion that lands inside a character is an error, never a
//! silent rounding.

/// The unit an offset counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// UTF-8 bytes (dossier).
    Bytes,
    /// Unicode code points (W3C, brat, Label Studio, doccano).
    CodePoints,
    /// UTF-16 code units (UIMA, INCEpTION, JavaScript).
    Utf16,
}

/// Converts offsets of one text between units. Built once per text; each
/// conversion is a binary search.
#[derive(Debug, Clone)]
pub struct Offsets {
    /// Byte offset of each character, and the text's length at the end.
    bytes: Vec<usize>,
    /// UTF-16 offset of each character, and the total at the end.
    utf16: Vec<usize>,
}

impl Offsets {
    /// The offset tables of `text`.
    pub fn new(text: &str) -> Offsets {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut utf16 = Vec::with_capacity(text.len() + 1);
        let mut u = 0;
        for (b, c) in text.char_indices() {
            bytes.push(b);
            utf16.push(u);
            u += c.len_utf16();
        }
        bytes.push(text.len());
        utf16.push(u);
        Offsets { bytes, utf16 }
    }

    /// The text's length in `unit`.
    pub fn len(&self, unit: Unit) -> usize {
        match unit {
            Unit::Bytes => *self.bytes.last().unwrap_or(&0),
            Unit::CodePoints => self.bytes.len() - 1,
            Unit::Utf16 => *self.utf16.last().unwrap_or(&0),
        }
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() == 1
    }

    /// The code point index of offset `at` in `unit`, if it falls on a
    /// character boundary within the text.
    fn char_index(&self, at: usize, unit: Unit) -> Option<usize> {
        match unit {
            Unit::CodePoints => (at < self.bytes.len()).then_some(at),
            Unit::Bytes => self.bytes.binary_search(&at).ok(),
            Unit::Utf16 => self.utf16.binary_search(&at).ok(),
        }
    }

    /// Converts `at` from `from` to `to`; `None` when it is past the end or
    /// inside a character.
    pub fn convert(&self, at: usize, from: Unit, to: Unit) -> Option<usize> {
        let i = self.char_index(at, from)?;
        Some(match to {
            Unit::CodePoints => i,
            Unit::Bytes => self.bytes[i],
            Unit::Utf16 => self.utf16[i],
        })
    }

    /// Converts a `[start, end)` range to bytes.
    pub fn to_bytes(&self, start: usize, end: usize, from: Unit) -> Option<(usize, usize)> {
        Some((
            self.convert(start, from, Unit::Bytes)?,
            self.convert(end, from, Unit::Bytes)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn astral_combining_crlf_and_bom() {
        let text = "\u{feff}a😀e\u{301}\r\nß";
        let o = Offsets::new(text);
        // BOM: 3 bytes, 1 code point, 1 UTF-16 unit.
        assert_eq!(o.convert(1, Unit::CodePoints, Unit::Bytes), Some(3));
        // The emoji: 4 bytes, 1 code point, 2 UTF-16 units.
        assert_eq!(o.convert(3, Unit::CodePoints, Unit::Bytes), Some(8));
        assert_eq!(o.convert(3, Unit::CodePoints, Unit::Utf16), Some(4));
        assert_eq!(
            o.convert(3, Unit::Utf16, Unit::Bytes),
            None,
            "inside the emoji"
        );
        assert_eq!(
            o.convert(5, Unit::Bytes, Unit::CodePoints),
            None,
            "inside the emoji"
        );
        // e + combining acute: two code points.
        assert_eq!(o.convert(5, Unit::CodePoints, Unit::Bytes), Some(11));
        assert_eq!(o.len(Unit::Bytes), text.len());
        assert_eq!(o.len(Unit::CodePoints), text.chars().count());
        assert_eq!(o.len(Unit::Utf16), text.encode_utf16().count());
        assert_eq!(
            o.convert(o.len(Unit::CodePoints) + 1, Unit::CodePoints, Unit::Bytes),
            None
        );
    }

    proptest! {
        /// Against Rust's own counts: for every character boundary, the
        /// three offsets agree both ways.
        #[test]
        fn conversions_agree_with_rust_counts(text in "\\PC{0,40}|[a😀\u{301}\r\n\u{feff}ß€]{0,20}") {
            let o = Offsets::new(&text);
            for (b, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                let cp = text[..b].chars().count();
                let u16 = text[..b].encode_utf16().count();
                prop_assert_eq!(o.convert(b, Unit::Bytes, Unit::CodePoints), Some(cp));
                prop_assert_eq!(o.convert(b, Unit::Bytes, Unit::Utf16), Some(u16));
                prop_assert_eq!(o.convert(cp, Unit::CodePoints, Unit::Bytes), Some(b));
                prop_assert_eq!(o.convert(u16, Unit::Utf16, Unit::Bytes), Some(b));
                prop_assert_eq!(o.convert(u16, Unit::Utf16, Unit::CodePoints), Some(cp));
            }
        }
    }
}
