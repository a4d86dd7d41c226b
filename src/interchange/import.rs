//! `dossier import`: annotations made in other tools become articles.
//!
//! Each reader gives documents (text, mentions, stances, maybe passages);
//! here they become articles and, where needed, new actors:
//!
//! * A mention names an actor: the one the source names (a dossier export
//!   does), else the registered actor its text resolves to, else a new
//!   actor made from its text (two mentions that fold alike are one actor),
//!   of the kind its label maps to (Person → person, Organization/ORG →
//!   organization, GPE/Country/State → state, others → group).
//! * Passages come from the source when it has them, else from the
//!   paragraph rule. Each lists the actors the source lists, else those
//!   mentioned in it.
//! * A stance label is a registered stance id, or maps to one (`--mapping`);
//!   roles map to holder and target; an attribute maps to polarity.
//!
//! The import writes a valid corpus or nothing: every problem is reported
//! at once, with its file and line, and the result passes `check` (run on a
//! staged copy) before anything is written. Existing articles and actors
//! are not overwritten without `--update`.

use super::model::{problem, Doc, Ref};
use super::{brat, labelstudio, webanno};
use crate::corpus::names::fold;
use crate::corpus::segment::segment;
use crate::corpus::{ActorKind, Corpus, CorpusSource, Span};
use crate::error::{Diagnostic, Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// An import format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// W3C Web Annotation (JSON-LD or JSON Lines).
    WebAnno,
    /// brat standoff: `.ann` files beside their `.txt`.
    Brat,
    /// Label Studio task export (JSON).
    LabelStudio,
}

/// How the source's labels, roles and attributes map to dossier's.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The attribute that carries polarity. (default: `Polarity`)
    #[serde(default)]
    pub polarity_attribute: Option<String>,
    /// The attribute that carries voice. (default: `Voice`)
    #[serde(default)]
    pub voice_attribute: Option<String>,
    /// Entity label → actor kind (person, organization, state, group,
    /// media, collective).
    #[serde(default)]
    pub entities: BTreeMap<String, String>,
    /// Label (of a span, an event or a relation) → stance id.
    #[serde(default)]
    pub stances: BTreeMap<String, String>,
    /// Argument role → `holder` or `target`.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// Attribute value → polarity (favor, against, neutral).
    #[serde(default)]
    pub polarity: BTreeMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file (TOML).
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        toml::from_str(&text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| crate::corpus::toml_file::line_column(&text, s.start))
                .map_or((None, None), |(l, c)| (Some(l), Some(c)));
            Error::Import(vec![Diagnostic {
                file: path.to_owned(),
                line,
                column,
                passage: None,
                message: e.message().to_owned(),
            }])
        })
    }

    fn role(&self, role: &str) -> Option<&'static str> {
        let mapped = self.roles.get(role).map(String::as_str).unwrap_or(role);
        match mapped.to_lowercase().as_str() {
            "holder" | "agent" | "arg1" | "source" => Some("holder"),
            "target" | "patient" | "theme" | "arg2" => Some("target"),
            _ => None,
        }
    }

    fn kind(&self, label: &str) -> ActorKind {
        let mapped = self
            .entities
            .get(label)
            .map(String::as_str)
            .unwrap_or(label);
        match mapped.to_lowercase().as_str() {
            "person" | "per" => ActorKind::Person,
            "organization" | "organisation" | "org" => ActorKind::Organization,
            "state" | "gpe" | "country" => ActorKind::State,
            "media" => ActorKind::Media,
            "collective" => ActorKind::Collective,
            "author" => ActorKind::Author,
            _ => ActorKind::Group,
        }
    }
}

/// What to import, and how.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// How the source's labels map to dossier's.
    pub mapping: Mapping,
    /// Replace existing articles of the same id.
    pub update: bool,
    /// Import the rest when some annotations are bad (each is reported);
    /// by default, any problem writes nothing.
    pub skip_invalid: bool,
}

/// What an import wrote (or would have).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imported {
    /// Article ids written.
    pub articles: Vec<String>,
    /// Actors added to the registry.
    pub actors: Vec<String>,
    /// Passages written.
    pub passages: usize,
    /// Stance annotations written.
    pub stances: usize,
    /// Annotations skipped (with `skip_invalid`), each with its file and
    /// line.
    pub skipped: Vec<Diagnostic>,
    /// What the sources hold and dossier has no place for (free-text notes,
    /// other attributes, comments), each with its file and line.
    pub not_kept: Vec<Diagnostic>,
}

/// Largest file an import reads.
const MAX_FILE: u64 = 256 * 1024 * 1024;

/// Imports `files` in `format` into the corpus at `corpus_dir`.
pub fn import(
    corpus_dir: &Path,
    format: ImportFormat,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<Imported> {
    let corpus = Corpus::load(corpus_dir)?;
    let registry = corpus.registry();
    let mapping = &options.mapping;
    let stance_id = |label: &str| -> Option<String> {
        mapping
            .stances
            .get(label)
            .cloned()
            .or_else(|| registry.stance(label).map(|s| s.id.clone()))
    };
    let is_stance = |label: &str| stance_id(label).is_some();
    let role = |r: &str| mapping.role(r);
    let vocab = brat::Vocabulary {
        is_stance: &is_stance,
        role: &role,
        polarity_attribute: mapping.polarity_attribute.as_deref().unwrap_or("Polarity"),
        voice_attribute: mapping.voice_attribute.as_deref().unwrap_or("Voice"),
    };
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for file in files {
        let meta = std::fs::metadata(file).map_err(|e| Error::io(file, e))?;
        if meta.len() > MAX_FILE {
            problems.push(problem(
                file,
                None,
                format!(
                    "the file is {} MB; the limit is {} MB",
                    meta.len() >> 20,
                    MAX_FILE >> 20
                ),
            ));
            continue;
        }
        let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                problems.push(problem(
                    file,
                    None,
                    format!(
                        "not UTF-8 text (invalid byte at {})",
                        e.utf8_error().valid_up_to()
                    ),
                ));
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if text.trim().is_empty() {
            problems.push(problem(file, None, "the file is empty"));
            continue;
        }
        match format {
            ImportFormat::WebAnno => docs.extend(webanno::read(file, text, &mut problems)),
            ImportFormat::Brat => docs.extend(brat::read(file, text, &vocab, &mut problems)),
            ImportFormat::LabelStudio => {
                docs.extend(labelstudio::read(file, text, &is_stance, &mut problems))
            }
        }
    }
    let mut out = Imported::default();
    let mut builder = Builder::new(&corpus, mapping);
    let mut articles = Vec::new();
    for mut doc in docs {
        out.not_kept.append(&mut doc.not_kept);
        match builder.article(doc, &stance_id, &mut problems) {
            Some(a) => articles.push(a),
            None => continue,
        }
    }
    if articles.is_empty() && problems.is_empty() {
        return Err(Error::InvalidArgument(
            "nothing to import: the files hold no documents".into(),
        ));
    }
    if !problems.is_empty() {
        if !options.skip_invalid || articles.is_empty() {
            return Err(Error::Import(problems));
        }
        out.skipped = problems;
    }
    for a in &articles {
        let exists = corpus.article_ids().contains(&a.id);
        if exists && !options.update {
            return Err(Error::InvalidArgument(format!(
                "article `{}` already exists; use --update to replace it",
                a.id
            )));
        }
    }
    out.actors = builder.new_actors.iter().map(|a| a.id.clone()).collect();
    out.passages = articles.iter().map(|a| a.passages.len()).sum();
    out.stances = articles
        .iter()
        .flat_map(|a| &a.passages)
        .map(|p| p.stances.len())
        .sum();
    out.articles = articles.iter().map(|a| a.id.clone()).collect();
    publish(corpus_dir, &corpus, &builder.new_actors, &articles)?;
    Ok(out)
}

#[derive(Debug, Clone, Serialize)]
struct NewActor {
    id: String,
    name: String,
    kind: ActorKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    description: String,
}

#[derive(Debug, Clone, Serialize)]
struct ArticleOut {
    id: String,
    /// The file it was read from, for messages.
    #[serde(skip)]
    from: PathBuf,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip)]
    text: String,
    passages: Vec<PassageOut>,
}

#[derive(Debug, Clone, Serialize)]
struct PassageOut {
    id: String,
    ordinal: u32,
    span: Span,
    actors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    topics: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stances: Vec<StanceOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    events: Vec<super::model::EventIn>,
}

#[derive(Debug, Clone, Serialize)]
struct StanceOut {
    holder: String,
    stance: String,
    target: String,
    polarity: String,
    quote: String,
    voice: String,
}

/// A kebab-case id from any text.
fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

struct Builder<'c> {
    corpus: &'c Corpus,
    mapping: &'c Mapping,
    new_actors: Vec<NewActor>,
    /// Fold → actor id, for the actors created here.
    by_fold: HashMap<String, String>,
    article_ids: Vec<String>,
}

impl<'c> Builder<'c> {
    fn new(corpus: &'c Corpus, mapping: &'c Mapping) -> Self {
        Builder {
            corpus,
            mapping,
            new_actors: Vec::new(),
            by_fold: HashMap::new(),
            article_ids: Vec::new(),
        }
    }

    /// The actor a mention names.
    fn actor_for(&mut self, text: &str, label: &str, named: Option<&str>) -> String {
        let registry = self.corpus.registry();
        if let Some(id) = named {
            if registry.actor(id).is_some() || self.new_actors.iter().any(|a| a.id == id) {
                return id.to_owned();
            }
        }
        if let Some(r) = self.corpus.resolver().resolve(text) {
            if r.matches.len() == 1 {
                return r.matches[0].id.clone();
            }
        }
        let folded = fold(text);
        if let Some(id) = self.by_fold.get(&folded) {
            return id.clone();
        }
        let base = named.map(str::to_owned).unwrap_or_else(|| kebab(text));
        let base = if base.is_empty() {
            "actor".to_owned()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 2;
        while registry.actor(&id).is_some()
            || registry.topic(&id).is_some()
            || self.new_actors.iter().any(|a| a.id == id)
        {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.new_actors.push(NewActor {
            id: id.clone(),
            name: text.trim().to_owned(),
            kind: self.mapping.kind(label),
            aliases: Vec::new(),
            description: format!("Imported from a `{label}` annotation."),
        });
        self.by_fold.insert(folded, id.clone());
        id
    }

    fn article(
        &mut self,
        doc: Doc,
        stance_id: &dyn Fn(&str) -> Option<String>,
        problems: &mut Vec<Diagnostic>,
    ) -> Option<ArticleOut> {
        let file = doc.file.clone();
        let mut id = kebab(&doc.name);
        if id.is_empty() {
            id = "imported".into();
        }
        let base = id.clone();
        let mut n = 2;
        while self.article_ids.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.article_ids.push(id.clone());
        let text = &doc.text;
        // Passages: the source's, else the paragraph rule's.
        let mut passages: Vec<PassageOut> = match &doc.passages {
            Some(list) if !list.is_empty() => {
                let mut list = list.clone();
                list.sort_by_key(|p| p.span.start);
                let before = problems.len();
                for pair in list.windows(2) {
                    if pair[1].span.start < pair[0].span.end {
                        problems.push(problem(&file, pair[1].line, format!(
                            "this passage ({}..{}) overlaps the one before it ({}..{}): passages cannot overlap",
                            pair[1].span.start, pair[1].span.end, pair[0].span.start, pair[0].span.end
                        )));
                    }
                }
                if problems.len() > before {
                    return None;
                }
                list.into_iter()
                    .enumerate()
                    .map(|(i, p)| PassageOut {
                        id: p.id.clone().unwrap_or_else(|| format!("{id}-{:02}", i + 1)),
                        ordinal: i as u32 + 1,
                        span: p.span,
                        actors: p.actors.clone().unwrap_or_default(),
                        topics: p.topics.clone(),
                        stances: Vec::new(),
                        events: p.events.clone(),
                    })
                    .collect()
            }
            _ => segment(text)
                .into_iter()
                .enumerate()
                .map(|(i, span)| PassageOut {
                    id: format!("{id}-{:02}", i + 1),
                    ordinal: i as u32 + 1,
                    span,
                    actors: Vec::new(),
                    topics: Vec::new(),
                    stances: Vec::new(),
                    events: Vec::new(),
                })
                .collect(),
        };
        if passages.is_empty() {
            problems.push(problem(
                &file,
                None,
                format!("document `{}` has no text to import", doc.name),
            ));
            return None;
        }
        let listed = doc
            .passages
            .as_ref()
            .is_some_and(|l| l.iter().any(|p| p.actors.is_some()));
        let passage_at = |span: Span, passages: &[PassageOut]| {
            passages
                .iter()
                .position(|p| p.span.start <= span.start && span.end <= p.span.end)
        };
        // Mentions → actors.
        let mut mention_actor: HashMap<String, String> = HashMap::new();
        for m in &doc.mentions {
            let actor = self.actor_for(
                &text[m.span.start..m.span.end],
                &m.label,
                m.actor.as_deref(),
            );
            mention_actor.insert(m.key.clone(), actor.clone());
            match passage_at(m.span, &passages) {
                Some(i) if !listed => {
                    if !passages[i].actors.contains(&actor) {
                        passages[i].actors.push(actor);
                    }
                }
                Some(_) => {}
                None => problems.push(problem(
                    &file,
                    m.line,
                    format!(
                        "the mention {:?} crosses a passage boundary",
                        &text[m.span.start..m.span.end]
                    ),
                )),
            }
        }
        for (span, topic) in &doc.topics {
            if let Some(i) = passage_at(*span, &passages) {
                passages[i].topics.push(topic.clone());
            }
        }
        // Stances.
        for s in &doc.stances {
            let Some(stance) = stance_id(&s.label) else {
                problems.push(problem(
                    &file,
                    s.line,
                    format!(
                        "unknown stance label `{}`: map it to a stance id with --mapping",
                        s.label
                    ),
                ));
                continue;
            };
            let resolve = |r: &Ref, what: &str, problems: &mut Vec<Diagnostic>| -> Option<String> {
                match r {
                    Ref::Id(id) => Some(id.clone()),
                    Ref::Mention(key) => match mention_actor.get(key) {
                        Some(a) => Some(a.clone()),
                        None => {
                            problems.push(problem(
                                &file,
                                s.line,
                                format!("the {what} `{key}` is not an entity mention"),
                            ));
                            None
                        }
                    },
                    Ref::None => {
                        problems.push(problem(
                            &file,
                            s.line,
                            format!("a `{}` stance without a {what}", s.label),
                        ));
                        None
                    }
                }
            };
            let (Some(holder), Some(target)) = (
                resolve(&s.holder, "holder", problems),
                resolve(&s.target, "target", problems),
            ) else {
                continue;
            };
            let Some(quote) = s.quote else {
                problems.push(problem(
                    &file,
                    s.line,
                    format!("a `{}` stance without evidence text", s.label),
                ));
                continue;
            };
            let at = s
                .passage
                .as_ref()
                .and_then(|pid| passages.iter().position(|p| &p.id == pid))
                .or_else(|| passage_at(quote, &passages));
            let Some(i) = at else {
                problems.push(problem(
                    &file,
                    s.line,
                    "the evidence crosses a passage boundary",
                ));
                continue;
            };
            let polarity = match s.polarity.as_deref() {
                None => "neutral".to_owned(),
                Some(v) => match self
                    .mapping
                    .polarity
                    .get(v)
                    .map(String::as_str)
                    .unwrap_or(v)
                    .to_lowercase()
                    .as_str()
                {
                    p @ ("favor" | "against" | "neutral") => p.to_owned(),
                    "for" | "pro" | "positive" | "support" => "favor".into(),
                    "con" | "negative" | "oppose" => "against".into(),
                    other => {
                        problems.push(problem(
                            &file,
                            s.line,
                            format!("unknown polarity `{other}`: map it with --mapping"),
                        ));
                        continue;
                    }
                },
            };
            let voice = s.voice.clone().unwrap_or_else(|| "reported".into());
            for actor in [&holder, &target] {
                let is_actor = self.corpus.registry().actor(actor).is_some()
                    || self.new_actors.iter().any(|a| &a.id == actor);
                if is_actor && !listed && !passages[i].actors.contains(actor) && actor == &holder {
                    passages[i].actors.push(actor.clone());
                }
            }
            passages[i].stances.push(StanceOut {
                holder,
                stance,
                target,
                polarity,
                quote: text[quote.start..quote.end].to_owned(),
                voice,
            });
        }
        let title = doc.meta.title.clone().unwrap_or_else(|| {
            let first = text[passages[0].span.start..passages[0].span.end]
                .trim_start_matches('\u{feff}')
                .trim();
            let mut t: String = first.chars().take(80).collect();
            if t.len() < first.len() {
                t.push('…');
            }
            t
        });
        Some(ArticleOut {
            id,
            from: file.clone(),
            title,
            source: doc.meta.source.clone(),
            published: doc.meta.published.clone(),
            language: doc.meta.language.clone(),
            text: doc.text,
            passages,
        })
    }
}

/// An article's TOML in the corpus's own style: each span inline, beside
/// the passage's id and ordinal, as in hand-written articles.
fn article_toml(a: &ArticleOut) -> Result<String> {
    let cannot = |e: &dyn std::fmt::Display| {
        Error::InvalidArgument(format!("cannot write article {}: {e}", a.id))
    };
    let plain = toml::to_string(a).map_err(|e| cannot(&e))?;
    let mut doc: toml_edit::DocumentMut = plain.parse().map_err(|e| cannot(&e))?;
    if let Some(passages) = doc
        .get_mut("passages")
        .and_then(toml_edit::Item::as_array_of_tables_mut)
    {
        for p in passages.iter_mut() {
            // Rebuilt key by key: a table turned inline in place would
            // move to the end of the passage and keep a table's spacing.
            let mut rebuilt = toml_edit::Table::new();
            if let Some(position) = p.position() {
                rebuilt.set_position(Some(position));
            }
            for (key, item) in p.iter() {
                let item = match item.as_table() {
                    Some(span) if key == "span" => {
                        toml_edit::value(span.clone().into_inline_table())
                    }
                    _ => item.clone(),
                };
                rebuilt.insert(key, item);
            }
            *p = rebuilt;
        }
    }
    Ok(doc.to_string())
}

/// Stages the new corpus (registry plus links to the articles kept), runs
/// the whole check on it, then publishes: the registry first, so that the
/// corpus is valid after each step, then each article folder by rename.
fn publish(
    corpus_dir: &Path,
    corpus: &Corpus,
    actors: &[NewActor],
    articles: &[ArticleOut],
) -> Result<()> {
    let staging = corpus_dir.join(format!(".dossier-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = stage_and_publish(corpus_dir, corpus, actors, articles, &staging);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn stage_and_publish(
    corpus_dir: &Path,
    corpus: &Corpus,
    actors: &[NewActor],
    articles: &[ArticleOut],
    staging: &Path,
) -> Result<()> {
    let io = |p: &Path, e| Error::io(p, e);
    let staged = staging.join("corpus");
    std::fs::create_dir_all(staged.join("articles")).map_err(|e| io(&staged, e))?;
    for f in ["stances.toml", "topics.toml"] {
        std::fs::copy(corpus_dir.join(f), staged.join(f))
            .map_err(|e| io(&corpus_dir.join(f), e))?;
    }
    let mut actors_toml = std::fs::read_to_string(corpus_dir.join("actors.toml"))
        .map_err(|e| io(&corpus_dir.join("actors.toml"), e))?;
    if !actors.is_empty() {
        #[derive(Serialize)]
        struct Wrap<'a> {
            actors: &'a [NewActor],
        }
        let added = toml::to_string(&Wrap { actors })
            .map_err(|e| Error::InvalidArgument(format!("cannot write the new actors: {e}")))?;
        actors_toml.push_str("\n# Added by `dossier import`.\n");
        actors_toml.push_str(&added);
    }
    std::fs::write(staged.join("actors.toml"), &actors_toml).map_err(|e| io(&staged, e))?;
    let replaced: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    for id in corpus.article_ids() {
        if replaced.contains(&id.as_str()) {
            continue;
        }
        let from = corpus_dir.join("articles").join(id);
        let from = from.canonicalize().unwrap_or(from);
        std::os::unix::fs::symlink(&from, staged.join("articles").join(id))
            .map_err(|e| io(&from, e))?;
    }
    for a in articles {
        let dir = staged.join("articles").join(&a.id);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        std::fs::write(dir.join("text.txt"), &a.text).map_err(|e| io(&dir, e))?;
        let toml = article_toml(a)?;
        std::fs::write(
            dir.join("article.toml"),
            format!("# Imported by `dossier import`.\n{toml}"),
        )
        .map_err(|e| io(&dir, e))?;
    }
    // The promise: what is published passes `check`.
    // Its messages name staged files, which are gone when the user reads
    // them: name the file each article came from instead.
    let checked = Corpus::open(CorpusSource::Dir(staged.clone())).and_then(|c| c.check());
    if let Err(Error::Corpus(mut diagnostics)) = checked {
        for d in &mut diagnostics {
            let article = articles.iter().find(|a| {
                d.file
                    .components()
                    .any(|c| c.as_os_str() == std::ffi::OsStr::new(&a.id))
            });
            if let Some(a) = article {
                d.message = format!(
                    "the article `{}` it gives would be invalid: {}",
                    a.id, d.message
                );
                d.file = a.from.clone();
                (d.line, d.column) = (None, None);
            }
        }
        return Err(Error::Import(diagnostics));
    }
    checked?;
    // Publish: the registry first (new actors alone keep the corpus valid),
    // then each article, replacing a folder by rename.
    let actors_path = corpus_dir.join("actors.toml");
    let tmp = corpus_dir.join(".actors.toml.import");
    std::fs::write(&tmp, &actors_toml).map_err(|e| io(&tmp, e))?;
    std::fs::rename(&tmp, &actors_path).map_err(|e| io(&actors_path, e))?;
    std::fs::create_dir_all(corpus_dir.join("articles")).map_err(|e| io(corpus_dir, e))?;
    for a in articles {
        let target = corpus_dir.join("articles").join(&a.id);
        let from = staged.join("articles").join(&a.id);
        if target.exists() {
            let old = staging.join(format!("replaced-{}", a.id));
            std::fs::rename(&target, &old).map_err(|e| io(&target, e))?;
        }
        std::fs::rename(&from, &target).map_err(|e| io(&target, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case() {
        assert_eq!(kebab("Mohammad Javad Zarif"), "mohammad-javad-zarif");
        assert_eq!(kebab("  U.S. —  Iran "), "u-s-iran");
        assert_eq!(kebab("😀"), "");
    }
}
