//! Reading one TOML file into a typed struct while keeping every error.
//!
//! toml's serde path stops at the first problem, and `deny_unknown_fields`
//! would report only one unknown key. Instead we parse with recovery (every
//! syntax error), deserialize through `serde_ignored` (every unknown key),
//! and keep the spanned document so that later validation errors can point at
//! the exact line and column of the value they concern.

use crate::error::Diagnostic;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One step of a path into a TOML document: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(k: &str) -> Self {
        Seg::Key(k.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// Builds a path: `tpath!["passages", 3, "quote"]`.
macro_rules! tpath {
    ($($seg:expr),* $(,)?) => { [$($crate::corpus::toml_file::Seg::from($seg)),*] };
}
pub(crate) use tpath;

/// A parsed file that can turn document paths into line:column diagnostics.
pub(crate) struct Located<'a> {
    file: PathBuf,
    src: &'a str,
    /// The spanned document, parsed again only when a diagnostic needs a
    /// location: keeping it for every file would hold a second copy of
    /// each article's annotations in memory while it is indexed.
    root: std::cell::OnceCell<Spanned<DeTable<'a>>>,
}

impl<'a> Located<'a> {
    /// Parses `src` (the contents of `file`, relative to the corpus root) into
    /// `T`. On failure, returns every syntax error, or the type error and
    /// every unknown field.
    pub(crate) fn parse<T: DeserializeOwned>(
        file: &Path,
        src: &'a str,
    ) -> Result<(T, Self), Vec<Diagnostic>> {
        let (root, syntax_errors) = DeTable::parse_recoverable(src);
        let located = Located::unparsed(file, src);
        if !syntax_errors.is_empty() {
            return Err(syntax_errors
                .iter()
                .map(|e| {
                    located.diagnostic_at(
                        e.span().map(|s| s.start),
                        None,
                        e.message().trim().to_owned(),
                    )
                })
                .collect());
        }
        let mut unknown: Vec<Vec<Seg>> = Vec::new();
        let de = toml::de::Deserializer::from(root);
        let parsed = serde_ignored::deserialize(de, |p| unknown.push(segments(&p)));
        let mut errors: Vec<Diagnostic> = unknown
            .iter()
            .map(|p| {
                let name = match p.last() {
                    Some(Seg::Key(k)) => k.as_str(),
                    _ => "?",
                };
                located.error_at_key(p, None, format!("unknown field `{name}`"))
            })
            .collect();
        match parsed {
            Ok(value) if errors.is_empty() => Ok((value, located)),
            Ok(_) => Err(errors),
            Err(e) => {
                errors.insert(
                    0,
                    located.diagnostic_at(
                        e.span().map(|s| s.start),
                        None,
                        e.message().trim().to_owned(),
                    ),
                );
                Err(errors)
            }
        }
    }

    /// [`Located::parse`] for the files read in bulk (articles), which a
    /// build reads by the hundred thousand. toml-spanner parses them about
    /// five times faster than `toml`, but it stops at its first problem and
    /// words errors its own way. So it only decides the common case: a file
    /// that it accepts whole (no syntax error, no type error, no missing or
    /// unknown field) is taken as it read it; anything else is parsed again
    /// by [`Located::parse`], which reports every error as the rest of
    /// dossier words them. Both follow TOML 1.1, and a test checks that
    /// every file the fast path accepts reads the same through `toml`.
    pub(crate) fn parse_fast<T>(file: &Path, src: &'a str) -> Result<(T, Self), Vec<Diagnostic>>
    where
        T: DeserializeOwned + for<'de> toml_spanner::FromToml<'de>,
    {
        match toml_spanner::from_str::<T>(src) {
            Ok(value) => Ok((value, Located::unparsed(file, src))),
            Err(_) => Self::parse(file, src),
        }
    }

    /// `src` (the contents of `file`), whose spanned document is parsed
    /// only if a diagnostic needs a location.
    fn unparsed(file: &Path, src: &'a str) -> Self {
        Located {
            file: file.to_owned(),
            src,
            root: std::cell::OnceCell::new(),
        }
    }

    /// The file this document came from.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// A diagnostic pointing at the value at `path` (or its nearest existing
    /// ancestor).
    pub(crate) fn error(
        &self,
        path: &[Seg],
        passage: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let offset = self.find(path).map(|(_, value)| value);
        self.diagnostic_at(offset, passage, message.into())
    }

    /// A diagnostic pointing at the key of `path` rather than its value.
    pub(crate) fn error_at_key(
        &self,
        path: &[Seg],
        passage: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let offset = self.find(path).map(|(key, value)| key.unwrap_or(value));
        self.diagnostic_at(offset, passage, message.into())
    }

    fn diagnostic_at(
        &self,
        offset: Option<usize>,
        passage: Option<&str>,
        message: String,
    ) -> Diagnostic {
        let (line, column) = match offset {
            Some(o) => {
                let (l, c) = line_column(self.src, o);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        Diagnostic {
            file: self.file.clone(),
            line,
            column,
            passage: passage.map(str::to_owned),
            message,
        }
    }

    /// Byte offsets of (key, value) for the deepest node along `path`.
    fn find(&self, path: &[Seg]) -> Option<(Option<usize>, usize)> {
        let mut key_at = None;
        let root = self
            .root
            .get_or_init(|| DeTable::parse_recoverable(self.src).0);
        let mut value_at = root.span().start;
        let mut table: Option<&DeTable<'a>> = Some(root.get_ref());
        let mut array: Option<&[Spanned<DeValue<'a>>]> = None;
        for seg in path {
            let next: &Spanned<DeValue<'a>> = match seg {
                Seg::Key(k) => {
                    let Some((key, value)) = table.and_then(|t| t.get_key_value(k.as_str())) else {
                        break;
                    };
                    key_at = Some(key.span().start);
                    value
                }
                Seg::Index(i) => {
                    let Some(value) = array.and_then(|a| a.get(*i)) else {
                        break;
                    };
                    key_at = None;
                    value
                }
            };
            value_at = next.span().start;
            table = next.get_ref().as_table();
            array = next.get_ref().as_array().map(|a| a.as_ref());
        }
        Some((key_at, value_at))
    }
}

fn segments(p: &serde_ignored::Path<'_>) -> Vec<Seg> {
    use serde_ignored::Path as P;
    let mut out = match p {
        P::Root => return Vec::new(),
        P::Seq { parent, .. }
        | P::Map { parent, .. }
        | P::Some { parent }
        | P::NewtypeStruct { parent }
        | P::NewtypeVariant { parent } => segments(parent),
    };
    match p {
        P::Seq { index, .. } => out.push(Seg::Index(*index)),
        P::Map { key, .. } => out.push(Seg::Key(key.clone())),
        _ => {}
    }
    out
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::model::ArticleFile;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Item {
        id: String,
    }

    #[test]
    fn reports_every_unknown_field_with_its_line() {
        let src = "name = 'a'\ncolour = 1\n[[items]]\nid = 'x'\nsize = 2\n";
        let errs = Located::parse::<Doc>(Path::new("f.toml"), src)
            .err()
            .unwrap();
        let lines: Vec<_> = errs.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (Some(2), "unknown field `colour`"),
                (Some(5), "unknown field `size`")
            ]
        );
    }

    #[test]
    fn reports_every_syntax_error() {
        let src = "name = \nitems = [\n";
        let errs = Located::parse::<Doc>(Path::new("f.toml"), src)
            .err()
            .unwrap();
        assert!(errs.len() >= 2, "{errs:?}");
        assert!(errs.iter().all(|e| e.line.is_some()), "{errs:?}");
    }

    #[test]
    fn locates_values_by_path() {
        let src = "name = 'a'\n[[items]]\nid = 'x'\n[[items]]\nid = 'y'\n";
        let (_, loc) = Located::parse::<Doc>(Path::new("f.toml"), src).unwrap();
        let d = loc.error(&tpath!["items", 1, "id"], Some("p"), "boom");
        assert_eq!((d.line, d.column), (Some(5), Some(6)));
        assert_eq!(d.to_string(), "f.toml:5:6: passage p: boom");
    }

    const ARTICLE: &str = include_str!("../../corpus/articles/iran-intel/article.toml");

    /// Both readers of an article file, for comparison: the value (or every
    /// diagnostic) of the fast path and of the full one.
    fn both(src: &str) -> [Result<ArticleFile, Vec<Diagnostic>>; 2] {
        let file = Path::new("articles/a/article.toml");
        [
            Located::parse_fast::<ArticleFile>(file, src).map(|(v, _)| v),
            Located::parse::<ArticleFile>(file, src).map(|(v, _)| v),
        ]
    }

    #[test]
    fn the_fast_path_takes_valid_articles_whole() {
        // The bundled article, and one that uses what it does not: omitted
        // lists, optional fields, escapes, literal strings, dotted keys,
        // a table header for the span.
        let other = r#"
            id = "a"
            title = 'Literal \no escape'
            source = "Caf\u00e9 \"Times\""
            published = "2024-07-31"
            [[passages]]
            id = "a-01"
            ordinal = 1
            span.start = 0
            span.end = 4
            [[passages]]
            id = "a-02"
            ordinal = 2
            events = [{ date = "2024", what = """two
            lines""" }]
            [passages.span]
            start = 5
            end = 9
        "#;
        for src in [ARTICLE, other] {
            let fast = toml_spanner::from_str::<ArticleFile>(src);
            assert!(fast.is_ok(), "{fast:?}");
            let [fast, full] = both(src);
            assert_eq!(fast, full);
        }
        let [Ok(other), _] = both(other) else {
            unreachable!("checked above")
        };
        assert_eq!(other.title, "Literal \\no escape");
        assert_eq!(other.source.as_deref(), Some("Caf\u{e9} \"Times\""));
        let span = other.passages[0].span;
        assert_eq!((span.start, span.end), (0, 4));
        assert!(other.passages[0].actors.is_empty());
        assert_eq!(other.passages[1].events[0].what, "two\n            lines");
    }

    #[test]
    fn what_the_fast_path_rejects_gets_the_full_diagnostics() {
        let src = ARTICLE.replacen("ordinal = 1\n", "ordinal = 1\ncolour = 2\n", 1);
        let line = src.lines().position(|l| l == "colour = 2").unwrap() + 1;
        let [fast, full] = both(&src);
        assert_eq!(fast, full);
        let errors = fast.unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(line));
        assert_eq!(errors[0].message, "unknown field `colour`");
    }

    /// Pieces that a hand edit or a broken tool could leave in a file, with
    /// values at the edges of the types.
    const FRAGMENTS: &[&str] = &[
        "\n",
        "=",
        "\"",
        "'",
        "[",
        "]",
        ",",
        "{",
        "}",
        "#",
        "\\",
        "\\u00e9",
        "\r",
        "\u{feff}",
        "\"\"\"",
        "'''",
        "true",
        "1979-05-27",
        "07:32",
        "-1",
        "1.0",
        "4294967296",
        "0x10",
        "1_000",
        "[[passages]]\n",
        "[passages.span]\n",
        "[[passages.stances]]\n",
        "x = 1\n",
        "ordinal = 4294967295\n",
        "source = 3\n",
        "published = 2024-07-31\n",
        "actors = []\n",
        "events = [{ date = \"2024\", what = \"w\" }]\n",
        "span = { start = 1 }\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever the edits, the fast path gives exactly what the full
        /// parse gives: the same article, or the same diagnostics.
        #[test]
        fn the_fast_path_reads_every_file_as_the_full_parse_does(
            edits in prop::collection::vec(
                (0.0..1.0f64, 0..FRAGMENTS.len(), 0..4u8, 0..24usize),
                1..4,
            )
        ) {
            let mut src = ARTICLE.to_owned();
            for (at, fragment, kind, len) in edits {
                let mut at = (at * src.len() as f64) as usize;
                while !src.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + len).min(src.len());
                while !src.is_char_boundary(end) {
                    end -= 1;
                }
                match kind {
                    0 => src.insert_str(at, FRAGMENTS[fragment]),
                    1 => src.replace_range(at..end, FRAGMENTS[fragment]),
                    2 => src.replace_range(at..end, ""),
                    _ => {
                        // The whole line around `at`.
                        let start = src[..at].rfind('\n').map_or(0, |i| i + 1);
                        let end = src[at..].find('\n').map_or(src.len(), |i| at + i + 1);
                        src.replace_range(start..end, "");
                    }
                }
            }
            let [fast, full] = both(&src);
            prop_assert_eq!(fast, full, "{}", src);
        }
    }

    #[test]
    fn line_column_counts_characters() {
        // "a’b\ncd": ’ is three bytes, so b starts at byte 4.
        assert_eq!(line_column("a’b\ncd", 4), (1, 3));
        assert_eq!(line_column("a’b\ncd", 7), (2, 2));
    }
}
