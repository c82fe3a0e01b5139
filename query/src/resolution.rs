//! Query-time resolution: references to definitions, callers and callees.
//!
//! Answers are computed from the store and the search index when asked, with
//! `cartograph_graph::resolve` deciding each link, so they always reflect the
//! current index (an incremental update cannot leave stale edges behind).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use cartograph_graph::{resolve, Candidate, Evidence, FileRecord, Resolution, Store};
use cartograph_indexer::{FileFacts, RefKind, Reference, SymbolKind};
use serde::Serialize;

use crate::model::{RefTarget, SymbolHit};
use crate::search::{SearchIndex, SearchQuery};
use crate::{hit_of, Result};

/// Most definitions considered for one name.
const MAX_CANDIDATES: usize = 2000;
/// Deepest caller/callee tree.
pub const MAX_DEPTH: usize = 8;

/// A file loaded for a question.
pub(crate) type Loaded = Rc<(FileRecord, FileFacts)>;

/// The definitions of one name: (file, symbol index) pairs.
type Named = Rc<Vec<(Loaded, u32)>>;

/// Files and candidate lists loaded while answering one question.
pub(crate) struct Session<'a> {
    pub(crate) store: &'a Store,
    pub(crate) search: &'a SearchIndex,
    files: RefCell<HashMap<String, Option<Loaded>>>,
    named: RefCell<HashMap<String, Named>>,
    /// Implementations of interface/trait methods, by the method's ID.
    implementations: RefCell<HashMap<String, Named>>,
    budget: Budget,
}

/// Limits of one question: trees stop growing at a node count or a deadline, and
/// say so, so that no request can run away on a hub symbol.
struct Budget {
    deadline: std::time::Instant,
    nodes_left: std::cell::Cell<usize>,
    exceeded: std::cell::Cell<bool>,
}

impl Budget {
    fn spend(&self) -> bool {
        if self.exceeded.get() {
            return false;
        }
        let left = self.nodes_left.get();
        if left == 0 || std::time::Instant::now() > self.deadline {
            self.exceeded.set(true);
            return false;
        }
        self.nodes_left.set(left - 1);
        true
    }
}

/// Most nodes in one caller/callee tree.
pub const MAX_TREE_NODES: usize = 500;
/// Longest time spent growing one tree.
pub const TREE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

impl<'a> Session<'a> {
    pub(crate) fn new(store: &'a Store, search: &'a SearchIndex) -> Session<'a> {
        Session {
            store,
            search,
            files: RefCell::new(HashMap::new()),
            named: RefCell::new(HashMap::new()),
            implementations: RefCell::new(HashMap::new()),
            budget: Budget {
                deadline: std::time::Instant::now() + TREE_TIME_LIMIT,
                nodes_left: std::cell::Cell::new(MAX_TREE_NODES),
                exceeded: std::cell::Cell::new(false),
            },
        }
    }

    /// Whether a tree of this session was cut short by its limits.
    pub(crate) fn truncated(&self) -> bool {
        self.budget.exceeded.get()
    }

    pub(crate) fn file(&self, path: &str) -> Result<Option<Loaded>> {
        if let Some(f) = self.files.borrow().get(path) {
            return Ok(f.clone());
        }
        let loaded = match (self.store.file(path)?, self.store.facts(path)?) {
            (Some(r), Some(f)) => Some(Rc::new((r, f))),
            _ => None,
        };
        self.files
            .borrow_mut()
            .insert(path.to_string(), loaded.clone());
        Ok(loaded)
    }

    /// Every definition named exactly `name`.
    fn named(&self, name: &str) -> Result<Named> {
        if let Some(c) = self.named.borrow().get(name) {
            return Ok(c.clone());
        }
        let q = SearchQuery {
            limit: MAX_CANDIDATES,
            ..SearchQuery::default()
        };
        let mut out = Vec::new();
        for hit in self.search.lookup(name, &q)? {
            if hit.name != name {
                continue;
            }
            if let Some((file, index)) = self.locate(&hit)? {
                out.push((file, index));
            }
        }
        let out = Rc::new(out);
        self.named
            .borrow_mut()
            .insert(name.to_string(), out.clone());
        Ok(out)
    }

    /// The file and symbol index of a search hit.
    pub(crate) fn locate(&self, hit: &SymbolHit) -> Result<Option<(Loaded, u32)>> {
        let Some(file) = self.file(&hit.file)? else {
            return Ok(None);
        };
        let index = file.1.symbols.iter().position(|s| {
            s.name_span.start_line == hit.line
                && s.name_span.start_col == hit.col
                && s.name == hit.name
        });
        Ok(index.map(|i| (file.clone(), i as u32)))
    }

    /// The definitions `reference` (in `file`) resolves to.
    pub(crate) fn targets(
        &self,
        file: &Loaded,
        reference: &Reference,
    ) -> Result<Vec<(Loaded, u32, RefTarget)>> {
        let named = self.named(&reference.name)?;
        let candidates: Vec<Candidate<'_>> = named
            .iter()
            .map(|(f, i)| Candidate {
                record: &f.0,
                facts: &f.1,
                symbol: *i,
            })
            .collect();
        let resolutions = resolve(&file.0, &file.1, reference, &candidates);
        let mut out: Vec<(Loaded, u32, RefTarget)> = resolutions
            .iter()
            .map(|r| {
                let (f, i) = &named[r.candidate];
                (f.clone(), *i, target_of(&candidates[r.candidate], r))
            })
            .collect();
        // A call of an interface or trait method may run any implementation.
        if reference.kind == RefKind::Call {
            let mut extra = Vec::new();
            for (f, i, t) in &out {
                let impls = self.implementations_of(f, *i, &t.id)?;
                let share = t.confidence * 0.6 / impls.len().max(1) as f32;
                for (imp_file, imp_index) in impls.iter() {
                    let s = &imp_file.1.symbols[*imp_index as usize];
                    let id = imp_file.0.symbol_id(&s.descriptor);
                    if out.iter().any(|(_, _, o)| o.id == id) {
                        continue;
                    }
                    extra.push((
                        imp_file.clone(),
                        *imp_index,
                        RefTarget {
                            id,
                            file: imp_file.0.path.clone(),
                            line: s.name_span.start_line,
                            confidence: share,
                            evidence: Evidence::Interface.name().to_string(),
                        },
                    ));
                }
            }
            out.extend(extra);
        }
        Ok(out)
    }

    /// The methods implementing `method` (symbol `index` of `file`, with `id`) when it
    /// belongs to an interface or trait: the same-named members of its direct subtypes.
    fn implementations_of(&self, file: &Loaded, index: u32, id: &str) -> Result<Named> {
        if let Some(found) = self.implementations.borrow().get(id) {
            return Ok(found.clone());
        }
        let mut found = Vec::new();
        let s = &file.1.symbols[index as usize];
        let owner = s.parent.map(|p| (p, &file.1.symbols[p as usize]));
        if let Some((owner_index, owner)) =
            owner.filter(|(_, o)| matches!(o.kind, SymbolKind::Interface | SymbolKind::Trait))
        {
            let owner_hit = hit_of(&file.0, owner);
            let (_, subtypes) = self.type_relations(file, owner_index, &owner_hit)?;
            for sub in subtypes.iter().filter_map(|r| r.symbol.as_ref()) {
                let Some(sub_file) = self.file(&sub.file)? else {
                    continue;
                };
                let wanted = format!("{}.{}", sub.qualified_name, s.name);
                if let Some(i) = sub_file
                    .1
                    .symbols
                    .iter()
                    .position(|m| m.qualified_name == wanted)
                {
                    found.push((sub_file.clone(), i as u32));
                }
            }
        }
        let found = Rc::new(found);
        self.implementations
            .borrow_mut()
            .insert(id.to_string(), found.clone());
        Ok(found)
    }
}

/// The answer of a resolution as shown to users.
pub(crate) fn target_of(c: &Candidate<'_>, r: &Resolution) -> RefTarget {
    let s = &c.facts.symbols[c.symbol as usize];
    RefTarget {
        id: c.record.symbol_id(&s.descriptor),
        file: c.record.path.clone(),
        line: s.name_span.start_line,
        confidence: r.confidence,
        evidence: r.evidence.name().to_string(),
    }
}

/// A caller or callee tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallTree {
    /// The symbol asked about.
    pub symbol: SymbolHit,
    /// Its callers or callees.
    pub children: Vec<CallNode>,
    /// Whether the tree was cut short by its limits ([`MAX_TREE_NODES`],
    /// [`TREE_TIME_LIMIT`]); a smaller depth gives a complete answer.
    pub truncated: bool,
}

/// One node of a caller or callee tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallNode {
    /// The caller or callee. Top-level code of a file appears as a `file` symbol.
    #[serde(flatten)]
    pub symbol: SymbolHit,
    /// Where the call is: `file:line:col` of the first call site.
    pub site: String,
    /// Number of call sites between the two.
    pub sites: usize,
    /// How the call was linked.
    pub evidence: String,
    /// How sure the link is.
    pub confidence: f32,
    /// The next level (empty at the depth limit or when already shown above).
    pub children: Vec<CallNode>,
}

/// The symbol standing for a file's top-level code.
pub(crate) fn file_symbol(record: &FileRecord) -> SymbolHit {
    SymbolHit {
        id: record.symbol_id("<top-level>"),
        name: record
            .path
            .rsplit('/')
            .next()
            .unwrap_or(&record.path)
            .to_string(),
        qualified_name: record.path.clone(),
        kind: "file".to_string(),
        language: record.language.name().to_string(),
        service: record.service.clone(),
        file: record.path.clone(),
        line: 1,
        col: 0,
        end_line: 1,
        end_col: 0,
        signature: String::new(),
        score: 0.0,
    }
}

impl Session<'_> {
    /// Call sites whose callee resolves to `target`: (site file, reference index, link).
    pub(crate) fn sites_of(
        &self,
        target: &SymbolHit,
        calls_only: bool,
    ) -> Result<Vec<(Loaded, usize, RefTarget)>> {
        let mut out = Vec::new();
        for path in self.store.files_referencing(&target.name)? {
            if self.budget.exceeded.get() || std::time::Instant::now() > self.budget.deadline {
                self.budget.exceeded.set(true);
                break;
            }
            let Some(file) = self.file(&path)? else {
                continue;
            };
            for (i, r) in file.1.references.iter().enumerate() {
                if r.name != target.name || (calls_only && r.kind != RefKind::Call) {
                    continue;
                }
                if let Some((_, _, link)) = self
                    .targets(&file, r)?
                    .into_iter()
                    .find(|(_, _, t)| t.id == target.id)
                {
                    out.push((file.clone(), i, link));
                }
            }
        }
        Ok(out)
    }

    /// Callers of `target` to `depth` levels.
    pub(crate) fn callers(
        &self,
        target: &SymbolHit,
        depth: usize,
        seen: &mut BTreeSet<String>,
    ) -> Result<Vec<CallNode>> {
        if depth == 0 {
            return Ok(Vec::new());
        }
        seen.insert(target.id.clone());
        let mut nodes: Vec<CallNode> = Vec::new();
        for (file, i, link) in self.sites_of(target, true)? {
            let r = &file.1.references[i];
            let caller = match r.enclosing {
                Some(e) => hit_of(&file.0, &file.1.symbols[e as usize]),
                None => file_symbol(&file.0),
            };
            if let Some(n) = nodes.iter_mut().find(|n| n.symbol.id == caller.id) {
                n.sites += 1;
                continue;
            }
            if !self.budget.spend() {
                break;
            }
            nodes.push(CallNode {
                site: format!("{}:{}:{}", file.0.path, r.span.start_line, r.span.start_col),
                sites: 1,
                evidence: link.evidence,
                confidence: link.confidence,
                symbol: caller,
                children: Vec::new(),
            });
        }
        for n in &mut nodes {
            if n.symbol.kind != "file"
                && !seen.contains(&n.symbol.id)
                && !self.budget.exceeded.get()
            {
                n.children = self.callers(&n.symbol, depth - 1, seen)?;
            }
        }
        Ok(nodes)
    }

    /// Callees of `source` (a symbol of `file`, by index) to `depth` levels.
    pub(crate) fn callees(
        &self,
        file: &Loaded,
        index: u32,
        depth: usize,
        seen: &mut BTreeSet<String>,
    ) -> Result<Vec<CallNode>> {
        if depth == 0 {
            return Ok(Vec::new());
        }
        seen.insert(file.0.symbol_id(&file.1.symbols[index as usize].descriptor));
        let mut nodes: Vec<(CallNode, Loaded, u32)> = Vec::new();
        for r in file
            .1
            .references
            .iter()
            .filter(|r| r.kind == RefKind::Call && r.enclosing == Some(index))
        {
            for (tfile, tindex, link) in self.targets(file, r)? {
                if let Some((n, _, _)) = nodes.iter_mut().find(|(n, _, _)| n.symbol.id == link.id) {
                    n.sites += 1;
                    continue;
                }
                if !self.budget.spend() {
                    break;
                }
                let symbol = hit_of(&tfile.0, &tfile.1.symbols[tindex as usize]);
                nodes.push((
                    CallNode {
                        site: format!("{}:{}:{}", file.0.path, r.span.start_line, r.span.start_col),
                        sites: 1,
                        evidence: link.evidence,
                        confidence: link.confidence,
                        symbol,
                        children: Vec::new(),
                    },
                    tfile,
                    tindex,
                ));
            }
        }
        let mut out = Vec::with_capacity(nodes.len());
        for (mut n, tfile, tindex) in nodes {
            if !seen.contains(&n.symbol.id) && !self.budget.exceeded.get() {
                n.children = self.callees(&tfile, tindex, depth - 1, seen)?;
            }
            out.push(n);
        }
        Ok(out)
    }
}

/// A type related to the symbol asked about, or a member overriding or overridden.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Related {
    /// The name as written where the relation is declared.
    pub name: String,
    /// The definition, when it resolves to one in the index (`None`: from outside
    /// the workspace, e.g. a library base class).
    pub symbol: Option<SymbolHit>,
    /// How the relation's name was linked (`None` when unresolved).
    pub evidence: Option<String>,
    /// How sure the link is (0 when unresolved).
    pub confidence: f32,
    /// Where the relation is declared: `file:line:col`.
    pub site: String,
}

/// The type hierarchy around a symbol.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hierarchy {
    /// The symbol asked about.
    pub symbol: SymbolHit,
    /// The type the hierarchy is about: the symbol itself, or the type owning it.
    pub owner: Option<SymbolHit>,
    /// Types it extends or implements.
    pub supertypes: Vec<Related>,
    /// Types extending or implementing it.
    pub subtypes: Vec<Related>,
    /// For a member: the same member in supertypes (what it overrides).
    pub overrides: Vec<Related>,
    /// For a member: the same member in subtypes (what overrides it).
    pub overridden_by: Vec<Related>,
}

fn site_of(record: &FileRecord, r: &Reference) -> String {
    format!("{}:{}:{}", record.path, r.span.start_line, r.span.start_col)
}

impl Session<'_> {
    /// For a Rust `impl Trait for Type`, the reference naming `Type` (the one after the
    /// trait on the same line); `None` elsewhere.
    fn impl_target<'f>(&self, facts: &'f FileFacts, trait_ref: usize) -> Option<&'f Reference> {
        let r = &facts.references[trait_ref];
        facts.references[trait_ref + 1..]
            .iter()
            .find(|n| n.span.start_line == r.span.start_line && n.kind == RefKind::Type)
    }

    fn related(&self, file: &Loaded, r: &Reference) -> Result<Related> {
        let mut targets = self.targets(file, r)?;
        let best = if targets.is_empty() {
            None
        } else {
            Some(targets.remove(0))
        };
        Ok(match best {
            Some((tfile, tindex, link)) => Related {
                name: r.name.clone(),
                symbol: Some(hit_of(&tfile.0, &tfile.1.symbols[tindex as usize])),
                evidence: Some(link.evidence),
                confidence: link.confidence,
                site: site_of(&file.0, r),
            },
            None => Related {
                name: r.name.clone(),
                symbol: None,
                evidence: None,
                confidence: 0.0,
                site: site_of(&file.0, r),
            },
        })
    }

    /// Supertypes and subtypes of the type `ty` (in `file` at `index`).
    fn type_relations(
        &self,
        file: &Loaded,
        index: u32,
        ty: &SymbolHit,
    ) -> Result<(Vec<Related>, Vec<Related>)> {
        let mut supertypes = Vec::new();
        for (i, r) in file.1.references.iter().enumerate() {
            if !matches!(r.kind, RefKind::Inherit | RefKind::Implement) {
                continue;
            }
            let declares_here = r.enclosing == Some(index)
                || (r.enclosing.is_none()
                    && self
                        .impl_target(&file.1, i)
                        .is_some_and(|t| t.name == ty.name));
            if declares_here {
                supertypes.push(self.related(file, r)?);
            }
        }
        let mut subtypes: Vec<Related> = Vec::new();
        for (sfile, i, link) in self.sites_of(ty, false)? {
            let r = &sfile.1.references[i];
            if !matches!(r.kind, RefKind::Inherit | RefKind::Implement) {
                continue;
            }
            let sub = match r.enclosing {
                Some(e) => Some(hit_of(&sfile.0, &sfile.1.symbols[e as usize])),
                None => match self.impl_target(&sfile.1, i) {
                    Some(t) => self.related(&sfile, t)?.symbol,
                    None => None,
                },
            };
            let Some(sub) = sub else { continue };
            if subtypes
                .iter()
                .any(|s| s.symbol.as_ref().is_some_and(|x| x.id == sub.id))
            {
                continue;
            }
            subtypes.push(Related {
                name: sub.name.clone(),
                symbol: Some(sub),
                evidence: Some(link.evidence),
                confidence: link.confidence,
                site: site_of(&sfile.0, r),
            });
        }
        Ok((supertypes, subtypes))
    }

    /// The member named `member` of a related type, as a relation.
    fn member_of(&self, related: &Related, member: &str) -> Result<Option<Related>> {
        let Some(owner) = &related.symbol else {
            return Ok(None);
        };
        let Some(file) = self.file(&owner.file)? else {
            return Ok(None);
        };
        let wanted = format!("{}.{member}", owner.qualified_name);
        Ok(file
            .1
            .symbols
            .iter()
            .find(|s| s.qualified_name == wanted)
            .map(|s| Related {
                name: s.name.clone(),
                symbol: Some(hit_of(&file.0, s)),
                evidence: Some("inherited".to_string()),
                confidence: related.confidence,
                site: related.site.clone(),
            }))
    }

    /// The hierarchy around `symbol`: for a type, its supertypes and subtypes; for a
    /// member, those of its owning type plus the members it overrides and that
    /// override it.
    pub(crate) fn hierarchy(&self, symbol: &SymbolHit) -> Result<Hierarchy> {
        let mut out = Hierarchy {
            symbol: symbol.clone(),
            owner: None,
            supertypes: Vec::new(),
            subtypes: Vec::new(),
            overrides: Vec::new(),
            overridden_by: Vec::new(),
        };
        let Some((file, index)) = self.locate(symbol)? else {
            return Ok(out);
        };
        let s = &file.1.symbols[index as usize];
        let (owner_file, owner_index, member) = if s.kind.is_type() {
            (file.clone(), index, None)
        } else {
            // The owning type: the parent, or the type named by the qualified name
            // (Go receivers, Rust impl blocks).
            let by_parent = s
                .parent
                .filter(|p| file.1.symbols[*p as usize].kind.is_type());
            let by_name = s.qualified_name.rsplit_once('.').and_then(|(owner, _)| {
                file.1
                    .symbols
                    .iter()
                    .position(|t| t.kind.is_type() && t.qualified_name == owner)
                    .map(|p| p as u32)
            });
            match by_parent.or(by_name) {
                Some(p) => (file.clone(), p, Some(s.name.clone())),
                None => return Ok(out),
            }
        };
        let owner = hit_of(&owner_file.0, &owner_file.1.symbols[owner_index as usize]);
        let (supertypes, subtypes) = self.type_relations(&owner_file, owner_index, &owner)?;
        if let Some(m) = &member {
            for t in &supertypes {
                out.overrides.extend(self.member_of(t, m)?);
            }
            for t in &subtypes {
                out.overridden_by.extend(self.member_of(t, m)?);
            }
        }
        out.owner = Some(owner);
        out.supertypes = supertypes;
        out.subtypes = subtypes;
        Ok(out)
    }

    /// A shortest chain of calls from `from` to `to`, following resolved callees
    /// breadth-first up to `max_depth` calls; each step with its link.
    pub(crate) fn call_path(
        &self,
        from: &SymbolHit,
        to: &SymbolHit,
        max_depth: usize,
    ) -> Result<Option<Vec<CallNode>>> {
        let Some(start) = self.locate(from)? else {
            return Ok(None);
        };
        // (file, symbol index, path of nodes so far)
        let mut frontier: Vec<(Loaded, u32, Vec<CallNode>)> = vec![(start.0, start.1, Vec::new())];
        let mut seen: BTreeSet<String> = BTreeSet::from([from.id.clone()]);
        for _ in 0..max_depth {
            let mut next = Vec::new();
            for (file, index, path) in frontier {
                for r in file
                    .1
                    .references
                    .iter()
                    .filter(|r| r.kind == RefKind::Call && r.enclosing == Some(index))
                {
                    for (tfile, tindex, link) in self.targets(&file, r)? {
                        if !seen.insert(link.id.clone()) || !self.budget.spend() {
                            continue;
                        }
                        let mut steps = path.clone();
                        steps.push(CallNode {
                            symbol: hit_of(&tfile.0, &tfile.1.symbols[tindex as usize]),
                            site: site_of(&file.0, r),
                            sites: 1,
                            evidence: link.evidence.clone(),
                            confidence: link.confidence,
                            children: Vec::new(),
                        });
                        if link.id == to.id {
                            return Ok(Some(steps));
                        }
                        next.push((tfile, tindex, steps));
                    }
                }
            }
            if next.is_empty() || self.budget.exceeded.get() {
                break;
            }
            frontier = next;
        }
        Ok(None)
    }
}

/// All definitions of an index by simple name, for resolving every reference at once.
pub(crate) struct NameTable<'a> {
    all: &'a [(FileRecord, FileFacts)],
    by_name: HashMap<&'a str, Vec<(usize, u32)>>,
}

impl<'a> NameTable<'a> {
    pub(crate) fn new(all: &'a [(FileRecord, FileFacts)]) -> NameTable<'a> {
        let mut by_name: HashMap<&str, Vec<(usize, u32)>> = HashMap::new();
        for (f, (_, facts)) in all.iter().enumerate() {
            for (i, s) in facts.symbols.iter().enumerate() {
                by_name
                    .entry(s.name.as_str())
                    .or_default()
                    .push((f, i as u32));
            }
        }
        NameTable { all, by_name }
    }

    /// The targets of one reference.
    pub(crate) fn targets(
        &self,
        record: &FileRecord,
        facts: &FileFacts,
        r: &Reference,
    ) -> Vec<RefTarget> {
        let named = self
            .by_name
            .get(r.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let candidates: Vec<Candidate<'_>> = named
            .iter()
            .map(|(f, i)| Candidate {
                record: &self.all[*f].0,
                facts: &self.all[*f].1,
                symbol: *i,
            })
            .collect();
        resolve(record, facts, r, &candidates)
            .iter()
            .map(|res| target_of(&candidates[res.candidate], res))
            .collect()
    }
}
