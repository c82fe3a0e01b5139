//! What the MCP and gRPC servers share: the opened index, the bounds of a request
//! (deadline), the freshness check running beside them, and the one mapping from
//! query errors to what a client is told.

use std::sync::Arc;
use std::time::Duration;

use cartograph_query::api::IndexState;
use cartograph_query::live::Live;
use cartograph_query::{Error, SymbolHit, Workspace};

/// Longest a request may run on the server before it is answered with a timeout.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);
/// Longest a request waits for another process holding the index (an index run, a
/// CLI query, another server's request) before it is refused as busy.
pub const OPEN_WAIT: Duration = Duration::from_secs(8);
/// How often the servers compare the index with the disk.
pub const FRESHNESS_INTERVAL: Duration = Duration::from_secs(5);
/// Longest a stream waits for a client that stops reading before giving up (it
/// holds the index state it answers from, which updates wait for).
pub const STALLED_CLIENT: Duration = Duration::from_secs(30);
/// Largest request body accepted (MCP over HTTP and gRPC messages).
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// The index the servers answer from, shared by every connection.
#[derive(Clone)]
pub struct Shared {
    live: Arc<Live>,
}

/// What went wrong with a request, in the terms every adapter maps to its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The request is malformed or out of bounds: fix it.
    Invalid,
    /// The file is not in the index.
    NotIndexed,
    /// No symbol answers to the request.
    NotFound,
    /// Several symbols answer; pass an ID.
    Ambiguous,
    /// The request took longer than the deadline.
    Timeout,
    /// Another process held the index (an index run) for longer than a request waits.
    Busy,
    /// The index failed.
    Internal,
}

impl Failure {
    /// The machine-readable name of the failure.
    pub fn name(self) -> &'static str {
        match self {
            Failure::Invalid => "invalid_request",
            Failure::NotIndexed => "not_indexed",
            Failure::NotFound => "not_found",
            Failure::Ambiguous => "ambiguous",
            Failure::Timeout => "timeout",
            Failure::Busy => "busy",
            Failure::Internal => "internal",
        }
    }
}

/// A failed request: its class, a message that says what to do, and for an
/// ambiguous name the candidates with their IDs.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The class.
    pub failure: Failure,
    /// What was wrong and what to try.
    pub message: String,
    /// Candidate symbols of an ambiguous name.
    pub candidates: Vec<SymbolHit>,
}

impl Refusal {
    /// A malformed request.
    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            failure: Failure::Invalid,
            message: message.into(),
            candidates: Vec::new(),
        }
    }

    /// A failure inside the server (details go to its log).
    pub fn internal() -> Refusal {
        Refusal {
            failure: Failure::Internal,
            message: "the request failed inside the server; see its log".to_string(),
            candidates: Vec::new(),
        }
    }

    /// The JSON body of the refusal, as MCP results carry it.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "error": { "kind": self.failure.name(), "message": self.message }
        });
        if !self.candidates.is_empty() {
            v["error"]["candidates"] = serde_json::to_value(&self.candidates).unwrap_or_default();
        }
        v
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        let message = e.to_string();
        let (failure, candidates) = match e {
            Error::Invalid(_) => (Failure::Invalid, Vec::new()),
            Error::NotIndexed { .. } => (Failure::NotIndexed, Vec::new()),
            Error::NoSuchSymbol { .. } => (Failure::NotFound, Vec::new()),
            Error::Ambiguous { candidates, .. } => (Failure::Ambiguous, candidates),
            Error::Graph(cartograph_graph::Error::Locked { .. }) => (Failure::Busy, Vec::new()),
            Error::Graph(_) | Error::Search { .. } | Error::Output(_) => {
                tracing::error!("request failed: {message}");
                (Failure::Internal, Vec::new())
            }
        };
        Refusal {
            failure,
            message,
            candidates,
        }
    }
}

impl Shared {
    /// Opens the index and checks it against the disk once.
    pub fn open(ws: Workspace) -> Shared {
        if let Err(e) = ws.index_state(Duration::ZERO) {
            tracing::warn!("cannot compare the index with the disk: {e}");
        }
        Shared {
            live: Live::new(ws, OPEN_WAIT),
        }
    }

    /// Keeps comparing the index with the disk in the background, so that answers
    /// say whether they may be stale without walking the disk themselves.
    pub fn watch_freshness(&self, watching: bool) {
        // With file events applied as they come, the walk only catches what events
        // missed: rarely, to stay near zero CPU at idle.
        let interval = if watching {
            FRESHNESS_INTERVAL * 12
        } else {
            FRESHNESS_INTERVAL
        };
        let live = Arc::downgrade(&self.live);
        std::thread::Builder::new()
            .name("cartograph-freshness".to_string())
            .spawn(move || loop {
                std::thread::sleep(interval);
                let Some(live) = live.upgrade() else {
                    return;
                };
                let checked = live
                    .read()
                    .and_then(|ws| ws.index_state(Duration::ZERO).map(|_| ()));
                if let Err(e) = checked {
                    tracing::warn!("cannot compare the index with the disk: {e}");
                }
            })
            .ok();
    }

    /// Keeps the index up to date with the files while the server runs: each batch
    /// of file events is one atomic update (see [`Live`]).
    pub fn watch_files(&self) -> anyhow::Result<()> {
        let (roots, index_dir) = {
            let ws = self.live.read()?;
            let roots: Vec<std::path::PathBuf> = ws
                .store()
                .meta()?
                .roots
                .iter()
                .map(|r| r.path.clone())
                .collect();
            (roots, ws.store().dir().to_path_buf())
        };
        let live = Arc::downgrade(&self.live);
        std::thread::Builder::new()
            .name("cartograph-watch".to_string())
            .spawn(move || {
                let outcome = crate::watch::watch(&roots, &index_dir, |paths| {
                    let Some(live) = live.upgrade() else {
                        return false;
                    };
                    let started = std::time::Instant::now();
                    match live.update(&|_| {}) {
                        Ok(r) => tracing::info!(
                            "{paths} paths changed: {} added, {} modified, {} deleted in {:?}",
                            r.added,
                            r.changed,
                            r.deleted,
                            started.elapsed()
                        ),
                        Err(e) => tracing::error!("update failed: {e}"),
                    }
                    true
                });
                if let Err(e) = outcome {
                    tracing::error!("watching stopped: {e:#}");
                }
            })?;
        Ok(())
    }

    /// The state of the index, as last checked.
    pub fn state(&self) -> IndexState {
        // The background check keeps the cache young; a day is only a bound.
        let mut state = self
            .live
            .read()
            .and_then(|ws| ws.index_state(Duration::from_secs(86_400)))
            .unwrap_or_default();
        state.updating = self.live.is_updating();
        state.update_error = self.live.last_failure();
        state
    }

    /// Runs a streaming query (export) on the blocking pool without the deadline:
    /// it lasts as long as the client reads, and `f` must give up when the client
    /// stalls (see [`STALLED_CLIENT`]).
    pub async fn run_streaming<F>(&self, f: F) -> Result<(), Refusal>
    where
        F: FnOnce(&Workspace) -> cartograph_query::Result<()> + Send + 'static,
    {
        let live = self.live.clone();
        match tokio::task::spawn_blocking(move || f(&*live.read()?)).await {
            Ok(answer) => answer.map_err(Refusal::from),
            Err(e) => {
                tracing::error!("a streaming request failed: {e}");
                Err(Refusal::internal())
            }
        }
    }

    /// Runs a query on the blocking pool, bounded by the deadline.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Refusal>
    where
        T: Send + 'static,
        F: FnOnce(&Workspace) -> cartograph_query::Result<T> + Send + 'static,
    {
        let live = self.live.clone();
        let task = tokio::task::spawn_blocking(move || f(&*live.read()?));
        match tokio::time::timeout(REQUEST_DEADLINE, task).await {
            Ok(Ok(answer)) => answer.map_err(Refusal::from),
            Ok(Err(e)) => {
                tracing::error!("a request failed: {e}");
                Err(Refusal::internal())
            }
            Err(_) => Err(Refusal {
                failure: Failure::Timeout,
                message: format!(
                    "the request took longer than {}s; ask for less (a smaller depth or limit)",
                    REQUEST_DEADLINE.as_secs()
                ),
                candidates: Vec::new(),
            }),
        }
    }
}
