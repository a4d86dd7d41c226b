//! The `dossier` command: a thin layer that turns arguments into library
//! calls and results into text or JSON.

mod args;
pub(crate) mod env;
mod render;
mod usage;

pub(crate) use args::Cli;
pub(crate) use render::escape_controls;
pub(crate) use usage::{parse, ParseEnd};

use args::{
    ColorWhen, Command, ExportFormatArg, FacetArg, Filters, Format, ImportFormatArg, PolarityArg,
    RowsArg, SortArg,
};
use clap::CommandFactory;
use dossier::corpus::{Corpus, CorpusSource};
use dossier::index::{BuildOptions, BuildProgress, Index, Location};
use dossier::interchange::{ExportFormat, ImportFormat};
use dossier::query::{Query, Sort};
use dossier::FacetDim;
use dossier::{Error, Result};
use render::Out;
use std::io::Write;
use std::path::Path;

/// How a command ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Results were found, or the command succeeded (exit 0).
    Found,
    /// The search matched nothing (exit 1).
    Nothing,
}

/// Corpora with at least this many articles show a progress bar while
/// the index builds.
const PROGRESS_MIN_ARTICLES: usize = 200;

/// Runs a parsed command line. Notes (ambiguous names) go to `stderr`.
pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    let stderr = &mut std::io::stderr();
    let color = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    let source = corpus_source(cli.corpus.as_deref());
    let location = cli.index.clone().map_or(Location::Cache, Location::Dir);
    let ctx = Ctx {
        source,
        location,
        no_refresh: cli.no_refresh,
        quiet_refresh: matches!(cli.command, Command::Index(_)),
    };
    match cli.command {
        Command::Search(a) => {
            let mut q = query(a.query, a.filters);
            q = q.limit(usize::from(a.limit)).offset(a.offset as usize);
            q.sort = match a.sort {
                Some(SortArg::Score) => Sort::Score,
                Some(SortArg::Position) => Sort::Position,
                None => Sort::Auto,
            };
            let index = ctx.index(false)?;
            let results = index.search(&q)?;
            render::ambiguities(stderr, results.query.ambiguities())?;
            let mut out = Out::new(color, a.format);
            render::search(&mut out, &results)?;
            out.flush()?;
            if results.hits.is_empty() && results.total > 0 {
                // A script paging with --offset must see the end as "nothing".
                writeln!(
                    stderr,
                    "dossier: --offset {} is past the last hit ({} passages match)",
                    results.query.offset, results.total
                )
                .map_err(render::io)?;
            }
            Ok(found(!results.hits.is_empty()))
        }
        Command::Facets(a) => {
            let by: Vec<FacetDim> = a.by.iter().map(|b| facet_dim(*b)).collect();
            let q = query(a.query, a.filters);
            let index = ctx.index(false)?;
            let facets = index.facets(&q, &by)?;
            let mut out = Out::new(color, a.format);
            render::facets(&mut out, &facets, a.top)?;
            out.flush()?;
            Ok(found(facets.total > 0))
        }
        Command::Show(a) => {
            let index = ctx.index(false)?;
            let hit = index.passage(&a.passage)?;
            let mut out = Out::new(color, a.format);
            render::show(&mut out, &hit, index.registry()?)?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Actors(a) => {
            let index = ctx.index(false)?;
            let mut out = Out::new(color, a.format);
            match a.name {
                Some(name) => {
                    let resolver = index.resolver()?;
                    let resolution =
                        resolver.resolve(&name).ok_or_else(|| Error::UnknownActor {
                            suggestions: resolver.suggest(&name, 3),
                            name,
                        })?;
                    render::resolution(&mut out, &resolution, index.registry()?)?;
                    out.flush()?;
                }
                None => {
                    render::actors(&mut out, &index.actors()?)?;
                    out.flush()?;
                }
            }
            Ok(Outcome::Found)
        }
        Command::Stances(a) => {
            let index = ctx.index(false)?;
            let rows = index.stances()?;
            let mut out = Out::new(color, a.format);
            render::stances(&mut out, &rows)?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Timeline(a) => {
            let q = query(a.query, a.filters);
            let index = ctx.index(false)?;
            let timeline = index.timeline(&q)?;
            render::ambiguities(stderr, timeline.query.ambiguities())?;
            let mut out = Out::new(color, a.format);
            render::timeline(&mut out, &timeline)?;
            out.flush()?;
            Ok(found(!timeline.events.is_empty()))
        }
        Command::Check(a) => {
            let corpus = Corpus::open(ctx.source.clone())?;
            let summary = corpus.check()?;
            let mut out = Out::new(color, a.format);
            render::check(&mut out, &ctx.source, &summary)?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Index(a) => {
            let started = std::time::Instant::now();
            let index = ctx.index(a.force)?;
            if let dossier::Freshness::StaleReadOnly(reason) = index.freshness() {
                return Err(Error::Io {
                    path: index.path().to_owned(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::PermissionDenied,
                        format!("the index is stale ({reason}) and cannot be written"),
                    ),
                });
            }
            let mut out = Out::new(color, Format::Text);
            render::index_status(&mut out, &index, started.elapsed())?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Add(a) => {
            let dir = ctx.corpus_dir("add")?;
            let added = dossier::interchange::add(
                &dir,
                &a.text,
                &dossier::interchange::NewArticle {
                    id: a.id,
                    title: a.title,
                    source: a.source,
                    published: a.published,
                },
            )?;
            let mut out = Out::new(color, a.format);
            render::added(&mut out, &added)?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Export(a) => {
            let format = export_format(a.format, a.rows)?;
            if format.is_folder() && a.out.is_none() {
                return Err(Error::InvalidArgument(
                    "this format writes a folder of files: give --out DIR".into(),
                ));
            }
            let q = query(a.query, a.filters);
            let index = ctx.index(false)?;
            let corpus = Corpus::open(ctx.source.clone())?;
            let exported =
                dossier::interchange::export(&index, &corpus, &q, format, a.out.as_deref())?;
            if let Some(out) = &a.out {
                let _ = writeln!(
                    stderr,
                    "dossier: exported {} ({}) from {} to {}",
                    render::count(exported.passages, "passage"),
                    render::count(exported.stances, "stance annotation"),
                    render::count(exported.articles, "article"),
                    escape_controls(&out.display().to_string())
                );
            }
            Ok(found(exported.passages > 0))
        }
        Command::Import(a) => {
            let dir = match a.into {
                Some(d) => d,
                None => ctx.corpus_dir("import")?,
            };
            let mapping = match &a.mapping {
                Some(m) => dossier::interchange::Mapping::load(m)?,
                None => dossier::interchange::Mapping::default(),
            };
            let options = dossier::interchange::ImportOptions {
                mapping,
                update: a.update,
                skip_invalid: a.skip_invalid,
            };
            let imported =
                dossier::interchange::import(&dir, import_format(a.format), &a.files, &options)?;
            let mut out = Out::new(color, a.output);
            render::imported(&mut out, &dir, &imported)?;
            out.flush()?;
            Ok(Outcome::Found)
        }
        Command::Serve(a) => {
            serve(&ctx, a.addr, a.cache)?;
            Ok(Outcome::Found)
        }
        Command::Watch => {
            // Brought up to date here first, with the progress bar and the
            // note a build gets; the watcher's own check then finds it fresh.
            ctx.index(false)?;
            watch(&ctx)?;
            Ok(Outcome::Found)
        }
        Command::Completions(a) => {
            // Generated into memory first: clap_complete panics when its
            // writer fails, and a closed pipe must end quietly.
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "dossier", &mut script);
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&script).map_err(render::io)?;
            stdout.flush().map_err(render::io)?;
            Ok(Outcome::Found)
        }
    }
}

/// Watches until the watcher can no longer vouch for the corpus, or is
/// stopped (Ctrl-C).
#[cfg(target_os = "linux")]
fn watch(ctx: &Ctx) -> Result<()> {
    let mut watcher = dossier::index::Watcher::start(&ctx.source, &ctx.location)?;
    // Ctrl-C, SIGTERM, SIGQUIT or SIGHUP (the terminal closed) end the
    // watch cleanly, removing the socket; a second one, if the first is not
    // heeded, ends the process. Set before the line that says it watches,
    // which is what a script waits for before it may signal. (During the
    // first check, a signal ends the process at once: builds are safe to
    // kill, and the socket is not there yet.)
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let signals = signal_hook::consts::TERM_SIGNALS.iter();
    for &signal in signals.chain(&[signal_hook::consts::SIGHUP]) {
        let registered = signal_hook::flag::register_conditional_shutdown(signal, 1, stop.clone())
            .and_then(|_| signal_hook::flag::register(signal, stop.clone()));
        if let Err(e) = registered {
            return Err(Error::Watch(format!("cannot handle signals: {e}")));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "dossier: watching {} ({} files and folders); commands on this index skip their file check while this runs (Ctrl-C stops)",
        escape_controls(&watcher.corpus().display().to_string()),
        watcher.watched()
    );
    watcher.run_until(&stop)?;
    let _ = writeln!(std::io::stderr(), "dossier: stopped watching");
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn watch(_: &Ctx) -> Result<()> {
    Err(Error::Watch(
        "`dossier watch` needs Linux's inotify; on this system every command checks the corpus files"
            .into(),
    ))
}

/// Runs the server until Ctrl-C or SIGTERM, then lets requests finish.
fn serve(ctx: &Ctx, addr: std::net::SocketAddr, cache: usize) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            path: "<tokio runtime>".into(),
            source,
        })?;
    runtime.block_on(async {
        let server = dossier::serve::Server::bind_with(
            addr,
            ctx.source.clone(),
            ctx.location.clone(),
            cache,
        )
        .await?;
        let bound = server.local_addr();
        let mut stderr = std::io::stderr();
        if !bound.ip().is_loopback() {
            let _ = writeln!(
                stderr,
                "dossier: warning: listening on {bound}, which other machines can reach; the API has no authentication"
            );
        }
        let _ = writeln!(
            stderr,
            "dossier: serving {} at http://{bound}/ (Ctrl-C stops)",
            ctx.source.describe()
        );
        server.run(shutdown_signal()).await
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

fn found(any: bool) -> Outcome {
    if any {
        Outcome::Found
    } else {
        Outcome::Nothing
    }
}

/// `--corpus`, else `./corpus` when it exists, else the built-in corpus.
fn corpus_source(flag: Option<&Path>) -> CorpusSource {
    match flag {
        Some(dir) => CorpusSource::Dir(dir.to_owned()),
        None if Path::new("corpus").is_dir() => CorpusSource::Dir("corpus".into()),
        None => CorpusSource::Builtin,
    }
}

struct Ctx {
    source: CorpusSource,
    location: Location,
    no_refresh: bool,
    /// `dossier index` reports on stdout instead.
    quiet_refresh: bool,
}

impl Ctx {
    /// The corpus folder, for commands that write to it.
    fn corpus_dir(&self, command: &str) -> Result<std::path::PathBuf> {
        match &self.source {
            CorpusSource::Dir(d) => Ok(d.clone()),
            CorpusSource::Builtin => Err(Error::InvalidArgument(format!(
                "`dossier {command}` writes to a corpus folder: give --corpus DIR (or run it where ./corpus is)"
            ))),
        }
    }

    /// Opens the index, building it when missing or stale.
    fn index(&self, force: bool) -> Result<Index> {
        if self.no_refresh && !force {
            // Fall through to a normal open (and build) when there is none
            // built from this corpus; a damaged one is an error.
            if let Some(index) = Index::open_unchecked(&self.source, &self.location)? {
                return Ok(index);
            }
        }
        if let CorpusSource::Dir(d) = &self.source {
            if !d.is_dir() {
                return Err(Error::Io {
                    path: d.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such corpus directory",
                    ),
                });
            }
        }
        let bar = indicatif::ProgressBar::hidden();
        let mut progress = |p: BuildProgress| {
            if p.articles_total >= PROGRESS_MIN_ARTICLES {
                if bar.is_hidden() && p.articles_done == 1 {
                    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    bar.set_length(p.articles_total as u64);
                    bar.set_style(
                        indicatif::ProgressStyle::with_template(
                            "indexing {bar:40} {pos}/{len} articles, {msg} ({eta})",
                        )
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                    );
                }
                bar.set_position(p.articles_done as u64);
                bar.set_message(format!("{} passages", p.passages));
            }
        };
        let options = BuildOptions {
            force,
            progress: Some(&mut progress),
        };
        let started = std::time::Instant::now();
        let index = Index::open_or_build_source(&self.source, None, &self.location, options);
        bar.finish_and_clear();
        let index = index?;
        if !force && !self.quiet_refresh {
            if let Some(note) = render::refresh_note(&index, started.elapsed()) {
                let _ = writeln!(std::io::stderr(), "dossier: {}", escape_controls(&note));
            }
        }
        Ok(index)
    }
}

fn query(text: Option<String>, f: Filters) -> Query {
    Query {
        text,
        actors: f.actor,
        topics: f.topic,
        camps: f.camp,
        article: f.article,
        stance: f.stance,
        holder: f.holder,
        target: f.target,
        polarity: f.polarity.map(|p| {
            match p {
                PolarityArg::Favor => "favor",
                PolarityArg::Against => "against",
                PolarityArg::Neutral => "neutral",
            }
            .to_owned()
        }),
        since: f.since,
        until: f.until,
        ..Query::default()
    }
}

fn export_format(f: ExportFormatArg, rows: Option<RowsArg>) -> Result<ExportFormat> {
    if rows.is_some() && f != ExportFormatArg::Csv {
        return Err(Error::InvalidArgument(
            "--rows applies to --format csv only".into(),
        ));
    }
    Ok(match f {
        ExportFormatArg::Csv if rows == Some(RowsArg::Passages) => ExportFormat::CsvPassages,
        ExportFormatArg::Csv => ExportFormat::CsvStances,
        ExportFormatArg::Webanno => ExportFormat::WebAnno,
        ExportFormatArg::WebannoLines => ExportFormat::WebAnnoLines,
        ExportFormatArg::Brat => ExportFormat::Brat,
        ExportFormatArg::Labelstudio => ExportFormat::LabelStudio,
        ExportFormatArg::Jsonl => ExportFormat::Jsonl,
    })
}

fn import_format(f: ImportFormatArg) -> ImportFormat {
    match f {
        ImportFormatArg::Webanno => ImportFormat::WebAnno,
        ImportFormatArg::Brat => ImportFormat::Brat,
        ImportFormatArg::Labelstudio => ImportFormat::LabelStudio,
    }
}

fn facet_dim(a: FacetArg) -> FacetDim {
    match a {
        FacetArg::Actor => FacetDim::Actor,
        FacetArg::Stance => FacetDim::Stance,
        FacetArg::Holder => FacetDim::Holder,
        FacetArg::Topic => FacetDim::Topic,
        FacetArg::Camp => FacetDim::Camp,
    }
}
