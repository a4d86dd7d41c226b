//! `dossier serve` under load, side by side with `tantivy-cli serve` over an
//! index of the same passage text, in the same run: term queries on both,
//! and term + actor queries on dossier (tantivy-cli has no annotations).

use crate::load::{self, LoadResult};
use crate::run::ensure_corpus;
use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServeResult {
    pub passages: usize,
    /// Seconds of load per row and round.
    pub seconds: u64,
    /// Rounds of every row, alternating; each figure is the median over
    /// them (counts are summed, peak RSS is the highest).
    #[serde(default = "one")]
    pub rounds: usize,
    pub concurrency: usize,
    pub dossier_term: LoadResult,
    pub dossier_term_actor: LoadResult,
    /// The same term queries with the response cache off (`--cache 0`).
    #[serde(default)]
    pub dossier_term_uncached: LoadResult,
    #[serde(default)]
    pub dossier_term_actor_uncached: LoadResult,
    pub tantivy_cli_term: LoadResult,
    pub tantivy_cli_version: String,
}

fn one() -> usize {
    1
}

pub struct ServeOptions {
    pub work: PathBuf,
    pub rounds: usize,
    pub passages: usize,
    pub seed: u64,
    pub dossier_bin: PathBuf,
    pub tantivy_bin: PathBuf,
    pub seconds: u64,
    pub concurrency: usize,
}

/// Kills the server when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for(url: &str, ready: impl Fn(&str) -> bool) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if let Ok(mut r) = agent.get(url).call() {
            if let Ok(body) = r.body_mut().read_to_string() {
                if ready(&body) {
                    return Ok(());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(anyhow!("{url} never became ready"))
}

/// tantivy-cli's index of the same passage text (built once, then kept).
fn tantivy_cli_index(tantivy: &Path, corpus: &Path, dir: &Path) -> Result<()> {
    if dir.join("meta.json").exists() && dir.join(".built").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    // One stored, position-indexed, English-stemmed text field.
    std::fs::write(
        dir.join("meta.json"),
        r#"{"index_settings":{"docstore_compression":"lz4","docstore_blocksize":16384},"segments":[],"schema":[{"name":"text","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"en_stem"},"stored":true,"fast":false}}],"opstamp":0}"#,
    )?;
    let mut child = Command::new(tantivy)
        .args(["index", "-i"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .context("starting tantivy-cli index")?;
    {
        let mut stdin =
            std::io::BufWriter::new(child.stdin.take().ok_or_else(|| anyhow!("no stdin"))?);
        let c = dossier::Corpus::load(corpus)?;
        for report in c.articles() {
            let Some(article) = report.article else {
                continue;
            };
            for p in article.passages {
                serde_json::to_writer(&mut stdin, &serde_json::json!({ "text": p.text }))?;
                stdin.write_all(b"\n")?;
            }
        }
    }
    if !child.wait()?.success() {
        return Err(anyhow!("tantivy-cli index failed"));
    }
    std::fs::write(dir.join(".built"), "")?;
    Ok(())
}

pub fn run(o: &ServeOptions) -> Result<ServeResult> {
    let (corpus, manifest) = ensure_corpus(&o.work, o.passages, o.seed)?;
    let dossier_index = o.work.join(format!("index-dossier-{}", o.passages));
    let tantivy_index = o.work.join(format!("index-tantivycli-{}", o.passages));
    eprintln!("[serve {}] tantivy-cli index", o.passages);
    tantivy_cli_index(&o.tantivy_bin, &corpus, &tantivy_index)?;
    let version = Command::new(&o.tantivy_bin)
        .arg("--version")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();

    // The same 50 common words for both; an actor for the filtered queries.
    let words: Vec<&String> = manifest.common_words.iter().skip(20).take(50).collect();
    let actor = &manifest.common_actors[0].1;
    let encode = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    let dossier_term: Vec<String> = words
        .iter()
        .map(|w| format!("/api/search?q={}", encode(w)))
        .collect();
    let dossier_actor: Vec<String> = words
        .iter()
        .map(|w| format!("/api/search?q={}&actor={}", encode(w), encode(actor)))
        .collect();
    let tantivy_term: Vec<String> = words
        .iter()
        .map(|w| format!("/api/?q={}&nhits=10", encode(w)))
        .collect();
    let duration = Duration::from_secs(o.seconds);

    // Each dossier configuration in its own server process, so that each
    // peak RSS is its own. Every server answers each query once before the
    // clock starts, so that no row pays for cold caches.
    let dossier_run = |cache: usize, paths: &[String]| -> Result<LoadResult> {
        let port = free_port()?;
        let server = Running(
            crate::dossier_on(&o.dossier_bin, &corpus, &dossier_index)
                .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
                .args(["--cache", &cache.to_string()])
                .stderr(Stdio::null())
                .spawn()?,
        );
        let base = format!("http://127.0.0.1:{port}");
        wait_for(&format!("{base}/api/health"), |b| {
            b.contains("\"status\":\"ready\"")
        })?;
        load::warm(&base, paths)?;
        let mut r = load::run(&base, paths, o.concurrency, duration)?;
        r.server_rss_mb = load::peak_rss_mb(server.0.id());
        Ok(r)
    };
    let tantivy_run = || -> Result<LoadResult> {
        let port = free_port()?;
        let tantivy = Running(
            Command::new(&o.tantivy_bin)
                .args(["serve", "-i"])
                .arg(&tantivy_index)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        );
        let base = format!("http://127.0.0.1:{port}");
        wait_for(
            &format!("{base}/api/?q={}&nhits=1", encode(words[0])),
            |b| b.contains("num_hits"),
        )?;
        load::warm(&base, &tantivy_term)?;
        let mut r = load::run(&base, &tantivy_term, o.concurrency, duration)?;
        r.server_rss_mb = load::peak_rss_mb(tantivy.0.id());
        Ok(r)
    };
    // Rounds alternate the servers, so that a noisy minute on a shared
    // machine lands on every row alike.
    let rounds = o.rounds.max(1);
    let mut rows: [Vec<LoadResult>; 5] = Default::default();
    for round in 1..=rounds {
        eprintln!("[serve {}] round {round} of {rounds}", o.passages);
        rows[0].push(dossier_run(4096, &dossier_term)?);
        rows[1].push(dossier_run(4096, &dossier_actor)?);
        rows[2].push(dossier_run(0, &dossier_term)?);
        rows[3].push(dossier_run(0, &dossier_actor)?);
        rows[4].push(tantivy_run()?);
    }
    let [dossier_term_r, dossier_actor_r, dossier_term_uncached, dossier_actor_uncached, tantivy_r] =
        rows.map(|r| load::median(&r));
    Ok(ServeResult {
        passages: o.passages,
        seconds: o.seconds,
        rounds,
        concurrency: o.concurrency,
        dossier_term: dossier_term_r,
        dossier_term_actor: dossier_actor_r,
        dossier_term_uncached,
        dossier_term_actor_uncached: dossier_actor_uncached,
        tantivy_cli_term: tantivy_r,
        tantivy_cli_version: version,
    })
}
