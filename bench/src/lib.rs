//! Benchmark harness for dossier (see `BENCHMARKS.md` at the repository root).

pub mod gen;
pub mod lifecycle;
pub mod load;
pub mod report;
pub mod run;
pub mod serve;
pub mod systems;

use std::path::Path;
use std::process::Command;

/// `dossier --corpus C --index I`, with no settings from the environment.
pub fn dossier_on(bin: &Path, corpus: &Path, index: &Path) -> Command {
    let mut c = Command::new(bin);
    c.env_remove("DOSSIER_CORPUS")
        .env_remove("DOSSIER_INDEX")
        .env_remove("DOSSIER_NO_REFRESH")
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index);
    c
}

/// The median of `f` over `items`: the mean of the middle two for an even
/// count, 0 for none.
pub fn median_by<T>(items: &[T], f: impl Fn(&T) -> f64) -> f64 {
    let mut v: Vec<f64> = items.iter().map(f).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
