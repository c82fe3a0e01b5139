//! `cartograph bench`: indexing and query performance on a corpus, printed as numbers.
//!
//! Phases: corpus census; parse-only floor (read + tree-sitter parse, no extraction, on
//! all cores); full index into a fresh temporary index; no-change re-index; in-process
//! search/def latency percentiles; fresh-process query latency; `ctags -R` on the same
//! corpus for comparison.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cartograph_graph::{IndexConfig, Store};
use cartograph_indexer::{
    extract_with, parse_only, read_source, walk, ExtractConfig, Language, Root, SymbolKind,
    WalkConfig,
};
use cartograph_query::{dir_size, SearchQuery, Workspace};
use clap::Args;
use rayon::prelude::*;

/// Options of `cartograph bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The corpus directory to index (see bench/fetch-corpus.sh).
    pub corpus: PathBuf,
    /// Number of search and of def queries to time.
    #[arg(long, default_value_t = 3000)]
    pub queries: usize,
    /// Keep the benchmark index here instead of a temporary directory.
    #[arg(long)]
    pub keep_index: Option<PathBuf>,
}

/// A walked file's language and text, if it can be read.
fn read_walked(
    f: &cartograph_indexer::SourceFile,
) -> Option<(Language, cartograph_indexer::SourceText)> {
    read_source(&f.abs_path, cartograph_indexer::DEFAULT_MAX_FILE_SIZE)
        .ok()
        .map(|s| (f.language, s))
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn reset_peak_rss() {
    // Linux: writing 5 resets the peak resident set size (VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn print_latencies(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{label}: n={} p50={:.3}ms p90={:.3}ms p99={:.3}ms max={:.3}ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.90).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

/// Runs the benchmark and prints its numbers on stdout.
pub fn run(args: BenchArgs) -> Result<()> {
    if !args.corpus.is_dir() {
        bail!(
            "corpus {} is not a directory: assemble one with bench/fetch-corpus.sh",
            args.corpus.display()
        );
    }
    let threads = rayon::current_num_threads();
    let roots = Root::from_paths(std::slice::from_ref(&args.corpus))?;
    let walked = walk(&roots, &WalkConfig::default());
    let mut per_lang: std::collections::BTreeMap<Language, (u64, u64)> = Default::default();
    let census_started = Instant::now();
    let texts: Vec<(Language, String)> = walked
        .files
        .par_iter()
        .filter_map(|f| {
            read_source(&f.abs_path, u64::MAX)
                .ok()
                .map(|s| (f.language, s.text))
        })
        .collect();
    let census_time = census_started.elapsed();
    let mut lines = 0u64;
    let mut bytes = 0u64;
    for (lang, text) in &texts {
        let l = u64::from(cartograph_indexer::count_lines(text));
        lines += l;
        bytes += text.len() as u64;
        let e = per_lang.entry(*lang).or_default();
        e.0 += 1;
        e.1 += l;
    }
    println!("corpus: {}", args.corpus.display());
    println!(
        "files: {}  lines: {}  bytes: {} ({:.1} MB)  threads: {threads}  (read in {:.2}s)",
        texts.len(),
        lines,
        bytes,
        mb(bytes),
        census_time.as_secs_f64()
    );
    for (lang, (files, l)) in &per_lang {
        println!("  {lang}: {files} files, {l} lines");
    }

    // Parse-only floor: read + parse on all cores, no extraction.
    reset_peak_rss();
    let parse_started = Instant::now();
    let nodes: usize = walked
        .files
        .par_iter()
        .filter_map(read_walked)
        .map(|(lang, s)| parse_only(lang, &s.text))
        .sum();
    let parse_time = parse_started.elapsed();
    let parse_mbs = mb(bytes) / parse_time.as_secs_f64();
    println!(
        "parse-only: {:.2}s  {:.0} files/s  {:.2} MB/s  ({nodes} nodes)",
        parse_time.as_secs_f64(),
        texts.len() as f64 / parse_time.as_secs_f64(),
        parse_mbs
    );
    language_costs(&texts, &args.corpus);
    drop(texts);

    // What endpoint extraction costs: read + parse + extract on all cores, with and
    // without the endpoint patterns (twice each, alternating; the faster run counts).
    let extract_all = |config: ExtractConfig| -> (Duration, usize) {
        let started = Instant::now();
        let endpoints: usize = walked
            .files
            .par_iter()
            .filter_map(read_walked)
            .map(|(lang, s)| {
                let facts = extract_with(lang, &s.text, &config);
                facts.http.len() + facts.topics.len() + facts.grpc_handlers.len()
            })
            .sum();
        (started.elapsed(), endpoints)
    };
    let (mut with, mut without) = (Duration::MAX, Duration::MAX);
    let mut endpoint_facts = 0;
    for _ in 0..2 {
        without = without.min(
            extract_all(ExtractConfig {
                endpoints: false,
                ..ExtractConfig::default()
            })
            .0,
        );
        let (t, n) = extract_all(ExtractConfig::default());
        with = with.min(t);
        endpoint_facts = n;
    }
    let endpoint_extract = with.saturating_sub(without);
    println!(
        "extract with endpoints: {:.2}s  without: {:.2}s  (endpoint patterns: +{:.1}%, {endpoint_facts} endpoint facts)",
        with.as_secs_f64(),
        without.as_secs_f64(),
        100.0 * endpoint_extract.as_secs_f64() / without.as_secs_f64().max(1e-9)
    );

    // Full index into a fresh directory.
    let tmp = tempfile_dir(args.keep_index.as_deref())?;
    let index_dir = tmp.join(".cartograph");
    reset_peak_rss();
    let config = IndexConfig {
        roots: vec![args.corpus.clone()],
        ..IndexConfig::default()
    };
    let started = Instant::now();
    let (ws, report) = Workspace::index(&index_dir, &config, &|_| {})?;
    let index_time = started.elapsed();
    let rss = peak_rss_kib().unwrap_or(0);
    let index_mbs = mb(report.bytes_extracted) / index_time.as_secs_f64();
    println!(
        "index: {:.2}s  {:.0} files/s  {:.2} MB/s  {:.0} lines/s  {:.0} symbols/s  ({} symbols, {} references, {} skipped)",
        index_time.as_secs_f64(),
        report.files as f64 / index_time.as_secs_f64(),
        index_mbs,
        report.lines_extracted as f64 / index_time.as_secs_f64(),
        report.symbols_extracted as f64 / index_time.as_secs_f64(),
        report.symbols_extracted,
        report.references_extracted,
        report.skipped.len()
    );
    println!(
        "index phases: walk {:.2}s  read+extract {:.2}s  link {:.2}s  store write {:.2}s  search index {:.2}s",
        report.walk_time.as_secs_f64(),
        report.extract_time.as_secs_f64(),
        report.link_time.as_secs_f64(),
        report.write_time.as_secs_f64(),
        (index_time.saturating_sub(
            report.walk_time + report.extract_time + report.link_time + report.write_time
        ))
        .as_secs_f64()
    );
    println!(
        "index vs parse-only: {:.0}% of the parsing floor's throughput",
        100.0 * index_mbs / parse_mbs
    );
    println!("peak RSS during index: {:.1} MB", rss as f64 / 1024.0);
    println!(
        "index size on disk: {:.1} MB (store {:.1} MB, search {:.1} MB)",
        mb(dir_size(&index_dir)),
        mb(dir_size(&index_dir.join("store"))),
        mb(dir_size(&index_dir.join("search")))
    );
    drop(ws);

    // No-change re-index.
    let started = Instant::now();
    let (ws, again) = Workspace::index(&index_dir, &config, &|_| {})?;
    println!(
        "no-change re-index: {:.3}s  ({} changed, {} unchanged)",
        started.elapsed().as_secs_f64(),
        again.added + again.changed + again.deleted,
        again.unchanged
    );

    let started = Instant::now();
    let rs = ws.resolution_stats()?;
    let pct = |n: u64| 100.0 * n as f64 / rs.references.max(1) as f64;
    println!(
        "links of all {} references (graph view loaded and counted in {:.2}s): {:.1}% resolved ({:.1}% with several candidates), {:.1}% unresolved",
        rs.references,
        started.elapsed().as_secs_f64(),
        100.0 - pct(rs.unresolved),
        pct(rs.ambiguous),
        pct(rs.unresolved)
    );
    for (evidence, n) in &rs.by_evidence {
        println!("  {evidence}: {:.1}%", pct(*n));
    }
    let link_time = ws.link_time()?;
    let links = ws.service_links()?.len();
    println!(
        "cross-service: matching endpoints into {links} links took {:.1} ms at view load; endpoint extraction + matching add {:.1}% to the full index ({:.2}s)",
        link_time.as_secs_f64() * 1e3,
        100.0 * (endpoint_extract + link_time).as_secs_f64()
            / (index_time.saturating_sub(endpoint_extract)).as_secs_f64().max(1e-9),
        index_time.as_secs_f64()
    );
    query_latencies(&ws, args.queries)?;
    impact_latency(&ws)?;
    drop(ws);
    fresh_process_latency(&index_dir)?;
    ctags(&args.corpus, index_time)?;
    if args.keep_index.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

fn tempfile_dir(keep: Option<&Path>) -> Result<PathBuf> {
    if let Some(k) = keep {
        std::fs::create_dir_all(k)?;
        return Ok(k.to_path_buf());
    }
    let dir = std::env::temp_dir().join(format!("cartograph-bench-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Names sampled evenly from the index, for queries that hit real symbols.
fn sample_names(store: &Store, n: usize) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for (_, facts) in store.all_facts()? {
        names.extend(facts.symbols.into_iter().map(|s| s.name));
    }
    names.retain(|n| !n.trim().is_empty());
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(names);
    }
    let step = (names.len() / n.max(1)).max(1);
    Ok(names.into_iter().step_by(step).take(n).collect())
}

fn query_latencies(ws: &Workspace, n: usize) -> Result<()> {
    let names = sample_names(ws.store(), n)?;
    if names.is_empty() {
        println!("queries: no symbols to query");
        return Ok(());
    }
    // Warm the search index once (opening it is measured by the fresh-process test).
    let base = SearchQuery {
        limit: 20,
        ..SearchQuery::default()
    };
    // (A name with no word in it, `operator+` or `~Cart`, is no search text.)
    if let Some(first) = names
        .iter()
        .find(|n| !cartograph_query::split_words(n).is_empty())
    {
        let _ = ws.search(&SearchQuery {
            text: first.clone(),
            ..base.clone()
        })?;
    }
    let mut search = Vec::with_capacity(names.len());
    let mut found = 0usize;
    for name in &names {
        let words = cartograph_query::split_words(name);
        let text = words.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        let q = SearchQuery {
            text,
            ..base.clone()
        };
        let t = Instant::now();
        let hits = ws.search(&q)?;
        search.push(t.elapsed());
        found += usize::from(!hits.is_empty());
    }
    print_latencies("search (in-process, top 20)", search);
    let mut defs = Vec::with_capacity(names.len());
    let mut def_found = 0usize;
    for name in &names {
        let q = SearchQuery {
            limit: 100,
            ..base.clone()
        };
        let t = Instant::now();
        let d = ws.definitions(name, &q)?;
        defs.push(t.elapsed());
        def_found += usize::from(!d.is_empty());
    }
    print_latencies("def (in-process, with doc and snippet)", defs);
    let mut refs = Vec::with_capacity(names.len());
    for name in names.iter().take(1000) {
        let t = Instant::now();
        let _ = ws.references(name)?;
        refs.push(t.elapsed());
    }
    print_latencies("refs by name, resolved (in-process)", refs);
    // Callers and callees of depth 3 from symbols with one definition.
    let mut callers = Vec::new();
    let mut callees = Vec::new();
    let mut truncated = 0usize;
    for name in names.iter().take(300) {
        let Ok(hits) = ws.choose_symbol(name) else {
            continue;
        };
        let [symbol] = hits.as_slice() else { continue };
        let t = Instant::now();
        truncated += usize::from(ws.callers(symbol, 3)?.truncated);
        callers.push(t.elapsed());
        let t = Instant::now();
        truncated += usize::from(ws.callees(symbol, 3)?.truncated);
        callees.push(t.elapsed());
    }
    print_latencies("callers depth 3 (in-process)", callers);
    print_latencies("callees depth 3 (in-process)", callees);
    println!("call trees cut short by their limits: {truncated}");
    println!(
        "queries answered: search {found}/{n}, def {def_found}/{n}",
        n = names.len()
    );
    Ok(())
}

/// Impact of 20-file diffs (a one-line edit inside a function of each file), in
/// process, diff parsing and both versions' extraction included.
fn impact_latency(ws: &Workspace) -> Result<()> {
    const FILES_PER_DIFF: usize = 20;
    const DIFFS: usize = 10;
    let roots = ws.store().meta()?.roots;
    let mut candidates: Vec<(String, u32)> = Vec::new();
    for (path, facts) in ws.store().all_facts()? {
        let body = facts.symbols.iter().find(|s| {
            matches!(s.kind, SymbolKind::Function | SymbolKind::Method)
                && s.span.end_line >= s.span.start_line + 2
        });
        if let Some(s) = body {
            candidates.push((path, s.span.start_line + 1));
        }
    }
    candidates.sort();
    if candidates.len() < FILES_PER_DIFF {
        println!("impact: fewer than {FILES_PER_DIFF} files with functions");
        return Ok(());
    }
    let step = (candidates.len() / (FILES_PER_DIFF * DIFFS)).max(1);
    let picked: Vec<&(String, u32)> = candidates.iter().step_by(step).collect();
    let mut samples = Vec::new();
    let mut reached = 0usize;
    for chunk in picked.chunks(FILES_PER_DIFF).take(DIFFS) {
        let mut diff = String::new();
        let mut new_texts: std::collections::HashMap<String, String> = Default::default();
        for (path, line) in chunk {
            let Some(bytes) = roots
                .iter()
                .find_map(|r| std::fs::read(r.path.join(path)).ok())
            else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let i = (*line as usize).saturating_sub(1);
            let Some(old) = lines.get(i).cloned() else {
                continue;
            };
            lines[i] = format!("{old} ");
            diff.push_str(&format!(
                "diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -{line},1 +{line},1 @@\n-{old}\n+{old} \n"
            ));
            new_texts.insert(path.clone(), lines.join("\n") + "\n");
        }
        let request = cartograph_query::impact::ImpactRequest {
            diff: Some(diff),
            symbols: Vec::new(),
            depth: None,
        };
        let t = Instant::now();
        let impact = ws.impact(&request, &|p| new_texts.get(p).cloned())?;
        samples.push(t.elapsed());
        reached += impact.impacted.len();
    }
    let n = samples.len();
    print_latencies("impact of a 20-file diff (in-process, depth 4)", samples);
    println!(
        "  impacted symbols per diff: {:.0} on average",
        reached as f64 / n.max(1) as f64
    );
    Ok(())
}

fn fresh_process_latency(index_dir: &Path) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the cartograph binary")?;
    let mut samples = Vec::new();
    for name in [
        "new", "main", "Error", "get", "parse", "run", "test", "init", "value", "from",
    ] {
        let t = Instant::now();
        let status = Command::new(&exe)
            .arg("--index")
            .arg(index_dir)
            .args(["def", name, "--json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()?;
        samples.push(t.elapsed());
        if !status.success() && status.code() != Some(1) {
            bail!("`cartograph def {name}` failed in a fresh process");
        }
    }
    print_latencies("def (fresh process, end to end)", samples);
    Ok(())
}

/// The name universal-ctags gives a language, where it reads it.
fn ctags_language(lang: Language) -> Option<&'static str> {
    Some(match lang {
        Language::Rust => "Rust",
        Language::Python => "Python",
        Language::JavaScript => "JavaScript",
        Language::TypeScript | Language::Tsx => "TypeScript",
        Language::Go => "Go",
        Language::Java => "Java",
        Language::CSharp => "C#",
        Language::Proto => "Protobuf",
        Language::C => "C",
        Language::Cpp => "C++",
        Language::Php => "PHP",
        Language::Lua => "Lua",
        Language::Kotlin => "Kotlin",
        Language::Ruby => "Ruby",
        Language::Elixir => "Elixir",
        Language::Scala => "Scala",
        // universal-ctags has no Swift parser.
        Language::Thrift | Language::Swift => return None,
    })
}

/// Each language's cost per MB: Cartograph's extraction of its files on one core, and
/// universal-ctags run over the corpus for that language alone (its walk included).
fn language_costs(texts: &[(Language, String)], corpus: &Path) {
    let mut by_lang: std::collections::BTreeMap<Language, Vec<&str>> = Default::default();
    for (lang, text) in texts {
        by_lang.entry(*lang).or_default().push(text);
    }
    println!("extract per language (one core; ctags -R for that language alone):");
    // The languages this ctags reads (an unknown one it would skip quietly).
    let known: Vec<String> = Command::new("ctags")
        .arg("--list-languages")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    for (lang, files) in by_lang {
        let bytes: u64 = files.iter().map(|t| t.len() as u64).sum();
        // The language's query is compiled on first use: not part of the cost per MB.
        std::hint::black_box(extract_with(lang, "", &ExtractConfig::default()));
        let started = Instant::now();
        for text in &files {
            std::hint::black_box(extract_with(lang, text, &ExtractConfig::default()));
        }
        let took = started.elapsed().as_secs_f64();
        let ctags = ctags_language(lang)
            .filter(|name| known.iter().any(|k| k == name))
            .and_then(|name| {
                let out = std::env::temp_dir().join(format!(
                    "cartograph-bench-tags-{}-{name}",
                    std::process::id()
                ));
                let started = Instant::now();
                let status = Command::new("ctags")
                    .args(["-R", &format!("--languages={name}"), "-f"])
                    .arg(&out)
                    .arg(corpus)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status();
                let took = started.elapsed().as_secs_f64();
                let _ = std::fs::remove_file(&out);
                status.ok().filter(|s| s.success()).map(|_| took)
            });
        let per_mb = took / mb(bytes).max(1e-9);
        let ctags = match ctags {
            Some(t) => format!(
                "ctags {:.3}s ({:.1} ms/MB)",
                t,
                1000.0 * t / mb(bytes).max(1e-9)
            ),
            None => "ctags: -".to_string(),
        };
        println!(
            "  {lang}: {} files, {:.2} MB in {:.3}s = {:.1} ms/MB, {:.2} MB/s  {ctags}",
            files.len(),
            mb(bytes),
            took,
            1000.0 * per_mb,
            1.0 / per_mb.max(1e-9)
        );
    }
}

fn ctags(corpus: &Path, index_time: Duration) -> Result<()> {
    let out = std::env::temp_dir().join(format!("cartograph-bench-tags-{}", std::process::id()));
    let started = Instant::now();
    let status = Command::new("ctags")
        .args([
            "-R",
            "--languages=Rust,Python,JavaScript,TypeScript,Go,Java,C#,Protobuf,C,C++,PHP,Lua,Kotlin,Ruby,Elixir,Scala",
            "-f",
        ])
        .arg(&out)
        .arg(corpus)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let elapsed = started.elapsed();
    let _ = std::fs::remove_file(&out);
    match status {
        Ok(s) if s.success() => println!(
            "ctags -R (definitions only, one core): {:.2}s  cartograph index / ctags = {:.2}x",
            elapsed.as_secs_f64(),
            index_time.as_secs_f64() / elapsed.as_secs_f64()
        ),
        Ok(s) => println!("ctags -R failed ({s})"),
        Err(e) => println!("ctags not available: {e}"),
    }
    Ok(())
}
