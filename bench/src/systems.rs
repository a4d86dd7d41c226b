//! The systems under test: how each one builds its index and answers the
//! query mix. Each build runs in a child process so that its peak RSS is
//! its own.

use crate::gen::Manifest;
use anyhow::{anyhow, Context, Result};
use dossier::{FacetDim, Query};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};

/// The query mix, the same for every system that can express each query.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mix {
    pub term: String,
    pub phrase: (String, String),
    pub and: (String, String),
    pub actor: String,
    /// (actor mentioned, holder, stance) of one real annotation.
    pub stance: (String, String, String),
}

impl Mix {
    pub fn from_manifest(m: &Manifest) -> Mix {
        // Ranks 60 and 150 of the vocabulary: common words that co-occur.
        Mix {
            term: m.common_words[150].clone(),
            phrase: m.phrase.clone(),
            and: (m.common_words[60].clone(), m.common_words[150].clone()),
            actor: m.common_actors[0].0.clone(),
            stance: m.stance_example.clone(),
        }
    }
}

/// The polarity of the `stance+polarity` query.
pub const POLARITY: &str = "against";

pub const QUERIES: [&str; 8] = [
    "term",
    "phrase",
    "and",
    "term+actor",
    "term+stance+holder",
    "actor+stance+holder",
    // Two stance parts that many annotations have: the filter intersects
    // long lists in every slot, and matches many passages.
    "stance+polarity",
    "facets(actor)",
];

/// What a build child reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildReport {
    pub build_secs: f64,
    /// Build, open and first answered query.
    pub searchable_secs: f64,
    pub peak_rss_kb: u64,
    pub index_bytes: u64,
}

impl BuildReport {
    /// Medians of the times (the mean of the middle two for an even
    /// count), the highest peak RSS, the last index size.
    pub fn median(reports: &[BuildReport]) -> BuildReport {
        let median = |f: fn(&BuildReport) -> f64| crate::median_by(reports, f);
        BuildReport {
            build_secs: median(|r| r.build_secs),
            searchable_secs: median(|r| r.searchable_secs),
            peak_rss_kb: reports.iter().map(|r| r.peak_rss_kb).max().unwrap_or(0),
            index_bytes: reports.last().map_or(0, |r| r.index_bytes),
        }
    }
}

pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

pub fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

// ---------------------------------------------------------------- dossier

pub fn dossier_build(corpus: &Path, out: &Path, mix: &Mix) -> Result<BuildReport> {
    let started = Instant::now();
    let c = dossier::Corpus::load(corpus)?;
    let options = dossier::BuildOptions {
        force: true,
        progress: None,
    };
    let index = dossier::Index::open_or_build_source(
        c.source(),
        Some(&c),
        &dossier::Location::Dir(out.to_owned()),
        options,
    )?;
    let build_secs = started.elapsed().as_secs_f64();
    drop(index);
    let index = dossier::Index::open(out)?;
    index.search(&Query::text(&mix.term))?;
    Ok(BuildReport {
        build_secs,
        searchable_secs: started.elapsed().as_secs_f64(),
        peak_rss_kb: peak_rss_kb(),
        index_bytes: dir_bytes(out),
    })
}

pub fn dossier_query(index: &dossier::Index, mix: &Mix, which: &str) -> Result<usize> {
    let (a, s) = (&mix.stance.0, &mix.stance);
    let q = match which {
        "term" => Query::text(&mix.term),
        "phrase" => Query::text(format!("\"{} {}\"", mix.phrase.0, mix.phrase.1)),
        "and" => Query::text(format!("{} {}", mix.and.0, mix.and.1)),
        "term+actor" => Query::text(&mix.term).actor(&mix.actor),
        "term+stance+holder" => Query::text(&mix.term).holder(&s.1).stance(&s.2),
        "actor+stance+holder" => Query::all().actor(a).holder(&s.1).stance(&s.2),
        "stance+polarity" => Query::all().stance(&s.2).polarity(POLARITY),
        "facets(actor)" => {
            let f = index.facets(&Query::text(&mix.term), &[FacetDim::Actor])?;
            return Ok(f.counts.iter().take(20).count());
        }
        other => return Err(anyhow!("unknown query {other}")),
    };
    Ok(index.search(&q)?.total)
}

/// CLI arguments for the same query.
pub fn dossier_cli_args(mix: &Mix, which: &str) -> Option<Vec<String>> {
    let s = &mix.stance;
    let v = |a: &[&str]| Some(a.iter().map(|x| x.to_string()).collect());
    match which {
        "term" => v(&["search", &mix.term]),
        "phrase" => v(&["search", &format!("\"{} {}\"", mix.phrase.0, mix.phrase.1)]),
        "and" => v(&["search", &format!("{} {}", mix.and.0, mix.and.1)]),
        "term+actor" => v(&["search", &mix.term, "--actor", &mix.actor]),
        "term+stance+holder" => v(&["search", &mix.term, "--holder", &s.1, "--stance", &s.2]),
        "actor+stance+holder" => v(&[
            "search", "--actor", &s.0, "--holder", &s.1, "--stance", &s.2,
        ]),
        "stance+polarity" => v(&["search", "--stance", &s.2, "--polarity", POLARITY]),
        "facets(actor)" => v(&["facets", "--by", "actor", &mix.term, "--top", "20"]),
        _ => None,
    }
}

// ---------------------------------------------------------------- raw tantivy

/// The floor: one text field, the same analyzer, passages cut by the same
/// paragraph rule, no annotations and no TOML.
pub fn tantivy_build(corpus: &Path, out: &Path, mix: &Mix) -> Result<BuildReport> {
    let started = Instant::now();
    let mut b = Schema::builder();
    let text_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    ) | STORED;
    let text = b.add_text_field("text", text_opts);
    std::fs::create_dir_all(out)?;
    let index = tantivy::Index::create_in_dir(out, b.build())?;
    index.tokenizers().register("en", analyzer());
    let mut writer =
        index.writer_with_num_threads::<tantivy::TantivyDocument>(2, 512 * 1024 * 1024)?;
    let mut ids: Vec<PathBuf> = std::fs::read_dir(corpus.join("articles"))?
        .flatten()
        .map(|e| e.path())
        .collect();
    ids.sort();
    for dir in ids {
        let body = std::fs::read_to_string(dir.join("text.txt"))?;
        for span in dossier::corpus::segment::segment(&body) {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(text, &body[span.start..span.end]);
            writer.add_document(doc)?;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let build_secs = started.elapsed().as_secs_f64();
    let reader = index.reader()?;
    let parser = QueryParser::for_index(&index, vec![text]);
    reader
        .searcher()
        .search(&parser.parse_query(&mix.term)?, &Count)?;
    Ok(BuildReport {
        build_secs,
        searchable_secs: started.elapsed().as_secs_f64(),
        peak_rss_kb: peak_rss_kb(),
        index_bytes: dir_bytes(out),
    })
}

pub fn analyzer() -> tantivy::tokenizer::TextAnalyzer {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub struct RawTantivy {
    reader: tantivy::IndexReader,
    parser: QueryParser,
}

impl RawTantivy {
    pub fn open(dir: &Path) -> Result<RawTantivy> {
        let index = tantivy::Index::open_in_dir(dir)?;
        index.tokenizers().register("en", analyzer());
        let text = index.schema().get_field("text")?;
        let mut parser = QueryParser::for_index(&index, vec![text]);
        parser.set_conjunction_by_default();
        Ok(RawTantivy {
            reader: index.reader()?,
            parser,
        })
    }

    pub fn query(&self, mix: &Mix, which: &str) -> Result<Option<usize>> {
        let q = match which {
            "term" => mix.term.clone(),
            "phrase" => format!("\"{} {}\"", mix.phrase.0, mix.phrase.1),
            "and" => format!("{} {}", mix.and.0, mix.and.1),
            _ => return Ok(None),
        };
        let query = self.parser.parse_query(&q)?;
        let (_top, count) = self
            .reader
            .searcher()
            .search(&query, &(TopDocs::with_limit(10).order_by_score(), Count))?;
        Ok(Some(count))
    }
}

// ---------------------------------------------------------------- SQLite FTS5

/// What an analyst would build instead: FTS5 with the porter tokenizer for
/// text, the annotations in ordinary indexed tables joined to it.
pub fn fts5_build(corpus: &Path, out: &Path, mix: &Mix) -> Result<BuildReport> {
    let started = Instant::now();
    std::fs::create_dir_all(out)?;
    let db = out.join("fts5.sqlite");
    let _ = std::fs::remove_file(&db);
    let mut conn = rusqlite::Connection::open(&db)?;
    conn.execute_batch(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
         CREATE TABLE passages(id INTEGER PRIMARY KEY, pid TEXT, article TEXT, ordinal INT);
         CREATE VIRTUAL TABLE fts USING fts5(text, tokenize='porter unicode61');
         CREATE TABLE actors(pid INTEGER, actor TEXT);
         CREATE TABLE stances(pid INTEGER, holder TEXT, stance TEXT, target TEXT, polarity TEXT);",
    )?;
    let c = dossier::Corpus::load(corpus)?;
    let tx = conn.transaction()?;
    {
        let mut ins_p =
            tx.prepare("INSERT INTO passages(id, pid, article, ordinal) VALUES (?1, ?2, ?3, ?4)")?;
        let mut ins_f = tx.prepare("INSERT INTO fts(rowid, text) VALUES (?1, ?2)")?;
        let mut ins_a = tx.prepare("INSERT INTO actors(pid, actor) VALUES (?1, ?2)")?;
        let mut ins_s = tx.prepare("INSERT INTO stances(pid, holder, stance, target, polarity) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut rowid: i64 = 0;
        for report in c.articles() {
            let article = report
                .article
                .ok_or_else(|| anyhow!("invalid article {}", report.id))?;
            for p in &article.passages {
                rowid += 1;
                ins_p.execute(rusqlite::params![rowid, p.id, article.id, p.ordinal])?;
                ins_f.execute(rusqlite::params![rowid, p.text])?;
                for a in &p.actors {
                    ins_a.execute(rusqlite::params![rowid, a])?;
                }
                for s in &p.stances {
                    ins_s.execute(rusqlite::params![
                        rowid,
                        s.holder,
                        s.stance,
                        s.target,
                        s.polarity.as_str()
                    ])?;
                }
            }
        }
    }
    tx.execute_batch("CREATE INDEX actors_actor ON actors(actor, pid); CREATE INDEX actors_pid ON actors(pid, actor); CREATE INDEX stances_hs ON stances(holder, stance, pid);")?;
    tx.commit()?;
    let build_secs = started.elapsed().as_secs_f64();
    let fts = Fts5::open(&db)?;
    fts.query(mix, "term")?;
    Ok(BuildReport {
        build_secs,
        searchable_secs: started.elapsed().as_secs_f64(),
        peak_rss_kb: peak_rss_kb(),
        index_bytes: dir_bytes(out),
    })
}

pub struct Fts5 {
    conn: rusqlite::Connection,
}

fn fts_quote(w: &str) -> String {
    format!("\"{}\"", w.replace('"', ""))
}

impl Fts5 {
    pub fn open(db: &Path) -> Result<Fts5> {
        Ok(Fts5 {
            conn: rusqlite::Connection::open_with_flags(
                db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .context("opening FTS5 db")?,
        })
    }

    /// Runs a query like dossier does: the top 10 by rank, plus the total.
    pub fn query(&self, mix: &Mix, which: &str) -> Result<usize> {
        let s = &mix.stance;
        let (matched, top, params): (&str, &str, Vec<String>) = match which {
            "term" => ("SELECT count(*) FROM fts WHERE fts MATCH ?1", "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10", vec![fts_quote(&mix.term)]),
            "phrase" => ("SELECT count(*) FROM fts WHERE fts MATCH ?1", "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10", vec![format!("\"{} {}\"", mix.phrase.0, mix.phrase.1)]),
            "and" => ("SELECT count(*) FROM fts WHERE fts MATCH ?1", "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10", vec![format!("{} AND {}", fts_quote(&mix.and.0), fts_quote(&mix.and.1))]),
            "term+actor" => (
                "SELECT count(*) FROM fts f WHERE fts MATCH ?1 AND EXISTS (SELECT 1 FROM actors a WHERE a.pid = f.rowid AND a.actor = ?2)",
                "SELECT f.rowid FROM fts f WHERE fts MATCH ?1 AND EXISTS (SELECT 1 FROM actors a WHERE a.pid = f.rowid AND a.actor = ?2) ORDER BY rank LIMIT 10",
                vec![fts_quote(&mix.term), mix.actor.clone()],
            ),
            "term+stance+holder" => (
                "SELECT count(*) FROM fts f WHERE fts MATCH ?1 AND EXISTS (SELECT 1 FROM stances s WHERE s.pid = f.rowid AND s.holder = ?2 AND s.stance = ?3)",
                "SELECT f.rowid FROM fts f WHERE fts MATCH ?1 AND EXISTS (SELECT 1 FROM stances s WHERE s.pid = f.rowid AND s.holder = ?2 AND s.stance = ?3) ORDER BY rank LIMIT 10",
                vec![fts_quote(&mix.term), s.1.clone(), s.2.clone()],
            ),
            "actor+stance+holder" => (
                "SELECT count(*) FROM passages p WHERE EXISTS (SELECT 1 FROM actors a WHERE a.pid = p.id AND a.actor = ?1) AND EXISTS (SELECT 1 FROM stances s WHERE s.pid = p.id AND s.holder = ?2 AND s.stance = ?3)",
                "SELECT p.id FROM passages p WHERE EXISTS (SELECT 1 FROM actors a WHERE a.pid = p.id AND a.actor = ?1) AND EXISTS (SELECT 1 FROM stances s WHERE s.pid = p.id AND s.holder = ?2 AND s.stance = ?3) ORDER BY p.id LIMIT 10",
                vec![s.0.clone(), s.1.clone(), s.2.clone()],
            ),
            // One pass over the stance rows: the loader indexes them by
            // holder, as its queries above need, not by polarity.
            "stance+polarity" => (
                "SELECT count(DISTINCT pid) FROM stances WHERE stance = ?1 AND polarity = ?2",
                "SELECT DISTINCT pid FROM stances WHERE stance = ?1 AND polarity = ?2 ORDER BY pid LIMIT 10",
                vec![s.2.clone(), POLARITY.to_owned()],
            ),
            "facets(actor)" => {
                let mut st = self.conn.prepare_cached(
                    "SELECT a.actor, count(*) AS c FROM fts f JOIN actors a ON a.pid = f.rowid WHERE fts MATCH ?1 GROUP BY a.actor ORDER BY c DESC, a.actor LIMIT 20",
                )?;
                let rows = st.query_map([fts_quote(&mix.term)], |r| r.get::<_, i64>(1))?.count();
                return Ok(rows);
            }
            other => return Err(anyhow!("unknown query {other}")),
        };
        let p = rusqlite::params_from_iter(params.iter());
        let total: i64 = self
            .conn
            .prepare_cached(matched)?
            .query_row(p, |r| r.get(0))?;
        let mut st = self.conn.prepare_cached(top)?;
        let _top: Vec<i64> = st
            .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(total as usize)
    }
}

// ---------------------------------------------------------------- ripgrep

/// ripgrep over the raw texts, whole process: one passage per line, so the
/// number of matching lines is the number of matching passages.
pub fn rg_command(corpus: &Path, mix: &Mix, which: &str) -> Option<String> {
    let dir = corpus.join("articles").display().to_string();
    match which {
        "term" => Some(format!("rg -c -i -w --no-filename -g text.txt '{}' '{dir}' | awk '{{s+=$1}} END {{print s+0}}'", mix.term)),
        "phrase" => Some(format!("rg -c -i -w --no-filename -g text.txt '{} {}' '{dir}' | awk '{{s+=$1}} END {{print s+0}}'", mix.phrase.0, mix.phrase.1)),
        "and" => Some(format!("rg -i -w --no-filename -g text.txt '{}' '{dir}' | rg -c -i -w '{}'", mix.and.0, mix.and.1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::BuildReport;

    #[test]
    fn builds_combine_as_median_times_the_highest_peak_and_the_last_size() {
        let report = |secs: f64, rss: u64, bytes: u64| BuildReport {
            build_secs: secs,
            searchable_secs: secs + 1.0,
            peak_rss_kb: rss,
            index_bytes: bytes,
        };
        let m = BuildReport::median(&[report(9.0, 5, 1), report(2.0, 7, 2), report(4.0, 6, 3)]);
        assert_eq!(m.build_secs, 4.0);
        assert_eq!(m.searchable_secs, 5.0);
        assert_eq!(m.peak_rss_kb, 7);
        assert_eq!(m.index_bytes, 3);
        let even = BuildReport::median(&[report(2.0, 1, 1), report(4.0, 1, 1)]);
        assert_eq!(even.build_secs, 3.0);
    }
}
