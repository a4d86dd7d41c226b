//! The `dossier` binary: parse, run, map the outcome to an exit code.

mod cli;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version: print as clap does, exit 0.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            let message = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("dossier: {message} (see `dossier --help`)");
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
            let _ = writeln!(std::io::stderr(), "dossier: {e}");
            ExitCode::from(2)
        }
    }
}
