//! Command-line arguments (clap derive). Parsing only; no behaviour.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  dossier search --actor Khatib
  dossier search reckoning --stance calls-for-reckoning --holder 'Reformist Front'
  dossier search '\"blood revenge\" OR retaliation' --format json
  dossier facets --by holder --by stance
  dossier show iran-intel-12
  dossier actors Haniya
  dossier timeline --since 2018 --until 2021";

/// Search annotated news passages by keyword, actor and stance.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about, long_about = None, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Corpus directory [default: ./corpus if it exists, else the corpus built into dossier]
    #[arg(long, global = true, env = "DOSSIER_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,

    /// Index directory [default: a per-user cache folder for the corpus]
    #[arg(long, global = true, env = "DOSSIER_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Use the existing index without checking the corpus for changes. The
    /// check stats every corpus file, which adds up on corpora of thousands of
    /// articles; run `dossier index` after editing
    #[arg(
        long,
        global = true,
        env = "DOSSIER_NO_REFRESH",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue
    )]
    pub no_refresh: bool,

    /// When to colour output
    #[arg(long, global = true, value_enum, ignore_case = true, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search passages (exit 0: hits, 1: none, 2: error)
    #[command(
        after_help = "QUERY uses tantivy's syntax: words are ANDed; \"a phrase\", OR, NOT, -word,\n\
        (grouping), and the fields actor:, holder:, target:, stance:, polarity:, topic:,\n\
        camp:, article:. NOT and - mean \"without\" at any depth: 'security AND NOT iran'.\n\
        A query that starts with - goes after --:  dossier search -- '-hijab'\n\
        Example: dossier search 'reckoning OR actor:Abbasi' --sort position"
    )]
    Search(SearchArgs),
    /// Count matching passages by actor, stance, holder, topic or camp
    #[command(
        after_help = "Two --by give a matrix; --by holder --by stance counts who takes which position."
    )]
    Facets(FacetsArgs),
    /// Show one passage in full, with its span and every annotation
    Show(ShowArgs),
    /// List registered actors with passage counts, or explain how NAME resolves
    Actors(ActorsArgs),
    /// List the stance taxonomy with passage counts
    Stances(FormatArgs),
    /// List dated events in order, with their passages
    Timeline(TimelineArgs),
    /// Validate and lint the corpus (exit 0: valid, 2: errors)
    Check(FormatArgs),
    /// Build the index now (commands build it by themselves when needed)
    Index(IndexArgs),
    /// Add an article from a plain text file: passages and actors pre-filled
    #[command(
        after_help = "Copies TEXT_FILE into articles/ID/, cuts it into passages (one per paragraph) and\n\
        lists in each passage the registered actors it names, and as comments the capitalised\n\
        names that match no actor. Then add stances, topics and events and run `dossier check`.\n\
        Example: dossier add ~/news/zarif.txt --id zarif-interview --published 2024-08"
    )]
    Add(AddArgs),
    /// Export what a search selects (everything by default) for spreadsheets and annotation tools
    #[command(
        after_help = "Formats: csv (one row per stance; --rows passages for one per passage), webanno (W3C\n\
        Web Annotation JSON-LD; webanno-lines for JSON Lines), brat (a folder of .txt/.ann and\n\
        annotation.conf), labelstudio (a folder with tasks.json and config.xml), jsonl (the search JSON).\n\
        Stream formats go to standard output unless --out is given; folder formats need --out DIR.\n\
        Examples:\n  dossier export --format csv --stance admits-failure --out failures.csv\n  \
        dossier export --format brat --actor Khatib --out brat/"
    )]
    Export(ExportArgs),
    /// Import annotations made in brat, Label Studio or W3C Web Annotation tools as articles
    #[command(
        after_help = "Entity annotations become actors (new ones are added to actors.toml); stance labels,\n\
        roles and polarity values map to dossier's with --mapping (see corpus/README.md).\n\
        Nothing is written unless the whole result passes `dossier check`; every problem is\n\
        reported at once with its file and line. Existing articles are kept unless --update.\n\
        Examples:\n  dossier import --format brat brat/*.ann --into corpus\n  \
        dossier import --format labelstudio export.json --mapping mapping.toml"
    )]
    Import(ImportArgs),
    /// Serve the HTTP API and the web UI (Ctrl-C stops it)
    #[command(
        after_help = "Open http://127.0.0.1:7700 in a browser. The API (/api/search, /api/facets, ...)\n\
        answers with the same JSON as --format json; /api/openapi.json describes it.\n\
        The corpus is watched: edits show up within seconds, and queries never wait."
    )]
    Serve(ServeArgs),
    /// Watch the corpus, so that queries skip their check of every file (Ctrl-C stops it)
    #[command(
        after_help = "Without a watcher, each command checks the time stamps of every corpus file (two per\n\
        article) to see whether the index is still fresh: 0.1 s or more for 50,000 articles. While\n\
        `dossier watch` runs, commands on the same --corpus and --index ask it instead, which takes\n\
        well under a millisecond. Edits are seen as before: the first command after an edit checks\n\
        in full and updates the index. Linux only (inotify); a corpus with symbolic links or on a\n\
        network file system is refused, since changes there can go unreported.\n\
        Example: dossier --corpus corpus watch &"
    )]
    Watch,
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Score,
    Position,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FacetArg {
    Actor,
    Stance,
    Holder,
    Topic,
    Camp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolarityArg {
    Favor,
    Against,
    Neutral,
}

#[derive(Debug, Args)]
pub struct FormatArgs {
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

/// Filters shared by search, facets and timeline. They all AND together.
#[derive(Debug, Args, Default)]
pub struct Filters {
    /// Passage mentions this actor (id, name or any spelling); repeat to require several
    #[arg(long, value_name = "NAME")]
    pub actor: Vec<String>,
    /// Passage has this topic; repeatable
    #[arg(long, value_name = "ID")]
    pub topic: Vec<String>,
    /// Passage mentions an actor of this camp (hardliner, reformist, centrist); repeatable
    #[arg(long, value_name = "CAMP")]
    pub camp: Vec<String>,
    /// Only this article
    #[arg(long, value_name = "ID")]
    pub article: Option<String>,
    /// A stance annotation with this stance (or a narrower one)
    #[arg(
        long,
        value_name = "ID",
        help_heading = "Stance filters (all on the same annotation)"
    )]
    pub stance: Option<String>,
    /// ... held by this actor
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Stance filters (all on the same annotation)"
    )]
    pub holder: Option<String>,
    /// ... aimed at this actor or topic
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Stance filters (all on the same annotation)"
    )]
    pub target: Option<String>,
    /// ... with this polarity toward the target
    #[arg(
        long,
        value_enum,
        ignore_case = true,
        value_name = "POLARITY",
        help_heading = "Stance filters (all on the same annotation)"
    )]
    pub polarity: Option<PolarityArg>,
    /// Passage reports an event on or after this date (YYYY, YYYY-MM or YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Passage reports an event on or before this date
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Keyword query (omit to list every passage that passes the filters)
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Hits to show, 1 to 1000
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,
    /// Hits to skip
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub offset: u32,
    /// Order [default: score with a QUERY, else position]
    #[arg(long, value_enum, ignore_case = true)]
    pub sort: Option<SortArg>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Dimension to count by; give two for a matrix
    #[arg(long, value_enum, ignore_case = true, required = true, num_args = 1, action = clap::ArgAction::Append)]
    pub by: Vec<FacetArg>,
    /// Keyword query restricting the passages counted
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Rows to show in text output (JSON has every row)
    #[arg(long, default_value_t = 30)]
    pub top: usize,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Passage id, such as iran-intel-12
    pub passage: String,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ActorsArgs {
    /// A name to resolve (any spelling); omit to list the registry
    pub name: Option<String>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Keyword query restricting the passages
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Rebuild even if the index is up to date
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The article's text (UTF-8), copied byte for byte
    pub text: std::path::PathBuf,
    /// Article id (kebab-case, such as zarif-interview)
    #[arg(long)]
    pub id: String,
    /// Title [default: the text's first words, marked for editing]
    #[arg(long)]
    pub title: Option<String>,
    /// Where it was published
    #[arg(long)]
    pub source: Option<String>,
    /// When it was published: YYYY, YYYY-MM or YYYY-MM-DD
    #[arg(long)]
    pub published: Option<String>,
    /// Output format
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Csv,
    Webanno,
    WebannoLines,
    Brat,
    Labelstudio,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RowsArg {
    Stances,
    Passages,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Keyword query selecting the passages (omit to export all that pass the filters)
    pub query: Option<String>,
    #[command(flatten)]
    pub filters: Filters,
    /// Export format
    #[arg(long, value_enum, ignore_case = true)]
    pub format: ExportFormatArg,
    /// CSV rows: one per stance annotation, or one per passage
    #[arg(long, value_enum, ignore_case = true, value_name = "ROWS")]
    pub rows: Option<RowsArg>,
    /// File to write (a new or empty folder for brat and labelstudio) [default: standard output]
    #[arg(long, short = 'o', value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormatArg {
    Webanno,
    Brat,
    Labelstudio,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import (brat: the .ann files, each beside its .txt)
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Import format
    #[arg(long, value_enum, ignore_case = true)]
    pub format: ImportFormatArg,
    /// How the source's labels, roles and values map to dossier's (TOML)
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Corpus folder to import into [default: --corpus, else ./corpus]
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace existing articles with the same id
    #[arg(long)]
    pub update: bool,
    /// Import what is valid and report each annotation skipped (by default any problem writes nothing)
    #[arg(long)]
    pub skip_invalid: bool,
    /// Output format
    #[arg(long = "output", value_enum, ignore_case = true, default_value_t = Format::Text, value_name = "FORMAT")]
    pub output: Format,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback is reachable from other
    /// machines, and the API has no authentication
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "IP:PORT")]
    pub addr: std::net::SocketAddr,
    /// Answers to keep in memory for repeated requests (0 turns the cache
    /// off); emptied whenever the index changes
    #[arg(long, default_value_t = dossier::serve::DEFAULT_CACHE, value_name = "N")]
    pub cache: usize,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate completions for
    pub shell: clap_complete::Shell,
}
