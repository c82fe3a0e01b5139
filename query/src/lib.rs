//! Query operations over a Cartograph index.
//!
//! The principal type is [`Workspace`]: an opened index (the graph store plus the
//! tantivy symbol search index) answering search, definition, references, outline,
//! stats and export with plain values (see [`model`]). Key design decision: opening
//! is lazy and cheap — a CLI process opens the store, and the search index only when
//! a question needs it, and never loads the whole graph for one answer. The search
//! index is derived from the store and repaired on open when it lags behind.

pub mod api;
mod diff;
mod files;
mod graph_view;
pub mod impact;
pub mod live;
pub mod model;
mod search;
mod service_names;
pub mod verify;
mod words;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use std::collections::HashSet;
use std::sync::Mutex;

use cartograph_graph::{
    index_workspace, ChangeSet, FileRecord, IndexConfig, IndexEvent, IndexObserver, IndexReport,
    Store,
};
use cartograph_indexer::{content_hash, walk, FileFacts, Root, Service, WalkConfig};

use graph_view::GraphView;
pub use graph_view::{
    json_tokens, CallNode, CallTree, Hierarchy, Related, JSON_BYTES_PER_TOKEN, MAX_DEPTH,
    MAX_TREE_NODES, TREE_TIME_LIMIT,
};
pub use model::{
    Definition, EndpointInfo, ExportRecord, Freshness, LanguageStats, LinkEnd, NotIndexed,
    NotParsed, OutlineNode, RefSite, RefTarget, ResolutionStats, ServiceDependency, ServiceInfo,
    ServiceLink, ServiceMap, Stats, SymbolHit,
};
pub use search::{SearchBuild, SearchIndex, SearchQuery};
use service_names::ServiceNames;
pub use words::split_words;

/// Default name of the index directory inside the first root.
pub const INDEX_DIR_NAME: &str = ".cartograph";

/// Most lines of a definition shown in a snippet.
pub const SNIPPET_LINES: usize = 12;
/// Most bytes of a snippet (long lines are cut).
pub const MAX_SNIPPET_BYTES: usize = 2000;

/// Errors of the query layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed (no index, corrupt, locked, ...).
    #[error(transparent)]
    Graph(#[from] cartograph_graph::Error),
    /// The search index failed.
    #[error("search index at {} failed: {message}", dir.display())]
    Search {
        /// Its directory.
        dir: PathBuf,
        /// What failed, lowercase.
        message: String,
    },
    /// A file asked about is not in the index.
    #[error("{path} is not indexed{hint}")]
    NotIndexed {
        /// The path as asked.
        path: String,
        /// A suggestion, starting with `; `.
        hint: String,
    },
    /// Writing results failed.
    #[error("cannot write output")]
    Output(#[source] std::io::Error),
    /// A request was malformed.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// No indexed symbol has the ID, name or position asked for.
    #[error("no symbol `{asked}` in the index{hint}")]
    NoSuchSymbol {
        /// What was asked.
        asked: String,
        /// A suggestion, starting with `; `.
        hint: String,
    },
    /// Several symbols answer to the name asked for; nothing is guessed.
    #[error("`{asked}` names {total} symbols; pass one of their IDs")]
    Ambiguous {
        /// What was asked.
        asked: String,
        /// How many symbols matched.
        total: usize,
        /// The first of them, with their IDs.
        candidates: Vec<SymbolHit>,
    },
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Feeds a run's progress to the caller and its extracted files to the search index,
/// and commits the search index concurrently with the store write.
struct RunObserver<'a> {
    progress: &'a (dyn Fn(IndexEvent) + Sync),
    before_write: &'a (dyn Fn() + Sync),
    store: Store,
    build: std::sync::RwLock<Option<SearchBuild>>,
    committing: Mutex<Option<std::thread::JoinHandle<Result<SearchBuild>>>>,
}

impl IndexObserver for RunObserver<'_> {
    fn event(&self, event: IndexEvent) {
        (self.progress)(event)
    }

    fn extracted(&self, record: &FileRecord, facts: &FileFacts) {
        if let Ok(guard) = self.build.read() {
            if let Some(build) = guard.as_ref() {
                build.add(record, facts);
            }
        }
    }

    fn writing(&self, changes: &ChangeSet, generation: u64) {
        (self.before_write)();
        let Some(mut build) = self.build.write().ok().and_then(|mut b| b.take()) else {
            return;
        };
        let store = self.store.clone();
        let deleted = changes.deleted.clone();
        let extracted: HashSet<String> = changes
            .upserted
            .iter()
            .chain(&changes.deleted)
            .cloned()
            .collect();
        let handle = std::thread::spawn(move || {
            build.commit(&store, &deleted, &extracted, generation)?;
            Ok(build)
        });
        if let Ok(mut slot) = self.committing.lock() {
            *slot = Some(handle);
        }
    }
}

/// An opened index.
pub struct Workspace {
    store: Store,
    search: OnceLock<SearchIndex>,
    graph: OnceLock<GraphView>,
    state: api::StateCache,
    /// Held while the search index or the view is loaded.
    loading: Mutex<()>,
    /// Files decoded recently.
    facts: files::FactsCache,
    /// The services and the names service-level answers show them under.
    services: OnceLock<ServiceNames>,
}

/// A workspace that let go of its store: what it loaded, kept for when the store is
/// opened again.
pub struct Parked {
    dir: std::path::PathBuf,
    /// The generation what was loaded reflects (`None`: unknown, load again).
    generation: Option<u64>,
    search: OnceLock<SearchIndex>,
    graph: OnceLock<GraphView>,
    state: api::StateCache,
    facts: files::FactsCache,
    services: OnceLock<ServiceNames>,
}

impl Parked {
    /// Opens the store again (waiting up to `wait` while another process holds it).
    /// What was loaded is kept if the index is still at the same generation;
    /// otherwise another process updated it and everything loads afresh, so a
    /// reader always sees one whole generation. On failure the parked state is
    /// given back.
    pub fn resume(
        self: Box<Parked>,
        wait: std::time::Duration,
    ) -> std::result::Result<Workspace, (Box<Parked>, Error)> {
        let store = match wait_unlocked(&self.dir, wait, || {
            Store::open(&self.dir).map_err(Error::from)
        }) {
            Ok(store) => store,
            Err(e) => return Err((self, e)),
        };
        let generation = match store.meta() {
            Ok(meta) => meta.generation,
            Err(e) => return Err((self, e.into())),
        };
        if self.generation != Some(generation) {
            tracing::info!(
                "the index was updated by another process: loading generation {generation}"
            );
            return Ok(Workspace::on(store));
        }
        Ok(Workspace {
            store,
            search: self.search,
            graph: self.graph,
            state: self.state,
            loading: Mutex::new(()),
            facts: self.facts,
            services: self.services,
        })
    }
}

/// Runs `f` again while another process holds the index in `dir`, for up to
/// `wait`; while it waits, a process holding the index between requests is told to
/// let go.
pub fn wait_unlocked<T>(
    dir: &Path,
    wait: std::time::Duration,
    mut f: impl FnMut() -> Result<T>,
) -> Result<T> {
    let started = std::time::Instant::now();
    let mut announced = None;
    loop {
        match f() {
            Err(Error::Graph(cartograph_graph::Error::Locked { .. }))
                if started.elapsed() < wait =>
            {
                if announced.is_none() {
                    announced = cartograph_graph::announce_wait(dir);
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

impl Workspace {
    /// Opens the index in `dir`.
    pub fn open(dir: &Path) -> Result<Workspace> {
        let started = std::time::Instant::now();
        let store = Store::open(dir)?;
        tracing::debug!("store opened in {:?}", started.elapsed());
        Ok(Workspace::on(store))
    }

    /// A workspace reading `store`, with nothing loaded yet.
    fn on(store: Store) -> Workspace {
        Workspace {
            store,
            search: OnceLock::new(),
            graph: OnceLock::new(),
            state: Default::default(),
            loading: Mutex::new(()),
            facts: Default::default(),
            services: OnceLock::new(),
        }
    }

    /// Lets go of the store (and with it the index's lock, so that other processes
    /// can read and update it) and keeps what was loaded from it, for
    /// [`Parked::resume`].
    pub fn park(self) -> Parked {
        let generation = self.store.meta().map(|m| m.generation).ok();
        Parked {
            dir: self.store.dir().to_path_buf(),
            generation,
            search: self.search,
            graph: self.graph,
            state: self.state,
            facts: self.facts,
            services: self.services,
        }
    }

    /// Creates or updates the index in `dir` from the files on disk, then brings the
    /// search index up to date with it.
    pub fn index(
        dir: &Path,
        config: &IndexConfig,
        progress: &(dyn Fn(IndexEvent) + Sync),
    ) -> Result<(Workspace, IndexReport)> {
        let store = Store::open_or_create(dir)?;
        Workspace::index_store(store, config, progress, &|| {})
    }

    /// Updates the index this workspace reads from the files on disk, through the
    /// same store handle (a process that keeps the store open updates it this way),
    /// and returns a new workspace reading the result; `before_write` runs just
    /// before the store's atomic write.
    pub fn update(
        &self,
        config: &IndexConfig,
        progress: &(dyn Fn(IndexEvent) + Sync),
        before_write: &(dyn Fn() + Sync),
    ) -> Result<(Workspace, IndexReport)> {
        Workspace::index_store(self.store.clone(), config, progress, before_write)
    }

    fn index_store(
        store: Store,
        config: &IndexConfig,
        progress: &(dyn Fn(IndexEvent) + Sync),
        before_write: &(dyn Fn() + Sync),
    ) -> Result<(Workspace, IndexReport)> {
        let observer = RunObserver {
            progress,
            before_write,
            store: store.clone(),
            build: std::sync::RwLock::new(Some(SearchBuild::begin(&store)?)),
            committing: Mutex::new(None),
        };
        let report = index_workspace(&store, config, &observer)?;
        let started = std::time::Instant::now();
        let pending = observer.committing.lock().ok().and_then(|mut c| c.take());
        let updated = (|| -> Result<SearchIndex> {
            let build = match pending {
                Some(handle) => handle
                    .join()
                    .map_err(|_| Error::Invalid("the search index writer failed".to_string()))??,
                None => {
                    // Nothing changed in the store; bring the search index to its generation.
                    let mut build = observer
                        .build
                        .write()
                        .ok()
                        .and_then(|mut b| b.take())
                        .ok_or_else(|| {
                            Error::Invalid("the search index writer failed".to_string())
                        })?;
                    build.commit(&store, &[], &HashSet::new(), report.generation)?;
                    build
                }
            };
            build.open()
        })();
        let search = match updated {
            Ok(search) => search,
            Err(e) => {
                // The store is written and is the source of truth; the search index is
                // derived from it.
                tracing::warn!("{e}; rebuilding the search index from the store");
                SearchIndex::rebuild(&store)?
            }
        };
        tracing::debug!(
            "search index ready {:?} after the store write",
            started.elapsed()
        );
        let workspace = Workspace::on(store);
        let _ = workspace.search.set(search);
        Ok((workspace, report))
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn search_index(&self) -> Result<&SearchIndex> {
        if let Some(s) = self.search.get() {
            return Ok(s);
        }
        // One loader at a time: concurrent first requests wait for it.
        let _loading = self.loading.lock();
        if let Some(s) = self.search.get() {
            return Ok(s);
        }
        let started = std::time::Instant::now();
        let s = SearchIndex::open(&self.store)?;
        tracing::debug!("search index opened in {:?}", started.elapsed());
        Ok(self.search.get_or_init(|| s))
    }

    /// Loads the search index and the traversal view now rather than on the first
    /// question that needs them.
    pub fn warm(&self) -> Result<()> {
        self.search_index()?;
        self.graph_view()?;
        Ok(())
    }

    /// How long matching endpoints across services (the cross-service links) took
    /// when the traversal view was loaded (loading it now if needed).
    pub fn link_time(&self) -> Result<std::time::Duration> {
        Ok(self.graph_view()?.link_time)
    }

    /// The traversal view, loaded on first use.
    fn graph_view(&self) -> Result<&GraphView> {
        if let Some(g) = self.graph.get() {
            return Ok(g);
        }
        let _loading = self.loading.lock();
        if let Some(g) = self.graph.get() {
            return Ok(g);
        }
        let g = GraphView::load(&self.store)?;
        Ok(self.graph.get_or_init(|| g))
    }

    /// Ranked symbol search.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SymbolHit>> {
        if q.text.trim().is_empty() {
            return Err(Error::Invalid("the search text is empty".to_string()));
        }
        self.search_index()?.search(&self.code_service_filter(q)?)
    }

    /// `q` with its service filter as the code's name (a deployment name is accepted).
    fn code_service_filter(&self, q: &SearchQuery) -> Result<SearchQuery> {
        let mut q = q.clone();
        if let Some(s) = &q.service {
            if let Some(code) = self.service_names()?.find(s) {
                q.service = Some(code.code_name.clone());
            }
        }
        Ok(q)
    }

    /// Definitions by name, qualified name or stable ID, with doc and snippet.
    pub fn definitions(&self, target: &str, q: &SearchQuery) -> Result<Vec<Definition>> {
        if target.trim().is_empty() {
            return Err(Error::Invalid("the symbol name is empty".to_string()));
        }
        let search = self.search_index()?;
        let mut hits = search.lookup(target, &self.code_service_filter(q)?)?;
        if hits.is_empty() {
            hits.extend(self.graph_node_hit(target)?);
        }
        let files = files::Files::new(&self.store, &self.facts);
        let meta = self.store.meta()?;
        // Per file: its text on disk now, and whether that differs from what was indexed.
        let mut disk: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
        let mut out = Vec::with_capacity(hits.len());
        for hit in hits {
            let (doc, snippet, stale) = match files.locate(&hit)? {
                Some((file, index)) => {
                    let (text, stale) = disk.entry(hit.file.clone()).or_insert_with(|| {
                        let bytes = read_disk(&meta, &hit.file);
                        let stale = bytes
                            .as_ref()
                            .is_none_or(|b| content_hash(b) != file.0.hash);
                        (
                            bytes.map(|b| String::from_utf8_lossy(&b).into_owned()),
                            stale,
                        )
                    });
                    let s = &file.1.symbols[index as usize];
                    let snippet = text
                        .as_deref()
                        .map(|t| snippet_of(t, s.span.start_line, s.span.end_line));
                    (s.doc.clone(), snippet, *stale)
                }
                None if hit.kind == "file" => {
                    // Top-level code: the file's opening lines.
                    let bytes = read_disk(&meta, &hit.file);
                    let record = self.store.file(&hit.file)?;
                    let stale = match (&bytes, &record) {
                        (Some(b), Some(r)) => content_hash(b) != r.hash,
                        _ => true,
                    };
                    let snippet = bytes
                        .map(|b| snippet_of(&String::from_utf8_lossy(&b), 1, SNIPPET_LINES as u32));
                    (None, snippet, stale)
                }
                None => (None, None, true),
            };
            out.push(Definition {
                symbol: hit,
                doc,
                snippet,
                stale,
                evidence: None,
                confidence: None,
            });
        }
        Ok(out)
    }

    /// Every reference site using `name` (by name; the simple name of a qualified
    /// name or ID is used), ordered by file and position.
    pub fn references(&self, target: &str) -> Result<Vec<RefSite>> {
        let name = simple_name(target);
        if name.is_empty() {
            return Err(Error::Invalid("the symbol name is empty".to_string()));
        }
        let view = self.graph_view()?;
        let files = files::Files::new(&self.store, &self.facts);
        let mut out = Vec::new();
        for path in self.store.files_referencing(&name)? {
            let Some(file) = files.get(&path)? else {
                continue;
            };
            let (record, facts) = (&file.0, &file.1);
            for (i, r) in facts.references.iter().enumerate() {
                if r.name != name {
                    continue;
                }
                let targets = view.targets_with_dispatch(view.edges_of(&path, i as u32).iter());
                out.push(ref_site(record, facts, r, targets));
            }
        }
        Ok(out)
    }

    /// Every cross-service link, by caller service, file and line.
    pub fn service_links(&self) -> Result<Vec<ServiceLink>> {
        let view = self.graph_view()?;
        let names = self.service_names()?;
        // A call is where it is made; a handler is its function's name line (not
        // the decorator or annotation that declares the route).
        // A handler registered in one file and defined in another, or registered as a
        // listener, is shown where it is defined.
        let end = |p: &graph_view::Placed| {
            let hit = view.hit(p.node);
            let here = &view.record_of(p.file).path;
            let (file, line) = match p.fact.role {
                // Elsewhere, or a listener's handler (registered apart from it).
                cartograph_graph::Role::Provides
                    if (&hit.file != here || p.fact.member.is_some()) && hit.kind != "file" =>
                {
                    (hit.file.clone(), hit.line)
                }
                cartograph_graph::Role::Provides
                    if &hit.file == here && hit.line >= p.fact.line =>
                {
                    (here.clone(), hit.line)
                }
                _ => (here.clone(), p.fact.line),
            };
            LinkEnd {
                service: names.shown(view.service_of(p.file)).to_string(),
                file,
                line,
                symbol: hit.id,
            }
        };
        let mut out: Vec<ServiceLink> = Vec::new();
        for (l, consumer, provider) in view.service_links() {
            let link = ServiceLink {
                protocol: consumer.fact.protocol.name().to_string(),
                endpoint: l.endpoint.clone(),
                from: end(consumer),
                to: end(provider),
                evidence: l.evidence.name().to_string(),
                confidence: l.confidence,
                via: l.via.as_deref().map(|g| names.shown(g).to_string()),
                through: None,
            };
            // A library's call is made for each service whose code calls into it:
            // linked from those call sites too, through the library's, where the
            // service calls the function making it or one calling that (deeper, a
            // call only may lead to it: the service map counts those).
            let library = view.service_of(consumer.file);
            if names.is_library(library) {
                for e in view.entries_from_outside(consumer.node, library, 1) {
                    let from = view.service_of_node(e.from);
                    if names.is_library(from)
                        || from == view.service_of(provider.file)
                        || impact::is_test(&view.record_of(e.file).path, "")
                    {
                        continue;
                    }
                    out.push(ServiceLink {
                        from: LinkEnd {
                            service: names.shown(from).to_string(),
                            file: view.record_of(e.file).path.clone(),
                            line: e.line,
                            symbol: view.hit(e.from).id,
                        },
                        evidence: "library".to_string(),
                        confidence: l.confidence * 0.5,
                        through: Some(link.from.clone()),
                        ..link.clone()
                    });
                }
            }
            out.push(link);
        }
        out.sort_by(|a, b| {
            (
                &a.from.service,
                &a.from.file,
                a.from.line,
                &a.to.service,
                &a.to.file,
            )
                .cmp(&(
                    &b.from.service,
                    &b.from.file,
                    b.from.line,
                    &b.to.service,
                    &b.to.file,
                ))
        });
        Ok(out)
    }

    /// The services, each under the name service-level answers show it by.
    pub(crate) fn service_names(&self) -> Result<&ServiceNames> {
        if let Some(names) = self.services.get() {
            return Ok(names);
        }
        let names = ServiceNames::new(
            &self.store.files()?,
            &self.store.services()?,
            &self.store.deployments()?,
        );
        Ok(self.services.get_or_init(|| names))
    }

    /// The name a service is shown under in service-level answers (`services`,
    /// `links`, `endpoints`, impact's services): its deployment name when it has one,
    /// else its own. `name` may be the shown name, the code's name (the one in symbol
    /// IDs) or any name it is deployed under; `None` when no service has it.
    pub fn service_named(&self, name: &str) -> Result<Option<String>> {
        Ok(self.service_names()?.find(name).map(|s| s.name.clone()))
    }

    /// The services (with their languages) and the dependencies the cross-service
    /// links make between them.
    pub fn service_map(&self) -> Result<ServiceMap> {
        let names = self.service_names()?;
        let mut services = names.services.clone();
        let mut edges = Dependencies::default();
        for l in self.service_links()? {
            // Through a gateway, the call site's service depends on the gateway (which
            // depends on the handler's service by its own configuration).
            let to = l.via.as_ref().unwrap_or(&l.to.service);
            if *to == l.from.service {
                continue;
            }
            edges.add(
                (&l.from.service, to, &l.protocol),
                Some(&l.endpoint),
                &l.evidence,
                l.confidence,
            );
        }
        named_service_calls(self.graph_view()?, names, &mut edges);
        let deployments = self.store.deployments()?;
        let deployed = graph_view::DeployedServices::new(
            names
                .services
                .values()
                .map(|s| (s.code_name.as_str(), s.path.as_str())),
            &deployments,
        );
        library_dependencies(self.graph_view()?, names, &deployed, &mut edges);
        let envs = deployed.envs(&deployments);
        let setup = Deployed {
            names,
            deployments: &deployments,
            deployed: &deployed,
            envs: &envs,
        };
        config_dependencies(&setup, &mut edges);
        let view = self.graph_view()?;
        let connections: Vec<(&str, &str)> = view
            .connections
            .iter()
            .map(|(f, url)| (view.service_of(*f), url.as_str()))
            .collect();
        infrastructure(&setup, &connections, &mut services, &mut edges);
        declared_references(&setup, &mut edges);
        let unmatched = self
            .endpoints(None)?
            .into_iter()
            .filter(|e| !e.linked && !e.internal)
            .collect();
        let mut not_indexed = Vec::new();
        for (d, runs) in deployments.iter().zip(&deployed.runs) {
            let Some((code, _)) = runs else { continue };
            let service = names.shown(code).to_string();
            for source in &d.missing_config {
                not_indexed.push(NotIndexed {
                    service: service.clone(),
                    file: d.file.clone(),
                    source: source.clone(),
                    note: "configuration repository not indexed: the routes and addresses \
                           it gives the services it configures are missing from the map \
                           (index it beside this workspace)"
                        .to_string(),
                });
            }
        }
        not_indexed.sort_by(|a, b| (&a.source, &a.file).cmp(&(&b.source, &b.file)));
        not_indexed.dedup_by(|a, b| a.source == b.source && a.service == b.service);
        let (edges, entries) = entry_routes(&deployments, &services, edges);
        Ok(ServiceMap {
            services: services.into_values().collect(),
            edges,
            entries,
            unmatched,
            not_parsed: self.not_parsed()?,
            not_indexed,
        })
    }

    /// Directories of files in languages Cartograph does not parse, as the last run
    /// found them.
    pub fn not_parsed(&self) -> Result<Vec<NotParsed>> {
        Ok(self
            .store
            .skipped()?
            .into_iter()
            .filter(cartograph_indexer::Skipped::is_unparsed_language)
            .map(|s| NotParsed {
                path: s.path,
                note: s.reason,
            })
            .collect())
    }

    /// The endpoints services provide and consume (matched to a contract), by
    /// service, file and line; only those of `service` when given.
    pub fn endpoints(&self, service: Option<&str>) -> Result<Vec<EndpointInfo>> {
        let view = self.graph_view()?;
        let names = self.service_names()?;
        let code = match service {
            Some(s) => match names.find(s) {
                Some(info) => Some(info.code_name.as_str()),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let linked: std::collections::HashSet<usize> = view
            .service_links_raw()
            .iter()
            .flat_map(|l| [l.consumer, l.provider])
            .collect();
        let mut out: Vec<EndpointInfo> = view
            .endpoints()
            .iter()
            .enumerate()
            .filter(|(_, p)| code.is_none_or(|s| view.service_of(p.file) == s))
            .map(|(i, p)| EndpointInfo {
                service: names.shown(view.service_of(p.file)).to_string(),
                role: match p.fact.role {
                    cartograph_graph::Role::Provides => "provides",
                    cartograph_graph::Role::Consumes => "consumes",
                }
                .to_string(),
                protocol: p.fact.protocol.name().to_string(),
                endpoint: p.key.clone().unwrap_or_default(),
                file: view.record_of(p.file).path.clone(),
                line: p.fact.line,
                symbol: view.hit(p.node).id,
                linked: linked.contains(&i),
                internal: view.is_internal(i),
            })
            .collect();
        out.sort_by(|a, b| {
            (&a.service, &a.role, &a.file, a.line).cmp(&(&b.service, &b.role, &b.file, b.line))
        });
        Ok(out)
    }

    /// Every reference of an indexed file, in order, each with the definitions it
    /// resolves to (most confident first; no interface dispatch).
    pub fn file_references(&self, path: &str) -> Result<Vec<RefSite>> {
        let files = files::Files::new(&self.store, &self.facts);
        let Some(file) = files.get(path)? else {
            return Err(Error::NotIndexed {
                path: path.to_string(),
                hint: String::new(),
            });
        };
        let view = self.graph_view()?;
        let (record, facts) = (&file.0, &file.1);
        Ok(facts
            .references
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let targets = view
                    .edges_of(path, i as u32)
                    .iter()
                    .map(|e| view.target(e))
                    .collect();
                ref_site(record, facts, r, targets)
            })
            .collect())
    }

    /// Picks the symbol a user means: by stable ID, qualified name or name. Several
    /// matches are returned as they are, for the caller to list.
    pub fn choose_symbol(&self, arg: &str) -> Result<Vec<SymbolHit>> {
        if arg.trim().is_empty() {
            return Err(Error::Invalid("the symbol name is empty".to_string()));
        }
        if let Some(hit) = self.graph_node_hit(arg)? {
            return Ok(vec![hit]);
        }
        let q = SearchQuery {
            limit: 200,
            ..SearchQuery::default()
        };
        let wanted = arg.trim().replace("::", ".").replace('#', ".");
        let hits = self.search_index()?.lookup(arg, &q)?;
        // Only exact matches: a different case is a different symbol.
        Ok(hits
            .into_iter()
            .filter(|h| {
                h.id == arg
                    || h.name == wanted
                    || h.qualified_name == wanted
                    || h.qualified_name.ends_with(&format!(".{wanted}"))
            })
            .collect())
    }

    /// The symbol of a file's `<top-level>` code by its ID (answers print such IDs;
    /// the search index holds only definitions).
    fn graph_node_hit(&self, id: &str) -> Result<Option<SymbolHit>> {
        // Only a file's top-level code is missing from the search index; asking the
        // view for anything else would load it for nothing.
        let top_level = cartograph_graph::split_symbol_id(id)
            .is_some_and(|(_, _, _, descriptor)| descriptor == cartograph_graph::TOP_LEVEL);
        if !top_level {
            return Ok(None);
        }
        let view = self.graph_view()?;
        Ok(view.node(id).map(|n| view.hit(n)))
    }

    /// References resolved to exactly this symbol, each with the link's evidence;
    /// for a handler, also the call sites in other services linked to it.
    pub fn references_to(&self, symbol: &SymbolHit) -> Result<Vec<RefSite>> {
        let view = self.graph_view()?;
        let Some(n) = view.node(&symbol.id) else {
            return Ok(Vec::new());
        };
        let files = files::Files::new(&self.store, &self.facts);
        // Calls from other services through the contracts this handler answers, and
        // for an rpc of a `.proto` file its client call sites in every service.
        let linked: Vec<_> = view
            .link_edges_into(n)
            .into_iter()
            .chain(view.contract_calls_into(n))
            .collect();
        let mut edges: Vec<_> = view.edges_into(n).chain(&linked).collect();
        edges.sort_by_key(|e| (view.file_path(e.file), e.reference));
        let mut out = Vec::with_capacity(edges.len());
        for e in edges {
            let Some(file) = files.get(view.file_path(e.file))? else {
                continue;
            };
            let (record, facts) = (&file.0, &file.1);
            if let Some(r) = facts.references.get(e.reference as usize) {
                out.push(ref_site(record, facts, r, vec![view.target(e)]));
            }
        }
        Ok(out)
    }

    /// Go to definition from a position (`line` 1-based, `col` 0-based bytes) in an
    /// indexed file: the definitions the reference there resolves to, or the
    /// definition whose name is there, with the evidence `definition` (where a reference
    /// there resolves to none).
    pub fn definition_at(&self, path: &str, line: u32, col: u32) -> Result<Vec<Definition>> {
        let files = files::Files::new(&self.store, &self.facts);
        let Some(file) = files.get(path)? else {
            return Err(Error::NotIndexed {
                path: path.to_string(),
                hint: String::new(),
            });
        };
        let at = |sp: &cartograph_indexer::Span| {
            sp.start_line == line && sp.start_col <= col && (col < sp.end_col || sp.end_line > line)
        };
        let q = SearchQuery {
            limit: 10,
            ..SearchQuery::default()
        };
        let own = file.1.symbols.iter().find(|s| at(&s.name_span));
        if let Some(i) = file.1.references.iter().position(|r| at(&r.span)) {
            let graph = self.store.graph(path)?.unwrap_or_default();
            let mut out = Vec::new();
            for link in graph.links_of(i as u32) {
                let id = graph.id_of(&file.0, link.to);
                for mut d in self.definitions(&id, &q)? {
                    d.evidence = Some(link.evidence.name().to_string());
                    d.confidence = Some(link.confidence);
                    out.push(d);
                }
            }
            // (A member assignment, `x.parse = (p) => ..`, defines a function where
            // it uses the member: unresolved, the definition answers.)
            if !out.is_empty() || own.is_none() {
                return Ok(out);
            }
        }
        if let Some(s) = own {
            let mut found = self.definitions(&file.0.symbol_id(&s.descriptor), &q)?;
            for d in &mut found {
                d.evidence = Some("definition".to_string());
                d.confidence = Some(1.0);
            }
            return Ok(found);
        }
        Ok(Vec::new())
    }

    /// Who calls `symbol`, transitively to `depth` levels (at most [`MAX_DEPTH`]).
    pub fn callers(&self, symbol: &SymbolHit, depth: usize) -> Result<CallTree> {
        self.call_tree(symbol, depth, true, None)
    }

    /// Callers (or callees) of `symbol` to `depth` levels, within a token budget of
    /// the answer as JSON when one is given (the tree says `truncated` when cut).
    pub fn call_tree(
        &self,
        symbol: &SymbolHit,
        depth: usize,
        callers: bool,
        tokens: Option<usize>,
    ) -> Result<CallTree> {
        Ok(self.graph_view()?.call_tree(symbol, depth, callers, tokens))
    }

    /// The type hierarchy around `symbol`: supertypes, subtypes, and for a member
    /// what it overrides and what overrides it.
    pub fn hierarchy(&self, symbol: &SymbolHit) -> Result<Hierarchy> {
        let view = self.graph_view()?;
        let files = files::Files::new(&self.store, &self.facts);
        // Relations declared on the type that link nowhere (a library base class).
        let unresolved = |owner: &SymbolHit| -> Vec<(String, String)> {
            let Ok(Some((file, index))) = files.locate(owner) else {
                return Vec::new();
            };
            let edges = view.edges_in(&owner.file);
            file.1
                .references
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    matches!(
                        r.kind,
                        cartograph_indexer::RefKind::Inherit
                            | cartograph_indexer::RefKind::Implement
                    ) && r.enclosing == Some(index)
                        && !edges.iter().any(|e| e.reference == *i as u32)
                })
                .map(|(_, r)| {
                    (
                        r.name.clone(),
                        format!("{}:{}:{}", owner.file, r.span.start_line, r.span.start_col),
                    )
                })
                .collect()
        };
        Ok(view.hierarchy(symbol, &unresolved))
    }

    /// A shortest chain of resolved calls from `from` to `to` (at most [`MAX_DEPTH`]
    /// calls), or `None` when there is none within the limits.
    pub fn call_path(&self, from: &SymbolHit, to: &SymbolHit) -> Result<Option<Vec<CallNode>>> {
        Ok(self.graph_view()?.call_path(&from.id, &to.id, MAX_DEPTH))
    }

    /// What `symbol` calls, transitively to `depth` levels (at most [`MAX_DEPTH`]).
    pub fn callees(&self, symbol: &SymbolHit, depth: usize) -> Result<CallTree> {
        self.call_tree(symbol, depth, false, None)
    }

    /// Resolves a path given by a user (absolute, relative to `cwd`, or a workspace
    /// path) to the workspace path of an indexed file.
    pub fn resolve_path(&self, given: &str, cwd: &Path) -> Result<String> {
        let meta = self.store.meta()?;
        let mut candidates: Vec<String> = vec![given.trim_start_matches("./").to_string()];
        let abs = if Path::new(given).is_absolute() {
            PathBuf::from(given)
        } else {
            cwd.join(given)
        };
        let abs = abs.canonicalize().unwrap_or(abs);
        for r in &meta.roots {
            let root = Root {
                path: r.path.clone(),
                prefix: r.prefix.clone(),
            };
            if let Some(p) = root.workspace_path(&abs) {
                candidates.insert(0, p);
            }
        }
        for c in &candidates {
            if self.store.file(c)?.is_some() {
                return Ok(c.clone());
            }
        }
        let hint = if abs.exists() {
            "; it may be ignored, skipped, of an unsupported language, or new since the last `cartograph index`"
        } else {
            "; no such file"
        };
        Err(Error::NotIndexed {
            path: given.to_string(),
            hint: hint.to_string(),
        })
    }

    /// The nested symbol tree of one indexed file (a workspace path).
    pub fn outline(&self, path: &str) -> Result<Vec<OutlineNode>> {
        let (Some(record), Some(facts)) = (self.store.file(path)?, self.store.facts(path)?) else {
            return Err(Error::NotIndexed {
                path: path.to_string(),
                hint: String::new(),
            });
        };
        let hits: Vec<SymbolHit> = facts.symbols.iter().map(|s| hit_of(&record, s)).collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); facts.symbols.len()];
        let mut top = Vec::new();
        for (i, s) in facts.symbols.iter().enumerate() {
            match s.parent {
                Some(p) if (p as usize) < i => children[p as usize].push(i),
                _ => top.push(i),
            }
        }
        fn build(i: usize, hits: &[SymbolHit], children: &[Vec<usize>]) -> OutlineNode {
            OutlineNode {
                symbol: hits[i].clone(),
                children: children[i]
                    .iter()
                    .map(|c| build(*c, hits, children))
                    .collect(),
            }
        }
        Ok(top
            .into_iter()
            .map(|i| build(i, &hits, &children))
            .collect())
    }

    /// Index statistics, including how the index differs from the disk now.
    pub fn stats(&self) -> Result<Stats> {
        let meta = self.store.meta()?;
        let files = self.store.files()?;
        let mut stats = Stats {
            services: self.store.services()?.len() as u64,
            skipped: self.store.skipped()?.len() as u64,
            not_parsed: self.not_parsed()?,
            indexed_at: meta.indexed_at,
            generation: meta.generation,
            roots: meta
                .roots
                .iter()
                .map(|r| r.path.display().to_string())
                .collect(),
            index_size_bytes: dir_size(self.store.dir()),
            ..Stats::default()
        };
        for f in &files {
            stats.files += 1;
            stats.lines += u64::from(f.lines);
            stats.bytes += f.size;
            stats.symbols += u64::from(f.symbols);
            stats.references += u64::from(f.references);
            stats.imports += u64::from(f.imports);
            if f.diagnostics > 0 {
                stats.files_with_diagnostics += 1;
            }
            let l = stats
                .languages
                .entry(f.language.name().to_string())
                .or_default();
            l.files += 1;
            l.lines += u64::from(f.lines);
            l.bytes += f.size;
            l.symbols += u64::from(f.symbols);
            l.references += u64::from(f.references);
        }
        stats.freshness = self.freshness(&files)?;
        stats.repositories = self
            .store
            .heads()?
            .into_iter()
            .map(|h| model::RepositoryState {
                root: h.root.display().to_string(),
                commit: h.commit,
                branch: h.branch,
            })
            .collect();
        Ok(stats)
    }

    /// Compares the index with the files on disk now.
    fn freshness(&self, files: &[FileRecord]) -> Result<Freshness> {
        let meta = self.store.meta()?;
        let roots: Vec<Root> = meta
            .roots
            .iter()
            .map(|r| Root {
                path: r.path.clone(),
                prefix: r.prefix.clone(),
            })
            .collect();
        let mut config = WalkConfig {
            max_file_size: meta.max_file_size.max(1),
            follow_symlinks: meta.follow_symlinks,
            ..WalkConfig::default()
        };
        if let Ok(dir) = self.store.dir().canonicalize() {
            config.exclude.push(dir);
        }
        let walked = walk(&roots, &config);
        let indexed: BTreeMap<&str, &FileRecord> =
            files.iter().map(|f| (f.path.as_str(), f)).collect();
        let skipped: BTreeSet<String> = self.store.skipped()?.into_iter().map(|s| s.path).collect();
        let mut fresh = Freshness::default();
        let mut on_disk: BTreeSet<&str> = BTreeSet::new();
        for file in &walked.files {
            on_disk.insert(file.path.as_str());
            match indexed.get(file.path.as_str()) {
                None if !skipped.contains(&file.path) => fresh.added.push(file.path.clone()),
                None => {}
                Some(rec) => {
                    let unchanged = rec.size == file.size && rec.mtime == file.mtime;
                    if !unchanged {
                        let same = std::fs::read(&file.abs_path)
                            .is_ok_and(|b| content_hash(&b) == rec.hash);
                        if !same {
                            fresh.modified.push(file.path.clone());
                        }
                    }
                }
            }
        }
        for f in files {
            if !on_disk.contains(f.path.as_str()) {
                fresh.deleted.push(f.path.clone());
            }
        }
        Ok(fresh)
    }

    /// Services, sorted by path.
    pub fn services(&self) -> Result<Vec<Service>> {
        Ok(self.store.services()?)
    }

    /// How every reference of the index resolves: counts per evidence (the best link
    /// of each reference), and how many stay unresolved.
    pub fn resolution_stats(&self) -> Result<ResolutionStats> {
        let view = self.graph_view()?;
        let mut stats = ResolutionStats::default();
        for record in self.store.files()? {
            stats.references += u64::from(record.references);
            let edges = view.edges_in(&record.path);
            let mut resolved = 0;
            let mut at = 0;
            while at < edges.len() {
                let reference = edges[at].reference;
                let end = at
                    + edges[at..]
                        .iter()
                        .take_while(|e| e.reference == reference)
                        .count();
                *stats
                    .by_evidence
                    .entry(edges[at].evidence.name().to_string())
                    .or_default() += 1;
                if end - at > 1 {
                    stats.ambiguous += 1;
                }
                resolved += 1;
                at = end;
            }
            stats.unresolved += u64::from(record.references).saturating_sub(resolved);
        }
        Ok(stats)
    }

    /// Streams the whole graph as export records to `sink`, in a stable order:
    /// services, then each file followed by its symbols, references and edges.
    pub fn export(&self, sink: &mut dyn FnMut(ExportRecord) -> std::io::Result<()>) -> Result<()> {
        let services = self.store.services()?;
        let files = self.store.files()?;
        let io = Error::Output;
        for s in &services {
            let languages: BTreeSet<String> = files
                .iter()
                .filter(|f| f.service == s.name)
                .map(|f| f.language.name().to_string())
                .collect();
            sink(ExportRecord::Service {
                name: s.name.clone(),
                path: s.path.clone(),
                manifest: s.manifest.clone(),
                languages: languages.into_iter().collect(),
            })
            .map_err(io)?;
        }
        let view = self.graph_view()?;
        for record in &files {
            let Some(facts) = self.store.facts(&record.path)? else {
                continue;
            };
            sink(ExportRecord::File {
                path: record.path.clone(),
                language: record.language.name().to_string(),
                service: record.service.clone(),
                lines: record.lines,
                hash: record.hash.clone(),
                size: record.size,
            })
            .map_err(io)?;
            let hits: Vec<SymbolHit> = facts.symbols.iter().map(|s| hit_of(record, s)).collect();
            for (s, hit) in facts.symbols.iter().zip(&hits) {
                sink(ExportRecord::Symbol {
                    symbol: hit.clone(),
                    parent: s
                        .parent
                        .and_then(|p| hits.get(p as usize))
                        .map(|h| h.id.clone()),
                })
                .map_err(io)?;
            }
            let mut out_edges = Vec::new();
            for (i, r) in facts.references.iter().enumerate() {
                let mut targets = Vec::new();
                for e in view.edges_of(&record.path, i as u32) {
                    let t = view.target(e);
                    out_edges.push(ExportRecord::Edge {
                        kind: edge_kind(r.kind).to_string(),
                        from: view.hit(e.from).id,
                        to: t.id.clone(),
                        evidence: t.evidence.clone(),
                        confidence: t.confidence,
                        site: format!("{}:{}:{}", record.path, r.span.start_line, r.span.start_col),
                    });
                    targets.push(t);
                }
                sink(ExportRecord::Reference {
                    file: record.path.clone(),
                    line: r.span.start_line,
                    col: r.span.start_col,
                    end_col: r.span.end_col,
                    kind: r.kind.name().to_string(),
                    name: r.name.clone(),
                    qualifier: r.qualifier.clone(),
                    enclosing: r
                        .enclosing
                        .and_then(|i| hits.get(i as usize))
                        .map(|h| h.id.clone()),
                    targets,
                })
                .map_err(io)?;
            }
            for e in out_edges {
                sink(e).map_err(io)?;
            }
        }
        // Cross-service links, after every file.
        for l in self.service_links()? {
            sink(ExportRecord::Edge {
                kind: "links".to_string(),
                from: l.from.symbol.clone(),
                to: l.to.symbol.clone(),
                evidence: l.evidence.clone(),
                confidence: l.confidence,
                site: format!("{}:{}", l.from.file, l.from.line),
            })
            .map_err(io)?;
        }
        Ok(())
    }
}

/// A reference as query results show it.
fn ref_site(
    record: &FileRecord,
    facts: &FileFacts,
    r: &cartograph_indexer::Reference,
    targets: Vec<RefTarget>,
) -> RefSite {
    RefSite {
        file: record.path.clone(),
        line: r.span.start_line,
        col: r.span.start_col,
        end_col: if r.span.end_line == r.span.start_line {
            r.span.end_col
        } else {
            r.span.start_col
        },
        kind: r.kind.name().to_string(),
        name: r.name.clone(),
        qualifier: r.qualifier.clone(),
        enclosing: r
            .enclosing
            .and_then(|e| facts.symbols.get(e as usize))
            .map(|s| record.symbol_id(&s.descriptor)),
        service: record.service.clone(),
        language: record.language.name().to_string(),
        targets,
    }
}

/// The graph edge a resolved reference of this kind makes.
fn edge_kind(kind: cartograph_indexer::RefKind) -> &'static str {
    use cartograph_indexer::RefKind;
    match kind {
        RefKind::Call | RefKind::Macro => "calls",
        RefKind::Inherit => "inherits",
        RefKind::Implement => "implements",
        RefKind::Import | RefKind::Module => "imports",
        RefKind::Type | RefKind::Other | RefKind::Key => "references",
    }
}

pub(crate) fn hit_of(record: &FileRecord, s: &cartograph_indexer::SymbolDef) -> SymbolHit {
    SymbolHit {
        id: record.symbol_id(&s.descriptor),
        name: s.name.clone(),
        qualified_name: s.qualified_name.clone(),
        kind: s.kind.name().to_string(),
        language: record.language.name().to_string(),
        service: record.service.clone(),
        file: record.path.clone(),
        line: s.name_span.start_line,
        col: s.name_span.start_col,
        end_line: s.span.end_line,
        end_col: s.span.end_col,
        signature: s.signature.clone(),
        score: 0.0,
        generated: record.generated,
    }
}

fn simple_name(target: &str) -> String {
    let t = match cartograph_graph::split_symbol_id(target) {
        Some((_, _, _, descriptor)) => descriptor,
        None => target.to_string(),
    };
    let t = t.trim().trim_end_matches(['.', '#', '/', ')', '(']);
    let t = t.trim_end_matches("().");
    let cut = t.rfind(['.', ':', '#', '/']).map_or(0, |i| i + 1);
    t[cut..].trim_matches('`').to_string()
}

/// Whether a path given in a request can name a file inside the roots: relative,
/// with no `..` and no root or drive component. Anything else is refused before
/// the disk is touched, so whether it exists is never revealed.
pub fn is_workspace_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\0')
        && Path::new(path).components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        })
}

/// Bytes of a file on disk, found through the index roots. Only a regular file no
/// larger than the index's size cap whose real path lies inside its root (unless
/// the index follows links out of the roots) is read: a path with `..` or a root,
/// a FIFO or a device is not.
fn read_disk(meta: &cartograph_graph::IndexMeta, path: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    if !is_workspace_path(path) {
        return None;
    }
    let max_size = meta.max_file_size.max(1);
    for r in &meta.roots {
        let rel = if r.prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(&r.prefix)
                .and_then(|p| p.strip_prefix('/'))
        };
        let Some(rel) = rel else { continue };
        let Ok(real) = r.path.join(rel).canonicalize() else {
            continue;
        };
        if !meta.follow_symlinks && !real.starts_with(&r.path) {
            continue;
        }
        let Ok(meta) = std::fs::metadata(&real) else {
            continue;
        };
        if !meta.is_file() || meta.len() > max_size {
            continue;
        }
        let mut bytes = Vec::new();
        let read =
            std::fs::File::open(&real).and_then(|f| f.take(max_size).read_to_end(&mut bytes));
        if read.is_ok() {
            return Some(bytes);
        }
    }
    None
}

fn snippet_of(text: &str, start: u32, end: u32) -> String {
    let start = start.max(1) as usize;
    let end = (end as usize).max(start);
    let take = (end - start + 1).min(SNIPPET_LINES);
    let lines: Vec<&str> = text.lines().skip(start - 1).take(take).collect();
    let truncated = end - start + 1 > take;
    let mut s = lines.join("\n");
    let mut truncated = truncated;
    if s.len() > MAX_SNIPPET_BYTES {
        let mut cut = MAX_SNIPPET_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        truncated = true;
    }
    if truncated {
        s.push_str("\n…");
    }
    s
}

/// Bytes used by the files under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(_) => total += e.metadata().map_or(0, |m| m.len()),
                Err(_) => {}
            }
        }
    }
    total
}

/// Finds the index directory for a query: `explicit` if given, else the nearest
/// `.cartograph` directory in `cwd` or one of its ancestors.
pub fn find_index_dir(explicit: Option<&Path>, cwd: &Path) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.to_path_buf());
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        let candidate = d.join(INDEX_DIR_NAME);
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Service dependencies being gathered, by (from, to, protocol): each merges the
/// endpoints and evidence of what makes it and keeps the highest confidence.
#[derive(Default)]
struct Dependencies(BTreeMap<(String, String, String), ServiceDependency>);

impl Dependencies {
    fn add(
        &mut self,
        (from, to, protocol): (&str, &str, &str),
        endpoint: Option<&str>,
        evidence: &str,
        confidence: f32,
    ) {
        let e = self
            .0
            .entry((from.to_string(), to.to_string(), protocol.to_string()))
            .or_insert_with(|| ServiceDependency {
                from: from.to_string(),
                to: to.to_string(),
                protocol: protocol.to_string(),
                endpoints: Vec::new(),
                evidence: Vec::new(),
                confidence: 0.0,
            });
        if let Some(endpoint) = endpoint.filter(|p| !e.endpoints.iter().any(|x| x == p)) {
            e.endpoints.push(endpoint.to_string());
            e.endpoints.sort();
        }
        if !e.evidence.iter().any(|x| x == evidence) {
            e.evidence.push(evidence.to_string());
            e.evidence.sort();
        }
        e.confidence = e.confidence.max(confidence);
    }
}

/// HTTP calls whose URL names another service of the workspace but no route of it
/// answers (its handlers are in a framework or language Cartograph does not read, or
/// the path is built at run time): a dependency all the same, less sure than a
/// matched route (`literal-url` 0.6, `env-config` 0.55); the calls stay `unmatched`.
fn named_service_calls(view: &GraphView, names: &ServiceNames, edges: &mut Dependencies) {
    let linked: std::collections::HashSet<usize> = view
        .service_links_raw()
        .iter()
        .map(|l| l.consumer)
        .collect();
    for (i, p) in view.endpoints().iter().enumerate() {
        let (cartograph_graph::Role::Consumes, Some((_, Some(target), addressed)), Some(key)) =
            (p.fact.role, p.http.as_ref(), p.key.as_deref())
        else {
            continue;
        };
        let own = view.service_of(p.file);
        if linked.contains(&i) || target == own {
            continue;
        }
        let (evidence, confidence) = match addressed {
            graph_view::Addressed::Env => ("env-config", 0.55),
            graph_view::Addressed::Discovery => ("discovery-name", 0.5),
            graph_view::Addressed::Literal => ("literal-url", 0.6),
        };
        edges.add(
            (names.shown(own), names.shown(target), "http"),
            Some(key),
            evidence,
            confidence,
        );
    }
}

/// What libraries do on behalf of the services built with them, and the services
/// reached by discovery names.
///
/// A library is a service with code that no deployment runs while others are
/// deployed (a shared client module). Its calls to other services (links, HTTP
/// calls naming a service) and its uses of a discovery name (a member of an
/// enumeration of services, `Service.AUTH("auth-service")`) count for each
/// deployed service whose code reaches them through the library's own functions
/// (`library`, confidence 0.5 of the link's); the library's own edges then go.
/// Outside libraries, the service using a discovery name depends on the service it
/// names (`discovery-name`, 0.5).
fn library_dependencies(
    view: &GraphView,
    names: &ServiceNames,
    deployed: &graph_view::DeployedServices,
    edges: &mut Dependencies,
) {
    let library = |code: &str| names.is_library(code);
    let is_test = |n: u32| impact::is_test(&view.record_of(view.node_file(n)).path, "");
    // (node where the dependency is, its service, target's code name, protocol, evidence, confidence)
    let mut sites: Vec<(u32, String, String, &'static str, &'static str, f32)> = Vec::new();
    for (member, value) in view.discovery_names() {
        let Some(target) = deployed.service_for_url(&format!("http://{value}/")) else {
            continue;
        };
        for user in view.edges_into(member).map(|e| e.from) {
            if is_test(user) {
                continue;
            }
            let service = view.service_of_node(user).to_string();
            sites.push((user, service, target.clone(), "http", "discovery-name", 0.5));
        }
    }
    let mut attributed: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for l in view.service_links_raw() {
        let consumer = &view.endpoints()[l.consumer];
        let service = view.service_of(consumer.file);
        if library(service) {
            let provider = &view.endpoints()[l.provider];
            sites.push((
                consumer.node,
                service.to_string(),
                view.service_of(provider.file).to_string(),
                consumer.fact.protocol.name(),
                "library",
                l.confidence,
            ));
        }
    }
    for p in view.endpoints() {
        let service = view.service_of(p.file);
        if let (true, cartograph_graph::Role::Consumes, Some((_, Some(target), _))) =
            (library(service), p.fact.role, p.http.as_ref())
        {
            sites.push((
                p.node,
                service.to_string(),
                target.clone(),
                "http",
                "library",
                0.6,
            ));
        }
    }
    for (node, service, target, protocol, evidence, confidence) in sites {
        if library(&service) {
            let users = view.users_outside(node, &service);
            for user in users.into_iter().filter(|u| !is_test(*u)) {
                let from = view.service_of_node(user);
                if from != target && !library(from) {
                    attributed.insert(names.shown(&service).to_string());
                    edges.add(
                        (names.shown(from), names.shown(&target), protocol),
                        None,
                        "library",
                        confidence * 0.5,
                    );
                }
            }
        } else if service != target {
            edges.add(
                (names.shown(&service), names.shown(&target), protocol),
                None,
                evidence,
                confidence,
            );
        }
    }
    // A library's own edges were its users'.
    edges.0.retain(|(from, _, _), _| !attributed.contains(from));
}

/// What the service map reads from the deployments, worked out once.
struct Deployed<'a> {
    names: &'a ServiceNames,
    deployments: &'a [cartograph_indexer::Deployment],
    deployed: &'a graph_view::DeployedServices,
    /// Each service's environment (see `DeployedServices::envs`).
    envs: &'a HashMap<String, BTreeMap<String, String>>,
}

/// Adds the dependencies services' configuration declares (gateway routes, URLs
/// naming another service; see `ConfigCall`): evidence `env-config`, less sure than
/// a call in code (0.8 for a route, 0.6 for a URL alone).
fn config_dependencies(d: &Deployed<'_>, edges: &mut Dependencies) {
    for (deployment, runs) in d.deployments.iter().zip(&d.deployed.runs) {
        let Some((owner, _)) = runs else { continue };
        for call in &deployment.calls {
            let (url, _) = cartograph_graph::resolve_env(&call.url, d.envs.get(owner));
            // HTTP, or a discovery name (`lb://`); a JDBC or broker URL is not.
            if url.split_once("://").is_some_and(|(scheme, _)| {
                !matches!(scheme, "http" | "https" | "lb" | "ws" | "wss")
            }) {
                continue;
            }
            let (_, path) = cartograph_graph::split_url(&url);
            let Some(target) = d.deployed.service_for_url(&url) else {
                continue;
            };
            if target == owner || graph_view::is_probe(&path) {
                continue;
            }
            // A route, or a URL's path (an address alone names no endpoint).
            let endpoint = match call.route.as_deref() {
                Some(route) => Some(format!("http:* {route}")),
                None if path.trim_matches('/').is_empty() => None,
                None => Some(format!("http:* {path}")),
            };
            let confidence = if call.route.is_some() { 0.8 } else { 0.6 };
            let (from, to) = (d.names.shown(owner), d.names.shown(target));
            edges.add(
                (from, to, "http"),
                endpoint.as_deref(),
                "env-config",
                confidence,
            );
        }
    }
}

/// Services an orchestrator hands the address of another (Aspire's
/// `WithReference(basketApi)`): a dependency declared, not shown in use (`manifest`,
/// 0.4), where no link or configuration between the two says more; its protocol is
/// then not known, and `http` is assumed.
fn declared_references(d: &Deployed<'_>, edges: &mut Dependencies) {
    for (deployment, runs) in d.deployments.iter().zip(&d.deployed.runs) {
        let Some((owner, _)) = runs else { continue };
        for name in &deployment.references {
            let Some(target) = d.deployed.service_for_url(&format!("http://{name}/")) else {
                continue;
            };
            let (from, to) = (d.names.shown(owner), d.names.shown(target));
            let known = edges.0.keys().any(|(f, t, _)| f == from && t == to);
            if target != owner && !known {
                edges.add((from, to, "http"), None, "manifest", 0.4);
            }
        }
    }
}

/// The dependencies, and apart from them the routes by which traffic from outside
/// enters: those of a routing object's gateway (a node of its own, of kind
/// `gateway`) that no dependency leads to.
fn entry_routes(
    deployments: &[cartograph_indexer::Deployment],
    services: &BTreeMap<String, ServiceInfo>,
    edges: Dependencies,
) -> (Vec<ServiceDependency>, Vec<ServiceDependency>) {
    let routing: std::collections::HashSet<&str> = deployments
        .iter()
        .filter(|d| {
            d.image
                .as_deref()
                .is_some_and(|i| cartograph_indexer::ROUTING_OBJECT_IMAGES.contains(&i))
        })
        .map(|d| d.name.as_str())
        .filter(|name| {
            services
                .get(*name)
                .is_some_and(|s| s.kind.as_deref() == Some("gateway"))
        })
        .collect();
    let called: std::collections::HashSet<String> =
        edges.0.values().map(|e| e.to.clone()).collect();
    edges
        .0
        .into_values()
        .partition(|e| !routing.contains(e.from.as_str()) || called.contains(&e.from))
}

/// Adds the infrastructure the deployments run (brokers, datastores: third-party
/// images, see [`infrastructure_of`], and images of no known kind that services reach
/// by a datastore's or broker's scheme, see [`scheme_infrastructure`]) as nodes, and
/// each service's dependency on
/// them: named in its environment or configuration as a host (`AMQP_HOST=rabbitmq`,
/// `mongodb://user-db:27017`, `spring.rabbitmq.host`; evidence `env-config`, 0.7), in
/// its code (a connection string or a client's host option, see `connections`;
/// evidence `connection-string`, 0.7), or declared by its deployment (compose
/// `depends_on`; evidence `manifest`, 0.4).
/// The protocol is the infrastructure's (`rabbitmq`, `redis`, `mongodb`, …).
fn infrastructure(
    d: &Deployed<'_>,
    connections: &[(&str, &str)],
    services: &mut BTreeMap<String, ServiceInfo>,
    edges: &mut Dependencies,
) {
    // A deployment file outside every service's directory (the system's own) names
    // a node first.
    let service_dirs: Vec<String> = d
        .names
        .services
        .values()
        .filter(|s| !s.path.is_empty())
        .map(|s| format!("{}/", s.path))
        .collect();
    let mut order: Vec<usize> = (0..d.deployments.len()).collect();
    order.sort_by_key(|i| {
        let file = &d.deployments[*i].file;
        service_dirs.iter().any(|dir| file.starts_with(dir))
    });
    // Infrastructure by name as hosts compare: (shown name, protocol).
    let mut infra: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    // A service whose own image is a third-party one (a directory holding a
    // `Dockerfile` `FROM postgres` and its init scripts) is that infrastructure,
    // under each name it is deployed as.
    for (deployment, runs) in d.deployments.iter().zip(&d.deployed.runs) {
        let (Some((owner, true)), true) = (runs, deployment.file.ends_with("Dockerfile")) else {
            continue;
        };
        let Some((kind, protocol)) = deployment.image.as_deref().and_then(infrastructure_of) else {
            continue;
        };
        // A web server's image serves the service's own files (a built frontend).
        if is_web_server(deployment.image.as_deref().unwrap_or_default()) {
            continue;
        }
        let Some(service) = services.get_mut(d.names.shown(owner)) else {
            continue;
        };
        service.kind = Some(kind.to_string());
        for name in std::iter::once(&service.name).chain(&service.deployed_as) {
            infra.insert(graph_view::host_key(name), (service.name.clone(), protocol));
        }
        infra.insert(
            graph_view::host_key(owner),
            (service.name.clone(), protocol),
        );
    }
    // Hosts the services' environments and code reach by a datastore's or broker's
    // scheme (`ORDER_DB_URI=mongodb://documentdb:10260`): what a third-party image
    // no list knows is, when that is how it is reached.
    let mut reached: BTreeMap<String, (&'static str, &'static str)> = BTreeMap::new();
    let values = d.envs.iter().flat_map(|(owner, env)| {
        env.values()
            .map(move |v| cartograph_graph::resolve_env(v, d.envs.get(owner)).0)
    });
    let code = connections
        .iter()
        .map(|(service, url)| cartograph_graph::resolve_env(url, d.envs.get(*service)).0);
    for value in values.chain(code) {
        if let (Some(infra), Some(host)) = (scheme_infrastructure(&value), value_host(&value)) {
            reached.entry(graph_view::host_key(&host)).or_insert(infra);
        }
    }
    for i in order {
        let deployment = &d.deployments[i];
        let known = deployment.image.as_deref().and_then(infrastructure_of);
        // An image of no known kind, run by nothing of the workspace, that a service
        // reaches by a datastore's or broker's scheme.
        let inferred = || {
            let third_party = deployment.image.is_some() && d.deployed.runs[i].is_none();
            third_party
                .then(|| {
                    reached
                        .get(&graph_view::host_key(&deployment.name))
                        .copied()
                })
                .flatten()
        };
        let Some((kind, protocol)) = known.or_else(inferred) else {
            continue;
        };
        let name = &deployment.name;
        // (A gateway run from its image alone runs itself.)
        let runs_other = d.deployed.runs[i]
            .as_ref()
            .is_some_and(|(service, _)| service != name);
        // An image's own Dockerfile describes the service built from it, which goes by
        // the name it is deployed as.
        let describes = d.deployed.runs[i].is_some() && deployment.gives_defaults();
        if runs_other || describes || services.contains_key(name) {
            continue;
        }
        infra.insert(graph_view::host_key(name), (name.clone(), protocol));
        services.insert(
            name.clone(),
            ServiceInfo {
                name: name.clone(),
                code_name: name.clone(),
                path: format!("{}#{name}", deployment.file),
                languages: Vec::new(),
                deployed_as: vec![name.clone()],
                kind: Some(kind.to_string()),
            },
        );
    }
    if infra.is_empty() {
        return;
    }
    let mut add = |from: &str, host: &str, evidence: &str, confidence: f32| {
        if let Some((to, protocol)) = infra
            .get(&graph_view::host_key(host))
            .filter(|(to, _)| to != from)
        {
            edges.add((from, to, protocol), None, evidence, confidence);
        }
    };
    for (owner, env) in d.envs {
        for value in env.values() {
            if let Some(host) = value_host(value) {
                add(d.names.shown(owner), &host, "env-config", 0.7);
            }
        }
    }
    // Connection strings and client hosts in a service's code, its environment
    // filled in.
    for (service, url) in connections {
        let (url, _) = cartograph_graph::resolve_env(url, d.envs.get(*service));
        if let Some(host) = value_host(&url) {
            add(d.names.shown(service), &host, "connection-string", 0.7);
        }
    }
    for (deployment, runs) in d.deployments.iter().zip(&d.deployed.runs) {
        let Some((owner, _)) = runs else { continue };
        let from = d.names.shown(owner);
        for call in &deployment.calls {
            let (url, _) = cartograph_graph::resolve_env(&call.url, d.envs.get(owner));
            if let Some(host) = value_host(&url) {
                add(from, &host, "env-config", 0.7);
            }
        }
        // Declared, not shown in use (it may be start-up order only): less sure.
        for needed in &deployment.depends_on {
            add(from, needed, "manifest", 0.4);
        }
    }
}

/// The kind and protocol of a third-party image a system runs as infrastructure:
/// `rabbitmq:3-management` is a `broker` spoken to over `rabbitmq`.
pub fn infrastructure_of(image: &str) -> Option<(&'static str, &'static str)> {
    let name = cartograph_indexer::image_name(image);
    let known: &[(&str, &str, &str)] = &[
        ("rabbitmq", "broker", "rabbitmq"),
        ("kafka", "broker", "kafka"),
        ("cp-kafka", "broker", "kafka"),
        ("redpanda", "broker", "kafka"),
        ("nats", "broker", "nats"),
        ("activemq", "broker", "amqp"),
        ("redis", "datastore", "redis"),
        ("valkey", "datastore", "redis"),
        ("postgres", "datastore", "postgres"),
        ("postgresql", "datastore", "postgres"),
        ("mysql", "datastore", "mysql"),
        ("mariadb", "datastore", "mysql"),
        ("mongo", "datastore", "mongodb"),
        ("mongodb", "datastore", "mongodb"),
        ("cassandra", "datastore", "cassandra"),
        ("memcached", "datastore", "memcached"),
        ("elasticsearch", "datastore", "elasticsearch"),
        ("traefik", "gateway", "http"),
        ("envoy", "gateway", "http"),
        ("kong", "gateway", "http"),
        ("haproxy", "gateway", "http"),
        ("yarp", "gateway", "http"),
        ("nginx", "gateway", "http"),
        ("httpd", "gateway", "http"),
        // What serves Kubernetes routing objects (see `kubernetes_routes`).
        ("ingress", "gateway", "http"),
        ("gateway-api", "gateway", "http"),
        ("istio-ingressgateway", "gateway", "http"),
        // OpenFeature's flag daemon: evaluated over gRPC (or OFREP over HTTP).
        ("flagd", "external", "grpc"),
    ];
    known
        .iter()
        .find(|(n, _, _)| name == *n || name.starts_with(&format!("{n}-")))
        .map(|(_, kind, protocol)| (*kind, *protocol))
}

/// The kind and protocol of the datastore or broker a URL's scheme reaches
/// (`mongodb://` a datastore spoken to over `mongodb`, `amqp://` a broker over
/// `rabbitmq`), as [`infrastructure_of`] names them; none for others.
fn scheme_infrastructure(value: &str) -> Option<(&'static str, &'static str)> {
    let (scheme, _) = value.trim().split_once("://")?;
    let scheme = scheme
        .strip_prefix("jdbc:")
        .unwrap_or(scheme)
        .to_ascii_lowercase();
    let product = match scheme.as_str() {
        "mongodb+srv" => "mongodb",
        "rediss" => "redis",
        "amqp" | "amqps" => "rabbitmq",
        other => other,
    };
    infrastructure_of(product).filter(|(kind, _)| matches!(*kind, "datastore" | "broker"))
}

/// Whether an image is a web server's (`nginx`, `httpd`): a gateway when run as it
/// is with a configuration mounted, the service's own when built from it.
fn is_web_server(image: &str) -> bool {
    matches!(
        cartograph_indexer::image_name(image).as_str(),
        "nginx" | "httpd"
    )
}

/// The host a configuration value names: a URL's (`amqp://rabbitmq:5672`,
/// `jdbc:mysql://db/x`), a `host:port`, or a bare host name.
fn value_host(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.contains(char::is_whitespace) {
        return None;
    }
    let rest = match value.split_once("://") {
        Some((_, rest)) => rest,
        None => value,
    };
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = host.split(':').next().unwrap_or(host);
    (!host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    .then(|| host.to_ascii_lowercase())
}
