//! Loading and validating one article: its text file and its annotations.

use super::model::{
    Article, ArticleFile, Event, EventDate, Passage, Polarity, Span, StanceAnnotation, Voice,
};
use super::registry::is_kebab_id;
use super::source::{article_files, CorpusSource};
use super::toml_file::{tpath, Located};
use super::{decode_utf8, Corpus};
use crate::error::Diagnostic;
use std::collections::HashSet;

/// The outcome of loading one article: the article if it is valid, and every
/// error and warning found.
#[derive(Debug)]
pub struct ArticleReport {
    /// The article id (its folder name).
    pub id: String,
    /// The article, when it has no errors.
    pub article: Option<Article>,
    /// Every error found.
    pub errors: Vec<Diagnostic>,
    /// Lint warnings.
    pub warnings: Vec<Diagnostic>,
    /// The article's folder vanished while it was being read: it was
    /// removed, which is not an error.
    pub vanished: bool,
    /// Content hash of each file as read (path relative to the corpus).
    pub(crate) hashes: Vec<(String, u64)>,
    /// Every passage id of the file, in order, for the corpus-wide
    /// uniqueness check.
    pub(crate) passage_ids: Vec<String>,
}

/// Passage ids seen so far in a corpus, kept as 64-bit hashes so that memory
/// stays small on millions of passages.
#[derive(Debug, Default)]
pub(crate) struct SeenPassages(HashSet<u64>);

impl SeenPassages {
    /// Records an id; false if it was seen before.
    pub(crate) fn insert(&mut self, id: &str) -> bool {
        self.0.insert(xxhash_rust::xxh3::xxh3_64(id.as_bytes()))
    }
}

/// Checks the report's passage ids against those seen in earlier articles
/// and those `taken` elsewhere, and records them. A duplicate is an error
/// at the id's line.
pub(crate) fn check_passage_ids(
    corpus: &Corpus,
    seen: &mut SeenPassages,
    taken: &dyn Fn(&str) -> bool,
    report: &mut ArticleReport,
) {
    let duplicates: Vec<usize> = report
        .passage_ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(id) || taken(id))
        .map(|(i, _)| i)
        .collect();
    if duplicates.is_empty() {
        return;
    }
    let (toml_path, _) = article_files(&report.id);
    // Rare: read the file again for the locations.
    let text = corpus
        .source()
        .read(&toml_path)
        .ok()
        .and_then(|b| String::from_utf8(b.into_owned()).ok())
        .unwrap_or_default();
    let located = Located::parse::<ArticleFile>(&toml_path, &text).ok();
    for i in duplicates {
        let id = &report.passage_ids[i];
        let message = format!("duplicate passage id `{id}`");
        let d = match &located {
            Some((_, loc)) => loc.error(&tpath!["passages", i, "id"], Some(id), message),
            None => Diagnostic::file_level(&toml_path, Some(id), message),
        };
        report.errors.push(d);
    }
    report.article = None;
}

/// Reads one file of an article, recording its hash. `Err(true)` when the
/// article's folder is gone (the article was removed while we read).
fn read_article_file(
    source: &CorpusSource,
    id: &str,
    rel: &std::path::Path,
    report: &mut ArticleReport,
) -> Result<String, bool> {
    match source.read(rel) {
        Ok(bytes) => {
            report.hashes.push((
                super::source::slashed(rel),
                super::source::content_hash(&bytes),
            ));
            match decode_utf8(rel, &bytes) {
                Ok(t) => Ok(t.to_owned()),
                Err(d) => {
                    report.errors.push(d);
                    Err(false)
                }
            }
        }
        Err(crate::Error::Io { source: e, .. })
            if e.kind() == std::io::ErrorKind::NotFound && !source.article_exists(id) =>
        {
            Err(true)
        }
        Err(e) => {
            report
                .errors
                .push(Diagnostic::file_level(rel, None, e.to_string()));
            Err(false)
        }
    }
}

/// Loads and validates one article, except for the corpus-wide passage id
/// check ([`check_passage_ids`]), so that articles can load in parallel.
pub(crate) fn load_article(corpus: &Corpus, id: &str, lint: bool) -> ArticleReport {
    let mut report = ArticleReport {
        id: id.to_owned(),
        article: None,
        errors: Vec::new(),
        warnings: Vec::new(),
        vanished: false,
        hashes: Vec::new(),
        passage_ids: Vec::new(),
    };
    let (toml_path, text_path) = article_files(id);
    let source: &CorpusSource = corpus.source();

    let text = match read_article_file(source, id, &text_path, &mut report) {
        Ok(t) => Some(t),
        Err(true) => {
            report.vanished = true;
            return report;
        }
        Err(false) => None,
    };
    let toml_text = match read_article_file(source, id, &toml_path, &mut report) {
        Ok(t) => t,
        Err(vanished) => {
            report.vanished = vanished;
            if vanished {
                report.errors.clear();
            }
            return report;
        }
    };
    let (file, loc) = match Located::parse_fast::<ArticleFile>(&toml_path, &toml_text) {
        Ok(parsed) => parsed,
        Err(mut e) => {
            report.errors.append(&mut e);
            return report;
        }
    };
    let Some(text) = text else {
        return report;
    };
    let mut v = Validator {
        corpus,
        loc: &loc,
        text: &text,
        report: &mut report,
        bad_span: false,
        lint,
    };
    let article = v.article(id, file);
    if report.errors.is_empty() {
        report.article = Some(article);
    }
    report
}

struct Validator<'a, 'l> {
    corpus: &'a Corpus,
    loc: &'a Located<'l>,
    text: &'a str,
    report: &'a mut ArticleReport,
    /// Set when a span was rejected: the coverage check would only repeat it.
    bad_span: bool,
    /// Whether to run the name lint (a build has no use for warnings).
    lint: bool,
}

impl<'a> Validator<'a, '_> {
    fn err(&mut self, at: &[super::toml_file::Seg], passage: Option<&str>, msg: String) {
        let d = self.loc.error(at, passage, msg);
        self.report.errors.push(d);
    }

    fn warn(&mut self, at: &[super::toml_file::Seg], passage: Option<&str>, msg: String) {
        let d = self.loc.error(at, passage, msg);
        self.report.warnings.push(d);
    }

    fn article(&mut self, dir_id: &str, file: ArticleFile) -> Article {
        if file.id != dir_id {
            self.err(
                &tpath!["id"],
                None,
                format!(
                    "article id `{}` differs from its folder name `{dir_id}`",
                    file.id
                ),
            );
        }
        if !is_kebab_id(&file.id) {
            self.err(
                &tpath!["id"],
                None,
                format!(
                    "article id `{}` is not kebab-case (a-z, 0-9 and single hyphens)",
                    file.id
                ),
            );
        }
        if file.title.trim().is_empty() {
            self.err(&tpath!["title"], None, "the title is empty".into());
        }
        let published = file
            .published
            .as_deref()
            .and_then(|p| match p.parse::<EventDate>() {
                Ok(d) => Some(d),
                Err(e) => {
                    self.err(&tpath!["published"], None, e.to_string());
                    None
                }
            });
        if self.text.trim().is_empty() {
            self.err(
                &tpath!["id"],
                None,
                format!(
                    "empty article: {} has no text",
                    self.loc.file().with_file_name("text.txt").display()
                ),
            );
        } else if file.passages.is_empty() {
            self.err(
                &tpath!["id"],
                None,
                "empty article: it has no passages".into(),
            );
        }

        let mut passages = Vec::with_capacity(file.passages.len());
        let mut last_end = 0usize;
        for (i, p) in file.passages.into_iter().enumerate() {
            let pid = p.id.clone();
            let pid = Some(pid.as_str());
            if !is_kebab_id(&p.id) {
                self.err(
                    &tpath!["passages", i, "id"],
                    pid,
                    format!("passage id `{}` is not kebab-case", p.id),
                );
            }
            self.report.passage_ids.push(p.id.clone());
            if p.ordinal as usize != i + 1 {
                self.err(
                    &tpath!["passages", i, "ordinal"],
                    pid,
                    format!(
                        "ordinal {} out of order: passage {} of the file should have ordinal {}",
                        p.ordinal,
                        i + 1,
                        i + 1
                    ),
                );
            }
            let span = Span::from(p.span);
            let span_text = self.span(i, pid, span, &mut last_end);

            let mut actor_set = HashSet::new();
            for (j, a) in p.actors.iter().enumerate() {
                if self.corpus.registry().actor(a).is_none() {
                    let hint = self.corpus.suggest_actor(a);
                    self.err(
                        &tpath!["passages", i, "actors", j],
                        pid,
                        format!("unknown actor id `{a}`{hint}"),
                    );
                } else if !actor_set.insert(a.as_str()) {
                    self.err(
                        &tpath!["passages", i, "actors", j],
                        pid,
                        format!("duplicate actor id `{a}`"),
                    );
                }
            }
            let mut topic_set = HashSet::new();
            for (j, t) in p.topics.iter().enumerate() {
                if self.corpus.registry().topic(t).is_none() {
                    self.err(
                        &tpath!["passages", i, "topics", j],
                        pid,
                        format!("unknown topic id `{t}`"),
                    );
                } else if !topic_set.insert(t.as_str()) {
                    self.err(
                        &tpath!["passages", i, "topics", j],
                        pid,
                        format!("duplicate topic id `{t}`"),
                    );
                }
            }

            let mut stances = Vec::with_capacity(p.stances.len());
            for (j, s) in p.stances.into_iter().enumerate() {
                let at = |field: &str| tpath!["passages", i, "stances", j, field];
                let registry = self.corpus.registry();
                if registry.actor(&s.holder).is_none() {
                    self.err(
                        &at("holder"),
                        pid,
                        format!("unknown actor id `{}` as holder", s.holder),
                    );
                } else if !actor_set.contains(s.holder.as_str()) {
                    self.warn(
                        &at("holder"),
                        pid,
                        format!(
                            "holder `{}` is not listed in the passage's actors",
                            s.holder
                        ),
                    );
                }
                if registry.stance(&s.stance).is_none() {
                    self.err(
                        &at("stance"),
                        pid,
                        format!("unknown stance id `{}`", s.stance),
                    );
                }
                if registry.actor(&s.target).is_none() && registry.topic(&s.target).is_none() {
                    self.err(
                        &at("target"),
                        pid,
                        format!(
                            "unknown target `{}`: neither an actor id nor a topic id",
                            s.target
                        ),
                    );
                }
                let polarity = s.polarity.parse::<Polarity>().map_err(|()| {
                    format!(
                        "unknown polarity `{}`; valid values: favor, against, neutral",
                        s.polarity
                    )
                });
                let voice = s.voice.parse::<Voice>().map_err(|()| {
                    format!(
                        "unknown voice `{}`; valid values: author, reported",
                        s.voice
                    )
                });
                if let Err(m) = &polarity {
                    self.err(&at("polarity"), pid, m.clone());
                }
                if let Err(m) = &voice {
                    self.err(&at("voice"), pid, m.clone());
                }
                if s.quote.trim().is_empty() {
                    self.err(&at("quote"), pid, "the quote is empty".into());
                } else if let Some(t) = span_text {
                    if !t.contains(&s.quote) {
                        self.err(
                            &at("quote"),
                            pid,
                            format!("quote \"{}\" is not in the passage", s.quote),
                        );
                    }
                }
                if let (Ok(polarity), Ok(voice)) = (polarity, voice) {
                    stances.push(StanceAnnotation {
                        holder: s.holder,
                        stance: s.stance,
                        target: s.target,
                        polarity,
                        quote: s.quote,
                        voice,
                    });
                }
            }

            let mut events = Vec::with_capacity(p.events.len());
            for (j, e) in p.events.into_iter().enumerate() {
                for (k, a) in e.actors.iter().enumerate() {
                    if self.corpus.registry().actor(a).is_none() {
                        self.err(
                            &tpath!["passages", i, "events", j, "actors", k],
                            pid,
                            format!("unknown actor id `{a}`"),
                        );
                    }
                }
                if e.what.trim().is_empty() {
                    self.err(
                        &tpath!["passages", i, "events", j, "what"],
                        pid,
                        "the event's `what` is empty".into(),
                    );
                }
                match e.date.parse::<EventDate>() {
                    Ok(date) => events.push(Event {
                        date,
                        what: e.what,
                        actors: e.actors,
                    }),
                    Err(err) => self.err(
                        &tpath!["passages", i, "events", j, "date"],
                        pid,
                        err.to_string(),
                    ),
                }
            }

            if let (Some(t), true) = (span_text, self.lint) {
                let mentions: Vec<(String, String)> = self
                    .corpus
                    .mentions()
                    .mentions(t)
                    .into_iter()
                    .filter(|(id, _)| !actor_set.contains(id))
                    .map(|(id, form)| (id.to_owned(), form.to_owned()))
                    .collect();
                for (id, form) in mentions {
                    self.warn(
                        &tpath!["passages", i, "actors"],
                        pid,
                        format!(
                            "the text names `{form}` but the passage does not list actor `{id}`"
                        ),
                    );
                }
            }

            passages.push(Passage {
                id: p.id,
                ordinal: p.ordinal,
                span,
                text: span_text.unwrap_or_default().to_owned(),
                actors: p.actors,
                topics: p.topics,
                stances,
                events,
            });
        }
        if !self.bad_span
            && last_end > 0
            && !self.text[last_end.min(self.text.len())..].trim().is_empty()
        {
            let n = passages.len().saturating_sub(1);
            self.err(
                &tpath!["passages", n, "span"],
                None,
                format!("text after byte {last_end} is in no passage"),
            );
        }
        Article {
            id: file.id,
            title: file.title,
            source: file.source,
            published,
            language: file.language,
            text: self.text.to_owned(),
            passages,
        }
    }

    /// Checks a passage span and returns its text when it is sound.
    fn span(
        &mut self,
        i: usize,
        pid: Option<&str>,
        span: Span,
        last_end: &mut usize,
    ) -> Option<&'a str> {
        let at = tpath!["passages", i, "span"];
        let errors_before = self.report.errors.len();
        let checked = self.check_span(&at, pid, span, last_end);
        self.bad_span |= self.report.errors.len() > errors_before;
        checked
    }

    fn check_span(
        &mut self,
        at: &[super::toml_file::Seg],
        pid: Option<&str>,
        span: Span,
        last_end: &mut usize,
    ) -> Option<&'a str> {
        let text: &'a str = self.text;
        let at = at.to_vec();
        if span.start >= span.end {
            self.err(
                &at,
                pid,
                format!("span [{}, {}) is empty or reversed", span.start, span.end),
            );
            return None;
        }
        if span.end > text.len() {
            self.err(
                &at,
                pid,
                format!(
                    "span [{}, {}) falls outside the text ({} bytes)",
                    span.start,
                    span.end,
                    text.len()
                ),
            );
            return None;
        }
        if !text.is_char_boundary(span.start) || !text.is_char_boundary(span.end) {
            self.err(
                &at,
                pid,
                format!("span [{}, {}) cuts a UTF-8 character", span.start, span.end),
            );
            return None;
        }
        if span.start < *last_end {
            self.err(
                &at,
                pid,
                format!(
                    "span [{}, {}) overlaps the previous passage, which ends at {}",
                    span.start, span.end, last_end
                ),
            );
        } else if !text[*last_end..span.start].trim().is_empty() {
            self.err(
                &at,
                pid,
                format!(
                    "span [{}, {}) skips text that is not whitespace (bytes {}..{})",
                    span.start, span.end, last_end, span.start
                ),
            );
        }
        *last_end = (*last_end).max(span.end);
        Some(&text[span.start..span.end])
    }
}
