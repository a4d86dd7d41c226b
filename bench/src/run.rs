//! One benchmark run: for each corpus size, generate, build every system
//! (each in its own process), then time the query mix everywhere.

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
    pub queries: Vec<QueryRow>,
    pub mix: Option<Mix>,
}

pub struct Options {
    pub work: PathBuf,
    pub dossier_bin: PathBuf,
    pub bare_bin: PathBuf,
    pub lib_runs: usize,
    pub process_runs: usize,
    pub seed: u64,
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

fn process_latency(
    runs: usize,
    mut cmd: impl FnMut() -> Command,
) -> Result<(Latency, f64, String)> {
    let run = |c: &mut Command| -> Result<(f64, String)> {
        let t = Instant::now();
        let out = c.stderr(Stdio::null()).output()?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if !out.status.success() && out.status.code() != Some(1) {
            return Err(anyhow!("{c:?} failed: {:?}", out.status));
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

    for system in ["dossier", "tantivy", "fts5"] {
        eprintln!("[{passages}] building {system}");
        let report = build_child(system, &corpus, &idx(system))
            .with_context(|| format!("{system} build"))?;
        result.builds.push((system.to_owned(), report));
    }

    let dossier_index = dossier::Index::open(idx("dossier"))?;
    let raw = RawTantivy::open(&idx("tantivy"))?;
    let fts = Fts5::open(&idx("fts5").join("fts5.sqlite"))?;
    let rg_available = Command::new("rg")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
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
        if let Some(args) = systems::dossier_cli_args(&mix, q) {
            let cli = |extra: &[&str]| {
                let mut c = Command::new(&o.dossier_bin);
                c.env_remove("DOSSIER_CORPUS").env_remove("DOSSIER_INDEX");
                c.arg("--corpus")
                    .arg(&corpus)
                    .arg("--index")
                    .arg(idx("dossier"))
                    .args(extra)
                    .args(&args)
                    .args(["--color", "never"]);
                c
            };
            let (lat, first, _) = process_latency(o.process_runs, || cli(&[]))?;
            row.dossier_cli = Some(lat);
            row.dossier_cli_first_ms = Some(first);
            let (lat, _, _) = process_latency(o.process_runs, || cli(&["--no-refresh"]))?;
            row.dossier_cli_no_refresh = Some(lat);
        }
        if ["term", "phrase", "and"].contains(&q) {
            let text = match q {
                "term" => mix.term.clone(),
                "phrase" => format!("\"{} {}\"", mix.phrase.0, mix.phrase.1),
                _ => format!("{} {}", mix.and.0, mix.and.1),
            };
            let (mut lat, _, out) = process_latency(o.process_runs, || {
                let mut c = Command::new(&o.bare_bin);
                c.arg(idx("dossier")).arg(&text);
                c
            })?;
            lat.hits = out.split_whitespace().next().and_then(|n| n.parse().ok());
            row.bare_tantivy_process = Some(lat);
            if rg_available {
                if let Some(sh) = systems::rg_command(&corpus, &mix, q) {
                    let (mut lat, _, out) = process_latency(o.process_runs.min(10), || {
                        let mut c = Command::new("sh");
                        c.arg("-c").arg(&sh);
                        c
                    })?;
                    lat.hits = out.trim().parse().ok();
                    row.ripgrep_process = Some(lat);
                }
            }
        }
        result.queries.push(row);
    }
    Ok(result)
}
