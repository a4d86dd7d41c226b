//! The registries with passage counts: what `dossier actors` and
//! `dossier stances` list.

use crate::corpus::{Actor, StanceDef};
use crate::error::Result;
use crate::index::Index;
use crate::query::Query;
use crate::search::{FacetDim, FacetKey};
use serde::Serialize;

/// A registered actor and how many passages mention it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct ActorCount {
    /// The actor, as registered.
    #[serde(flatten)]
    pub actor: Actor,
    /// Passages that list it.
    pub passages: u64,
}

/// A stance of the taxonomy and how many passages take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serve", derive(utoipa::ToSchema))]
pub struct StanceCount {
    /// The stance, as defined.
    #[serde(flatten)]
    pub stance: StanceDef,
    /// Passages with an annotation of this stance or a narrower one: what
    /// `search --stance ID` finds.
    pub passages: u64,
}

impl Index {
    /// Every registered actor, in registry order, with its passage count.
    pub fn actors(&self) -> Result<Vec<ActorCount>> {
        let counts = self.facets(&Query::all(), &[FacetDim::Actor])?;
        let count_of = |id: &str| {
            counts
                .counts
                .iter()
                .find(|c| c.value == FacetKey::One(id.to_owned()))
                .map_or(0, |c| c.count)
        };
        Ok(self
            .registry()?
            .actors
            .iter()
            .map(|a| ActorCount {
                passages: count_of(&a.id),
                actor: a.clone(),
            })
            .collect())
    }

    /// Every stance, in taxonomy order, with its passage count. A passage
    /// counts once for a stance even when it takes several of its narrower
    /// stances, so counts are not sums of the children's.
    pub fn stances(&self) -> Result<Vec<StanceCount>> {
        self.registry()?
            .stances
            .iter()
            .map(|s| {
                Ok(StanceCount {
                    passages: self.count(&Query::all().stance(s.id.as_str()))? as u64,
                    stance: s.clone(),
                })
            })
            .collect()
    }
}
