//! Cutting an article text into passages.
//!
//! A passage is a paragraph: one line of the file. A line that does not end
//! a sentence was hard-wrapped and joins the next line (the bundled article
//! breaks "assassinations yet / conducted on Iranian soil" this way). Spans
//! are byte offsets and exclude the newline that ends a passage.

use super::model::Span;

/// Characters after which a line ends its paragraph.
const SENTENCE_END: [char; 7] = ['.', '?', '!', ':', '"', '”', '’'];

/// Proposes passage spans for `text`. The spans cover every non-whitespace
/// byte, do not overlap, and come in text order.
pub fn segment(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut open: Option<Span> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let start = pos;
        let end = pos + content.len();
        pos += line.len();
        let trimmed = content.trim_end();
        if trimmed.trim_start().is_empty() {
            // A blank line always ends a paragraph.
            if let Some(span) = open.take() {
                spans.push(span);
            }
            continue;
        }
        let lead = content.len() - content.trim_start().len();
        let span = match open.take() {
            Some(mut s) => {
                s.end = start + trimmed.len();
                s
            }
            None => Span {
                start: start + lead,
                end: start + trimmed.len(),
            },
        };
        debug_assert!(span.end <= end);
        if trimmed.ends_with(SENTENCE_END) {
            spans.push(span);
        } else {
            open = Some(span);
        }
    }
    if let Some(span) = open {
        spans.push(span);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = include_str!("../../corpus/articles/iran-intel/text.txt");

    #[test]
    fn bundled_article_makes_twenty_passages_joining_the_wrapped_line() {
        let spans = segment(SEED);
        assert_eq!(spans.len(), 20);
        let third = &SEED[spans[2].start..spans[2].end];
        assert!(third.starts_with("These comments haven’t aged well."));
        assert!(third.contains("assassinations yet\nconducted on Iranian soil"));
        assert!(third.ends_with("Masoud Pezeshkian."));
    }

    #[test]
    fn spans_round_trip_to_the_exact_text() {
        let spans = segment(SEED);
        let mut rebuilt = String::new();
        let mut last = 0;
        for s in &spans {
            let gap = &SEED[last..s.start];
            assert!(gap.trim().is_empty(), "gap {gap:?} is not whitespace");
            rebuilt.push_str(gap);
            rebuilt.push_str(&SEED[s.start..s.end]);
            last = s.end;
        }
        rebuilt.push_str(&SEED[last..]);
        assert_eq!(rebuilt, SEED);
        assert_eq!(
            spans.last().unwrap().end,
            SEED.len(),
            "the seed has no final newline"
        );
    }

    #[test]
    fn blank_lines_and_crlf_end_paragraphs() {
        let text = "One line\n\n  Two.\r\nThree";
        let got: Vec<&str> = segment(text)
            .iter()
            .map(|s| &text[s.start..s.end])
            .collect();
        assert_eq!(got, vec!["One line", "Two.", "Three"]);
        assert!(segment("").is_empty());
        assert!(segment(" \n\n").is_empty());
    }
}
