//! Links: every reference resolved once, when its file or a definition it may point
//! to changes, and stored per file as a [`FileGraph`].
//!
//! A reference's answer depends only on its own file and on the definitions sharing
//! its name (see [`resolve`]). So after a change, the references to re-resolve are
//! those of the changed files, plus, in other files, those whose name a changed or
//! deleted file defines (before or after the change). [`relink`] does exactly that,
//! which keeps an incremental update equal to a full rebuild.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use cartograph_indexer::{module_stem, FileFacts, Language, RefKind, Reference, SymbolKind};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::endpoints::{endpoints_of, EndpointFact, Protocol, Role};
use crate::generics::{
    declared_type, evaluated, function_type_parameter, instantiation, parameter_named, substitute,
    type_head,
};
use crate::resolve::{
    angle_split, answer_key, balanced_end, base_arguments, constructed_type, enclosing_chain,
    family, field_types, go_result_type, inherited_field_types, is_base_reference, is_word,
    kotlin_result_type, owner_of, parameter_bound, python_result_type, resolve, resolve_aliased,
    rust_result_type, type_bases, type_parameter_bound, type_parameters, typescript_parameter,
    typescript_parameter_type, typescript_parameters, typescript_result, typescript_result_type,
    Bases, Candidate, Evidence, FieldTypes, FileScope, ModulePattern, Named, Pools, Resolution,
    ANCESTOR_LEVELS,
};
use crate::store::FileRecord;
use crate::{Result, Store};

/// One end of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Endpoint {
    /// A symbol of the same file, by index.
    Local(u32),
    /// The file's top-level code.
    TopLevel,
    /// A symbol of another file, by index into [`FileGraph::ids`].
    Other(u32),
}

/// A resolved reference: who uses what, where, and how sure the link is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Index of the reference in the file's facts.
    pub reference: u32,
    /// The using symbol (the reference's enclosing symbol; for a Rust
    /// `impl Trait for Type`, the type).
    pub from: Endpoint,
    /// The definition.
    pub to: Endpoint,
    /// How the name is used.
    pub kind: RefKind,
    /// Where (1-based line, 0-based byte column).
    pub line: u32,
    /// Column of the reference.
    pub col: u32,
    /// How it was linked.
    pub evidence: Evidence,
    /// How sure, in [0, 1].
    pub confidence: f32,
}

/// What a traversal needs to know of a symbol without loading its file's facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSymbol {
    /// Descriptor (the last part of the stable ID).
    pub descriptor: String,
    /// Simple name.
    pub name: String,
    /// Qualified name.
    pub qualified_name: String,
    /// Kind.
    pub kind: SymbolKind,
    /// Enclosing symbol, by index.
    pub parent: Option<u32>,
    /// Line of the name (1-based).
    pub line: u32,
    /// Column of the name (0-based bytes).
    pub col: u32,
    /// Last line of the definition.
    pub end_line: u32,
    /// End column of the definition.
    pub end_col: u32,
    /// The declaration, bounded.
    pub signature: String,
}

/// A file's part of the graph: its symbols and its resolved references.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileGraph {
    /// The file's symbols, in the order of its facts.
    pub symbols: Vec<NodeSymbol>,
    /// Stable IDs of other files' symbols that links point to.
    pub ids: Vec<String>,
    /// Links, ordered by reference.
    pub links: Vec<Link>,
    /// Service endpoints the file provides and consumes, as written.
    pub endpoints: Vec<EndpointFact>,
    /// The file's package or namespace, if it declares one (a `.proto` package).
    pub package: Option<String>,
    /// Route tables the file mounts under a prefix (Django `include`).
    pub mounts: Vec<cartograph_indexer::HttpMount>,
    /// The file's constants that are absolute URLs (for `{ref:name}` in the calls of
    /// the other files of its service).
    pub constants: Vec<cartograph_indexer::NamedValue>,
    /// The literal paths and URLs its calls pass (see
    /// [`FileFacts::passed`](cartograph_indexer::FileFacts)).
    #[serde(default)]
    pub passed: Vec<cartograph_indexer::PassedArguments>,
    /// The datastores and brokers its code connects to (see
    /// [`FileFacts::connections`](cartograph_indexer::FileFacts)).
    #[serde(default)]
    pub connections: Vec<cartograph_indexer::RpcAddress>,
}

/// Longest signature kept in a graph record.
const MAX_SIGNATURE: usize = 200;

impl FileGraph {
    fn symbols_of(facts: &FileFacts) -> Vec<NodeSymbol> {
        facts
            .symbols
            .iter()
            .map(|s| NodeSymbol {
                descriptor: s.descriptor.clone(),
                name: s.name.clone(),
                qualified_name: s.qualified_name.clone(),
                kind: s.kind,
                parent: s.parent,
                line: s.name_span.start_line,
                col: s.name_span.start_col,
                end_line: s.span.end_line,
                end_col: s.span.end_col,
                signature: bounded(&s.signature, MAX_SIGNATURE),
            })
            .collect()
    }

    /// The stable ID of an endpoint (`record` is this file's record).
    pub fn id_of(&self, record: &FileRecord, end: Endpoint) -> String {
        match end {
            Endpoint::Local(i) => self
                .symbols
                .get(i as usize)
                .map(|s| record.symbol_id(&s.descriptor))
                .unwrap_or_default(),
            Endpoint::TopLevel => record.symbol_id(TOP_LEVEL),
            Endpoint::Other(i) => self.ids.get(i as usize).cloned().unwrap_or_default(),
        }
    }

    /// The links of one reference.
    pub fn links_of(&self, reference: u32) -> &[Link] {
        let start = self.links.partition_point(|l| l.reference < reference);
        let end = self.links.partition_point(|l| l.reference <= reference);
        &self.links[start..end]
    }
}

/// The descriptor standing for a file's top-level code.
pub const TOP_LEVEL: &str = "<top-level>";

fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A file with its record and facts, shared between threads.
pub(crate) type Loaded = Arc<(FileRecord, FileFacts)>;

/// Definitions by simple name over a set of loaded files, and the files by the
/// names an import may call them (see [`module_names`]).
/// Lists at least this long get an index by owner and keep their pools.
const OWNER_INDEX_FROM: usize = 32;

/// The definitions of one name in one language family, in (service, path) order,
/// and for long lists the members among them by owner and the pools of each use
/// (see [`crate::resolve::pool`]), filled when first needed.
struct NameList<'w> {
    family: u8,
    candidates: Vec<Candidate<'w>>,
    owners: Option<FxHashMap<&'w str, Vec<usize>>>,
    pools: Option<OnceLock<Pools>>,
}

struct Definitions<'w> {
    /// By name and language family: a reference only ever links within its family.
    by_name: FxHashMap<&'w str, Vec<NameList<'w>>>,
    modules: HashMap<String, Vec<&'w Loaded>>,
    /// The bases every type of the loaded files declares (see [`type_bases`]).
    bases: Bases<'w>,
    /// The declared types of the loaded fields (see [`field_types`]).
    fields: FieldTypes<'w>,
}

impl<'w> Definitions<'w> {
    fn new(files: &'w [Loaded], names: Option<&HashSet<String>>) -> Definitions<'w> {
        let mut by_name: FxHashMap<&'w str, Vec<NameList<'w>>> = FxHashMap::default();
        for f in files {
            for (i, s) in f.1.symbols.iter().enumerate() {
                if names.is_some_and(|n| !n.contains(&s.name)) {
                    continue;
                }
                let lists = by_name.entry(s.name.as_str()).or_default();
                let fam = family(f.0.language);
                let at = match lists.iter().position(|l| l.family == fam) {
                    Some(at) => at,
                    None => {
                        lists.push(NameList {
                            family: fam,
                            candidates: Vec::new(),
                            owners: None,
                            pools: None,
                        });
                        lists.len() - 1
                    }
                };
                lists[at].candidates.push(Candidate {
                    record: &f.0,
                    facts: &f.1,
                    symbol: i as u32,
                });
            }
        }
        // Candidates in (service, path) order, whatever order the files were loaded
        // in (a relink loads other files than a full run): answers must not depend on
        // it. A service's candidates are one run.
        for lists in by_name.values_mut() {
            for list in lists.iter_mut() {
                list.candidates.sort_by(|a, b| {
                    (&a.record.service, &a.record.path, a.symbol).cmp(&(
                        &b.record.service,
                        &b.record.path,
                        b.symbol,
                    ))
                });
                if list.candidates.len() >= OWNER_INDEX_FROM {
                    let mut index: FxHashMap<&'w str, Vec<usize>> = FxHashMap::default();
                    for (i, c) in list.candidates.iter().enumerate() {
                        if let Some(owner) = owner_of(c) {
                            index.entry(owner).or_default().push(i);
                        }
                    }
                    list.owners = Some(index);
                    list.pools = Some(OnceLock::new());
                }
            }
        }
        let mut modules: HashMap<String, Vec<&'w Loaded>> = HashMap::new();
        for f in files {
            for m in module_names(&f.0.path) {
                if names.is_none_or(|n| n.contains(&m)) {
                    modules.entry(m).or_default().push(f);
                }
            }
        }
        for list in modules.values_mut() {
            list.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        }
        let mut bases = Bases::default();
        for f in files {
            type_bases(f.0.language, &f.1, &mut bases);
        }
        // Whatever order the files were loaded in.
        for list in bases.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        let mut fields = FieldTypes::default();
        for f in files {
            field_types(&f.1, names, &mut fields);
        }
        let facts: Vec<&FileFacts> = files.iter().map(|f| &f.1).collect();
        inherited_field_types(&facts, &bases, &mut fields);
        Definitions {
            by_name,
            modules,
            bases,
            fields,
        }
    }

    fn named(&self, language: Language, name: &str) -> Named<'_, 'w> {
        let fam = family(language);
        match self
            .by_name
            .get(name)
            .and_then(|lists| lists.iter().find(|l| l.family == fam))
        {
            Some(list) => Named {
                candidates: list.candidates.as_slice(),
                owners: list.owners.as_ref(),
                pools: list.pools.as_ref(),
                bases: Some(&self.bases),
                fields: Some(&self.fields),
            },
            None => Named {
                candidates: &[],
                owners: None,
                pools: None,
                bases: None,
                fields: None,
            },
        }
    }
}

/// Builds a file's links, interning other files' IDs.
struct Linker<'a> {
    record: &'a FileRecord,
    facts: &'a FileFacts,
    scope: FileScope<'a>,
    /// Import aliases and the names they stand for (see [`aliased_name`]).
    aliases: FxHashMap<&'a str, &'a str>,
    ids: Vec<String>,
    index: FxHashMap<String, u32>,
    links: Vec<Link>,
    /// Answers already found in this file, by what they depend on.
    answers: FxHashMap<AnswerKey<'a>, Vec<Resolution>>,
    /// Interned IDs of other files' definitions, by (their facts, symbol index).
    interned: FxHashMap<(usize, u32), u32>,
}

/// What a reference's answer depends on within its file (see `answer_key`).
type AnswerKey<'a> = (
    RefKind,
    &'a str,
    Option<&'a str>,
    Option<u32>,
    Option<usize>,
);

impl<'a> Linker<'a> {
    fn new(record: &'a FileRecord, facts: &'a FileFacts) -> Linker<'a> {
        Linker {
            record,
            facts,
            scope: FileScope::new(facts),
            aliases: import_aliases(facts),
            ids: Vec::new(),
            index: FxHashMap::default(),
            links: Vec::new(),
            answers: FxHashMap::default(),
            interned: FxHashMap::default(),
        }
    }

    /// A linker whose scope knows what the calls its bindings hold return.
    fn typed(record: &'a FileRecord, facts: &'a FileFacts, defs: &Definitions<'_>) -> Linker<'a> {
        let mut linker = Linker::new(record, facts);
        let mut returns = returned_types(record, &linker.scope, defs);
        returns.extend(callback_types(record, &linker.scope, defs, false));
        linker.scope.set_returns(returns.clone());
        // (A function assigned to a member of a callback's parameter: `inst._zod.parse
        // = (payload) => ..` in `init((inst) => ..)`.)
        returns.extend(callback_types(record, &linker.scope, defs, true));
        linker.scope.set_returns(returns);
        let arguments = argument_types(record, &linker.scope, defs);
        linker.scope.set_arguments(arguments);
        linker
    }

    fn endpoint(&mut self, c: &Candidate<'_>) -> Endpoint {
        if c.record.path == self.record.path {
            return Endpoint::Local(c.symbol);
        }
        // The same definition is linked many times from one file: its ID is built once.
        let key = (std::ptr::from_ref(c.facts) as usize, c.symbol);
        if let Some(i) = self.interned.get(&key) {
            return Endpoint::Other(*i);
        }
        let end = self.intern(
            c.record
                .symbol_id(&c.facts.symbols[c.symbol as usize].descriptor),
        );
        if let Endpoint::Other(i) = end {
            self.interned.insert(key, i);
        }
        end
    }

    fn intern(&mut self, id: String) -> Endpoint {
        if let Some(i) = self.index.get(&id) {
            return Endpoint::Other(*i);
        }
        let i = self.ids.len() as u32;
        self.ids.push(id.clone());
        self.index.insert(id, i);
        Endpoint::Other(i)
    }

    /// Links module reference `i` (`"./cart"`, `pkg.mail`) to the files it names.
    fn link_module(&mut self, defs: &Definitions<'_>, i: usize) {
        let r = &self.facts.references[i];
        let import = self.facts.imports.iter().find(|m| m.span.contains(&r.span));
        self.link_module_of(defs, i, import.map(|m| m.module.as_str()), &r.name);
    }

    /// Links reference `i` to the files `module` (last segment `stem`) names.
    fn link_module_of(
        &mut self,
        defs: &Definitions<'_>,
        i: usize,
        module: Option<&str>,
        stem: &str,
    ) {
        let r = &self.facts.references[i];
        // Rust's `crate::` names the root of the crate the file belongs to.
        let crate_root = self.record.language == Language::Rust && r.name == "crate";
        if module.is_none() && !crate_root {
            return;
        }
        let pattern = ModulePattern::new(self.record, module.unwrap_or(""));
        let files: Vec<&Loaded> = defs
            .modules
            .get(stem)
            .into_iter()
            .flatten()
            .filter(|f| {
                if crate_root {
                    return f.0.service == self.record.service && f.0.language == Language::Rust;
                }
                f.0.path != self.record.path && pattern.file_matches(&f.0, f.1.package.as_deref())
            })
            .copied()
            .collect();
        let confidence = 0.95 / files.len().max(1) as f32;
        for f in files {
            let to = self.intern(f.0.symbol_id(TOP_LEVEL));
            self.links.push(Link {
                reference: i as u32,
                from: Endpoint::TopLevel,
                to,
                kind: RefKind::Module,
                line: r.span.start_line,
                col: r.span.start_col,
                evidence: Evidence::Import,
                confidence,
            });
        }
    }

    /// Resolves reference `i` and records its links.
    fn link(&mut self, defs: &Definitions<'_>, i: usize) {
        if self.facts.references[i].kind == RefKind::Module {
            return self.link_module(defs, i);
        }
        let facts: &'a FileFacts = self.facts;
        let r = &facts.references[i];
        if let Some(module) = namespace_import(self.record.language, facts, r) {
            return self.link_module_of(defs, i, Some(module), module_stem(module));
        }
        // An import alias stands for the name it renames.
        let original = aliased_name(&self.aliases, r);
        let named = defs.named(self.record.language, original.unwrap_or(&r.name));
        let candidates = named.candidates;
        if candidates.is_empty() {
            return;
        }
        let key = match original {
            Some(_) => None,
            None => answer_key(&self.scope, r).map(|binding| {
                (
                    r.kind,
                    r.name.as_str(),
                    r.qualifier.as_deref(),
                    r.enclosing,
                    binding,
                )
            }),
        };
        let written = r.name.as_str();
        let renamed;
        let r = match original {
            Some(original) => {
                renamed = Reference {
                    name: original.to_string(),
                    ..r.clone()
                };
                &renamed
            }
            None => r,
        };
        let found = match key.and_then(|k| self.answers.get(&k).map(|a| (k, a))) {
            Some((_, known)) => known.clone(),
            None => {
                let found = match original {
                    Some(_) => resolve_aliased(self.record, &self.scope, r, written, named),
                    None => resolve(self.record, &self.scope, r, named),
                };
                if let Some(k) = key {
                    self.answers.insert(k, found.clone());
                }
                found
            }
        };
        // A definition where it is written is not what it uses (`x.parse = (p) =>
        // ..` defines a function and uses the member `parse`).
        let found: Vec<Resolution> = found
            .into_iter()
            .filter(|res| {
                let c = &candidates[res.candidate];
                !(c.record.path == self.record.path
                    && c.facts.symbols[c.symbol as usize].name_span.start_byte == r.span.start_byte)
            })
            .collect();
        if found.is_empty() {
            return;
        }
        let from = match r.enclosing {
            Some(e) => Endpoint::Local(e),
            None => self.impl_type(defs, i).unwrap_or(Endpoint::TopLevel),
        };
        for res in found {
            let to = self.endpoint(&candidates[res.candidate]);
            self.links.push(Link {
                reference: i as u32,
                from,
                to,
                kind: r.kind,
                line: r.span.start_line,
                col: r.span.start_col,
                evidence: res.evidence,
                confidence: res.confidence,
            });
        }
    }

    /// For a Rust `impl Trait for Type` (a top-level implement reference), the type
    /// that implements: the definition of the type named after the trait.
    fn impl_type(&mut self, defs: &Definitions<'_>, i: usize) -> Option<Endpoint> {
        let target = impl_target(self.facts, i)?;
        let named = defs.named(self.record.language, &target.name);
        let best = resolve(self.record, &self.scope, target, named)
            .into_iter()
            .next()?;
        Some(self.endpoint(&named.candidates[best.candidate]))
    }

    fn finish(mut self, symbols: Vec<NodeSymbol>) -> FileGraph {
        self.links.sort_by_key(|l| l.reference);
        let mut endpoints = endpoints_of(self.record.language, &self.record.path, &self.scope);
        self.route_handlers(&mut endpoints);
        FileGraph {
            symbols,
            ids: self.ids,
            links: self.links,
            endpoints,
            package: self.facts.package.clone(),
            mounts: self.facts.mounts.clone(),
            constants: self.facts.constants.clone(),
            passed: self.facts.passed.clone(),
            connections: self.facts.connections.clone(),
        }
    }
}

impl Linker<'_> {
    /// A route that names a handler defined in another file (Django's
    /// `path("x/", views.detail)`) is answered by what that name resolves to.
    fn route_handlers(&self, endpoints: &mut [EndpointFact]) {
        for h in self.facts.http.iter().filter(|h| h.route) {
            let Some(name) = h.handler.as_deref() else {
                continue;
            };
            if self
                .facts
                .symbols
                .iter()
                .any(|s| s.name == name && s.kind.is_callable())
            {
                continue;
            }
            let resolved = self.links.iter().find(|l| {
                let r = &self.facts.references[l.reference as usize];
                r.name == name && h.span.contains(&r.span) && !matches!(l.to, Endpoint::TopLevel)
            });
            let Some(link) = resolved else { continue };
            for e in endpoints.iter_mut().filter(|e| {
                e.protocol == Protocol::Http
                    && e.role == Role::Provides
                    && e.line == h.span.start_line
                    && e.col == h.span.start_col
            }) {
                e.symbol = link.to;
            }
        }
    }
}

/// The call a binding holds the result of (`New()` of `r := New()`): the first call
/// of the bound callee after the bound name, in the same statement.
pub(crate) fn binding_call(facts: &FileFacts, b: usize) -> Option<&Reference> {
    let binding = &facts.bindings[b];
    if binding.derived {
        return None;
    }
    let from = facts
        .references
        .partition_point(|r| r.span.start_byte < binding.span.end_byte);
    facts.references[from..]
        .iter()
        .take_while(|r| r.span.start_line <= binding.span.start_line + 1)
        .find(|r| r.kind == RefKind::Call && r.name == binding.type_name)
}

/// Languages whose bindings take the type their call's function declares it returns.
fn types_results(lang: Language) -> bool {
    matches!(
        lang,
        Language::Go
            | Language::Kotlin
            | Language::Python
            | Language::TypeScript
            | Language::Tsx
            | Language::Rust
    )
}

/// What each binding of a file taken from a call holds: the type the called function
/// or method declares it returns, or the type itself for a conversion or a
/// constructor; `None` for a function that declares nothing usable (see
/// [`go_result_type`]). Bindings whose call resolves to nothing are left out (a
/// library function: the syntax's guess stands). The calls are resolved without
/// these types, so an answer depends on one call's definitions only.
fn returned_types(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &Definitions<'_>,
) -> FxHashMap<usize, Option<String>> {
    let mut out = FxHashMap::default();
    if !types_results(record.language) {
        return out;
    }
    let facts = scope.facts;
    for b in 0..facts.bindings.len() {
        let Some(call) = binding_call(facts, b) else {
            continue;
        };
        // (A TypeScript or Rust binding of a function's or method's result names
        // the function, no type: with it unknown, nothing is known of the value. A
        // type's name, `new Cart()`, `Point(1, 2)`, is the syntax's guess.)
        let guessless = (matches!(
            record.language,
            Language::TypeScript | Language::Tsx | Language::Rust
        ) && facts.bindings[b]
            .type_name
            .starts_with(|c: char| c.is_lowercase() || c == '_'))
            || facts.bindings[b].element;
        let named = defs.named(record.language, &call.name);
        let first = resolve(record, scope, call, named).into_iter().next();
        // A call linked by its name alone (`flow.send(..)` on a generator) is no
        // evidence of what it returns (Go's package functions are found by name).
        let first = first.filter(|f| {
            f.evidence != Evidence::NameOnly
                || matches!(record.language, Language::Go | Language::Kotlin)
        });
        let Some(first) = first else {
            if guessless {
                out.insert(b, None);
            }
            continue;
        };
        let c = &named.candidates[first.candidate];
        let s = &c.facts.symbols[c.symbol as usize];
        let ty = if s.kind.is_type() {
            Some(s.name.clone())
        } else if s.kind.is_callable() {
            match record.language {
                Language::Kotlin => kotlin_result_type(&s.signature, &s.name),
                Language::Python => python_result_type(&s.signature, &s.name),
                Language::TypeScript | Language::Tsx => {
                    typescript_result_type(&s.signature, &s.name)
                }
                Language::Rust => {
                    let owner = s.qualified_name.rsplit_once('.').map(|(o, _)| o);
                    let owner = owner.map(|o| o.rsplit(['.', ':']).next().unwrap_or(o));
                    rust_result_type(&s.signature, &s.name, owner)
                }
                _ => go_result_type(&s.signature, &s.name),
            }
        } else if guessless {
            None
        } else {
            continue;
        };
        // A loop over what the call returns holds its elements.
        let ty = match facts.bindings[b].element {
            true => ty.and_then(|t| t.strip_suffix("[]").map(str::to_string)),
            false => ty,
        };
        out.insert(b, ty);
    }
    out
}

/// The words of a declaration as written (`T`, `_zod`, `def` of `D = T["_zod"]["def"]`).
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word(c))
        .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
}

/// The names whose declarations type a file's callbacks' parameters (see
/// `callback_types`) and the keys of its literals passed to calls (see
/// `argument_types`): the callees, what gives callbacks type parameters, the
/// declarations of parameters called or built (`Class: SchemaClass<T>`), and `new`
/// (construct signatures).
fn typed_roots(facts: &FileFacts) -> HashSet<&str> {
    let mut roots = HashSet::new();
    for b in facts.bindings.iter().filter(|b| b.callback.is_some()) {
        roots.insert(callback_target(&b.type_name));
        roots.extend(words_of(b.generics.as_deref().unwrap_or("")));
    }
    for r in &facts.references {
        let Some((_, callee, _, _)) = argument_callee(r) else {
            continue;
        };
        roots.insert(callee);
        roots.insert("new");
        for b in facts.bindings.iter().filter(|b| b.name == callee) {
            if let Some(e) = b.enclosing.and_then(|e| facts.symbols.get(e as usize)) {
                roots.extend(words_of(&e.signature));
            }
        }
    }
    roots
}

/// The signatures of the definitions of `name` as they will be: the upserted files',
/// then the stored files' that are not `gone`.
fn signatures_of(
    name: &str,
    upserts: &[Loaded],
    gone: &HashSet<&str>,
    files: &mut StoreFiles<'_>,
) -> Result<Vec<String>> {
    let of = |facts: &FileFacts| -> Vec<String> {
        facts
            .symbols
            .iter()
            .filter(|s| s.name == name)
            .map(|s| s.signature.clone())
            .collect()
    };
    let mut signatures: Vec<String> = upserts.iter().flat_map(|u| of(&u.1)).collect();
    for path in files.store.files_defining(name)? {
        if !gone.contains(path.as_str()) {
            if let Some(f) = files.get(&path)? {
                signatures.extend(of(&f.1));
            }
        }
    }
    Ok(signatures)
}

/// What the types of a file's callbacks' parameters and of its literals' keys depend
/// on (see [`typed_roots`]): the roots, the words of their `declarations` and of
/// those words' declarations.
fn typed_words(facts: &FileFacts, declarations: &HashMap<String, Vec<String>>) -> HashSet<String> {
    let mut words: HashSet<String> = HashSet::new();
    for root in typed_roots(facts) {
        words.insert(root.to_string());
        for signature in declarations.get(root).into_iter().flatten() {
            for w in words_of(signature) {
                if words.insert(w.to_string()) {
                    for deeper in declarations.get(w).into_iter().flatten() {
                        words.extend(words_of(deeper).map(str::to_string));
                    }
                }
            }
        }
    }
    words
}

/// The callee an object literal's keys are written for when the literal is passed
/// as an argument (`add(0)@B`: see `literal_type`): (the written head, the callee's
/// name, the argument's position, where the callee's name starts).
fn argument_callee(r: &Reference) -> Option<(&str, &str, usize, u32)> {
    let head = r
        .qualifier
        .as_deref()
        .filter(|_| r.kind == RefKind::Key)?
        .split('.')
        .next()?;
    let (callee, position, at) = written_call(head)?;
    Some((head, callee, position, at))
}

/// A call as the indexer writes an argument's (`add(0)@B`): the callee's name, the
/// argument's position, where the callee's name starts.
fn written_call(head: &str) -> Option<(&str, usize, u32)> {
    let (callee, rest) = head.split_once('(')?;
    let (position, at) = rest.split_once(")@")?;
    Some((callee, position.parse().ok()?, at.parse().ok()?))
}

/// The definition the reference to `name` starting at byte `at` (a call, with
/// `call`) resolves to, unless linked by its name alone (no evidence of what it
/// declares): a function rather than a type of its name (`$constructor` the
/// function, beside the interface of its result).
fn resolved_at<'d>(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &'d Definitions<'_>,
    name: &str,
    at: u32,
    call: bool,
) -> Option<Candidate<'d>> {
    let found = resolved_all_at(record, scope, defs, name, at, call);
    let callable = found
        .iter()
        .find(|c| c.facts.symbols[c.symbol as usize].kind.is_callable());
    callable.or(found.first()).copied()
}

/// Every definition the reference to `name` at byte `at` resolves to with the best
/// evidence found, unless that is its name alone.
fn resolved_all_at<'d>(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &'d Definitions<'_>,
    name: &str,
    at: u32,
    call: bool,
) -> Vec<Candidate<'d>> {
    let facts = scope.facts;
    let from = facts.references.partition_point(|c| c.span.start_byte < at);
    let Some(reference) = facts.references[from..]
        .iter()
        .take_while(|c| c.span.start_byte == at)
        .find(|c| (!call || c.kind == RefKind::Call) && c.name == name)
    else {
        return Vec::new();
    };
    let named = defs.named(record.language, name);
    let found = resolve(record, scope, reference, named);
    let Some(first) = found.first() else {
        return Vec::new();
    };
    if first.evidence == Evidence::NameOnly {
        return Vec::new();
    }
    found
        .iter()
        .take_while(|r| r.evidence == first.evidence)
        .map(|r| named.candidates[r.candidate])
        .collect()
}

/// What each parameter of a function passed as an argument holds (see
/// `Binding::callback`): the type the resolved callee declares for it, through the
/// function type it declares for the argument (`initializer: (inst: T, def: D) =>
/// void`), its type parameters given by the call (see [`instantiation`]) and indexed
/// accesses followed (`D = T["_zod"]["def"]`). With `assigned`, the parameters of
/// functions assigned to a member instead (`inst._zod.parse = (payload, ctx) =>
/// ..`): those the member declares, a method's or a field's function type. `None`
/// where the callee or member is not resolved or declares no type for it.
fn callback_types(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &Definitions<'_>,
    assigned: bool,
) -> FxHashMap<usize, Option<String>> {
    let mut out = FxHashMap::default();
    if !matches!(record.language, Language::TypeScript | Language::Tsx) {
        return out;
    }
    for (b, binding) in scope.facts.bindings.iter().enumerate() {
        let Some(parameter) = binding.callback else {
            continue;
        };
        let call = written_call(&binding.type_name);
        if call.is_some() == assigned {
            continue;
        }
        let typed = || {
            let (written, c) = match call {
                Some((callee, position, at)) => {
                    let c = resolved_at(record, scope, defs, callee, at, true)?;
                    let s = &c.facts.symbols[c.symbol as usize];
                    if !s.kind.is_callable() {
                        return None;
                    }
                    let argument = typescript_parameter(&s.signature, &s.name, position)?;
                    let written = function_type_parameter(argument, parameter as usize)?;
                    let given = instantiation(
                        &s.signature,
                        &s.name,
                        typescript_result(&s.signature, &s.name),
                        binding.generics.as_deref(),
                    );
                    (substitute(written, &given), c)
                }
                None => {
                    let (member, at) = binding.type_name.split_once('@')?;
                    let c = resolved_at(record, scope, defs, member, at.parse().ok()?, false)?;
                    let s = &c.facts.symbols[c.symbol as usize];
                    let written = if s.kind.is_callable() {
                        typescript_parameter(&s.signature, &s.name, parameter as usize)?
                    } else {
                        let declared = declared_type(&s.signature)?.trim_end_matches(';');
                        function_type_parameter(declared, parameter as usize)?
                    };
                    (written.to_string(), c)
                }
            };
            // A type parameter of the member's type: what the receiver gives it is
            // not known here.
            let s = &c.facts.symbols[c.symbol as usize];
            let owner = s.parent.map(|p| &c.facts.symbols[p as usize]);
            if owner
                .is_some_and(|o| type_parameters(&o.signature, &o.name).contains(&written.as_str()))
            {
                return None;
            }
            evaluated(&written, &defs.fields)
        };
        out.insert(b, typed());
    }
    out
}

/// What each object literal passed as an argument is written for (see
/// `FileScope::set_arguments`): the type the resolved callee declares for that
/// parameter; a class built with `new` declares its constructor's, or the nearest
/// base's (a base's type parameter taking the argument the class gives it:
/// `constructor(def: Def)` of `ZodType<O, Def>` takes a `ZodStringDef` in `class
/// ZodString extends ZodType<string, ZodStringDef>`). A callee linked by its name
/// alone declares nothing.
fn argument_types(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &Definitions<'_>,
) -> FxHashMap<String, Option<String>> {
    let mut out: FxHashMap<String, Option<String>> = FxHashMap::default();
    if !matches!(record.language, Language::TypeScript | Language::Tsx) {
        return out;
    }
    for r in &scope.facts.references {
        let Some((head, callee, position, at)) = argument_callee(r) else {
            continue;
        };
        if out.contains_key(head) {
            continue;
        }
        let declared = resolved_at(record, scope, defs, callee, at, true)
            .and_then(|c| {
                let s = &c.facts.symbols[c.symbol as usize];
                if s.kind.is_callable() {
                    return typescript_parameter_type(&s.signature, &s.name, position);
                }
                s.kind
                    .is_type()
                    .then(|| constructor_parameter(defs, record.language, &c, position))
                    .flatten()
            })
            // A value whose type can be built (`new Class({ .. })` with a parameter
            // `Class: SchemaClass<T>`, a constant typed `core.$constructor<Schema>`):
            // what its type's construct signature takes.
            .or_else(|| {
                let declared = value_type(record, scope, defs, r, callee, at)?;
                construct_parameter(defs, record.language, &declared, position)
            });
        out.insert(head.to_string(), declared);
    }
    out
}

/// The type the value `name` (called at byte `at`, in the reference `r`'s scope)
/// is declared with, as written: a parameter's, its function's type parameters
/// standing for their constraints (`util.SchemaClass<$ZodString>` of `Class:
/// util.SchemaClass<T>` in `f<T extends $ZodString>`), or a constant's or
/// variable's (`core.$constructor<ZodObject>`).
fn value_type(
    record: &FileRecord,
    scope: &FileScope<'_>,
    defs: &Definitions<'_>,
    r: &Reference,
    name: &str,
    at: u32,
) -> Option<String> {
    let facts = scope.facts;
    let chain = enclosing_chain(facts, r);
    let function = scope
        .binding(name, r, &chain)
        .and_then(|b| facts.bindings[b].enclosing)
        .map(|e| &facts.symbols[e as usize])
        .filter(|f| f.kind.is_callable());
    if let Some(function) = function {
        let written = typescript_parameters(&function.signature, &function.name)
            .into_iter()
            .find(|p| parameter_named(p) == Some(name))
            .and_then(declared_type);
        if let Some(written) = written {
            let given = instantiation(&function.signature, &function.name, None, None);
            return Some(substitute(written, &given));
        }
    }
    resolved_all_at(record, scope, defs, name, at, true)
        .into_iter()
        .find_map(|c| {
            let s = &c.facts.symbols[c.symbol as usize];
            matches!(s.kind, SymbolKind::Constant | SymbolKind::Variable)
                .then(|| s.signature.find(s.name.as_str()))
                .flatten()
                .and_then(|at| declared_type(&s.signature[at..]))
                .map(str::to_string)
        })
}

/// The type the construct signature (`new (def: D): T`) of the type `declared` (as
/// written, `Ctor<Schema>`) declares for its parameter at `position`, the type's
/// type parameters given by `declared`'s arguments, else their defaults.
fn construct_parameter(
    defs: &Definitions<'_>,
    lang: Language,
    declared: &str,
    position: usize,
) -> Option<String> {
    let head = type_head(declared);
    // The construct signature (a member named `new`) of a type of that name, and the
    // type.
    let (construct, ty) = defs.named(lang, "new").candidates.iter().find_map(|c| {
        let s = &c.facts.symbols[c.symbol as usize];
        let ty = &c.facts.symbols[s.parent? as usize];
        (ty.name == head && ty.kind.is_type()).then_some((s, ty))
    })?;
    let signature = &construct.signature;
    let list = &signature[signature.find('(')?..];
    let list = &list[1..balanced_end(list)? - 1];
    let written = declared_type(angle_split(list).into_iter().nth(position)?.trim())?;
    let arguments = declared.find('<').map(|at| &declared[at..]);
    let given = instantiation(&ty.signature, &ty.name, None, arguments);
    evaluated(&substitute(written, &given), &defs.fields)
}

/// The type the constructor of class `class` declares for its parameter at
/// `position`, or the nearest base's constructor (up to [`ANCESTOR_LEVELS`]), a
/// base's type parameter taking the argument its subclass gives it.
fn constructor_parameter(
    defs: &Definitions<'_>,
    lang: Language,
    class: &Candidate<'_>,
    position: usize,
) -> Option<String> {
    let (mut facts, mut index) = (class.facts, class.symbol as usize);
    // The arguments each class on the way gave its base, by the base's parameters.
    let mut given: Vec<(String, String)> = Vec::new();
    for _ in 0..ANCESTOR_LEVELS {
        let ty = &facts.symbols[index];
        // (TypeScript's `constructor` is a method of that name.)
        let own = facts.symbols.iter().find(|s| {
            (s.kind == SymbolKind::Constructor || s.name == "constructor")
                && s.kind.is_callable()
                && s.parent == Some(index as u32)
        });
        if let Some(constructor) = own {
            let mut declared =
                typescript_parameter_type(&constructor.signature, &constructor.name, position)?;
            // A type parameter of a class below or of this one: what it was given.
            for _ in 0..ANCESTOR_LEVELS {
                match given.iter().find(|(p, _)| *p == declared) {
                    Some((_, argument)) => declared = argument.clone(),
                    None => break,
                }
            }
            let bound = type_parameter_bound(&ty.signature, &ty.name, &declared);
            return Some(bound.unwrap_or(declared));
        }
        let base = defs.bases.get(ty.name.as_str())?.first()?;
        let base = base.rsplit(['.', ':']).next().unwrap_or(base);
        let arguments = base_arguments(&ty.signature, &ty.name, base);
        let named = defs.named(lang, base);
        let next = named
            .candidates
            .iter()
            .find(|c| c.facts.symbols[c.symbol as usize].kind.is_type())?;
        let parameters = type_parameters(&next.facts.symbols[next.symbol as usize].signature, base);
        let mut now: Vec<(String, String)> = Vec::new();
        for (p, a) in parameters.iter().zip(&arguments) {
            let a = match given.iter().find(|(q, _)| q == a.trim()) {
                Some((_, earlier)) => earlier.clone(),
                None => cartograph_indexer::written_type(a).unwrap_or_default(),
            };
            now.push((p.to_string(), a));
        }
        given = now;
        (facts, index) = (next.facts, next.symbol as usize);
    }
    None
}

/// A file's bound names and the callees whose results they hold (`r` → `New` after
/// `r := New()`): an answer through such a name depends on the callees' definitions.
fn binding_callees(facts: &FileFacts) -> FxHashMap<&str, Vec<&str>> {
    let mut out: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for (i, b) in facts.bindings.iter().enumerate() {
        if let Some(call) = binding_call(facts, i) {
            out.entry(b.name.as_str())
                .or_default()
                .push(call.name.as_str());
        }
    }
    out
}

/// The callees whose results the receiver of `r` may hold (see [`binding_callees`]).
fn receiver_callees<'m, 'f>(
    callees: &'m FxHashMap<&str, Vec<&'f str>>,
    r: &Reference,
) -> &'m [&'f str] {
    let head = r
        .qualifier
        .as_deref()
        .map(|q| q.split(['.', ':']).next().unwrap_or(q));
    head.and_then(|h| callees.get(h)).map_or(&[], Vec::as_slice)
}

/// Files read from the store, each once, by path (`None`: not stored).
struct StoreFiles<'s> {
    store: &'s Store,
    read: HashMap<String, Option<Loaded>>,
}

impl StoreFiles<'_> {
    fn get(&mut self, path: &str) -> Result<Option<Loaded>> {
        if let Some(f) = self.read.get(path) {
            return Ok(f.clone());
        }
        let f = match (self.store.file(path)?, self.store.facts(path)?) {
            (Some(r), Some(f)) => Some(Arc::new((r, f))),
            _ => None,
        };
        self.read.insert(path.to_string(), f.clone());
        Ok(f)
    }
}

/// The fields a reference's qualifier goes through after its head: `url` of
/// `request.url.host`, `_zod` and `def` of `inst._zod.def.shape`.
fn field_segments(r: &Reference) -> impl Iterator<Item = &str> {
    r.qualifier
        .as_deref()
        .into_iter()
        .flat_map(|q| q.split('.').skip(1))
        .filter(|s| !s.is_empty() && s.chars().all(is_word))
}

/// For a top-level implement or inherit reference (Rust `impl Trait for Type`), the
/// reference naming the type: the next type reference on the same line.
pub(crate) fn impl_target(facts: &FileFacts, i: usize) -> Option<&Reference> {
    let r = &facts.references[i];
    if r.enclosing.is_some() || !matches!(r.kind, RefKind::Implement | RefKind::Inherit) {
        return None;
    }
    facts.references[i + 1..]
        .iter()
        .find(|n| n.span.start_line == r.span.start_line && n.kind == RefKind::Type)
}

/// The name an import alias stands for: `yell` in `from m import shout as yell` or
/// `import { shout as yell } from "./m"` stands for `shout`.
/// `aliases` are the file's (see [`import_aliases`]).
pub(crate) fn aliased_name<'f>(
    aliases: &FxHashMap<&'f str, &'f str>,
    r: &Reference,
) -> Option<&'f str> {
    if r.qualifier.is_some() || r.kind == RefKind::Import {
        return None;
    }
    aliases
        .get(r.name.as_str())
        .copied()
        .filter(|original| *original != r.name)
}

/// A file's import aliases and the names they stand for (`yell` → `shout`): the
/// first import of one name under each alias.
pub(crate) fn import_aliases(facts: &FileFacts) -> FxHashMap<&str, &str> {
    let mut aliases = FxHashMap::default();
    for import in &facts.imports {
        if let (Some(alias), [name]) = (&import.alias, import.names.as_slice()) {
            let original = name.rsplit(['.', ':', '/']).next().unwrap_or(name);
            aliases.entry(alias.as_str()).or_insert(original);
        }
    }
    aliases
}

/// The name a reference resolves by when it is not its own: the name its import
/// alias stands for, or the last segment of the module a namespace import's alias
/// names.
fn original_name<'f>(
    lang: Language,
    facts: &'f FileFacts,
    aliases: &FxHashMap<&'f str, &'f str>,
    r: &Reference,
) -> Option<&'f str> {
    aliased_name(aliases, r).or_else(|| namespace_import(lang, facts, r).map(module_stem))
}

/// The types `facts` declares that derive from a type `base` accepts.
fn subtypes_of(lang: Language, facts: &FileFacts, base: impl Fn(&str) -> bool) -> Vec<String> {
    facts
        .references
        .iter()
        .filter(|r| is_base_reference(lang, facts, r) && base(&r.name))
        .filter_map(|r| facts.symbols.get(r.enclosing? as usize))
        .filter(|t| t.kind.is_type())
        .map(|t| t.name.clone())
        .collect()
}

/// The types a file's members may be found through: the bases its types declare
/// and the types its bindings hold.
fn type_roots(lang: Language, facts: &FileFacts) -> Vec<String> {
    let mut roots: Vec<String> = facts
        .references
        .iter()
        .filter(|r| is_base_reference(lang, facts, r))
        .map(|r| r.name.clone())
        .chain(facts.bindings.iter().map(binding_root))
        .chain(facts.references.iter().filter_map(key_root))
        .collect();
    let all: Vec<usize> = (0..facts.references.len()).collect();
    roots.extend(bound_roots(facts, &all));
    roots
}

/// A type with its collection marks taken off: the type of the elements (`Item` of
/// `Item[]`, see `written_type`), whose definitions and ancestors answer through it.
fn element_free(ty: &str) -> String {
    ty.trim_end_matches("[]").to_string()
}

/// The name a binding's type is found through: its type's (elements'), or what a
/// callback's parameter is typed by.
fn binding_root(b: &cartograph_indexer::Binding) -> String {
    match b.callback {
        Some(_) => callback_target(&b.type_name).to_string(),
        None => element_free(&b.type_name),
    }
}

/// What a callback's parameter is typed through (see `Binding::callback`): the callee
/// of a call written `init(1)@B`, the member of an assignment written `parse@B`.
fn callback_target(type_name: &str) -> &str {
    type_name.split(['(', '@']).next().unwrap_or(type_name)
}

/// The type an object literal's key is written for (its simple name, the head of
/// the reference's qualifier).
fn key_root(r: &Reference) -> Option<String> {
    // A literal passed to a call: the callee (a class's ancestors declare its
    // constructor).
    if let Some((_, callee, _, _)) = argument_callee(r) {
        return Some(callee.to_string());
    }
    let ty = r.qualifier.as_deref().filter(|_| r.kind == RefKind::Key)?;
    Some(ty.split('.').next().unwrap_or(ty).to_string())
}

/// The bounds of the type parameters typing the heads of `refs`' qualifiers
/// (`Buf` for `x` of `x.len()` in `fn f<T: Buf>(x: T)`), or heading them (`Schema`
/// for `T["_zod"]` in `f<T extends Schema>`).
fn bound_roots(facts: &FileFacts, refs: &[usize]) -> Vec<String> {
    let mut by_name: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for b in &facts.bindings {
        by_name
            .entry(b.name.as_str())
            .or_default()
            .push(b.type_name.as_str());
    }
    let mut roots = Vec::new();
    for r in refs.iter().map(|&i| &facts.references[i]) {
        let Some(head) = r.qualifier.as_deref().and_then(|q| q.split('.').next()) else {
            continue;
        };
        let chain = enclosing_chain(facts, r);
        // (A type parameter indexed: `T["_zod"]`.)
        if r.kind == RefKind::Key {
            roots.extend(parameter_bound(facts, &chain, head));
        }
        let Some(types) = by_name.get(head) else {
            continue;
        };
        roots.extend(
            types
                .iter()
                .filter_map(|t| parameter_bound(facts, &chain, t)),
        );
    }
    roots
}

/// The types the references `redone` (indices, of a file whose other links are
/// kept) may be resolved through: the bases of the types enclosing them (members
/// reached through `self`, `super` or a bare name), the type owning an enclosing
/// method, the types of the bindings their qualifiers name (`a` and `b` of
/// `a.b.m()`) and a type a qualifier constructs. A subset of [`type_roots`] (plus
/// the owners) that holds whatever resolving those references climbs from.
fn redone_roots(lang: Language, facts: &FileFacts, redone: &[usize]) -> Vec<String> {
    let mut types: HashSet<u32> = HashSet::new();
    let mut names: HashSet<&str> = HashSet::new();
    let mut roots: Vec<String> = Vec::new();
    for r in redone.iter().map(|&i| &facts.references[i]) {
        for i in enclosing_chain(facts, r) {
            let s = &facts.symbols[i as usize];
            if s.kind.is_type() {
                types.insert(i);
            } else if matches!(s.kind, SymbolKind::Method | SymbolKind::Constructor) {
                if let Some((owner, _)) = s.qualified_name.rsplit_once('.') {
                    roots.push(owner.rsplit(['.', ':']).next().unwrap_or(owner).to_string());
                }
            }
        }
        if let Some(q) = r.qualifier.as_deref() {
            names.extend(q.split(|c: char| !(c.is_alphanumeric() || c == '_')));
            roots.extend(constructed_type(q));
        }
        roots.extend(key_root(r));
    }
    for r in &facts.references {
        if r.enclosing.is_some_and(|e| types.contains(&e)) && is_base_reference(lang, facts, r) {
            roots.push(r.name.clone());
        }
    }
    roots.extend(
        facts
            .bindings
            .iter()
            .filter(|b| names.contains(b.name.as_str()))
            .map(binding_root),
    );
    roots.extend(bound_roots(facts, redone));
    roots
}

/// The module a bare reference names through a namespace import: `schemas` in
/// `schemas.Schema` after `import * as schemas from "./schemas.js"`, `c` after
/// Python's `import a.b as c`, and `os` after `import os.path` (the package `os`).
fn namespace_import<'f>(lang: Language, facts: &'f FileFacts, r: &Reference) -> Option<&'f str> {
    if r.qualifier.is_some()
        || matches!(r.kind, RefKind::Import | RefKind::Module)
        || !matches!(
            lang,
            Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Python
        )
    {
        return None;
    }
    facts.imports.iter().find_map(|m| {
        if !m.names.is_empty() {
            return None;
        }
        match m.alias.as_deref() {
            Some(alias) => (alias == r.name).then_some(m.module.as_str()),
            None if lang == Language::Python => {
                let head = m.module.split('.').next()?;
                (head == r.name).then_some(head)
            }
            None => None,
        }
    })
}

/// Names a file defines: its symbols' names, and the names an import may give the
/// file itself (see [`module_names`]).
pub(crate) fn defined_names(path: &str, facts: &FileFacts) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = facts.symbols.iter().map(|s| s.name.clone()).collect();
    names.extend(module_names(path));
    names
}

/// The last segments of the module paths that may name the file at `path`: its stem
/// (`cart` of `src/cart.ts`) and its directory (`store` of `store/index.ts`,
/// `pkg/__init__.py`, `store/store.go`).
pub(crate) fn module_names(path: &str) -> Vec<String> {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let mut out = vec![stem.to_string()];
    if file == "lib.rs" || file == "main.rs" {
        out.push("crate".to_string());
    }
    if let Some(dir) = parts.next() {
        if dir != stem {
            out.push(dir.to_string());
        }
    }
    out
}

/// Links every reference of every file: the graph of a full rebuild.
pub(crate) fn link_all(files: &[Loaded]) -> Vec<FileGraph> {
    let started = std::time::Instant::now();
    let defs = Definitions::new(files, None);
    tracing::debug!(
        "definitions of {} files indexed in {:?}",
        files.len(),
        started.elapsed()
    );
    let graphs = files
        .par_iter()
        .map(|f| {
            let mut linker = Linker::typed(&f.0, &f.1, &defs);
            for i in 0..f.1.references.len() {
                linker.link(&defs, i);
            }
            linker.finish(FileGraph::symbols_of(&f.1))
        })
        .collect();
    tracing::debug!(
        "references of {} files linked at {:?}",
        files.len(),
        started.elapsed()
    );
    graphs
}

/// The graph records an update must write: for every upserted file, all its links;
/// for every other file using a name that an upserted or deleted file defines, its
/// links with those references re-resolved.
pub(crate) fn relink(
    store: &Store,
    upserts: &[Loaded],
    deletes: &[String],
    fresh: bool,
) -> Result<Vec<(String, FileGraph)>> {
    let gone: HashSet<&str> = deletes
        .iter()
        .map(String::as_str)
        .chain(upserts.iter().map(|f| f.0.path.as_str()))
        .collect();
    if fresh {
        let graphs = link_all(upserts);
        return Ok(upserts
            .iter()
            .map(|f| f.0.path.clone())
            .zip(graphs)
            .collect());
    }
    // Names whose definitions change.
    let mut changed: BTreeSet<String> = BTreeSet::new();
    for path in &gone {
        if let Some(old) = store.facts(path)? {
            changed.extend(defined_names(path, &old));
        }
    }
    for f in upserts {
        changed.extend(defined_names(&f.0.path, &f.1));
    }
    // Other files using those names.
    let mut users: BTreeSet<String> = BTreeSet::new();
    for name in &changed {
        for path in store.files_referencing(name)? {
            if !gone.contains(path.as_str()) {
                users.insert(path);
            }
        }
    }
    let mut relinked: Vec<Loaded> = Vec::with_capacity(users.len());
    for path in &users {
        if let (Some(r), Some(f)) = (store.file(path)?, store.facts(path)?) {
            relinked.push(Arc::new((r, f)));
        }
    }
    // A member is found through the bases of the bases (`inherited_member`): the
    // types deriving, at any depth, from a type whose definitions change may answer
    // differently, and so may every file deriving from them or holding one.
    let mut chained: BTreeSet<String> = BTreeSet::new();
    let mut frontier: Vec<String> = Vec::new();
    for f in &relinked {
        frontier.extend(subtypes_of(f.0.language, &f.1, |n| changed.contains(n)));
    }
    for _ in 0..=ANCESTOR_LEVELS {
        frontier.retain(|t| !changed.contains(t) && chained.insert(t.clone()));
        if frontier.is_empty() {
            break;
        }
        for ty in &frontier {
            for path in store.files_referencing(ty)? {
                if !gone.contains(path.as_str()) && users.insert(path.clone()) {
                    if let (Some(r), Some(f)) = (store.file(&path)?, store.facts(&path)?) {
                        relinked.push(Arc::new((r, f)));
                    }
                }
            }
        }
        let level: HashSet<String> = std::mem::take(&mut frontier).into_iter().collect();
        for f in &relinked {
            frontier.extend(subtypes_of(f.0.language, &f.1, |n| level.contains(n)));
        }
    }
    // The files read from here on, each once (the relinked ones are read already).
    let mut files = StoreFiles {
        store,
        read: relinked
            .iter()
            .map(|f| (f.0.path.clone(), Some(Arc::clone(f))))
            .collect(),
    };
    // What callbacks' parameters and literals' keys are typed by (see
    // `typed_roots`): declarations, as they are and as they will be, two levels deep;
    // and, for each file, the words those types depend on (`typed_words`).
    let mut declarations: HashMap<String, Vec<String>> = HashMap::new();
    for f in upserts.iter().chain(&relinked) {
        for root in typed_roots(&f.1) {
            if !declarations.contains_key(root) {
                let found = signatures_of(root, upserts, &gone, &mut files)?;
                declarations.insert(root.to_string(), found);
            }
            let first: Vec<String> = declarations[root]
                .iter()
                .flat_map(|s| words_of(s).map(str::to_string))
                .collect();
            for w in first {
                if let Entry::Vacant(slot) = declarations.entry(w) {
                    let found = signatures_of(slot.key(), upserts, &gone, &mut files)?;
                    slot.insert(found);
                }
            }
        }
    }
    let upserted_words: Vec<HashSet<String>> = upserts
        .iter()
        .map(|f| typed_words(&f.1, &declarations))
        .collect();
    let relinked_words: Vec<HashSet<String>> = relinked
        .iter()
        .map(|f| typed_words(&f.1, &declarations))
        .collect();
    let chain_stale = |f: &Loaded, typed: &HashSet<String>| {
        let touched = |n: &str| changed.contains(n) || chained.contains(n);
        f.1.references
            .iter()
            .any(|r| is_base_reference(f.0.language, &f.1, r) && touched(&r.name))
            || f.1.bindings.iter().any(|b| touched(&binding_root(b)))
            || f.1
                .references
                .iter()
                .any(|r| argument_callee(r).is_some_and(|(_, callee, _, _)| touched(callee)))
            || typed.iter().any(|w| touched(w))
    };
    // Every name to resolve, and the files defining them (as they will be).
    let mut needed: HashSet<String> = HashSet::new();
    // (And what callbacks' parameters are typed through: the fields an indexed
    // access names, the types given as type parameters and their ancestors.)
    let mut typing: HashSet<String> = HashSet::new();
    for words in &upserted_words {
        typing.extend(words.iter().cloned());
    }
    for f in upserts {
        let aliases = import_aliases(&f.1);
        for r in &f.1.references {
            needed.insert(r.name.clone());
            if let Some(original) = aliased_name(&aliases, r) {
                needed.insert(original.to_string());
            }
            if let Some(m) = namespace_import(f.0.language, &f.1, r) {
                needed.insert(module_stem(m).to_string());
            }
        }
    }
    // Which references of each relinked file are redone (by index).
    let redone_of: Vec<Vec<usize>> = relinked
        .iter()
        .zip(&relinked_words)
        .map(|(f, typed)| {
            let aliases = import_aliases(&f.1);
            let callees = binding_callees(&f.1);
            let whole = chain_stale(f, typed);
            (0..f.1.references.len())
                .filter(|&i| {
                    let r = &f.1.references[i];
                    whole
                        || changed.contains(&r.name)
                        || original_name(f.0.language, &f.1, &aliases, r)
                            .is_some_and(|o| changed.contains(o))
                        || impl_target(&f.1, i).is_some_and(|t| changed.contains(&t.name))
                        || receiver_callees(&callees, r)
                            .iter()
                            .any(|c| changed.contains(*c))
                        || field_segments(r).any(|s| changed.contains(s))
                        || argument_callee(r).is_some_and(|(_, c, _, _)| changed.contains(c))
                })
                .collect()
        })
        .collect();
    for ((f, redone), typed) in relinked.iter().zip(&redone_of).zip(&relinked_words) {
        // What the file's bindings hold is typed anew (its endpoints read them): the
        // callees they are taken from are resolved as in a full run.
        let callees = binding_callees(&f.1);
        if types_results(f.0.language) {
            needed.extend(callees.values().flatten().map(|c| c.to_string()));
        }
        if !redone.is_empty() {
            typing.extend(typed.iter().cloned());
        }
        let aliases = import_aliases(&f.1);
        for &i in redone {
            // A redone reference resolves by the name its alias stands for: both are
            // loaded (`nick` of `from m import f as nick` needs `f` even when only a
            // new `nick` elsewhere made it stale). A namespace import's alias depends
            // on the files of its module.
            let r = &f.1.references[i];
            needed.insert(r.name.clone());
            needed.extend(original_name(f.0.language, &f.1, &aliases, r).map(str::to_string));
            needed.extend(receiver_callees(&callees, r).iter().map(|c| c.to_string()));
            if let Some(t) = impl_target(&f.1, i) {
                needed.insert(t.name.clone());
            }
        }
    }
    // The fields qualifiers go through (`url` of `request.url.host`): their
    // declarations in any file type what follows, and the types they declare are
    // climbed from like the others.
    let mut through: HashSet<String> = HashSet::new();
    for f in upserts {
        through.extend(
            f.1.references
                .iter()
                .flat_map(field_segments)
                .map(str::to_string),
        );
    }
    for (f, redone) in relinked.iter().zip(&redone_of) {
        through.extend(
            redone
                .iter()
                .flat_map(|&i| field_segments(&f.1.references[i]))
                .map(str::to_string),
        );
    }
    through.extend(typing.iter().cloned());
    needed.extend(through.iter().cloned());
    let mut field_roots: Vec<String> = Vec::new();
    for name in &through {
        for path in store.files_defining(name)? {
            if gone.contains(path.as_str()) {
                continue;
            }
            if let Some(f) = files.get(&path)? {
                let mut fields = FieldTypes::default();
                field_types(&f.1, Some(&through), &mut fields);
                field_roots.extend(fields.into_values().flatten().map(|t| element_free(&t)));
            }
        }
    }
    for f in upserts {
        let mut fields = FieldTypes::default();
        field_types(&f.1, Some(&through), &mut fields);
        field_roots.extend(fields.into_values().flatten().map(|t| element_free(&t)));
    }
    // The ancestors of the types the resolved references may be resolved through, as
    // a full run sees them: their definitions are loaded, level by level. An upserted
    // file climbs from every type it declares or holds (the bases its types declare
    // now are among the first level); a relinked file only from those its redone
    // references need (its kept links need none).
    let mut frontier: Vec<String> = Vec::new();
    for f in upserts {
        frontier.extend(type_roots(f.0.language, &f.1));
    }
    for (f, redone) in relinked.iter().zip(&redone_of) {
        frontier.extend(redone_roots(f.0.language, &f.1, redone));
    }
    frontier.extend(field_roots);
    frontier.extend(typing);
    let mut climbed: HashSet<String> = HashSet::new();
    for _ in 0..=ANCESTOR_LEVELS {
        frontier.retain(|t| climbed.insert(t.clone()));
        if frontier.is_empty() {
            break;
        }
        needed.extend(frontier.iter().cloned());
        let mut next = Vec::new();
        for ty in std::mem::take(&mut frontier) {
            for path in store.files_defining(&ty)? {
                if gone.contains(path.as_str()) {
                    continue;
                }
                if let Some(f) = files.get(&path)? {
                    let mut bases = Bases::default();
                    type_bases(f.0.language, &f.1, &mut bases);
                    next.extend(
                        bases
                            .get(ty.as_str())
                            .into_iter()
                            .flatten()
                            .map(|b| b.to_string()),
                    );
                }
            }
        }
        frontier = next;
    }
    let mut definers: BTreeSet<String> = BTreeSet::new();
    for name in &needed {
        for path in store.files_defining(name)? {
            if !gone.contains(path.as_str()) {
                definers.insert(path);
            }
        }
    }
    let mut world: Vec<Loaded> = upserts.to_vec();
    for path in &definers {
        world.extend(files.get(path)?);
    }
    tracing::debug!(
        "relink: {} files changed, {} using their names relinked, {} loaded to resolve {} names",
        upserts.len(),
        relinked.len(),
        world.len(),
        needed.len()
    );
    let defs = Definitions::new(&world, Some(&needed));

    let mut out: Vec<(String, FileGraph)> = upserts
        .par_iter()
        .map(|f| {
            let mut linker = Linker::typed(&f.0, &f.1, &defs);
            for i in 0..f.1.references.len() {
                linker.link(&defs, i);
            }
            (f.0.path.clone(), linker.finish(FileGraph::symbols_of(&f.1)))
        })
        .collect();
    let mut old_graphs = Vec::with_capacity(relinked.len());
    for f in &relinked {
        old_graphs.push(store.graph(&f.0.path)?.unwrap_or_default());
    }
    let redone: Vec<(String, FileGraph)> = relinked
        .par_iter()
        .zip(old_graphs)
        .zip(&redone_of)
        .map(|((f, old), redone)| {
            let stale = |i: usize| redone.binary_search(&i).is_ok();
            let mut linker = Linker::typed(&f.0, &f.1, &defs);
            for l in &old.links {
                if stale(l.reference as usize) {
                    continue;
                }
                let mut kept = *l;
                for end in [&mut kept.from, &mut kept.to] {
                    if let Endpoint::Other(i) = *end {
                        *end = linker.intern(old.ids[i as usize].clone());
                    }
                }
                linker.links.push(kept);
            }
            for &i in redone {
                linker.link(&defs, i);
            }
            (f.0.path.clone(), linker.finish(old.symbols))
        })
        .collect();
    out.extend(redone);
    Ok(out)
}
