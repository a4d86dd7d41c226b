//! How passage text and keyword queries are cut into terms. Both sides go
//! through the same analyzer, so whatever folds here folds alike in both.
//!
//! * A word is a run of letters and digits. Combining marks stay inside the
//!   word they follow, so a decomposed `Cafe\u{301}` is one word, like the
//!   precomposed `Café`.
//! * Everything else separates words, so `’` and `'` both split `Mossad’s`
//!   into `mossad` + `s`.
//! * Each word is decomposed (NFD), stripped of its diacritics and
//!   lower-cased: `Café`, `CAFE` and `Cafe\u{301}` are all `cafe`.
//! * Then English Snowball stemming: `assassinations` = `assassinate`.

use foldhash::fast::FixedState;
use std::collections::HashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Name under which the passage-text analyzer is registered.
pub(crate) const TEXT_TOKENIZER: &str = "dossier_en";

/// The analyzer of passage text and of keyword queries.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::default())
}

/// The analyzer for highlighting `terms` (indexed forms) in hits: it gives
/// the same terms as [`text_analyzer`] for every word that could match, and
/// empties the others before they are stemmed. Stemming only removes or
/// rewrites the end of a word, never its first letter, so a word whose
/// first letter starts no term cannot match; skipping it saves most of the
/// stemming, which was the largest cost of a search with snippets.
pub(crate) fn highlight_analyzer<'t>(terms: impl Iterator<Item = &'t str>) -> TextAnalyzer {
    let mut initials: Vec<char> = terms.filter_map(|t| t.chars().next()).collect();
    initials.sort_unstable();
    initials.dedup();
    TextAnalyzer::from(WordTokenizer {
        initials: Some(initials.into()),
        // tantivy clones this analyzer for every hit's snippet, so a cache
        // would be filled and dropped each time without paying back.
        terms: TermCache::new(0),
        ..WordTokenizer::default()
    })
}

/// Splits text into terms: folded, stemmed words (see the module docs).
#[derive(Default)]
pub(crate) struct WordTokenizer {
    token: Token,
    terms: TermCache,
    /// When set, words whose folded first letter is not one of these are
    /// emptied.
    initials: Option<std::sync::Arc<[char]>>,
}

impl Clone for WordTokenizer {
    /// A clone starts with an empty cache of the same bound: tantivy clones
    /// the analyzer for each segment writer, each query and each snippet,
    /// and copying a full cache would cost more than it saves.
    fn clone(&self) -> Self {
        WordTokenizer {
            token: Token::default(),
            terms: TermCache::new(self.terms.capacity),
            initials: self.initials.clone(),
        }
    }
}

/// The term of each word seen, so that a repeated word is neither folded
/// nor stemmed again. Text follows a Zipf law: the words met first are
/// mostly the frequent ones, so a cache that stops growing at its bound
/// still answers nearly every word. Stemming was the largest single cost
/// of indexing.
struct TermCache {
    stemmer: frostem::Stemmer,
    terms: HashMap<ShortWord, ShortWord, FixedState>,
    /// How many words may be remembered.
    capacity: usize,
    /// Scratch space for folding a word that is not cached.
    folded: String,
}

/// Words remembered per indexing analyzer: past the vocabulary that covers
/// almost all running text.
const TERM_CACHE_WORDS: usize = 100_000;
/// Longer words are not remembered: they are rare, and with this bound a
/// full cache holds about 10 MB whatever the text.
const TERM_CACHE_WORD_BYTES: usize = 32;

impl TermCache {
    fn new(capacity: usize) -> Self {
        TermCache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            terms: HashMap::default(),
            capacity,
            folded: String::new(),
        }
    }
}

impl Default for TermCache {
    fn default() -> Self {
        TermCache::new(TERM_CACHE_WORDS)
    }
}

impl TermCache {
    /// Appends the term of `word` to `out`.
    fn term_into(&mut self, word: &str, out: &mut String) {
        if let Some(term) = self.terms.get(word.as_bytes()) {
            out.push_str(term.as_str());
            return;
        }
        self.folded.clear();
        fold_word_into(word, &mut self.folded);
        let term = self.stemmer.stem(&self.folded);
        out.push_str(&term);
        if self.terms.len() < self.capacity {
            if let (Some(word), Some(term)) = (ShortWord::new(word), ShortWord::new(&term)) {
                self.terms.insert(word, term);
            }
        }
    }
}

/// A word or term of at most [`TERM_CACHE_WORD_BYTES`] bytes, held inside
/// the cache's table. With boxed strings, a lookup followed a pointer to
/// the key and another to the term, each a likely cache miss on a table of
/// 100,000 words; that chase was a sixth of a build's CPU time.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ShortWord {
    len: u8,
    /// The bytes of a `str`, then zeros (so that derived equality is
    /// equality of the words).
    bytes: [u8; TERM_CACHE_WORD_BYTES],
}

impl ShortWord {
    /// `None` for a word too long to be held.
    fn new(word: &str) -> Option<ShortWord> {
        let mut bytes = [0; TERM_CACHE_WORD_BYTES];
        bytes
            .get_mut(..word.len())?
            .copy_from_slice(word.as_bytes());
        Some(ShortWord {
            len: u8::try_from(word.len()).ok()?,
            bytes,
        })
    }

    fn as_str(&self) -> &str {
        // Always valid: the bytes were copied from a `str`.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Hashes as its bytes do, which lets the cache be asked with a `&[u8]`.
impl std::hash::Hash for ShortWord {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for ShortWord {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
    terms: &'a mut TermCache,
    initials: Option<&'a [char]>,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            at: 0,
            token: &mut self.token,
            terms: &mut self.terms,
            initials: self.initials.as_deref(),
        }
    }
}

/// The next word of `text` at or after byte `from`, as a byte range. Bytes
/// below 0x80 are tested directly: most text is ASCII, and decoding each
/// character was a visible share of indexing.
fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = from;
    let start = loop {
        let b = *bytes.get(i)?;
        if b < 0x80 {
            if b.is_ascii_alphanumeric() {
                break i;
            }
            i += 1;
        } else {
            let c = text[i..].chars().next()?;
            if c.is_alphanumeric() {
                break i;
            }
            i += c.len_utf8();
        }
    };
    let mut i = start;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if !b.is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            // Combining marks stay in the word they follow.
            if !c.is_alphanumeric() && !is_combining_mark(c) {
                break;
            }
            i += c.len_utf8();
        }
    }
    Some((start, i))
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some((start, end)) = next_word(self.text, self.at) else {
            self.at = self.text.len();
            return false;
        };
        self.at = end;
        let word = &self.text[start..end];
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.text.clear();
        if let Some(set) = self.initials {
            // The first letter decides, before the rest is folded: most
            // words of a passage start no query term. An unwanted word is
            // kept (fragments are cut at words) but empty, which matches
            // nothing.
            if !first_letter_in(word, set) {
                return true;
            }
        }
        self.terms.term_into(word, &mut self.token.text);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Whether the first letter of `word`, folded, is one of `set` (sorted).
fn first_letter_in(word: &str, set: &[char]) -> bool {
    if let Some(&b) = word.as_bytes().first().filter(|b| b.is_ascii()) {
        return set
            .binary_search(&char::from(b.to_ascii_lowercase()))
            .is_ok();
    }
    let mut folded = String::new();
    for (at, c) in word.char_indices() {
        fold_word_into(&word[at..at + c.len_utf8()], &mut folded);
        if let Some(first) = folded.chars().next() {
            return set.binary_search(&first).is_ok();
        }
    }
    false
}

/// Lower-cases `word` without its diacritics into `out`.
fn fold_word_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        let from = out.len();
        out.push_str(word);
        out[from..].make_ascii_lowercase();
        return;
    }
    for c in word.nfd().filter(|c| !is_combining_mark(*c)) {
        out.extend(c.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(String, usize, usize)> {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to));
        }
        out
    }

    fn words(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn curly_and_straight_apostrophes_tokenize_alike() {
        assert_eq!(words("Mossad’s network"), words("mossad's NETWORK"));
        assert_eq!(words("Mossad’s network"), ["mossad", "s", "network"]);
        assert_eq!(words("assassinations"), words("assassinate"));
    }

    #[test]
    fn decomposed_and_precomposed_accents_fold_alike() {
        let decomposed = "Cafe\u{301} society";
        assert_eq!(words(decomposed), ["cafe", "societi"]);
        assert_eq!(words("Café society"), words(decomposed));
        assert_eq!(words("CAFE society"), words(decomposed));
        assert_eq!(words("Rohānī"), ["rohani"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "“Cafe\u{301}’s” end";
        let t = terms(text);
        assert_eq!(&text[t[0].1..t[0].2], "Cafe\u{301}");
        assert_eq!(&text[t[1].1..t[1].2], "s");
        assert_eq!(&text[t[2].1..t[2].2], "end");
    }

    #[test]
    fn the_highlight_analyzer_keeps_every_word_that_could_match() {
        let text = "Securing the city’s security: dying, lying and skies over Iran’s soil. \
                    Élan, E\u{301}lan and ÉLAN.";
        let full = terms(text);
        for term in ["secur", "die", "sky", "iran", "soil", "citi", "elan"] {
            let mut analyzer = highlight_analyzer(std::iter::once(term));
            let mut stream = analyzer.token_stream(text);
            let mut kept = Vec::new();
            while stream.advance() {
                let t = stream.token();
                kept.push((t.text.clone(), t.offset_from, t.offset_to));
            }
            let expected: Vec<_> = full.iter().filter(|t| t.0 == term).cloned().collect();
            let matching: Vec<_> = kept.into_iter().filter(|t| t.0 == term).collect();
            assert_eq!(matching, expected, "{term}");
            assert!(!expected.is_empty(), "{term} occurs");
        }
    }

    /// Fold, then stem: the chain the cache stands in for.
    fn uncached_term(word: &str) -> String {
        let mut folded = String::new();
        fold_word_into(word, &mut folded);
        frostem::Stemmer::new(frostem::Algorithm::English)
            .stem(&folded)
            .into_owned()
    }

    #[test]
    fn a_word_gets_the_same_term_whether_or_not_it_was_cached() {
        // Common words are remembered first; distinct words then fill the
        // cache past its bound; the common words come back from the cache.
        // The long word is never remembered.
        let long = "Internationalisations".repeat(3);
        let common = ["Running", "Élan", "skies", long.as_str()];
        let filler: Vec<String> = (0..TERM_CACHE_WORDS + 50)
            .map(|i| {
                let letters: String = format!("{i:06}")
                    .bytes()
                    .map(|d| char::from(b'a' + (d - b'0')))
                    .collect();
                format!("{letters}ations")
            })
            .collect();
        let sequence: Vec<&str> = common
            .iter()
            .copied()
            .chain(filler.iter().map(String::as_str))
            .chain(common.iter().copied())
            .collect();
        let mut cache = TermCache::default();
        for word in &sequence {
            let mut term = String::new();
            cache.term_into(word, &mut term);
            assert_eq!(term, uncached_term(word), "{word}");
        }
        assert_eq!(uncached_term("Running"), "run");
        assert_eq!(uncached_term("Élan"), "elan");
        assert_eq!(uncached_term("skies"), "sky");
        assert_eq!(cache.terms.len(), TERM_CACHE_WORDS);
        assert!(cache.terms.contains_key("Running".as_bytes()));
        assert!(!cache.terms.contains_key(long.as_bytes()));
        assert!(!cache.terms.contains_key(filler.last().unwrap().as_bytes()));
        // The analyzer gives the same terms.
        assert_eq!(words(&common.join(" ")), common.map(uncached_term));
    }

    /// The char-by-char word scan that `next_word` replaced.
    fn scan_by_chars(text: &str, from: usize) -> Option<(usize, usize)> {
        let (start, _) = text[from..]
            .char_indices()
            .find(|&(_, c)| c.is_alphanumeric())?;
        let start = from + start;
        let end = text[start..]
            .char_indices()
            .find(|&(_, c)| !c.is_alphanumeric() && (c.is_ascii() || !is_combining_mark(c)))
            .map_or(text.len(), |(i, _)| start + i);
        Some((start, end))
    }

    #[test]
    fn words_split_as_the_char_by_char_scan_did() {
        for text in [
            "a.\u{301}b",
            "\u{345}x y\u{345}",
            "x² Ⅻ İstanbul Straße",
            "x\u{301}",
            "Mossad’s 2024 \u{1F600}killing…",
            "",
            "...",
            "é",
        ] {
            let mut at = 0;
            loop {
                let fast = next_word(text, at);
                assert_eq!(fast, scan_by_chars(text, at), "{text:?} at {at}");
                match fast {
                    Some((_, end)) => at = end,
                    None => break,
                }
            }
        }
    }

    #[test]
    fn a_leading_combining_mark_is_not_a_word() {
        assert_eq!(words("\u{301} x \u{301}"), ["x"]);
    }
}
