//! Command-line parsing and dispatch.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use cartograph_graph::{IndexConfig, IndexEvent};
use cartograph_indexer::{Language, SymbolKind, WalkConfig, DEFAULT_MAX_FILE_SIZE};
use cartograph_query::{find_index_dir, SearchQuery, Workspace, INDEX_DIR_NAME};
use clap::{Args, Parser, Subcommand};

use crate::answer::Out;
use crate::render;

/// Cartograph: a cross-service code knowledge graph for coding agents.
#[derive(Parser, Debug)]
#[command(name = "cartograph", version, about, long_about = None)]
struct Cli {
    /// Index directory (default: `.cartograph` in the first root when indexing; the
    /// nearest `.cartograph` above the current directory when querying).
    #[arg(long, global = true, env = "CARTOGRAPH_INDEX", value_name = "DIR")]
    index: Option<PathBuf>,
    /// More logging on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Frame JSON answers as `{"result": ..., "index": ...}` (the MCP tools' shape),
    /// so every answer, an empty list too, says how fresh the index behind it is.
    #[arg(long, global = true)]
    envelope: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Index (or re-index) one or more root directories.
    Index(IndexArgs),
    /// Search symbols by name, path, signature or doc.
    Search(SearchArgs),
    /// Show the definition(s) of a symbol: signature, doc and source.
    Def(DefArgs),
    /// List the references to a symbol (resolved), or every site of a name (--by-name).
    Refs(RefsArgs),
    /// Show who calls a symbol, transitively, with the evidence of each link.
    Callers(CallArgs),
    /// Show what a symbol calls, transitively, with the evidence of each link.
    Callees(CallArgs),
    /// Show supertypes, subtypes, and what a member overrides or is overridden by.
    Hierarchy(HierarchyArgs),
    /// Find a shortest chain of calls from one symbol to another.
    Path(PathArgs),
    /// Show the nested symbol tree of a file.
    Outline(OutlineArgs),
    /// Show the most central symbols of a service or directory (PageRank), within
    /// a token budget.
    Map(MapArgs),
    /// Show index statistics and freshness.
    Stats(JsonArg),
    /// Write the whole graph as JSON Lines.
    Export(ExportArgs),
    /// Show the services and the dependencies between them (gRPC, HTTP and topic links, configuration, infrastructure).
    Services(ServicesArgs),
    /// Show the endpoints services provide (handlers) and consume (call sites).
    Endpoints(EndpointsArgs),
    /// Show the cross-service links: call site in one service -> handler in another.
    Links(LinksArgs),
    /// What a change affects: the working tree's changes, a commit range, a diff on
    /// stdin, or symbols; across services.
    Impact(crate::impact::ImpactArgs),
    /// Rebuild the index from scratch aside and compare it with the stored one;
    /// exit 1 on any difference.
    Verify(JsonArg),
    /// Keep the index fresh while files change (until interrupted).
    Watch,
    /// Serve MCP over stdin/stdout (for an agent's MCP configuration).
    Mcp(crate::serve::McpArgs),
    /// Serve gRPC and/or MCP over streamable HTTP.
    Serve(crate::serve::ServeArgs),
    /// Measure a running server: concurrent clients over gRPC and MCP HTTP.
    Loadtest(crate::load::LoadArgs),
    /// Measure indexing and query performance on a corpus.
    Bench(crate::bench::BenchArgs),
    /// Compare go-to-definition answers with a precise indexer's SCIP index.
    Accuracy(crate::accuracy::AccuracyArgs),
}

#[derive(Args, Debug)]
struct IndexArgs {
    /// Root directories (default: the roots of the existing index, else the current directory).
    paths: Vec<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    max_file_size: u64,
    /// Follow symbolic links whose target lies outside the roots (by default they
    /// are skipped and reported; links inside the roots are always followed).
    #[arg(long)]
    follow_symlinks: bool,
    /// Leave out files and directories matching this glob (`.gitignore` syntax,
    /// relative to each root; repeatable): `--exclude 'gen/' --exclude '*.min.js'`.
    /// Kept for later runs that give none. `.gitignore`, `.ignore` and
    /// `.git/info/exclude` are honoured too.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug, Clone)]
pub(crate) struct Filters {
    /// Only symbols of this kind (function, method, class, struct, interface, ...).
    #[arg(long)]
    kind: Option<String>,
    /// Only this language (rust, python, javascript, typescript, tsx, go, java, csharp, proto, c, cpp, thrift, php, lua).
    #[arg(long)]
    lang: Option<String>,
    /// Only this service.
    #[arg(long)]
    service: Option<String>,
    /// Only files under this workspace path.
    #[arg(long)]
    path: Option<String>,
    /// At most this many results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

#[derive(Args, Debug)]
struct SearchArgs {
    /// Words to look for (`cart items` finds `getCartItems`).
    text: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct DefArgs {
    /// A name, a qualified name (`CartService.GetCart`) or a stable symbol ID.
    #[arg(required_unless_present = "at")]
    symbol: Option<String>,
    /// Go to definition from a position instead: FILE:LINE:COL (line 1-based, column
    /// 0-based in bytes).
    #[arg(long, value_name = "FILE:LINE:COL", conflicts_with = "symbol")]
    at: Option<String>,
    #[command(flatten)]
    filters: Filters,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct RefsArgs {
    /// A name, a qualified name or a stable symbol ID.
    symbol: String,
    /// Every site using the name, whatever it resolves to (each with its targets).
    #[arg(long)]
    by_name: bool,
    /// At most this many results (0: all).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct CallArgs {
    /// A name, a qualified name or a stable symbol ID.
    symbol: String,
    /// Levels to follow (1 to 8).
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct HierarchyArgs {
    /// A type or member: name, qualified name or stable symbol ID.
    symbol: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct PathArgs {
    /// Where the chain starts: name, qualified name or stable symbol ID.
    from: String,
    /// Where it ends.
    to: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct MapArgs {
    /// A service name or a workspace directory (default: the whole workspace).
    scope: Option<String>,
    /// Token budget of the listing.
    #[arg(long, default_value_t = cartograph_query::api::DEFAULT_MAP_TOKENS)]
    tokens: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct OutlineArgs {
    /// A file: absolute, relative to the current directory, or a workspace path.
    file: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Output formats of `services`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum MapFormat {
    Text,
    Mermaid,
    Dot,
}

#[derive(Args, Debug)]
struct ServicesArgs {
    /// Output format (`--json` overrides it).
    #[arg(long, value_enum, default_value = "text")]
    format: MapFormat,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct EndpointsArgs {
    /// Only this service's endpoints.
    #[arg(long)]
    service: Option<String>,
    /// Only the endpoints in no cross-service link: calls with no handler indexed,
    /// handlers no indexed service calls.
    #[arg(long)]
    unmatched: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct LinksArgs {
    /// Only links into this service.
    #[arg(long)]
    to: Option<String>,
    /// Only links from this service.
    #[arg(long)]
    from: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct JsonArg {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct ExportArgs {
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// A failure with the exit code it maps to: 1 for "nothing found", 2 for errors.
pub(crate) struct NotFound(pub String);

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::fmt::Debug for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for NotFound {}

/// Parses the command line, runs the command, and maps its outcome to an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<crate::impact::RiskTooHigh>().is_some() => {
            eprintln!("cartograph: {e}");
            ExitCode::from(3)
        }
        Err(e) if e.downcast_ref::<NotFound>().is_some() => {
            eprintln!("cartograph: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("cartograph: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(verbose: u8) {
    // Cartograph's own logs; the search engine's internals only when asked for by
    // `CARTOGRAPH_LOG`.
    let level = match verbose {
        0 => "warn",
        1 => "info,tantivy=warn",
        _ => "debug,tantivy=warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARTOGRAPH_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colours only for a terminal: logs piped to a file or an agent stay plain.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

fn dispatch(cli: Cli) -> Result<()> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    match cli.command {
        Command::Index(args) => index(cli.index.as_deref(), &cwd, args),
        Command::Bench(args) => crate::bench::run(args),
        Command::Accuracy(args) => crate::accuracy::run(args),
        Command::Loadtest(args) => crate::load::run(args),
        Command::Mcp(args) => {
            let ws = open_workspace(cli.index.as_deref(), &cwd)?;
            crate::serve::mcp_stdio(crate::server::Shared::open(ws), args)
        }
        Command::Watch => watch(cli.index.as_deref(), &cwd),
        Command::Serve(args) => {
            let ws = open_workspace(cli.index.as_deref(), &cwd)?;
            crate::serve::serve(crate::server::Shared::open(ws), args)
        }
        command => {
            let ws = open_workspace(cli.index.as_deref(), &cwd)?;
            if !matches!(command, Command::Stats(_) | Command::Verify(_)) {
                warn_if_stale(&ws);
            }
            let mut stdout = std::io::stdout().lock();
            let mut out = Out::new(&mut stdout, cli.envelope);
            match command {
                Command::Search(a) => search(&ws, a, &mut out),
                Command::Def(a) => def(&ws, &cwd, a, &mut out),
                Command::Refs(a) => refs(&ws, a, &mut out),
                Command::Callers(a) => calls(&ws, a, true, &mut out),
                Command::Callees(a) => calls(&ws, a, false, &mut out),
                Command::Hierarchy(a) => hierarchy(&ws, a, &mut out),
                Command::Path(a) => path(&ws, a, &mut out),
                Command::Outline(a) => outline(&ws, &cwd, a, &mut out),
                Command::Map(a) => {
                    let map = ws.map(&cartograph_query::api::MapRequest {
                        scope: a.scope,
                        tokens: Some(a.tokens),
                    })?;
                    if a.json {
                        out.answer(&ws, &map)
                    } else {
                        render::map(&mut out, &map)
                    }
                }
                Command::Stats(a) => {
                    let stats = ws.stats()?;
                    if a.json {
                        out.answer(&ws, &stats)
                    } else {
                        render::stats(&mut out, &stats)
                    }
                }
                Command::Export(a) => export(&ws, a, &mut out),
                Command::Impact(a) => crate::impact::run(&ws, a, &mut out),
                Command::Verify(a) => verify(&ws, a, &mut out),
                Command::Services(a) => services(&ws, a, &mut out),
                Command::Endpoints(a) => endpoints(&ws, a, &mut out),
                Command::Links(a) => links(&ws, a, &mut out),
                Command::Index(_)
                | Command::Bench(_)
                | Command::Accuracy(_)
                | Command::Loadtest(_)
                | Command::Mcp(_)
                | Command::Watch
                | Command::Serve(_) => Ok(()),
            }
        }
    }
}

fn open_workspace(explicit: Option<&Path>, cwd: &Path) -> Result<Workspace> {
    let Some(dir) = find_index_dir(explicit, cwd) else {
        bail!(
            "no index found in {} or its parents: run `cartograph index <path>` first, or pass --index DIR",
            cwd.display()
        );
    };
    // A `cartograph watch` holds the index only while it applies a batch, a server
    // only while it answers a request: wait.
    Ok(cartograph_query::wait_unlocked(&dir, LOCK_WAIT, || {
        Workspace::open(&dir)
    })?)
}

/// Says on stderr when indexed files changed on disk since the last update, so that
/// answers about them may be stale (a metadata check; `stats` has the details).
fn warn_if_stale(ws: &Workspace) {
    if let Ok(stale) = ws.quick_staleness() {
        if let Some(first) = stale.first() {
            eprintln!(
                "cartograph: {} indexed file(s) changed on disk since the last update (e.g. {first}); answers about them may be stale: run `cartograph index` (or `cartograph watch`)",
                stale.len()
            );
        }
    }
}

/// Longest a query waits for an update by another process to finish.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// `cartograph watch`: an update per batch of file events; the index is held only
/// while a batch is applied, so queries from other processes go on in between.
fn watch(explicit: Option<&Path>, cwd: &Path) -> Result<()> {
    let Some(dir) = find_index_dir(explicit, cwd) else {
        bail!(
            "no index found in {} or its parents: run `cartograph index <path>` first, or pass --index DIR",
            cwd.display()
        );
    };
    let (roots, max_file_size, follow_symlinks) = {
        let ws = open_workspace(Some(&dir), cwd)?;
        let meta = ws.store().meta()?;
        (
            meta.roots
                .iter()
                .map(|r| r.path.clone())
                .collect::<Vec<PathBuf>>(),
            meta.max_file_size.max(1),
            meta.follow_symlinks,
        )
    };
    let update = |dir: &Path| -> Result<cartograph_graph::IndexReport> {
        let config = IndexConfig {
            roots: Vec::new(),
            walk: WalkConfig {
                max_file_size,
                follow_symlinks,
                ..WalkConfig::default()
            },
            cancel: None,
            ..IndexConfig::default()
        };
        Ok(cartograph_query::wait_unlocked(dir, LOCK_WAIT, || {
            Workspace::index(dir, &config, &|_| {})
        })?
        .1)
    };
    // Catch up with what changed while nobody watched.
    let first = update(&dir)?;
    eprintln!(
        "cartograph: watching {} root(s); {} changed since the last update; Ctrl-C stops",
        roots.len(),
        first.added + first.changed + first.deleted
    );
    crate::watch::watch(&roots, &dir, |paths| {
        let started = Instant::now();
        match update(&dir) {
            Ok(r) => eprintln!(
                "cartograph: {paths} paths changed: {} added, {} modified, {} deleted, {} relinked in {:.0} ms",
                r.added,
                r.changed,
                r.deleted,
                r.relinked,
                started.elapsed().as_secs_f64() * 1000.0
            ),
            Err(e) => eprintln!("cartograph: update failed: {e:#}"),
        }
        true
    })
}

fn index(explicit: Option<&Path>, cwd: &Path, args: IndexArgs) -> Result<()> {
    for p in &args.paths {
        if !p.exists() {
            bail!("cannot index {}: no such file or directory", p.display());
        }
        if !p.is_dir() {
            bail!("cannot index {}: not a directory", p.display());
        }
    }
    // With no paths, re-index the index found from here (its recorded roots).
    let (dir, roots) = match (explicit, args.paths.first()) {
        (Some(dir), _) => (dir.to_path_buf(), args.paths.clone()),
        (None, Some(first)) => (first.join(INDEX_DIR_NAME), args.paths.clone()),
        (None, None) => match find_index_dir(None, cwd) {
            Some(dir) => (dir, Vec::new()),
            None => (cwd.join(INDEX_DIR_NAME), vec![cwd.to_path_buf()]),
        },
    };
    let roots = if roots.is_empty() && !dir.join("FORMAT").exists() {
        vec![cwd.to_path_buf()]
    } else {
        roots
    };
    let config = IndexConfig {
        roots,
        walk: WalkConfig {
            max_file_size: args.max_file_size,
            follow_symlinks: args.follow_symlinks,
            ..WalkConfig::default()
        },
        // Without `--exclude`, the globs of the index's last run.
        exclude: (!args.exclude.is_empty()).then(|| args.exclude.clone()),
        cancel: None,
        ..IndexConfig::default()
    };
    let bar = progress_bar();
    let started = Instant::now();
    let on_event = |e: IndexEvent| match e {
        IndexEvent::Walked { files } => {
            bar.set_length(files as u64);
            bar.set_message("extracting");
        }
        IndexEvent::FileDone { .. } => bar.inc(1),
        IndexEvent::Writing => bar.set_message("writing"),
    };
    let first_run = !dir.join("FORMAT").exists();
    let (_, report) = cartograph_query::wait_unlocked(&dir, LOCK_WAIT, || {
        Workspace::index(&dir, &config, &on_event)
    })?;
    bar.finish_and_clear();
    if first_run {
        exclude_from_git(&dir);
    }
    let elapsed = started.elapsed();
    for s in &report.skipped {
        tracing::warn!("skipped {}: {}", s.path, s.reason);
    }
    for (path, d) in &report.diagnostics {
        match d.line {
            Some(line) => tracing::info!("{path}:{line}: {}", d.message),
            None => tracing::info!("{path}: {}", d.message),
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        render::json(&mut out, &render::IndexSummary::new(&report, &dir, elapsed))
    } else {
        render::index_report(&mut out, &report, &dir, elapsed)
    }
}

/// Keeps a new index out of `git status`: an index directory inside a git work tree
/// (the default `<root>/.cartograph`) is added to its `.git/info/exclude`, which is
/// local to the clone (nothing to commit). Best effort: a failure is only logged.
fn exclude_from_git(index_dir: &Path) {
    let Ok(index_dir) = index_dir.canonicalize() else {
        return;
    };
    let Some(top) = index_dir
        .ancestors()
        .skip(1)
        .find(|d| d.join(".git").is_dir())
    else {
        return;
    };
    let Ok(relative) = index_dir.strip_prefix(top) else {
        return;
    };
    let line = format!("/{}/", relative.to_string_lossy().replace('\\', "/"));
    let exclude = top.join(".git").join("info").join("exclude");
    let current = std::fs::read_to_string(&exclude).unwrap_or_default();
    if current
        .lines()
        .any(|l| l.trim() == line || l.trim() == ".cartograph/")
    {
        return;
    }
    let mut text = current;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# Cartograph's index (local to this clone)\n{line}\n"
    ));
    let written = std::fs::create_dir_all(top.join(".git").join("info"))
        .and_then(|()| std::fs::write(&exclude, text));
    match written {
        Ok(()) => tracing::info!("added {line} to {}", exclude.display()),
        Err(e) => tracing::warn!("could not add {line} to {}: {e}", exclude.display()),
    }
}

fn progress_bar() -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len} files [{elapsed}]")
    {
        bar.set_style(style);
    }
    bar.set_message("walking");
    bar
}

/// Validates a named choice (`--kind`, `--lang`) against the names it may take.
fn choice(
    value: &Option<String>,
    what: &str,
    names: &[&str],
    parse: impl Fn(&str) -> Option<&'static str>,
) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => parse(v)
            .map(|name| Some(name.to_string()))
            .ok_or_else(|| anyhow!("unknown {what} `{v}`; use one of: {}", names.join(", "))),
    }
}

pub(crate) fn to_query(text: String, f: &Filters) -> Result<SearchQuery> {
    let kinds: Vec<&str> = SymbolKind::ALL.iter().map(|k| k.name()).collect();
    let kind = choice(&f.kind, "kind", &kinds, |k| {
        SymbolKind::from_name(k).map(SymbolKind::name)
    })?;
    let languages: Vec<&str> = Language::ALL.iter().map(|l| l.name()).collect();
    let language = choice(&f.lang, "language", &languages, |l| {
        Language::from_name(l).map(Language::name)
    })?;
    if f.limit == 0 {
        bail!("--limit must be at least 1");
    }
    Ok(SearchQuery {
        text,
        kind,
        language,
        service: f.service.clone(),
        path: f.path.clone(),
        limit: f.limit,
    })
}

fn search(ws: &Workspace, a: SearchArgs, out: &mut Out) -> Result<()> {
    let text = a.text.join(" ");
    if text.trim().is_empty() {
        bail!("give some words to search for, e.g. `cartograph search cart items`");
    }
    let q = to_query(text.clone(), &a.filters)?;
    let hits = ws.search(&q)?;
    if a.json {
        out.answer(ws, &hits)?;
    } else {
        render::symbols(out, &hits)?;
    }
    if hits.is_empty() {
        return Err(NotFound(format!("no symbol matches `{text}`")).into());
    }
    Ok(())
}

fn def(ws: &Workspace, cwd: &Path, a: DefArgs, out: &mut Out) -> Result<()> {
    let (defs, asked) = match (&a.at, &a.symbol) {
        (Some(at), _) => {
            let (file, line, col) = parse_position(at)?;
            let path = ws.resolve_path(&file, cwd)?;
            (ws.definition_at(&path, line, col)?, at.clone())
        }
        (None, Some(symbol)) => {
            let mut q = to_query(symbol.clone(), &a.filters)?;
            q.limit = q.limit.max(100);
            (ws.definitions(symbol, &q)?, symbol.clone())
        }
        (None, None) => bail!("give a symbol or --at FILE:LINE:COL"),
    };
    if a.json {
        out.answer(ws, &defs)?;
    } else {
        render::definitions(out, &defs)?;
    }
    if defs.is_empty() {
        let message = if a.at.is_some() {
            format!("nothing at {asked} resolves to an indexed definition")
        } else {
            format!("no definition named `{asked}` in the index (try `cartograph search {asked}`)")
        };
        return Err(NotFound(message).into());
    }
    Ok(())
}

/// Parses `FILE:LINE:COL` (the file may itself contain colons).
fn parse_position(at: &str) -> Result<(String, u32, u32)> {
    let mut parts = at.rsplitn(3, ':');
    let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("--at takes FILE:LINE:COL, e.g. src/main.go:42:7");
    };
    let line: u32 = line
        .parse()
        .map_err(|_| anyhow!("--at: `{line}` is not a line number"))?;
    let col: u32 = col
        .parse()
        .map_err(|_| anyhow!("--at: `{col}` is not a column number"))?;
    if line == 0 {
        bail!("--at: lines start at 1");
    }
    Ok((file.to_string(), line, col))
}

/// The one symbol `arg` names (an ID, a name or `file:line:col`), chosen by the
/// query layer as for every adapter; several are listed (IDs included) and reported
/// as "not found" so that nothing is guessed.
fn one_symbol(
    ws: &Workspace,
    arg: &str,
    json: bool,
    out: &mut Out,
) -> Result<Option<cartograph_query::SymbolHit>> {
    match ws.resolve_symbol(arg) {
        Ok(hit) => Ok(Some(hit)),
        Err(cartograph_query::Error::NoSuchSymbol { .. }) => Ok(None),
        Err(cartograph_query::Error::Ambiguous {
            total, candidates, ..
        }) => {
            if json {
                out.answer(ws, &candidates)?;
            } else {
                render::candidates(out, &candidates)?;
            }
            let shown = if total > candidates.len() {
                format!(" (the first {} listed)", candidates.len())
            } else {
                String::new()
            };
            Err(NotFound(format!(
                "`{arg}` names {total} symbols{shown}; pass one of the IDs listed"
            ))
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

fn refs(ws: &Workspace, a: RefsArgs, out: &mut Out) -> Result<()> {
    let mut sites = if a.by_name {
        ws.references(&a.symbol)?
    } else {
        match one_symbol(ws, &a.symbol, a.json, out)? {
            Some(symbol) => ws.references_to(&symbol)?,
            None if cartograph_graph::split_symbol_id(&a.symbol).is_some() => {
                return Err(
                    NotFound(format!("no symbol with ID `{}` in the index", a.symbol)).into(),
                );
            }
            // Not defined in the index (a library name, say): every site by name.
            None => ws.references(&a.symbol)?,
        }
    };
    if a.limit > 0 {
        sites.truncate(a.limit);
    }
    if a.json {
        out.answer(ws, &sites)?;
    } else {
        render::references(out, &sites)?;
    }
    if sites.is_empty() {
        return Err(NotFound(format!("no references to `{}` in the index", a.symbol)).into());
    }
    Ok(())
}

fn calls(ws: &Workspace, a: CallArgs, callers: bool, out: &mut Out) -> Result<()> {
    if a.depth == 0 || a.depth > cartograph_query::MAX_DEPTH {
        bail!(
            "--depth must be between 1 and {}",
            cartograph_query::MAX_DEPTH
        );
    }
    let Some(symbol) = one_symbol(ws, &a.symbol, a.json, out)? else {
        return Err(NotFound(format!("no definition named `{}` in the index", a.symbol)).into());
    };
    let tree = if callers {
        ws.callers(&symbol, a.depth)?
    } else {
        ws.callees(&symbol, a.depth)?
    };
    if a.json {
        out.answer(ws, &tree)?;
    } else {
        render::call_tree(out, &tree.symbol, &tree.children)?;
    }
    if tree.truncated {
        eprintln!(
            "cartograph: the tree was cut at {} nodes or {}s; ask with a smaller --depth for all of it",
            cartograph_query::MAX_TREE_NODES,
            cartograph_query::TREE_TIME_LIMIT.as_secs()
        );
    }
    Ok(())
}

fn hierarchy(ws: &Workspace, a: HierarchyArgs, out: &mut Out) -> Result<()> {
    let Some(symbol) = one_symbol(ws, &a.symbol, a.json, out)? else {
        return Err(NotFound(format!("no definition named `{}` in the index", a.symbol)).into());
    };
    let h = ws.hierarchy(&symbol)?;
    if a.json {
        out.answer(ws, &h)
    } else {
        render::hierarchy(out, &h)
    }
}

fn path(ws: &Workspace, a: PathArgs, out: &mut Out) -> Result<()> {
    let Some(from) = one_symbol(ws, &a.from, a.json, out)? else {
        return Err(NotFound(format!("no definition named `{}` in the index", a.from)).into());
    };
    let Some(to) = one_symbol(ws, &a.to, a.json, out)? else {
        return Err(NotFound(format!("no definition named `{}` in the index", a.to)).into());
    };
    let steps = ws.call_path(&from, &to)?;
    if a.json {
        out.answer(
            ws,
            &serde_json::json!({ "from": from, "to": to, "steps": steps }),
        )?;
    } else if let Some(steps) = &steps {
        render::call_path(out, &from, steps)?;
    }
    if steps.is_none() {
        return Err(NotFound(format!(
            "no chain of resolved calls from `{}` to `{}` within {} calls",
            a.from,
            a.to,
            cartograph_query::MAX_DEPTH
        ))
        .into());
    }
    Ok(())
}

fn outline(ws: &Workspace, cwd: &Path, a: OutlineArgs, out: &mut Out) -> Result<()> {
    let path = ws.resolve_path(&a.file, cwd)?;
    let tree = ws.outline(&path)?;
    if a.json {
        out.answer(ws, &tree)
    } else {
        render::outline(out, &path, &tree)
    }
}

fn services(ws: &Workspace, a: ServicesArgs, out: &mut Out) -> Result<()> {
    let map = ws.service_map()?;
    if a.json {
        return out.answer(ws, &map);
    }
    match a.format {
        MapFormat::Text => render::service_map(out, &map),
        MapFormat::Mermaid => render::mermaid(out, &map),
        MapFormat::Dot => render::dot(out, &map),
    }
}

/// Fails with "not found" when a service is named and the index has no such service.
fn known_services(ws: &Workspace, named: &[Option<&str>]) -> Result<()> {
    if named.iter().all(Option::is_none) {
        return Ok(());
    }
    for s in named.iter().flatten() {
        if ws.service_named(s)?.is_none() {
            return Err(NotFound(format!(
                "no service named `{s}` in the index (`cartograph services` lists them)"
            ))
            .into());
        }
    }
    Ok(())
}

fn endpoints(ws: &Workspace, a: EndpointsArgs, out: &mut Out) -> Result<()> {
    known_services(ws, &[a.service.as_deref()])?;
    let mut found = ws.endpoints(a.service.as_deref())?;
    if a.unmatched {
        found.retain(|e| !e.linked && !e.internal);
    }
    if a.json {
        return out.answer(ws, &found);
    }
    if found.is_empty() {
        let what = if a.unmatched {
            "every endpoint in the index takes part in a cross-service link"
        } else {
            "no endpoints matched to a contract in the index"
        };
        return Err(NotFound(what.to_string()).into());
    }
    render::endpoints(out, &found)
}

fn links(ws: &Workspace, a: LinksArgs, out: &mut Out) -> Result<()> {
    known_services(ws, &[a.to.as_deref(), a.from.as_deref()])?;
    let shown = |s: &Option<String>| -> Result<Option<String>> {
        Ok(match s {
            Some(s) => ws.service_named(s)?,
            None => None,
        })
    };
    let (to, from) = (shown(&a.to)?, shown(&a.from)?);
    let found: Vec<_> = ws
        .service_links()?
        .into_iter()
        .filter(|l| to.as_ref().is_none_or(|t| &l.to.service == t))
        .filter(|l| from.as_ref().is_none_or(|f| &l.from.service == f))
        .collect();
    if a.json {
        return out.answer(ws, &found);
    }
    if found.is_empty() {
        return Err(NotFound("no cross-service links".to_string()).into());
    }
    render::service_links(out, &found)
}

fn verify(ws: &Workspace, a: JsonArg, out: &mut Out) -> Result<()> {
    let started = Instant::now();
    let v = ws.verify(&std::env::temp_dir())?;
    if a.json {
        out.answer(ws, &v)?;
    } else if v.is_equal() {
        writeln!(
            out,
            "the index equals a rebuild from scratch: {} records compared in {:.2}s",
            v.records,
            started.elapsed().as_secs_f64()
        )?;
    } else {
        writeln!(
            out,
            "the index differs from a rebuild: {} records only in the index, {} only in the rebuild",
            v.only_in_index_count, v.only_in_rebuild_count
        )?;
        for line in &v.only_in_index {
            writeln!(out, "- {line}")?;
        }
        for line in &v.only_in_rebuild {
            writeln!(out, "+ {line}")?;
        }
    }
    if v.is_equal() {
        return Ok(());
    }
    let why = if v.stale_files > 0 {
        format!(
            "; {} files changed on disk since the last update (e.g. {}): run `cartograph index` and verify again",
            v.stale_files,
            v.stale.join(", ")
        )
    } else {
        "; the stored index is inconsistent: `cartograph index` repairs the files involved, or delete the index and rebuild".to_string()
    };
    Err(NotFound(format!("the index differs from a rebuild{why}")).into())
}

fn export(ws: &Workspace, a: ExportArgs, stdout: &mut dyn Write) -> Result<()> {
    let mut file;
    let out: &mut dyn Write = match &a.output {
        Some(p) => {
            file = std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("cannot create {}", p.display()))?,
            );
            &mut file
        }
        None => stdout,
    };
    let mut buffered = std::io::BufWriter::new(out);
    ws.export(&mut |record| {
        serde_json::to_writer(&mut buffered, &record)?;
        buffered.write_all(b"\n")
    })?;
    buffered.flush()?;
    Ok(())
}
