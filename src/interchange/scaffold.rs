//! `dossier add`: a new article from a plain text, ready to annotate.
//!
//! The text is copied byte for byte; the paragraph rule cuts it into
//! passages; each passage lists the registered actors the name matcher finds
//! in it (the same matcher as the lint, so `check` is clean from the start),
//! and, as comments, the capitalised names that match no registered actor,
//! with a suggestion when one folds close to a registered name. The
//! annotator then adds stances, topics and events.

use crate::corpus::names::fold;
use crate::corpus::segment::segment;
use crate::corpus::{Corpus, CorpusSource, EventDate};
use crate::error::{Diagnostic, Error, Result};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to add.
#[derive(Debug, Clone, Default)]
pub struct NewArticle {
    /// Article id (kebab-case).
    pub id: String,
    /// Title; when absent, the start of the text stands in (with a comment
    /// saying so).
    pub title: Option<String>,
    /// Where it was published.
    pub source: Option<String>,
    /// When (YYYY, YYYY-MM or YYYY-MM-DD).
    pub published: Option<String>,
}

/// What `add` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Added {
    /// The new article's folder.
    pub dir: PathBuf,
    /// Passages cut by the paragraph rule.
    pub passages: usize,
    /// Actor mentions pre-filled, over all passages.
    pub actors: usize,
    /// Capitalised names that match no registered actor, by passage id.
    pub unregistered: Vec<(String, Vec<String>)>,
}

/// Capitalised words that are not names: sentence openers, titles, days
/// and months.
const NOT_NAMES: [&str; 59] = [
    "A",
    "An",
    "The",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "Its",
    "In",
    "On",
    "At",
    "By",
    "For",
    "But",
    "And",
    "Or",
    "If",
    "As",
    "With",
    "From",
    "To",
    "Of",
    "After",
    "Before",
    "When",
    "While",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "He",
    "She",
    "They",
    "We",
    "I",
    "His",
    "Her",
    "Their",
    "Our",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "May",
];

/// Runs of capitalised words that no registered name covers.
fn unregistered_names(text: &str, covered: &[(usize, usize)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut run_start = 0usize;
    let flush = |run: &mut Vec<&str>, start: usize, names: &mut Vec<String>| {
        // A lone word at the start of a sentence is most likely not a name.
        let sentence_start = text[..start]
            .trim_end_matches([' ', '“', '"', '‘', '\'', '('])
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '.' | '?' | '!' | ':' | '\n'));
        let before = run.len();
        while run.first().is_some_and(|w| NOT_NAMES.contains(w)) {
            run.remove(0);
        }
        let starts_sentence = sentence_start && run.len() == before;
        let acronym = |w: &str| w.chars().skip(1).any(char::is_uppercase);
        let keep = match run.len() {
            0 => false,
            1 => !starts_sentence || acronym(run[0]),
            _ => true,
        };
        if keep {
            let name = run.join(" ");
            if !names.contains(&name) {
                names.push(name);
            }
        }
        run.clear();
    };
    let mut at = 0;
    for word in
        text.split_inclusive(|c: char| !c.is_alphanumeric() && c != '-' && c != '’' && c != '\'')
    {
        let start = at;
        at += word.len();
        let core = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        let core = core.trim_end_matches("’s").trim_end_matches("'s");
        let is_name = core.chars().next().is_some_and(char::is_uppercase)
            && core.chars().count() > 1
            && !covered
                .iter()
                .any(|&(s, e)| start < e && start + core.len() > s);
        let ends_run = word.ends_with(|c: char| !c.is_alphanumeric() && c != ' ');
        if is_name {
            if run.is_empty() {
                run_start = start;
            }
            run.push(core);
            if ends_run {
                flush(&mut run, run_start, &mut names);
            }
        } else if !run.is_empty() {
            flush(&mut run, run_start, &mut names);
        }
    }
    if !run.is_empty() {
        flush(&mut run, run_start, &mut names);
    }
    names
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn bad(file: &Path, message: String) -> Error {
    Error::Corpus(vec![Diagnostic::file_level(file, None, message)])
}

/// Adds the article in `text_file` to the corpus in `corpus_dir`. Refuses to
/// overwrite an article, and reports a bad id, date or text as `check` does.
pub fn add(corpus_dir: &Path, text_file: &Path, new: &NewArticle) -> Result<Added> {
    let corpus = Corpus::load(corpus_dir)?;
    let id = new.id.trim();
    if !crate::corpus::is_kebab_id(id) {
        return Err(Error::InvalidArgument(format!(
            "article id `{id}` is not kebab-case (a-z, 0-9 and single hyphens)"
        )));
    }
    if let Some(p) = &new.published {
        p.parse::<EventDate>()
            .map_err(|e| Error::InvalidArgument(format!("--published: {e}")))?;
    }
    let target = corpus_dir.join("articles").join(id);
    if target.exists() {
        return Err(Error::InvalidArgument(format!(
            "article `{id}` already exists at {}; refusing to overwrite it",
            target.display()
        )));
    }
    let bytes = std::fs::read(text_file).map_err(|e| Error::io(text_file, e))?;
    let text = crate::corpus::decode_utf8(text_file, &bytes).map_err(|d| Error::Corpus(vec![d]))?;
    if text.trim().is_empty() {
        return Err(bad(
            text_file,
            "empty article: the text has no words".into(),
        ));
    }
    let spans = segment(text);
    let width = spans.len().to_string().len().max(2);
    let mut toml = String::new();
    let _ = writeln!(
        toml,
        "# Scaffolded by `dossier add`: passages from the paragraph rule, actors from"
    );
    let _ = writeln!(
        toml,
        "# the registry's name matcher. Add stances, topics and events (see"
    );
    let _ = writeln!(toml, "# corpus/README.md), then run `dossier check`.");
    let _ = writeln!(toml, "id = {}", quoted(id));
    match &new.title {
        Some(t) => {
            let _ = writeln!(toml, "title = {}", quoted(t));
        }
        None => {
            let first = &text[spans[0].start..spans[0].end];
            let mut title: String = first.chars().take(90).collect();
            if title.len() < first.len() {
                if let Some(space) = title.rfind(' ') {
                    title.truncate(space);
                }
                title.push('…');
            }
            let _ = writeln!(
                toml,
                "# The text's first words stand in for a title: edit it."
            );
            let _ = writeln!(toml, "title = {}", quoted(&title));
        }
    }
    if let Some(s) = &new.source {
        let _ = writeln!(toml, "source = {}", quoted(s));
    }
    if let Some(p) = &new.published {
        let _ = writeln!(toml, "published = {}", quoted(p.trim()));
    }
    let finder = corpus.mentions();
    let resolver = corpus.resolver();
    let mut added = Added {
        dir: target.clone(),
        passages: spans.len(),
        actors: 0,
        unregistered: Vec::new(),
    };
    for (i, span) in spans.iter().enumerate() {
        let passage = &text[span.start..span.end];
        let occurrences = finder.occurrences(passage);
        let mut actors: Vec<&str> = Vec::new();
        for o in &occurrences {
            if !actors.contains(&o.actor) {
                actors.push(o.actor);
            }
        }
        added.actors += actors.len();
        let covered: Vec<(usize, usize)> = occurrences.iter().map(|o| (o.start, o.end)).collect();
        let pid = format!("{id}-{:0width$}", i + 1);
        let _ = writeln!(toml, "\n[[passages]]");
        let _ = writeln!(toml, "id = {}", quoted(&pid));
        let _ = writeln!(toml, "ordinal = {}", i + 1);
        let _ = writeln!(
            toml,
            "span = {{ start = {}, end = {} }}",
            span.start, span.end
        );
        let list: Vec<String> = actors.iter().map(|a| quoted(a)).collect();
        let _ = writeln!(toml, "actors = [{}]", list.join(", "));
        let names = unregistered_names(passage, &covered);
        if !names.is_empty() {
            let described: Vec<String> = names
                .iter()
                .map(|n| {
                    // Close in spelling after folding: a variant the
                    // registry may be missing.
                    let near = resolver
                        .suggest(n, 1)
                        .into_iter()
                        .next()
                        .filter(|s| strsim::normalized_levenshtein(&fold(n), &fold(s)) >= 0.8);
                    match near {
                        Some(s) => format!("{n} (close to the registered {s})"),
                        None => n.clone(),
                    }
                })
                .collect();
            let _ = writeln!(toml, "# unregistered names: {}", described.join(", "));
            added.unregistered.push((pid, names));
        }
    }
    // Written beside the corpus's articles, then moved in whole: a failure
    // leaves no half article.
    let staging = corpus_dir.join(format!(".dossier-add-{id}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let written = (|| -> Result<()> {
        std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        std::fs::copy(text_file, staging.join("text.txt")).map_err(|e| Error::io(text_file, e))?;
        std::fs::write(staging.join("article.toml"), &toml).map_err(|e| Error::io(&staging, e))?;
        std::fs::create_dir_all(corpus_dir.join("articles"))
            .map_err(|e| Error::io(corpus_dir, e))?;
        std::fs::rename(&staging, &target).map_err(|e| Error::io(&target, e))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // The promise: the new article passes `check` as it is.
    let reloaded = Corpus::open(CorpusSource::Dir(corpus_dir.to_owned()))?;
    let report = reloaded.articles().find(|r| r.id == id).ok_or_else(|| {
        Error::InvalidArgument(format!("article `{id}` vanished after it was added"))
    })?;
    if !report.errors.is_empty() || !report.warnings.is_empty() {
        let _ = std::fs::remove_dir_all(&target);
        let mut all = report.errors;
        all.extend(report.warnings);
        return Err(Error::Corpus(all));
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_runs_outside_registered_names_are_listed() {
        let text = "Mohammad Javad Zarif met Netanyahu. The talks failed, said Khatib.";
        let khatib = text.find("Khatib").unwrap();
        let covered = [(khatib, khatib + "Khatib".len())];
        assert_eq!(
            unregistered_names(text, &covered),
            ["Mohammad Javad Zarif", "Netanyahu"]
        );
        assert!(
            unregistered_names("But it rained. In Tehran’s streets.", &[])
                .contains(&"Tehran".to_string())
        );
        assert!(!unregistered_names("But it rained.", &[]).contains(&"But".to_string()));
        assert!(unregistered_names("It rained on Tuesday in May.", &[]).is_empty());
    }
}
