//! Annotations in and out: scaffolding a new article (`dossier add`),
//! exporting what a search selects in the formats annotators and analysts
//! use, and importing annotations made in other tools.

pub mod offsets;
mod scaffold;

pub use scaffold::{add, Added, NewArticle};
