//! The gRPC service `cartograph.v1.Cartograph`: the query layer, typed, with
//! references and export streamed; errors map to status codes in one place
//! ([`status`]).

use std::pin::Pin;

use cartograph_query::api::{self, IndexState};
use cartograph_query::model as m;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use cartograph_api::pb;

use crate::server::{Failure, Refusal, Shared};

/// References per streamed message when a request does not say.
const DEFAULT_PAGE: usize = 100;

/// The status a refusal maps to: the one place where query errors become codes.
pub fn status(r: Refusal) -> Status {
    let mut message = r.message;
    if !r.candidates.is_empty() {
        let ids: Vec<String> = r.candidates.iter().map(|c| c.id.clone()).collect();
        message = format!("{message}: {}", ids.join(" | "));
    }
    match r.failure {
        Failure::Invalid => Status::invalid_argument(message),
        Failure::NotIndexed | Failure::NotFound => Status::not_found(message),
        Failure::Ambiguous => Status::failed_precondition(message),
        Failure::Timeout => Status::deadline_exceeded(message),
        Failure::Busy => Status::unavailable(message),
        Failure::Internal => Status::internal(message),
    }
}

fn index(s: IndexState) -> Option<pb::IndexState> {
    Some(pb::IndexState {
        generation: s.generation,
        indexed_at: s.indexed_at,
        stale: s.stale,
        changed_files: s.changed_files as u32,
        changed: s.changed,
        checked_at: s.checked_at,
        updating: s.updating,
        update_error: s.update_error.unwrap_or_default(),
    })
}

fn symbol(h: m::SymbolHit) -> pb::Symbol {
    pb::Symbol {
        id: h.id,
        name: h.name,
        qualified_name: h.qualified_name,
        kind: h.kind,
        language: h.language,
        service: h.service,
        file: h.file,
        line: h.line,
        col: h.col,
        end_line: h.end_line,
        end_col: h.end_col,
        signature: h.signature,
        score: h.score,
    }
}

fn call_node(n: cartograph_query::CallNode) -> pb::CallNode {
    pb::CallNode {
        symbol: Some(symbol(n.symbol)),
        site: n.site,
        sites: n.sites as u32,
        evidence: n.evidence,
        confidence: n.confidence,
        children: n.children.into_iter().map(call_node).collect(),
    }
}

fn outline_node(n: m::OutlineNode) -> pb::OutlineNode {
    pb::OutlineNode {
        symbol: Some(symbol(n.symbol)),
        children: n.children.into_iter().map(outline_node).collect(),
    }
}

fn dependency(e: m::ServiceDependency) -> pb::ServiceDependency {
    pb::ServiceDependency {
        from: e.from,
        to: e.to,
        protocol: e.protocol,
        endpoints: e.endpoints,
        evidence: e.evidence,
        confidence: e.confidence,
    }
}

fn reference(r: m::RefSite) -> pb::Reference {
    pb::Reference {
        file: r.file,
        line: r.line,
        col: r.col,
        end_col: r.end_col,
        kind: r.kind,
        name: r.name,
        qualifier: r.qualifier,
        enclosing: r.enclosing,
        service: r.service,
        language: r.language,
        targets: r
            .targets
            .into_iter()
            .map(|t| pb::RefTarget {
                id: t.id,
                file: t.file,
                line: t.line,
                confidence: t.confidence,
                evidence: t.evidence,
            })
            .collect(),
    }
}

fn nonzero(n: u32) -> Option<usize> {
    (n > 0).then_some(n as usize)
}

/// Sends one chunk from a blocking task; fails when the client went away or has
/// not read for [`STALLED_CLIENT`].
fn send_or_give_up(
    sender: &tokio::sync::mpsc::Sender<Result<pb::ExportChunk, Status>>,
    chunk: pb::ExportChunk,
) -> std::io::Result<()> {
    use tokio::sync::mpsc::error::TrySendError;
    let started = std::time::Instant::now();
    let mut item = Ok(chunk);
    loop {
        match sender.try_send(item) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Closed(_)) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::BrokenPipe,
                    "the client went away",
                ))
            }
            Err(TrySendError::Full(back)) => {
                if started.elapsed() > crate::server::STALLED_CLIENT {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    ));
                }
                item = back;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
    }
}

/// The gRPC service.
pub struct Grpc {
    shared: Shared,
}

impl Grpc {
    /// A service answering from `shared`.
    pub fn new(shared: Shared) -> Grpc {
        Grpc { shared }
    }
}

type Stream<T> = Pin<Box<dyn tokio_stream::Stream<Item = Result<T, Status>> + Send>>;

#[tonic::async_trait]
impl pb::cartograph_server::Cartograph for Grpc {
    async fn search(
        &self,
        request: Request<pb::SearchRequest>,
    ) -> Result<Response<pb::SearchResponse>, Status> {
        let r = request.into_inner();
        let req = api::SearchRequest {
            text: r.text,
            kind: r.kind,
            lang: r.lang,
            service: r.service,
            path: r.path,
            limit: nonzero(r.limit),
            cursor: (!r.cursor.is_empty()).then_some(r.cursor),
        };
        let page = self
            .shared
            .run(move |ws| ws.search_page(&req))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::SearchResponse {
            symbols: page.items.into_iter().map(symbol).collect(),
            next_cursor: page.next_cursor.unwrap_or_default(),
            index: index(self.shared.state()),
        }))
    }

    async fn symbol(
        &self,
        request: Request<pb::SymbolRequest>,
    ) -> Result<Response<pb::SymbolResponse>, Status> {
        let r = request.into_inner();
        let req = api::SymbolRequest {
            symbol: r.symbol,
            limit: nonzero(r.limit),
            cursor: (!r.cursor.is_empty()).then_some(r.cursor),
        };
        let page = self
            .shared
            .run(move |ws| ws.symbol(&req))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::SymbolResponse {
            next_cursor: page.next_cursor.unwrap_or_default(),
            total: page.total.unwrap_or(0) as u32,
            definitions: page
                .items
                .into_iter()
                .map(|d| pb::Definition {
                    symbol: Some(symbol(d.symbol)),
                    doc: d.doc,
                    snippet: d.snippet,
                    stale: d.stale,
                    evidence: d.evidence,
                    confidence: d.confidence,
                })
                .collect(),
            index: index(self.shared.state()),
        }))
    }

    type ReferencesStream = Stream<pb::ReferencesResponse>;

    async fn references(
        &self,
        request: Request<pb::ReferencesRequest>,
    ) -> Result<Response<Self::ReferencesStream>, Status> {
        let r = request.into_inner();
        let size = match r.page_size {
            0 => DEFAULT_PAGE,
            n if n as usize <= api::MAX_LIMIT => n as usize,
            n => {
                return Err(Status::invalid_argument(format!(
                    "page_size is {n}; at most {} references fit in one message",
                    api::MAX_LIMIT
                )))
            }
        };
        let req = api::ReferencesRequest {
            symbol: r.symbol,
            by_name: r.by_name,
            limit: None,
            cursor: None,
        };
        // Computed under the deadline; sending is streamed.
        let answer = self
            .shared
            .run(move |ws| ws.all_references(&req))
            .await
            .map_err(status)?;
        let (sym, sites) = answer;
        let total = sites.len() as u32;
        let state = self.shared.state();
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            let mut sym = sym.map(symbol);
            let mut chunks: Vec<Vec<m::RefSite>> = Vec::new();
            let mut sites = sites.into_iter().peekable();
            while sites.peek().is_some() {
                chunks.push(sites.by_ref().take(size).collect());
            }
            if chunks.is_empty() {
                chunks.push(Vec::new());
            }
            for chunk in chunks {
                let message = pb::ReferencesResponse {
                    symbol: sym.take(),
                    references: chunk.into_iter().map(reference).collect(),
                    total,
                    index: index(state.clone()),
                };
                if tx.send(Ok(message)).await.is_err() {
                    return;
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }

    async fn callers(
        &self,
        request: Request<pb::CallsRequest>,
    ) -> Result<Response<pb::CallsResponse>, Status> {
        self.calls(request.into_inner(), true).await
    }

    async fn callees(
        &self,
        request: Request<pb::CallsRequest>,
    ) -> Result<Response<pb::CallsResponse>, Status> {
        self.calls(request.into_inner(), false).await
    }

    async fn outline(
        &self,
        request: Request<pb::OutlineRequest>,
    ) -> Result<Response<pb::OutlineResponse>, Status> {
        let req = api::OutlineRequest {
            file: request.into_inner().file,
        };
        let tree = self
            .shared
            .run(move |ws| ws.outline_of(&req))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::OutlineResponse {
            symbols: tree.into_iter().map(outline_node).collect(),
            index: index(self.shared.state()),
        }))
    }

    async fn services(
        &self,
        _request: Request<pb::ServicesRequest>,
    ) -> Result<Response<pb::ServicesResponse>, Status> {
        let map = self
            .shared
            .run(|ws| ws.service_map())
            .await
            .map_err(status)?;
        Ok(Response::new(pb::ServicesResponse {
            services: map
                .services
                .into_iter()
                .map(|s| pb::Service {
                    name: s.name,
                    path: s.path,
                    languages: s.languages,
                    deployed_as: s.deployed_as,
                    code_name: s.code_name,
                    kind: s.kind.unwrap_or_default(),
                })
                .collect(),
            edges: map.edges.into_iter().map(dependency).collect(),
            entries: map.entries.into_iter().map(dependency).collect(),
            index: index(self.shared.state()),
        }))
    }

    async fn path(
        &self,
        request: Request<pb::PathRequest>,
    ) -> Result<Response<pb::PathResponse>, Status> {
        let r = request.into_inner();
        let req = api::PathRequest {
            from: r.from,
            to: r.to,
        };
        let p = self
            .shared
            .run(move |ws| ws.path_between(&req))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::PathResponse {
            from: Some(symbol(p.from)),
            to: Some(symbol(p.to)),
            found: p.steps.is_some(),
            steps: p
                .steps
                .unwrap_or_default()
                .into_iter()
                .map(call_node)
                .collect(),
            index: index(self.shared.state()),
        }))
    }

    async fn map(
        &self,
        request: Request<pb::MapRequest>,
    ) -> Result<Response<pb::MapResponse>, Status> {
        let r = request.into_inner();
        let req = api::MapRequest {
            scope: (!r.scope.is_empty()).then_some(r.scope),
            tokens: nonzero(r.tokens),
        };
        let map = self
            .shared
            .run(move |ws| ws.map(&req))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::MapResponse {
            scope: map.scope,
            symbols_in_scope: map.symbols_in_scope as u32,
            symbols: map
                .symbols
                .into_iter()
                .map(|r| pb::RankedSymbol {
                    symbol: Some(symbol(r.symbol)),
                    rank: r.rank,
                })
                .collect(),
            tokens: map.tokens as u32,
            index: index(self.shared.state()),
        }))
    }

    async fn impact(
        &self,
        request: Request<pb::ImpactRequest>,
    ) -> Result<Response<pb::ImpactResponse>, Status> {
        let r = request.into_inner();
        let req = crate::impact::ImpactCall {
            diff: (!r.diff.is_empty()).then_some(r.diff),
            symbols: r.symbols,
            range: (!r.range.is_empty()).then_some(r.range),
            depth: nonzero(r.depth),
        };
        let i = self
            .shared
            .run(move |ws| req.answer(ws))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::ImpactResponse {
            changed: i
                .changed
                .into_iter()
                .map(|c| pb::ChangedSymbol {
                    id: c.id,
                    name: c.name,
                    qualified_name: c.qualified_name,
                    kind: c.kind,
                    service: c.service,
                    file: c.file,
                    line: c.line,
                    change: c.change,
                    was: c.was,
                    contracts: c.contracts,
                    indexed: c.indexed,
                })
                .collect(),
            impacted: i
                .impacted
                .into_iter()
                .map(|m| pb::ImpactedSymbol {
                    id: m.id,
                    name: m.name,
                    kind: m.kind,
                    service: m.service,
                    file: m.file,
                    line: m.line,
                    depth: m.depth as u32,
                    class: m.class,
                    confidence: m.confidence,
                    path: m.path,
                    evidence: m.evidence,
                    via: m.via,
                })
                .collect(),
            services: i
                .services
                .into_iter()
                .map(|s| pb::ServiceImpact {
                    name: s.name,
                    changed: s.changed as u32,
                    impacted: s.impacted as u32,
                    class: s.class,
                    endpoints: s.endpoints,
                })
                .collect(),
            tests: i
                .tests
                .into_iter()
                .map(|t| pb::TestImpact {
                    id: t.id,
                    name: t.name,
                    file: t.file,
                    line: t.line,
                    depth: t.depth as u32,
                })
                .collect(),
            endpoints: i.endpoints,
            risk: Some(pb::Risk {
                level: i.risk.level,
                score: i.risk.score,
                reasons: i.risk.reasons,
            }),
            notes: i.notes,
            truncated: i.truncated,
            index: index(self.shared.state()),
        }))
    }

    type ExportStream = Stream<pb::ExportChunk>;

    async fn export(
        &self,
        _request: Request<pb::ExportRequest>,
    ) -> Result<Response<Self::ExportStream>, Status> {
        const CHUNK: usize = 256 * 1024;
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<pb::ExportChunk, Status>>(8);
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let sender = tx.clone();
            let outcome = shared
                .run_streaming(move |ws| {
                    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
                    ws.export(&mut |record| {
                        serde_json::to_writer(&mut buf, &record)?;
                        buf.push(b'\n');
                        if buf.len() >= CHUNK {
                            let jsonl = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK));
                            send_or_give_up(&sender, pb::ExportChunk { jsonl })?;
                        }
                        Ok(())
                    })?;
                    if !buf.is_empty() {
                        send_or_give_up(&sender, pb::ExportChunk { jsonl: buf })
                            .map_err(cartograph_query::Error::Output)?;
                    }
                    Ok(())
                })
                .await;
            if let Err(r) = outcome {
                let _ = tx.send(Err(status(r))).await;
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

impl Grpc {
    async fn calls(
        &self,
        r: pb::CallsRequest,
        callers: bool,
    ) -> Result<Response<pb::CallsResponse>, Status> {
        let req = api::CallsRequest {
            symbol: r.symbol,
            depth: nonzero(r.depth),
            tokens: nonzero(r.tokens),
        };
        let tree = self
            .shared
            .run(move |ws| ws.calls(&req, callers))
            .await
            .map_err(status)?;
        Ok(Response::new(pb::CallsResponse {
            symbol: Some(symbol(tree.symbol)),
            children: tree.children.into_iter().map(call_node).collect(),
            truncated: tree.truncated,
            index: index(self.shared.state()),
        }))
    }
}
