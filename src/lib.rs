//! dossier: search for annotated news text.
#![warn(missing_docs)]

pub mod corpus;
mod date;
mod error;
pub mod names;

pub use corpus::{Corpus, CorpusSource};
pub use date::{DateError, EventDate};
pub use error::{Diagnostic, Error, Result};
