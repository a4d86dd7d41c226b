//! What an edit costs: the dossier CLI on a generated corpus after a full
//! build, timing the first command after each kind of edit (each kind three
//! times; the median is reported), and query latency after many small
//! updates against a fresh build. Every edit is undone afterwards, so the
//! generated corpus stays as generated.

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Lifecycle {
    /// `dossier index --force` through the CLI.
    pub cli_full_build_s: f64,
    /// The first `dossier search` after one article's title changed.
    pub edit_one_article_s: f64,
    /// `dossier index` after 1% more articles were added.
    pub add_one_percent_s: f64,
    /// Articles added for that.
    pub added_articles: usize,
    /// The first `dossier search` after one actor was added.
    pub add_actor_s: f64,
    /// Query latency after many one-article updates.
    pub updates: Option<Updates>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Updates {
    pub rounds: usize,
    /// Median time of one update (in-process).
    pub update_p50_ms: f64,
    /// The slowest update: one that rewrote a segment full of deletes.
    #[serde(default)]
    pub update_max_ms: f64,
    /// Term query p50 on the updated index, and on a fresh build.
    pub updated_query_p50_ms: f64,
    pub fresh_query_p50_ms: f64,
    pub segments_updated: usize,
    pub segments_fresh: usize,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs the dossier CLI and returns its wall time in seconds.
fn timed(dossier: &Path, corpus: &Path, index: &Path, args: &[&str]) -> Result<f64> {
    let t = Instant::now();
    let out = crate::dossier_on(dossier, corpus, index)
        .args(args)
        .args(["--color", "never"])
        .output()?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(anyhow!(
            "dossier {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(secs)
}

/// An article's files, to restore after an edit.
struct Saved {
    path: PathBuf,
    bytes: Vec<u8>,
}

impl Saved {
    fn take(path: PathBuf) -> Result<Saved> {
        let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
        Ok(Saved { path, bytes })
    }

    fn restore(&self) -> Result<()> {
        Ok(std::fs::write(&self.path, &self.bytes)?)
    }
}

fn article_dir(corpus: &Path, n: usize) -> PathBuf {
    corpus.join("articles").join(format!("a{n:07}"))
}

/// Changes the title of article `n` (its passages are re-indexed).
fn retitle(corpus: &Path, n: usize, tag: &str) -> Result<Saved> {
    let path = article_dir(corpus, n).join("article.toml");
    let saved = Saved::take(path.clone())?;
    let text = String::from_utf8_lossy(&saved.bytes);
    let edited = text.replacen("title = \"", &format!("title = \"{tag} "), 1);
    std::fs::write(&path, edited)?;
    Ok(saved)
}

pub fn measure(
    dossier: &Path,
    corpus: &Path,
    work: &Path,
    articles: usize,
    term: &str,
    update_rounds: usize,
    fresh_index: &Path,
) -> Result<Lifecycle> {
    let index = work.join(format!("index-lifecycle-{articles}"));
    let _ = std::fs::remove_dir_all(&index);
    let search = ["search", term];
    let mut l = Lifecycle {
        cli_full_build_s: timed(dossier, corpus, &index, &["index", "--force"])?,
        ..Lifecycle::default()
    };
    let mut edit = Vec::new();
    let mut add = Vec::new();
    let mut actor = Vec::new();
    let k = (articles / 100).max(1);
    l.added_articles = k;
    let actors = Saved::take(corpus.join("actors.toml"))?;
    for rep in 0..3 {
        // One article edited: the next query updates, then answers.
        let saved = retitle(corpus, rep, &format!("Edited {rep}"))?;
        edit.push(timed(dossier, corpus, &index, &search)?);
        saved.restore()?;
        timed(dossier, corpus, &index, &["index"])?;
        // 1% more articles: copies of existing ones under new ids.
        for i in 0..k {
            let from = article_dir(corpus, i);
            let id = format!("z{rep}{i:06}");
            let to = corpus.join("articles").join(&id);
            std::fs::create_dir_all(&to)?;
            std::fs::copy(from.join("text.txt"), to.join("text.txt"))?;
            let toml = std::fs::read_to_string(from.join("article.toml"))?;
            std::fs::write(
                to.join("article.toml"),
                toml.replace(&format!("\"a{i:07}"), &format!("\"{id}")),
            )?;
        }
        add.push(timed(dossier, corpus, &index, &["index"])?);
        for i in 0..k {
            std::fs::remove_dir_all(corpus.join("articles").join(format!("z{rep}{i:06}")))?;
        }
        timed(dossier, corpus, &index, &["index"])?;
        // One actor added: the registries are rewritten, no passage.
        let mut registry = String::from_utf8_lossy(&actors.bytes).into_owned();
        registry.push_str(&format!(
            "\n[[actors]]\nid = \"bench-newcomer-{rep}\"\nname = \"Benchmark Newcomer {rep}\"\nkind = \"person\"\n"
        ));
        std::fs::write(corpus.join("actors.toml"), registry)?;
        actor.push(timed(dossier, corpus, &index, &search)?);
        actors.restore()?;
        timed(dossier, corpus, &index, &["index"])?;
    }
    l.edit_one_article_s = median(edit);
    l.add_one_percent_s = median(add);
    l.add_actor_s = median(actor);
    if update_rounds > 0 {
        l.updates = Some(many_updates(
            corpus,
            &index,
            articles,
            term,
            update_rounds,
            fresh_index,
        )?);
        timed(dossier, corpus, &index, &["index"])?;
    }
    Ok(l)
}

fn segments(index: &dossier::Index) -> Result<usize> {
    let t = tantivy::Index::open_in_dir(index.path())?;
    Ok(t.searchable_segment_ids()?.len())
}

/// The term query's p50 on two indexes, measured in alternating rounds so
/// that the machine's drift during the run weighs on both alike.
fn query_p50s(a: &dossier::Index, b: &dossier::Index, term: &str) -> Result<(f64, f64)> {
    let q = dossier::Query::text(term);
    for index in [a, b] {
        for _ in 0..5 {
            index.search(&q)?;
        }
    }
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        for (index, samples) in [(a, &mut sa), (b, &mut sb)] {
            for _ in 0..10 {
                let t = Instant::now();
                index.search(&q)?;
                samples.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    Ok((median(sa), median(sb)))
}

/// `rounds` updates, each of one article, in-process; then the term query
/// against the updated index and against a fresh build.
fn many_updates(
    corpus: &Path,
    index: &Path,
    articles: usize,
    term: &str,
    rounds: usize,
    fresh_index: &Path,
) -> Result<Updates> {
    let source = dossier::CorpusSource::Dir(corpus.to_owned());
    let location = dossier::Location::Dir(index.to_owned());
    let mut saved: Vec<Saved> = Vec::new();
    let mut times = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let n = (round * 7919) % articles;
        let s = retitle(corpus, n, &format!("u{round}"))?;
        if !saved.iter().any(|x| x.path == s.path) {
            saved.push(s);
        }
        let t = Instant::now();
        let opened = dossier::Index::open_or_build_source(
            &source,
            None,
            &location,
            dossier::BuildOptions::default(),
        )?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if !matches!(opened.freshness(), dossier::Freshness::Updated(_)) {
            return Err(anyhow!("round {round}: {:?}", opened.freshness()));
        }
    }
    let updated = dossier::Index::open(index)?;
    let fresh = dossier::Index::open(fresh_index)?;
    let (updated_query_p50_ms, fresh_query_p50_ms) = query_p50s(&updated, &fresh, term)?;
    let r = Updates {
        rounds,
        update_max_ms: times.iter().copied().fold(0.0, f64::max),
        update_p50_ms: median(times),
        updated_query_p50_ms,
        fresh_query_p50_ms,
        segments_updated: segments(&updated)?,
        segments_fresh: segments(&fresh)?,
    };
    for s in saved {
        s.restore()?;
    }
    Ok(r)
}
