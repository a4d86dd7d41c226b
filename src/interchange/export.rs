//! `dossier export`: whatever a search selects (everything by default), in
//! the formats analysts and annotators use. Every format carries every
//! annotation of the selected passages; offsets are converted exactly.

use super::{brat, labelstudio, webanno};
use crate::corpus::{Article, Corpus, Passage, Registry};
use crate::error::{Error, Result};
use crate::index::Index;
use crate::query::Query;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One row per stance annotation (RFC 4180, UTF-8).
    CsvStances,
    /// One row per passage, with its actors and topics joined.
    CsvPassages,
    /// W3C Web Annotation JSON-LD: one `AnnotationCollection`.
    WebAnno,
    /// W3C Web Annotation as JSON Lines: one annotation per line, each
    /// article's text first as a `dossier:Source` line.
    WebAnnoLines,
    /// brat standoff: `ID.txt` and `ID.ann` per article, and
    /// `annotation.conf`, in a folder.
    Brat,
    /// Label Studio tasks (one per passage) with dossier's annotations as
    /// predictions, and the labelling config, in a folder.
    LabelStudio,
    /// The search JSON, one hit per line.
    Jsonl,
}

impl ExportFormat {
    /// Whether the format writes a folder of files (else one stream).
    pub fn is_folder(self) -> bool {
        matches!(self, ExportFormat::Brat | ExportFormat::LabelStudio)
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Exported {
    /// Articles with at least one selected passage.
    pub articles: usize,
    /// Passages selected.
    pub passages: usize,
    /// Stance annotations written.
    pub stances: usize,
}

/// One article with the passages a search selected, in order.
pub(crate) struct Selection {
    pub article: Article,
    /// Indexes into `article.passages`.
    pub selected: Vec<usize>,
}

impl Selection {
    pub(crate) fn passages(&self) -> impl Iterator<Item = &Passage> {
        self.selected.iter().map(|&i| &self.article.passages[i])
    }
}

/// The selected passages, grouped by article. The index selects (query and
/// filters); the corpus supplies what the index does not keep (the whole
/// article text, titles).
fn select(
    index: &Index,
    corpus: &Corpus,
    query: &Query,
    mut each: impl FnMut(Selection) -> Result<()>,
) -> Result<()> {
    let mut current: Option<(String, BTreeSet<u32>)> = None;
    let flush = |current: Option<(String, BTreeSet<u32>)>,
                 each: &mut dyn FnMut(Selection) -> Result<()>|
     -> Result<()> {
        if let Some((id, ordinals)) = current {
            let article = corpus.article(&id)?;
            let selected = article
                .passages
                .iter()
                .enumerate()
                .filter(|(_, p)| ordinals.contains(&p.ordinal))
                .map(|(i, _)| i)
                .collect();
            each(Selection { article, selected })?;
        }
        Ok(())
    };
    for hit in index.all_hits(query)? {
        let hit = hit?;
        match &mut current {
            Some((id, ordinals)) if *id == hit.article => {
                ordinals.insert(hit.ordinal);
            }
            _ => {
                flush(current.take(), &mut each)?;
                current = Some((hit.article, BTreeSet::from([hit.ordinal])));
            }
        }
    }
    flush(current, &mut each)
}

/// Exports what `query` selects to `out`: a file (or standard output when
/// `None`) for stream formats, a folder for folder formats.
pub fn export(
    index: &Index,
    corpus: &Corpus,
    query: &Query,
    format: ExportFormat,
    out: Option<&Path>,
) -> Result<Exported> {
    let registry = index.registry()?;
    let mut stats = Exported::default();
    if format.is_folder() {
        let dir = out.ok_or_else(|| {
            Error::InvalidArgument("this format writes a folder: give --out DIR".into())
        })?;
        prepare_folder(dir)?;
        let mut all = Vec::new();
        select(index, corpus, query, |s| {
            count(&mut stats, &s);
            all.push(s);
            Ok(())
        })?;
        match format {
            ExportFormat::Brat => brat::write(dir, &all, registry, corpus)?,
            _ => labelstudio::write(dir, &all, registry, corpus)?,
        }
        return Ok(stats);
    }
    let stream: Box<dyn Write> = match out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| Error::io(path, e))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut stream = std::io::BufWriter::new(stream);
    let io = |e: std::io::Error| Error::io(out.unwrap_or(Path::new("<stdout>")), e);
    match format {
        ExportFormat::CsvStances | ExportFormat::CsvPassages => {
            let mut csv = csv::Writer::from_writer(&mut stream);
            let stances = format == ExportFormat::CsvStances;
            csv.write_record(if stances {
                &STANCE_COLUMNS[..]
            } else {
                &PASSAGE_COLUMNS[..]
            })
            .map_err(csv_error)?;
            select(index, corpus, query, |s| {
                count(&mut stats, &s);
                if stances {
                    stance_rows(&mut csv, &s, registry)
                } else {
                    passage_rows(&mut csv, &s, registry)
                }
            })?;
            csv.flush().map_err(io)?;
        }
        ExportFormat::Jsonl => {
            let mut last_article = String::new();
            for hit in index.all_hits(query)? {
                let hit = hit?;
                if hit.article != last_article {
                    stats.articles += 1;
                    last_article.clone_from(&hit.article);
                }
                stats.passages += 1;
                stats.stances += hit.stances.len();
                serde_json::to_writer(&mut stream, &hit).map_err(|e| io(e.into()))?;
                stream.write_all(b"\n").map_err(io)?;
            }
        }
        ExportFormat::WebAnno | ExportFormat::WebAnnoLines => {
            let lines = format == ExportFormat::WebAnnoLines;
            let mut writer = webanno::Writer::new(&mut stream, lines).map_err(io)?;
            select(index, corpus, query, |s| {
                count(&mut stats, &s);
                writer.article(&s).map_err(io)
            })?;
            writer.finish().map_err(io)?;
        }
        ExportFormat::Brat | ExportFormat::LabelStudio => unreachable!("folder formats"),
    }
    stream.flush().map_err(io)?;
    Ok(stats)
}

fn count(stats: &mut Exported, s: &Selection) {
    stats.articles += 1;
    stats.passages += s.selected.len();
    stats.stances += s.passages().map(|p| p.stances.len()).sum::<usize>();
}

/// An export folder must be new or empty: nothing of the user's is
/// overwritten.
fn prepare_folder(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::InvalidArgument(format!(
                    "{} is not empty; export into a new or empty folder",
                    dir.display()
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::InvalidArgument(format!("cannot write CSV: {e}"))
}

const STANCE_COLUMNS: [&str; 16] = [
    "article",
    "passage",
    "ordinal",
    "holder",
    "holder_name",
    "stance",
    "target",
    "target_name",
    "polarity",
    "voice",
    "quote",
    "quote_start",
    "quote_end",
    "passage_start",
    "passage_end",
    "passage_text",
];

const PASSAGE_COLUMNS: [&str; 11] = [
    "article",
    "passage",
    "ordinal",
    "start",
    "end",
    "actors",
    "actor_names",
    "topics",
    "stances",
    "events",
    "text",
];

/// An actor's name, or a topic's id as it is.
fn name_of<'r>(registry: &'r Registry, id: &'r str) -> &'r str {
    registry.actor(id).map_or(id, |a| a.name.as_str())
}

/// Where a quote is in the article: the passage start plus its first
/// occurrence in the passage (validation guarantees there is one).
pub(crate) fn quote_span(p: &Passage, quote: &str) -> (usize, usize) {
    let at = p.span.start + p.text.find(quote).unwrap_or(0);
    (at, at + quote.len())
}

fn stance_rows<W: Write>(
    csv: &mut csv::Writer<W>,
    s: &Selection,
    registry: &Registry,
) -> Result<()> {
    for p in s.passages() {
        for st in &p.stances {
            let (qs, qe) = quote_span(p, &st.quote);
            csv.write_record([
                s.article.id.as_str(),
                &p.id,
                &p.ordinal.to_string(),
                &st.holder,
                name_of(registry, &st.holder),
                &st.stance,
                &st.target,
                name_of(registry, &st.target),
                st.polarity.as_str(),
                st.voice.as_str(),
                &st.quote,
                &qs.to_string(),
                &qe.to_string(),
                &p.span.start.to_string(),
                &p.span.end.to_string(),
                &p.text,
            ])
            .map_err(csv_error)?;
        }
    }
    Ok(())
}

fn passage_rows<W: Write>(
    csv: &mut csv::Writer<W>,
    s: &Selection,
    registry: &Registry,
) -> Result<()> {
    for p in s.passages() {
        let names: Vec<&str> = p.actors.iter().map(|a| name_of(registry, a)).collect();
        let stances: Vec<String> = p
            .stances
            .iter()
            .map(|st| {
                format!(
                    "{} {} → {} ({})",
                    st.holder,
                    st.stance,
                    st.target,
                    st.polarity.as_str()
                )
            })
            .collect();
        let events: Vec<String> = p
            .events
            .iter()
            .map(|e| format!("{}: {}", e.date, e.what))
            .collect();
        csv.write_record([
            s.article.id.as_str(),
            &p.id,
            &p.ordinal.to_string(),
            &p.span.start.to_string(),
            &p.span.end.to_string(),
            &p.actors.join("; "),
            &names.join("; "),
            &p.topics.join("; "),
            &stances.join("; "),
            &events.join("; "),
            &p.text,
        ])
        .map_err(csv_error)?;
    }
    Ok(())
}
