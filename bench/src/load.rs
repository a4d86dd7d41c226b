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

/// Asks for each path once, in turn, unmeasured: the server's caches and
/// the page cache start warm, as they are for a server that has run a while.
pub fn warm(base: &str, paths: &[String]) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into();
    for path in paths {
        let mut r = agent.get(&format!("{base}{path}")).call()?;
        r.body_mut().read_to_vec()?;
    }
    Ok(())
}

/// Several rounds of one row as one: the median of each rate and latency,
/// the sum of the counts, the highest peak RSS.
pub fn median(rounds: &[LoadResult]) -> LoadResult {
    let mid = |f: fn(&LoadResult) -> f64| crate::median_by(rounds, f);
    LoadResult {
        requests: rounds.iter().map(|r| r.requests).sum(),
        errors: rounds.iter().map(|r| r.errors).sum(),
        requests_per_s: mid(|r| r.requests_per_s),
        p50_ms: mid(|r| r.p50_ms),
        p99_ms: mid(|r| r.p99_ms),
        server_rss_mb: rounds
            .iter()
            .filter_map(|r| r.server_rss_mb)
            .max_by(f64::total_cmp),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round(rps: f64, p99: f64, requests: usize, errors: usize, rss: Option<f64>) -> LoadResult {
        LoadResult {
            requests,
            errors,
            requests_per_s: rps,
            p50_ms: p99 / 4.0,
            p99_ms: p99,
            server_rss_mb: rss,
        }
    }

    #[test]
    fn rounds_combine_as_medians_totals_and_the_highest_peak() {
        let three = median(&[
            round(900.0, 30.0, 9000, 1, Some(200.0)),
            round(100.0, 90.0, 1000, 0, None),
            round(500.0, 10.0, 5000, 2, Some(250.0)),
        ]);
        assert_eq!(three.requests_per_s, 500.0);
        assert_eq!(three.p99_ms, 30.0);
        assert_eq!(three.p50_ms, 7.5);
        assert_eq!((three.requests, three.errors), (15000, 3));
        assert_eq!(three.server_rss_mb, Some(250.0));
        let two = median(&[
            round(100.0, 10.0, 1, 0, None),
            round(300.0, 20.0, 1, 0, None),
        ]);
        assert_eq!((two.requests_per_s, two.p99_ms), (200.0, 15.0));
        assert_eq!(two.server_rss_mb, None);
    }
}
