//! The one error type of the library.
//!
//! Every fallible public function returns [`Result<T>`]. Variants carry the
//! context a user needs to act (file, line, passage, suggestions); nothing is
//! flattened into a bare string.

use std::fmt;
use std::path::PathBuf;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in dossier.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The corpus has one or more errors; all of them are listed.
    #[error("{}", CorpusErrorsDisplay(.0))]
    Corpus(Vec<Diagnostic>),

    /// Files given to `import` have problems; all of them are listed, and
    /// nothing was written.
    #[error("{}", ImportErrorsDisplay(.0))]
    Import(Vec<Diagnostic>),

    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A name matched no actor of the registry.
    #[error("unknown actor `{name}`{}", suggest(.suggestions))]
    UnknownActor {
        /// The name as the user typed it.
        name: String,
        /// The closest registered names, best first.
        suggestions: Vec<String>,
    },

    /// A stance, topic, camp or polarity label that the corpus does not define.
    #[error("unknown {kind} `{value}`; valid values: {}", .valid.join(", "))]
    UnknownLabel {
        /// What kind of label: "stance", "topic", "camp", "polarity", "article".
        kind: &'static str,
        /// The value as given.
        value: String,
        /// Every valid value.
        valid: Vec<String>,
    },

    /// No article has this id.
    #[error("unknown article `{id}`{}", suggest(.suggestions))]
    UnknownArticle {
        /// The id as given.
        id: String,
        /// The closest article ids.
        suggestions: Vec<String>,
    },

    /// The keyword query could not be parsed.
    #[error("bad query at character {position}: {message}")]
    QuerySyntax {
        /// 0-based character offset into the query where the problem is.
        position: usize,
        /// What is wrong.
        message: String,
    },

    /// An argument is out of its documented range (limit, dates, ...).
    #[error("{0}")]
    InvalidArgument(String),

    /// No passage has this id.
    #[error("no passage with id `{id}`{}", suggest(.suggestions))]
    UnknownPassage {
        /// The id as given.
        id: String,
        /// Similar passage ids.
        suggestions: Vec<String>,
    },

    /// The index directory holds files that dossier did not make; dossier
    /// never writes to or deletes from such a directory.
    #[error("{} is not empty and is not a dossier index; choose a new or empty directory for --index (dossier never writes into a folder it did not create)", path.display())]
    IndexDirForeign {
        /// The directory.
        path: PathBuf,
    },

    /// Another process is building the index right now.
    #[error("the index at {} is being built by another process; try again when it finishes", path.display())]
    IndexBusy {
        /// The index directory.
        path: PathBuf,
    },

    /// The index on disk is damaged or from an incompatible version.
    #[error("the index at {} is unusable ({reason}); rebuild it with `dossier index --force`", path.display())]
    IndexDamaged {
        /// The index directory.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },

    /// Writing a new index failed (a full disk, a file size limit). The
    /// last good index is left in use.
    #[error("could not write the new index: {}: {source}; the last good index is still in use", path.display())]
    IndexWrite {
        /// The file being written.
        path: PathBuf,
        /// The underlying error, such as "No space left on device".
        source: std::io::Error,
    },

    /// `dossier watch` cannot watch this corpus, or can no longer vouch
    /// for it (queries then check every file, as without a watcher).
    #[error("{0}")]
    Watch(String),

    /// An error reported by tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(", "))
    }
}

struct CorpusErrorsDisplay<'a>(&'a [Diagnostic]);

impl fmt::Display for CorpusErrorsDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the corpus has {n} error{}",
            if n == 1 { "" } else { "s" }
        )?;
        for d in self.0 {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

/// Lines of problems shown; a file of garbage can have millions, and the
/// library's caller still gets them all.
const IMPORT_PROBLEMS_SHOWN: usize = 200;

struct ImportErrorsDisplay<'a>(&'a [Diagnostic]);

impl fmt::Display for ImportErrorsDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "nothing was imported: {n} problem{} in the files",
            if n == 1 { "" } else { "s" }
        )?;
        for d in self.0.iter().take(IMPORT_PROBLEMS_SHOWN) {
            write!(f, "\n  {d}")?;
        }
        if n > IMPORT_PROBLEMS_SHOWN {
            write!(f, "\n  … and {} more", n - IMPORT_PROBLEMS_SHOWN)?;
        }
        Ok(())
    }
}

/// At most `max` characters of `s`, marked when cut: for messages that
/// quote what they were given (a garbage file can be megabytes).
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// One problem found in a corpus file: an error or a lint warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file, relative to the corpus root.
    pub file: PathBuf,
    /// 1-based line, where the format gives one.
    pub line: Option<usize>,
    /// 1-based column (in characters), where the format gives one.
    pub column: Option<usize>,
    /// The passage concerned, if any.
    pub passage: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(p) = &self.passage {
            write!(f, "passage {p}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl Diagnostic {
    /// A diagnostic about a whole file (no line), optionally for a passage.
    pub(crate) fn file_level(
        file: &std::path::Path,
        passage: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line: None,
            column: None,
            passage: passage.map(str::to_owned),
            message: message.into(),
        }
    }
}
