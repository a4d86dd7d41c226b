//! The shared registries: actors, stance taxonomy and topic vocabulary.

use super::model::{Actor, ActorsFile, StanceDef, StancesFile, Topic, TopicsFile};
use super::names::NameResolver;
use super::source::{CorpusSource, ACTORS_FILE, STANCES_FILE, TOPICS_FILE};
use super::toml_file::{tpath, Located};
use crate::error::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Actors, stances and topics: everything articles refer to by id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registry {
    /// The actor registry, in file order.
    pub actors: Vec<Actor>,
    /// The stance taxonomy, in file order.
    pub stances: Vec<StanceDef>,
    /// The topic vocabulary, in file order.
    pub topics: Vec<Topic>,
    #[serde(skip)]
    lookup: Lookup,
}

#[derive(Debug, Clone, Default)]
struct Lookup {
    actor: HashMap<String, usize>,
    stance: HashMap<String, usize>,
    topic: HashMap<String, usize>,
}

impl Registry {
    /// Builds a registry from already-validated parts (for example a
    /// snapshot stored with an index).
    pub(crate) fn from_parts(
        actors: Vec<Actor>,
        stances: Vec<StanceDef>,
        topics: Vec<Topic>,
    ) -> Self {
        let index = |ids: Vec<&String>| {
            ids.into_iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect()
        };
        let lookup = Lookup {
            actor: index(actors.iter().map(|a| &a.id).collect()),
            stance: index(stances.iter().map(|s| &s.id).collect()),
            topic: index(topics.iter().map(|t| &t.id).collect()),
        };
        Registry {
            actors,
            stances,
            topics,
            lookup,
        }
    }

    /// Rebuilds the id lookup after deserializing.
    pub(crate) fn reindexed(self) -> Self {
        Registry::from_parts(self.actors, self.stances, self.topics)
    }

    /// The actor with this id.
    pub fn actor(&self, id: &str) -> Option<&Actor> {
        self.lookup.actor.get(id).map(|&i| &self.actors[i])
    }

    /// The stance with this id.
    pub fn stance(&self, id: &str) -> Option<&StanceDef> {
        self.lookup.stance.get(id).map(|&i| &self.stances[i])
    }

    /// The topic with this id.
    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.lookup.topic.get(id).map(|&i| &self.topics[i])
    }

    /// A stance id and every stance below it in the taxonomy.
    pub fn stance_with_descendants(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_owned()];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            for s in &self.stances {
                if s.parent.as_deref() == Some(parent.as_str()) && !out.contains(&s.id) {
                    out.push(s.id.clone());
                }
            }
            i += 1;
        }
        out
    }

    /// Reads and validates the three registry files, reporting every error.
    /// `hashes` receives the content hash of each file as read.
    pub(crate) fn load(
        source: &CorpusSource,
        hashes: &mut Vec<(String, u64)>,
    ) -> Result<Self, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let actors_text = read_text(source, ACTORS_FILE, &mut errors, hashes);
        let stances_text = read_text(source, STANCES_FILE, &mut errors, hashes);
        let topics_text = read_text(source, TOPICS_FILE, &mut errors, hashes);
        let actors = parse::<ActorsFile>(ACTORS_FILE, actors_text.as_deref(), &mut errors);
        let stances = parse::<StancesFile>(STANCES_FILE, stances_text.as_deref(), &mut errors);
        let topics = parse::<TopicsFile>(TOPICS_FILE, topics_text.as_deref(), &mut errors);
        let (Some((actors, actors_loc)), Some((stances, stances_loc)), Some((topics, topics_loc))) =
            (actors, stances, topics)
        else {
            return Err(errors);
        };

        let mut seen: HashSet<&str> = HashSet::new();
        for (i, a) in actors.actors.iter().enumerate() {
            check_id(
                &actors_loc,
                &tpath!["actors", i, "id"],
                &a.id,
                "actor",
                &mut seen,
                &mut errors,
            );
            if let Some(c) = &a.country {
                if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    errors.push(actors_loc.error(
                        &tpath!["actors", i, "country"],
                        None,
                        format!("country `{c}` is not an ISO 3166 alpha-3 code such as IRN"),
                    ));
                }
            }
            if let Some(r) = &a.role {
                if r.len() != 3 || !r.bytes().all(|b| b.is_ascii_uppercase()) {
                    errors.push(actors_loc.error(
                        &tpath!["actors", i, "role"],
                        None,
                        format!("role `{r}` is not a three-letter CAMEO code such as GOV"),
                    ));
                }
            }
        }
        let (_, collisions) = NameResolver::new(&actors.actors);
        for c in collisions {
            let i = actors
                .actors
                .iter()
                .position(|a| a.id == c.second.0)
                .unwrap_or(0);
            errors.push(actors_loc.error(
                &tpath!["actors", i, "id"],
                None,
                format!(
                    "actor `{}` name `{}` folds to `{}`, like `{}` of actor `{}`; two actors must not share a name",
                    c.second.0, c.second.1, c.folded, c.first.1, c.first.0
                ),
            ));
        }

        let mut stance_ids = HashSet::new();
        for (i, s) in stances.stances.iter().enumerate() {
            check_id(
                &stances_loc,
                &tpath!["stances", i, "id"],
                &s.id,
                "stance",
                &mut stance_ids,
                &mut errors,
            );
        }
        for (i, s) in stances.stances.iter().enumerate() {
            if let Some(p) = &s.parent {
                if !stance_ids.contains(p.as_str()) {
                    errors.push(stances_loc.error(
                        &tpath!["stances", i, "parent"],
                        None,
                        format!("unknown stance `{p}` as parent of `{}`", s.id),
                    ));
                } else if has_cycle(&stances.stances, &s.id) {
                    errors.push(stances_loc.error(
                        &tpath!["stances", i, "parent"],
                        None,
                        format!("stance `{}` is its own ancestor", s.id),
                    ));
                }
            }
        }

        // Topic ids share a namespace with actor ids: a stance target may be either.
        let mut topic_ids = HashSet::new();
        for (i, t) in topics.topics.iter().enumerate() {
            check_id(
                &topics_loc,
                &tpath!["topics", i, "id"],
                &t.id,
                "topic",
                &mut topic_ids,
                &mut errors,
            );
            if seen.contains(t.id.as_str()) {
                errors.push(topics_loc.error(&tpath!["topics", i, "id"], None, format!("topic id `{}` is also an actor id; stance targets could not tell them apart", t.id)));
            }
        }

        if errors.is_empty() {
            Ok(Registry::from_parts(
                actors.actors,
                stances.stances,
                topics.topics,
            ))
        } else {
            Err(errors)
        }
    }
}

/// Whether `start` is on a cycle of parents. A stance below a cycle is not
/// itself reported: the cycle is, once per stance on it.
fn has_cycle(stances: &[StanceDef], start: &str) -> bool {
    let parent_of = |id: &str| {
        stances
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.parent.as_deref())
    };
    let mut seen = HashSet::new();
    let mut current = start;
    while let Some(p) = parent_of(current) {
        if p == start {
            return true;
        }
        if !seen.insert(p) {
            // A cycle above `start` that does not pass through it.
            return false;
        }
        current = p;
    }
    false
}

/// Ids are kebab-case ASCII: they appear in URLs, shells and file names.
pub(crate) fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_id<'a>(
    loc: &Located<'_>,
    at: &[super::toml_file::Seg],
    id: &'a str,
    what: &str,
    seen: &mut HashSet<&'a str>,
    errors: &mut Vec<Diagnostic>,
) {
    if !is_kebab_id(id) {
        errors.push(loc.error(
            at,
            None,
            format!("{what} id `{id}` is not kebab-case (a-z, 0-9 and single hyphens)"),
        ));
    }
    if !seen.insert(id) {
        errors.push(loc.error(at, None, format!("duplicate {what} id `{id}`")));
    }
}

/// Reads one registry file as UTF-8 text.
fn read_text(
    source: &CorpusSource,
    name: &str,
    errors: &mut Vec<Diagnostic>,
    hashes: &mut Vec<(String, u64)>,
) -> Option<String> {
    let rel = Path::new(name);
    let bytes = match source.read(rel) {
        Ok(b) => b,
        Err(e) => {
            errors.push(Diagnostic::file_level(rel, None, e.to_string()));
            return None;
        }
    };
    hashes.push((name.to_owned(), super::source::content_hash(&bytes)));
    match super::decode_utf8(rel, &bytes) {
        Ok(t) => Some(t.to_owned()),
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

fn parse<'t, T: serde::de::DeserializeOwned>(
    name: &str,
    text: Option<&'t str>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(T, Located<'t>)> {
    match Located::parse::<T>(Path::new(name), text?) {
        Ok(parsed) => Some(parsed),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    }
}
