//! Annotations in and out: scaffolding a new article (`dossier add`),
//! exporting what a search selects in the formats annotators and analysts
//! use, and importing annotations made in other tools.

mod brat;
mod export;
mod import;
mod labelstudio;
mod model;
pub mod offsets;
mod scaffold;
mod webanno;

pub use export::{export, ExportFormat, Exported};
pub use import::{import, ImportFormat, ImportOptions, Imported, Mapping};
pub use scaffold::{add, Added, NewArticle};
