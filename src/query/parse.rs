//! Reading keyword text into a boolean tree, with a character position for
//! every mistake.
//!
//! The syntax is tantivy's (words, `"phrases"`, `AND`, `OR`, `NOT`, `-`,
//! `+`, parentheses, `field:value`, `^boost`, `"phrase"~slop`), but the tree
//! is dossier's own. tantivy's parser removes repeated alternatives and then
//! merges a one-element group into its parent with the child's operator, so
//! `reckoning (hijab OR hijab)` came out as `reckoning` with an optional
//! `hijab`; it also reads `'` as a quote. Reading the text here keeps every
//! group as written, so the boolean meaning is exactly the one documented
//! in [`super::text`].
//!
//! ```text
//! query   := or?
//! or      := and ("OR" and)*
//! and     := unary ("AND"? unary)*          a space is AND
//! unary   := ("NOT" | "-" | "+")* primary
//! primary := ("(" or ")" | "*" | (field ":")? (word | phrase)) ("^" number)?
//! phrase  := '"' ... '"' ("~" digits | "*")?
//! ```

use crate::error::{Error, Result};

/// Longest keyword query accepted, in bytes. Longer input is refused rather
/// than parsed: parse time and clause count grow with it.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Deepest parenthesis nesting accepted.
pub const MAX_QUERY_DEPTH: usize = 32;
/// Most words (runs of letters and digits, operators included) in a query.
pub const MAX_QUERY_TERMS: usize = 256;

/// A parsed keyword query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Every part (`a b`, `a AND b`).
    And(Vec<Node>),
    /// Any part (`a OR b`).
    Or(Vec<Node>),
    /// Every passage without the part (`NOT a`, `-a`).
    Not(Box<Node>),
    /// The part, its score multiplied (`a^2`).
    Boost(Box<Node>, f32),
    /// Every passage (`*`).
    All,
    /// A word or phrase, of passage text or of an annotation field.
    Words(Words),
}

/// One word or quoted phrase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Words {
    /// `actor`, `stance`, ...; `None` for passage text.
    pub field: Option<String>,
    pub text: String,
    /// Written in double quotes.
    pub quoted: bool,
    /// `"a b"~2`: words allowed between.
    pub slop: u32,
    /// `"blood rev"*`: the last word is a prefix.
    pub prefix: bool,
    /// Character position where the term starts (its field, if any), for
    /// errors.
    pub at: usize,
}

/// Checks the limits, then parses. `None` for text with no term at all.
pub(crate) fn parse(text: &str) -> Result<Option<Node>> {
    check_limits(text)?;
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    p.skip_space();
    if p.at == p.chars.len() {
        return Ok(None);
    }
    let node = p.or()?;
    p.skip_space();
    if p.at < p.chars.len() {
        // `or` stops only at a `)` without its `(`.
        return Err(p.error(p.at, "this `)` closes no parenthesis"));
    }
    Ok(Some(node))
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

/// Characters that end a word (besides white space).
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '^')
}

impl Parser {
    fn error(&self, position: usize, message: impl Into<String>) -> Error {
        Error::QuerySyntax {
            position,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// The operator keyword at the cursor (`AND`, `OR`, `NOT`), when it is a
    /// whole word.
    fn keyword(&self) -> Option<&'static str> {
        for k in ["AND", "OR", "NOT"] {
            let end = self.at + k.len();
            let matches =
                self.chars.len() >= end && self.chars[self.at..end].iter().copied().eq(k.chars());
            let whole = self
                .chars
                .get(end)
                .is_none_or(|&c| c.is_whitespace() || c == '(' || c == '"');
            if matches && whole {
                return Some(k);
            }
        }
        None
    }

    fn or(&mut self) -> Result<Node> {
        let mut parts = vec![self.and()?];
        loop {
            self.skip_space();
            if self.keyword() != Some("OR") {
                break;
            }
            let op = self.at;
            self.at += 2;
            self.skip_space();
            if !self.starts_term() {
                return Err(self.error(op, "`OR` needs a term after it"));
            }
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    /// Whether a term can start at the cursor.
    fn starts_term(&self) -> bool {
        match self.peek() {
            None | Some(')') => false,
            Some(_) => !matches!(self.keyword(), Some("AND" | "OR")),
        }
    }

    fn and(&mut self) -> Result<Node> {
        self.skip_space();
        if let Some(k @ ("AND" | "OR")) = self.keyword() {
            return Err(self.error(self.at, format!("`{k}` needs a term before it")));
        }
        if !self.starts_term() {
            return Err(self.error(self.at, "expected a term"));
        }
        let mut parts = vec![self.unary()?];
        loop {
            self.skip_space();
            if self.keyword() == Some("AND") {
                let op = self.at;
                self.at += 3;
                self.skip_space();
                if !self.starts_term() {
                    return Err(self.error(op, "`AND` needs a term after it"));
                }
            } else if !self.starts_term() {
                break;
            }
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    /// Negations are counted in a loop rather than by recursion, so a long
    /// run of `NOT NOT ...` cannot exhaust the stack.
    fn unary(&mut self) -> Result<Node> {
        let mut negations = 0usize;
        loop {
            self.skip_space();
            let next = self.chars.get(self.at + 1).copied();
            let sign_applies = next.is_some_and(|c| !c.is_whitespace() && c != ')');
            match (self.peek(), self.keyword()) {
                (_, Some("NOT")) => {
                    let op = self.at;
                    self.at += 3;
                    self.skip_space();
                    if !self.starts_term() {
                        return Err(self.error(op, "`NOT` needs a term after it"));
                    }
                    negations += 1;
                }
                (Some('-'), _) if sign_applies => {
                    self.at += 1;
                    negations += 1;
                }
                (Some('+'), _) if sign_applies => self.at += 1,
                _ => break,
            }
        }
        let mut node = self.primary()?;
        for _ in 0..negations {
            node = Node::Not(Box::new(node));
        }
        Ok(node)
    }

    fn primary(&mut self) -> Result<Node> {
        let start = self.at;
        let node = match self.peek() {
            Some('(') => {
                self.at += 1;
                self.skip_space();
                if self.peek() == Some(')') {
                    return Err(self.error(start, "empty parentheses"));
                }
                if self.peek().is_none() {
                    return Err(self.error(start, "this parenthesis is never closed"));
                }
                let inner = self.or()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(self.error(start, "this parenthesis is never closed"));
                }
                self.at += 1;
                inner
            }
            Some('*') if self.chars.get(self.at + 1).is_none_or(|&c| ends_word(c)) => {
                self.at += 1;
                Node::All
            }
            _ => {
                let field = self.field_name();
                Node::Words(self.value(field, start)?)
            }
        };
        self.boost(node)
    }

    /// `name:` at the cursor, consumed, when the name is letters or `_`.
    fn field_name(&mut self) -> Option<String> {
        let mut end = self.at;
        while self
            .chars
            .get(end)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == '_')
        {
            end += 1;
        }
        if end > self.at && self.chars.get(end) == Some(&':') {
            let name: String = self.chars[self.at..end].iter().collect();
            self.at = end + 1;
            Some(name)
        } else {
            None
        }
    }

    fn value(&mut self, field: Option<String>, start: usize) -> Result<Words> {
        if field.is_some() {
            self.skip_space();
        }
        let at = self.at;
        if self.peek() == Some('"') {
            self.at += 1;
            let mut text = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.error(at, "this phrase is never closed with `\"`")),
                    Some('"') => break,
                    Some('\\') if self.chars.get(self.at + 1).is_some() => {
                        text.push(self.chars[self.at + 1]);
                        self.at += 2;
                    }
                    Some(c) => {
                        text.push(c);
                        self.at += 1;
                    }
                }
            }
            self.at += 1;
            let (slop, prefix) = self.phrase_suffix()?;
            return Ok(Words {
                field,
                text,
                quoted: true,
                slop,
                prefix,
                at: start,
            });
        }
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if ends_word(c) {
                break;
            }
            if c == '\\' && self.chars.get(self.at + 1).is_some() {
                text.push(self.chars[self.at + 1]);
                self.at += 2;
            } else {
                text.push(c);
                self.at += 1;
            }
        }
        if text.is_empty() {
            return Err(match field {
                Some(f) => self.error(start, format!("`{f}:` needs a value after it")),
                None => self.error(at, "expected a term"),
            });
        }
        Ok(Words {
            field,
            text,
            quoted: false,
            slop: 0,
            prefix: false,
            at: start,
        })
    }

    /// `~N` or `*` right after a closing quote.
    fn phrase_suffix(&mut self) -> Result<(u32, bool)> {
        match self.peek() {
            Some('~') => {
                let at = self.at;
                self.at += 1;
                let digits: String = self.chars[self.at..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                self.at += digits.chars().count();
                let slop = digits
                    .parse::<u32>()
                    .ok()
                    .filter(|s| *s <= 100)
                    .ok_or_else(|| {
                        self.error(at, "`~` after a phrase needs a number of words, 0 to 100")
                    })?;
                Ok((slop, false))
            }
            Some('*') => {
                self.at += 1;
                Ok((0, true))
            }
            _ => Ok((0, false)),
        }
    }

    fn boost(&mut self, node: Node) -> Result<Node> {
        if self.peek() != Some('^') {
            return Ok(node);
        }
        let at = self.at;
        self.at += 1;
        let number: String = self.chars[self.at..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == '.')
            .collect();
        self.at += number.chars().count();
        let boost = number
            .parse::<f32>()
            .ok()
            .filter(|b| b.is_finite() && *b >= 0.0 && *b <= 1000.0)
            .ok_or_else(|| self.error(at, "`^` needs a number from 0 to 1000 after it"))?;
        Ok(Node::Boost(Box::new(node), boost))
    }
}

/// Refuses input whose parse or execution cost would be unbounded. Each
/// limit is checked on its own, with its own message.
pub(crate) fn check_limits(text: &str) -> Result<()> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(Error::QuerySyntax {
            position: char_position(text, MAX_QUERY_BYTES),
            message: format!(
                "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                text.len()
            ),
        });
    }
    if let Some(at) = text.find('\0') {
        return Err(Error::QuerySyntax {
            position: char_position(text, at),
            message: "the query contains a NUL character".into(),
        });
    }
    let mut depth = 0usize;
    for (i, c) in text.chars().enumerate() {
        match c {
            '(' => {
                depth += 1;
                if depth > MAX_QUERY_DEPTH {
                    return Err(Error::QuerySyntax {
                        position: i,
                        message: format!(
                            "parentheses nest {depth} levels deep here; the limit is {MAX_QUERY_DEPTH}"
                        ),
                    });
                }
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let mut words = 0usize;
    let mut in_word = false;
    for (i, c) in text.chars().enumerate() {
        let word_char = c.is_alphanumeric();
        if word_char && !in_word {
            words += 1;
            if words > MAX_QUERY_TERMS {
                return Err(Error::QuerySyntax {
                    position: i,
                    message: format!(
                        "the query has more than {MAX_QUERY_TERMS} words; this is word {words}"
                    ),
                });
            }
        }
        in_word = word_char;
    }
    Ok(())
}

/// The character index of byte offset `byte` in `text`.
pub(crate) fn char_position(text: &str, byte: usize) -> usize {
    text.char_indices().take_while(|(i, _)| *i < byte).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Node {
        Node::Words(Words {
            field: None,
            text: text.into(),
            quoted: false,
            slop: 0,
            prefix: false,
            at: 0,
        })
    }

    /// The tree with positions zeroed, for comparison.
    fn tree(q: &str) -> Node {
        fn strip(n: Node) -> Node {
            match n {
                Node::And(v) => Node::And(v.into_iter().map(strip).collect()),
                Node::Or(v) => Node::Or(v.into_iter().map(strip).collect()),
                Node::Not(x) => Node::Not(Box::new(strip(*x))),
                Node::Boost(x, b) => Node::Boost(Box::new(strip(*x)), b),
                Node::Words(mut w) => {
                    w.at = 0;
                    Node::Words(w)
                }
                Node::All => Node::All,
            }
        }
        strip(parse(q).unwrap().unwrap())
    }

    fn error_at(q: &str) -> (usize, String) {
        match parse(q) {
            Err(Error::QuerySyntax { position, message }) => (position, message),
            other => panic!("{q:?}: {other:?}"),
        }
    }

    fn not(n: Node) -> Node {
        Node::Not(Box::new(n))
    }

    #[test]
    fn groups_are_kept_as_written() {
        assert_eq!(
            tree("reckoning (hijab OR hijab)"),
            Node::And(vec![w("reckoning"), Node::Or(vec![w("hijab"), w("hijab")])])
        );
        assert_eq!(
            tree("a b OR c"),
            Node::Or(vec![Node::And(vec![w("a"), w("b")]), w("c")])
        );
        assert_eq!(
            tree("a AND NOT b OR -c"),
            Node::Or(vec![Node::And(vec![w("a"), not(w("b"))]), not(w("c"))])
        );
        assert_eq!(tree("NOT NOT a"), not(not(w("a"))));
        assert_eq!(tree("-(+a)"), not(w("a")));
        assert_eq!(tree("Iran's"), w("Iran's"));
        assert_eq!(
            tree("ANDROID ORacle"),
            Node::And(vec![w("ANDROID"), w("ORacle")])
        );
        assert_eq!(tree("a - b"), Node::And(vec![w("a"), w("-"), w("b")]));
        assert_eq!(tree("*"), Node::All);
        assert_eq!(tree("a^2"), Node::Boost(Box::new(w("a")), 2.0));
    }

    #[test]
    fn fields_phrases_and_suffixes() {
        let Node::Words(v) = tree("actor:\"Esmail Khatib\"~2") else {
            panic!()
        };
        assert_eq!(
            (v.field.as_deref(), v.text.as_str(), v.quoted, v.slop),
            (Some("actor"), "Esmail Khatib", true, 2)
        );
        let Node::Words(v) = tree("\"blood rev\"*") else {
            panic!()
        };
        assert!(v.prefix);
        let Node::Words(v) = tree("9:11") else {
            panic!()
        };
        assert_eq!((v.field, v.text.as_str()), (None, "9:11"));
    }

    #[test]
    fn mistakes_are_located() {
        assert_eq!(error_at("(foo").0, 0);
        assert_eq!(error_at("foo(").0, 3);
        assert_eq!(error_at("\"open").0, 0);
        assert_eq!(error_at("a AND").0, 2);
        assert_eq!(error_at("a OR").0, 2);
        assert_eq!(error_at("OR").0, 0);
        assert_eq!(error_at("AND a").0, 0);
        assert_eq!(error_at("a NOT").0, 2);
        assert_eq!(error_at("a )").0, 2);
        assert_eq!(error_at("()").0, 0);
        assert_eq!(error_at("actor:").0, 0);
        assert_eq!(error_at("a^x").0, 1);
        assert_eq!(error_at("\"a b\"~x").0, 5);
    }

    #[test]
    fn long_negation_runs_do_not_recurse() {
        let q = format!("{}a", "NOT ".repeat(200));
        let mut node = parse(&q).unwrap().unwrap();
        let mut depth = 0;
        while let Node::Not(inner) = node {
            node = *inner;
            depth += 1;
        }
        assert_eq!(depth, 200);
    }

    #[test]
    fn each_limit_is_exact_and_says_which_it_is() {
        let position = |r: Result<()>| match r {
            Err(Error::QuerySyntax { position, .. }) => position,
            other => panic!("expected a syntax error, got {other:?}"),
        };
        assert!(check_limits(&"a".repeat(MAX_QUERY_BYTES)).is_ok());
        assert_eq!(
            position(check_limits(&"a".repeat(MAX_QUERY_BYTES + 1))),
            MAX_QUERY_BYTES
        );
        let nest = |n: usize| format!("{}x{}", "(".repeat(n), ")".repeat(n));
        assert!(check_limits(&nest(MAX_QUERY_DEPTH)).is_ok());
        assert_eq!(position(check_limits(&nest(MAX_QUERY_DEPTH + 1))), 32);
        let words = |n: usize| vec!["w"; n].join(" ");
        assert!(check_limits(&words(MAX_QUERY_TERMS)).is_ok());
        assert_eq!(
            position(check_limits(&words(MAX_QUERY_TERMS + 1))),
            2 * MAX_QUERY_TERMS
        );
        assert_eq!(position(check_limits("a\0b")), 1);
    }
}
