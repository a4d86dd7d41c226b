//! Lint: a registered name appears in a passage that does not list its actor.
//!
//! Names are matched case-sensitively, as written in the registry, at word
//! boundaries, with ’ and ' treated alike. Case sensitivity is deliberate: the
//! alias "US" must not fire on the word "us". One automaton holds every name,
//! so a passage is scanned once whatever the size of the registry.

use super::model::Actor;
use aho_corasick::{AhoCorasick, MatchKind};

/// Finds registered names in text.
#[derive(Debug, Clone)]
pub(crate) struct MentionFinder {
    automaton: Option<AhoCorasick>,
    /// Pattern index → (actor id, name as registered). A name with an
    /// apostrophe is a pattern twice, once with each kind, so that offsets
    /// into the text stay exact.
    patterns: Vec<(String, String)>,
}

/// One occurrence of a registered name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence<'a> {
    /// Byte range in the text searched.
    pub start: usize,
    pub end: usize,
    pub actor: &'a str,
    /// The name as registered.
    pub form: &'a str,
}

impl MentionFinder {
    pub(crate) fn new(actors: &[Actor]) -> Self {
        let mut patterns = Vec::new();
        let mut needles = Vec::new();
        for a in actors {
            for form in std::iter::once(&a.name).chain(a.aliases.iter()) {
                if form.trim().is_empty() {
                    continue;
                }
                let curly = form.replace('\'', "’");
                let straight = form.replace('’', "'");
                let variants = if curly == straight {
                    vec![curly]
                } else {
                    vec![curly, straight]
                };
                for needle in variants {
                    patterns.push((a.id.clone(), form.clone()));
                    needles.push(needle);
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .ok();
        MentionFinder {
            automaton,
            patterns,
        }
    }

    /// Every occurrence of a registered name in `text`, as whole words, in
    /// text order (the longest name wins where names overlap).
    pub(crate) fn occurrences<'a>(&'a self, text: &str) -> Vec<Occurrence<'a>> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in automaton.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let (id, form) = &self.patterns[m.pattern().as_usize()];
            out.push(Occurrence {
                start: m.start(),
                end: m.end(),
                actor: id,
                form,
            });
        }
        out
    }

    /// Every (actor id, name) that occurs in `text` as whole words, once
    /// per actor, in order of first occurrence.
    pub(crate) fn mentions<'a>(&'a self, text: &str) -> Vec<(&'a str, &'a str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for o in self.occurrences(text) {
            if !out.iter().any(|(i, _)| *i == o.actor) {
                out.push((o.actor, o.form));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::ActorKind;

    fn actor(id: &str, name: &str, aliases: &[&str]) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            kind: ActorKind::State,
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            country: None,
            role: None,
            camp: None,
            description: None,
        }
    }

    #[test]
    fn finds_whole_word_case_sensitive_mentions() {
        let f = MentionFinder::new(&[
            actor("united-states", "United States", &["US"]),
            actor("iran", "Iran", &[]),
            actor("mossad", "Mossad", &["Mossad's"]),
        ]);
        assert_eq!(
            f.mentions("interests of Israel and the US."),
            vec![("united-states", "US")]
        );
        assert!(
            f.mentions("gaps in us and Iranian soil").is_empty(),
            "case and word boundaries"
        );
        assert_eq!(f.mentions("Iran’s network"), vec![("iran", "Iran")]);
        assert_eq!(f.mentions("Mossad’s network"), vec![("mossad", "Mossad's")]);
    }

    #[test]
    fn occurrences_carry_exact_byte_offsets() {
        let f = MentionFinder::new(&[
            actor("mossad", "Mossad", &["Mossad's"]),
            actor("iran", "Iran", &[]),
        ]);
        let text = "“Iran’s” and Mossad’s and Mossad's, Iran.";
        let found: Vec<(&str, &str)> = f
            .occurrences(text)
            .iter()
            .map(|o| (&text[o.start..o.end], o.actor))
            .collect();
        assert_eq!(
            found,
            [
                ("Iran", "iran"),
                ("Mossad’s", "mossad"),
                ("Mossad's", "mossad"),
                ("Iran", "iran")
            ]
        );
    }
}
