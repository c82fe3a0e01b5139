//! Human and JSON rendering of query results. Output is sorted and uses workspace
//! paths, so it is stable across runs and machines.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use cartograph_graph::IndexReport;
use cartograph_query::{
    CallNode, Definition, EndpointInfo, Hierarchy, OutlineNode, RefSite, ServiceDependency,
    ServiceLink, ServiceMap, Stats, SymbolHit,
};
use serde::Serialize;

/// Writes `value` as pretty JSON followed by a newline.
pub fn json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// `path:line:col  kind  qualified_name` per symbol.
pub fn symbols(out: &mut dyn Write, hits: &[SymbolHit]) -> Result<()> {
    for h in hits {
        writeln!(out, "{}", symbol_line(h))?;
    }
    Ok(())
}

/// A map: its scope, then each symbol with its rank.
pub fn map(out: &mut dyn Write, map: &cartograph_query::api::Map) -> Result<()> {
    writeln!(
        out,
        "{}: {} of {} symbols (~{} tokens)",
        map.scope,
        map.symbols.len(),
        map.symbols_in_scope,
        map.tokens
    )?;
    for r in &map.symbols {
        writeln!(out, "{:.4}  {}", r.rank, symbol_line(&r.symbol))?;
    }
    Ok(())
}

/// Each definition with its ID, signature, doc and snippet.
pub fn definitions(out: &mut dyn Write, defs: &[Definition]) -> Result<()> {
    for (i, d) in defs.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let h = &d.symbol;
        writeln!(out, "{}", symbol_line(h))?;
        writeln!(out, "  id: {}", h.id)?;
        if !h.signature.is_empty() {
            writeln!(out, "  signature: {}", h.signature)?;
        }
        if let Some(doc) = &d.doc {
            for line in doc.lines() {
                writeln!(out, "  doc: {line}")?;
            }
        }
        if let (Some(e), Some(c)) = (&d.evidence, d.confidence) {
            writeln!(out, "  linked by: {e} ({c:.2})")?;
        }
        if d.stale {
            writeln!(
                out,
                "  (the file changed since it was indexed; run `cartograph index`)"
            )?;
        }
        if let Some(snippet) = &d.snippet {
            for line in snippet.lines() {
                writeln!(out, "    | {line}")?;
            }
        }
    }
    Ok(())
}

/// `path:line:col  kind  name  in <enclosing>` per reference.
pub fn references(out: &mut dyn Write, sites: &[RefSite]) -> Result<()> {
    for r in sites {
        let enclosing = r
            .enclosing
            .as_deref()
            .and_then(|id| cartograph_graph::split_symbol_id(id).map(|p| p.3))
            .unwrap_or_else(|| "(top level)".to_string());
        let target = match r.targets.as_slice() {
            [] => String::new(),
            [t, rest @ ..] => {
                let desc =
                    cartograph_graph::split_symbol_id(&t.id).map_or_else(|| t.id.clone(), |p| p.3);
                let more = if rest.is_empty() {
                    String::new()
                } else {
                    format!(" +{} more", rest.len())
                };
                format!(
                    "  -> {}:{} {desc} [{} {:.2}]{more}",
                    t.file, t.line, t.evidence, t.confidence
                )
            }
        };
        writeln!(
            out,
            "{}:{}:{}  {}  {}  in {}{target}",
            r.file, r.line, r.col, r.kind, r.name, enclosing
        )?;
    }
    Ok(())
}

/// Candidate symbols for an ambiguous name, with their IDs.
pub fn candidates(out: &mut dyn Write, hits: &[SymbolHit]) -> Result<()> {
    for h in hits {
        writeln!(out, "{}  {}", symbol_line(h), h.id)?;
    }
    Ok(())
}

/// A caller or callee tree under its root symbol.
pub fn call_tree(out: &mut dyn Write, root: &SymbolHit, nodes: &[CallNode]) -> Result<()> {
    fn walk(out: &mut dyn Write, nodes: &[CallNode], depth: usize) -> Result<()> {
        for n in nodes {
            let sites = if n.sites > 1 {
                format!(", {} sites", n.sites)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{}{}  [{} {:.2}{sites}] at {}",
                "  ".repeat(depth),
                symbol_line(&n.symbol),
                n.evidence,
                n.confidence,
                n.site
            )?;
            walk(out, &n.children, depth + 1)?;
        }
        Ok(())
    }
    writeln!(out, "{}", symbol_line(root))?;
    walk(out, nodes, 1)
}

/// `path:line:col  kind  qualified_name`: how every command shows a symbol.
fn symbol_line(s: &SymbolHit) -> String {
    format!(
        "{}:{}:{}  {}  {}",
        s.file, s.line, s.col, s.kind, s.qualified_name
    )
}

/// Supertypes, subtypes and overrides around a symbol.
pub fn hierarchy(out: &mut dyn Write, h: &Hierarchy) -> Result<()> {
    writeln!(out, "{}", symbol_line(&h.symbol))?;
    if let Some(owner) = h.owner.as_ref().filter(|o| o.id != h.symbol.id) {
        writeln!(out, "owner: {}", symbol_line(owner))?;
    }
    for (title, list) in [
        ("supertypes", &h.supertypes),
        ("subtypes", &h.subtypes),
        ("overrides", &h.overrides),
        ("overridden by", &h.overridden_by),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(out, "{title}:")?;
        for r in list.iter() {
            match (&r.symbol, &r.evidence) {
                (Some(s), Some(e)) => writeln!(
                    out,
                    "  {}  [{e} {:.2}] at {}",
                    symbol_line(s),
                    r.confidence,
                    r.site
                )?,
                _ => writeln!(out, "  {}  (not in the index) at {}", r.name, r.site)?,
            }
        }
    }
    Ok(())
}

/// A chain of calls, one step per line.
pub fn call_path(out: &mut dyn Write, from: &SymbolHit, steps: &[CallNode]) -> Result<()> {
    writeln!(out, "{}", symbol_line(from))?;
    for s in steps {
        writeln!(
            out,
            "  -> {}  [{} {:.2}] at {}",
            symbol_line(&s.symbol),
            s.evidence,
            s.confidence,
            s.site
        )?;
    }
    Ok(())
}

/// The symbol tree of one file, indented by depth.
pub fn outline(out: &mut dyn Write, path: &str, nodes: &[OutlineNode]) -> Result<()> {
    fn walk(out: &mut dyn Write, nodes: &[OutlineNode], depth: usize) -> Result<()> {
        for n in nodes {
            let s = &n.symbol;
            writeln!(
                out,
                "{}{}:{}  {}  {}",
                "  ".repeat(depth),
                s.line,
                s.col,
                s.kind,
                s.name
            )?;
            walk(out, &n.children, depth + 1)?;
        }
        Ok(())
    }
    writeln!(out, "{path}")?;
    walk(out, nodes, 1)
}

/// Index statistics as `key: value` lines.
pub fn stats(out: &mut dyn Write, s: &Stats) -> Result<()> {
    writeln!(out, "files: {}", s.files)?;
    writeln!(out, "lines: {}", s.lines)?;
    writeln!(out, "bytes: {}", s.bytes)?;
    writeln!(out, "symbols: {}", s.symbols)?;
    writeln!(out, "references: {}", s.references)?;
    writeln!(out, "imports: {}", s.imports)?;
    writeln!(out, "services: {}", s.services)?;
    writeln!(out, "files with diagnostics: {}", s.files_with_diagnostics)?;
    writeln!(out, "skipped: {}", s.skipped)?;
    for n in &s.not_parsed {
        writeln!(out, "  not parsed: {}: {}", n.path, n.note)?;
    }
    writeln!(out, "index size: {} bytes", s.index_size_bytes)?;
    writeln!(out, "generation: {}", s.generation)?;
    writeln!(out, "indexed at: {}", utc_time(s.indexed_at))?;
    for r in &s.repositories {
        let commit = r.commit.as_deref().unwrap_or("(no commit)");
        let short = &commit[..commit.len().min(12)];
        match &r.branch {
            Some(b) => writeln!(out, "repository {}: {b} at {short}", r.root)?,
            None => writeln!(out, "repository {}: detached at {short}", r.root)?,
        }
    }
    for r in &s.roots {
        writeln!(out, "root: {r}")?;
    }
    writeln!(out, "languages:")?;
    for (lang, l) in &s.languages {
        writeln!(
            out,
            "  {lang}: {} files, {} lines, {} symbols, {} references",
            l.files, l.lines, l.symbols, l.references
        )?;
    }
    let f = &s.freshness;
    if f.is_fresh() {
        writeln!(out, "freshness: up to date")?;
    } else {
        writeln!(
            out,
            "freshness: stale ({} modified, {} added, {} deleted since indexing; run `cartograph index`)",
            f.modified.len(),
            f.added.len(),
            f.deleted.len()
        )?;
        for p in &f.modified {
            writeln!(out, "  modified: {p}")?;
        }
        for p in &f.added {
            writeln!(out, "  added: {p}")?;
        }
        for p in &f.deleted {
            writeln!(out, "  deleted: {p}")?;
        }
    }
    Ok(())
}

/// What `index --json` prints.
#[derive(Serialize)]
pub struct IndexSummary {
    index: String,
    files: usize,
    added: usize,
    changed: usize,
    deleted: usize,
    unchanged: usize,
    /// Unchanged files whose links were redone because a definition they may use changed.
    relinked: usize,
    skipped: Vec<SkippedJson>,
    diagnostics: usize,
    /// Every diagnostic: which file, where, what.
    problems: Vec<ProblemJson>,
    symbols_extracted: u64,
    references_extracted: u64,
    generation: u64,
    seconds: f64,
}

#[derive(Serialize)]
struct ProblemJson {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    message: String,
}

#[derive(Serialize)]
struct SkippedJson {
    path: String,
    reason: String,
}

impl IndexSummary {
    /// Summarizes a run.
    pub fn new(r: &IndexReport, dir: &Path, elapsed: Duration) -> IndexSummary {
        IndexSummary {
            index: dir.display().to_string(),
            files: r.files,
            added: r.added,
            changed: r.changed,
            deleted: r.deleted,
            unchanged: r.unchanged,
            relinked: r.relinked,
            skipped: r
                .skipped
                .iter()
                .map(|s| SkippedJson {
                    path: s.path.clone(),
                    reason: s.reason.clone(),
                })
                .collect(),
            diagnostics: r.diagnostics.len(),
            problems: r
                .diagnostics
                .iter()
                .map(|(path, d)| ProblemJson {
                    path: path.clone(),
                    line: d.line,
                    message: d.message.clone(),
                })
                .collect(),
            symbols_extracted: r.symbols_extracted,
            references_extracted: r.references_extracted,
            generation: r.generation,
            seconds: elapsed.as_secs_f64(),
        }
    }
}

/// One summary line for an indexing run.
pub fn index_report(
    out: &mut dyn Write,
    r: &IndexReport,
    dir: &Path,
    elapsed: Duration,
) -> Result<()> {
    let changed = r.added + r.changed + r.deleted;
    writeln!(
        out,
        "indexed {} files into {} in {:.2}s: {changed} changed ({} added, {} modified, {} deleted), {} unchanged ({} relinked), {} skipped, {} with diagnostics",
        r.files,
        dir.display(),
        elapsed.as_secs_f64(),
        r.added,
        r.changed,
        r.deleted,
        r.unchanged,
        r.relinked,
        r.skipped.len(),
        r.diagnostics.iter().map(|(p, _)| p).collect::<std::collections::BTreeSet<_>>().len(),
    )?;
    Ok(())
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The service map as text: services, then dependencies.
pub fn service_map(out: &mut dyn Write, map: &ServiceMap) -> Result<()> {
    writeln!(out, "services ({}):", map.services.len())?;
    for s in &map.services {
        let path = if s.path.is_empty() {
            "."
        } else {
            s.path.as_str()
        };
        let deployed = if s.deployed_as.is_empty() {
            String::new()
        } else {
            format!("  deployed as {}", s.deployed_as.join(", "))
        };
        writeln!(
            out,
            "  {}  {}  {}{deployed}",
            s.name,
            path,
            s.languages.join(",")
        )?;
    }
    dependency_lines(out, "dependencies", &map.edges)?;
    // Where outside traffic comes in: routes no service of the system calls.
    if !map.entries.is_empty() {
        dependency_lines(out, "entry points", &map.entries)?;
    }
    if !map.not_parsed.is_empty() {
        // Invisible, not independent: the map cannot show what these files call.
        writeln!(out, "not parsed ({}):", map.not_parsed.len())?;
        for n in &map.not_parsed {
            writeln!(out, "  {}: {}", n.path, n.note)?;
        }
    }
    if !map.not_indexed.is_empty() {
        writeln!(out, "not indexed ({}):", map.not_indexed.len())?;
        for n in &map.not_indexed {
            writeln!(
                out,
                "  {} ({}, {}): {}",
                n.source, n.service, n.file, n.note
            )?;
        }
    }
    Ok(())
}

/// A titled list of dependencies, one per line.
fn dependency_lines(out: &mut dyn Write, title: &str, list: &[ServiceDependency]) -> Result<()> {
    writeln!(out, "{title} ({}):", list.len())?;
    for e in list {
        writeln!(
            out,
            "  {} -> {}  {}  {}  [{} {:.2}]",
            e.from,
            e.to,
            e.protocol,
            e.endpoints.join(", "),
            e.evidence.join(","),
            e.confidence
        )?;
    }
    Ok(())
}

/// A name usable as a Mermaid or Graphviz node ID.
fn node_id(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("s_{id}")
}

/// The endpoints of a dependency, short: `CartService/GetCart, EmptyCart`, or a
/// count past two (`5 rpcs`, `3 routes`).
fn short_endpoints(e: &ServiceDependency) -> String {
    if e.endpoints.len() > 2 {
        let unit = match e.protocol.as_str() {
            "grpc" | "thrift" => "rpcs",
            "http" => "routes",
            "topic" => "topics",
            _ => "endpoints",
        };
        return format!("{} {unit}", e.endpoints.len());
    }
    e.endpoints
        .iter()
        .map(|x| x.rsplit(['.', ':']).next().unwrap_or(x).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An edge's label: its protocol and endpoints.
fn edge_label(e: &ServiceDependency) -> String {
    let endpoints = short_endpoints(e).replace('"', "'");
    if endpoints.is_empty() {
        e.protocol.clone()
    } else {
        format!("{}: {endpoints}", e.protocol)
    }
}

/// Whether a dependency rests on guesses only (a route matched without a host, a
/// name alone, a compose `depends_on`): drawn dashed.
fn is_guess(e: &ServiceDependency) -> bool {
    e.evidence
        .iter()
        .all(|v| matches!(v.as_str(), "route-template" | "name-only" | "manifest"))
}

/// The colour of a protocol's edges.
fn protocol_colour(protocol: &str) -> &'static str {
    match protocol {
        "grpc" => "#1f77b4",
        "thrift" => "#9467bd",
        "http" => "#2ca02c",
        "topic" => "#ff7f0e",
        "kafka" | "rabbitmq" | "nats" | "amqp" => "#d62728",
        _ => "#7f7f7f",
    }
}

/// Services with calls no handler answers, as the dangling stubs the pictures draw:
/// (the service's node, the stub's node, the label `3 unmatched calls`).
fn unmatched_stubs(map: &ServiceMap) -> Vec<(String, String, String)> {
    let mut by_service: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for u in map.unmatched.iter().filter(|u| u.role == "consumes") {
        *by_service.entry(u.service.as_str()).or_default() += 1;
    }
    by_service
        .into_iter()
        .map(|(service, n)| {
            let node = node_id(service);
            let plural = if n == 1 { "" } else { "s" };
            let stub = format!("{node}_unmatched");
            (node, stub, format!("{n} unmatched call{plural}"))
        })
        .collect()
}

/// The service map as a Mermaid flowchart, fenced, ready to paste into a pull
/// request: edges coloured by protocol and dashed where they rest on guesses,
/// brokers as hexagons, datastores as cylinders, gateways as trapezoids, external
/// services (flagd) as flags, and each service's calls that
/// no handler answers as a dangling stub.
pub fn mermaid(out: &mut dyn Write, map: &ServiceMap) -> Result<()> {
    writeln!(out, "```mermaid")?;
    writeln!(out, "graph LR")?;
    for s in &map.services {
        let id = node_id(&s.name);
        let name = s.name.replace('"', "'");
        match s.kind.as_deref() {
            Some("datastore") => writeln!(out, "  {id}[(\"{name}\")]")?,
            Some("broker") => writeln!(out, "  {id}{{{{\"{name}\"}}}}")?,
            Some("gateway") => writeln!(out, "  {id}[/\"{name}\"\\]")?,
            Some("external") => writeln!(out, "  {id}>\"{name}\"]")?,
            _ => writeln!(out, "  {id}[\"{name}\"]")?,
        }
    }
    let mut styles = Vec::new();
    // Entry routes are drawn from their gateway like dependencies.
    let drawn = map.edges.len() + map.entries.len();
    for (i, e) in map.edges.iter().chain(&map.entries).enumerate() {
        let arrow = if is_guess(e) { "-.->" } else { "-->" };
        writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            node_id(&e.from),
            edge_label(e),
            node_id(&e.to)
        )?;
        styles.push(format!(
            "  linkStyle {i} stroke:{}",
            protocol_colour(&e.protocol)
        ));
    }
    for (j, (node, stub, label)) in unmatched_stubs(map).into_iter().enumerate() {
        writeln!(out, "  {stub}((\" \"))")?;
        writeln!(out, "  {node} -.->|\"{label}\"| {stub}")?;
        styles.push(format!("  linkStyle {} stroke:#bbbbbb", drawn + j));
    }
    for line in styles {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "```")?;
    Ok(())
}

/// The service map in Graphviz dot, styled like the Mermaid one.
pub fn dot(out: &mut dyn Write, map: &ServiceMap) -> Result<()> {
    writeln!(out, "digraph services {{")?;
    writeln!(out, "  rankdir=LR;")?;
    for s in &map.services {
        let shape = match s.kind.as_deref() {
            Some("datastore") => "cylinder",
            Some("broker") => "hexagon",
            Some("gateway") => "trapezium",
            Some("external") => "octagon",
            _ => "box",
        };
        writeln!(
            out,
            "  {} [label=\"{}\", shape={shape}];",
            node_id(&s.name),
            s.name.replace('"', "'")
        )?;
    }
    for e in map.edges.iter().chain(&map.entries) {
        writeln!(
            out,
            "  {} -> {} [label=\"{}\", color=\"{}\"{}];",
            node_id(&e.from),
            node_id(&e.to),
            edge_label(e),
            protocol_colour(&e.protocol),
            if is_guess(e) { ", style=dashed" } else { "" }
        )?;
    }
    for (node, stub, label) in unmatched_stubs(map) {
        writeln!(out, "  {stub} [label=\"\", shape=point];")?;
        writeln!(
            out,
            "  {node} -> {stub} [label=\"{label}\", style=dashed, color=\"#bbbbbb\"];"
        )?;
    }
    writeln!(out, "}}")?;
    Ok(())
}

/// Endpoints, one per line.
pub fn endpoints(out: &mut dyn Write, found: &[EndpointInfo]) -> Result<()> {
    for e in found {
        // A call nobody answers, a handler nobody calls: said, not left out.
        let unmatched = match (e.linked, e.role.as_str()) {
            (true, _) => "",
            (false, _) if e.internal => "  [within its service]",
            (false, "consumes") => "  [unmatched: no handler indexed]",
            (false, _) => "  [unmatched: no caller indexed]",
        };
        writeln!(
            out,
            "{}  {}  {}  {}:{}  {}{unmatched}",
            e.service, e.role, e.endpoint, e.file, e.line, e.symbol
        )?;
    }
    Ok(())
}

/// Cross-service links, one per line.
pub fn service_links(out: &mut dyn Write, found: &[ServiceLink]) -> Result<()> {
    for l in found {
        writeln!(
            out,
            "{} {}:{} -> {} {}:{}  {}  [{} {:.2}]{}{}",
            l.from.service,
            l.from.file,
            l.from.line,
            l.to.service,
            l.to.file,
            l.to.line,
            l.endpoint,
            l.evidence,
            l.confidence,
            l.via
                .as_ref()
                .map_or(String::new(), |g| format!("  via {g}")),
            l.through.as_ref().map_or(String::new(), |t| format!(
                "  through {} {}:{}",
                t.service, t.file, t.line
            ))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::utc_time;

    #[test]
    fn formats_unix_times_as_utc() {
        assert_eq!(utc_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_time(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_time(1_795_328_478), "2026-11-22T06:21:18Z");
    }
}
