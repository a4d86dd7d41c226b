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

use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Name under which the passage-text analyzer is registered.
pub(crate) const TEXT_TOKENIZER: &str = "dossier_en";

/// The analyzer of passage text and of keyword queries.
pub(crate) fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer for highlighting `terms` (indexed forms) in hits: it gives
/// the same terms as [`text_analyzer`] for every word that could match, and
/// empties the others before the stemmer sees them. Stemming only removes or rewrites the end of
/// a word, never its first letter, so a word whose first letter starts no
/// term cannot match; skipping it saves most of the stemming, which was the
/// largest cost of a search with snippets.
pub(crate) fn highlight_analyzer<'t>(terms: impl Iterator<Item = &'t str>) -> TextAnalyzer {
    let mut initials: Vec<char> = terms.filter_map(|t| t.chars().next()).collect();
    initials.sort_unstable();
    initials.dedup();
    TextAnalyzer::builder(WordTokenizer {
        token: Token::default(),
        initials: Some(initials.into()),
    })
    .filter(Stemmer::new(Language::English))
    .build()
}

/// Splits text into folded words (see the module docs).
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
    /// When set, words whose folded first letter is not one of these are
    /// emptied.
    initials: Option<std::sync::Arc<[char]>>,
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
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
            initials: self.initials.as_deref(),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.at..];
        let Some((start, _)) = rest.char_indices().find(|&(_, c)| is_word_char(c)) else {
            self.at = self.text.len();
            return false;
        };
        let start = self.at + start;
        let end = self.text[start..]
            .char_indices()
            .find(|&(_, c)| !is_word_char(c) && (c.is_ascii() || !is_combining_mark(c)))
            .map_or(self.text.len(), |(i, _)| start + i);
        self.at = end;
        let word = &self.text[start..end];
        self.token.position = self.token.position.wrapping_add(1);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.text.clear();
        if let Some(set) = self.initials {
            // The first letter decides, before the rest is folded: most
            // words of a passage start no query term.
            let mut chars = word.char_indices();
            while self.token.text.is_empty() {
                let Some((at, c)) = chars.next() else { break };
                fold_word_into(&word[at..at + c.len_utf8()], &mut self.token.text);
            }
            let wanted = self
                .token
                .text
                .chars()
                .next()
                .is_some_and(|c| set.binary_search(&c).is_ok());
            self.token.text.clear();
            if !wanted {
                // Kept (fragments are cut at words) but empty: an empty
                // word stems at no cost and matches nothing.
                return true;
            }
        }
        fold_word_into(word, &mut self.token.text);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Lower-cases `word` without its diacritics into `out`.
fn fold_word_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
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

    #[test]
    fn a_leading_combining_mark_is_not_a_word() {
        assert_eq!(words("\u{301} x \u{301}"), ["x"]);
    }
}
