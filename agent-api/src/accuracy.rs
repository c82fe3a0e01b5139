//! `cartograph accuracy`: Cartograph's go-to-definition answers at every reference
//! site of a project, compared with a compiler-precise indexer's (a SCIP index from
//! scip-python, scip-typescript or rust-analyzer), as a table per language.
//!
//! A site is an occurrence the precise indexer marks as a reference (not a
//! definition) to a symbol it defines in the project, in a file Cartograph indexes.
//! References to local symbols (`local N`), to parameters and type parameters
//! (scoped to one declaration; rust-analyzer and scip-typescript already mark
//! parameters local) and to definitions outside the project are counted and left
//! out: Cartograph indexes declarations visible beyond one function. Cartograph answers a site when it extracted a reference
//! starting at the same position and linked it to at least one definition; an answer
//! is right when a target's file and line are those of the true definition (for a
//! module, which the precise indexers define at its file, a target that is the
//! module's declaration, `mod x;`, counts too).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use cartograph_graph::IndexConfig;
use cartograph_indexer::Language;
use cartograph_query::{RefSite, RefTarget, Workspace};
use clap::Args;
use serde::Serialize;

use crate::scip;

/// Options of `cartograph accuracy`.
#[derive(Args, Debug)]
pub struct AccuracyArgs {
    /// The project root the SCIP index describes.
    pub root: PathBuf,
    /// The SCIP index a precise indexer wrote for that root.
    #[arg(long, value_name = "FILE")]
    pub scip: PathBuf,
    /// Keep Cartograph's index of the root here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    pub keep_index: Option<PathBuf>,
    /// How many of the most frequent kinds of misses to list.
    #[arg(long, default_value_t = 20)]
    pub misses: usize,
    /// Also list this many example sites of each listed kind of miss.
    #[arg(long, default_value_t = 0)]
    pub examples: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Counts of one language.
#[derive(Debug, Default, Serialize)]
pub struct Row {
    /// Reference sites compared.
    pub sites: u64,
    /// Sites Cartograph answered (a reference there with at least one target).
    pub answered: u64,
    /// Answers containing the true definition.
    pub correct: u64,
    /// Answers whose first target is the true definition.
    pub correct_first: u64,
    /// answered / sites.
    pub coverage: f64,
    /// correct / answered.
    pub precision: f64,
    /// correct_first / answered.
    pub top1_precision: f64,
    /// correct / sites.
    pub recall: f64,
}

/// The harness's result.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// The precise indexer.
    pub tool: String,
    /// The project root.
    pub root: String,
    /// Per language.
    pub languages: BTreeMap<String, Row>,
    /// References to document-local symbols, parameters and type parameters, left out.
    pub local_references: u64,
    /// References to symbols defined outside the project, left out.
    pub external_references: u64,
    /// Of those, how many Cartograph linked to a definition in the project anyway
    /// (a false link: the true definition is in a library).
    pub external_linked: u64,
    /// Those false links by the evidence of the first answer, most first.
    pub external_linked_by: Vec<(String, u64)>,
    /// References to definitions in files Cartograph does not index, left out.
    pub unindexed_definitions: u64,
    /// Attribute accesses (`x.name`) the precise indexer links to a symbol with no
    /// descriptor of that name (scip-python gives `httpx.Response` as `Request#`, and
    /// a `__slots__` attribute as its class): its answer is disputed, the site left
    /// out (with examples under `disputed`).
    pub disputed: u64,
    /// The most frequent kinds of misses: (kind, count).
    pub misses: Vec<(String, u64)>,
    /// Example sites of those misses: kind -> `file:line:col symbol`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub examples: BTreeMap<String, Vec<String>>,
}

/// The kind of a SCIP symbol, from the suffix of its last descriptor.
fn scip_kind(symbol: &str) -> &'static str {
    let s = symbol.trim_end();
    if s.ends_with(").") {
        "method/function"
    } else if s.ends_with('#') {
        "type"
    } else if s.ends_with('/') {
        "module"
    } else if s.ends_with('!') {
        "macro"
    } else if s.ends_with(')') {
        "parameter"
    } else if s.ends_with(']') {
        "type parameter"
    } else if s.ends_with("/__init__:") {
        // scip-python's modules: `` `httpx._models`/__init__: ``.
        "module"
    } else if s.ends_with(':') {
        "meta"
    } else {
        "term"
    }
}

/// The last descriptor of a SCIP symbol: `parse/` of `... regex-syntax 0.8 ast/parse/`.
fn last_descriptor(symbol: &str) -> &str {
    let s = symbol.trim_end_matches('/');
    let start = s.rfind(['/', ' ', '#']).map_or(0, |i| i + 1);
    &symbol[start..]
}

/// Byte column of a `character` offset on `line` in the given encoding.
fn byte_column(line: &str, character: u32, utf16: bool) -> u32 {
    if !utf16 || line.is_ascii() {
        return character;
    }
    let mut units = 0u32;
    for (byte, c) in line.char_indices() {
        if units >= character {
            return byte as u32;
        }
        units += c.len_utf16() as u32;
    }
    line.len() as u32
}

/// scip-python in a project with its package under `src/` names a symbol by its
/// import path where it is used (`` `attr._compat`/__init__: ``) and by its path
/// under the root where it is defined (`` `src.attr._compat`/__init__: ``), and a
/// module a relative import names by its last name alone (`` _cmp/__init__: `` for
/// `from . import _cmp`): the definition of a used symbol that has none under its
/// own name, under the other (for a module by its last name, the only one).
fn src_layout_definition<'a>(
    defs: &'a HashMap<&'a str, Vec<(&'a str, u32)>>,
    symbol: &str,
) -> Option<(&'a str, &'a Vec<(&'a str, u32)>)> {
    if !symbol.starts_with("scip-python ") {
        return None;
    }
    if let Some(tick) = symbol.find('`') {
        let defined = format!("{}`src.{}", &symbol[..tick], &symbol[tick + 1..]);
        return defs.get_key_value(defined.as_str()).map(|(k, v)| (*k, v));
    }
    let (head, descriptor) = symbol.rsplit_once(' ')?;
    let module = descriptor.strip_suffix("/__init__:")?;
    if module.is_empty() || module.contains(['.', '/', '#']) {
        return None;
    }
    let tail = format!(".{module}`/__init__:");
    let mut found = defs
        .iter()
        .filter(|(k, _)| k.starts_with(head) && k.ends_with(&tail));
    let one = found.next()?;
    found.next().is_none().then_some((*one.0, one.1))
}

/// Runs the harness and prints the table (or JSON) on stdout.
pub fn run(args: AccuracyArgs) -> Result<()> {
    let report = measure(&args)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        crate::render::json(&mut out, &report)
    } else {
        print(&mut out, &report).context("cannot write output")
    }
}

fn measure(args: &AccuracyArgs) -> Result<Report> {
    if !args.root.is_dir() {
        bail!("{} is not a directory", args.root.display());
    }
    let bytes = std::fs::read(&args.scip)
        .with_context(|| format!("cannot read {}", args.scip.display()))?;
    let index = scip::decode(&bytes)
        .with_context(|| format!("{} is not a readable SCIP index", args.scip.display()))?;
    let dir = match &args.keep_index {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("cartograph-accuracy-{}", std::process::id())),
    };
    let config = IndexConfig {
        roots: vec![args.root.clone()],
        ..IndexConfig::default()
    };
    let (ws, _) = Workspace::index(&dir, &config, &|_| {})?;
    let result = compare(&ws, &index, &args.root, (args.misses, args.examples));
    drop(ws);
    if args.keep_index.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    result
}

fn compare(
    ws: &Workspace,
    index: &scip::Index,
    root: &Path,
    (top, examples): (usize, usize),
) -> Result<Report> {
    let mut report = Report {
        tool: index.tool.clone(),
        root: root.display().to_string(),
        ..Report::default()
    };
    // Where each symbol is defined: (path, 1-based line).
    let mut defs: HashMap<&str, Vec<(&str, u32)>> = HashMap::new();
    for d in &index.documents {
        for o in d.occurrences.iter().filter(|o| o.is_definition()) {
            if !o.symbol.starts_with("local ") {
                defs.entry(o.symbol.as_str())
                    .or_default()
                    .push((d.path.as_str(), o.line + 1));
            }
        }
    }
    let indexed: std::collections::HashSet<String> =
        ws.store().files()?.into_iter().map(|f| f.path).collect();
    let mut misses: HashMap<String, u64> = HashMap::new();
    let mut false_links: HashMap<String, u64> = HashMap::new();
    let mut samples: HashMap<String, Vec<String>> = HashMap::new();
    for d in &index.documents {
        if !indexed.contains(&d.path) {
            continue;
        }
        let language = Language::from_path(Path::new(&d.path))
            .map_or("other", |l| l.name())
            .to_string();
        let text = std::fs::read_to_string(root.join(&d.path)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let utf16 = d.encoding == 2 || (d.encoding == 0 && index.tool.contains("typescript"));
        let refs = ws.file_references(&d.path)?;
        let at: HashMap<(u32, u32), &RefSite> = refs.iter().map(|r| ((r.line, r.col), r)).collect();
        // Go-to-definition on a definition's own name answers that definition.
        let mut own: HashMap<(u32, u32), RefTarget> = HashMap::new();
        let mut stack = ws.outline(&d.path)?;
        while let Some(node) = stack.pop() {
            let s = node.symbol;
            own.insert(
                (s.line, s.col),
                RefTarget {
                    id: s.id,
                    file: s.file,
                    line: s.line,
                    confidence: 1.0,
                    evidence: "definition".to_string(),
                },
            );
            stack.extend(node.children);
        }
        // One site per source position: an indexer may give several symbols at one
        // place (a constructor call names the class and its `__init__`); the answer
        // is right when it is any of them.
        let mut positions: std::collections::BTreeMap<(u32, u32), Vec<&str>> =
            std::collections::BTreeMap::new();
        for o in d.occurrences.iter().filter(|o| !o.is_definition()) {
            positions
                .entry((o.line, o.character))
                .or_default()
                .push(o.symbol.as_str());
        }
        for ((line, character), symbols) in positions {
            let local = |s: &&str| {
                s.starts_with("local ") || matches!(scip_kind(s), "parameter" | "type parameter")
            };
            if symbols.iter().all(local) {
                report.local_references += 1;
                continue;
            }
            let line_text = lines.get(line as usize).copied().unwrap_or("");
            let col = byte_column(line_text, character, utf16);
            let truths: Vec<(&str, &Vec<(&str, u32)>)> = symbols
                .iter()
                .filter(|s| !local(s))
                .filter_map(|s| {
                    defs.get(*s)
                        .map(|t| (*s, t))
                        .or_else(|| src_layout_definition(&defs, s))
                })
                .collect();
            if truths.is_empty() {
                report.external_references += 1;
                if let Some(first) = at
                    .get(&(line + 1, col))
                    .and_then(|site| site.targets.first())
                {
                    report.external_linked += 1;
                    let how = format!(
                        "{} ({} reference)",
                        first.evidence,
                        at[&(line + 1, col)].kind
                    );
                    keep_example(&mut samples, false_link_kind(&how), examples, || {
                        format!(
                            "{}:{}:{} {} -> {}",
                            d.path,
                            line + 1,
                            col,
                            symbols[0],
                            first.id
                        )
                    });
                    *false_links.entry(how).or_default() += 1;
                }
                continue;
            }
            if !truths
                .iter()
                .any(|(_, t)| t.iter().any(|(p, _)| indexed.contains(*p)))
            {
                report.unindexed_definitions += 1;
                continue;
            }
            if let Some(written) = attribute_at(line_text, col as usize) {
                if !truths.iter().any(|(s, _)| names_descriptor(s, written)) {
                    report.disputed += 1;
                    keep_example(&mut samples, "disputed".to_string(), examples, || {
                        format!(
                            "{}:{}:{} {} {}",
                            d.path,
                            line + 1,
                            col,
                            written,
                            truths[0].0
                        )
                    });
                    continue;
                }
            }
            // Module references are counted apart: a file is their definition.
            let kind = truths
                .iter()
                .map(|(s, _)| scip_kind(s))
                .find(|k| *k != "module")
                .unwrap_or("module");
            let key = if kind == "module" {
                format!("{language} (modules)")
            } else {
                language.clone()
            };
            let row = report.languages.entry(key).or_default();
            row.sites += 1;
            let first_symbol = truths[0].0;
            let mut miss = |what: String| {
                keep_example(&mut samples, what.clone(), examples, || {
                    format!("{}:{}:{} {}", d.path, line + 1, col, first_symbol)
                });
                *misses.entry(what).or_default() += 1;
            };
            let (targets, use_kind) = match (at.get(&(line + 1, col)), own.get(&(line + 1, col))) {
                // (As `def --at` answers: a reference resolving to nothing at a
                // definition's name, `x.parse = (p) => ..`, answers the definition.)
                (Some(site), Some(def)) if site.targets.is_empty() => {
                    (std::slice::from_ref(def), "definition")
                }
                (Some(site), _) => (site.targets.as_slice(), site.kind.as_str()),
                (None, Some(def)) => (std::slice::from_ref(def), "definition"),
                (None, None) => {
                    miss(format!("not extracted: {kind}"));
                    continue;
                }
            };
            let Some(first) = targets.first() else {
                miss(format!("unresolved: {kind} ({use_kind} reference)"));
                continue;
            };
            row.answered += 1;
            // A module is defined by its file; Cartograph points at its declaration
            // (`mod x;`), which names the same module: same kind, same name.
            let is_true = |t: &RefTarget| {
                truths.iter().any(|(symbol, truth)| {
                    truth.iter().any(|(p, l)| *p == t.file && *l == t.line)
                        || (scip_kind(symbol) == "module" && {
                            let m = last_descriptor(symbol);
                            t.id.ends_with(&format!(" {m}")) || t.id.ends_with(&format!("/{m}"))
                        })
                })
            };
            if targets.iter().any(is_true) {
                row.correct += 1;
                if is_true(first) {
                    row.correct_first += 1;
                } else {
                    miss(format!(
                        "right answer not first: {kind} ({} reference, {} first)",
                        use_kind, first.evidence
                    ));
                }
            } else {
                miss(format!(
                    "wrong target: {kind} ({} reference, {})",
                    use_kind, first.evidence
                ));
            }
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    for row in report.languages.values_mut() {
        row.coverage = ratio(row.answered, row.sites);
        row.precision = ratio(row.correct, row.answered);
        row.top1_precision = ratio(row.correct_first, row.answered);
        row.recall = ratio(row.correct, row.sites);
    }
    report.languages.retain(|_, r| r.sites > 0);
    let mut misses: Vec<(String, u64)> = misses.into_iter().collect();
    misses.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    misses.truncate(top);
    let mut shown: Vec<String> = misses.iter().map(|(kind, _)| kind.clone()).collect();
    report.misses = misses;
    let mut false_links: Vec<(String, u64)> = false_links.into_iter().collect();
    false_links.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    false_links.truncate(top);
    shown.extend(
        false_links
            .iter()
            .take(FALSE_LINKS_SHOWN)
            .map(|(how, _)| false_link_kind(how)),
    );
    shown.push("disputed".to_string());
    for kind in shown {
        if let Some(list) = samples.remove(&kind).filter(|l| !l.is_empty()) {
            report.examples.insert(kind, list);
        }
    }
    report.external_linked_by = false_links;
    Ok(report)
}

/// The name written at byte `col` of `line` when it is an attribute access
/// (`x.name`, `x?.name`): what follows the dot names the member.
fn attribute_at(line: &str, col: usize) -> Option<&str> {
    let before = line.get(..col)?.trim_end();
    if !before.ends_with('.') || before.ends_with("..") {
        return None;
    }
    let rest = line.get(col..)?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// Whether one of SCIP `symbol`'s descriptors (after its package) is `name`:
/// `Client` is in `` `httpx._client`/Client#__init__(). ``.
fn names_descriptor(symbol: &str, name: &str) -> bool {
    let descriptors = symbol.splitn(5, ' ').nth(4).unwrap_or(symbol);
    descriptors
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        // scip-typescript numbers same-named meta descriptors: `next0:`.
        .any(|d| {
            d.strip_prefix(name)
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        })
}

/// How many kinds of false links the table lists (with examples when asked).
const FALSE_LINKS_SHOWN: usize = 5;

/// The key of a kind of false link among the examples.
fn false_link_kind(how: &str) -> String {
    format!("false link: {how}")
}

/// Keeps an example site of `kind` while it has fewer than `limit`.
fn keep_example(
    samples: &mut HashMap<String, Vec<String>>,
    kind: String,
    limit: usize,
    site: impl FnOnce() -> String,
) {
    let list = samples.entry(kind).or_default();
    if list.len() < limit {
        list.push(site());
    }
}

fn print(out: &mut dyn std::io::Write, r: &Report) -> std::io::Result<()> {
    writeln!(out, "accuracy against {} on {}", r.tool, r.root)?;
    writeln!(
        out,
        "{:<12} {:>8} {:>9} {:>10} {:>7} {:>7}",
        "language", "sites", "coverage", "precision", "top-1", "recall"
    )?;
    for (lang, row) in &r.languages {
        writeln!(
            out,
            "{:<12} {:>8} {:>9.3} {:>10.3} {:>7.3} {:>7.3}",
            lang, row.sites, row.coverage, row.precision, row.top1_precision, row.recall
        )?;
    }
    writeln!(
        out,
        "left out: {} references to local symbols and parameters, {} to definitions outside the project, {} to files cartograph does not index",
        r.local_references, r.external_references, r.unindexed_definitions
    )?;
    if r.disputed > 0 {
        writeln!(
            out,
            "disputed: {} attribute accesses (`x.name`) the precise indexer gives a symbol of another name, left out",
            r.disputed
        )?;
        for e in r.examples.get("disputed").into_iter().flatten() {
            writeln!(out, "            {e}")?;
        }
    }
    writeln!(
        out,
        "false links: {} of the references to definitions outside the project were linked into it",
        r.external_linked
    )?;
    for (how, n) in r.external_linked_by.iter().take(FALSE_LINKS_SHOWN) {
        writeln!(out, "{n:>8}  {how}")?;
        for e in r.examples.get(&false_link_kind(how)).into_iter().flatten() {
            writeln!(out, "            {e}")?;
        }
    }
    writeln!(out, "most frequent misses:")?;
    for (kind, n) in &r.misses {
        writeln!(out, "{n:>8}  {kind}")?;
        for e in r.examples.get(kind).into_iter().flatten() {
            writeln!(out, "            {e}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn src_layout_and_relative_module_symbols_find_their_definitions() {
        let mut defs: HashMap<&str, Vec<(&str, u32)>> = HashMap::new();
        defs.insert(
            "scip-python python attrs 1 `src.attr._compat`/__init__:",
            vec![("src/attr/_compat.py", 1)],
        );
        defs.insert(
            "scip-python python attrs 1 `src.attr._cmp`/__init__:",
            vec![("src/attr/_cmp.py", 1)],
        );
        defs.insert(
            "scip-python python attrs 1 `src.attr.a.util`/__init__:",
            vec![("src/attr/a/util.py", 1)],
        );
        defs.insert(
            "scip-python python attrs 1 `src.attr.b.util`/__init__:",
            vec![("src/attr/b/util.py", 1)],
        );
        let found = |s: &str| src_layout_definition(&defs, s).map(|(k, _)| k.to_string());
        assert_eq!(
            found("scip-python python attrs 1 `attr._compat`/__init__:").as_deref(),
            Some("scip-python python attrs 1 `src.attr._compat`/__init__:")
        );
        assert_eq!(
            found("scip-python python attrs 1 _cmp/__init__:").as_deref(),
            Some("scip-python python attrs 1 `src.attr._cmp`/__init__:")
        );
        // Two modules of that last name: neither.
        assert_eq!(found("scip-python python attrs 1 util/__init__:"), None);
        assert_eq!(found("rust-analyzer cargo x 1 `a`/b:"), None);
    }

    #[test]
    fn utf16_offsets_become_byte_columns() {
        assert_eq!(byte_column("let x = 1;", 4, true), 4);
        // 'é' is one UTF-16 unit and two bytes; '𝄞' is two units and four bytes.
        assert_eq!(byte_column("é = f(𝄞, y)", 4, true), 5);
        assert_eq!(byte_column("é = f(𝄞, y)", 10, true), 13);
        assert_eq!(byte_column("é = f(x)", 4, false), 4);
    }

    #[test]
    fn an_attribute_names_a_descriptor_of_its_symbol() {
        assert_eq!(
            attribute_at("    r = httpx.Response(x)", 14),
            Some("Response")
        );
        assert_eq!(attribute_at("a?.b", 3), Some("b"));
        assert_eq!(attribute_at("Response(x)", 0), None);
        assert_eq!(attribute_at("[..rest]", 3), None);
        let s = "scip-python python httpx 0.27.2 `httpx._models`/Request#";
        assert!(names_descriptor(s, "Request"));
        assert!(!names_descriptor(s, "Response"));
        // A module on the path is one too (`httpx._models` read as an attribute).
        assert!(names_descriptor(s, "_models"));
        assert!(!names_descriptor(
            "scip-python python rich 1 `rich.x`/Y#",
            "python"
        ));
        let ctor = "scip-typescript npm zod 4.1 src/`a.ts`/Foo#`<constructor>`().";
        assert!(names_descriptor(ctor, "Foo"));
        assert!(names_descriptor(
            "scip-typescript npm ky 2 test/`a.ts`/next0:",
            "next"
        ));
        assert!(names_descriptor(
            "scip-typescript npm z 4 t/`a.ts`/schema60:",
            "schema6"
        ));
    }

    #[test]
    fn scip_symbols_have_kinds() {
        assert_eq!(
            scip_kind("scip-python python httpx 0.27.2 `httpx._compat`/__init__:"),
            "module"
        );
        assert_eq!(
            scip_kind("scip-python python rich 1 `rich.console`/Console#"),
            "type"
        );
        assert_eq!(
            scip_kind("scip-python python rich 1 `rich.console`/Console#print()."),
            "method/function"
        );
        assert_eq!(
            scip_kind("rust-analyzer cargo regex-syntax 0.8 ast/"),
            "module"
        );
        assert_eq!(scip_kind("rust-analyzer cargo std 1 vec!"), "macro");
        assert_eq!(
            last_descriptor("rust-analyzer cargo rs 0.8 ast/parse/"),
            "parse/"
        );
        assert_eq!(
            last_descriptor("rust-analyzer cargo rs 0.8 unicode/"),
            "unicode/"
        );
    }
}
