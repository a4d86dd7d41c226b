//! Benchmark harness for dossier (see `BENCHMARKS.md` at the repository root).

pub mod gen;
pub mod lifecycle;
pub mod load;
pub mod report;
pub mod run;
pub mod serve;
pub mod systems;
