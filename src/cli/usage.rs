//! Turning clap's outcome into a run, a printed help, or one usage line.
//!
//! A query may start with `-` (`-hijab` lists passages without hijab), but a
//! leading dash is also how flags start. Flags win, as in ripgrep: a
//! dash-query goes after `--` (`dossier search -- -hijab`). When a dash-query
//! was read as flags (`-hijab` as `-h`, `-nope` as `-n ope`), the error says
//! so and shows the `--` form, and it is never mistaken for a request for
//! help (which would exit 0 and look like hits to a script).

use super::args::Cli;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches};
use std::ffi::OsString;

/// Why parsing did not give a command line to run.
pub(crate) enum ParseEnd {
    /// Help or the version was printed, as asked (exit 0).
    Printed,
    /// A usage error, as one line without the `dossier: ` prefix (exit 2).
    Usage(String),
}

/// Subcommands whose positional argument is a keyword query.
const QUERY_COMMANDS: [&str; 3] = ["search", "facets", "timeline"];

pub(crate) fn parse(args: &[OsString]) -> Result<Cli, ParseEnd> {
    let error = match Cli::command().try_get_matches_from(args) {
        Ok(matches) => match Cli::from_arg_matches(&matches) {
            Ok(cli) => return Ok(cli),
            Err(e) => e,
        },
        Err(e) => e,
    };
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let dash_query = dash_query(&args);
    if !error.use_stderr() {
        let help = matches!(
            error.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        );
        if help && !asked_for_help(&args) {
            if let Some((command, query)) = dash_query {
                return Err(ParseEnd::Usage(format!(
                    "`{}` is not an option of `dossier {command}`{}",
                    first_word(&query),
                    hint(&command, &query)
                )));
            }
        }
        let _ = error.print();
        return Err(ParseEnd::Printed);
    }
    let rendered = error.render().to_string();
    let first = rendered.lines().next().unwrap_or("invalid arguments");
    let mut message = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    match dash_query {
        Some((command, query)) => message.push_str(&hint(&command, &query)),
        None => message.push_str(" (see `dossier --help`)"),
    }
    Err(ParseEnd::Usage(message))
}

fn hint(command: &str, query: &str) -> String {
    format!(
        "; a query that starts with `-` goes after `--`, as in: dossier {command} -- {}",
        shell_quote(query)
    )
}

fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or(s)
}

/// Whether the user typed a help flag or the `help` subcommand.
fn asked_for_help(args: &[String]) -> bool {
    let before_escape = args.iter().take_while(|a| *a != "--");
    let mut asked = false;
    for a in before_escape {
        asked |= a == "-h" || a == "--help";
    }
    asked || args.get(1).is_some_and(|a| a == "help")
}

/// The query subcommand and the dash-words after it that are not its
/// options: what the user most likely meant as the query. A word that
/// starts with `--` is taken for a mistyped option, not a query.
fn dash_query(args: &[String]) -> Option<(String, String)> {
    let at = args
        .iter()
        .position(|a| QUERY_COMMANDS.contains(&a.as_str()))?;
    let command = args[at].clone();
    let known = known_options(&command);
    let is_option = |a: &str| {
        let name = a.split('=').next().unwrap_or(a);
        known.iter().any(|k| k == name)
    };
    let rest = &args[at + 1..];
    let start = rest
        .iter()
        .take_while(|a| *a != "--")
        .position(|a| a.starts_with('-') && !a.starts_with("--") && a.len() > 1 && !is_option(a))?;
    let words: Vec<&str> = rest[start..]
        .iter()
        .take_while(|a| *a != "--" && !is_option(a))
        .map(String::as_str)
        .collect();
    Some((command, words.join(" ")))
}

/// `-n`, `--limit`, ... of a subcommand, with the global options.
fn known_options(command: &str) -> Vec<String> {
    let cli = Cli::command();
    let mut known = Vec::new();
    let mut add = |arg: &clap::Arg| {
        if let Some(s) = arg.get_short() {
            known.push(format!("-{s}"));
        }
        if let Some(l) = arg.get_long() {
            known.push(format!("--{l}"));
        }
    };
    cli.get_arguments().for_each(&mut add);
    if let Some(sub) = cli.find_subcommand(command) {
        sub.get_arguments().for_each(&mut add);
    }
    known.extend(["-h", "--help", "-V", "--version"].map(String::from));
    known
}

/// Quotes for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(line: &str) -> String {
        let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        match parse(&args) {
            Err(ParseEnd::Usage(m)) => m,
            Ok(_) => panic!("`{line}` parsed"),
            Err(ParseEnd::Printed) => panic!("`{line}` printed help"),
        }
    }

    #[test]
    fn a_dash_query_read_as_flags_shows_the_escape_form() {
        let m = usage("dossier search -hijab");
        assert!(
            m.starts_with("`-hijab` is not an option of `dossier search`"),
            "{m}"
        );
        assert!(m.ends_with("dossier search -- '-hijab'"), "{m}");
        let m = usage("dossier --index x search -security -iran");
        assert!(m.ends_with("dossier search -- '-security -iran'"), "{m}");
        let m = usage("dossier search -nope");
        assert!(m.contains("'--limit"), "{m}");
        assert!(m.ends_with("dossier search -- '-nope'"), "{m}");
        let m = usage("dossier facets --by actor -hijab");
        assert!(m.ends_with("dossier facets -- '-hijab'"), "{m}");
    }

    #[test]
    fn flags_and_escaped_queries_still_parse() {
        for line in [
            "dossier search -- -hijab",
            "dossier search -n 5 security",
            "dossier search -n5 security",
            "dossier search security --limit=3",
        ] {
            let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
            assert!(parse(&args).is_ok(), "{line}");
        }
    }

    #[test]
    fn other_usage_errors_point_to_help() {
        assert!(usage("dossier search --nope x").ends_with("(see `dossier --help`)"));
    }
}
