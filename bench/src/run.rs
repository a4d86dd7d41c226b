//! One benchmark run: for each corpus size, generate, build every system
//! (each in its own process), then time the query mix everywhere.

use crate::dossier_on;
use crate::gen::{self, Manifest};
use crate::systems::{self, BuildReport, Fts5, Mix, RawTantivy, QUERIES};
use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub runs: usize,
    /// Hits (or facet rows) the system reported.
    pub hits: Option<usize>,
}

fn summarize(mut samples: Vec<f64>, hits: Option<usize>) -> Latency {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    Latency {
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        runs: samples.len(),
        hits,
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct QueryRow {
    pub query: String,
    pub dossier_lib: Option<Latency>,
    pub dossier_cli: Option<Latency>,
    /// The CLI with --no-refresh: no corpus freshness check.
    pub dossier_cli_no_refresh: Option<Latency>,
    /// The first CLI run after the build (page cache warm, process cold).
    pub dossier_cli_first_ms: Option<f64>,
    /// The CLI, default flags, while `dossier watch` runs for its index
    /// (absent in runs made before it was measured).
    #[serde(default)]
    pub dossier_cli_watched: Option<Latency>,
    pub bare_tantivy_process: Option<Latency>,
    pub tantivy_lib: Option<Latency>,
    pub fts5_lib: Option<Latency>,
    pub ripgrep_process: Option<Latency>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SizeResult {
    pub passages: usize,
    pub text_mb: f64,
    pub builds: Vec<(String, BuildReport)>,
    /// How many builds of each system the build figures are the medians of.
    #[serde(default)]
    pub build_rounds: usize,
    pub queries: Vec<QueryRow>,
    pub mix: Option<Mix>,
    /// What edits cost (absent in runs made before it was measured).
    #[serde(default)]
    pub lifecycle: Option<crate::lifecycle::Lifecycle>,
    /// The `statfloor` process: the floor of a check that stats every
    /// corpus file (absent in runs made before it was measured).
    #[serde(default)]
    pub stat_floor: Option<Latency>,
}

pub struct Options {
    pub work: PathBuf,
    pub dossier_bin: PathBuf,
    pub bare_bin: PathBuf,
    /// Lists and stats every corpus file, as a freshness check must.
    pub statfloor_bin: PathBuf,
    pub lib_runs: usize,
    pub process_runs: usize,
    pub seed: u64,
    /// Measure what edits cost.
    pub lifecycle: bool,
    /// One-article updates before comparing query latency with a fresh
    /// build (only at sizes up to 100,000 passages, to bound the run).
    pub update_rounds: usize,
    /// Builds of every system, alternating, to take medians: one build
    /// per system let the machine's drift decide the ratios.
    pub build_rounds: usize,
}

fn time_ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed().as_secs_f64() * 1000.0, v)
}

fn lib_latency(
    runs: usize,
    mut f: impl FnMut() -> Result<Option<usize>>,
) -> Result<Option<Latency>> {
    let Some(hits) = f()? else { return Ok(None) };
    for _ in 0..3 {
        f()?;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (ms, r) = time_ms(&mut f);
        r?;
        samples.push(ms);
    }
    Ok(Some(summarize(samples, Some(hits))))
}

/// Times a whole process. Exit 1 ("found nothing", for dossier and
/// ripgrep) is accepted only when `expect_hits` is false: where the library
/// found hits, a process that finds none is wrong, not fast.
fn process_latency(
    runs: usize,
    expect_hits: bool,
    mut cmd: impl FnMut() -> Command,
) -> Result<(Latency, f64, String)> {
    let run = |c: &mut Command| -> Result<(f64, String)> {
        let t = Instant::now();
        let out = c.stderr(Stdio::piped()).output()?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let nothing = out.status.code() == Some(1) && !expect_hits;
        if !out.status.success() && !nothing {
            return Err(anyhow!(
                "{c:?} failed ({:?}) where hits were expected: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok((ms, String::from_utf8_lossy(&out.stdout).into_owned()))
    };
    let (first, output) = run(&mut cmd())?;
    run(&mut cmd())?;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        samples.push(run(&mut cmd())?.0);
    }
    Ok((summarize(samples, None), first, output))
}

fn build_child(system: &str, corpus: &Path, out: &Path) -> Result<BuildReport> {
    let _ = std::fs::remove_dir_all(out);
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .args(["build", "--system", system, "--corpus"])
        .arg(corpus)
        .arg("--out")
        .arg(out)
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(anyhow!("building {system} failed"));
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

pub fn ensure_corpus(work: &Path, passages: usize, seed: u64) -> Result<(PathBuf, Manifest)> {
    let dir = work.join(format!("corpus-{passages}"));
    let manifest_path = dir.join("bench-manifest.json");
    if let Ok(bytes) = std::fs::read(&manifest_path) {
        if let Ok(m) = serde_json::from_slice::<Manifest>(&bytes) {
            return Ok((dir, m));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("generating {passages} passages in {}", dir.display());
    let m = gen::generate(&dir, passages, seed, &mut |_| {})?;
    Ok((dir, m))
}

pub fn run_size(passages: usize, o: &Options) -> Result<SizeResult> {
    let (corpus, manifest) = ensure_corpus(&o.work, passages, o.seed)?;
    let mix = Mix::from_manifest(&manifest);
    let mut result = SizeResult {
        passages,
        text_mb: manifest.text_bytes as f64 / 1e6,
        mix: Some(mix.clone()),
        ..SizeResult::default()
    };
    let idx = |name: &str| o.work.join(format!("index-{name}-{passages}"));

    let systems = ["dossier", "tantivy", "fts5"];
    let mut reports: Vec<Vec<BuildReport>> = vec![Vec::new(); systems.len()];
    for round in 1..=o.build_rounds {
        for (system, reports) in systems.iter().zip(&mut reports) {
            eprintln!(
                "[{passages}] building {system} ({round} of {})",
                o.build_rounds
            );
            let report = build_child(system, &corpus, &idx(system))
                .with_context(|| format!("{system} build"))?;
            reports.push(report);
        }
    }
    for (system, reports) in systems.iter().zip(&reports) {
        result
            .builds
            .push((system.to_string(), BuildReport::median(reports)));
    }
    result.build_rounds = o.build_rounds;

    let dossier_index = dossier::Index::open(idx("dossier"))?;
    let raw = RawTantivy::open(&idx("tantivy"))?;
    let fts = Fts5::open(&idx("fts5").join("fts5.sqlite"))?;
    let rg_available = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !rg_available {
        return Err(anyhow!(
            "ripgrep (rg) is not installed; the benchmark compares its hit counts \
             (bench/run.sh installs it with apt-get)"
        ));
    }
    for q in QUERIES {
        eprintln!("[{passages}] query {q}");
        let mut row = QueryRow {
            query: q.to_owned(),
            ..QueryRow::default()
        };
        row.dossier_lib = lib_latency(o.lib_runs, || {
            Ok(Some(systems::dossier_query(&dossier_index, &mix, q)?))
        })?;
        row.tantivy_lib = lib_latency(o.lib_runs, || raw.query(&mix, q))?;
        // FTS5 joins can take long on big corpora: fewer runs.
        row.fts5_lib = lib_latency(o.lib_runs.min(50), || Ok(Some(fts.query(&mix, q)?)))?;
        let expect_hits = row
            .dossier_lib
            .as_ref()
            .and_then(|l| l.hits)
            .is_some_and(|h| h > 0);
        if let Some(args) = systems::dossier_cli_args(&mix, q) {
            // Global flags before the command, its own flags after.
            let cli = |extra: &[&str], trailing: &[&str]| {
                let mut c = dossier_on(&o.dossier_bin, &corpus, &idx("dossier"));
                c.args(extra)
                    .args(&args)
                    .args(["--color", "never"])
                    .args(trailing);
                c
            };
            let (mut lat, first, _) =
                process_latency(o.process_runs, expect_hits, || cli(&[], &[]))?;
            // The timed runs print text; one more run prints JSON to count.
            lat.hits = Some(cli_hits(q, cli(&[], &["--format", "json"]), expect_hits)?);
            row.dossier_cli = Some(lat);
            row.dossier_cli_first_ms = Some(first);
            let (mut lat, _, _) =
                process_latency(o.process_runs, expect_hits, || cli(&["--no-refresh"], &[]))?;
            lat.hits = Some(cli_hits(
                q,
                cli(&["--no-refresh"], &["--format", "json"]),
                expect_hits,
            )?);
            row.dossier_cli_no_refresh = Some(lat);
        }
        if ["term", "phrase", "and"].contains(&q) {
            let text = match q {
                "term" => mix.term.clone(),
                "phrase" => format!("\"{} {}\"", mix.phrase.0, mix.phrase.1),
                _ => format!("{} {}", mix.and.0, mix.and.1),
            };
            let (mut lat, _, out) = process_latency(o.process_runs, expect_hits, || {
                let mut c = Command::new(&o.bare_bin);
                c.arg(idx("dossier")).arg(&text);
                c
            })?;
            lat.hits = out.split_whitespace().next().and_then(|n| n.parse().ok());
            row.bare_tantivy_process = Some(lat);
            if let Some(sh) = systems::rg_command(&corpus, &mix, q) {
                let (mut lat, _, out) =
                    process_latency(o.process_runs.min(10), expect_hits, || {
                        let mut c = Command::new("sh");
                        c.arg("-c").arg(&sh);
                        c
                    })?;
                // `rg -c` prints nothing when nothing matches.
                lat.hits = if out.trim().is_empty() {
                    Some(0)
                } else {
                    out.trim().parse().ok()
                };
                row.ripgrep_process = Some(lat);
            }
        }
        result.queries.push(row);
    }
    // Apart from the runs above: while a watcher runs, every default run
    // is answered on its word.
    {
        let _watcher = Watcher::start(&o.dossier_bin, &corpus, &idx("dossier"))?;
        for row in &mut result.queries {
            let q = row.query.clone();
            let Some(args) = systems::dossier_cli_args(&mix, &q) else {
                continue;
            };
            eprintln!("[{passages}] query {q}, dossier watch running");
            let expect_hits = row
                .dossier_cli
                .as_ref()
                .and_then(|l| l.hits)
                .is_some_and(|h| h > 0);
            let cli = |trailing: &[&str]| {
                let mut c = dossier_on(&o.dossier_bin, &corpus, &idx("dossier"));
                c.args(&args).args(["--color", "never"]).args(trailing);
                c
            };
            let (mut lat, _, _) = process_latency(o.process_runs, expect_hits, || cli(&[]))?;
            lat.hits = Some(cli_hits(&q, cli(&["--format", "json"]), expect_hits)?);
            row.dossier_cli_watched = Some(lat);
        }
        // Measured as claimed only if the watcher vouched for the index.
        let said = dossier_on(&o.dossier_bin, &corpus, &idx("dossier"))
            .arg("index")
            .output()?;
        let said = String::from_utf8_lossy(&said.stdout);
        if !said.contains("dossier watch saw no change") {
            return Err(anyhow!("the watcher did not vouch for the index: {said}"));
        }
    }
    let (mut floor, _, out) = process_latency(o.process_runs, true, || {
        let mut c = Command::new(&o.statfloor_bin);
        c.arg(&corpus);
        c
    })?;
    floor.hits = out.trim().parse().ok();
    if floor.hits != Some(2 * manifest.articles) {
        return Err(anyhow!(
            "statfloor stated {out:?} files, not both files of {} articles",
            manifest.articles
        ));
    }
    result.stat_floor = Some(floor);
    drop(dossier_index);
    if o.lifecycle {
        eprintln!("[{passages}] lifecycle: what edits cost");
        result.lifecycle = Some(crate::lifecycle::measure(
            &o.dossier_bin,
            &corpus,
            &o.work,
            manifest.articles,
            &mix.term,
            if passages <= 100_000 {
                o.update_rounds
            } else {
                0
            },
            &idx("dossier"),
        )?);
    }
    Ok(result)
}

/// A `dossier watch` process, stopped when dropped.
struct Watcher(std::process::Child);

impl Watcher {
    /// Starts one and waits until it says it watches.
    fn start(bin: &Path, corpus: &Path, index: &Path) -> Result<Watcher> {
        use std::io::BufRead;
        let mut child = dossier_on(bin, corpus, index)
            .arg("watch")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        let stderr = child.stderr.take().context("watcher stderr")?;
        let watcher = Watcher(child);
        let mut said = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line?;
            if line.starts_with("dossier: watching ") {
                return Ok(watcher);
            }
            said.push_str(&line);
        }
        Err(anyhow!("dossier watch did not start: {said}"))
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The CLI's hit count for a query: `total` of a search, or the facet rows
/// shown (`--top 20`), from one run with `--format json`.
fn cli_hits(query: &str, mut cmd: Command, expect_hits: bool) -> Result<usize> {
    let out = cmd.stderr(Stdio::piped()).output()?;
    let nothing = out.status.code() == Some(1) && !expect_hits;
    if !out.status.success() && !nothing {
        return Err(anyhow!(
            "{cmd:?} failed ({:?}) where hits were expected: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).with_context(|| format!("{cmd:?} printed no JSON"))?;
    let hits = if query.starts_with("facets") {
        v["counts"].as_array().map(|c| c.len().min(20))
    } else {
        v["total"].as_u64().map(|t| t as usize)
    };
    hits.ok_or_else(|| anyhow!("{cmd:?}: no hit count in its JSON"))
}

/// The systems that must report a hit count for each query: all of them
/// for the keyword queries, dossier (library and CLI) and FTS5 for the
/// annotation queries.
fn hit_counts(q: &QueryRow) -> Vec<(&'static str, Option<usize>)> {
    let hits = |l: &Option<Latency>| l.as_ref().and_then(|l| l.hits);
    let mut v = vec![
        ("dossier lib", hits(&q.dossier_lib)),
        ("dossier CLI", hits(&q.dossier_cli)),
        ("CLI --no-refresh", hits(&q.dossier_cli_no_refresh)),
        ("CLI, watch running", hits(&q.dossier_cli_watched)),
        ("FTS5", hits(&q.fts5_lib)),
    ];
    if ["term", "phrase", "and"].contains(&q.query.as_str()) {
        v.extend([
            ("tantivy lib", hits(&q.tantivy_lib)),
            ("bare", hits(&q.bare_tantivy_process)),
            ("ripgrep", hits(&q.ripgrep_process)),
        ]);
    }
    v
}

/// Every query on which the systems disagree about the number of hits, or
/// a system gave no count: the benchmark compares like with like only if
/// they all find the same passages.
pub fn disagreements(results: &[SizeResult]) -> Vec<String> {
    let mut out = Vec::new();
    for r in results {
        for q in &r.queries {
            let counts = hit_counts(q);
            let first = counts[0].1;
            if counts.iter().any(|(_, h)| h.is_none() || *h != first) {
                let list: Vec<String> = counts
                    .iter()
                    .map(|(name, h)| match h {
                        Some(h) => format!("{name} {h}"),
                        None => format!("{name} none"),
                    })
                    .collect();
                out.push(format!(
                    "[{} passages] {}: {}",
                    r.passages,
                    q.query,
                    list.join(", ")
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lat(hits: usize) -> Option<Latency> {
        Some(Latency {
            hits: Some(hits),
            ..Latency::default()
        })
    }

    fn keyword_row(ripgrep: Option<Latency>) -> QueryRow {
        QueryRow {
            query: "term".into(),
            dossier_lib: lat(454),
            dossier_cli: lat(454),
            dossier_cli_no_refresh: lat(454),
            dossier_cli_watched: lat(454),
            bare_tantivy_process: lat(454),
            tantivy_lib: lat(454),
            fts5_lib: lat(454),
            ripgrep_process: ripgrep,
            ..QueryRow::default()
        }
    }

    fn results(rows: Vec<QueryRow>) -> Vec<SizeResult> {
        vec![SizeResult {
            passages: 1000,
            queries: rows,
            ..SizeResult::default()
        }]
    }

    #[test]
    fn agreeing_counts_pass() {
        let facets = QueryRow {
            query: "facets(actor)".into(),
            dossier_lib: lat(20),
            dossier_cli: lat(20),
            dossier_cli_no_refresh: lat(20),
            dossier_cli_watched: lat(20),
            fts5_lib: lat(20),
            ..QueryRow::default()
        };
        assert!(disagreements(&results(vec![keyword_row(lat(454)), facets])).is_empty());
    }

    #[test]
    fn a_different_count_or_a_missing_one_is_reported() {
        assert_eq!(
            disagreements(&results(vec![keyword_row(lat(453))])),
            [
                "[1000 passages] term: dossier lib 454, dossier CLI 454, CLI --no-refresh 454, \
              CLI, watch running 454, FTS5 454, tantivy lib 454, bare 454, ripgrep 453"
            ]
        );
        // No ripgrep (not installed, or its output unreadable): a failure.
        let missing = disagreements(&results(vec![keyword_row(None)]));
        assert_eq!(missing.len(), 1);
        assert!(missing[0].ends_with("ripgrep none"), "{}", missing[0]);
        // The CLI counts too.
        let mut row = keyword_row(lat(454));
        row.dossier_cli = lat(0);
        assert_eq!(disagreements(&results(vec![row])).len(), 1);
        // And so does the CLI beside a watcher.
        let mut row = keyword_row(lat(454));
        row.dossier_cli_watched = lat(453);
        assert_eq!(disagreements(&results(vec![row])).len(), 1);
    }

    #[test]
    fn exit_1_fails_where_hits_are_expected() {
        let exit_1 = || {
            let mut c = Command::new("sh");
            c.args(["-c", "exit 1"]);
            c
        };
        assert!(process_latency(1, true, exit_1).is_err());
        assert!(process_latency(1, false, exit_1).is_ok());
        assert!(process_latency(1, false, || {
            let mut c = Command::new("sh");
            c.args(["-c", "exit 2"]);
            c
        })
        .is_err());
    }
}
