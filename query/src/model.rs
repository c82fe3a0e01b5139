//! Plain values returned by the query operations.

use serde::Serialize;

/// A symbol as search and definition results show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SymbolHit {
    /// Stable ID.
    pub id: String,
    /// Simple name.
    pub name: String,
    /// Container chain joined with `.`.
    pub qualified_name: String,
    /// Kind (`method`, `class`, ...).
    pub kind: String,
    /// Language (`go`, `python`, ...).
    pub language: String,
    /// Owning service.
    pub service: String,
    /// Workspace path of the file.
    pub file: String,
    /// First line (1-based).
    pub line: u32,
    /// Column of the name (0-based, bytes).
    pub col: u32,
    /// Last line (1-based).
    pub end_line: u32,
    /// End column (0-based, bytes).
    pub end_col: u32,
    /// Declaration head.
    pub signature: String,
    /// Relevance (search only; 0, and not serialized, for other lookups).
    #[serde(skip_serializing_if = "is_zero")]
    pub score: f32,
    /// In a file a tool generated (protobuf stubs, `DO NOT EDIT` files); only
    /// serialized when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub generated: bool,
}

fn is_zero(score: &f32) -> bool {
    *score == 0.0
}

/// A definition with its documentation and source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Definition {
    /// The symbol.
    #[serde(flatten)]
    pub symbol: SymbolHit,
    /// Doc comment or docstring.
    pub doc: Option<String>,
    /// The first lines of the definition as on disk now (bounded).
    pub snippet: Option<String>,
    /// Whether the file changed on disk since it was indexed.
    pub stale: bool,
    /// For a definition reached from a reference: how the link was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// For a definition reached from a reference: how sure the link is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// A reference site.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RefSite {
    /// Workspace path.
    pub file: String,
    /// Line (1-based).
    pub line: u32,
    /// Column (0-based, bytes).
    pub col: u32,
    /// End column on the same line (0-based, bytes).
    pub end_col: u32,
    /// How the name is used.
    pub kind: String,
    /// The name used.
    pub name: String,
    /// What the name is reached through (`self`, `cs.store`, `errors`), if anything.
    pub qualifier: Option<String>,
    /// Stable ID of the innermost enclosing symbol, if any.
    pub enclosing: Option<String>,
    /// Service of the file.
    pub service: String,
    /// Language of the file.
    pub language: String,
    /// Resolved targets; empty until references are resolved.
    pub targets: Vec<RefTarget>,
}

/// A definition a reference resolves to, with how sure the resolution is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RefTarget {
    /// Stable ID of the target.
    pub id: String,
    /// Its file.
    pub file: String,
    /// Its line.
    pub line: u32,
    /// Confidence in [0, 1].
    pub confidence: f32,
    /// How it was found.
    pub evidence: String,
}

/// One symbol of a file outline, with its children.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutlineNode {
    /// The symbol.
    #[serde(flatten)]
    pub symbol: SymbolHit,
    /// Symbols it contains.
    pub children: Vec<OutlineNode>,
}

/// Counts for one language.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LanguageStats {
    /// Files.
    pub files: u64,
    /// Lines.
    pub lines: u64,
    /// Bytes.
    pub bytes: u64,
    /// Definitions.
    pub symbols: u64,
    /// References.
    pub references: u64,
}

/// Whether the index matches the files on disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// Indexed files whose content changed on disk since.
    pub modified: Vec<String>,
    /// Files on disk that are not indexed.
    pub added: Vec<String>,
    /// Indexed files no longer on disk.
    pub deleted: Vec<String>,
}

impl Freshness {
    /// Whether the index reflects the disk exactly.
    pub fn is_fresh(&self) -> bool {
        self.modified.is_empty() && self.added.is_empty() && self.deleted.is_empty()
    }
}

/// Index statistics.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Files indexed.
    pub files: u64,
    /// Lines indexed.
    pub lines: u64,
    /// Bytes indexed.
    pub bytes: u64,
    /// Definitions.
    pub symbols: u64,
    /// References.
    pub references: u64,
    /// Imports.
    pub imports: u64,
    /// Services.
    pub services: u64,
    /// Files with diagnostics (syntax errors, invalid UTF-8).
    pub files_with_diagnostics: u64,
    /// Paths skipped by the last run (binary, too large, unreadable).
    pub skipped: u64,
    /// Directories of files in languages Cartograph does not parse (also counted in
    /// `skipped`).
    pub not_parsed: Vec<NotParsed>,
    /// Counts per language.
    pub languages: std::collections::BTreeMap<String, LanguageStats>,
    /// Bytes the index occupies on disk (store and search index).
    pub index_size_bytes: u64,
    /// When the last update was applied (seconds since the epoch).
    pub indexed_at: i64,
    /// Store generation.
    pub generation: u64,
    /// Roots of the workspace.
    pub roots: Vec<String>,
    /// Differences between the index and the disk.
    pub freshness: Freshness,
    /// The commit each root's git repository had checked out at the last update.
    pub repositories: Vec<RepositoryState>,
}

/// The commit a root's repository had checked out when it was last indexed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RepositoryState {
    /// The root.
    pub root: String,
    /// The commit indexed.
    pub commit: Option<String>,
    /// The branch (absent when detached).
    pub branch: Option<String>,
}

/// One line of `cartograph export`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExportRecord {
    /// A service.
    Service {
        /// Name.
        name: String,
        /// Directory.
        path: String,
        /// Manifest, if any.
        manifest: Option<String>,
        /// Languages of its files.
        languages: Vec<String>,
    },
    /// A file.
    File {
        /// Workspace path.
        path: String,
        /// Language.
        language: String,
        /// Owning service.
        service: String,
        /// Lines.
        lines: u32,
        /// Content hash.
        hash: String,
        /// Size in bytes.
        size: u64,
    },
    /// A definition.
    Symbol {
        /// The symbol, as search and definitions show it.
        #[serde(flatten)]
        symbol: SymbolHit,
        /// Stable ID of the enclosing symbol.
        parent: Option<String>,
    },
    /// A resolved link between two symbols (top-level code of a file has the
    /// `<top-level>` descriptor).
    Edge {
        /// `calls`, `references`, `inherits`, `implements` or `imports`.
        kind: String,
        /// Stable ID of the symbol the reference is in.
        from: String,
        /// Stable ID of the definition it resolves to.
        to: String,
        /// How the link was found.
        evidence: String,
        /// How sure it is.
        confidence: f32,
        /// Where the reference is: `file:line:col`.
        site: String,
    },
    /// A reference.
    Reference {
        /// File.
        file: String,
        /// Line (1-based).
        line: u32,
        /// Column (0-based).
        col: u32,
        /// End column.
        end_col: u32,
        /// How the name is used.
        kind: String,
        /// The name.
        name: String,
        /// What the name is reached through, if anything.
        qualifier: Option<String>,
        /// Stable ID of the enclosing symbol.
        enclosing: Option<String>,
        /// Resolved targets.
        targets: Vec<RefTarget>,
    },
}

/// How the references of an index resolve.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResolutionStats {
    /// References in the index.
    pub references: u64,
    /// References with at least one target, by the evidence of their best target.
    pub by_evidence: std::collections::BTreeMap<String, u64>,
    /// References with more than one target.
    pub ambiguous: u64,
    /// References with no target (names from outside the workspace, or not found).
    pub unresolved: u64,
}

/// One end of a cross-service link.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkEnd {
    /// The service.
    pub service: String,
    /// Workspace path of the file.
    pub file: String,
    /// Line of the call or of the handler's name (1-based).
    pub line: u32,
    /// Stable ID of the calling symbol or of the handler.
    pub symbol: String,
}

/// A call site in one service linked to the handler that answers it in another.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceLink {
    /// `grpc` (HTTP routes and message topics are not linked yet).
    pub protocol: String,
    /// The contract: `grpc:mesh.v1.CartService/GetCart`.
    pub endpoint: String,
    /// The call site.
    pub from: LinkEnd,
    /// The handler.
    pub to: LinkEnd,
    /// How the link was made (`idl`: both ends name an rpc of a `.proto` service).
    pub evidence: String,
    /// How sure the link is (shared when several services answer the same rpc).
    pub confidence: f32,
    /// The gateway the call reaches the handler through (`gateway` evidence): the
    /// service the call site depends on directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// For a call a shared library makes on behalf of the service calling into it
    /// (`library` evidence): the library's own call site, which `from` reaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub through: Option<LinkEnd>,
}

/// A service of the workspace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceInfo {
    /// Its name: the one it is deployed under (docker-compose service, Kubernetes
    /// Deployment) when there is one, else its manifest's, else its folder's.
    pub name: String,
    /// The name its code has (manifest or folder): the one in its symbols' IDs and
    /// in the `service` of symbols.
    pub code_name: String,
    /// Workspace path of its directory.
    pub path: String,
    /// Languages of its files.
    pub languages: Vec<String>,
    /// The names it is deployed under (docker-compose services built from its
    /// directory or of its name, Kubernetes Deployments of its name).
    pub deployed_as: Vec<String>,
    /// For infrastructure a system runs but did not write (found from the images
    /// its deployments run): `broker` or `datastore`. Absent for the system's own
    /// services. Its `path` is then `<deployment file>#<name>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A dependency between two services: the endpoints one calls on the other.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceDependency {
    /// The calling service.
    pub from: String,
    /// The called service.
    pub to: String,
    /// Protocol.
    pub protocol: String,
    /// The endpoints called, sorted.
    pub endpoints: Vec<String>,
    /// How its links were made.
    pub evidence: Vec<String>,
    /// The highest confidence of its links.
    pub confidence: f32,
}

/// The service map: services and the dependencies between them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceMap {
    /// Services, by name.
    pub services: Vec<ServiceInfo>,
    /// Dependencies, by caller then callee.
    pub edges: Vec<ServiceDependency>,
    /// How traffic from outside enters the system: the routes of a cluster's routing
    /// objects (Ingress, Gateway API `HTTPRoute`, Istio gateways) that no indexed
    /// service calls, from the gateway to the services they forward to. They say
    /// where the system is reached, not what one of its parts depends on (a routing
    /// object some service calls is a gateway in `edges`).
    pub entries: Vec<ServiceDependency>,
    /// Endpoints in no cross-service link (calls with no handler indexed, handlers
    /// no indexed service calls), by service, role, file and line.
    pub unmatched: Vec<EndpointInfo>,
    /// Directories of files in languages Cartograph does not parse: the services
    /// there are invisible to the map, not independent.
    pub not_parsed: Vec<NotParsed>,
    /// Sources of configuration that the workspace names but does not hold (a config
    /// server's git repository): the routes and addresses there are missing.
    pub not_indexed: Vec<NotIndexed>,
}

/// Configuration a service reads from outside the workspace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotIndexed {
    /// The service that reads or serves it, as the map shows it.
    pub service: String,
    /// Workspace path of the file that names it.
    pub file: String,
    /// Where it is (`https://github.com/org/config-repo`).
    pub source: String,
    /// What is missing and how to add it.
    pub note: String,
}

/// A directory of files in a language Cartograph does not parse.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotParsed {
    /// Workspace path of the directory (its service's).
    pub path: String,
    /// What is there: `14 files not indexed: c++ is a language cartograph does not parse`.
    pub note: String,
}

/// An endpoint a service provides (a handler) or consumes (a call site).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EndpointInfo {
    /// The service.
    pub service: String,
    /// `provides` or `consumes`.
    pub role: String,
    /// Protocol.
    pub protocol: String,
    /// The contract: `grpc:mesh.v1.CartService/GetCart`.
    pub endpoint: String,
    /// Workspace path of the file.
    pub file: String,
    /// Line of the handler's name or of the call (1-based).
    pub line: u32,
    /// Stable ID of the handler or of the calling symbol.
    pub symbol: String,
    /// Whether it takes part in a cross-service link: a call answered by a handler
    /// of another service, a handler another service calls. `false` is an answer
    /// too: no handler indexed for the call, or nobody indexed calls the handler.
    pub linked: bool,
    /// Matched only within its own service (not a dependency, nor unmatched): a call
    /// a handler of the same service answers, a handler only its own service calls
    /// (one program serving several services in-process).
    pub internal: bool,
}
