//! # dossier: search for annotated news text
//!
//! dossier indexes news articles cut into passages, each annotated with the
//! actors it mentions, the stances they take (holder, stance, target,
//! polarity, evidence quote), its topics and dated events, and answers
//! queries that combine keywords (BM25), actors (spelling-tolerant) and
//! stances (all constraints on the same annotation).
//!
//! ```
//! use dossier::{Corpus, Index, Location, Query};
//! # fn main() -> dossier::Result<()> {
//! # let dir = tempfile::tempdir().expect("temp dir");
//! let corpus = Corpus::builtin()?; // or Corpus::load("corpus")?
//! let index = Index::open_or_build(&corpus, Location::Dir(dir.path().into()))?;
//! let results = index.search(
//!     &Query::text("security").stance("calls-for-reckoning").holder("Reformist Front").limit(5),
//! )?;
//! assert_eq!(results.hits[0].passage, "iran-intel-13");
//! for hit in &results.hits {
//!     println!("{} {}", hit.passage, hit.snippet.text);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Map
//! * [`Corpus`] loads and validates a corpus directory ([`corpus`] has the
//!   model); [`Corpus::check`] reports every error at once.
//! * [`Index`] builds, refreshes and opens the tantivy index
//!   ([`Index::open_or_build`]), atomically and only when the corpus changed.
//! * [`Query`] is the builder for searches; [`Index::search`] returns
//!   [`SearchResults`] of [`Hit`]s, [`Index::facets`] counts, and
//!   [`Index::timeline`] lists events.
//! * [`names`] folds transliterations (Esmail = Ismail, Dehqan = Dehghan).
//! * Every error is an [`Error`]. The library never prints.
//!
//! Every result type derives `Serialize`; the `dossier` CLI prints exactly
//! these as JSON.
#![warn(missing_docs)]

pub mod corpus;
mod date;
mod error;
pub mod index;
pub mod interchange;
pub mod query;
mod search;
#[cfg(feature = "serve")]
pub mod serve;
mod summary;

pub use corpus::{names, ActorRef, Corpus, CorpusSource};
pub use date::{DateError, EventDate};
pub use error::{Diagnostic, Error, Result};
pub use index::{BuildOptions, Freshness, Index, Location, UpdateSummary};
pub use query::{Query, Sort};
pub use search::{
    FacetCount, FacetDim, FacetKey, Facets, Hit, SearchResults, Snippet, Timeline, TimelineEntry,
};
pub use summary::{ActorCount, StanceCount};
