//! brat standoff (`.txt` + `.ann`), both ways.
//!
//! Export, per article: the exact text; each passage as a `Passage` span
//! with its dossier record (id, actors, topics, events) in a note; each
//! mention of a listed actor (found by the name matcher) as an entity of
//! the actor's kind, linked to the actor by a normalization
//! (`N… Reference T… dossier:ID`); each stance as an event whose trigger is
//! the evidence quote, with the holder and target mentions as `Holder` and
//! `Target` arguments when the passage names them, polarity and voice as
//! attributes, and the holder and target ids in a note. Offsets count
//! characters (code points), and a span that crosses a line break is split
//! into fragments, as brat wants. `annotation.conf` declares every type.
//!
//! Import reads T (text-bound, with discontinuous spans), E (events, nested
//! ones too), R (relations), A/M (attributes), N (normalizations) and #
//! (notes) lines. The text column of a T line must match the text at its
//! offsets; a mismatch is reported with the file and line.

use super::export::{quote_span, Selection};
use super::model::{problem, ArticleMeta, Doc, EventIn, MentionIn, PassageIn, Ref, StanceIn};
use super::offsets::{Offsets, Unit};
use crate::corpus::{ActorKind, Corpus, Registry, Span};
use crate::error::{Diagnostic, Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// Entity types of actor kinds, in the order configs list them.
pub(crate) const ENTITY_LABELS: [&str; 7] = [
    "Person",
    "Organization",
    "State",
    "Group",
    "Media",
    "Collective",
    "Author",
];

/// The entity type of an actor kind.
pub(crate) fn kind_label(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::Person => "Person",
        ActorKind::Organization => "Organization",
        ActorKind::State => "State",
        ActorKind::Group => "Group",
        ActorKind::Media => "Media",
        ActorKind::Collective => "Collective",
        ActorKind::Author => "Author",
    }
}

/// dossier's record of a passage, in a note on its span.
#[derive(Debug, Serialize, Deserialize)]
struct PassageNote {
    /// The article's own fields, on its first passage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    article: Option<ArticleMeta>,
    passage: String,
    actors: Vec<String>,
    topics: Vec<String>,
    events: Vec<EventIn>,
}

/// dossier's record of a stance, in a note on its event.
#[derive(Debug, Serialize, Deserialize)]
struct StanceNote {
    holder: String,
    target: String,
    passage: String,
}

const NOTE_PREFIX: &str = "dossier:";

/// Brat fragments of a byte span: code point offsets, split at line breaks.
fn fragments(text: &str, offsets: &Offsets, span: Span) -> (String, String) {
    let mut parts = Vec::new();
    let mut texts = Vec::new();
    let mut start = span.start;
    for (i, c) in text[span.start..span.end].char_indices() {
        if c == '\n' || c == '\r' {
            let at = span.start + i;
            if at > start {
                parts.push((start, at));
            }
            start = at + c.len_utf8();
        }
    }
    if span.end > start {
        parts.push((start, span.end));
    }
    let cp = |b| {
        offsets
            .convert(b, Unit::Bytes, Unit::CodePoints)
            .unwrap_or(0)
    };
    let mut ranges = String::new();
    for (s, e) in parts {
        if !ranges.is_empty() {
            ranges.push(';');
        }
        let _ = write!(ranges, "{} {}", cp(s), cp(e));
        texts.push(&text[s..e]);
    }
    (ranges, texts.join(" "))
}

/// Writes `ID.txt`, `ID.ann` per article and `annotation.conf` into `dir`.
pub(crate) fn write(
    dir: &Path,
    all: &[Selection],
    registry: &Registry,
    corpus: &Corpus,
) -> Result<()> {
    let mut stance_types = BTreeSet::new();
    let io = |path: &Path, e| Error::io(path, e);
    for s in all {
        let a = &s.article;
        let offsets = Offsets::new(&a.text);
        let mut ann = String::new();
        let mut t = 0;
        let mut other = 0;
        let mut next_t = || {
            t += 1;
            format!("T{t}")
        };
        for (n, p) in s.passages().enumerate() {
            let pt = next_t();
            let (ranges, covered) = fragments(&a.text, &offsets, p.span);
            let _ = writeln!(ann, "{pt}\tPassage {ranges}\t{covered}");
            let note = PassageNote {
                article: (n == 0).then(|| ArticleMeta::of(a)),
                passage: p.id.clone(),
                actors: p.actors.clone(),
                topics: p.topics.clone(),
                events: p
                    .events
                    .iter()
                    .map(|e| EventIn {
                        date: e.date.to_string(),
                        what: e.what.clone(),
                        actors: e.actors.clone(),
                    })
                    .collect(),
            };
            other += 1;
            let json = serde_json::to_string(&note)
                .map_err(|e| Error::InvalidArgument(format!("cannot encode a note: {e}")))?;
            let _ = writeln!(ann, "#{other}\tAnnotatorNotes {pt}\t{NOTE_PREFIX}{json}");
            // Mentions of the listed actors, by the name matcher.
            let mut mention_of: HashMap<&str, String> = HashMap::new();
            for o in corpus.mentions().occurrences(&p.text) {
                if !p.actors.iter().any(|a| a == o.actor) {
                    continue;
                }
                let kind = registry.actor(o.actor).map_or(ActorKind::Group, |x| x.kind);
                let span = Span {
                    start: p.span.start + o.start,
                    end: p.span.start + o.end,
                };
                let tid = next_t();
                let (ranges, covered) = fragments(&a.text, &offsets, span);
                let _ = writeln!(ann, "{tid}\t{} {ranges}\t{covered}", kind_label(kind));
                other += 1;
                let name = registry.actor(o.actor).map_or(o.actor, |x| x.name.as_str());
                let _ = writeln!(ann, "N{other}\tReference {tid} dossier:{}\t{name}", o.actor);
                mention_of.entry(o.actor).or_insert(tid);
            }
            for st in &p.stances {
                let (qs, qe) = quote_span(p, &st.quote);
                let trigger = next_t();
                let (ranges, covered) = fragments(&a.text, &offsets, Span { start: qs, end: qe });
                let _ = writeln!(ann, "{trigger}\t{} {ranges}\t{covered}", st.stance);
                stance_types.insert(st.stance.clone());
                other += 1;
                let e = format!("E{other}");
                let mut args = format!("{e}\t{}:{trigger}", st.stance);
                if let Some(h) = mention_of.get(st.holder.as_str()) {
                    let _ = write!(args, " Holder:{h}");
                }
                if let Some(tg) = mention_of.get(st.target.as_str()) {
                    let _ = write!(args, " Target:{tg}");
                }
                let _ = writeln!(ann, "{args}");
                other += 1;
                let _ = writeln!(ann, "A{other}\tPolarity {e} {}", st.polarity.as_str());
                other += 1;
                let _ = writeln!(ann, "A{other}\tVoice {e} {}", st.voice.as_str());
                other += 1;
                let note = StanceNote {
                    holder: st.holder.clone(),
                    target: st.target.clone(),
                    passage: p.id.clone(),
                };
                let json = serde_json::to_string(&note)
                    .map_err(|e| Error::InvalidArgument(format!("cannot encode a note: {e}")))?;
                let _ = writeln!(ann, "#{other}\tAnnotatorNotes {e}\t{NOTE_PREFIX}{json}");
            }
        }
        let txt = dir.join(format!("{}.txt", a.id));
        std::fs::write(&txt, &a.text).map_err(|e| io(&txt, e))?;
        let path = dir.join(format!("{}.ann", a.id));
        std::fs::write(&path, ann).map_err(|e| io(&path, e))?;
    }
    let mut conf = String::from("# brat configuration for a dossier export\n[entities]\nPassage\n");
    for k in ENTITY_LABELS {
        let _ = writeln!(conf, "{k}");
    }
    let _ = writeln!(
        conf,
        "\n[relations]\n<OVERLAP>\tArg1:<ANY>, Arg2:<ANY>, <OVL-TYPE>:<ANY>\n\n[events]"
    );
    for s in &stance_types {
        let _ = writeln!(conf, "{s}\tHolder?:<ENTITY>, Target?:<ENTITY>");
    }
    let _ = writeln!(
        conf,
        "\n[attributes]\nPolarity\tArg:<EVENT>, Value:favor|against|neutral\nVoice\tArg:<EVENT>, Value:author|reported"
    );
    let path = dir.join("annotation.conf");
    std::fs::write(&path, conf).map_err(|e| io(&path, e))
}

/// How an imported brat document names its stances and roles.
pub(crate) struct Vocabulary<'m> {
    /// Whether a type (of a T trigger, an event or a relation) is a stance.
    pub is_stance: &'m dyn Fn(&str) -> bool,
    /// `holder`, `target`, or neither, for an argument role.
    pub role: &'m dyn Fn(&str) -> Option<&'static str>,
    /// The attribute names that carry polarity and voice.
    pub polarity_attribute: &'m str,
    pub voice_attribute: &'m str,
}

/// An event (E line) or a relation (R line, with no trigger).
struct Link {
    id: String,
    kind: String,
    trigger: String,
    /// (role, annotation id), in order.
    args: Vec<(String, String)>,
    line: usize,
}

struct TLine {
    label: String,
    span: Span,
    line: usize,
}

/// Reads one `.ann` file and its `.txt`.
pub(crate) fn read(
    ann_path: &Path,
    ann: &str,
    vocab: &Vocabulary<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Doc> {
    let txt_path = ann_path.with_extension("txt");
    let text = match std::fs::read(&txt_path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => t,
            Err(_) => {
                problems.push(problem(&txt_path, None, "the text is not UTF-8"));
                return None;
            }
        },
        Err(e) => {
            problems.push(problem(
                ann_path,
                None,
                format!("its text {} cannot be read: {e}", txt_path.display()),
            ));
            return None;
        }
    };
    let offsets = Offsets::new(&text);
    let mut ts: HashMap<String, TLine> = HashMap::new();
    let mut t_order: Vec<String> = Vec::new();
    let mut events: Vec<Link> = Vec::new();
    let mut relations: Vec<Link> = Vec::new();
    let mut attributes: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut norms: HashMap<String, String> = HashMap::new();
    let mut notes: HashMap<String, String> = HashMap::new();
    let mut not_kept = Vec::new();
    let mut attribute_lines: HashMap<(String, String), usize> = HashMap::new();
    for (i, raw) in ann.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = raw.split('\t').collect();
        let id = fields[0];
        let bad = |problems: &mut Vec<Diagnostic>, what: &str| {
            problems.push(problem(
                ann_path,
                Some(line),
                format!("malformed {what} line: {raw:?}"),
            ));
        };
        match id.chars().next() {
            Some('T') => {
                let (Some(head), Some(covered)) = (fields.get(1), fields.get(2)) else {
                    bad(problems, "text-bound");
                    continue;
                };
                let Some((label, ranges)) = head.split_once(' ') else {
                    bad(problems, "text-bound");
                    continue;
                };
                let mut frags = Vec::new();
                let mut ok = true;
                for r in ranges.split(';') {
                    let nums: Vec<Option<usize>> =
                        r.split_whitespace().map(|n| n.parse().ok()).collect();
                    match nums.as_slice() {
                        [Some(s), Some(e)] if s <= e => {
                            match offsets.to_bytes(*s, *e, Unit::CodePoints) {
                                Some(b) => frags.push(b),
                                None => {
                                    problems.push(problem(
                                        ann_path,
                                        Some(line),
                                        format!(
                                            "span {s} {e} is outside the text ({} characters)",
                                            offsets.len(Unit::CodePoints)
                                        ),
                                    ));
                                    ok = false;
                                }
                            }
                        }
                        _ => {
                            bad(problems, "text-bound");
                            ok = false;
                        }
                    }
                }
                if !ok || frags.is_empty() {
                    continue;
                }
                let at_offsets: Vec<&str> = frags.iter().map(|&(s, e)| &text[s..e]).collect();
                if at_offsets.join(" ") != *covered {
                    problems.push(problem(
                        ann_path,
                        Some(line),
                        format!(
                        "{id}: the text {covered:?} disagrees with the text at its offsets: {:?}",
                        at_offsets.join(" ")
                    ),
                    ));
                    continue;
                }
                let span = Span {
                    start: frags.iter().map(|f| f.0).min().unwrap_or(0),
                    end: frags.iter().map(|f| f.1).max().unwrap_or(0),
                };
                t_order.push(id.to_owned());
                ts.insert(
                    id.to_owned(),
                    TLine {
                        label: label.to_owned(),
                        span,
                        line,
                    },
                );
            }
            Some('E') => {
                let Some(body) = fields.get(1) else {
                    bad(problems, "event");
                    continue;
                };
                let mut parts = body.split_whitespace();
                let Some((kind, trigger)) = parts.next().and_then(|p| p.split_once(':')) else {
                    bad(problems, "event");
                    continue;
                };
                let args = parts
                    .filter_map(|a| a.split_once(':'))
                    .map(|(r, v)| {
                        (
                            r.trim_end_matches(char::is_numeric).to_owned(),
                            v.to_owned(),
                        )
                    })
                    .collect();
                events.push(Link {
                    id: id.to_owned(),
                    kind: kind.to_owned(),
                    trigger: trigger.to_owned(),
                    args,
                    line,
                });
            }
            Some('R') => {
                let Some(body) = fields.get(1) else {
                    bad(problems, "relation");
                    continue;
                };
                let mut parts = body.split_whitespace();
                let Some(kind) = parts.next() else {
                    bad(problems, "relation");
                    continue;
                };
                let args = parts
                    .filter_map(|a| a.split_once(':'))
                    .map(|(r, v)| (r.to_owned(), v.to_owned()))
                    .collect();
                relations.push(Link {
                    id: id.to_owned(),
                    kind: kind.to_owned(),
                    trigger: String::new(),
                    args,
                    line,
                });
            }
            Some('A') | Some('M') => {
                let parts: Vec<&str> = fields
                    .get(1)
                    .map(|b| b.split_whitespace().collect())
                    .unwrap_or_default();
                match parts.as_slice() {
                    [name, target] | [name, target, _] => {
                        let value = parts.get(2).map_or("true", |v| v);
                        attribute_lines.insert(((*target).to_owned(), (*name).to_owned()), line);
                        attributes
                            .entry((*target).to_owned())
                            .or_default()
                            .push(((*name).to_owned(), value.to_owned()));
                    }
                    _ => bad(problems, "attribute"),
                }
            }
            Some('N') => {
                let parts: Vec<&str> = fields
                    .get(1)
                    .map(|b| b.split_whitespace().collect())
                    .unwrap_or_default();
                if let [_, target, reference] = parts.as_slice() {
                    if let Some(actor) = reference.strip_prefix("dossier:") {
                        norms.insert((*target).to_owned(), actor.to_owned());
                    } else {
                        not_kept.push(problem(ann_path, Some(line), format!(
                            "{id}: the reference {reference} of {target} is not kept (dossier links actors to its own registry)"
                        )));
                    }
                } else {
                    bad(problems, "normalization");
                }
            }
            Some('#') => {
                let target = fields.get(1).and_then(|b| b.split_whitespace().nth(1));
                if let (Some(target), Some(note)) = (target, fields.get(2)) {
                    if !note.starts_with(NOTE_PREFIX) {
                        not_kept.push(problem(ann_path, Some(line), format!(
                            "{id}: the note on {target} is not kept (dossier has no free-text notes): {note:?}"
                        )));
                    }
                    notes.insert(target.to_owned(), (*note).to_owned());
                }
            }
            _ => bad(problems, "unknown"),
        }
    }
    let name = ann_path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    // Attributes other than polarity and voice on stances have no place.
    let stance_ids: BTreeSet<&str> = events
        .iter()
        .filter(|e| (vocab.is_stance)(&e.kind))
        .map(|e| e.id.as_str())
        .chain(
            relations
                .iter()
                .filter(|r| (vocab.is_stance)(&r.kind))
                .map(|r| r.id.as_str()),
        )
        .collect();
    for ((target, name), line) in &attribute_lines {
        let kept = stance_ids.contains(target.as_str())
            && (name == vocab.polarity_attribute || name == vocab.voice_attribute);
        if !kept {
            not_kept.push(problem(ann_path, Some(*line), format!(
                "the attribute {name} of {target} is not kept (dossier keeps polarity and voice of stances)"
            )));
        }
    }
    not_kept.sort_by_key(|d| d.line);
    let mut doc = Doc {
        file: ann_path.to_owned(),
        name,
        text,
        not_kept,
        ..Doc::default()
    };
    let attr = |id: &str, name: &str| {
        attributes
            .get(id)
            .and_then(|list| list.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone()))
    };
    // Triggers of stance events are not mentions.
    let triggers: BTreeSet<String> = events.iter().map(|e| e.trigger.clone()).collect();
    for id in &t_order {
        let t = &ts[id];
        if t.label == "Passage" {
            let mut record = notes
                .get(id)
                .and_then(|n| n.strip_prefix(NOTE_PREFIX))
                .and_then(|j| serde_json::from_str::<PassageNote>(j).ok());
            if let Some(meta) = record.as_mut().and_then(|r| r.article.take()) {
                doc.meta = meta;
            }
            let passage = match record {
                Some(r) => PassageIn {
                    span: t.span,
                    line: Some(t.line),
                    id: Some(r.passage),
                    actors: Some(r.actors),
                    topics: r.topics,
                    events: r.events,
                },
                None => PassageIn {
                    span: t.span,
                    line: Some(t.line),
                    ..PassageIn::default()
                },
            };
            doc.passages.get_or_insert_with(Vec::new).push(passage);
        } else if !triggers.contains(id) {
            if (vocab.is_stance)(&t.label) {
                problems.push(problem(ann_path, Some(t.line), format!(
                    "{id}: a `{}` span that no event uses: a stance needs an event (an E line) or a relation naming its holder and target",
                    t.label
                )));
                continue;
            }
            doc.mentions.push(MentionIn {
                key: id.clone(),
                label: t.label.clone(),
                span: t.span,
                actor: norms.get(id).cloned(),
                line: Some(t.line),
            });
        }
    }
    // An argument that is itself an event stands for that event's holder:
    // "X condemns [Y attacking Z]" is X against Y.
    let holder_of_event = |id: &str| -> Ref {
        events
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| {
                e.args
                    .iter()
                    .find(|(r, _)| (vocab.role)(r) == Some("holder"))
            })
            .map_or(Ref::None, |(_, v)| Ref::Mention(v.clone()))
    };
    let resolve = |v: &str| {
        if v.starts_with('E') {
            holder_of_event(v)
        } else {
            Ref::Mention(v.to_owned())
        }
    };
    // Events used as arguments (nested events) are read through the event
    // that uses them; any other event must be a stance.
    let nested: BTreeSet<&str> = events
        .iter()
        .flat_map(|e| e.args.iter().map(|(_, v)| v.as_str()))
        .collect();
    for Link {
        id,
        kind,
        trigger,
        args,
        line,
    } in &events
    {
        if !(vocab.is_stance)(kind) {
            if !nested.contains(id.as_str()) {
                problems.push(problem(
                    ann_path,
                    Some(*line),
                    format!(
                        "{id}: unknown event type `{kind}`: map it to a stance id with --mapping"
                    ),
                ));
            }
            continue;
        }
        let note = notes
            .get(id)
            .and_then(|n| n.strip_prefix(NOTE_PREFIX))
            .and_then(|j| serde_json::from_str::<StanceNote>(j).ok());
        let arg = |which: &str| {
            args.iter()
                .find(|(r, _)| (vocab.role)(r) == Some(which))
                .map_or(Ref::None, |(_, v)| resolve(v))
        };
        let (holder, target, passage) = match note {
            Some(n) => (Ref::Id(n.holder), Ref::Id(n.target), Some(n.passage)),
            None => (arg("holder"), arg("target"), None),
        };
        doc.stances.push(StanceIn {
            label: kind.clone(),
            quote: ts.get(trigger).map(|t| t.span),
            holder,
            target,
            polarity: attr(id, vocab.polarity_attribute),
            voice: attr(id, vocab.voice_attribute),
            passage,
            line: Some(*line),
        });
    }
    for Link {
        id,
        kind,
        args,
        line,
        ..
    } in &relations
    {
        if !(vocab.is_stance)(kind) {
            problems.push(problem(
                ann_path,
                Some(*line),
                format!(
                    "{id}: unknown relation type `{kind}`: map it to a stance id with --mapping"
                ),
            ));
            continue;
        }
        let arg = |which: &str, fallback: &str| {
            args.iter()
                .find(|(r, _)| (vocab.role)(r) == Some(which))
                .or_else(|| args.iter().find(|(r, _)| r == fallback))
                .map(|(_, v)| v.clone())
        };
        let (h, t) = (arg("holder", "Arg1"), arg("target", "Arg2"));
        // A relation has no span of its own: its evidence runs from the
        // first argument to the last.
        let quote = match (
            h.as_ref().and_then(|h| ts.get(h)),
            t.as_ref().and_then(|t| ts.get(t)),
        ) {
            (Some(a), Some(b)) => Some(Span {
                start: a.span.start.min(b.span.start),
                end: a.span.end.max(b.span.end),
            }),
            _ => None,
        };
        doc.stances.push(StanceIn {
            label: kind.clone(),
            quote,
            holder: h.map_or(Ref::None, |v| resolve(&v)),
            target: t.map_or(Ref::None, |v| resolve(&v)),
            polarity: attr(id, vocab.polarity_attribute),
            voice: attr(id, vocab.voice_attribute),
            passage: None,
            line: Some(*line),
        });
    }
    Some(doc)
}
