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
    /// Pattern index → (actor id, name as registered).
    patterns: Vec<(String, String)>,
}

fn normalize_apostrophes(s: &str) -> String {
    s.replace('\'', "’")
}

impl MentionFinder {
    pub(crate) fn new(actors: &[Actor]) -> Self {
        let mut patterns = Vec::new();
        for a in actors {
            for form in std::iter::once(&a.name).chain(a.aliases.iter()) {
                if !form.trim().is_empty() {
                    patterns.push((a.id.clone(), form.clone()));
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns.iter().map(|(_, form)| normalize_apostrophes(form)))
            .ok();
        MentionFinder {
            automaton,
            patterns,
        }
    }

    /// Every (actor id, name) that occurs in `text` as whole words.
    pub(crate) fn mentions<'a>(&'a self, text: &str) -> Vec<(&'a str, &'a str)> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let text = normalize_apostrophes(text);
        let mut out: Vec<(&str, &str)> = Vec::new();
        for m in automaton.find_iter(&text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let (id, form) = &self.patterns[m.pattern().as_usize()];
            if !out.iter().any(|(i, _)| i == id) {
                out.push((id.as_str(), form.as_str()));
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
}
