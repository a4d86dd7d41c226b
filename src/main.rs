//! The `dossier` binary: parse, run, map the outcome to an exit code.

mod cli;

// mimalloc is faster than the system allocator for the many small strings
// of hits and JSON (measured under `dossier serve` load; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    cli::env::forget_empty_variables();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(cli::ParseEnd::Printed) => return ExitCode::SUCCESS,
        Err(cli::ParseEnd::Usage(message)) => {
            eprintln!("dossier: {}", cli::escape_controls(&message));
            return ExitCode::from(2);
        }
    };
    // A panic is a bug; report it as one line, never as a backtrace. The
    // library already turns tantivy panics on damaged files into errors.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let _ = writeln!(std::io::stderr(), "dossier: internal error: {what}");
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(cli::Outcome::Found) => ExitCode::SUCCESS,
        Ok(cli::Outcome::Nothing) => ExitCode::from(1),
        // A closed pipe (`dossier search | head -1`) is not an error.
        Err(dossier::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            let message = e.to_string();
            let _ = writeln!(
                std::io::stderr(),
                "dossier: {}",
                cli::escape_controls(&message)
            );
            ExitCode::from(2)
        }
    }
}
