//! W3C Web Annotation (JSON-LD), both ways.
//!
//! Export: one annotation per stance (body: holder, stance, target,
//! polarity, voice, passage, in the `dossier:` namespace; target: the
//! article, with a `TextQuoteSelector` and a `TextPositionSelector`) and one
//! per passage (its actors, topics and events, and its span). Positions
//! count Unicode code points, as the model says. The articles' texts travel
//! with the annotations, as `dossier:sources` of the collection (or a
//! `dossier:Source` line before each article's annotations in JSON Lines),
//! so that an import needs nothing else.
//!
//! Import reads dossier's own export, and also annotations from other tools
//! (Hypothesis and the like): a body that tags (`purpose` `tagging`, or a
//! plain string) marks an entity mention; the text of a source that is not
//! embedded is read from the file its id names, relative to the annotation
//! file. A quote that disagrees with its position is reported.

use super::export::{quote_span, Selection};
use super::model::{
    line_of, problem, ArticleMeta, Doc, EventIn, MentionIn, PassageIn, Ref, StanceIn,
};
use super::offsets::{Offsets, Unit};
use crate::corpus::Span;
use crate::error::{clip, Diagnostic};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// The namespace of dossier's terms.
pub(crate) const NS: &str = "https://dossier.invalid/ns#";

fn context() -> Value {
    json!(["http://www.w3.org/ns/anno.jsonld", {"dossier": NS}])
}

/// Characters of context around a quote.
const CONTEXT: usize = 32;

/// The source id of an article.
fn source_id(article: &str) -> String {
    format!("urn:dossier:article:{article}")
}

/// Writes annotations as they are selected, one article at a time.
pub(crate) struct Writer<'w, W: Write> {
    out: &'w mut W,
    lines: bool,
    /// Collection mode: the sources, written after the items.
    sources: Vec<Value>,
    first: bool,
    total: usize,
}

impl<'w, W: Write> Writer<'w, W> {
    pub(crate) fn new(out: &'w mut W, lines: bool) -> std::io::Result<Self> {
        if !lines {
            write!(
                out,
                "{{\"@context\":{},\"id\":\"urn:dossier:export\",\"type\":\"AnnotationCollection\",\"label\":\"dossier export\",\"first\":{{\"type\":\"AnnotationPage\",\"startIndex\":0,\"items\":[",
                context()
            )?;
        }
        Ok(Writer {
            out,
            lines,
            sources: Vec::new(),
            first: true,
            total: 0,
        })
    }

    fn item(&mut self, value: &Value) -> std::io::Result<()> {
        if self.lines {
            serde_json::to_writer(&mut *self.out, value)?;
            self.out.write_all(b"\n")
        } else {
            if !self.first {
                self.out.write_all(b",")?;
            }
            self.first = false;
            self.total += 1;
            serde_json::to_writer(&mut *self.out, value).map_err(Into::into)
        }
    }

    pub(crate) fn article(&mut self, s: &Selection) -> std::io::Result<()> {
        let a = &s.article;
        let source = json!({
            "id": source_id(&a.id),
            "type": "dossier:Source",
            "dossier:article": a.id,
            "dossier:title": a.title,
            "dossier:source": a.source,
            "dossier:published": a.published.as_ref().map(ToString::to_string),
            "dossier:language": a.language,
            "dossier:text": a.text,
        });
        if self.lines {
            let mut line = source;
            line["@context"] = context();
            self.item(&line)?;
        } else {
            self.sources.push(source);
        }
        let offsets = Offsets::new(&a.text);
        let cp = |byte: usize| {
            offsets
                .convert(byte, Unit::Bytes, Unit::CodePoints)
                .unwrap_or(0)
        };
        for p in s.passages() {
            self.item(&json!({
                "id": format!("urn:dossier:passage:{}", p.id),
                "type": "Annotation",
                "motivation": "tagging",
                "body": {
                    "type": "dossier:Passage",
                    "dossier:passage": p.id,
                    "dossier:ordinal": p.ordinal,
                    "dossier:actors": p.actors,
                    "dossier:topics": p.topics,
                    "dossier:events": p.events.iter().map(|e| json!({
                        "dossier:date": e.date.to_string(),
                        "dossier:what": e.what,
                        "dossier:actors": e.actors,
                    })).collect::<Vec<_>>(),
                },
                "target": {
                    "source": source_id(&a.id),
                    "selector": {"type": "TextPositionSelector", "start": cp(p.span.start), "end": cp(p.span.end)},
                },
            }))?;
            for (n, st) in p.stances.iter().enumerate() {
                let (qs, qe) = quote_span(p, &st.quote);
                let before = &a.text[..qs];
                let prefix: String = {
                    let chars: Vec<char> = before.chars().rev().take(CONTEXT).collect();
                    chars.into_iter().rev().collect()
                };
                let suffix: String = a.text[qe..].chars().take(CONTEXT).collect();
                self.item(&json!({
                    "id": format!("urn:dossier:stance:{}:{}", p.id, n + 1),
                    "type": "Annotation",
                    "motivation": "classifying",
                    "body": {
                        "type": "dossier:Stance",
                        "dossier:passage": p.id,
                        "dossier:holder": st.holder,
                        "dossier:stance": st.stance,
                        "dossier:target": st.target,
                        "dossier:polarity": st.polarity.as_str(),
                        "dossier:voice": st.voice.as_str(),
                    },
                    "target": {
                        "source": source_id(&a.id),
                        "selector": [
                            {"type": "TextQuoteSelector", "exact": st.quote, "prefix": prefix, "suffix": suffix},
                            {"type": "TextPositionSelector", "start": cp(qs), "end": cp(qe)},
                        ],
                    },
                }))?;
            }
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> std::io::Result<()> {
        if !self.lines {
            write!(
                self.out,
                "]}},\"total\":{},\"dossier:sources\":{}}}",
                self.total,
                Value::Array(self.sources)
            )?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// A document being read: its text, and what was found for it.
struct Building {
    doc: Doc,
    offsets: Offsets,
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn dossier<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(format!("dossier:{key}"))
        .or_else(|| v.get(format!("{NS}{key}")))
}

fn meta_field(source: &Value, key: &str) -> Option<String> {
    dossier(source, key)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Reads one Web Annotation file (a collection, a page, a list, one
/// annotation, or JSON Lines).
pub(crate) fn read(file: &Path, text: &str, problems: &mut Vec<Diagnostic>) -> Vec<Doc> {
    let mut values: Vec<(Value, Option<usize>)> = Vec::new();
    match serde_json::from_str::<Value>(text) {
        Ok(v) => values.push((v, None)),
        Err(whole) => {
            // JSON Lines: one value per line.
            let mut any = false;
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(v) => {
                        any = true;
                        values.push((v, Some(i + 1)));
                    }
                    Err(e) => problems.push(problem(file, Some(i + 1), format!("not JSON: {e}"))),
                }
            }
            if !any {
                problems.clear();
                problems.push(problem(
                    file,
                    Some(whole.line()),
                    format!("not Web Annotation JSON: {whole}"),
                ));
                return Vec::new();
            }
        }
    }
    // Flatten collections and pages into annotations; gather sources.
    let mut annotations: Vec<(Value, Option<usize>)> = Vec::new();
    let mut sources: Vec<Value> = Vec::new();
    for (v, line) in values {
        flatten(v, line, &mut annotations, &mut sources);
    }
    let mut docs: HashMap<String, Building> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for s in sources {
        let (Some(id), Some(body)) = (
            str_of(&s, "id"),
            dossier(&s, "text").and_then(Value::as_str),
        ) else {
            continue;
        };
        let name = dossier(&s, "article")
            .and_then(Value::as_str)
            .unwrap_or(id)
            .to_owned();
        order.push(id.to_owned());
        docs.insert(
            id.to_owned(),
            Building {
                offsets: Offsets::new(body),
                doc: Doc {
                    file: file.to_owned(),
                    name,
                    meta: ArticleMeta {
                        title: meta_field(&s, "title"),
                        source: meta_field(&s, "source"),
                        published: meta_field(&s, "published"),
                        language: meta_field(&s, "language"),
                    },
                    text: body.to_owned(),
                    ..Doc::default()
                },
            },
        );
    }
    for (n, (a, line)) in annotations.iter().enumerate() {
        let line = line.or_else(|| {
            str_of(a, "id")
                .and_then(|id| text.find(&format!("\"{id}\"")))
                .map(|at| line_of(text, at))
        });
        let Some(target) = a.get("target") else {
            problems.push(problem(file, line, "an annotation without a target"));
            continue;
        };
        let target = match target {
            Value::Array(t) => t.first().cloned().unwrap_or(Value::Null),
            t => t.clone(),
        };
        let Some(source) = str_of(&target, "source").or_else(|| target.as_str()) else {
            problems.push(problem(file, line, "an annotation target without a source"));
            continue;
        };
        if !docs.contains_key(source) {
            match read_source(file, source) {
                Ok(body) => {
                    order.push(source.to_owned());
                    let name = Path::new(source.trim_start_matches("file://"))
                        .file_stem()
                        .map_or_else(|| source.to_owned(), |s| s.to_string_lossy().into_owned());
                    docs.insert(
                        source.to_owned(),
                        Building {
                            offsets: Offsets::new(&body),
                            doc: Doc {
                                file: file.to_owned(),
                                name,
                                text: body,
                                ..Doc::default()
                            },
                        },
                    );
                }
                Err(message) => {
                    problems.push(problem(file, line, message));
                    continue;
                }
            }
        }
        let Some(b) = docs.get_mut(source) else {
            continue;
        };
        let span = match locate(&target, b, file, line, problems) {
            Some(s) => s,
            None => continue,
        };
        let bodies: Vec<Value> = match a.get("body") {
            Some(Value::Array(list)) => list.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        for body in bodies {
            let kind = str_of(&body, "type").unwrap_or_default();
            if kind == "dossier:Passage" || kind == format!("{NS}Passage") {
                let events = dossier(&body, "events")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .map(|e| EventIn {
                                date: dossier(e, "date")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned(),
                                what: dossier(e, "what")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_owned(),
                                actors: strings(dossier(e, "actors")),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                b.doc.passages.get_or_insert_with(Vec::new).push(PassageIn {
                    span,
                    line,
                    id: dossier(&body, "passage")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    actors: Some(strings(dossier(&body, "actors"))),
                    topics: strings(dossier(&body, "topics")),
                    events,
                });
            } else if kind == "dossier:Stance" || kind == format!("{NS}Stance") {
                let id_ref = |key: &str| {
                    dossier(&body, key)
                        .and_then(Value::as_str)
                        .map_or(Ref::None, |s| Ref::Id(s.to_owned()))
                };
                b.doc.stances.push(StanceIn {
                    label: dossier(&body, "stance")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    quote: Some(span),
                    holder: id_ref("holder"),
                    target: id_ref("target"),
                    polarity: dossier(&body, "polarity")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    voice: dossier(&body, "voice")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    passage: dossier(&body, "passage")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    line,
                });
            } else {
                // Another tool's tag: an entity mention with that label.
                // Comments and other bodies have no place in dossier.
                let tags = str_of(&body, "purpose")
                    .or_else(|| str_of(a, "motivation"))
                    .is_some_and(|p| p == "tagging");
                let label = match &body {
                    Value::String(s) => Some(s.clone()),
                    b if tags => str_of(b, "value").map(str::to_owned),
                    _ => None,
                };
                if label.is_none() {
                    b.doc.not_kept.push(problem(file, line, format!(
                        "a body that does not tag is not kept (dossier reads tags and its own records): {}",
                        clip(&body.to_string(), 80)
                    )));
                }
                if let Some(label) = label {
                    b.doc.mentions.push(MentionIn {
                        key: str_of(a, "id").map_or_else(|| format!("a{n}"), str::to_owned),
                        label,
                        span,
                        actor: None,
                        line,
                    });
                }
            }
        }
    }
    order.dedup();
    order
        .into_iter()
        .filter_map(|k| docs.remove(&k).map(|b| b.doc))
        .collect()
}

fn flatten(
    v: Value,
    line: Option<usize>,
    annotations: &mut Vec<(Value, Option<usize>)>,
    sources: &mut Vec<Value>,
) {
    match v {
        Value::Array(list) => list
            .into_iter()
            .for_each(|x| flatten(x, line, annotations, sources)),
        Value::Object(mut o) => {
            if let Some(Value::Array(s)) = o.remove("dossier:sources") {
                sources.extend(s);
            }
            let kind = o
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if kind == "dossier:Source" {
                sources.push(Value::Object(o));
            } else if kind == "AnnotationCollection" {
                if let Some(first) = o.remove("first") {
                    flatten(first, line, annotations, sources);
                }
            } else if kind == "AnnotationPage" {
                if let Some(items) = o.remove("items") {
                    flatten(items, line, annotations, sources);
                }
                if let Some(next) = o.remove("next") {
                    if next.is_object() {
                        flatten(next, line, annotations, sources);
                    }
                }
            } else {
                annotations.push((Value::Object(o), line));
            }
        }
        _ => {}
    }
}

/// The text of a source that is not embedded: a file named by the source
/// id, relative to the annotation file.
fn read_source(file: &Path, source: &str) -> Result<String, String> {
    let path = source.trim_start_matches("file://");
    let path = file.parent().unwrap_or(Path::new(".")).join(path);
    let bytes = std::fs::read(&path).map_err(|_| {
        format!(
            "no text for source `{source}`: it is not in the file, and {} cannot be read",
            path.display()
        )
    })?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))
}

/// The byte span a target selects: its position (checked against its
/// quote), or its quote found in the text (with prefix and suffix).
fn locate(
    target: &Value,
    b: &Building,
    file: &Path,
    line: Option<usize>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Span> {
    let selectors: Vec<&Value> = match target.get("selector") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let find = |kind: &str| {
        selectors
            .iter()
            .copied()
            .find(|s| str_of(s, "type") == Some(kind))
    };
    let quote = find("TextQuoteSelector");
    let exact = quote.and_then(|q| str_of(q, "exact"));
    if let Some(pos) = find("TextPositionSelector") {
        let (Some(start), Some(end)) = (
            pos.get("start").and_then(Value::as_u64),
            pos.get("end").and_then(Value::as_u64),
        ) else {
            problems.push(problem(
                file,
                line,
                "a TextPositionSelector without start and end",
            ));
            return None;
        };
        let Some((s, e)) = b
            .offsets
            .to_bytes(start as usize, end as usize, Unit::CodePoints)
            .filter(|(s, e)| s <= e)
        else {
            problems.push(problem(
                file,
                line,
                format!(
                    "position {start}..{end} is outside the text ({} characters)",
                    b.offsets.len(Unit::CodePoints)
                ),
            ));
            return None;
        };
        if let Some(exact) = exact {
            if &b.doc.text[s..e] != exact {
                problems.push(problem(
                    file,
                    line,
                    format!(
                        "the quote {exact:?} disagrees with the text at {start}..{end}: {:?}",
                        &b.doc.text[s..e]
                    ),
                ));
                return None;
            }
        }
        return Some(Span { start: s, end: e });
    }
    let Some(exact) = exact.filter(|e| !e.is_empty()) else {
        problems.push(problem(
            file,
            line,
            "a target with neither a position nor a quote",
        ));
        return None;
    };
    let prefix = quote.and_then(|q| str_of(q, "prefix")).unwrap_or_default();
    let suffix = quote.and_then(|q| str_of(q, "suffix")).unwrap_or_default();
    let text = &b.doc.text;
    let hits: Vec<usize> = text.match_indices(exact).map(|(i, _)| i).collect();
    let best = hits
        .iter()
        .copied()
        .find(|&i| text[..i].ends_with(prefix) && text[i + exact.len()..].starts_with(suffix))
        .or_else(|| hits.first().copied());
    match best {
        Some(i) => Some(Span {
            start: i,
            end: i + exact.len(),
        }),
        None => {
            problems.push(problem(
                file,
                line,
                format!("the quote {exact:?} is not in the text"),
            ));
            None
        }
    }
}
