//! The in-memory traversal view of the graph: every file's symbols and resolved
//! links, loaded once from the store, answering callers, callees, references,
//! hierarchy and paths without touching the store per hop.
//!
//! Calls through an interface or trait method are expanded here, at query time, to
//! the implementations (the same-named members of the types that implement it), so
//! the stored links stay a pure function of each reference.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use cartograph_graph::{
    join_paths, method_key, mount_prefixes, paths_match, resolve_env, service_names_of_base,
    service_names_of_client, split_url, Endpoint, EndpointFact, Evidence, FileGraph, FileRecord,
    NodeSymbol, Protocol, Role, Store,
};
use cartograph_indexer::{Deployment, Language, RefKind, SymbolKind};
use serde::Serialize;

use crate::model::{RefTarget, SymbolHit};
use crate::Result;

/// Deepest caller/callee tree.
pub const MAX_DEPTH: usize = 8;
/// Most nodes in one caller/callee tree.
pub const MAX_TREE_NODES: usize = 500;
/// Longest time spent growing one tree.
pub const TREE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Share of a link's confidence given to calls dispatched through an interface,
/// before it is divided among the implementations.
const DISPATCH_CONFIDENCE: f32 = 0.6;

/// No symbol: the node of a file's top-level code.
const TOP: u32 = u32::MAX;

/// A node: a symbol of a file, or a file's top-level code.
#[derive(Clone, Copy, Debug)]
struct Node {
    file: u32,
    symbol: u32,
}

/// A resolved reference between two nodes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Edge {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) kind: RefKind,
    /// The file of the reference.
    pub(crate) file: u32,
    /// The reference's index in that file's facts.
    pub(crate) reference: u32,
    pub(crate) line: u32,
    pub(crate) col: u32,
    pub(crate) evidence: Evidence,
    pub(crate) confidence: f32,
}

/// Most wrappers deep a request made with what a function is given is followed out
/// (see `GraphView::instantiate_wrappers`).
const MAX_WRAPPER_DEPTH: usize = 4;

/// The contents of a URL's `{ref:..}` placeholders, in order.
fn references_in(url: &str) -> impl Iterator<Item = &str> {
    url.match_indices("{ref:").filter_map(move |(at, _)| {
        let inner = &url[at + 5..];
        inner.find('}').map(|end| &inner[..end])
    })
}

/// A reference to a parameter (`callApi(0,path)`, see `HttpFact::url`) as
/// (callable, position, name).
fn parameter_reference(reference: &str) -> Option<(&str, &str, &str)> {
    let (callable, rest) = reference.split_once('(')?;
    let (position, name) = rest.trim_end_matches(')').split_once(',')?;
    Some((callable, position, name))
}

/// A route a gateway's configuration declares: calls to `prefix` on the gateway go to
/// `target`, at `forward` + the rest of the path when the proxied URL has a path
/// (nginx `proxy_pass http://cart:8080/;` replaces the prefix), else with the path as
/// it came or without the prefix (Zuul and Spring Cloud Gateway may strip it).
#[derive(Clone, Debug)]
struct GatewayRoute {
    gateway: String,
    prefix: String,
    target: String,
    forward: Option<String>,
}

/// The whole graph in memory.
pub(crate) struct GraphView {
    files: Vec<FileRecord>,
    symbols: Vec<Vec<NodeSymbol>>,
    /// First node of each file; its top-level node follows its symbols.
    first: Vec<u32>,
    nodes: Vec<Node>,
    by_id: HashMap<String, u32>,
    by_path: HashMap<String, u32>,
    edges: Vec<Edge>,
    out: Vec<Vec<u32>>,
    into: Vec<Vec<u32>>,
    /// Edges located in each file (a range of `edges`).
    file_edges: Vec<(u32, u32)>,
    /// Every file's endpoints, with the contract each was matched to.
    endpoints: Vec<Placed>,
    /// Cross-service links: a call site in one service to a handler in another.
    service_links: Vec<ServiceEdge>,
    /// Endpoints matched only within their own service (indices into `endpoints`):
    /// a call answered by a handler of the same service, a handler only its own
    /// service calls (one program serving several services in-process).
    internal: HashSet<usize>,
    /// Cross-service links by the node of their handler and of their caller.
    links_into: HashMap<u32, Vec<usize>>,
    links_out: HashMap<u32, Vec<usize>>,
    /// How long matching endpoints across services took at load.
    pub(crate) link_time: std::time::Duration,
    /// Members of enumerations whose values read like service names, by file:
    /// (file, `Enum.MEMBER`, value).
    discovery_names: Vec<(u32, String, String)>,
    /// The datastores and brokers files' code connects to: (file, URL as evaluated).
    pub(crate) connections: Vec<(u32, String)>,
    /// The contract each rpc of a `.proto` file defines (`grpc:pkg.Service/Rpc`),
    /// by the rpc's node: copies of one `.proto` define one contract.
    rpc_contracts: HashMap<u32, String>,
    /// The routes gateways declare in their configuration.
    gateway_routes: Vec<GatewayRoute>,
}

/// How sure a call site or handler matched to an rpc by its generated types uses it.
const CONTRACT_CONFIDENCE: f32 = 0.95;

/// An endpoint of a file, matched to a contract (`key`, e.g.
/// `grpc:mesh.v1.CartService/GetCart`) when one fits.
#[derive(Clone, Debug)]
pub(crate) struct Placed {
    pub(crate) file: u32,
    pub(crate) fact: EndpointFact,
    /// The node of the handler or of the symbol enclosing the call.
    pub(crate) node: u32,
    pub(crate) key: Option<String>,
    /// An HTTP call's path template, the service its URL names (if any), and where
    /// that name came from.
    pub(crate) http: Option<(String, Option<String>, Addressed)>,
    /// A call whose URL named its service by the web application's context root
    /// (`http://localhost:8080/tools.shop.cart/rest/items`): its path is the one after
    /// the context, and may start with the servlet's mapping (`/rest`).
    pub(crate) in_context: bool,
}

/// Where the service an HTTP call's URL names came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Addressed {
    /// The code's own URL (or no service named).
    Literal,
    /// The deployment's environment.
    Env,
    /// A discovery name (a member of an enumeration of the services).
    Discovery,
}

/// A cross-service link.
#[derive(Clone, Debug)]
pub(crate) struct ServiceEdge {
    /// The consumer's endpoint (index into `endpoints`).
    pub(crate) consumer: usize,
    /// The provider's endpoint.
    pub(crate) provider: usize,
    /// The contract: `grpc:pkg.Service/Method`, `http:GET /cart/{}`.
    pub(crate) endpoint: String,
    pub(crate) evidence: Evidence,
    pub(crate) confidence: f32,
    /// The gateway the call goes through (its service's code name), when the link
    /// follows one of its routes.
    pub(crate) via: Option<String>,
}

impl GraphView {
    /// Loads the view from the store.
    pub(crate) fn load(store: &Store) -> Result<GraphView> {
        let started = std::time::Instant::now();
        let records: HashMap<String, FileRecord> = store
            .files()?
            .into_iter()
            .map(|r| (r.path.clone(), r))
            .collect();
        let mut graphs: Vec<(FileRecord, FileGraph)> = Vec::with_capacity(records.len());
        let mut records = records;
        for (path, graph) in store.graphs()? {
            if let Some(r) = records.remove(&path) {
                graphs.push((r, graph));
            }
        }
        let mut view = GraphView {
            files: Vec::with_capacity(graphs.len()),
            symbols: Vec::with_capacity(graphs.len()),
            first: Vec::with_capacity(graphs.len()),
            nodes: Vec::new(),
            by_id: HashMap::new(),
            by_path: HashMap::new(),
            edges: Vec::new(),
            out: Vec::new(),
            into: Vec::new(),
            file_edges: Vec::with_capacity(graphs.len()),
            endpoints: Vec::new(),
            service_links: Vec::new(),
            internal: HashSet::new(),
            links_into: HashMap::new(),
            links_out: HashMap::new(),
            link_time: std::time::Duration::ZERO,
            discovery_names: Vec::new(),
            connections: Vec::new(),
            rpc_contracts: HashMap::new(),
            gateway_routes: Vec::new(),
        };
        let mut facts_of_files = Vec::with_capacity(graphs.len());
        let mut mounts = Vec::with_capacity(graphs.len());
        let mut constants = Vec::with_capacity(graphs.len());
        let mut passed = Vec::with_capacity(graphs.len());
        let mut endpoint_ids: Vec<Vec<String>> = Vec::with_capacity(graphs.len());
        let mut links = Vec::with_capacity(graphs.len());
        for (f, (record, graph)) in graphs.into_iter().enumerate() {
            let f = f as u32;
            view.first.push(view.nodes.len() as u32);
            for (i, s) in graph.symbols.iter().enumerate() {
                view.add_node(record.symbol_id(&s.descriptor), f, i as u32);
            }
            view.add_node(record.symbol_id(cartograph_graph::TOP_LEVEL), f, TOP);
            view.by_path.insert(record.path.clone(), f);
            view.files.push(record);
            // Endpoints answered by another file's symbol need the IDs it names.
            let names_others = graph
                .endpoints
                .iter()
                .any(|e| matches!(e.symbol, Endpoint::Other(_)));
            endpoint_ids.push(if names_others {
                graph.ids.clone()
            } else {
                Vec::new()
            });
            links.push((graph.ids, graph.links));
            facts_of_files.push((graph.endpoints, graph.package));
            mounts.push(graph.mounts);
            constants.push(graph.constants);
            passed.push(graph.passed);
            view.connections
                .extend(graph.connections.into_iter().map(|c| (f, c.value)));
            view.symbols.push(graph.symbols);
        }
        for (f, (ids, file_links)) in links.into_iter().enumerate() {
            let start = view.edges.len() as u32;
            let other: Vec<Option<u32>> =
                ids.iter().map(|id| view.by_id.get(id).copied()).collect();
            let resolve = |e: Endpoint| -> Option<u32> {
                let first = view.first[f];
                match e {
                    Endpoint::Local(i) => Some(first + i),
                    Endpoint::TopLevel => Some(first + view.symbols[f].len() as u32),
                    Endpoint::Other(i) => other.get(i as usize).copied().flatten(),
                }
            };
            let mut new_edges = Vec::with_capacity(file_links.len());
            for l in &file_links {
                let (Some(from), Some(to)) = (resolve(l.from), resolve(l.to)) else {
                    continue;
                };
                new_edges.push(Edge {
                    from,
                    to,
                    kind: l.kind,
                    file: f as u32,
                    reference: l.reference,
                    line: l.line,
                    col: l.col,
                    evidence: l.evidence,
                    confidence: l.confidence,
                });
            }
            view.edges.extend(new_edges);
            view.file_edges.push((start, view.edges.len() as u32));
        }
        let linking = std::time::Instant::now();
        view.mount_routes(&mut facts_of_files, &mounts);
        view.instantiate_wrappers(&mut facts_of_files, &constants, &passed);
        view.fill_constants(&mut facts_of_files, &constants);
        view.link_services(
            facts_of_files,
            &endpoint_ids,
            &store.deployments()?,
            &store.services()?,
        );
        view.link_time = linking.elapsed();
        view.out = vec![Vec::new(); view.nodes.len()];
        view.into = vec![Vec::new(); view.nodes.len()];
        for (i, e) in view.edges.iter().enumerate() {
            view.out[e.from as usize].push(i as u32);
            view.into[e.to as usize].push(i as u32);
        }
        tracing::debug!(
            "graph view: {} nodes, {} edges, loaded in {:?}",
            view.nodes.len(),
            view.edges.len(),
            started.elapsed()
        );
        Ok(view)
    }

    /// Everything that uses `n`: references of every kind into it, calls of the
    /// interface methods it implements (dispatch), and calls from other services
    /// linked to it (with their contract). (user, evidence, confidence, contract)
    pub(crate) fn users_of(&self, n: u32) -> Vec<(u32, Evidence, f32, Option<String>)> {
        let mut out: Vec<(u32, Evidence, f32, Option<String>)> = self
            .edges_into(n)
            .map(|e| (e.from, e.evidence, e.confidence, None))
            .collect();
        for m in self.implemented(n) {
            let share = DISPATCH_CONFIDENCE / self.implementations(m).len().max(1) as f32;
            for e in self.edges_into(m).filter(|e| e.kind == RefKind::Call) {
                out.push((e.from, Evidence::Interface, e.confidence * share, None));
            }
        }
        for l in self.links_into.get(&n).into_iter().flatten() {
            let link = &self.service_links[*l];
            out.push((
                self.endpoints[link.consumer].node,
                link.evidence,
                link.confidence,
                Some(link.endpoint.clone()),
            ));
        }
        // An rpc of a `.proto` file: its client call sites and its handlers, in
        // every service, change with it.
        if let Some(key) = self.rpc_contracts.get(&n) {
            for e in self.contract_calls_into(n) {
                out.push((e.from, e.evidence, e.confidence, Some(key.clone())));
            }
            for (h, key) in self.contract_handlers(n) {
                out.push((h, Evidence::Idl, CONTRACT_CONFIDENCE, Some(key)));
            }
        }
        out
    }

    /// The handlers in other services that the calls in `n` reach (a changed call
    /// site or publisher changes what they receive). (handler, evidence, confidence,
    /// contract)
    pub(crate) fn linked_handlers_of(&self, n: u32) -> Vec<(u32, Evidence, f32, Option<String>)> {
        self.links_out
            .get(&n)
            .into_iter()
            .flatten()
            .map(|l| {
                let link = &self.service_links[*l];
                (
                    self.endpoints[link.provider].node,
                    link.evidence,
                    link.confidence,
                    Some(link.endpoint.clone()),
                )
            })
            .collect()
    }

    /// The endpoints on either side of a contract: `grpc:pkg.Service/Method` and
    /// `topic:NAME` by key, `http:METHOD URL` by method and path template (the URL
    /// as written; calls whose path the route matches). (node, key, role provides)
    pub(crate) fn contract_parties(&self, contract: &str) -> Vec<(u32, String, bool)> {
        let mut out = Vec::new();
        if let Some(route) = contract.strip_prefix("http:") {
            let (method, url) = route.split_once(' ').unwrap_or(("*", route));
            let (_, path) = split_url(url);
            for p in &self.endpoints {
                let Some((template, _, _)) = &p.http else {
                    continue;
                };
                let method_fits = method == "*" || p.fact.method == "*" || p.fact.method == method;
                let fits = match p.fact.role {
                    Role::Consumes => paths_match(&path, template),
                    Role::Provides => paths_match(template, &path) || template == &path,
                };
                if p.fact.protocol == Protocol::Http && method_fits && fits {
                    let key = format!("http:{method} {path}");
                    out.push((p.node, key, p.fact.role == Role::Provides));
                }
            }
        } else {
            for p in &self.endpoints {
                if p.key.as_deref() == Some(contract) {
                    out.push((p.node, contract.to_string(), p.fact.role == Role::Provides));
                }
            }
        }
        out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        out.dedup();
        out
    }

    /// The contracts the nodes provide (their handlers' endpoints), sorted; health
    /// checks and probes (`grpc.health.v1.Health/Check`, `/healthz`) are left out:
    /// no client of the system breaks with them.
    pub(crate) fn provided_by(&self, nodes: &BTreeSet<u32>) -> Vec<String> {
        let mut out: Vec<String> = self
            .endpoints
            .iter()
            .filter(|p| p.fact.role == Role::Provides && nodes.contains(&p.node))
            .filter_map(|p| p.key.clone())
            .filter(|k| !is_probe_contract(k))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The node of a file's symbol (by index in its facts), or of its top-level code.
    pub(crate) fn node_in(&self, path: &str, symbol: Option<u32>) -> Option<u32> {
        let f = *self.by_path.get(path)? as usize;
        let count = self.symbols[f].len() as u32;
        let offset = match symbol {
            Some(s) if s < count => s,
            _ => count,
        };
        Some(self.first[f] + offset)
    }

    /// PageRank over the resolved references between the nodes of the files `keep`
    /// accepts, best first; a file's top-level code takes part but is not listed.
    pub(crate) fn rank(&self, keep: impl Fn(&FileRecord) -> bool) -> Vec<(u32, f32)> {
        const DAMPING: f32 = 0.85;
        const ROUNDS: usize = 30;
        let inside: Vec<bool> = self.files.iter().map(&keep).collect();
        let nodes: Vec<u32> = (0..self.nodes.len() as u32)
            .filter(|n| inside[self.nodes[*n as usize].file as usize])
            .collect();
        if nodes.is_empty() {
            return Vec::new();
        }
        let mut local = vec![u32::MAX; self.nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            local[*n as usize] = i as u32;
        }
        // Edges inside the scope, as local indices, weighted by their confidence
        // (several references to one target count once, at their best); links by
        // name only are guesses and do not vote.
        let mut out: Vec<Vec<(u32, f32)>> = vec![Vec::new(); nodes.len()];
        for (i, n) in nodes.iter().enumerate() {
            for e in self.edges_out(*n) {
                let to = local[e.to as usize];
                if to != u32::MAX && to as usize != i && e.evidence != Evidence::NameOnly {
                    out[i].push((to, e.confidence));
                }
            }
            out[i].sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            out[i].dedup_by_key(|t| t.0);
        }
        let count = nodes.len() as f32;
        let mut rank = vec![1.0 / count; nodes.len()];
        for _ in 0..ROUNDS {
            let dangling: f32 = (0..nodes.len())
                .filter(|i| out[*i].iter().all(|t| t.1 <= 0.0))
                .map(|i| rank[i])
                .sum();
            let base = (1.0 - DAMPING) / count + DAMPING * dangling / count;
            let mut next = vec![base; nodes.len()];
            for (i, targets) in out.iter().enumerate() {
                let weight: f32 = targets.iter().map(|t| t.1).sum();
                if weight <= 0.0 {
                    continue;
                }
                let share = DAMPING * rank[i] / weight;
                for (t, w) in targets {
                    next[*t as usize] += share * w;
                }
            }
            rank = next;
        }
        let mut ranked: Vec<(u32, f32)> = nodes
            .iter()
            .zip(rank)
            .filter(|(n, _)| {
                // Files' top-level code and module declarations are files, not symbols.
                self.symbol(**n)
                    .is_some_and(|s| s.kind != SymbolKind::Module)
            })
            .map(|(n, r)| (*n, r))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }

    fn add_node(&mut self, id: String, file: u32, symbol: u32) {
        let n = self.nodes.len() as u32;
        self.nodes.push(Node { file, symbol });
        self.by_id.insert(id, n);
    }

    /// The node of a stable ID.
    pub(crate) fn node(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    fn symbol(&self, n: u32) -> Option<&NodeSymbol> {
        let node = self.nodes[n as usize];
        self.symbols[node.file as usize].get(node.symbol as usize)
    }

    fn record(&self, n: u32) -> &FileRecord {
        &self.files[self.nodes[n as usize].file as usize]
    }

    /// A node as results show it.
    pub(crate) fn hit(&self, n: u32) -> SymbolHit {
        let record = self.record(n);
        match self.symbol(n) {
            Some(s) => SymbolHit {
                id: record.symbol_id(&s.descriptor),
                name: s.name.clone(),
                qualified_name: s.qualified_name.clone(),
                kind: s.kind.name().to_string(),
                language: record.language.name().to_string(),
                service: record.service.clone(),
                file: record.path.clone(),
                line: s.line,
                col: s.col,
                end_line: s.end_line,
                end_col: s.end_col,
                signature: s.signature.clone(),
                score: 0.0,
                generated: record.generated,
            },
            None => file_symbol(record),
        }
    }

    /// The link of an edge as results show it.
    pub(crate) fn target(&self, e: &Edge) -> RefTarget {
        let s = self.symbol(e.to);
        let record = self.record(e.to);
        RefTarget {
            id: self.hit(e.to).id,
            file: record.path.clone(),
            line: s.map_or(1, |s| s.line),
            confidence: e.confidence,
            evidence: e.evidence.name().to_string(),
        }
    }

    /// The targets of one reference's edges, and for a call of an interface or trait
    /// method, the implementations it may dispatch to.
    pub(crate) fn targets_with_dispatch<'e>(
        &self,
        edges: impl Iterator<Item = &'e Edge>,
    ) -> Vec<RefTarget> {
        let mut out: Vec<RefTarget> = Vec::new();
        let mut dispatched = Vec::new();
        for e in edges {
            out.push(self.target(e));
            if e.kind != RefKind::Call {
                continue;
            }
            let impls = self.implementations(e.to);
            let share = DISPATCH_CONFIDENCE / impls.len().max(1) as f32;
            for m in impls {
                let mut t = self.target(&Edge { to: m, ..*e });
                t.evidence = Evidence::Interface.name().to_string();
                t.confidence = e.confidence * share;
                dispatched.push(t);
            }
        }
        for t in dispatched {
            if !out.iter().any(|o| o.id == t.id) {
                out.push(t);
            }
        }
        out
    }

    /// The edges located in the file at `path` (ordered by reference).
    pub(crate) fn edges_in(&self, path: &str) -> &[Edge] {
        match self.by_path.get(path) {
            Some(f) => {
                let (a, b) = self.file_edges[*f as usize];
                &self.edges[a as usize..b as usize]
            }
            None => &[],
        }
    }

    /// The edges of one reference of the file at `path`.
    pub(crate) fn edges_of(&self, path: &str, reference: u32) -> &[Edge] {
        let edges = self.edges_in(path);
        let start = edges.partition_point(|e| e.reference < reference);
        let end = edges.partition_point(|e| e.reference <= reference);
        &edges[start..end]
    }

    /// The path of a file, by number.
    pub(crate) fn file_path(&self, file: u32) -> &str {
        &self.files[file as usize].path
    }

    /// The contracts of the rpcs whose declarations name the node `n` (a message or
    /// struct of one IDL file that the rpcs of others include), sorted.
    pub(crate) fn contracts_naming(&self, n: u32) -> Vec<String> {
        let mut out: Vec<String> = self
            .edges_into(n)
            .filter_map(|e| self.rpc_contracts.get(&e.from))
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Edges into `n`.
    pub(crate) fn edges_into(&self, n: u32) -> impl Iterator<Item = &Edge> {
        self.into[n as usize]
            .iter()
            .map(|e| &self.edges[*e as usize])
    }

    fn edges_out(&self, n: u32) -> impl Iterator<Item = &Edge> {
        self.out[n as usize]
            .iter()
            .map(|e| &self.edges[*e as usize])
    }

    fn site(&self, e: &Edge) -> String {
        format!("{}:{}:{}", self.files[e.file as usize].path, e.line, e.col)
    }

    fn is_kind(&self, n: u32, kinds: &[SymbolKind]) -> bool {
        self.symbol(n).is_some_and(|s| kinds.contains(&s.kind))
    }

    /// The symbol of a file with exactly this qualified name.
    fn in_file(&self, file: u32, qualified: &str, want_type: bool) -> Option<u32> {
        self.symbols[file as usize]
            .iter()
            .position(|s| s.qualified_name == qualified && s.kind.is_type() == want_type)
            .map(|i| self.first[file as usize] + i as u32)
    }

    /// Member `name` of type `ty`, looked for in `ty`'s file and in `also` (where
    /// a relation of `ty` is declared: a Rust `impl` block, a partial class).
    fn member(&self, ty: u32, also: u32, name: &str) -> Option<u32> {
        let s = self.symbol(ty)?;
        let wanted = format!("{}.{name}", s.qualified_name);
        let home = self.nodes[ty as usize].file;
        self.in_file(home, &wanted, false)
            .or_else(|| self.in_file(also, &wanted, false))
    }

    /// Types a type extends or implements: (supertype, declaring edge).
    fn supertypes(&self, ty: u32) -> impl Iterator<Item = &Edge> {
        self.edges_out(ty)
            .filter(|e| matches!(e.kind, RefKind::Inherit | RefKind::Implement))
    }

    /// Types extending or implementing a type: (subtype, declaring edge).
    fn subtypes(&self, ty: u32) -> impl Iterator<Item = &Edge> {
        self.edges_into(ty)
            .filter(|e| matches!(e.kind, RefKind::Inherit | RefKind::Implement))
    }

    /// The types a member belongs to: its parent, the type its qualified name
    /// names in its file, and types whose relations are declared in its file under
    /// that name (a Rust `impl Trait for Type` block).
    fn owners(&self, member: u32) -> Vec<u32> {
        let Some(s) = self.symbol(member) else {
            return Vec::new();
        };
        let file = self.nodes[member as usize].file;
        let mut out = Vec::new();
        if let Some(p) = s.parent {
            let p = self.first[file as usize] + p;
            if self.symbol(p).is_some_and(|t| t.kind.is_type()) {
                out.push(p);
            }
        }
        if let Some((owner, _)) = s.qualified_name.rsplit_once('.') {
            if let Some(t) = self.in_file(file, owner, true) {
                out.push(t);
            }
            let (a, b) = self.file_edges[file as usize];
            for e in &self.edges[a as usize..b as usize] {
                if matches!(e.kind, RefKind::Inherit | RefKind::Implement)
                    && self
                        .symbol(e.from)
                        .is_some_and(|t| t.qualified_name == owner)
                {
                    out.push(e.from);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Implementations of an interface or trait method: the same-named members of
    /// the types implementing its owner.
    fn implementations(&self, method: u32) -> Vec<u32> {
        let Some(s) = self.symbol(method) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for owner in self.owners(method) {
            if !self.is_kind(owner, &[SymbolKind::Interface, SymbolKind::Trait]) {
                continue;
            }
            for e in self.subtypes(owner) {
                if let Some(m) = self.member(e.from, e.file, &s.name) {
                    if m != method && !out.contains(&m) {
                        out.push(m);
                    }
                }
            }
        }
        out
    }

    /// Interface or trait methods a member implements.
    fn implemented(&self, member: u32) -> Vec<u32> {
        let Some(s) = self.symbol(member) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for owner in self.owners(member) {
            for e in self.supertypes(owner) {
                if !self.is_kind(e.to, &[SymbolKind::Interface, SymbolKind::Trait]) {
                    continue;
                }
                if let Some(m) = self.member(e.to, e.file, &s.name) {
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
            }
        }
        out
    }

    /// Calls into `n`: direct ones, and calls of interface methods it implements
    /// (with the dispatch's share of confidence). (caller, edge, evidence, confidence)
    fn calls_into(&self, n: u32) -> Vec<(u32, Edge, Evidence, f32)> {
        let mut out: Vec<(u32, Edge, Evidence, f32)> = self
            .edges_into(n)
            .filter(|e| e.kind.runs())
            .map(|e| (e.from, *e, e.evidence, e.confidence))
            .collect();
        for m in self.implemented(n) {
            let share = DISPATCH_CONFIDENCE / self.implementations(m).len().max(1) as f32;
            for e in self.edges_into(m).filter(|e| e.kind == RefKind::Call) {
                out.push((e.from, *e, Evidence::Interface, e.confidence * share));
            }
        }
        // Callers in other services, through the rpcs this handler answers.
        for l in self.links_into.get(&n).into_iter().flatten() {
            let e = self.link_edge(&self.service_links[*l]);
            out.push((e.from, e, e.evidence, e.confidence));
        }
        // The client call sites of an rpc of a `.proto` file.
        for e in self.contract_calls_into(n) {
            out.push((e.from, e, e.evidence, e.confidence));
        }
        out
    }

    /// The member named `name` of the type node `ty`.
    fn member_of(&self, ty: Option<u32>, name: &str) -> Option<u32> {
        let ty = ty?;
        let node = self.nodes[ty as usize];
        let file = node.file as usize;
        self.symbols[file]
            .iter()
            .position(|s| s.parent == Some(node.symbol) && s.name == name)
            .map(|i| self.first[file] + i as u32)
    }

    /// The best resolved target of reference `r` of file `f` (a callable first).
    fn resolved_target(&self, f: usize, r: u32) -> Option<u32> {
        let (start, end) = *self.file_edges.get(f)?;
        // (A file's edges are ordered by reference.)
        let edges = &self.edges[start as usize..end as usize];
        let from = edges.partition_point(|e| e.reference < r);
        let to = edges.partition_point(|e| e.reference <= r);
        let mut targets: Vec<&Edge> = edges[from..to].iter().collect();
        targets.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        targets
            .iter()
            .find(|e| self.symbol(e.to).is_some_and(|s| s.kind.is_callable()))
            .or(targets.first())
            .map(|e| e.to)
    }

    /// The endpoints of the contract the rpc `n` of a `.proto` file defines, in every
    /// service (none for other symbols).
    fn contract_endpoints(&self, n: u32) -> impl Iterator<Item = &Placed> {
        let key = self.rpc_contracts.get(&n);
        self.endpoints
            .iter()
            .filter(move |p| key.is_some() && p.key.as_ref() == key)
    }

    /// The client call sites of the rpc `n` of a `.proto` file, in every service, as
    /// call edges into it.
    pub(crate) fn contract_calls_into(&self, n: u32) -> Vec<Edge> {
        self.contract_endpoints(n)
            .filter(|p| p.fact.role == Role::Consumes)
            .filter_map(|p| {
                Some(Edge {
                    from: p.node,
                    to: n,
                    kind: RefKind::Call,
                    file: p.file,
                    reference: p.fact.reference?,
                    line: p.fact.line,
                    col: p.fact.col,
                    evidence: Evidence::Idl,
                    confidence: CONTRACT_CONFIDENCE,
                })
            })
            .collect()
    }

    /// The handlers of the rpc `n` of a `.proto` file, in every service, with its
    /// contract.
    pub(crate) fn contract_handlers(&self, n: u32) -> Vec<(u32, String)> {
        let mut out: Vec<(u32, String)> = self
            .contract_endpoints(n)
            .filter(|p| p.fact.role == Role::Provides)
            .filter_map(|p| Some((p.node, p.key.clone()?)))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Calls out of `n`: direct ones, and the implementations of interface methods it
    /// calls. (callee, edge, evidence, confidence)
    fn calls_out(&self, n: u32) -> Vec<(u32, Edge, Evidence, f32)> {
        let mut out = Vec::new();
        for e in self.edges_out(n).filter(|e| e.kind.runs()) {
            out.push((e.to, *e, e.evidence, e.confidence));
            let impls = self.implementations(e.to);
            let share = DISPATCH_CONFIDENCE / impls.len().max(1) as f32;
            for m in impls {
                out.push((m, *e, Evidence::Interface, e.confidence * share));
            }
        }
        // Handlers in other services of the rpcs it calls.
        for l in self.links_out.get(&n).into_iter().flatten() {
            let e = self.link_edge(&self.service_links[*l]);
            out.push((e.to, e, e.evidence, e.confidence));
        }
        out
    }
}

impl GraphView {
    /// Serves the HTTP routes of route tables other files mount under the mounts'
    /// prefixes (one route per prefix), before they are matched.
    fn mount_routes(
        &self,
        per_file: &mut [(Vec<EndpointFact>, Option<String>)],
        mounts: &[Vec<cartograph_indexer::HttpMount>],
    ) {
        if mounts.iter().all(Vec::is_empty) {
            return;
        }
        let files: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|r| (r.service.as_str(), r.path.as_str()))
            .collect();
        let mounts: Vec<&[cartograph_indexer::HttpMount]> =
            mounts.iter().map(Vec::as_slice).collect();
        let prefixes = mount_prefixes(&files, &mounts);
        for ((facts, _), prefixes) in per_file.iter_mut().zip(prefixes) {
            if prefixes.is_empty() {
                continue;
            }
            let mut served = Vec::with_capacity(facts.len());
            for fact in facts.drain(..) {
                if fact.protocol == Protocol::Http && fact.role == Role::Provides {
                    for p in &prefixes {
                        let mut routed = fact.clone();
                        routed.via = join_paths(p, &fact.via);
                        served.push(routed);
                    }
                } else {
                    served.push(fact);
                }
            }
            *facts = served;
        }
    }

    /// A request made with what its function is given (`fetch(BASE + path)` in
    /// `callApi(path)`: `{ref:callApi(0,path)}` in its URL) is made at each call that
    /// passes that parameter a literal path or URL (`callApi("/orders")`), with that
    /// call's value: a call of its own at each such call site, in place of the
    /// function's (whose URL nothing else gives). A parameter some call of the
    /// service passes a URL constant for is filled as before (see
    /// [`Self::fill_constants`]). A call site counts when its reference is linked to
    /// that function (an unlinked `app.get("/x", h)` is no call of a wrapper `get`).
    /// A wrapper calling a wrapper passes its parameter on (`{ref:getJson(0,path)}`
    /// at the inner call): each round places the requests one call further out, up to
    /// [`MAX_WRAPPER_DEPTH`] rounds.
    fn instantiate_wrappers(
        &self,
        per_file: &mut [(Vec<EndpointFact>, Option<String>)],
        constants: &[Vec<cartograph_indexer::NamedValue>],
        passed: &[Vec<cartograph_indexer::PassedArguments>],
    ) {
        if passed.iter().all(Vec::is_empty) {
            return;
        }
        // Parameters the service's constants give, as (service, `callee(key)`).
        let mut given: std::collections::HashSet<(&str, &str)> = Default::default();
        for (f, list) in constants.iter().enumerate() {
            for c in list.iter().filter(|c| c.name.ends_with(')')) {
                given.insert((self.files[f].service.as_str(), c.name.as_str()));
            }
        }
        // The calls passing literal values, by the name of the function called.
        let mut sites: HashMap<&str, Vec<(usize, &cartograph_indexer::PassedArguments)>> =
            HashMap::new();
        for (g, list) in passed.iter().enumerate() {
            for p in list {
                sites.entry(p.callee.as_str()).or_default().push((g, p));
            }
        }
        for _ in 0..MAX_WRAPPER_DEPTH {
            let mut made: Vec<(usize, EndpointFact)> = Vec::new();
            for (f, (facts, _)) in per_file.iter_mut().enumerate() {
                let service = self.files[f].service.as_str();
                let mut kept = Vec::with_capacity(facts.len());
                for e in std::mem::take(facts) {
                    // The parameters of one function its URL is built from, that
                    // nothing else fills: (callee, position, name).
                    let open: Vec<(&str, &str, &str)> = references_in(&e.via)
                        .filter_map(parameter_reference)
                        .filter(|(callee, position, name)| {
                            ![format!("{callee}({position})"), format!("{callee}({name})")]
                                .iter()
                                .any(|k| given.contains(&(service, k.as_str())))
                        })
                        .collect();
                    // (A request, or a topic published or consumed.)
                    let callee = open.first().map(|o| o.0).filter(|c| {
                        ((e.role == Role::Consumes && e.protocol == Protocol::Http)
                            || e.protocol == Protocol::Topic)
                            && open.iter().all(|o| o.0 == *c)
                    });
                    let calls = match callee {
                        Some(callee) => self.wrapper_calls(
                            f,
                            &e,
                            &open,
                            sites.get(callee).map_or(&[], Vec::as_slice),
                        ),
                        None => Vec::new(),
                    };
                    if calls.is_empty() {
                        kept.push(e);
                    }
                    made.extend(calls);
                }
                *facts = kept;
            }
            if made.is_empty() {
                return;
            }
            for (g, call) in made {
                per_file[g].0.push(call);
            }
        }
    }

    /// The calls the request `e` of file `f`, its URL built from the parameters
    /// `open` of its function, makes at `sites` (calls passing literal values, by
    /// file): one at each site whose reference is linked to that function and that
    /// passes a value for one of them, with its values (`{}` for the others).
    fn wrapper_calls(
        &self,
        f: usize,
        e: &EndpointFact,
        open: &[(&str, &str, &str)],
        sites: &[(usize, &cartograph_indexer::PassedArguments)],
    ) -> Vec<(usize, EndpointFact)> {
        let wrapper = match e.symbol {
            Endpoint::Local(i) => Some(self.first[f] + i),
            _ => None,
        };
        let mut out = Vec::new();
        for (g, p) in sites {
            let linked = p.reference.and_then(|r| self.resolved_target(*g, r));
            let value = |position: &str, name: &str| {
                p.values
                    .iter()
                    .find(|(k, _)| k == position || k == name)
                    .map(|(_, v)| v.clone())
            };
            if linked.is_none()
                || linked != wrapper
                || open.iter().all(|(_, pos, name)| value(pos, name).is_none())
            {
                continue;
            }
            let via = cartograph_indexer::fill_references(&e.via, |r| {
                open.iter()
                    .find(|(c, pos, name)| r == format!("{c}({pos},{name})"))
                    .map(|(_, pos, name)| value(pos, name).unwrap_or_else(|| "{}".into()))
                    .or_else(|| Some(format!("{{ref:{r}}}")))
            });
            let mut call = e.clone();
            // A call kept only if absolute (see `fill_constants`) is one now if the
            // value made its URL absolute.
            call.absolute_only &= split_url(&resolve_env(&via, None).0).0.is_none();
            call.via = via;
            call.symbol = p.enclosing.map_or(Endpoint::TopLevel, Endpoint::Local);
            call.reference = p.reference;
            call.line = p.span.start_line;
            call.col = p.span.start_col;
            out.push((*g, call));
        }
        out
    }

    /// Fills in the URLs calls build from other files' constants (`{ref:name}`, see
    /// [`HttpFact::url`](cartograph_indexer::HttpFact)) with the constants of that
    /// name in the same service: the one in a file named like the qualifier
    /// (`endpoints.cartsUrl` → `endpoints.js`), else the only value the service has
    /// for the name; unknown (`{}`) otherwise. A call of any function kept for such a
    /// reference stays a call only if its URL is now absolute.
    fn fill_constants(
        &mut self,
        per_file: &mut [(Vec<EndpointFact>, Option<String>)],
        constants: &[Vec<cartograph_indexer::NamedValue>],
    ) {
        for (f, list) in constants.iter().enumerate() {
            // Members of enumerations (`Service.AUTH`); not destinations' names.
            for c in list
                .iter()
                .filter(|c| !c.value.contains("://") && c.name.contains('.'))
            {
                self.discovery_names
                    .push((f as u32, c.name.clone(), c.value.clone()));
            }
        }
        if constants.iter().all(Vec::is_empty) {
            for (facts, _) in per_file.iter_mut() {
                facts.retain(|e| {
                    let unnamed = e.protocol == Protocol::Topic && e.via.contains("{ref:");
                    !e.absolute_only && !unnamed && !e.via.contains("{svc:")
                });
                for e in facts.iter_mut().filter(|e| e.via.contains("{ref:")) {
                    e.via = cartograph_indexer::fill_references(&e.via, |_| None);
                }
                for e in facts.iter_mut().filter(|e| e.via.starts_with("{base:")) {
                    e.via = cartograph_indexer::fill_base(&e.via, |_| None);
                }
            }
            return;
        }
        // (service, name) -> [(file stem, value)]
        let mut by_name: HashMap<(&str, &str), Vec<(&str, &str)>> = HashMap::new();
        for (f, list) in constants.iter().enumerate() {
            let record = &self.files[f];
            let stem = record.path.rsplit('/').next().unwrap_or(&record.path);
            let stem = stem.split('.').next().unwrap_or(stem);
            for c in list {
                by_name
                    .entry((record.service.as_str(), c.name.as_str()))
                    .or_default()
                    .push((stem, c.value.as_str()));
            }
        }
        // Discovery names: (name, value, service of its enumeration).
        let discovery: Vec<(&str, &str, &str)> = self
            .discovery_names
            .iter()
            .map(|(f, name, value)| {
                (
                    name.as_str(),
                    value.as_str(),
                    self.files[*f as usize].service.as_str(),
                )
            })
            .collect();
        for (f, (facts, _)) in per_file.iter_mut().enumerate() {
            let service = self.files[f].service.as_str();
            // `Service.AUTH` (or `client.Service.AUTH`): the member of that name in
            // the service's own enumeration, else the one value the workspace has.
            let service_name = |written: &str| -> Option<String> {
                let mut parts = written.rsplit('.');
                let (member, enumeration) = (parts.next()?, parts.next()?);
                let name = format!("{enumeration}.{member}");
                let found: Vec<&(&str, &str, &str)> =
                    discovery.iter().filter(|(n, _, _)| *n == name).collect();
                if let Some((_, v, _)) = found.iter().find(|(_, _, s)| *s == service) {
                    return Some(v.to_string());
                }
                let first = found.first()?.1;
                found
                    .iter()
                    .all(|(_, v, _)| *v == first)
                    .then(|| first.to_string())
            };
            let lookup = |reference: &str| -> Option<String> {
                // A parameter: what the service's calls pass at its position or name.
                if reference.contains('(') {
                    let (callable, position, name) = parameter_reference(reference)?;
                    let passed = [
                        format!("{callable}({position})"),
                        format!("{callable}({name})"),
                    ];
                    let found = passed
                        .iter()
                        .find_map(|k| by_name.get(&(service, k.as_str())))?;
                    let first = found[0].1;
                    return found
                        .iter()
                        .all(|(_, v)| *v == first)
                        .then(|| first.to_string());
                }
                let (qualifier, name) = reference
                    .rsplit_once(['.', ':'])
                    .map_or(("", reference), |(q, n)| (q.trim_end_matches(':'), n));
                let found = by_name.get(&(service, name))?;
                let module = qualifier.rsplit(['.', ':']).next().unwrap_or(qualifier);
                if let Some((_, v)) = found
                    .iter()
                    .find(|(stem, _)| !module.is_empty() && *stem == module)
                {
                    return Some(v.to_string());
                }
                let first = found[0].1;
                found
                    .iter()
                    .all(|(_, v)| *v == first)
                    .then(|| first.to_string())
            };
            // A destination whose name no constant gave is no destination.
            let named: Vec<bool> = facts
                .iter_mut()
                .map(|e| {
                    // A call to a service no discovery name gives is no call; the
                    // name found stays marked (`{service:auth}`) for the link's evidence.
                    if e.via.contains("{svc:") {
                        e.via = cartograph_indexer::fill_service_names(&e.via, |w| {
                            service_name(w).map(|v| format!("{{service:{v}}}"))
                        });
                        if e.via.contains("{}") && !e.via.contains("{service:") {
                            return false;
                        }
                    }
                    if e.via.starts_with("{base:") {
                        e.via = cartograph_indexer::fill_base(&e.via, lookup);
                    }
                    if !e.via.contains("{ref:") {
                        return true;
                    }
                    e.via = cartograph_indexer::fill_references(&e.via, lookup);
                    !(e.protocol == Protocol::Topic && e.via.contains("{}"))
                })
                .collect();
            let mut named = named.into_iter();
            facts.retain(|e| {
                named.next().unwrap_or(true)
                    && (!e.absolute_only || split_url(&resolve_env(&e.via, None).0).0.is_some())
            });
        }
    }

    /// Members of enumerations whose values read like service names: (node of the
    /// member, its value).
    pub(crate) fn discovery_names(&self) -> Vec<(u32, &str)> {
        self.discovery_names
            .iter()
            .filter_map(|(f, name, value)| {
                let member = name.rsplit('.').next().unwrap_or(name);
                let first = self.first[*f as usize];
                let i = self.symbols[*f as usize]
                    .iter()
                    .position(|s| s.name == member)?;
                Some((first + i as u32, value.as_str()))
            })
            .collect()
    }

    /// The file of a node, by number.
    pub(crate) fn node_file(&self, n: u32) -> u32 {
        self.nodes[n as usize].file
    }

    /// The service of a node's file.
    pub(crate) fn service_of_node(&self, n: u32) -> &str {
        self.service_of(self.nodes[n as usize].file)
    }

    /// The nodes outside `service` that use `n`, directly or through other nodes of
    /// `service` (a library's function, called by the services built with it): what
    /// a library does on behalf of each service that uses it. Bounded.
    pub(crate) fn users_outside(&self, n: u32, service: &str) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .entries_from_outside(n, service, usize::MAX)
            .iter()
            .map(|e| e.from)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The references from outside `service` through which its node `n` is reached,
    /// directly or through at most `hops` other nodes of `service` (see
    /// [`Self::users_outside`]): the call sites in the services using a library that
    /// end in `n`. Bounded.
    pub(crate) fn entries_from_outside(&self, n: u32, service: &str, hops: usize) -> Vec<&Edge> {
        const MAX_VISITED: usize = 5_000;
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::from([n]);
        let mut queue = std::collections::VecDeque::from([(n, 0)]);
        let mut out = Vec::new();
        while let Some((m, depth)) = queue.pop_front() {
            for e in self.edges_into(m) {
                if self.service_of_node(e.from) != service {
                    if seen.len() < MAX_VISITED {
                        out.push(e);
                    }
                    continue;
                }
                if depth >= hops || seen.len() >= MAX_VISITED || !seen.insert(e.from) {
                    continue;
                }
                queue.push_back((e.from, depth + 1));
            }
        }
        out
    }

    /// Matches every file's endpoints to the contracts of the workspace (the rpcs of
    /// its `.proto` services) and links each call to the handlers of the same rpc in
    /// other services.
    fn link_services(
        &mut self,
        per_file: Vec<(Vec<EndpointFact>, Option<String>)>,
        endpoint_ids: &[Vec<String>],
        deployments: &[Deployment],
        services: &[cartograph_indexer::Service],
    ) {
        // Contracts: service name -> (protocol, package, rpc), from the services of
        // `.proto` (gRPC) and `.thrift` files.
        let mut contracts: HashMap<String, Vec<(Protocol, String, String)>> = HashMap::new();
        for (f, (_, package)) in per_file.iter().enumerate() {
            let protocol = match self.files[f].language {
                Language::Proto => Protocol::Grpc,
                Language::Thrift => Protocol::Thrift,
                _ => continue,
            };
            for (i, s) in self.symbols[f].iter().enumerate() {
                if s.kind != SymbolKind::Rpc {
                    continue;
                }
                if let Some((service, rpc)) = s.qualified_name.rsplit_once('.') {
                    let service = service.rsplit('.').next().unwrap_or(service);
                    let package = package.clone().unwrap_or_default();
                    self.rpc_contracts.insert(
                        self.first[f] + i as u32,
                        contract_key(protocol, &package, service, rpc),
                    );
                    contracts.entry(service.to_string()).or_default().push((
                        protocol,
                        package,
                        rpc.to_string(),
                    ));
                }
            }
        }
        // The contract a handler or call of one of `services` named `method` serves
        // or calls, with its protocol.
        let key_of = |services: Vec<&str>,
                      method: &str,
                      call: bool|
         -> Option<(String, Protocol)> {
            let wanted = method_key(method);
            for service in services {
                for (protocol, package, rpc) in contracts.get(service).into_iter().flatten() {
                    let key = method_key(rpc);
                    // C# clients add `Async` to the rpc's name.
                    if key == wanted || (call && wanted.strip_suffix("async") == Some(key.as_str()))
                    {
                        return Some((contract_key(*protocol, package, service, rpc), *protocol));
                    }
                }
            }
            None
        };
        // The rpc names of `services` (copies of one `.proto` name them once).
        let rpcs_of = |services: Vec<&str>| -> BTreeSet<String> {
            services
                .into_iter()
                .flat_map(|s| contracts.get(s).into_iter().flatten())
                .map(|(_, _, rpc)| rpc.clone())
                .collect()
        };
        let typed = TypedMembers::new(self, &per_file);
        // Services by a normalised name, for the hosts of URLs: their own names and
        // the names they are deployed under; services without code too (a gateway
        // that is only its configuration), unless inside one with code (an image
        // built in `carts/docker/carts` packages `carts`).
        let with_code: HashSet<&str> = self.files.iter().map(|r| r.service_path.as_str()).collect();
        let inside_code = |path: &str| {
            with_code.contains(path)
                || with_code.iter().any(|c| {
                    !c.is_empty()
                        && path.starts_with(c)
                        && path.as_bytes().get(c.len()) == Some(&b'/')
                })
        };
        let deployed = DeployedServices::new(
            self.files
                .iter()
                .map(|r| (r.service.as_str(), r.service_path.as_str()))
                .chain(
                    services
                        .iter()
                        .filter(|s| !inside_code(&s.path))
                        .map(|s| (s.name.as_str(), s.path.as_str())),
                ),
            deployments,
        );
        let envs = deployed.envs(deployments);
        let variants = deployed.env_variants(deployments);
        self.gateway_routes = gateway_routes(deployments, &deployed, &envs);
        // The base URL each service's relative calls go to, where its command says.
        let mut bases: HashMap<&str, &str> = HashMap::new();
        for (d, runs) in deployments.iter().zip(&deployed.runs) {
            if let (Some((service, _)), Some(base)) = (runs, d.base_url.as_deref()) {
                bases.entry(service.as_str()).or_insert(base);
            }
        }
        // Handlers placed, by node and key: a handler declared twice (a subscription
        // registered for it and its handler interface) is one endpoint.
        let mut handlers: HashSet<(u32, String)> = HashSet::new();
        for (f, (facts, _)) in per_file.into_iter().enumerate() {
            // Test code exercises a service; what it calls or serves is no
            // dependency between services.
            if crate::impact::is_test(&self.files[f].path, "") {
                continue;
            }
            for mut fact in facts {
                // Handlers answered by a type's members, wherever its service defines
                // them: one endpoint per member named after a function of the service.
                if let Some(ty) = fact.handler_type.take() {
                    let service = &self.files[f].service;
                    for rpc in rpcs_of(service_names_of_base(&fact.via)) {
                        for (file, node) in typed.members(service, &ty, &rpc) {
                            let Some((key, protocol)) =
                                key_of(service_names_of_base(&fact.via), &rpc, false)
                            else {
                                continue;
                            };
                            // (The type also embeds the generated base, or is
                            // registered twice: one endpoint.)
                            if !handlers.insert((node, key.clone())) {
                                continue;
                            }
                            let symbol = self.nodes[node as usize];
                            let s = &self.symbols[file as usize][symbol.symbol as usize];
                            let mut member = fact.clone();
                            member.protocol = protocol;
                            member.method = s.name.clone();
                            member.line = s.line;
                            member.col = s.col;
                            self.endpoints.push(Placed {
                                file,
                                fact: member,
                                node,
                                key: Some(key),
                                http: None,
                                in_context: false,
                            });
                        }
                    }
                    continue;
                }
                // A call on a field declared in another file: its declared type.
                if let Some(field) = fact.receiver_field.take() {
                    match typed.client_field(&self.files[f].service, &field) {
                        Some(client) => fact.via = client,
                        None => continue,
                    }
                }
                // A listener's handler: the member of the type the file names.
                let listener = match (&fact.member, fact.reference) {
                    (Some(member), Some(r)) => self.member_of(self.resolved_target(f, r), member),
                    _ => None,
                };
                let node = match fact.symbol {
                    _ if listener.is_some() => listener.unwrap_or_default(),
                    Endpoint::Local(i) => self.first[f] + i,
                    // A handler registered here and defined elsewhere: where the
                    // reference naming it leads.
                    Endpoint::TopLevel
                        if fact.role == Role::Provides && fact.reference.is_some() =>
                    {
                        let r = fact.reference.unwrap_or_default();
                        self.resolved_target(f, r)
                            .unwrap_or(self.first[f] + self.symbols[f].len() as u32)
                    }
                    Endpoint::TopLevel => self.first[f] + self.symbols[f].len() as u32,
                    Endpoint::Other(i) => {
                        let id = endpoint_ids.get(f).and_then(|ids| ids.get(i as usize));
                        match id.and_then(|id| self.by_id.get(id)) {
                            Some(&node) => node,
                            None => continue,
                        }
                    }
                };
                let mut in_context = false;
                let (key, http) = match (fact.protocol, fact.role) {
                    (Protocol::Grpc | Protocol::Thrift, role) => {
                        let names = match role {
                            Role::Provides => service_names_of_base(&fact.via),
                            Role::Consumes => service_names_of_client(&fact.via),
                        };
                        let found = key_of(names, &fact.method, role == Role::Consumes);
                        // The contract says which protocol the generated names meant.
                        if let Some((_, protocol)) = &found {
                            fact.protocol = *protocol;
                        }
                        (found.map(|(key, _)| key), None)
                    }
                    (Protocol::Http, _) => {
                        // The merged environment, else the first deployment of the
                        // service whose own environment names a service here (variants
                        // of one deployment may point elsewhere).
                        let service = &self.files[f].service;
                        let known = |url: &str| deployed.service_for_url(url).is_some();
                        // `value` resolved in an environment that makes it name a
                        // service of the workspace, if one does.
                        let naming = |value: &str| {
                            let merged = resolve_env(value, envs.get(service));
                            if known(&merged.0) {
                                return Some(merged);
                            }
                            variants
                                .get(service)
                                .into_iter()
                                .flatten()
                                .map(|env| resolve_env(value, Some(env)))
                                .find(|(url, _)| known(url))
                        };
                        // A path alone goes to the base URL the service runs with, when
                        // that names a service.
                        let based = bases
                            .get(service.as_str())
                            .filter(|_| fact.via.starts_with('/'))
                            .and_then(|base| {
                                naming(&format!("{}{}", base.trim_end_matches('/'), fact.via))
                            });
                        // A host a discovery name gave (`{service:auth}`).
                        let (via, discovered) = match fact.via.strip_prefix("http://{service:") {
                            Some(rest) => (format!("http://{}", rest.replacen('}', "", 1)), true),
                            None => (fact.via.clone(), false),
                        };
                        let (url, from_env) = based
                            .or_else(|| naming(&via))
                            .unwrap_or_else(|| resolve_env(&via, envs.get(service)));
                        let url = dapr_invocation(&url).unwrap_or(url);
                        let (host, mut path) = split_url(&url);
                        if let Some(rest) = deployed.context_path(&url) {
                            path = rest;
                            in_context = true;
                        }
                        // Health checks and metrics are not dependencies. (A route at
                        // `/` stays: only a call that names its service reaches it, since
                        // a path alone must have a literal segment to match.)
                        if is_probe(&path) {
                            continue;
                        }
                        // A host that is no service of the workspace: a third party.
                        let target = match host {
                            Some(_) => match deployed.service_for_url(&url) {
                                Some(s) => Some(s.clone()),
                                None => continue,
                            },
                            None => None,
                        };
                        let addressed = match (target.is_some(), discovered, from_env) {
                            (false, _, _) => Addressed::Literal,
                            (true, true, _) => Addressed::Discovery,
                            (true, false, true) => Addressed::Env,
                            (true, false, false) => Addressed::Literal,
                        };
                        (
                            Some(format!("http:{} {path}", fact.method)),
                            Some((path, target, addressed)),
                        )
                    }
                    (Protocol::Topic, _) => {
                        let env = envs.get(&self.files[f].service);
                        let name = resolve_env(&fact.via, env).0;
                        // A Spring Cloud Stream binding names its destination in the
                        // configuration (else it is its own).
                        let bound = env.and_then(|e| {
                            e.get(&format!("spring.cloud.stream.bindings.{name}.destination"))
                        });
                        (Some(format!("topic:{}", bound.unwrap_or(&name))), None)
                    }
                };
                let repeated = fact.role == Role::Provides
                    && key
                        .as_ref()
                        .is_some_and(|k| !handlers.insert((node, k.clone())));
                if key.is_some() && !repeated {
                    self.endpoints.push(Placed {
                        file: f as u32,
                        fact,
                        node,
                        key,
                        http,
                        in_context,
                    });
                }
            }
        }
        let mut providers: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in self.endpoints.iter().enumerate() {
            if let (Role::Provides, Some(key)) = (p.fact.role, p.key.as_deref()) {
                providers.entry(key).or_default().push(i);
            }
        }
        let (mut links, mut internal) = self.link_http();
        for (i, c) in self.endpoints.iter().enumerate() {
            if c.fact.protocol == Protocol::Http {
                continue;
            }
            let (Role::Consumes, Some(key)) = (c.fact.role, c.key.as_deref()) else {
                continue;
            };
            // A service calling its own endpoint is not a dependency.
            let service = &self.files[c.file as usize].service;
            let (found, own): (Vec<usize>, Vec<usize>) = providers
                .get(key)
                .into_iter()
                .flatten()
                .copied()
                .partition(|p| &self.files[self.endpoints[*p].file as usize].service != service);
            if found.is_empty() && !own.is_empty() {
                internal.insert(i);
                internal.extend(own);
            }
            // Of several services answering an rpc, the one the client's address
            // names (its deployment's host), when it names one of them.
            let addressed = c.fact.address.as_deref().and_then(|address| {
                let (address, _) = resolve_env(address, envs.get(service));
                let url = if address.contains("://") {
                    address
                } else {
                    format!("http://{address}")
                };
                deployed.service_for_url(&url).cloned()
            });
            let found: Vec<usize> = match addressed {
                Some(named)
                    if found
                        .iter()
                        .any(|p| self.files[self.endpoints[*p].file as usize].service == named) =>
                {
                    found
                        .into_iter()
                        .filter(|p| self.files[self.endpoints[*p].file as usize].service == named)
                        .collect()
                }
                _ => found,
            };
            // A binding of a queue to the exchange: the messages are handled where
            // the binding's service consumes that queue (when it does).
            let mut handled: Vec<usize> = Vec::new();
            for p in found {
                let bound = &self.endpoints[p];
                let owner = &self.files[bound.file as usize].service;
                let consumers: Vec<usize> = bound
                    .fact
                    .queue
                    .as_ref()
                    .and_then(|q| providers.get(format!("topic:{q}").as_str()))
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|h| &self.files[self.endpoints[*h].file as usize].service == owner)
                    .collect();
                if consumers.is_empty() {
                    handled.push(p);
                }
                handled.extend(consumers);
            }
            handled.sort_unstable();
            handled.dedup();
            let found = handled;
            for p in &found {
                let (evidence, confidence) = match c.fact.protocol {
                    Protocol::Topic if c.fact.message_type => (Evidence::MessageType, 0.8),
                    Protocol::Topic => (Evidence::TopicName, 0.9),
                    _ => (Evidence::Idl, 0.95),
                };
                links.push(ServiceEdge {
                    consumer: i,
                    provider: *p,
                    endpoint: key.to_string(),
                    evidence,
                    // Every subscriber gets the message; an rpc goes to one server.
                    confidence: if c.fact.protocol == Protocol::Topic {
                        confidence
                    } else {
                        confidence / found.len() as f32
                    },
                    via: None,
                });
            }
        }
        for (i, l) in links.iter().enumerate() {
            self.links_into
                .entry(self.endpoints[l.provider].node)
                .or_default()
                .push(i);
            self.links_out
                .entry(self.endpoints[l.consumer].node)
                .or_default()
                .push(i);
        }
        // (An endpoint some other service links to is linked, not internal.)
        for l in &links {
            internal.remove(&l.consumer);
            internal.remove(&l.provider);
        }
        self.service_links = links;
        self.internal = internal;
    }

    /// Whether the endpoint (an index into [`Self::endpoints`]) is matched only within
    /// its own service.
    pub(crate) fn is_internal(&self, endpoint: usize) -> bool {
        self.internal.contains(&endpoint)
    }

    /// Links HTTP calls to the routes of other services with the same method and a
    /// path template that fits: in the service the URL names when it names one
    /// (`literal-url`), else anywhere, with less confidence (`route-template`). A call
    /// that no route answers and that fits a gateway's route (to the gateway, or
    /// with no host) is linked to the handler the gateway forwards it to
    /// (`gateway`).
    fn link_http(&self) -> (Vec<ServiceEdge>, HashSet<usize>) {
        let routes: Vec<usize> = (0..self.endpoints.len())
            .filter(|i| {
                let p = &self.endpoints[*i];
                p.fact.protocol == Protocol::Http && p.fact.role == Role::Provides
            })
            .collect();
        let mut out = Vec::new();
        let mut internal = HashSet::new();
        for (i, c) in self.endpoints.iter().enumerate() {
            let (Protocol::Http, Role::Consumes, Some((path, target, addressed))) =
                (c.fact.protocol, c.fact.role, c.http.as_ref())
            else {
                continue;
            };
            let service = self.service_of(c.file);
            // Without a host, a route alone must say something: a literal segment.
            let literal = |p: &str| {
                p.split('/')
                    .any(|s| !s.is_empty() && s != "{}" && s != "**")
            };
            if target.is_none() && !literal(path) {
                continue;
            }
            let answers = |r: &usize| {
                let p = &self.endpoints[*r];
                let provider = self.service_of(p.file);
                let method_fits =
                    p.fact.method == "*" || c.fact.method == "*" || p.fact.method == c.fact.method;
                target.as_deref().is_none_or(|t| t == provider)
                    && (target.is_some()
                        || p.http.as_ref().is_some_and(|(route, _, _)| literal(route)))
                    && method_fits
                    && p.http.as_ref().is_some_and(|(route, _, _)| {
                        paths_match(route, path)
                            || (c.in_context
                                && after_first_segment(path)
                                    .is_some_and(|rest| paths_match(route, rest)))
                    })
            };
            let (found, own): (Vec<usize>, Vec<usize>) = routes
                .iter()
                .copied()
                .filter(answers)
                .partition(|r| self.service_of(self.endpoints[*r].file) != service);
            if found.is_empty() && !own.is_empty() {
                internal.insert(i);
                internal.extend(own);
            }
            let (evidence, confidence) = match (target, addressed) {
                (Some(_), Addressed::Env) => (Evidence::EnvConfig, 0.85),
                (Some(_), Addressed::Discovery) => (Evidence::DiscoveryName, 0.8),
                (Some(_), Addressed::Literal) => (Evidence::LiteralUrl, 0.9),
                (None, _) => (Evidence::RouteTemplate, 0.5),
            };
            let (found, via, evidence, confidence) = if found.is_empty() {
                let (found, via) = self.through_gateway(c, path, target.as_deref(), &routes);
                // As sure as the call's address, less for the forwarding rule.
                let confidence = if target.is_some() { 0.7 } else { 0.45 };
                (found, via, Evidence::Gateway, confidence)
            } else {
                (found, None, evidence, confidence)
            };
            for r in &found {
                out.push(ServiceEdge {
                    consumer: i,
                    provider: *r,
                    endpoint: self.endpoints[*r].key.clone().unwrap_or_default(),
                    evidence,
                    confidence: confidence / found.len() as f32,
                    via: via.clone(),
                });
            }
        }
        (out, internal)
    }

    /// The routes (of `routes`) a gateway forwards the HTTP call `c` to: the first
    /// gateway route whose prefix the call's path starts with, on the gateway the
    /// call names (or any, when it names no host), and the gateway.
    fn through_gateway(
        &self,
        c: &Placed,
        path: &str,
        target: Option<&str>,
        routes: &[usize],
    ) -> (Vec<usize>, Option<String>) {
        for g in &self.gateway_routes {
            if target.is_some_and(|t| t != g.gateway) {
                continue;
            }
            let catch_all = g
                .prefix
                .trim_end_matches("**")
                .trim_end_matches('*')
                .trim_matches('/')
                .is_empty();
            let rest = if catch_all {
                // A catch-all route (`/`) forwards what is addressed to the gateway.
                if target != Some(g.gateway.as_str()) {
                    continue;
                }
                path.trim_start_matches('/')
            } else {
                match strip_route_prefix(path, &g.prefix) {
                    Some(rest) => rest,
                    None => continue,
                }
            };
            // nginx replaces the prefix by the proxied URL's path; Zuul strips it by
            // default, Spring Cloud Gateway keeps it unless told: try both.
            let forwarded: Vec<String> = match &g.forward {
                Some(base) => vec![format!("{}/{rest}", base.trim_end_matches('/'))],
                None => vec![path.to_string(), format!("/{rest}")],
            };
            for forwarded in forwarded {
                let found: Vec<usize> = routes
                    .iter()
                    .copied()
                    .filter(|r| {
                        let p = &self.endpoints[*r];
                        let method_fits = p.fact.method == "*"
                            || c.fact.method == "*"
                            || p.fact.method == c.fact.method;
                        self.service_of(p.file) == g.target
                            && method_fits
                            && p.http
                                .as_ref()
                                .is_some_and(|(route, _, _)| paths_match(route, &forwarded))
                    })
                    .collect();
                if !found.is_empty() {
                    return (found, Some(g.gateway.clone()));
                }
            }
        }
        (Vec::new(), None)
    }

    /// Calls from other services answered by the handler `n`, as edges at their
    /// call sites (with the link's evidence).
    pub(crate) fn link_edges_into(&self, n: u32) -> Vec<Edge> {
        self.links_into
            .get(&n)
            .into_iter()
            .flatten()
            .map(|l| &self.service_links[*l])
            .filter(|l| self.endpoints[l.consumer].fact.reference.is_some())
            .map(|l| self.link_edge(l))
            .collect()
    }

    /// The cross-service links as call edges (caller, handler, at the call site).
    fn link_edge(&self, l: &ServiceEdge) -> Edge {
        let c = &self.endpoints[l.consumer];
        Edge {
            from: c.node,
            to: self.endpoints[l.provider].node,
            kind: RefKind::Call,
            file: c.file,
            reference: c.fact.reference.unwrap_or(0),
            line: c.fact.line,
            col: c.fact.col,
            evidence: l.evidence,
            confidence: l.confidence,
        }
    }

    /// Every cross-service link.
    pub(crate) fn service_links(&self) -> impl Iterator<Item = (&ServiceEdge, &Placed, &Placed)> {
        self.service_links
            .iter()
            .map(|l| (l, &self.endpoints[l.consumer], &self.endpoints[l.provider]))
    }

    /// Every cross-service link, as matched (indices into [`Self::endpoints`]).
    pub(crate) fn service_links_raw(&self) -> &[ServiceEdge] {
        &self.service_links
    }

    /// Every endpoint matched to a contract.
    pub(crate) fn endpoints(&self) -> &[Placed] {
        &self.endpoints
    }

    /// The service of a file, by number.
    pub(crate) fn service_of(&self, file: u32) -> &str {
        &self.files[file as usize].service
    }

    /// A file's record, by number.
    pub(crate) fn record_of(&self, file: u32) -> &FileRecord {
        &self.files[file as usize]
    }
}

/// The rest of `path` after a gateway route's prefix (`/api/cart/` or `/api/cart/**`),
/// segment by segment: `/api/cart/add/1` → `add/1`.
fn strip_route_prefix<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    let prefix = prefix
        .trim_end_matches("**")
        .trim_end_matches('*')
        .trim_end_matches('/');
    if prefix.is_empty() || prefix.contains(['{', '*', '$']) {
        return None;
    }
    let rest = path.strip_prefix(prefix)?;
    match rest.strip_prefix('/') {
        Some(rest) => Some(rest),
        None if rest.is_empty() => Some(rest),
        None => None,
    }
}

/// The routes gateways declare (see [`GatewayRoute`]): each configured call with a
/// route prefix, from the service that runs the configuration to the service its
/// URL names.
fn gateway_routes(
    deployments: &[Deployment],
    deployed: &DeployedServices,
    envs: &HashMap<String, BTreeMap<String, String>>,
) -> Vec<GatewayRoute> {
    let mut out = Vec::new();
    for (d, runs) in deployments.iter().zip(&deployed.runs) {
        let Some((gateway, _)) = runs else { continue };
        for call in &d.calls {
            let Some(prefix) = call.route.as_deref() else {
                continue;
            };
            let (url, _) = resolve_env(&call.url, envs.get(gateway));
            let Some(target) = deployed.service_for_url(&url) else {
                continue;
            };
            if target == gateway {
                continue;
            }
            let (_, forward) = split_url(&url);
            let proxied_path = url
                .split_once("://")
                .map(|(_, rest)| rest)
                .is_some_and(|rest| rest.contains('/'));
            out.push(GatewayRoute {
                gateway: gateway.clone(),
                prefix: prefix.to_string(),
                target: target.clone(),
                forward: (proxied_path && !url.starts_with("lb://")).then_some(forward),
            });
        }
    }
    // The longest prefix first: `/api/cart/items/` before `/api/cart/`.
    out.sort_by(|a, b| {
        b.prefix
            .len()
            .cmp(&a.prefix.len())
            .then(a.prefix.cmp(&b.prefix))
    });
    out
}

/// Which service each deployment runs.
pub(crate) struct DeployedServices {
    /// Per deployment, in order: the service's code name and whether the deployment
    /// builds it from the service's directory (rather than sharing its name).
    pub(crate) runs: Vec<Option<(String, bool)>>,
    /// Code names by every name a service goes by, as hosts compare (see
    /// [`host_key`]): its own and its deployments'.
    pub(crate) by_host: HashMap<String, String>,
    /// Code names by the port they listen on for the same host (`localhost:8081`),
    /// where one service alone declares it.
    by_port: HashMap<u16, String>,
}

impl DeployedServices {
    /// Matches `deployments` to `services` (code name, directory): a deployment
    /// built from a service's directory runs it; else one whose name, as hosts
    /// compare, is a service's or an earlier deployment's of it.
    pub(crate) fn new<'s>(
        services: impl Iterator<Item = (&'s str, &'s str)> + Clone,
        deployments: &[Deployment],
    ) -> DeployedServices {
        let mut by_host: HashMap<String, String> = services
            .clone()
            .map(|(name, _)| (host_key(name), name.to_string()))
            .collect();
        // A service's directory name is a name it goes by too (a web application's
        // context, `tools.descartes.teastore.auth`), where no service has it already.
        let mut dirs: HashMap<String, Option<String>> = HashMap::new();
        for (name, path) in services.clone() {
            let dir = path.rsplit('/').next().unwrap_or(path);
            if !dir.is_empty() {
                let entry = dirs
                    .entry(host_key(dir))
                    .or_insert_with(|| Some(name.to_string()));
                if entry.as_deref() != Some(name) {
                    *entry = None;
                }
            }
        }
        for (dir, name) in dirs {
            if let Some(name) = name {
                by_host.entry(dir).or_insert(name);
            }
        }
        // A gateway run from a third-party image (Traefik routing by labels, Envoy or
        // Kong from a configuration in a folder of its name), or an image a gateway's
        // configuration is mounted into, is a host calls name, and the service its
        // routes are run by.
        let configured = |m: &Deployment| {
            deployments
                .iter()
                .any(|d| d.calls.iter().any(|c| c.route.is_some()) && mounted_in(d, m))
        };
        for d in deployments {
            let gateway_image = d
                .image
                .as_deref()
                .and_then(crate::infrastructure_of)
                .is_some_and(|(kind, _)| kind == "gateway");
            if d.build.is_none() && d.image.is_some() && (gateway_image || configured(d)) {
                by_host
                    .entry(host_key(&d.name))
                    .or_insert_with(|| d.name.clone());
            }
        }
        // Configuration mounted into a container is that container's service's (an
        // nginx configuration in `./nginx` mounted into the `gateway` service): placed
        // once the containers are.
        let mounted = |d: &Deployment| {
            !d.calls.is_empty() && d.build.is_some() && deployments.iter().any(|m| mounted_in(d, m))
        };
        let runs = deployments
            .iter()
            .map(|d| {
                if mounted(d) {
                    return None;
                }
                // The service built from that directory, else the one around it (an
                // image built from `carts/docker/carts` packages `carts`).
                let built = d.build.as_deref().and_then(|b| {
                    services
                        .clone()
                        .filter(|(_, path)| {
                            *path == b
                                || (!path.is_empty()
                                    && b.starts_with(path)
                                    && b.as_bytes().get(path.len()) == Some(&b'/'))
                        })
                        .max_by_key(|(_, path)| path.len())
                        .map(|(name, _)| name.to_string())
                });
                let is_built = built.is_some();
                // The project it names (Aspire's `AddProject<Projects.Basket_API>`).
                let project = d
                    .project
                    .as_deref()
                    .and_then(|p| by_host.get(&host_key(p)).cloned());
                let service = built
                    .or(project)
                    .or_else(|| by_host.get(&host_key(&d.name)).cloned())?;
                by_host.insert(host_key(&d.name), service.clone());
                for alias in &d.aliases {
                    by_host.insert(host_key(alias), service.clone());
                }
                Some((service, is_built))
            })
            .collect::<Vec<Option<(String, bool)>>>();
        let mut runs = runs;
        for (i, d) in deployments.iter().enumerate() {
            if !mounted(d) {
                continue;
            }
            let mounter = deployments
                .iter()
                .zip(&runs)
                .find(|(m, run)| run.is_some() && mounted_in(d, m))
                .and_then(|(_, run)| run.clone());
            if let Some((service, _)) = mounter {
                runs[i] = Some((service, false));
            }
        }
        let mut ports: HashMap<u16, Option<String>> = HashMap::new();
        for (d, run) in deployments.iter().zip(&runs) {
            let Some((service, _)) = run else { continue };
            for port in &d.ports {
                let claimed = ports.entry(*port).or_insert_with(|| Some(service.clone()));
                if claimed.as_deref() != Some(service.as_str()) {
                    *claimed = None;
                }
            }
        }
        let by_port = ports
            .into_iter()
            .filter_map(|(p, s)| Some((p, s?)))
            .collect();
        DeployedServices {
            runs,
            by_host,
            by_port,
        }
    }

    /// The service a URL names: its host as a service or deployment name, or, for
    /// this host (`localhost`, `127.0.0.1`), the one service listening on its port.
    pub(crate) fn service_for_url(&self, url: &str) -> Option<&String> {
        self.resolve_url(url).map(|(service, _)| service)
    }

    /// The path after the context root of a URL that names its service by its web
    /// application (see [`DeployedServices::resolve_url`]), template as `split_url`
    /// gives it.
    pub(crate) fn context_path(&self, url: &str) -> Option<String> {
        let (_, context) = self.resolve_url(url)?;
        let path = split_url(url).1;
        let rest = path.strip_prefix('/')?.strip_prefix(context?)?;
        Some(if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        })
    }

    /// The service a URL names, and the context root that named it when a servlet
    /// container's application did (`http://localhost:8080/tools.shop.registry/rest/..`
    /// is served by the application named `tools.shop.registry`).
    fn resolve_url<'u>(&self, url: &'u str) -> Option<(&String, Option<&'u str>)> {
        let host = split_url(url).0?;
        if matches!(host.as_str(), "localhost" | "127.0.0.1" | "0.0.0.0") {
            let rest = url.split_once("://").map_or(url, |(_, r)| r);
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            let port = authority
                .rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok());
            if let Some(service) = port.and_then(|p| self.by_port.get(&p)) {
                return Some((service, None));
            }
            // A servlet container serves each application under its name:
            // `http://localhost:8080/tools.descartes.teastore.registry/rest/...`.
            let path = rest[authority.len()..].trim_start_matches('/');
            let context = path.split(['/', '?']).next().unwrap_or("");
            return (!context.is_empty() && context.contains(['.', '-', '_']))
                .then(|| self.by_host.get(&host_key(context)))
                .flatten()
                .map(|service| (service, Some(context)));
        }
        self.by_host.get(&host_key(&host)).map(|s| (s, None))
    }
}

impl DeployedServices {
    /// Each service's environment: the URLs its configuration sets by key
    /// (`service.product.url`, for `@Value("${service.product.url}")`), its images'
    /// `ENV` defaults (Dockerfiles), then what its deployments set, which overrides
    /// them.
    pub(crate) fn envs(
        &self,
        deployments: &[Deployment],
    ) -> HashMap<String, BTreeMap<String, String>> {
        let mut envs: HashMap<String, BTreeMap<String, String>> = HashMap::new();
        for (d, runs) in deployments.iter().zip(&self.runs) {
            if let Some((service, _)) = runs {
                let keyed = d
                    .calls
                    .iter()
                    .filter(|c| c.route.is_none() && c.key.contains('.'));
                envs.entry(service.clone())
                    .or_default()
                    .extend(keyed.map(|c| (c.key.clone(), c.url.clone())));
            }
        }
        for image_defaults in [true, false] {
            for (d, runs) in deployments.iter().zip(&self.runs) {
                if d.gives_defaults() != image_defaults {
                    continue;
                }
                if let Some((service, _)) = runs {
                    envs.entry(service.clone())
                        .or_default()
                        .extend(d.env.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        envs
    }

    /// Each service's environment per deployment (over its images' defaults), in
    /// deployment order: the variants one service is deployed with.
    pub(crate) fn env_variants(
        &self,
        deployments: &[Deployment],
    ) -> HashMap<String, Vec<BTreeMap<String, String>>> {
        let mut defaults: HashMap<&str, BTreeMap<String, String>> = HashMap::new();
        for (d, runs) in deployments.iter().zip(&self.runs) {
            if let (true, Some((service, _))) = (d.gives_defaults(), runs) {
                defaults
                    .entry(service.as_str())
                    .or_default()
                    .extend(d.env.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut out: HashMap<String, Vec<BTreeMap<String, String>>> = HashMap::new();
        for (d, runs) in deployments.iter().zip(&self.runs) {
            if d.gives_defaults() || d.env.is_empty() {
                continue;
            }
            if let Some((service, _)) = runs {
                let mut env = defaults.get(service.as_str()).cloned().unwrap_or_default();
                env.extend(d.env.iter().map(|(k, v)| (k.clone(), v.clone())));
                out.entry(service.clone()).or_default().push(env);
            }
        }
        out
    }
}

/// A service or host name compared loosely: lowercase, without `-`, `_` and `.`.
pub(crate) fn host_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether the configuration file `d` was read from is mounted into `m`'s containers
/// (the file itself, or a folder holding it).
fn mounted_in(d: &Deployment, m: &Deployment) -> bool {
    m.mounts.iter().any(|mount| {
        d.file == *mount
            || (d.file.starts_with(mount.as_str())
                && d.file.as_bytes().get(mount.len()) == Some(&b'/'))
    })
}

/// A call through Dapr's sidecar (`http://localhost:3500/v1.0/invoke/cart/method/items`,
/// also with the app's namespace, `cart.shop`) as the call to the app it invokes
/// (`http://cart/items`).
fn dapr_invocation(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("/v1.0/invoke/")?;
    let (app, rest) = rest.split_once('/')?;
    let path = rest.strip_prefix("method")?;
    let app = app.split('.').next().unwrap_or(app);
    (!app.is_empty() && !app.contains('{')).then(|| format!("http://{app}{path}"))
}

/// Whether a path is a health check, a readiness or liveness probe, or metrics.
pub(crate) fn is_probe(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    matches!(
        last,
        "health" | "healthz" | "ready" | "readyz" | "live" | "livez" | "ping" | "metrics"
    )
}

/// The key of an rpc contract: `grpc:pkg.Service/Method`, `thrift:ns.Service/function`.
fn contract_key(protocol: Protocol, package: &str, service: &str, rpc: &str) -> String {
    let dot = if package.is_empty() { "" } else { "." };
    format!("{}:{package}{dot}{service}/{rpc}", protocol.name())
}

/// The callables of each type by service, and the fields of C and C++ classes, for
/// endpoints answered or called through a type defined across files (C++ classes
/// whose methods and fields live in other files than the code using them; a Thrift
/// processor's handler type).
struct TypedMembers {
    /// (service, type's simple name) -> its callables.
    members: HashMap<(String, String), Vec<Member>>,
    /// (service, `Class.field`) -> the field's declaration.
    fields: HashMap<(String, String), String>,
}

/// A callable member of a type.
struct Member {
    file: u32,
    node: u32,
    name: String,
    /// A C or C++ method in its class body: only declared there when an
    /// out-of-class definition (`void Cart::Add() { }`) exists.
    in_class: bool,
}

impl TypedMembers {
    /// Indexes the services that have endpoints needing it (none: empty).
    fn new(view: &GraphView, per_file: &[(Vec<EndpointFact>, Option<String>)]) -> TypedMembers {
        let mut wanted: HashSet<&str> = HashSet::new();
        for (f, (facts, _)) in per_file.iter().enumerate() {
            if facts
                .iter()
                .any(|e| e.handler_type.is_some() || e.receiver_field.is_some())
            {
                wanted.insert(view.files[f].service.as_str());
            }
        }
        let mut members: HashMap<(String, String), Vec<Member>> = HashMap::new();
        let mut fields = HashMap::new();
        for (f, record) in view.files.iter().enumerate() {
            if !wanted.contains(record.service.as_str()) || crate::impact::is_test(&record.path, "")
            {
                continue;
            }
            let native = matches!(record.language, Language::C | Language::Cpp);
            for (i, s) in view.symbols[f].iter().enumerate() {
                let Some((owner, _)) = s.qualified_name.rsplit_once('.') else {
                    continue;
                };
                let owner = owner.rsplit('.').next().unwrap_or(owner);
                if s.kind.is_callable() {
                    members
                        .entry((record.service.clone(), owner.to_string()))
                        .or_default()
                        .push(Member {
                            file: f as u32,
                            node: view.first[f] + i as u32,
                            name: s.name.clone(),
                            in_class: native && s.parent.is_some(),
                        });
                } else if native && s.kind == SymbolKind::Field {
                    fields.insert(
                        (record.service.clone(), s.qualified_name.clone()),
                        s.signature.clone(),
                    );
                }
            }
        }
        TypedMembers { members, fields }
    }

    /// The (file, node) of the members of `ty` in `service` named like `function`:
    /// out-of-class definitions, else the members in the class body.
    fn members(&self, service: &str, ty: &str, function: &str) -> Vec<(u32, u32)> {
        let ty = ty.rsplit(['.', ':']).next().unwrap_or(ty);
        let wanted = method_key(function);
        let named: Vec<&Member> = self
            .members
            .get(&(service.to_string(), ty.to_string()))
            .into_iter()
            .flatten()
            .filter(|m| method_key(&m.name) == wanted)
            .collect();
        let defined = named.iter().any(|m| !m.in_class);
        named
            .into_iter()
            .filter(|m| !(defined && m.in_class))
            .map(|m| (m.file, m.node))
            .collect()
    }

    /// The generated client the field `Class.field` of `service` holds, by its
    /// declaration (the innermost named) (`ClientPool<ThriftClient<InventoryServiceClient>> *pool_;`,
    /// `std::unique_ptr<CartService::Stub> stub_;`).
    fn client_field(&self, service: &str, field: &str) -> Option<String> {
        let declaration = self.fields.get(&(service.to_string(), field.to_string()))?;
        // The innermost: a pool of wrappers of clients holds clients.
        let words = declaration
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .filter(|w| !w.is_empty());
        words.rev().find_map(|w| {
            let mut parts = w.rsplit("::");
            match parts.next()? {
                "Stub" => parts.next().map(str::to_string),
                last if last.ends_with("Client") => Some(last.to_string()),
                _ => None,
            }
        })
    }
}

/// Whether a contract is a health check or probe: the standard gRPC health
/// service, or an HTTP route [`is_probe`] names.
pub(crate) fn is_probe_contract(key: &str) -> bool {
    if let Some(rpc) = key.strip_prefix("grpc:") {
        return rpc.starts_with("grpc.health.") || rpc.starts_with("Health/");
    }
    key.strip_prefix("http:")
        .map(|route| route.rsplit(' ').next().unwrap_or(route))
        .is_some_and(|path| is_probe(path.trim_end_matches('/')))
}

/// The limits of one tree: it stops growing at a node count, a deadline or a token
/// budget, and says so, so that no request can run away on a hub symbol.
struct Budget {
    deadline: std::time::Instant,
    nodes_left: usize,
    /// Tokens left for the answer as JSON, when it has a budget.
    tokens_left: Option<usize>,
    exceeded: bool,
}

impl Budget {
    fn new(tokens: Option<usize>) -> Budget {
        Budget {
            deadline: std::time::Instant::now() + TREE_TIME_LIMIT,
            nodes_left: MAX_TREE_NODES,
            tokens_left: tokens,
            exceeded: false,
        }
    }

    /// Takes one node costing `node` (its JSON without children) from the budget.
    fn spend(&mut self, node: &CallNode) -> bool {
        if self.exceeded {
            return false;
        }
        let cost = self.tokens_left.map(|_| json_tokens(node));
        let over_tokens = matches!((self.tokens_left, cost), (Some(left), Some(c)) if c > left);
        if self.nodes_left == 0 || over_tokens || std::time::Instant::now() > self.deadline {
            self.exceeded = true;
            return false;
        }
        self.nodes_left -= 1;
        if let (Some(left), Some(c)) = (self.tokens_left.as_mut(), cost) {
            *left -= c;
        }
        true
    }
}

/// Bytes of JSON per token, counted low: symbol names, paths and punctuation
/// tokenize densely.
pub const JSON_BYTES_PER_TOKEN: usize = 3;

/// The tokens `value` costs a client as compact JSON (rounded up).
pub fn json_tokens<T: Serialize>(value: &T) -> usize {
    let bytes = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(0);
    bytes.div_ceil(JSON_BYTES_PER_TOKEN)
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
        id: record.symbol_id(cartograph_graph::TOP_LEVEL),
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
        generated: record.generated,
    }
}

/// Which way a call tree grows.
#[derive(Clone, Copy)]
enum Direction {
    Callers,
    Callees,
}

impl GraphView {
    /// The callers or callees of `n`, `depth` levels deep.
    fn tree(
        &self,
        n: u32,
        depth: usize,
        direction: Direction,
        seen: &mut BTreeSet<u32>,
        budget: &mut Budget,
    ) -> Vec<CallNode> {
        if depth == 0 {
            return Vec::new();
        }
        seen.insert(n);
        let links = match direction {
            Direction::Callers => self.calls_into(n),
            Direction::Callees => self.calls_out(n),
        };
        let mut nodes: Vec<(u32, CallNode)> = Vec::new();
        for (other, e, evidence, confidence) in links {
            if let Some((_, node)) = nodes.iter_mut().find(|(o, _)| *o == other) {
                node.sites += 1;
                // The strongest link between the two is the one shown.
                if confidence > node.confidence {
                    node.site = self.site(&e);
                    node.evidence = evidence.name().to_string();
                    node.confidence = confidence;
                }
                continue;
            }
            let node = CallNode {
                symbol: self.hit(other),
                site: self.site(&e),
                sites: 1,
                evidence: evidence.name().to_string(),
                confidence,
                children: Vec::new(),
            };
            if !budget.spend(&node) {
                break;
            }
            nodes.push((other, node));
        }
        let mut out = Vec::with_capacity(nodes.len());
        for (other, mut node) in nodes {
            let top = self.nodes[other as usize].symbol == TOP;
            if !top && !seen.contains(&other) && !budget.exceeded {
                node.children = self.tree(other, depth - 1, direction, seen, budget);
            }
            out.push(node);
        }
        out
    }

    /// Who calls `symbol` (or what it calls), `depth` levels deep, within a token
    /// budget for the answer as JSON when there is one.
    pub(crate) fn call_tree(
        &self,
        symbol: &SymbolHit,
        depth: usize,
        callers: bool,
        tokens: Option<usize>,
    ) -> CallTree {
        let direction = if callers {
            Direction::Callers
        } else {
            Direction::Callees
        };
        // The asked symbol and the envelope come first.
        let mut budget = Budget::new(tokens.map(|t| t.saturating_sub(json_tokens(symbol) + 20)));
        let children = match self.node(&symbol.id) {
            Some(n) => self.tree(
                n,
                depth.min(MAX_DEPTH),
                direction,
                &mut BTreeSet::new(),
                &mut budget,
            ),
            None => Vec::new(),
        };
        CallTree {
            symbol: symbol.clone(),
            children,
            truncated: budget.exceeded,
        }
    }

    /// A shortest chain of calls from `from` to `to`, breadth-first up to
    /// `max_depth` calls; each step with its link.
    pub(crate) fn call_path(
        &self,
        from: &str,
        to: &str,
        max_depth: usize,
    ) -> Option<Vec<CallNode>> {
        let (start, goal) = (self.node(from)?, self.node(to)?);
        // node -> (previous node, edge, evidence, confidence)
        let mut came: HashMap<u32, (u32, Edge, Evidence, f32)> = HashMap::new();
        let mut queue = VecDeque::from([(start, 0usize)]);
        let mut seen = BTreeSet::from([start]);
        while let Some((n, d)) = queue.pop_front() {
            if n == goal {
                break;
            }
            if d == max_depth {
                continue;
            }
            for (m, e, evidence, confidence) in self.calls_out(n) {
                if seen.insert(m) {
                    came.insert(m, (n, e, evidence, confidence));
                    queue.push_back((m, d + 1));
                }
            }
        }
        let mut steps = Vec::new();
        let mut at = goal;
        while at != start {
            let (prev, e, evidence, confidence) = came.get(&at)?;
            steps.push(CallNode {
                symbol: self.hit(at),
                site: self.site(e),
                sites: 1,
                evidence: evidence.name().to_string(),
                confidence: *confidence,
                children: Vec::new(),
            });
            at = *prev;
        }
        steps.reverse();
        Some(steps)
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

impl GraphView {
    fn related(&self, n: u32, e: &Edge) -> Related {
        let hit = self.hit(n);
        Related {
            name: hit.name.clone(),
            symbol: Some(hit),
            evidence: Some(e.evidence.name().to_string()),
            confidence: e.confidence,
            site: self.site(e),
        }
    }

    /// A member related through the type relation `e`.
    fn inherited(&self, member: u32, e: &Edge) -> Related {
        Related {
            evidence: Some(Evidence::Inherited.name().to_string()),
            ..self.related(member, e)
        }
    }

    /// The hierarchy around `symbol`. `unresolved` gives, for a type node, the
    /// relations declared on it that link nowhere (name, site), from its facts.
    pub(crate) fn hierarchy(
        &self,
        symbol: &SymbolHit,
        unresolved: &dyn Fn(&SymbolHit) -> Vec<(String, String)>,
    ) -> Hierarchy {
        let mut out = Hierarchy {
            symbol: symbol.clone(),
            owner: None,
            supertypes: Vec::new(),
            subtypes: Vec::new(),
            overrides: Vec::new(),
            overridden_by: Vec::new(),
        };
        let Some(n) = self.node(&symbol.id) else {
            return out;
        };
        let Some(s) = self.symbol(n) else {
            return out;
        };
        let (owners, member) = if s.kind.is_type() {
            (vec![n], None)
        } else {
            (self.owners(n), Some(s.name.clone()))
        };
        let Some(&owner) = owners.first() else {
            return out;
        };
        for &o in &owners {
            for e in self.supertypes(o) {
                if !out.supertypes.iter().any(|r| r.site == self.site(e)) {
                    out.supertypes.push(self.related(e.to, e));
                }
            }
            for e in self.subtypes(o) {
                if !out
                    .subtypes
                    .iter()
                    .any(|r| r.symbol.as_ref().map(|h| &h.id) == Some(&self.hit(e.from).id))
                {
                    out.subtypes.push(self.related(e.from, e));
                }
            }
        }
        let owner_hit = self.hit(owner);
        for (name, site) in unresolved(&owner_hit) {
            if !out.supertypes.iter().any(|r| r.site == site) {
                out.supertypes.push(Related {
                    name,
                    symbol: None,
                    evidence: None,
                    confidence: 0.0,
                    site,
                });
            }
        }
        if let Some(m) = member {
            for &o in &owners {
                for e in self.supertypes(o) {
                    if let Some(x) = self.member(e.to, e.file, &m) {
                        out.overrides.push(self.inherited(x, e));
                    }
                }
                for e in self.subtypes(o) {
                    if let Some(x) = self.member(e.from, e.file, &m) {
                        out.overridden_by.push(self.inherited(x, e));
                    }
                }
            }
        }
        out.owner = Some(owner_hit);
        out
    }
}

/// A path without its first segment (`/rest/items/{}` → `/items/{}`), if it has more.
fn after_first_segment(path: &str) -> Option<&str> {
    let rest = path.strip_prefix('/')?;
    let at = rest.find('/')?;
    Some(&rest[at..])
}

#[cfg(test)]
mod tests {
    #[test]
    fn health_checks_and_probes_are_no_contracts_of_the_system() {
        for probe in [
            "grpc:grpc.health.v1.Health/Check",
            "grpc:grpc.health.v1.Health/Watch",
            "http:GET /healthz",
            "http:GET /api/health/",
        ] {
            assert!(super::is_probe_contract(probe), "{probe}");
        }
        for contract in [
            "grpc:shop.PaymentService/Charge",
            "http:GET /cart/{}",
            "topic:health-events",
        ] {
            assert!(!super::is_probe_contract(contract), "{contract}");
        }
    }
}
