//! dossier: search for annotated news text.
#![warn(missing_docs)]

pub mod corpus;
mod date;
mod error;
pub mod names;

pub use corpus::{Corpus, CorpusSource};
pub use date::{DateError, EventDate};
pub use error::{Diagnostic, Error, Result};
pub mod index;
pub use index::{BuildOptions, Freshness, Index, Location};
pub mod query;
pub use query::{Query, Sort};
mod search;
pub use search::{ActorRef, FacetCount, FacetDim, FacetKey, Facets, Hit, SearchResults, Snippet, Timeline, TimelineEntry};
