//! A bounded HTTP load generator: `concurrency` threads, each with its own
//! keep-alive connection, send requests in turn from a list of paths for a
//! fixed time, against 127.0.0.1 only.

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoadResult {
    pub requests: usize,
    /// Non-200 answers and failed requests.
    pub errors: usize,
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The server's peak resident memory after the run (VmHWM), when known.
    pub server_rss_mb: Option<f64>,
}

pub fn run(
    base: &str,
    paths: &[String],
    concurrency: usize,
    duration: Duration,
) -> Result<LoadResult> {
    if !base.starts_with("http://127.0.0.1:") && !base.starts_with("http://localhost:") {
        return Err(anyhow!(
            "the load generator only targets 127.0.0.1, not {base}"
        ));
    }
    if paths.is_empty() {
        return Err(anyhow!("no paths to request"));
    }
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let per_thread: Vec<(Vec<f64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..concurrency)
            .map(|t| {
                s.spawn(move || {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .timeout_global(Some(Duration::from_secs(30)))
                        .build()
                        .into();
                    let mut samples = Vec::new();
                    let mut errors = 0;
                    let mut i = t;
                    while Instant::now() < deadline {
                        let url = format!("{base}{}", paths[i % paths.len()]);
                        i += 1;
                        let t0 = Instant::now();
                        let ok = match agent.get(&url).call() {
                            Ok(mut r) => {
                                let status = r.status().as_u16();
                                // Read the whole body: the work includes it.
                                let body = r.body_mut().read_to_vec();
                                status == 200 && body.is_ok()
                            }
                            Err(_) => false,
                        };
                        samples.push(t0.elapsed().as_secs_f64() * 1000.0);
                        if !ok {
                            errors += 1;
                        }
                    }
                    (samples, errors)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let errors = per_thread.iter().map(|(_, e)| e).sum();
    let mut all: Vec<f64> = per_thread.into_iter().flat_map(|(s, _)| s).collect();
    all.sort_by(f64::total_cmp);
    let at = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Ok(LoadResult {
        requests: all.len(),
        errors,
        requests_per_s: all.len() as f64 / elapsed,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        server_rss_mb: None,
    })
}

/// Peak resident memory of a process, from /proc.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}
