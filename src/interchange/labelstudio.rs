//! Label Studio, both ways.
//!
//! Export writes `tasks.json` (one task per passage: its text, with
//! dossier's annotations as predictions: actor mentions as `actor` labels,
//! each stance's evidence as a `stance` label with the holder and target
//! mentions joined to it by `holder` and `target` relations, and the topics
//! as `topic` choices) and `config.xml`, the labelling configuration to
//! review them with. Offsets count characters (code points).
//!
//! Import reads a task export (`annotations`, else `predictions`): `labels`
//! results are mentions, or stance evidence when their label is a stance;
//! `relation` results give holders and targets; `choices` on `topic` give
//! topics. Tasks of one article (`data.article`, as dossier exports them)
//! become one article, passage by passage. Old Label Studio versions counted
//! UTF-16 units: an offset that only fits that way is read that way.

use super::export::{quote_span, Selection};
use super::model::{
    line_of, problem, ArticleMeta, Doc, EventIn, MentionIn, PassageIn, Ref, StanceIn,
};
use super::offsets::{Offsets, Unit};
use crate::corpus::{ActorKind, Corpus, Registry, Span};
use crate::error::{Diagnostic, Error, Result};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Writes `tasks.json` and `config.xml` into `dir`.
pub(crate) fn write(
    dir: &Path,
    all: &[Selection],
    registry: &Registry,
    corpus: &Corpus,
) -> Result<()> {
    let mut tasks = Vec::new();
    let mut kinds = BTreeSet::new();
    for s in all {
        let a = &s.article;
        for p in s.passages() {
            let offsets = Offsets::new(&p.text);
            let cp = |b: usize| {
                offsets
                    .convert(b, Unit::Bytes, Unit::CodePoints)
                    .unwrap_or(0)
            };
            let mut result = Vec::new();
            let mut region_of: HashMap<&str, String> = HashMap::new();
            for (n, o) in corpus
                .mentions()
                .occurrences(&p.text)
                .into_iter()
                .enumerate()
            {
                if !p.actors.iter().any(|x| x == o.actor) {
                    continue;
                }
                let kind = registry.actor(o.actor).map_or(ActorKind::Group, |x| x.kind);
                let label = super::brat::kind_label(kind);
                kinds.insert(label);
                let id = format!("{}-m{n}", p.id);
                region_of.entry(o.actor).or_insert_with(|| id.clone());
                result.push(json!({
                    "id": id, "from_name": "actor", "to_name": "text", "type": "labels",
                    "value": {"start": cp(o.start), "end": cp(o.end), "text": &p.text[o.start..o.end], "labels": [label]},
                    "meta": {"text": [format!("dossier:actor={}", o.actor)]},
                }));
            }
            for (n, st) in p.stances.iter().enumerate() {
                let (qs, qe) = quote_span(p, &st.quote);
                let (qs, qe) = (qs - p.span.start, qe - p.span.start);
                let id = format!("{}-s{n}", p.id);
                result.push(json!({
                    "id": id, "from_name": "stance", "to_name": "text", "type": "labels",
                    "value": {"start": cp(qs), "end": cp(qe), "text": st.quote, "labels": [st.stance]},
                    "meta": {"text": [format!(
                        "dossier:holder={} target={} polarity={} voice={}",
                        st.holder, st.target, st.polarity.as_str(), st.voice.as_str()
                    )]},
                }));
                if let Some(h) = region_of.get(st.holder.as_str()) {
                    result.push(json!({"type": "relation", "from_id": h, "to_id": id, "direction": "right", "labels": ["holder"]}));
                }
                if let Some(t) = region_of.get(st.target.as_str()) {
                    result.push(json!({"type": "relation", "from_id": id, "to_id": t, "direction": "right", "labels": ["target"]}));
                }
            }
            if !p.topics.is_empty() {
                result.push(json!({
                    "id": format!("{}-topics", p.id), "from_name": "topic", "to_name": "text", "type": "choices",
                    "value": {"choices": p.topics},
                }));
            }
            tasks.push(json!({
                "data": {
                    "text": p.text, "article": a.id, "title": a.title, "passage": p.id, "ordinal": p.ordinal,
                    "source": a.source, "published": a.published.as_ref().map(ToString::to_string), "language": a.language,
                    // What lies between this passage and the one before
                    // it (and after the last), so that an import gives
                    // back the article's text byte for byte.
                    "before": &a.text[gap_start(a, p)..p.span.start],
                    "after": (p.ordinal as usize == a.passages.len()).then(|| &a.text[p.span.end..]),
                    // The passage's record, for what regions cannot say:
                    // actors the name matcher does not find, and events.
                    "actors": p.actors,
                    "events": p.events.iter().map(|e| json!({"date": e.date.to_string(), "what": e.what, "actors": e.actors})).collect::<Vec<_>>(),
                },
                "predictions": [{"model_version": "dossier", "result": result}],
            }));
        }
    }
    let io = |path: &Path, e| Error::io(path, e);
    let path = dir.join("tasks.json");
    let json =
        serde_json::to_vec_pretty(&tasks).map_err(|e| Error::InvalidArgument(e.to_string()))?;
    std::fs::write(&path, json).map_err(|e| io(&path, e))?;
    let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
    let mut xml = String::from("<View>\n  <Header value=\"$article — $passage\"/>\n  <Text name=\"text\" value=\"$text\"/>\n  <Labels name=\"actor\" toName=\"text\">\n");
    for k in super::brat::ENTITY_LABELS {
        if kinds.contains(k) {
            xml.push_str(&format!("    <Label value=\"{}\"/>\n", esc(k)));
        }
    }
    xml.push_str("  </Labels>\n  <Labels name=\"stance\" toName=\"text\">\n");
    for s in &registry.stances {
        xml.push_str(&format!(
            "    <Label value=\"{}\" hint=\"{}\"/>\n",
            esc(&s.id),
            esc(&s.description)
        ));
    }
    xml.push_str("  </Labels>\n  <Relations>\n    <Relation value=\"holder\"/>\n    <Relation value=\"target\"/>\n  </Relations>\n  <Choices name=\"topic\" toName=\"text\" choice=\"multiple\">\n");
    for t in &registry.topics {
        xml.push_str(&format!(
            "    <Choice value=\"{}\" hint=\"{}\"/>\n",
            esc(&t.id),
            esc(&t.description)
        ));
    }
    xml.push_str("  </Choices>\n</View>\n");
    let path = dir.join("config.xml");
    std::fs::write(&path, xml).map_err(|e| io(&path, e))
}

/// Where the text before passage `p` starts: the end of the passage before
/// it, or the article's start.
fn gap_start(a: &crate::corpus::Article, p: &crate::corpus::Passage) -> usize {
    a.passages
        .iter()
        .filter(|q| q.span.end <= p.span.start)
        .map(|q| q.span.end)
        .max()
        .unwrap_or(0)
}

/// A region's byte span in `text`, checked against its text. Code points
/// first; UTF-16 units when only they fit.
fn region(value: &Value, text: &str, offsets: &Offsets) -> std::result::Result<Span, String> {
    let (Some(start), Some(end)) = (
        value.get("start").and_then(Value::as_u64),
        value.get("end").and_then(Value::as_u64),
    ) else {
        return Err("a region without start and end".into());
    };
    let (start, end) = (start as usize, end as usize);
    let expected = value.get("text").and_then(Value::as_str);
    let mut tried = Vec::new();
    for unit in [Unit::CodePoints, Unit::Utf16] {
        if let Some((s, e)) = offsets.to_bytes(start, end, unit).filter(|(s, e)| s <= e) {
            match expected {
                Some(t) if t != &text[s..e] => tried.push(text[s..e].to_owned()),
                _ => return Ok(Span { start: s, end: e }),
            }
        }
    }
    match (expected, tried.first()) {
        (Some(t), Some(found)) => Err(format!(
            "the text {t:?} disagrees with the text at {start}..{end}: {found:?}"
        )),
        _ => Err(format!(
            "offsets {start}..{end} are outside the text ({} characters)",
            offsets.len(Unit::CodePoints)
        )),
    }
}

/// The line of the first result with this id, for messages: Label Studio
/// exports are pretty-printed, a result to a line or a few.
fn id_line(source: &str, id: &str) -> Option<usize> {
    if id.is_empty() {
        return None;
    }
    let quoted = serde_json::to_string(id).ok()?;
    source
        .match_indices(&quoted)
        .find(|(at, _)| {
            source[..*at]
                .trim_end()
                .trim_end_matches(':')
                .trim_end()
                .ends_with("\"id\"")
        })
        .map(|(at, _)| line_of(source, at))
}

/// The dossier record in a region's `meta`, as `key=value` pairs.
fn meta(result: &Value) -> HashMap<String, String> {
    result
        .get("meta")
        .and_then(|m| m.get("text"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|s| s.strip_prefix("dossier:"))
        .flat_map(|s| s.split(' '))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Reads a Label Studio task export.
pub(crate) fn read(
    file: &Path,
    source: &str,
    is_stance: &dyn Fn(&str) -> bool,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Doc> {
    let tasks = match serde_json::from_str::<Value>(source) {
        Ok(Value::Array(t)) => t,
        Ok(v @ Value::Object(_)) => vec![v],
        Ok(_) => {
            problems.push(problem(
                file,
                None,
                "not a Label Studio export: expected a list of tasks",
            ));
            return Vec::new();
        }
        Err(e) => {
            problems.push(problem(file, Some(e.line()), format!("not JSON: {e}")));
            return Vec::new();
        }
    };
    let mut docs: Vec<Doc> = Vec::new();
    for (n, task) in tasks.iter().enumerate() {
        let data = task.get("data").cloned().unwrap_or(Value::Null);
        let line = data
            .get("passage")
            .and_then(Value::as_str)
            .and_then(|p| source.find(&format!("\"{p}\"")))
            .map(|at| line_of(source, at));
        let Some(text) = data.get("text").and_then(Value::as_str) else {
            problems.push(problem(
                file,
                line,
                format!("task {} has no data.text", n + 1),
            ));
            continue;
        };
        let article = data.get("article").and_then(Value::as_str);
        let field = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_owned);
        let results: Vec<Value> = ["annotations", "completions", "predictions"]
            .iter()
            .find_map(|k| {
                task.get(*k)
                    .and_then(Value::as_array)
                    .and_then(|list| list.first())
                    .and_then(|a| a.get("result"))
                    .and_then(Value::as_array)
                    .cloned()
            })
            .unwrap_or_default();
        // Tasks of one article join into it, each a passage.
        let joins = article.is_some()
            && docs
                .last()
                .is_some_and(|d| Some(d.name.as_str()) == article);
        if !joins {
            docs.push(Doc {
                file: file.to_owned(),
                name: article
                    .map(str::to_owned)
                    .or_else(|| task.get("id").map(|i| format!("task-{i}")))
                    .unwrap_or_else(|| format!("task-{}", n + 1)),
                meta: ArticleMeta {
                    title: field("title"),
                    source: field("source"),
                    published: field("published"),
                    language: field("language"),
                },
                passages: Some(Vec::new()),
                ..Doc::default()
            });
        }
        let Some(doc) = docs.last_mut() else { continue };
        match data.get("before").and_then(Value::as_str) {
            Some(gap) => doc.text.push_str(gap),
            None if !doc.text.is_empty() => doc.text.push_str("\n\n"),
            None => {}
        }
        let base = doc.text.len();
        doc.text.push_str(text);
        if let Some(after) = data.get("after").and_then(Value::as_str) {
            doc.text.push_str(after);
        }
        let offsets = Offsets::new(text);
        let span = Span {
            start: base,
            end: base + text.len(),
        };
        let shifted = |s: Span| Span {
            start: s.start + base,
            end: s.end + base,
        };
        let mut passage = PassageIn {
            span,
            line,
            actors: data.get("actors").and_then(Value::as_array).map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
            events: data
                .get("events")
                .and_then(|e| serde_json::from_value::<Vec<EventIn>>(e.clone()).ok())
                .unwrap_or_default(),
            id: data
                .get("passage")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ..PassageIn::default()
        };
        let mut regions: HashMap<String, Span> = HashMap::new();
        let mut pending: Vec<(String, StanceIn)> = Vec::new();
        for r in &results {
            let kind = r.get("type").and_then(Value::as_str).unwrap_or_default();
            let id = r
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let value = r.get("value").cloned().unwrap_or(Value::Null);
            let line = id_line(source, &id).or(line);
            match kind {
                "labels" => {
                    let span = match region(&value, text, &offsets) {
                        Ok(s) => shifted(s),
                        Err(m) => {
                            problems.push(problem(file, line, format!("task {}: {m}", n + 1)));
                            continue;
                        }
                    };
                    let label = value
                        .get("labels")
                        .and_then(Value::as_array)
                        .and_then(|l| l.first())
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    regions.insert(id.clone(), span);
                    let record = meta(r);
                    let from = r.get("from_name").and_then(Value::as_str).unwrap_or_default();
                    if from == "stance" || is_stance(&label) {
                        let id_ref = |k: &str| record.get(k).map_or(Ref::None, |v| Ref::Id(v.clone()));
                        pending.push((
                            id,
                            StanceIn {
                                label,
                                quote: Some(span),
                                holder: id_ref("holder"),
                                target: id_ref("target"),
                                polarity: record.get("polarity").cloned(),
                                voice: record.get("voice").cloned(),
                                passage: passage.id.clone(),
                                line,
                            },
                        ));
                    } else {
                        doc.mentions.push(MentionIn {
                            key: id,
                            label,
                            span,
                            actor: record.get("actor").cloned(),
                            line,
                        });
                    }
                }
                "choices" => {
                    let choices = value.get("choices").and_then(Value::as_array).cloned().unwrap_or_default();
                    passage.topics.extend(choices.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                "relation" => {}
                other => doc.not_kept.push(problem(file, line, format!(
                    "task {}: a `{other}` result is not kept (dossier reads labels, relations and choices)",
                    n + 1
                ))),
            }
        }
        // Relations: holder → stance, stance → target; or a stance label on
        // the relation itself, from holder to target.
        for r in results
            .iter()
            .filter(|r| r.get("type").and_then(Value::as_str) == Some("relation"))
        {
            let from = r.get("from_id").and_then(Value::as_str).unwrap_or_default();
            let to = r.get("to_id").and_then(Value::as_str).unwrap_or_default();
            let labels: Vec<&str> = r
                .get("labels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let labels_empty = labels.is_empty();
            for label in labels {
                if label == "holder" {
                    if let Some((_, s)) = pending.iter_mut().find(|(k, _)| k == to) {
                        if s.holder == Ref::None {
                            s.holder = Ref::Mention(from.to_owned());
                        }
                    }
                } else if label == "target" {
                    if let Some((_, s)) = pending.iter_mut().find(|(k, _)| k == from) {
                        if s.target == Ref::None {
                            s.target = Ref::Mention(to.to_owned());
                        }
                    }
                } else if is_stance(label) {
                    let quote = match (regions.get(from), regions.get(to)) {
                        (Some(a), Some(b)) => Some(Span {
                            start: a.start.min(b.start),
                            end: a.end.max(b.end),
                        }),
                        _ => None,
                    };
                    pending.push((
                        String::new(),
                        StanceIn {
                            label: label.to_owned(),
                            quote,
                            holder: Ref::Mention(from.to_owned()),
                            target: Ref::Mention(to.to_owned()),
                            polarity: None,
                            voice: None,
                            passage: passage.id.clone(),
                            line,
                        },
                    ));
                } else {
                    problems.push(problem(file, line, format!(
                        "task {}: unknown relation label `{label}` (from {from} to {to}): map it to a stance id with --mapping, or use holder and target",
                        n + 1
                    )));
                }
            }
            if labels_empty {
                doc.not_kept.push(problem(
                    file,
                    line,
                    format!(
                        "task {}: a relation without a label (from {from} to {to}) is not kept",
                        n + 1
                    ),
                ));
            }
        }
        doc.stances.extend(pending.into_iter().map(|(_, s)| s));
        if let Some(list) = doc.passages.as_mut() {
            list.push(passage);
        }
    }
    docs
}
