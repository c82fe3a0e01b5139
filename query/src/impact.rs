//! Change impact: from a diff (or chosen symbols) to the symbols it changes, and
//! from those, backwards over every link of the graph (calls, references, imports,
//! inheritance, interface dispatch, cross-service links) to everything that may
//! break, with distances, paths, confidences, and summaries per service, test and
//! endpoint.
//!
//! Both versions of a changed file are extracted here: the new text is read (from
//! disk, or from a revision through the caller), the old text is rebuilt by applying
//! the diff in reverse, so a deleted or renamed definition is seen as a change too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cartograph_graph::Evidence;
use cartograph_indexer::{extract, FileFacts, Language, SymbolDef, SymbolKind};
use serde::{Deserialize, Serialize};

use crate::diff::{self, FileDiff};
use crate::{files, Error, Result, Workspace, MAX_DEPTH};

/// Default depth of the reverse traversal.
pub const DEFAULT_IMPACT_DEPTH: usize = 4;
/// Most impacted symbols listed.
const MAX_IMPACTED: usize = 2_000;
/// Largest diff accepted.
pub const MAX_DIFF_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes one impact request reads from disk, all its files together.
pub const MAX_DIFF_READ_BYTES: u64 = 32 * 1024 * 1024;

/// What to compute the impact of: a unified diff, or symbols.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImpactRequest {
    /// A unified diff (`git diff`), against the files as indexed / on disk.
    pub diff: Option<String>,
    /// Symbols (IDs, names or `file:line:col`) instead of a diff.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// Levels of users to follow (default 4, at most 8).
    pub depth: Option<usize>,
}

/// A symbol the change touches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangedSymbol {
    /// Stable ID (in the index when `indexed`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Qualified name.
    pub qualified_name: String,
    /// Kind.
    pub kind: String,
    /// Service.
    pub service: String,
    /// Workspace path (the old one for deleted symbols).
    pub file: String,
    /// Line (new version; old version for deleted symbols).
    pub line: u32,
    /// `body`, `signature`, `added`, `deleted`, `renamed`, `moved` or `selected`.
    pub change: String,
    /// For a renamed or moved symbol: its old qualified name and file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
    /// The contracts the change alters (`grpc:pkg.Service/Method`,
    /// `http:METHOD /path`, `topic:NAME`): their other side breaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contracts: Vec<String>,
    /// Whether the index has this symbol (its users are known).
    pub indexed: bool,
    /// For a `.proto` definition: what the change does on the wire and to the code
    /// generated from it (`wire-compatible (same number and type); breaks
    /// generated code and JSON` for a renamed field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compatibility: Option<String>,
}

/// A symbol that depends on the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impacted {
    /// Stable ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind (`file` for a file's top-level code).
    pub kind: String,
    /// Service.
    pub service: String,
    /// Workspace path.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Links from the nearest changed symbol.
    pub depth: usize,
    /// `will-break` (a direct user of a changed signature, contract, or of a
    /// deleted or renamed symbol) or `may-change` (behaviour may differ).
    pub class: String,
    /// Product of the confidences of the links on the path.
    pub confidence: f32,
    /// IDs from the changed symbol to this one.
    pub path: Vec<String>,
    /// How the last link was found.
    pub evidence: String,
    /// The contract of the last link, when it crosses services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// A service the change reaches.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceImpact {
    /// Name.
    pub name: String,
    /// Changed symbols in it.
    pub changed: usize,
    /// Impacted symbols in it.
    pub impacted: usize,
    /// The worst class among them (`changed` when only changed).
    pub class: String,
    /// Contracts through which it is reached from another service.
    pub endpoints: Vec<String>,
}

/// A test that reaches the change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TestImpact {
    /// Stable ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Workspace path.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Links from the change (0: the test itself changed).
    pub depth: usize,
}

/// How risky the change looks, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Risk {
    /// `low`, `medium` or `high`.
    pub level: String,
    /// 0 to 100.
    pub score: u32,
    /// What the score rests on.
    pub reasons: Vec<String>,
}

/// The impact of a change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Impact {
    /// What changed.
    pub changed: Vec<ChangedSymbol>,
    /// What depends on it, most serious first.
    pub impacted: Vec<Impacted>,
    /// Services reached, by name.
    pub services: Vec<ServiceImpact>,
    /// Tests reaching the change.
    pub tests: Vec<TestImpact>,
    /// Endpoints whose handlers changed or are impacted (the public API touched).
    pub endpoints: Vec<String>,
    /// Dependencies between the services reached (from the service map).
    pub service_edges: Vec<crate::model::ServiceDependency>,
    /// The risk.
    pub risk: Risk,
    /// Files that could not be analysed, and why.
    pub notes: Vec<String>,
    /// Whether the impacted list was cut at its bound.
    pub truncated: bool,
}

/// Whether a symbol is test code, by the conventions of its language: test files
/// (`_test.go`, `test_*.py`, `*.test.ts`, `*.spec.js`, `*Test.java`, `*Tests.cs`),
/// test directories (`tests/`, `__tests__/`, `src/test/`), Rust `mod tests`.
pub fn is_test(path: &str, qualified: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let in_test_dir = path
        .rsplit('/')
        .skip(1)
        .any(cartograph_indexer::is_test_dir);
    let test_file = file.ends_with("_test.go")
        || (file.starts_with("test_") && file.ends_with(".py"))
        || file.ends_with("_test.py")
        || file.contains(".test.")
        || file.contains(".spec.")
        || file.ends_with("Test.java")
        || file.ends_with("Tests.java")
        || file.ends_with("Test.cs")
        || file.ends_with("Tests.cs");
    test_file || in_test_dir || qualified.starts_with("tests.") || qualified.contains(".tests.")
}

/// The innermost symbols of `facts` containing any of `lines`: on a line holding
/// several (`message M { int64 cents = 1; string card = 2; }`), each of them that
/// holds no other.
fn touched(facts: &FileFacts, lines: &[u32]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for line in lines {
        let on: Vec<usize> = facts
            .symbols
            .iter()
            .enumerate()
            .filter(|(_, s)| s.span.start_line <= *line && *line <= s.span.end_line)
            .map(|(i, _)| i)
            .collect();
        let inside = |outer: &SymbolDef, inner: &SymbolDef| {
            outer.span.start_byte <= inner.span.start_byte
                && inner.span.end_byte <= outer.span.end_byte
                && (outer.span.start_byte, outer.span.end_byte)
                    != (inner.span.start_byte, inner.span.end_byte)
        };
        for &i in &on {
            let s = &facts.symbols[i];
            if !on.iter().any(|&j| inside(s, &facts.symbols[j])) {
                out.insert(i);
            }
        }
    }
    out
}

/// The old name of a renamed or moved symbol (kept while its users are followed;
/// the new name stands for the change).
fn old_half(c: &ChangedSymbol) -> bool {
    c.was.as_deref().is_some_and(|w| w.starts_with("now "))
}

/// The text of a definition (whitespace collapsed).
fn text_key(text: &str, s: &SymbolDef) -> String {
    text.get(s.span.start_byte as usize..s.span.end_byte as usize)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The type and number of a protobuf field from its declaration
/// (`repeated string ids = 2 [deprecated = true];` → `repeated string`, `2`).
fn proto_field(signature: &str) -> Option<(String, String)> {
    let (left, right) = signature.split_once('=')?;
    let mut words: Vec<&str> = left.split_whitespace().collect();
    words.pop()?;
    let number: String = right
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!number.is_empty()).then(|| (words.join(" "), number))
}

/// What a change to a `.proto` definition does to the programs using it: on the
/// wire, and to the code generated from it (and its JSON form, which uses names).
fn proto_compatibility(
    kind: SymbolKind,
    change: &str,
    old: Option<&str>,
    new: &str,
) -> Option<&'static str> {
    Some(match (kind, change) {
        (SymbolKind::Field, "added")
        | (SymbolKind::Rpc, "added")
        | (SymbolKind::Message, "added") => "compatible: an addition",
        (SymbolKind::Field, "renamed") => {
            "wire-compatible (same number and type); breaks generated code and JSON"
        }
        (SymbolKind::Field, "deleted") => {
            "breaks generated code and JSON; wire-compatible only if its number is reserved"
        }
        (SymbolKind::Field, "signature") => {
            let (before, after) = (proto_field(old?)?, proto_field(new)?);
            if before.1 != after.1 {
                "breaks the wire format: the field number changed"
            } else if before.0 != after.0 {
                "breaks the wire format: the field type changed"
            } else {
                return None;
            }
        }
        (SymbolKind::Message | SymbolKind::Enum, "renamed") => {
            "wire-compatible; breaks generated code"
        }
        (SymbolKind::Rpc | SymbolKind::Service, "renamed" | "deleted") => {
            "breaks the wire format: the method's path changes"
        }
        (SymbolKind::Rpc, "signature") => "breaks the wire format: the rpc's messages changed",
        (SymbolKind::Message | SymbolKind::Enum, "deleted") => "breaks generated code",
        _ => return None,
    })
}

/// The text of a definition without its name, whitespace collapsed: equal for a
/// symbol renamed or moved without other edits.
fn body_key(text: &str, s: &SymbolDef) -> String {
    let (a, b) = (s.span.start_byte as usize, s.span.end_byte as usize);
    let (na, nb) = (
        s.name_span.start_byte as usize,
        s.name_span.end_byte as usize,
    );
    if b > text.len() || na < a || nb > b {
        return String::new();
    }
    let without = format!("{}{}", &text[a..na], &text[nb..b]);
    without.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One version of a changed file.
struct Version {
    path: String,
    text: String,
    facts: FileFacts,
    lines: Vec<u32>,
}

/// A change found in a diff, before it is placed in the index.
struct Found {
    symbol: SymbolDef,
    path: String,
    change: &'static str,
    was: Option<String>,
    contracts: Vec<String>,
    key: String,
    /// The declaration before a signature change.
    old_signature: Option<String>,
}

impl Workspace {
    /// A workspace file's text on disk now (lossy UTF-8), if readable.
    pub fn read_current(&self, path: &str) -> Option<String> {
        let meta = self.store.meta().ok()?;
        crate::read_disk(&meta, path).map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The impact of a diff against the files on disk, or of symbols.
    pub fn impact_on_disk(&self, req: &ImpactRequest) -> Result<Impact> {
        self.impact(req, &|p| self.read_current(p))
    }

    /// The impact of a diff or of symbols. `read_new` gives the new text of a
    /// workspace path (the file on disk, or a revision's); `None` when unreadable.
    pub fn impact(
        &self,
        req: &ImpactRequest,
        read_new: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<Impact> {
        let depth = req.depth.unwrap_or(DEFAULT_IMPACT_DEPTH);
        if depth == 0 || depth > MAX_DEPTH {
            return Err(Error::Invalid(format!(
                "`depth` is {depth}; it must be between 1 and {MAX_DEPTH}"
            )));
        }
        let mut notes = Vec::new();
        let mut changed = Vec::new();
        match (&req.diff, req.symbols.is_empty()) {
            (Some(_), false) => {
                return Err(Error::Invalid(
                    "give a diff or symbols, not both".to_string(),
                ))
            }
            (None, true) => {
                return Err(Error::Invalid(
                    "give a diff (unified, as `git diff` prints it) or symbols".to_string(),
                ))
            }
            (Some(text), true) => {
                if text.len() > MAX_DIFF_BYTES {
                    return Err(Error::Invalid(format!(
                        "the diff is {} bytes; at most {MAX_DIFF_BYTES} are accepted",
                        text.len()
                    )));
                }
                let started = std::time::Instant::now();
                let files = diff::parse(text)?;
                let mut old_hashes = Vec::new();
                let found = self.changes_in(&files, read_new, &mut notes, &mut old_hashes)?;
                notes.extend(self.stale_copies(&files, &old_hashes)?);
                tracing::debug!(
                    "impact: {} files extracted in {:?}",
                    files.len(),
                    started.elapsed()
                );
                changed = self.place(found)?;
                tracing::debug!(
                    "impact: changed symbols placed after {:?}",
                    started.elapsed()
                );
            }
            (None, false) => {
                for s in &req.symbols {
                    let hit = self.resolve_symbol(s)?;
                    changed.push(ChangedSymbol {
                        id: hit.id.clone(),
                        name: hit.name.clone(),
                        qualified_name: hit.qualified_name.clone(),
                        kind: hit.kind.clone(),
                        service: hit.service.clone(),
                        file: hit.file.clone(),
                        line: hit.line,
                        change: "selected".to_string(),
                        was: None,
                        contracts: Vec::new(),
                        indexed: true,
                        compatibility: None,
                    });
                }
            }
        }
        let started = std::time::Instant::now();
        let mut impact = self.propagate(changed, depth, notes)?;
        tracing::debug!("impact: propagated in {:?}", started.elapsed());
        // One row per rename: the old name's users were followed; the new name
        // says what it was.
        impact.changed.retain(|c| !old_half(c));
        Ok(impact)
    }

    /// Copies of a changed `.proto` that the change leaves behind: files identical
    /// to its old version (vendored or generated-from copies) that the diff does not
    /// change.
    fn stale_copies(
        &self,
        files: &[FileDiff],
        old_hashes: &[(String, String)],
    ) -> Result<Vec<String>> {
        let in_diff: BTreeSet<&str> = files
            .iter()
            .flat_map(|f| [f.new_path.as_deref(), f.old_path.as_deref()])
            .flatten()
            .collect();
        let mut notes = Vec::new();
        if old_hashes.is_empty() {
            return Ok(notes);
        }
        let records = self.store.files()?;
        for (path, old_hash) in old_hashes {
            for r in &records {
                if r.hash == *old_hash
                    && &r.path != path
                    && matches!(r.language, Language::Proto | Language::Thrift)
                    && !in_diff.contains(r.path.as_str())
                {
                    notes.push(format!(
                        "{} is a copy of {path} as it was before this change, and the change leaves it as it was: out of sync",
                        r.path
                    ));
                }
            }
        }
        Ok(notes)
    }

    /// Workspace path of a path in a diff (relative to the repository).
    fn diff_path(&self, path: &str) -> Result<String> {
        if self.store.file(path)?.is_some() {
            return Ok(path.to_string());
        }
        for r in &self.store.meta()?.roots {
            if !r.prefix.is_empty() {
                let p = format!("{}/{path}", r.prefix);
                if self.store.file(&p)?.is_some() {
                    return Ok(p);
                }
            }
        }
        Ok(path.to_string())
    }

    /// The changed symbols of every file of a diff, both versions extracted.
    fn changes_in(
        &self,
        files: &[FileDiff],
        read_new: &(dyn Fn(&str) -> Option<String> + Sync),
        notes: &mut Vec<String>,
        old_hashes: &mut Vec<(String, String)>,
    ) -> Result<Vec<Found>> {
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicU64, Ordering};
        // What one request may make the server read from disk, all files together.
        let left = AtomicU64::new(MAX_DIFF_READ_BYTES);
        let read_new = &|path: &str| -> Option<String> {
            let text = read_new(path)?;
            let len = text.len() as u64;
            left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(len))
                .is_ok()
                .then_some(text)
        };
        // Files are extracted in parallel; each gives its changes and notes.
        type PerFile = (Vec<Found>, Vec<String>, Option<(String, String)>);
        let per_file: Vec<Result<PerFile>> = files
            .par_iter()
            .map(|f| {
                let mut found = Vec::new();
                let mut notes = Vec::new();
                let started = std::time::Instant::now();
                let old_hash = self.changes_in_file(f, read_new, &mut found, &mut notes)?;
                tracing::debug!(
                    "impact: {:?} in {:?}",
                    f.new_path.as_ref().or(f.old_path.as_ref()),
                    started.elapsed()
                );
                Ok((found, notes, old_hash))
            })
            .collect();
        let mut found: Vec<Found> = Vec::new();
        for r in per_file {
            let (f, n, old_hash) = r?;
            found.extend(f);
            notes.extend(n);
            old_hashes.extend(old_hash);
        }
        pair_renames(&mut found);
        Ok(found)
    }

    /// The facts of one version of a file: the index's when it holds exactly this
    /// text (the usual case for one side of a diff), else extracted now.
    fn facts_of(&self, path: &str, lang: Language, text: &str) -> Result<FileFacts> {
        if let Some(record) = self.store.file(path)? {
            if record.hash == cartograph_indexer::content_hash(text.as_bytes()) {
                let files = files::Files::new(&self.store, &self.facts);
                if let Some(loaded) = files.get(path)? {
                    return Ok(loaded.1.clone());
                }
            }
        }
        Ok(extract(lang, text))
    }

    /// The changes of one file of a diff; for a `.proto`, its path and the hash of
    /// its old version.
    fn changes_in_file(
        &self,
        f: &FileDiff,
        read_new: &(dyn Fn(&str) -> Option<String> + Sync),
        found: &mut Vec<Found>,
        notes: &mut Vec<String>,
    ) -> Result<Option<(String, String)>> {
        let shown = f
            .new_path
            .clone()
            .or(f.old_path.clone())
            .unwrap_or_default();
        let Some(lang) = Language::from_path(std::path::Path::new(&shown)) else {
            return Ok(None);
        };
        let paths = [f.new_path.as_deref(), f.old_path.as_deref()];
        if paths
            .into_iter()
            .flatten()
            .any(|p| !crate::is_workspace_path(p))
        {
            notes.push(format!(
                "{shown}: not a path inside the indexed roots (absolute or with `..`); not read"
            ));
            return Ok(None);
        }
        if f.binary {
            notes.push(format!("{shown}: binary change, not analysed"));
            return Ok(None);
        }
        let added: Vec<u32> = f.hunks.iter().flat_map(|h| h.added()).collect();
        let removed: Vec<u32> = f.hunks.iter().flat_map(|h| h.removed()).collect();
        let new = match &f.new_path {
            None => None,
            Some(p) => {
                let path = self.diff_path(p)?;
                match read_new(&path) {
                    Some(text) => Some(Version {
                        facts: self.facts_of(&path, lang, &text)?,
                        path,
                        text,
                        lines: added.clone(),
                    }),
                    None => {
                        notes.push(format!(
                            "{shown}: cannot read its new version (missing, not a regular file, over the size cap, or past the {} MiB one request may read)",
                            MAX_DIFF_READ_BYTES / (1024 * 1024)
                        ));
                        return Ok(None);
                    }
                }
            }
        };
        let old = match (&f.old_path, &new) {
            (None, _) => None,
            (Some(p), Some(n)) => match diff::reverse_apply(&n.text, &f.hunks) {
                Some(text) => {
                    let path = self.diff_path(p)?;
                    Some(Version {
                        facts: self.facts_of(&path, lang, &text)?,
                        path,
                        text,
                        lines: removed.clone(),
                    })
                }
                None => {
                    notes.push(format!(
                            "{shown}: the diff does not apply to the file as read; changes to it are ignored (is the diff of another version?)"
                        ));
                    return Ok(None);
                }
            },
            // A deleted file: its old text is the removed lines.
            (Some(p), None) => {
                let text: String = f
                    .hunks
                    .iter()
                    .flat_map(|h| h.lines.iter().filter(|l| l.0 == '-'))
                    .map(|l| format!("{}\n", l.1))
                    .collect();
                Some(Version {
                    facts: extract(lang, &text),
                    path: self.diff_path(p)?,
                    text,
                    lines: removed.clone(),
                })
            }
        };
        classify(old.as_ref(), new.as_ref(), found);
        // A changed `.proto` or `.thrift`: its old version, to find copies left behind.
        Ok(old
            .filter(|o| {
                matches!(lang, Language::Proto | Language::Thrift)
                    && new.as_ref().is_none_or(|n| n.text != o.text)
            })
            .map(|o| {
                (
                    o.path.clone(),
                    cartograph_indexer::content_hash(o.text.as_bytes()),
                )
            }))
    }

    /// Stable IDs for found changes, from the index's records of their files.
    fn place(&self, found: Vec<Found>) -> Result<Vec<ChangedSymbol>> {
        let mut out = Vec::new();
        let view = self.graph_view()?;
        for f in found {
            let record = self.store.file(&f.path)?;
            let (id, service) = match &record {
                Some(r) => (r.symbol_id(&f.symbol.descriptor), r.service.clone()),
                None => (String::new(), String::new()),
            };
            let indexed = !id.is_empty() && view.node(&id).is_some();
            // A message or struct that other IDL files' rpcs name (a Thrift
            // `include`, a proto `import`): their contracts change with it.
            let mut contracts = f.contracts;
            if let (Some(r), SymbolKind::Message | SymbolKind::Field) = (&record, f.symbol.kind) {
                let message = match f.symbol.descriptor.split_once('#') {
                    Some((m, _)) => format!("{m}#"),
                    None => f.symbol.descriptor.clone(),
                };
                let idl = matches!(r.language, Language::Proto | Language::Thrift);
                if let Some(node) = view.node(&r.symbol_id(&message)).filter(|_| idl) {
                    contracts.extend(view.contracts_naming(node));
                    contracts.sort();
                    contracts.dedup();
                }
            }
            let compatibility = f
                .path
                .ends_with(".proto")
                .then(|| {
                    proto_compatibility(
                        f.symbol.kind,
                        f.change,
                        f.old_signature.as_deref(),
                        &f.symbol.signature,
                    )
                })
                .flatten()
                .map(str::to_string);
            out.push(ChangedSymbol {
                id,
                name: f.symbol.name.clone(),
                qualified_name: f.symbol.qualified_name.clone(),
                kind: f.symbol.kind.name().to_string(),
                service,
                file: f.path.clone(),
                line: f.symbol.name_span.start_line,
                change: f.change.to_string(),
                was: f.was,
                contracts,
                indexed,
                compatibility,
            });
        }
        out.sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
        out.dedup_by(|a, b| a.id == b.id && a.change == b.change && !a.id.is_empty());
        Ok(out)
    }

    /// Reverse traversal from the changed symbols, and the summaries.
    fn propagate(
        &self,
        changed: Vec<ChangedSymbol>,
        depth: usize,
        mut notes: Vec<String>,
    ) -> Result<Impact> {
        let view = self.graph_view()?;
        // Code using a symbol breaks when its declaration changes or it is gone; a
        // changed route or topic breaks the other side of the contract (seeded
        // below), while the code calling the changed function only may change.
        let breaking = |c: &ChangedSymbol| {
            matches!(
                c.change.as_str(),
                "signature" | "deleted" | "renamed" | "moved" | "selected"
            )
        };
        // Per reached node: (depth, confidence, parent, evidence, via, will_break).
        type Reach = (usize, f32, Option<u32>, Evidence, Option<String>, bool);
        let mut reached: HashMap<u32, Reach> = HashMap::new();
        let mut start_nodes: BTreeSet<u32> = BTreeSet::new();
        // Nodes to expand at each depth, with whether their users will break.
        let mut levels: Vec<Vec<(u32, bool)>> = vec![Vec::new(); depth + 1];
        let files = files::Files::new(&self.store, &self.facts);
        for c in &changed {
            match view.node(&c.id) {
                Some(n) => {
                    start_nodes.insert(n);
                    levels[0].push((n, breaking(c)));
                }
                None if matches!(c.change.as_str(), "deleted" | "renamed" | "moved") => {
                    // Gone from the index: its former users are the references to
                    // its name that resolve to nothing now.
                    for path in self.store.files_referencing(&c.name)? {
                        let Some(file) = files.get(&path)? else {
                            continue;
                        };
                        for (i, r) in file.1.references.iter().enumerate() {
                            if r.name != c.name || !view.edges_of(&path, i as u32).is_empty() {
                                continue;
                            }
                            let Some(user) = view.node_in(&path, r.enclosing) else {
                                continue;
                            };
                            if let std::collections::hash_map::Entry::Vacant(v) =
                                reached.entry(user)
                            {
                                v.insert((1, 0.5, None, Evidence::NameOnly, None, true));
                                levels[1].push((user, false));
                            }
                        }
                    }
                }
                None if !c.id.is_empty() => notes.push(format!(
                    "{} ({}) is not in the index; run `cartograph index` for its users",
                    c.qualified_name, c.file
                )),
                None => {}
            }
        }
        for c in &changed {
            let node = view.node(&c.id);
            // The other side of each changed contract breaks: the callers
            // of a changed route or rpc, the handlers of a changed call, the
            // subscribers of a renamed topic.
            for contract in &c.contracts {
                let evidence = if contract.starts_with("grpc:") || contract.starts_with("thrift:") {
                    Evidence::Idl
                } else if contract.starts_with("topic:") {
                    Evidence::TopicName
                } else {
                    Evidence::RouteTemplate
                };
                for (party, key, _) in view.contract_parties(contract) {
                    if Some(party) == node || start_nodes.contains(&party) {
                        continue;
                    }
                    if let std::collections::hash_map::Entry::Vacant(v) = reached.entry(party) {
                        v.insert((1, 0.9, node, evidence, Some(key), true));
                        levels[1].push((party, false));
                    }
                }
            }
        }
        for d in 0..depth {
            let level = std::mem::take(&mut levels[d]);
            for (n, breaks) in level {
                let base = reached.get(&n).map_or(1.0, |r| r.1);
                // What a publisher sends flows to its subscribers.
                let subscribers = view
                    .linked_handlers_of(n)
                    .into_iter()
                    .filter(|h| h.3.as_deref().is_some_and(|k| k.starts_with("topic:")));
                let users = view
                    .users_of(n)
                    .into_iter()
                    .map(|u| (u, true))
                    .chain(subscribers.map(|u| (u, false)));
                for ((user, evidence, conf, via), code_user) in users {
                    if start_nodes.contains(&user) || user == n {
                        continue;
                    }
                    let candidate = (
                        d + 1,
                        base * conf,
                        Some(n),
                        evidence,
                        via,
                        breaks && d == 0 && code_user,
                    );
                    match reached.get(&user) {
                        None => {
                            reached.insert(user, candidate);
                            levels[d + 1].push((user, false));
                        }
                        Some(r) if r.0 == d + 1 && (candidate.5 && !r.5 || candidate.1 > r.1) => {
                            let keep_break = r.5;
                            let mut c = candidate;
                            c.5 |= keep_break;
                            reached.insert(user, c);
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        tracing::debug!("impact: {} symbols reached", reached.len());
        // The results.
        let mut impacted: Vec<Impacted> = reached
            .iter()
            .map(|(n, r)| {
                let hit = view.hit(*n);
                let mut path = vec![hit.id.clone()];
                let mut at = r.2;
                let mut guard = 0;
                while let Some(p) = at {
                    path.push(view.hit(p).id);
                    at = reached.get(&p).and_then(|x| x.2);
                    guard += 1;
                    if guard > MAX_DEPTH + 2 {
                        break;
                    }
                }
                path.reverse();
                Impacted {
                    id: hit.id,
                    name: hit.name,
                    kind: hit.kind,
                    service: hit.service,
                    file: hit.file,
                    line: hit.line,
                    depth: r.0,
                    class: if r.5 { "will-break" } else { "may-change" }.to_string(),
                    confidence: r.1,
                    path,
                    evidence: r.3.name().to_string(),
                    via: r.4.clone(),
                }
            })
            .collect();
        impacted.sort_by(|a, b| {
            (a.class != "will-break")
                .cmp(&(b.class != "will-break"))
                .then(b.confidence.total_cmp(&a.confidence))
                .then(a.depth.cmp(&b.depth))
                .then(a.id.cmp(&b.id))
        });
        let truncated = impacted.len() > MAX_IMPACTED;
        impacted.truncate(MAX_IMPACTED);

        let services = services_of(&changed, &impacted, self.service_names()?);

        let mut tests: Vec<TestImpact> = Vec::new();
        for c in changed
            .iter()
            .filter(|c| is_test(&c.file, &c.qualified_name))
        {
            tests.push(TestImpact {
                id: c.id.clone(),
                name: c.name.clone(),
                file: c.file.clone(),
                line: c.line,
                depth: 0,
            });
        }
        for i in impacted
            .iter()
            .filter(|i| i.kind != "file" && is_test(&i.file, &i.id))
        {
            tests.push(TestImpact {
                id: i.id.clone(),
                name: i.name.clone(),
                file: i.file.clone(),
                line: i.line,
                depth: i.depth,
            });
        }
        tests.sort_by(|a, b| (&a.file, a.line, &a.id).cmp(&(&b.file, b.line, &b.id)));
        tests.dedup_by(|a, b| a.id == b.id);

        let nodes: BTreeSet<u32> = start_nodes
            .iter()
            .copied()
            .chain(reached.keys().copied())
            .collect();
        let endpoints = view.provided_by(&nodes);
        let risk = risk_of(&changed, &impacted, &services, &tests, &endpoints);
        let names: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
        let service_edges = self
            .service_map()?
            .edges
            .into_iter()
            .filter(|e| names.contains(e.from.as_str()) && names.contains(e.to.as_str()))
            .collect();
        notes.sort();
        notes.dedup();
        Ok(Impact {
            changed,
            impacted,
            services,
            tests,
            endpoints,
            service_edges,
            risk,
            notes,
            truncated,
        })
    }
}

/// The contracts a file declares or uses: HTTP routes and calls, topics, each with
/// the index of the symbol it belongs to (the enclosing one, or the handler named).
fn contracts_of(v: &Version) -> BTreeSet<(String, Option<usize>)> {
    let owner = |enclosing: Option<u32>, handler: Option<&str>| -> Option<usize> {
        enclosing.map(|e| e as usize).or_else(|| {
            let name = handler?;
            v.facts.symbols.iter().position(|s| s.name == name)
        })
    };
    let mut out = BTreeSet::new();
    for h in v.facts.http.iter().filter(|h| h.route) {
        out.insert((
            format!("http:{} {}", h.method, h.url),
            owner(h.enclosing, h.handler.as_deref()),
        ));
    }
    for t in &v.facts.topics {
        out.insert((format!("topic:{}", t.topic), owner(t.enclosing, None)));
    }
    out
}

/// The rpcs of a `.proto` or `.thrift` file a changed symbol alters: itself, or the
/// rpcs taking or returning a changed message (struct, exception).
fn idl_contracts(v: &Version, s: &SymbolDef) -> Vec<String> {
    let package = v.facts.package.clone().unwrap_or_default();
    let protocol = if v.path.ends_with(".thrift") {
        "thrift"
    } else {
        "grpc"
    };
    let key = |rpc: &SymbolDef| {
        let service = rpc.qualified_name.rsplit_once('.').map_or("", |x| x.0);
        let service = if package.is_empty() {
            service.to_string()
        } else {
            format!("{package}.{service}")
        };
        format!("{protocol}:{service}/{}", rpc.name)
    };
    match s.kind {
        SymbolKind::Rpc => vec![key(s)],
        SymbolKind::Message | SymbolKind::Field => {
            let message = match s.kind {
                SymbolKind::Field => s.qualified_name.split('.').next().unwrap_or_default(),
                _ => s.name.as_str(),
            };
            v.facts
                .symbols
                .iter()
                .filter(|r| r.kind == SymbolKind::Rpc)
                .filter(|r| {
                    r.signature
                        .split(|c: char| !c.is_alphanumeric() && c != '_')
                        .any(|w| w == message)
                })
                .map(key)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The services a change touches: `changed` for one where only changed symbols
/// are, else the worst class of its impacted symbols, with the contracts through
/// which it is reached; under the names services are shown by.
fn services_of(
    changed: &[ChangedSymbol],
    impacted: &[Impacted],
    names: &crate::ServiceNames,
) -> Vec<ServiceImpact> {
    fn entry<'a>(
        services: &'a mut BTreeMap<String, ServiceImpact>,
        name: &str,
        class: &str,
    ) -> &'a mut ServiceImpact {
        services
            .entry(name.to_string())
            .or_insert_with(|| ServiceImpact {
                name: name.to_string(),
                changed: 0,
                impacted: 0,
                class: class.to_string(),
                endpoints: Vec::new(),
            })
    }
    let mut services: BTreeMap<String, ServiceImpact> = BTreeMap::new();
    for c in changed.iter().filter(|c| !old_half(c)) {
        entry(&mut services, names.shown(&c.service), "changed").changed += 1;
    }
    for i in impacted {
        let s = entry(&mut services, names.shown(&i.service), &i.class);
        s.impacted += 1;
        if i.class == "will-break" {
            s.class = i.class.clone();
        }
        if let Some(v) = &i.via {
            if !s.endpoints.contains(v) {
                s.endpoints.push(v.clone());
            }
        }
    }
    services.remove("");
    services
        .into_values()
        .map(|mut s| {
            s.endpoints.sort();
            s
        })
        .collect()
}

/// Changed symbols of one file from its two versions.
fn classify(old: Option<&Version>, new: Option<&Version>, found: &mut Vec<Found>) {
    let by_descriptor = |v: Option<&Version>| -> HashMap<String, usize> {
        v.map(|v| {
            v.facts
                .symbols
                .iter()
                .enumerate()
                .map(|(i, s)| (s.descriptor.clone(), i))
                .collect()
        })
        .unwrap_or_default()
    };
    let old_index = by_descriptor(old);
    let new_index = by_descriptor(new);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(n) = new {
        for i in touched(&n.facts, &n.lines) {
            let s = &n.facts.symbols[i];
            let before = old_index
                .get(&s.descriptor)
                .and_then(|j| old.map(|o| (o, &o.facts.symbols[*j])));
            let change = match before {
                Some((_, o)) if o.signature != s.signature => "signature",
                // A neighbour on the same line changed, not this one.
                Some((ov, o)) if text_key(&ov.text, o) == text_key(&n.text, s) => continue,
                Some(_) => "body",
                None => "added",
            };
            seen.insert(s.descriptor.clone(), found.len());
            found.push(Found {
                symbol: s.clone(),
                path: n.path.clone(),
                change,
                was: None,
                contracts: idl_contracts(n, s),
                key: body_key(&n.text, s),
                old_signature: before.map(|(_, o)| o.signature.clone()),
            });
        }
    }
    if let Some(o) = old {
        for i in touched(&o.facts, &o.lines) {
            let s = &o.facts.symbols[i];
            if seen.contains_key(&s.descriptor) {
                continue;
            }
            let now = new_index
                .get(&s.descriptor)
                .and_then(|j| new.map(|n| (n, &n.facts.symbols[*j])));
            if now.is_some_and(|(n, ns)| text_key(&n.text, ns) == text_key(&o.text, s)) {
                // A neighbour on the same line changed, not this one.
                continue;
            }
            seen.insert(s.descriptor.clone(), found.len());
            found.push(match now {
                // Only removals inside it: it changed, and is still there.
                Some((n, ns)) => Found {
                    symbol: ns.clone(),
                    path: n.path.clone(),
                    change: if ns.signature != s.signature {
                        "signature"
                    } else {
                        "body"
                    },
                    was: None,
                    contracts: idl_contracts(n, ns),
                    key: String::new(),
                    old_signature: Some(s.signature.clone()),
                },
                None => Found {
                    symbol: s.clone(),
                    path: o.path.clone(),
                    change: "deleted",
                    was: None,
                    contracts: idl_contracts(o, s),
                    key: body_key(&o.text, s),
                    old_signature: None,
                },
            });
        }
    }
    // Routes and topics that differ between the versions, wherever the edit was (a
    // decorator, a constant): the symbols they belong to change contract. The old
    // value is the one whose other side breaks.
    let before = old.map(contracts_of).unwrap_or_default();
    let after = new.map(contracts_of).unwrap_or_default();
    let names = |set: &BTreeSet<(String, Option<usize>)>| -> BTreeSet<String> {
        set.iter().map(|c| c.0.clone()).collect()
    };
    let (before_names, after_names) = (names(&before), names(&after));
    let changed_contracts = before
        .iter()
        .filter(|c| !after_names.contains(&c.0))
        .map(|c| (c, old))
        .chain(
            after
                .iter()
                .filter(|c| !before_names.contains(&c.0))
                .map(|c| (c, new)),
        );
    for ((contract, owner), version) in changed_contracts {
        let (Some(v), Some(i)) = (version, owner) else {
            continue;
        };
        let s = &v.facts.symbols[*i];
        // The symbol as it is now, when it still exists.
        let (path, symbol) = match new_index
            .get(&s.descriptor)
            .and_then(|j| new.map(|n| (n.path.clone(), n.facts.symbols[*j].clone())))
        {
            Some(x) => x,
            None => (v.path.clone(), s.clone()),
        };
        match seen.get(&s.descriptor) {
            Some(at) => {
                if !found[*at].contracts.contains(contract) {
                    found[*at].contracts.push(contract.clone());
                }
            }
            None => {
                seen.insert(s.descriptor.clone(), found.len());
                found.push(Found {
                    symbol,
                    path,
                    change: "body",
                    was: None,
                    contracts: vec![contract.clone()],
                    key: String::new(),
                    old_signature: None,
                });
            }
        }
    }
}

/// A deleted and an added symbol of the same kind and the same text but for the
/// name are one renamed (same file) or moved (other file) symbol.
fn pair_renames(found: &mut Vec<Found>) {
    let mut used = vec![false; found.len()];
    let mut renames: Vec<(usize, usize)> = Vec::new();
    for d in 0..found.len() {
        if found[d].change != "deleted" || found[d].key.is_empty() {
            continue;
        }
        let partner = (0..found.len()).find(|a| {
            !used[*a]
                && found[*a].change == "added"
                && found[*a].symbol.kind == found[d].symbol.kind
                && found[*a].key == found[d].key
        });
        if let Some(a) = partner {
            used[a] = true;
            used[d] = true;
            renames.push((d, a));
        }
    }
    let mut drop = BTreeSet::new();
    for (d, a) in renames {
        let same_file = found[d].path == found[a].path;
        let old_name = format!("{} ({})", found[d].symbol.qualified_name, found[d].path);
        found[a].change = if same_file { "renamed" } else { "moved" };
        found[a].was = Some(old_name);
        // The old symbol stays, marked the same way, so its users are found.
        found[d].change = found[a].change;
        found[d].was = Some(format!("now {}", found[a].symbol.qualified_name));
        if found[d].symbol.qualified_name == found[a].symbol.qualified_name && same_file {
            drop.insert(d);
        }
    }
    let mut i = 0;
    found.retain(|_| {
        let keep = !drop.contains(&i);
        i += 1;
        keep
    });
}

fn risk_of(
    changed: &[ChangedSymbol],
    impacted: &[Impacted],
    services: &[ServiceImpact],
    tests: &[TestImpact],
    endpoints: &[String],
) -> Risk {
    let mut score = 0u32;
    let mut reasons = Vec::new();
    let contracts: BTreeSet<&String> = changed.iter().flat_map(|c| &c.contracts).collect();
    if !contracts.is_empty() {
        score += 40;
        reasons.push(format!(
            "{} contract change(s): {}",
            contracts.len(),
            contracts
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let breaking = impacted.iter().filter(|i| i.class == "will-break").count();
    if breaking > 0 {
        score += (breaking as u32 * 4).min(30);
        reasons.push(format!("{breaking} direct user(s) will break"));
    }
    let others = services
        .iter()
        .filter(|s| s.changed == 0 && s.impacted > 0)
        .count();
    if others > 0 {
        score += (others as u32 * 10).min(30);
        reasons.push(format!("{others} other service(s) reached"));
    }
    if !endpoints.is_empty() {
        score += 10;
        reasons.push(format!("{} endpoint(s) affected", endpoints.len()));
    }
    if tests.is_empty() && !changed.is_empty() {
        score += 10;
        reasons.push("no test reaches the change".to_string());
    }
    let deleted = changed
        .iter()
        .filter(|c| matches!(c.change.as_str(), "deleted" | "renamed" | "moved") && !old_half(c))
        .count();
    if deleted > 0 {
        score += 10;
        reasons.push(format!("{deleted} symbol(s) deleted, renamed or moved"));
    }
    let score = score.min(100);
    let level = match score {
        60.. => "high",
        25..=59 => "medium",
        _ => "low",
    };
    if reasons.is_empty() {
        reasons.push("no users of the changed symbols".to_string());
    }
    Risk {
        level: level.to_string(),
        score,
        reasons,
    }
}
