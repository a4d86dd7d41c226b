//! Rendering results as text (optionally coloured), JSON or JSON lines.

use super::args::Format;
use anstyle::{AnsiColor, Style};
use dossier::corpus::{CheckSummary, CorpusSource, Registry};
use dossier::names::{MatchedBy, Resolution};
use dossier::{
    ActorCount, Error, FacetKey, Facets, Hit, Index, Result, SearchResults, StanceCount, Timeline,
};
use serde::Serialize;
use std::io::{IsTerminal, Write};

const ID: Style = AnsiColor::Cyan.on_default().bold();
const DIM: Style = Style::new().dimmed();
const MATCH: Style = AnsiColor::Red.on_default().bold();
const LABEL: Style = AnsiColor::Green.on_default();

/// Standard output. Styles are written only when colour is on (the flag,
/// `NO_COLOR`, `CLICOLOR` and whether stdout is a terminal decide, as
/// anstream does). Content is written exactly, except when it goes to a
/// terminal (or styled output, which is meant for one, as `less -R`): there,
/// control characters from the corpus are shown escaped so that they cannot
/// drive it (`\x1b]0;...` would retitle the window).
pub(crate) struct Out {
    w: std::io::BufWriter<std::io::StdoutLock<'static>>,
    pub format: Format,
    styled: bool,
    escape: bool,
}

impl Out {
    pub(crate) fn new(color: anstream::ColorChoice, format: Format) -> Self {
        let stdout = std::io::stdout();
        let styled = format == Format::Text
            && match color {
                anstream::ColorChoice::Auto => {
                    anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never
                }
                anstream::ColorChoice::Never => false,
                _ => true,
            };
        Out {
            escape: styled || stdout.is_terminal(),
            w: std::io::BufWriter::new(stdout.lock()),
            format,
            styled,
        }
    }

    pub(crate) fn flush(&mut self) -> Result<()> {
        self.w.flush().map_err(io)
    }

    /// Writes content: exactly, or with control characters escaped for a
    /// terminal.
    fn put(&mut self, text: &str) -> Result<()> {
        if self.escape {
            self.w.write_all(escape_controls(text).as_bytes())
        } else {
            self.w.write_all(text.as_bytes())
        }
        .map_err(io)
    }

    fn json<T: Serialize>(&mut self, value: &T) -> Result<()> {
        serde_json::to_writer(&mut self.w, value).map_err(|e| match e.io_error_kind() {
            Some(kind) => io(std::io::Error::from(kind)),
            None => Error::InvalidArgument(format!("cannot encode JSON: {e}")),
        })?;
        writeln!(self.w).map_err(io)
    }

    fn styled(&mut self, style: Style, text: &str) -> Result<()> {
        if self.styled {
            write!(self.w, "{style}").map_err(io)?;
            self.put(text)?;
            write!(self.w, "{style:#}").map_err(io)
        } else {
            self.put(text)
        }
    }
}

/// Shows control characters as `\xNN` or `\u{NNNN}`, so that text cannot
/// send escape sequences to a terminal. Newlines, tabs and the `\r` of a
/// CRLF line end are harmless and kept; a lone `\r`, which would overwrite
/// the line, is not.
pub(crate) fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let bad_at = |i: usize, c: char| {
        c.is_control() && c != '\n' && c != '\t' && !(c == '\r' && text[i + 1..].starts_with('\n'))
    };
    if !text.char_indices().any(|(i, c)| bad_at(i, c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if !bad_at(i, c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04x}}}", c as u32));
        }
    }
    std::borrow::Cow::Owned(out)
}

pub(crate) fn io(e: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        source: e,
    }
}

macro_rules! out {
    ($out:expr, $($arg:tt)*) => { $out.put(&format!($($arg)*)) };
}
macro_rules! outln {
    ($out:expr) => { $out.put("\n") };
    ($out:expr, $($arg:tt)*) => { $out.put(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) fn ambiguities<'a>(
    stderr: &mut dyn Write,
    list: impl Iterator<Item = &'a Resolution>,
) -> Result<()> {
    for r in list {
        let names: Vec<String> = r
            .matches
            .iter()
            .map(|m| format!("{} ({})", m.name, m.id))
            .collect();
        let note = format!(
            "dossier: note: `{}` is ambiguous; searching all of: {}",
            r.input,
            names.join(", ")
        );
        writeln!(stderr, "{}", escape_controls(&note)).map_err(io)?;
    }
    Ok(())
}

pub(crate) fn search(out: &mut Out, r: &SearchResults) -> Result<()> {
    match out.format {
        Format::Json => out.json(r),
        Format::Jsonl => r.hits.iter().try_for_each(|h| out.json(h)),
        Format::Text => {
            for (i, hit) in r.hits.iter().enumerate() {
                if i > 0 {
                    outln!(out)?;
                }
                hit_text(out, hit)?;
            }
            let shown = r.hits.len();
            if shown > 0 && r.total > shown {
                outln!(out)?;
                out.styled(
                    DIM,
                    &format!(
                        "{shown} of {} passages (use --limit/--offset for more)",
                        r.total
                    ),
                )?;
                outln!(out)?;
            }
            Ok(())
        }
    }
}

fn hit_text(out: &mut Out, hit: &Hit) -> Result<()> {
    out.styled(ID, &hit.passage)?;
    out.styled(DIM, &format!("  {} #{}", hit.article, hit.ordinal))?;
    if let Some(s) = hit.score {
        out.styled(DIM, &format!("  score {s:.2}"))?;
    }
    outln!(out)?;
    out!(out, "  ")?;
    let text = &hit.snippet.text;
    let mut at = 0;
    for h in &hit.snippet.highlights {
        if h.start < at
            || h.end > text.len()
            || !text.is_char_boundary(h.start)
            || !text.is_char_boundary(h.end)
        {
            continue;
        }
        out!(out, "{}", one_line(&text[at..h.start]))?;
        out.styled(MATCH, &one_line(&text[h.start..h.end]))?;
        at = h.end;
    }
    out!(out, "{}", one_line(&text[at..]))?;
    if text.len() < hit.text.len() {
        out!(out, " …")?;
    }
    outln!(out)?;
    if !hit.actors.is_empty() {
        out.styled(LABEL, "  actors: ")?;
        outln!(
            out,
            "{}",
            hit.actors
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    for s in &hit.stances {
        out.styled(LABEL, "  stance: ")?;
        outln!(
            out,
            "{} {} → {} ({})",
            s.holder,
            s.stance,
            s.target,
            s.polarity.as_str()
        )?;
    }
    Ok(())
}

/// A snippet on one line: every line break (`\r\n`, `\r`, `\n`) becomes a
/// space, so a CRLF passage cannot overwrite its own line.
fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\r', '\n'], " ")
}

pub(crate) fn show(out: &mut Out, hit: &Hit, registry: &Registry) -> Result<()> {
    if out.format != Format::Text {
        return out.json(hit);
    }
    out.styled(ID, &hit.passage)?;
    outln!(
        out,
        "  article {}  passage #{}  bytes {}..{}",
        hit.article,
        hit.ordinal,
        hit.span.start,
        hit.span.end
    )?;
    outln!(out)?;
    outln!(out, "{}", hit.text)?;
    outln!(out)?;
    out.styled(LABEL, "actors")?;
    outln!(out)?;
    for a in &hit.actors {
        outln!(out, "  {:<32} {}", a.id, a.name)?;
    }
    if !hit.topics.is_empty() {
        out.styled(LABEL, "topics")?;
        outln!(out)?;
        outln!(out, "  {}", hit.topics.join(", "))?;
    }
    if !hit.stances.is_empty() {
        out.styled(LABEL, "stances")?;
        outln!(out)?;
        for s in &hit.stances {
            let holder = registry
                .actor(&s.holder)
                .map_or(s.holder.as_str(), |a| a.name.as_str());
            outln!(
                out,
                "  {holder} {} → {} ({}, {} voice)",
                s.stance,
                s.target,
                s.polarity.as_str(),
                s.voice.as_str()
            )?;
            outln!(out, "    “{}”", s.quote)?;
        }
    }
    if !hit.events.is_empty() {
        out.styled(LABEL, "events")?;
        outln!(out)?;
        for e in &hit.events {
            outln!(out, "  {:<10} {}", e.date.to_string(), e.what)?;
        }
    }
    Ok(())
}

fn bar(count: u64, max: u64, width: usize) -> String {
    let n = if max == 0 {
        0
    } else {
        ((count as f64 / max as f64) * width as f64).ceil() as usize
    };
    "█".repeat(n.min(width))
}

fn key_text(k: &FacetKey) -> (String, String) {
    match k {
        FacetKey::One(a) => (a.clone(), String::new()),
        FacetKey::Pair(a, b) => (a.clone(), b.clone()),
    }
}

pub(crate) fn facets(out: &mut Out, f: &Facets, top: usize) -> Result<()> {
    if out.format == Format::Json {
        return out.json(f);
    }
    if out.format == Format::Jsonl {
        return f.counts.iter().try_for_each(|c| out.json(c));
    }
    if f.by.len() == 2 {
        return matrix(out, f);
    }
    let max = f.counts.first().map_or(0, |c| c.count);
    let rows: Vec<(String, String, u64)> = f
        .counts
        .iter()
        .take(top)
        .map(|c| (key_text(&c.value).0, key_text(&c.name).0, c.count))
        .collect();
    let w_value = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(f.by[0].as_str().len());
    let w_name = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    let show_name = rows.iter().any(|r| r.0 != r.1);
    out.styled(
        DIM,
        &format!("{} passages match; counts by {}", f.total, f.by[0].as_str()),
    )?;
    outln!(out)?;
    for (value, name, count) in &rows {
        out.styled(ID, &format!("{value:<w_value$}"))?;
        if show_name {
            out!(out, "  {name:<w_name$}")?;
        }
        out!(out, "  {count:>5}  ")?;
        out.styled(LABEL, &bar(*count, max, 30))?;
        outln!(out)?;
    }
    if f.counts.len() > rows.len() {
        out.styled(
            DIM,
            &format!(
                "… {} more (use --top or --format json)",
                f.counts.len() - rows.len()
            ),
        )?;
        outln!(out)?;
    }
    Ok(())
}

fn matrix(out: &mut Out, f: &Facets) -> Result<()> {
    let mut rows: Vec<String> = Vec::new();
    let mut cols: Vec<String> = Vec::new();
    for c in &f.counts {
        let (r, k) = key_text(&c.value);
        if !rows.contains(&r) {
            rows.push(r);
        }
        if !cols.contains(&k) {
            cols.push(k);
        }
    }
    cols.sort();
    let row_total = |r: &str| {
        f.counts
            .iter()
            .filter(|c| key_text(&c.value).0 == r)
            .map(|c| c.count)
            .sum::<u64>()
    };
    rows.sort_by(|a, b| row_total(b).cmp(&row_total(a)).then_with(|| a.cmp(b)));
    let count = |r: &str, k: &str| {
        f.counts
            .iter()
            .find(|c| key_text(&c.value) == (r.to_owned(), k.to_owned()))
            .map_or(0, |c| c.count)
    };
    let w = rows
        .iter()
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(0)
        .max(f.by[0].as_str().len());
    out.styled(
        DIM,
        &format!(
            "{} passages match; {} × {} (columns below)",
            f.total,
            f.by[0].as_str(),
            f.by[1].as_str()
        ),
    )?;
    outln!(out)?;
    out!(out, "{:<w$}", f.by[0].as_str())?;
    for i in 0..cols.len() {
        out!(out, " {:>4}", format!("[{}]", i + 1))?;
    }
    outln!(out)?;
    for r in &rows {
        out.styled(ID, &format!("{r:<w$}"))?;
        for k in &cols {
            match count(r, k) {
                0 => out.styled(DIM, &format!(" {:>4}", "·"))?,
                n => out!(out, " {n:>4}")?,
            }
        }
        outln!(out)?;
    }
    for (i, k) in cols.iter().enumerate() {
        out.styled(DIM, &format!("[{}] {k}", i + 1))?;
        outln!(out)?;
    }
    Ok(())
}

pub(crate) fn actors(out: &mut Out, rows: &[ActorCount]) -> Result<()> {
    match out.format {
        Format::Json => out.json(&rows),
        Format::Jsonl => rows.iter().try_for_each(|r| out.json(r)),
        Format::Text => {
            let w = rows.iter().map(|r| r.actor.id.len()).max().unwrap_or(0);
            for r in rows {
                out.styled(ID, &format!("{:<w$}", r.actor.id))?;
                let kind = serde_json::to_value(r.actor.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let camp = r.actor.camp.map(|c| format!(", {c}")).unwrap_or_default();
                outln!(
                    out,
                    "  {:>3} {}  {} ({kind}{camp})",
                    r.passages,
                    if r.passages == 1 {
                        "passage "
                    } else {
                        "passages"
                    },
                    r.actor.name
                )?;
            }
            Ok(())
        }
    }
}

pub(crate) fn resolution(out: &mut Out, r: &Resolution, registry: &Registry) -> Result<()> {
    if out.format != Format::Text {
        return out.json(r);
    }
    outln!(out, "`{}` folds to `{}`", r.input, r.folded)?;
    if r.is_ambiguous() {
        outln!(
            out,
            "it is ambiguous: it names {} actors, and searches use all of them",
            r.matches.len()
        )?;
    }
    for m in &r.matches {
        out.styled(ID, &m.id)?;
        let how = match &m.matched_by {
            MatchedBy::Id => "its id".to_owned(),
            MatchedBy::Name(n) => format!("its name `{n}`"),
            MatchedBy::Alias(a) => format!("its alias `{a}`"),
            MatchedBy::NamePart(p) => format!("`{p}` as one word of its name"),
        };
        outln!(out, "  {} — matched by {how}", m.name)?;
        if let Some(a) = registry.actor(&m.id) {
            if !a.aliases.is_empty() {
                outln!(out, "  also known as: {}", a.aliases.join(", "))?;
            }
            if let Some(d) = &a.description {
                outln!(out, "  {d}")?;
            }
        }
    }
    Ok(())
}

pub(crate) fn stances(out: &mut Out, rows: &[StanceCount]) -> Result<()> {
    match out.format {
        Format::Json => out.json(&rows),
        Format::Jsonl => rows.iter().try_for_each(|r| out.json(r)),
        Format::Text => {
            // Indented two spaces per level of the taxonomy.
            let depth = |r: &StanceCount| {
                let mut depth = 0;
                let mut parent = r.stance.parent.as_deref();
                while let Some(p) = parent.filter(|_| depth < rows.len()) {
                    depth += 1;
                    parent = rows
                        .iter()
                        .find(|r| r.stance.id == p)
                        .and_then(|r| r.stance.parent.as_deref());
                }
                depth
            };
            let w = rows
                .iter()
                .map(|r| r.stance.id.len() + 2 * depth(r))
                .max()
                .unwrap_or(0);
            for r in rows.iter().filter(|r| r.stance.parent.is_none()) {
                stance_tree(out, rows, r, 0, w)?;
            }
            Ok(())
        }
    }
}

fn stance_tree(
    out: &mut Out,
    rows: &[StanceCount],
    row: &StanceCount,
    depth: usize,
    w: usize,
) -> Result<()> {
    let label = format!("{}{}", "  ".repeat(depth), row.stance.id);
    out.styled(ID, &format!("{label:<w$}"))?;
    outln!(
        out,
        " {:>3} {}  {}",
        row.passages,
        if row.passages == 1 {
            "passage "
        } else {
            "passages"
        },
        row.stance.description
    )?;
    for child in rows
        .iter()
        .filter(|c| c.stance.parent.as_deref() == Some(row.stance.id.as_str()))
    {
        stance_tree(out, rows, child, depth + 1, w)?;
    }
    Ok(())
}

pub(crate) fn timeline(out: &mut Out, t: &Timeline) -> Result<()> {
    match out.format {
        Format::Json => out.json(t),
        Format::Jsonl => t.events.iter().try_for_each(|e| out.json(e)),
        Format::Text => {
            for e in &t.events {
                let date = match e.event.date.year() {
                    Some(_) => e.event.date.to_string(),
                    None => format!("{} (year not stated)", e.event.date),
                };
                out.styled(LABEL, &format!("{date:<10}"))?;
                out!(out, "  ")?;
                out.styled(ID, &e.passage)?;
                outln!(out, "  {}", e.event.what)?;
            }
            Ok(())
        }
    }
}

pub(crate) fn check(out: &mut Out, source: &CorpusSource, s: &CheckSummary) -> Result<()> {
    if out.format != Format::Text {
        return out.json(s);
    }
    for w in &s.warnings {
        out.styled(AnsiColor::Yellow.on_default(), "warning: ")?;
        outln!(out, "{w}")?;
    }
    let what = match source {
        CorpusSource::Dir(d) => format!("corpus `{}`", d.display()),
        CorpusSource::Builtin => source.describe(),
    };
    outln!(out, "{what} is valid")?;
    outln!(out, "  articles           {:>6}", s.articles)?;
    outln!(out, "  passages           {:>6}", s.passages)?;
    outln!(out, "  actors             {:>6}", s.actors)?;
    outln!(
        out,
        "  stances            {:>6}  ({} annotations)",
        s.stances,
        s.stance_annotations
    )?;
    outln!(out, "  topics             {:>6}", s.topics)?;
    outln!(out, "  events             {:>6}", s.events)?;
    outln!(out, "  warnings           {:>6}", s.warnings.len())
}

pub(crate) fn index_status(out: &mut Out, index: &Index, took: std::time::Duration) -> Result<()> {
    let stats = index.stats();
    let size = format!(
        "{} passages from {} articles",
        stats.passages, stats.articles
    );
    let took = took.as_secs_f64();
    match index.freshness() {
        dossier::Freshness::Reused if index.vouched_by_watcher() => outln!(
            out,
            "index is up to date (dossier watch saw no change): {size}"
        )?,
        dossier::Freshness::Reused => outln!(out, "index is up to date: {size}")?,
        dossier::Freshness::Built(reason) => {
            outln!(out, "built index of {size} in {took:.2} s ({reason})")?
        }
        dossier::Freshness::Updated(summary) => {
            outln!(out, "updated {summary} in {took:.2} s; {size}")?
        }
        dossier::Freshness::StaleReadOnly(reason) => outln!(
            out,
            "index is stale ({reason}) but read-only; it holds {size}"
        )?,
    }
    outln!(out, "  {}", index.path().display())
}

/// What a command other than `index` says on stderr about the index it
/// opened: nothing when it was fresh or built for the first time.
pub(crate) fn refresh_note(index: &Index, took: std::time::Duration) -> Option<String> {
    let took = took.as_secs_f64();
    match index.freshness() {
        dossier::Freshness::Reused => None,
        dossier::Freshness::Built(reason) if reason == "there is no index yet" => None,
        dossier::Freshness::Built(reason) => Some(format!("rebuilt the index in {took:.2} s: {reason}")),
        dossier::Freshness::Updated(summary) => Some(format!("updated {summary} in {took:.2} s")),
        dossier::Freshness::StaleReadOnly(reason) => Some(format!(
            "warning: the index at {} is stale ({reason}) and cannot be written; answering from it anyway",
            index.path().display()
        )),
    }
}

pub(crate) fn added(out: &mut Out, a: &dossier::interchange::Added) -> Result<()> {
    if out.format != Format::Text {
        return out.json(a);
    }
    outln!(
        out,
        "added {}: {} passages, {} actor mentions filled in",
        a.dir.display(),
        a.passages,
        a.actors
    )?;
    let names: usize = a.unregistered.iter().map(|(_, n)| n.len()).sum();
    if names > 0 {
        outln!(
            out,
            "  {names} capitalised names match no registered actor; they are listed as comments in article.toml"
        )?;
    }
    outln!(
        out,
        "  next: add stances, topics and events, then run `dossier check`"
    )
}

/// "1 article", "2 articles".
pub(crate) fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn imported(
    out: &mut Out,
    corpus: &std::path::Path,
    i: &dossier::interchange::Imported,
) -> Result<()> {
    if out.format != Format::Text {
        return out.json(i);
    }
    for d in &i.skipped {
        outln!(out, "skipped: {}", escape_controls(&d.to_string()))?;
    }
    for d in &i.not_kept {
        outln!(out, "not kept: {}", escape_controls(&d.to_string()))?;
    }
    outln!(
        out,
        "imported {} into {}: {}, {}, {}",
        count(i.articles.len(), "article"),
        escape_controls(&corpus.display().to_string()),
        count(i.passages, "passage"),
        count(i.stances, "stance annotation"),
        count(i.actors.len(), "new actor"),
    )?;
    for id in &i.articles {
        outln!(out, "  articles/{}", escape_controls(id))?;
    }
    if !i.actors.is_empty() {
        outln!(
            out,
            "  new actors: {}",
            escape_controls(&i.actors.join(", "))
        )?;
        outln!(
            out,
            "  next: review the new actors in actors.toml (kind, aliases), then run `dossier check`"
        )?;
    }
    Ok(())
}
