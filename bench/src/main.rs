//! `dossier-bench`: generate corpora and compare dossier with its peers.
//!
//! ```text
//! cargo build --release -p dossier -p dossier-bench
//! target/release/dossier-bench run --sizes 10000,100000,1000000
//! ```

// The allocator the `dossier` binary uses, so that the library builds it
// times (dossier's and raw tantivy's, in child processes of this binary)
// run as the CLI's do; both systems get it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{anyhow, Result};
use clap::{Parser, Subcommand};
use dossier_bench::{report, run, systems};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    about = "Generate corpora and benchmark dossier against raw tantivy, SQLite FTS5 and ripgrep"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

/// Where a run keeps its work and writes its report.
#[derive(clap::Args)]
struct Output {
    /// Where corpora, indexes and results.json go (kept between runs)
    #[arg(long, default_value = "target/bench-work")]
    work: PathBuf,
    /// The report to write
    #[arg(long, default_value = "BENCHMARKS.md")]
    report: PathBuf,
    /// The plot to write (SVG), next to the report
    #[arg(long, default_value = "bench/plot.svg")]
    plot: PathBuf,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a generated corpus
    Gen {
        #[arg(long)]
        passages: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Run the whole benchmark and write the report
    Run {
        /// Corpus sizes in passages, comma-separated
        #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000, 1_000_000])]
        sizes: Vec<usize>,
        #[command(flatten)]
        out: Output,
        /// Warm runs per query in-process
        #[arg(long, default_value_t = 200)]
        lib_runs: usize,
        /// Warm runs per query for whole processes
        #[arg(long, default_value_t = 30)]
        process_runs: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Skip measuring what edits cost
        #[arg(long)]
        no_lifecycle: bool,
        /// One-article updates before comparing query latency with a fresh
        /// build (at sizes up to 100,000 passages)
        #[arg(long, default_value_t = 1000)]
        update_rounds: usize,
        /// Builds of every system, alternating; build figures are medians
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        build_rounds: u32,
    },
    /// Load `dossier serve` and `tantivy-cli serve` side by side
    ServeBench {
        /// Corpus size in passages
        #[arg(long, default_value_t = 1_000_000)]
        passages: usize,
        #[command(flatten)]
        out: Output,
        /// Seconds of load per server and query kind, in each round
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Rounds of every row, alternating servers; figures are medians
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Concurrent connections
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        /// The tantivy-cli binary (bench/serve.sh installs it)
        #[arg(long, default_value = "target/tantivy-cli/bin/tantivy")]
        tantivy: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Rewrite the report and plot from the last run's results.json
    Report {
        #[command(flatten)]
        out: Output,
    },
    /// (internal) build one system's index and print a JSON report
    Build {
        #[arg(long)]
        system: String,
        #[arg(long)]
        corpus: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
}

/// Where serve-bench keeps its result, in the work folder.
const SERVE_RESULTS: &str = "serve.json";

fn write_report(
    results: &[run::SizeResult],
    work: &std::path::Path,
    report_path: &std::path::Path,
    plot: &std::path::Path,
) -> Result<()> {
    let sizes_arg = results
        .iter()
        .map(|r| r.passages.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let command = format!("bash bench/run.sh --sizes {sizes_arg}");
    let rel_plot = plot
        .strip_prefix(report_path.parent().unwrap_or(std::path::Path::new("")))
        .unwrap_or(plot)
        .display()
        .to_string();
    report::plot(results, plot)?;
    let mut text = report::markdown(results, &command, Some(&rel_plot));
    // The HTTP load run is separate (serve-bench); its last result joins
    // the report when there is one.
    if let Ok(bytes) = std::fs::read(work.join(SERVE_RESULTS)) {
        let serve: dossier_bench::serve::ServeResult = serde_json::from_slice(&bytes)?;
        text.push_str(&report::serve_section(&serve));
    }
    std::fs::write(report_path, text)?;
    eprintln!("wrote {} and {}", report_path.display(), plot.display());
    // The report is written either way, to show the table; a run whose
    // systems disagree on hit counts fails.
    let disagree = run::disagreements(results);
    if !disagree.is_empty() {
        return Err(anyhow!(
            "the systems disagree on hit counts:\n{}",
            disagree.join("\n")
        ));
    }
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Gen {
            passages,
            out,
            seed,
        } => {
            let m = dossier_bench::gen::generate(&out, passages, seed, &mut |_| {})?;
            eprintln!(
                "wrote {} passages, {:.1} MB of text, to {}",
                m.passages,
                m.text_bytes as f64 / 1e6,
                out.display()
            );
        }
        Cmd::Build {
            system,
            corpus,
            out,
        } => {
            let manifest: dossier_bench::gen::Manifest =
                serde_json::from_slice(&std::fs::read(corpus.join("bench-manifest.json"))?)?;
            let mix = systems::Mix::from_manifest(&manifest);
            let r = match system.as_str() {
                "dossier" => systems::dossier_build(&corpus, &out, &mix)?,
                "tantivy" => systems::tantivy_build(&corpus, &out, &mix)?,
                "fts5" => systems::fts5_build(&corpus, &out, &mix)?,
                other => return Err(anyhow!("unknown system {other}")),
            };
            println!("{}", serde_json::to_string(&r)?);
        }
        Cmd::Run {
            sizes,
            out:
                Output {
                    work,
                    report: report_path,
                    plot,
                },
            lib_runs,
            process_runs,
            seed,
            no_lifecycle,
            update_rounds,
            build_rounds,
        } => {
            let exe_dir = std::env::current_exe()?
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default();
            let options = run::Options {
                work: work.clone(),
                dossier_bin: exe_dir.join("dossier"),
                bare_bin: exe_dir.join("bare"),
                statfloor_bin: exe_dir.join("statfloor"),
                lib_runs,
                process_runs,
                seed,
                lifecycle: !no_lifecycle,
                update_rounds,
                build_rounds: build_rounds as usize,
            };
            for bin in [
                &options.dossier_bin,
                &options.bare_bin,
                &options.statfloor_bin,
            ] {
                if !bin.exists() {
                    return Err(anyhow!("{} is missing: run `cargo build --release -p dossier -p dossier-bench` first", bin.display()));
                }
            }
            std::fs::create_dir_all(&work)?;
            let mut results = Vec::new();
            for size in &sizes {
                results.push(run::run_size(*size, &options)?);
                std::fs::write(
                    work.join("results.json"),
                    serde_json::to_vec_pretty(&results)?,
                )?;
            }
            write_report(&results, &work, &report_path, &plot)?;
        }
        Cmd::ServeBench {
            passages,
            out:
                Output {
                    work,
                    report: report_path,
                    plot,
                },
            seconds,
            rounds,
            concurrency,
            tantivy,
            seed,
        } => {
            let exe_dir = std::env::current_exe()?
                .parent()
                .map(PathBuf::from)
                .unwrap_or_default();
            std::fs::create_dir_all(&work)?;
            let r = dossier_bench::serve::run(&dossier_bench::serve::ServeOptions {
                work: work.clone(),
                passages,
                seed,
                dossier_bin: exe_dir.join("dossier"),
                tantivy_bin: tantivy,
                seconds,
                rounds,
                concurrency,
            })?;
            std::fs::write(work.join(SERVE_RESULTS), serde_json::to_vec_pretty(&r)?)?;
            eprint!("{}", report::serve_section(&r));
            // Rewrite the report with it when a full run's results are there.
            if let Ok(bytes) = std::fs::read(work.join("results.json")) {
                let results: Vec<run::SizeResult> = serde_json::from_slice(&bytes)?;
                write_report(&results, &work, &report_path, &plot)?;
            }
        }
        Cmd::Report {
            out:
                Output {
                    work,
                    report: report_path,
                    plot,
                },
        } => {
            let results: Vec<run::SizeResult> =
                serde_json::from_slice(&std::fs::read(work.join("results.json"))?)?;
            write_report(&results, &work, &report_path, &plot)?;
        }
    }
    Ok(())
}
