//! A workspace kept up to date while it answers (servers with `--watch`): updates
//! go through the open store, and readers see the state before a batch or after
//! it, never a mix. A batch is extracted and linked while readers go on; from its
//! atomic store write until the new state (with its view and search index loaded)
//! is in place, new readers wait and the write waits for the readers in flight.

use std::sync::{Arc, Condvar, Mutex, RwLock};

use cartograph_graph::{IndexConfig, IndexEvent, IndexReport};

use crate::{Result, Workspace};

/// Readers in flight and whether a writer holds the gate.
#[derive(Default)]
struct GateState {
    readers: usize,
    writer: bool,
}

/// A readers-writer gate that a writer can close and open from callbacks (no
/// guard to carry across them).
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

impl Gate {
    fn enter(&self) {
        let Ok(mut s) = self.state.lock() else { return };
        while s.writer {
            s = match self.changed.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        s.readers += 1;
    }

    fn leave(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.readers = s.readers.saturating_sub(1);
            self.changed.notify_all();
        }
    }

    fn close(&self) {
        let Ok(mut s) = self.state.lock() else { return };
        while s.writer {
            s = match self.changed.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
        s.writer = true;
        while s.readers > 0 {
            s = match self.changed.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
    }

    fn open(&self) {
        if let Ok(mut s) = self.state.lock() {
            if s.writer {
                s.writer = false;
                self.changed.notify_all();
            }
        }
    }
}

/// A reader's hold on the current state; the state cannot change while it lives.
pub struct Lease<'a> {
    live: &'a Live,
    workspace: Arc<Workspace>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        &self.workspace
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.live.gate.leave();
    }
}

/// A workspace that updates itself from the disk between readers.
pub struct Live {
    current: RwLock<Arc<Workspace>>,
    gate: Gate,
    /// One update at a time.
    updating: Mutex<()>,
    /// Whether an update runs now.
    busy: std::sync::atomic::AtomicBool,
    /// Why the last update failed, until one succeeds.
    failure: Mutex<Option<String>>,
}

/// Clears the busy flag and opens the gate however an update ends (an error, a
/// panic in a worker), so readers never wait on an update that is gone.
struct UpdateEnd<'a>(&'a Live);

impl Drop for UpdateEnd<'_> {
    fn drop(&mut self) {
        self.0.gate.open();
        self.0
            .busy
            .store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Live {
    /// Starts from an opened workspace.
    pub fn new(ws: Workspace) -> Live {
        Live {
            current: RwLock::new(Arc::new(ws)),
            gate: Gate::default(),
            updating: Mutex::new(()),
            busy: std::sync::atomic::AtomicBool::new(false),
            failure: Mutex::new(None),
        }
    }

    /// The current state, held until the lease is dropped.
    pub fn read(&self) -> Lease<'_> {
        self.gate.enter();
        let workspace = match self.current.read() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        Lease {
            live: self,
            workspace,
        }
    }

    /// Whether an update is being applied now.
    pub fn is_updating(&self) -> bool {
        self.busy.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Why the last update failed, if it did (cleared by the next one that succeeds).
    pub fn last_failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    /// Brings the index up to date with the disk (the roots it records) and makes
    /// the result current. Readers wait only from the store write to the swap.
    pub fn update(&self, progress: &(dyn Fn(IndexEvent) + Sync)) -> Result<IndexReport> {
        let _one = self.updating.lock();
        let now = match self.current.read() {
            Ok(w) => w.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let meta = now.store().meta()?;
        self.busy.store(true, std::sync::atomic::Ordering::Relaxed);
        let end = UpdateEnd(self);
        let config = IndexConfig {
            roots: Vec::new(),
            walk: cartograph_indexer::WalkConfig {
                max_file_size: meta.max_file_size.max(1),
                follow_symlinks: meta.follow_symlinks,
                ..cartograph_indexer::WalkConfig::default()
            },
            cancel: None,
            ..IndexConfig::default()
        };
        let started = std::time::Instant::now();
        let outcome = now.update(&config, progress, &|| self.gate.close());
        tracing::debug!("live update: indexed in {:?}", started.elapsed());
        // Whatever happens, the gate opens again below (an early return would leave
        // every reader waiting).
        let result = outcome.map(|(next, report)| {
            let changed = report.added + report.changed + report.deleted > 0;
            if changed {
                // Load what readers need before they see the new state; the disk
                // was just read, so the state starts fresh (the background check
                // corrects it if files changed meanwhile). The store is already
                // written: even if loading fails, the new state is the one to read.
                if let Err(e) = next.warm().and_then(|_| next.assume_fresh()) {
                    tracing::warn!(
                        "loading the updated index failed: {e}; it loads on the next question"
                    );
                }
                tracing::debug!("live update: warm after {:?}", started.elapsed());
                if let Ok(mut current) = self.current.write() {
                    *current = Arc::new(next);
                }
            }
            report
        });
        drop(end);
        if let Ok(mut failure) = self.failure.lock() {
            *failure = result.as_ref().err().map(|e| e.to_string());
        }
        result
    }
}
