//! The requests every adapter (CLI, MCP, gRPC) asks and the answers it gets: one
//! place that picks the symbol a request names, bounds what a request may ask,
//! pages long results and says how fresh the index is. Adapters only translate
//! wire formats to these values and back, so the same question gets the same answer
//! everywhere.

use std::path::{Component, Path};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::model::{Definition, OutlineNode, RefSite, SymbolHit};
use crate::{CallNode, CallTree, Error, Result, SearchQuery, Workspace, MAX_DEPTH};

/// Most results on one page.
pub const MAX_LIMIT: usize = 500;
/// Results on a page when a request does not say.
pub const DEFAULT_LIMIT: usize = 20;
/// Most candidates listed when a name is ambiguous.
pub const MAX_CANDIDATES: usize = 20;
/// Default token budget of a caller or callee tree answered to a client.
pub const DEFAULT_TREE_TOKENS: usize = 4_000;
/// Largest token budget of a caller or callee tree.
pub const MAX_TREE_TOKENS: usize = 50_000;
/// Largest token budget of a map.
pub const MAX_MAP_TOKENS: usize = 20_000;
/// Token budget of a map when a request does not say.
pub const DEFAULT_MAP_TOKENS: usize = 2_000;
/// Longest text a request may carry in one field.
pub const MAX_FIELD_BYTES: usize = 4_096;
/// Changed files named in an [`IndexState`] (the count is always complete).
const MAX_CHANGED_LISTED: usize = 10;

/// Symbol search.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SearchRequest {
    /// Words to look for (`cart items` finds `getCartItems`).
    pub text: String,
    /// Only this kind (`function`, `method`, `class`, ...).
    pub kind: Option<String>,
    /// Only this language.
    pub lang: Option<String>,
    /// Only this service.
    pub service: Option<String>,
    /// Only files under this workspace path.
    pub path: Option<String>,
    /// Results per page (default 20, at most 500).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A symbol: a stable ID, a (qualified) name, or a position `file:line:col`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SymbolRequest {
    /// What to look up.
    pub symbol: String,
    /// Definitions per page (default 20, at most 500).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// References to one symbol.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReferencesRequest {
    /// The symbol (ID, name or `file:line:col`).
    pub symbol: String,
    /// Every site using the name, whatever it resolves to.
    #[serde(default)]
    pub by_name: bool,
    /// Results per page (default 20, at most 500).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Callers or callees of one symbol.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CallsRequest {
    /// The symbol (ID, name or `file:line:col`).
    pub symbol: String,
    /// Levels to follow (default 1, at most [`MAX_DEPTH`]).
    pub depth: Option<usize>,
    /// Token budget of the tree as JSON (default [`DEFAULT_TREE_TOKENS`], at most
    /// [`MAX_TREE_TOKENS`]); a tree cut by it says `truncated`.
    pub tokens: Option<usize>,
}

/// The outline of one file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutlineRequest {
    /// A workspace path (or an absolute path under an indexed root).
    pub file: String,
}

/// A shortest call path between two symbols.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathRequest {
    /// Where the chain starts.
    pub from: String,
    /// Where it ends.
    pub to: String,
}

/// A ranked overview of a service or directory.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MapRequest {
    /// A service name or a workspace directory; the whole workspace when absent.
    pub scope: Option<String>,
    /// Token budget of the answer (default 2,000).
    pub tokens: Option<usize>,
}

/// The endpoints matched to contracts.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointsRequest {
    /// Only this service's (any name it goes by).
    pub service: Option<String>,
    /// Only the ones no cross-service link uses (calls nothing answers, routes no
    /// one calls).
    #[serde(default)]
    pub unmatched: bool,
    /// Results per page (default 20, at most 500).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The cross-service links (call site to handler).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinksRequest {
    /// Only calls made by this service.
    pub from: Option<String>,
    /// Only calls answered by this service.
    pub to: Option<String>,
    /// Results per page (default 20, at most 500).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The type hierarchy around one symbol.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HierarchyRequest {
    /// The symbol (ID, name or `file:line:col`).
    pub symbol: String,
}

/// One page of a long result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page<T> {
    /// The results of this page.
    pub items: Vec<T>,
    /// Results in all pages (absent when only a first part was ranked, as for
    /// search).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<usize>,
    /// Pass this as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// References, and whether they were found by resolution or by name only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct References {
    /// The symbol the references resolve to (absent for a by-name listing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<SymbolHit>,
    /// The sites.
    #[serde(flatten)]
    pub page: Page<RefSite>,
}

/// A call path between two symbols.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallPath {
    /// The first symbol.
    pub from: SymbolHit,
    /// The last symbol.
    pub to: SymbolHit,
    /// The steps after `from`, each with the evidence of its link; absent when no
    /// chain of resolved calls joins them.
    pub steps: Option<Vec<CallNode>>,
}

/// A symbol of a map with its centrality.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    /// The symbol.
    #[serde(flatten)]
    pub symbol: SymbolHit,
    /// PageRank over the references inside the scope (sums to 1 over the scope).
    pub rank: f32,
}

/// The most central symbols of a scope, within a token budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Map {
    /// The scope (`service:NAME`, `dir:PATH` or `workspace`).
    pub scope: String,
    /// Symbols of the scope.
    pub symbols_in_scope: usize,
    /// The most central, best first.
    pub symbols: Vec<Ranked>,
    /// Estimated tokens of the listed symbols.
    pub tokens: usize,
}

/// How the index relates to the files on disk, attached to every answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndexState {
    /// Store generation answered from.
    pub generation: u64,
    /// When the index was last updated (seconds since the epoch).
    pub indexed_at: i64,
    /// Whether some files changed on disk since (answers may be stale there).
    pub stale: bool,
    /// Files modified, added or deleted on disk since the last update.
    pub changed_files: usize,
    /// The first few of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// When the disk was compared with the index (seconds since the epoch).
    pub checked_at: i64,
    /// Whether an update is being applied (a watching server): newer answers
    /// follow shortly.
    pub updating: bool,
    /// Why the last update of a watching server failed (answers come from the
    /// state before it; later edits are still applied).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_error: Option<String>,
}

/// The cached state and when it was computed.
pub(crate) type StateCache = std::sync::Mutex<Option<(Instant, IndexState)>>;

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn check_field(name: &str, value: &str) -> Result<()> {
    if value.len() > MAX_FIELD_BYTES {
        return Err(Error::Invalid(format!(
            "`{name}` is {} bytes long; at most {MAX_FIELD_BYTES} are accepted",
            value.len()
        )));
    }
    if value.trim().is_empty() {
        return Err(Error::Invalid(format!("`{name}` is empty")));
    }
    Ok(())
}

fn limit_of(limit: Option<usize>) -> Result<usize> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(0) => Err(Error::Invalid("`limit` must be at least 1".to_string())),
        Some(n) if n > MAX_LIMIT => Err(Error::Invalid(format!(
            "`limit` is {n}; at most {MAX_LIMIT} results fit on a page (use the cursor for more)"
        ))),
        Some(n) => Ok(n),
    }
}

/// Splits `file:line:col` (the file may contain colons); line 1-based, column 0-based.
pub fn parse_position(at: &str) -> Option<(&str, u32, u32)> {
    let mut parts = at.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line: u32 = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    (line > 0 && !file.is_empty() && !file.contains(' ')).then_some((file, line, col))
}

impl Workspace {
    /// How the index relates to the disk, computed at most every `max_age` (walking
    /// the roots); the cached value is shared by every request.
    pub fn index_state(&self, max_age: Duration) -> Result<IndexState> {
        if let Ok(cache) = self.state.lock() {
            if let Some((at, state)) = cache.as_ref() {
                if at.elapsed() <= max_age {
                    return Ok(state.clone());
                }
            }
        }
        let (state, _) = self.disk_state()?;
        Ok(state)
    }

    /// How the index relates to the disk now (walking the roots), with every file
    /// modified, added or deleted since the last update (sorted); refreshes the
    /// state [`Workspace::index_state`] shares.
    pub fn disk_state(&self) -> Result<(IndexState, Vec<String>)> {
        let meta = self.store.meta()?;
        let files = self.store.files()?;
        let fresh = self.freshness(&files)?;
        let mut changed: Vec<String> = fresh
            .modified
            .iter()
            .chain(&fresh.added)
            .chain(&fresh.deleted)
            .cloned()
            .collect();
        changed.sort();
        let state = IndexState {
            generation: meta.generation,
            indexed_at: meta.indexed_at,
            stale: !changed.is_empty(),
            changed_files: changed.len(),
            changed: changed.iter().take(MAX_CHANGED_LISTED).cloned().collect(),
            checked_at: now_secs(),
            updating: false,
            update_error: None,
        };
        if let Ok(mut cache) = self.state.lock() {
            *cache = Some((Instant::now(), state.clone()));
        }
        Ok((state, changed))
    }

    /// Indexed files whose size or modification time differ on disk now, or that
    /// are gone: a check by metadata only (no walk, no reads), cheap enough for
    /// every command; files added since are not seen (`stats` sees them).
    pub fn quick_staleness(&self) -> Result<Vec<String>> {
        let roots = self.store.meta()?.roots;
        let mut out = Vec::new();
        for f in self.store.files()? {
            let abs = roots.iter().find_map(|r| {
                let rel = if r.prefix.is_empty() {
                    Some(f.path.as_str())
                } else {
                    f.path
                        .strip_prefix(r.prefix.as_str())
                        .and_then(|p| p.strip_prefix('/'))
                };
                rel.map(|rel| r.path.join(rel))
            });
            let same = abs
                .and_then(|a| std::fs::metadata(a).ok())
                .is_some_and(|m| m.len() == f.size && cartograph_indexer::mtime_of(&m) == f.mtime);
            if !same {
                out.push(f.path);
            }
        }
        Ok(out)
    }

    /// Records the index as matching the disk (just after indexing it), so the first
    /// answers do not walk the disk to say so.
    pub fn assume_fresh(&self) -> Result<()> {
        let meta = self.store.meta()?;
        let state = IndexState {
            generation: meta.generation,
            indexed_at: meta.indexed_at,
            stale: false,
            changed_files: 0,
            changed: Vec::new(),
            checked_at: now_secs(),
            updating: false,
            update_error: None,
        };
        if let Ok(mut cache) = self.state.lock() {
            *cache = Some((Instant::now(), state));
        }
        Ok(())
    }

    /// A workspace path from a path a request names: workspace-relative, or absolute
    /// under an indexed root. Paths leaving the roots are refused; paths inside them
    /// that are not indexed are "not indexed".
    pub fn confine_path(&self, given: &str) -> Result<String> {
        check_field("file", given)?;
        if given.contains('\0') {
            return Err(Error::Invalid("the path contains a NUL byte".to_string()));
        }
        let path = Path::new(given);
        let meta = self.store.meta()?;
        let relative = if path.is_absolute() {
            let inside = meta.roots.iter().find_map(|r| {
                let root = cartograph_indexer::Root {
                    path: r.path.clone(),
                    prefix: r.prefix.clone(),
                };
                root.workspace_path(path)
            });
            match inside {
                Some(p) => p,
                None => {
                    return Err(Error::Invalid(format!(
                        "{given} is outside the indexed roots; give a workspace path such as `src/main.go`"
                    )))
                }
            }
        } else {
            given.to_string()
        };
        let mut parts: Vec<&str> = Vec::new();
        for c in Path::new(&relative).components() {
            match c {
                Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return Err(Error::Invalid(format!(
                        "{given} leaves the indexed roots; give a workspace path without `..`"
                    )))
                }
            }
        }
        let clean = parts.join("/");
        if self.store.file(&clean)?.is_none() {
            return Err(Error::NotIndexed {
                path: given.to_string(),
                hint: "; `search` with a `path` filter lists indexed files".to_string(),
            });
        }
        Ok(clean)
    }

    /// The one symbol a request names: a stable ID, a (qualified) name, or a
    /// position `file:line:col`. No match is [`Error::NoSuchSymbol`]; several are
    /// [`Error::Ambiguous`], listing candidates, never a guess.
    pub fn resolve_symbol(&self, arg: &str) -> Result<SymbolHit> {
        check_field("symbol", arg)?;
        let mut hits = match self.position_of(arg)? {
            Some((path, line, col)) => self
                .definition_at(&path, line, col)?
                .into_iter()
                .map(|d| d.symbol)
                .collect(),
            None => self.choose_symbol(arg)?,
        };
        hits.dedup_by(|a, b| a.id == b.id);
        declared_and_defined(&mut hits);
        match hits.len() {
            0 => Err(Error::NoSuchSymbol {
                asked: arg.to_string(),
                hint: if cartograph_graph::split_symbol_id(arg).is_some() {
                    "; the ID is not in the index (re-index, or `search` for the name)".to_string()
                } else if parse_position(arg).is_some() {
                    "; nothing at that position resolves to an indexed definition".to_string()
                } else {
                    "; `search` finds symbols by words of their names".to_string()
                },
            }),
            1 => Ok(hits.remove(0)),
            _ => {
                let total = hits.len();
                hits.truncate(MAX_CANDIDATES);
                Err(Error::Ambiguous {
                    asked: arg.to_string(),
                    total,
                    candidates: hits,
                })
            }
        }
    }

    /// `file:line:col` naming an indexed file, as a workspace path and position.
    fn position_of(&self, arg: &str) -> Result<Option<(String, u32, u32)>> {
        let Some((file, line, col)) = parse_position(arg) else {
            return Ok(None);
        };
        match self.confine_path(file) {
            Ok(path) => Ok(Some((path, line, col))),
            // Not a file: the argument is a name that happens to end in digits.
            Err(Error::NotIndexed { .. }) if cartograph_graph::split_symbol_id(arg).is_some() => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Ranked symbol search, paged.
    pub fn search_page(&self, req: &SearchRequest) -> Result<Page<SymbolHit>> {
        check_field("text", &req.text)?;
        let limit = limit_of(req.limit)?;
        let offset = self.cursor_offset(req.cursor.as_deref())?;
        let q = SearchQuery {
            text: req.text.clone(),
            kind: req.kind.clone(),
            language: req.lang.clone(),
            service: req.service.clone(),
            path: req.path.clone(),
            limit: (offset + limit + 1).min(10_000),
        };
        let hits = self.search(&q)?;
        self.page(hits, offset, limit, false)
    }

    /// The definition(s) a request names, with doc and a bounded snippet, paged: a
    /// name may have many definitions (every one is listed, across pages); none is
    /// [`Error::NoSuchSymbol`].
    pub fn symbol(&self, req: &SymbolRequest) -> Result<Page<Definition>> {
        check_field("symbol", &req.symbol)?;
        let limit = limit_of(req.limit)?;
        let offset = self.cursor_offset(req.cursor.as_deref())?;
        let page = match self.position_of(&req.symbol)? {
            Some((path, line, col)) => {
                self.page(self.definition_at(&path, line, col)?, offset, limit, true)?
            }
            None => {
                let q = SearchQuery {
                    limit: MAX_CANDIDATES,
                    ..SearchQuery::default()
                };
                let chosen: Vec<String> = self
                    .choose_symbol(&req.symbol)?
                    .into_iter()
                    .map(|h| h.id)
                    .collect();
                let ids = self.page(chosen, offset, limit, true)?;
                let mut defs = Vec::new();
                for id in &ids.items {
                    defs.extend(
                        self.definitions(id, &q)?
                            .into_iter()
                            .filter(|d| &d.symbol.id == id),
                    );
                }
                Page {
                    items: defs,
                    total: ids.total,
                    next_cursor: ids.next_cursor,
                }
            }
        };
        if page.total == Some(0) {
            // The same message as resolving the symbol would give.
            self.resolve_symbol(&req.symbol)?;
        }
        Ok(page)
    }

    /// References to the symbol a request names (resolved), or every site of the
    /// name (`by_name`), paged.
    pub fn references_page(&self, req: &ReferencesRequest) -> Result<References> {
        let limit = limit_of(req.limit)?;
        let offset = self.cursor_offset(req.cursor.as_deref())?;
        let (symbol, sites) = self.all_references(req)?;
        Ok(References {
            symbol,
            page: self.page(sites, offset, limit, true)?,
        })
    }

    /// Every reference a request asks for, unpaged (for streaming), with the symbol
    /// they resolve to (none for a by-name listing).
    pub fn all_references(
        &self,
        req: &ReferencesRequest,
    ) -> Result<(Option<SymbolHit>, Vec<RefSite>)> {
        if req.by_name {
            check_field("symbol", &req.symbol)?;
            return Ok((None, self.references(&req.symbol)?));
        }
        let symbol = self.resolve_symbol(&req.symbol)?;
        let sites = self.references_to(&symbol)?;
        Ok((Some(symbol), sites))
    }

    /// Callers (or callees) of the symbol a request names, as a tree.
    pub fn calls(&self, req: &CallsRequest, callers: bool) -> Result<CallTree> {
        let depth = req.depth.unwrap_or(1);
        if depth == 0 || depth > MAX_DEPTH {
            return Err(Error::Invalid(format!(
                "`depth` is {depth}; it must be between 1 and {MAX_DEPTH}"
            )));
        }
        let tokens = match req.tokens {
            None => DEFAULT_TREE_TOKENS,
            Some(n) if (100..=MAX_TREE_TOKENS).contains(&n) => n,
            Some(n) => {
                return Err(Error::Invalid(format!(
                    "`tokens` is {n}; it must be between 100 and {MAX_TREE_TOKENS}"
                )))
            }
        };
        let symbol = self.resolve_symbol(&req.symbol)?;
        self.call_tree(&symbol, depth, callers, Some(tokens))
    }

    /// A service a request names, as the service map shows it; an unknown name is
    /// [`Error::NotFound`]-like ([`Error::NoSuchSymbol`] is for symbols).
    fn named_service(&self, field: &str, name: Option<&str>) -> Result<Option<String>> {
        let Some(name) = name else { return Ok(None) };
        check_field(field, name)?;
        match self.service_named(name)? {
            Some(s) => Ok(Some(s)),
            None => Err(Error::Invalid(format!(
                "no service named `{name}` in the index (the `services` tool lists them)"
            ))),
        }
    }

    /// The endpoints a request asks for, paged.
    pub fn endpoints_page(&self, req: &EndpointsRequest) -> Result<Page<crate::EndpointInfo>> {
        let limit = limit_of(req.limit)?;
        let offset = self.cursor_offset(req.cursor.as_deref())?;
        self.named_service("service", req.service.as_deref())?;
        let mut found = self.endpoints(req.service.as_deref())?;
        if req.unmatched {
            found.retain(|e| !e.linked && !e.internal);
        }
        self.page(found, offset, limit, true)
    }

    /// The cross-service links a request asks for, paged.
    pub fn links_page(&self, req: &LinksRequest) -> Result<Page<crate::ServiceLink>> {
        let limit = limit_of(req.limit)?;
        let offset = self.cursor_offset(req.cursor.as_deref())?;
        let from = self.named_service("from", req.from.as_deref())?;
        let to = self.named_service("to", req.to.as_deref())?;
        let found: Vec<_> = self
            .service_links()?
            .into_iter()
            .filter(|l| to.as_ref().is_none_or(|t| &l.to.service == t))
            .filter(|l| from.as_ref().is_none_or(|f| &l.from.service == f))
            .collect();
        self.page(found, offset, limit, true)
    }

    /// The type hierarchy around the symbol a request names.
    pub fn hierarchy_of(&self, req: &HierarchyRequest) -> Result<crate::Hierarchy> {
        let symbol = self.resolve_symbol(&req.symbol)?;
        self.hierarchy(&symbol)
    }

    /// The outline of the file a request names.
    pub fn outline_of(&self, req: &OutlineRequest) -> Result<Vec<OutlineNode>> {
        let path = self.confine_path(&req.file)?;
        self.outline(&path)
    }

    /// A shortest chain of calls between the symbols a request names.
    pub fn path_between(&self, req: &PathRequest) -> Result<CallPath> {
        let from = self.resolve_symbol(&req.from)?;
        let to = self.resolve_symbol(&req.to)?;
        let steps = self.call_path(&from, &to)?;
        Ok(CallPath { from, to, steps })
    }

    /// The most central symbols of a service, a directory or the workspace (PageRank
    /// over the resolved references inside it), as many as fit the token budget.
    pub fn map(&self, req: &MapRequest) -> Result<Map> {
        let budget = match req.tokens {
            None => DEFAULT_MAP_TOKENS,
            Some(n) if (100..=MAX_MAP_TOKENS).contains(&n) => n,
            Some(n) => {
                return Err(Error::Invalid(format!(
                    "`tokens` is {n}; it must be between 100 and {MAX_MAP_TOKENS}"
                )))
            }
        };
        let view = self.graph_view()?;
        let (scope, ranked) = match req.scope.as_deref() {
            // Generated code is left out: a map shows what people wrote.
            None => ("workspace".to_string(), view.rank(|r| !r.generated)),
            Some(s) => {
                check_field("scope", s)?;
                if let Some(svc) = self.service_names()?.find(s) {
                    let code = svc.code_name.clone();
                    (
                        format!("service:{}", svc.name),
                        view.rank(|r| r.service == code && !r.generated),
                    )
                } else {
                    let dir = s.trim_end_matches('/').trim_start_matches("./");
                    if Path::new(dir)
                        .components()
                        .any(|c| !matches!(c, Component::Normal(_)))
                    {
                        return Err(Error::Invalid(format!(
                            "{s} is not a service nor a workspace directory; give a service name or a path such as `services/cart`"
                        )));
                    }
                    let prefix = format!("{dir}/");
                    let ranked = view.rank(|r| r.path.starts_with(&prefix) && !r.generated);
                    if ranked.is_empty() {
                        return Err(Error::NotIndexed {
                            path: s.to_string(),
                            hint: "; no service of that name and no indexed file under it (`services` lists the services)".to_string(),
                        });
                    }
                    (format!("dir:{dir}"), ranked)
                }
            }
        };
        let symbols_in_scope = ranked.len();
        let mut symbols = Vec::new();
        // The envelope (scope, counts, the index's state) comes first.
        let mut tokens = 100;
        for (node, rank) in ranked {
            let entry = Ranked {
                symbol: view.hit(node),
                rank,
            };
            // What the entry costs as the JSON the client receives.
            let cost = crate::graph_view::json_tokens(&entry) + 1;
            if tokens + cost > budget {
                break;
            }
            tokens += cost;
            symbols.push(entry);
        }
        Ok(Map {
            scope,
            symbols_in_scope,
            symbols,
            tokens,
        })
    }

    fn cursor_offset(&self, cursor: Option<&str>) -> Result<usize> {
        let Some(cursor) = cursor else {
            return Ok(0);
        };
        let generation = self.store.meta()?.generation;
        let parsed = cursor
            .split_once('.')
            .and_then(|(g, o)| Some((g.parse::<u64>().ok()?, o.parse::<usize>().ok()?)));
        match parsed {
            Some((g, offset)) if g == generation => Ok(offset),
            Some(_) => Err(Error::Invalid(
                "the index changed since this cursor was issued; repeat the request without a cursor"
                    .to_string(),
            )),
            None => Err(Error::Invalid(format!(
                "`{cursor}` is not a cursor of this server; pass the `next_cursor` of a previous page"
            ))),
        }
    }

    fn page<T>(
        &self,
        mut items: Vec<T>,
        offset: usize,
        limit: usize,
        exact: bool,
    ) -> Result<Page<T>> {
        let total = exact.then_some(items.len());
        let end = (offset + limit).min(items.len());
        let next_cursor = if end < items.len() {
            Some(format!("{}.{}", self.store.meta()?.generation, end))
        } else {
            None
        };
        let items: Vec<T> = if offset < items.len() {
            items.truncate(end);
            items.drain(..offset);
            items
        } else {
            Vec::new()
        };
        Ok(Page {
            items,
            total,
            next_cursor,
        })
    }
}

/// A C or C++ member declared in a header and defined in one source file
/// (`void GetBook(...);` in `Handler.h`, `void Handler::GetBook(...) { }` in
/// `Handler.cpp`) is one symbol: its definition stands for both.
fn declared_and_defined(hits: &mut Vec<SymbolHit>) {
    let Some(first) = hits.first() else {
        return;
    };
    let same = hits.iter().all(|h| {
        matches!(h.language.as_str(), "c" | "cpp")
            && h.service == first.service
            && h.qualified_name == first.qualified_name
            && h.kind == first.kind
    });
    let header = |h: &SymbolHit| {
        let ext = h.file.rsplit_once('.').map_or("", |(_, e)| e);
        matches!(ext, "h" | "hh" | "hpp" | "hxx" | "h++")
    };
    let defined: Vec<usize> = (0..hits.len()).filter(|i| !header(&hits[*i])).collect();
    if hits.len() > 1 && same && defined.len() == 1 {
        let kept = hits.swap_remove(defined[0]);
        *hits = vec![kept];
    }
}
