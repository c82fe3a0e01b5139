//! A workspace shared by the requests of a server, kept up to date while it
//! answers (servers with `--watch`), and shared with other processes.
//!
//! The store is held only while requests are in flight or an update runs, and for
//! [`LINGER`] after the last one (so that a burst of requests opens it once), or
//! not at all once another process waits for it: then the workspace is parked
//! ([`Workspace::park`]), which lets go of the index's lock and keeps what was
//! loaded. The next request opens the store
//! again, waiting while another process (a CLI query, another agent's server, an
//! index run) holds it, and loads afresh if that process updated the index. So many
//! processes read one index, one writes at a time, and every reader sees one whole
//! generation.
//!
//! Updates go through the open store, and readers see the state before a batch or
//! after it, never a mix. A batch is extracted and linked while readers go on; from
//! its atomic store write until the new state (with its view and search index
//! loaded) is in place, new readers wait and the write waits for the readers in
//! flight.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use cartograph_graph::{IndexConfig, IndexEvent, IndexReport};

use crate::{Parked, Result, Workspace};

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
    workspace: Option<Arc<Workspace>>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        // Set from creation until drop.
        self.workspace.as_deref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(ws) = self.workspace.take() {
            self.live.release(ws);
        }
        self.live.gate.leave();
    }
}

/// The workspace, open while someone holds it, parked otherwise.
enum Held {
    Open(Arc<Workspace>),
    Parked(Box<Parked>),
}

struct Slot {
    /// `None` only while the state is being replaced under the lock.
    held: Option<Held>,
    /// Requests and updates holding the open workspace.
    holders: usize,
    /// When the last holder let go.
    idle_since: Instant,
}

/// How long the store stays open after the last request, unless another process
/// waits for it.
pub const LINGER: Duration = Duration::from_millis(250);
/// Longest a parked workspace lets other waiting processes go first.
const YIELD: Duration = Duration::from_secs(1);
/// How often an idle open store is checked for parking.
const PARK_CHECK: Duration = Duration::from_millis(20);

/// A workspace that updates itself from the disk between readers.
pub struct Live {
    dir: std::path::PathBuf,
    slot: Mutex<Slot>,
    gate: Gate,
    /// How long opening the store waits for another process holding it.
    wait: Duration,
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
    /// Starts from an opened workspace, which is parked at once (the index is free
    /// for other processes until the first request); opening the store again waits
    /// up to `wait` for another process holding it. A thread parks the workspace
    /// when it has been idle for [`LINGER`] or another process waits; it ends with
    /// the last reference to the returned value.
    pub fn new(ws: Workspace, wait: Duration) -> Arc<Live> {
        let live = Arc::new(Live {
            dir: ws.store().dir().to_path_buf(),
            slot: Mutex::new(Slot {
                held: Some(Held::Parked(Box::new(ws.park()))),
                holders: 0,
                idle_since: Instant::now(),
            }),
            gate: Gate::default(),
            wait,
            updating: Mutex::new(()),
            busy: std::sync::atomic::AtomicBool::new(false),
            failure: Mutex::new(None),
        });
        let weak = Arc::downgrade(&live);
        let parker = std::thread::Builder::new()
            .name("cartograph-park".to_string())
            .spawn(move || loop {
                std::thread::sleep(PARK_CHECK);
                let Some(live) = weak.upgrade() else { return };
                live.park_if_idle();
            });
        if let Err(e) = parker {
            tracing::warn!("cannot start the thread that lets go of the index: {e}");
        }
        live
    }

    /// Parks the open workspace if no one holds it and it has been idle for
    /// [`LINGER`]; if another process waits for the index, new requests wait
    /// while the ones in flight finish, and then it is parked.
    fn park_if_idle(&self) {
        let (holders, idle) = {
            let slot = self.slot();
            if !matches!(slot.held, Some(Held::Open(_))) {
                return;
            }
            (slot.holders, slot.idle_since.elapsed())
        };
        let waiting = cartograph_graph::others_waiting(&self.dir);
        if holders == 0 && (idle >= LINGER || waiting) {
            let mut slot = self.slot();
            if slot.holders == 0 {
                Self::park(&mut slot);
            }
        } else if waiting {
            self.gate.close();
            {
                let mut slot = self.slot();
                // An update holds it without the gate: it lets go when done.
                if slot.holders == 0 {
                    Self::park(&mut slot);
                }
            }
            self.gate.open();
        }
    }

    /// Lets go of the store of an open workspace no one holds.
    fn park(slot: &mut Slot) {
        slot.held = match slot.held.take() {
            Some(Held::Open(ws)) => Some(match Arc::try_unwrap(ws) {
                Ok(ws) => Held::Parked(Box::new(ws.park())),
                // Still shared (cannot be while no one holds it): stays open.
                Err(ws) => Held::Open(ws),
            }),
            other => other,
        };
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        match self.slot.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The open workspace, opening the store if it is parked; the caller holds it
    /// until [`Live::release`].
    fn acquire(&self) -> Result<Arc<Workspace>> {
        let mut slot = self.slot();
        let ws = match slot.held.take() {
            Some(Held::Open(ws)) => ws,
            Some(Held::Parked(parked)) => {
                // Another process asked for the index: let it take it first.
                let started = Instant::now();
                while started.elapsed() < YIELD && cartograph_graph::others_waiting(&self.dir) {
                    std::thread::sleep(Duration::from_millis(2));
                }
                match parked.resume(self.wait) {
                    Ok(ws) => Arc::new(ws),
                    Err((parked, e)) => {
                        slot.held = Some(Held::Parked(parked));
                        return Err(e);
                    }
                }
            }
            None => unreachable!("the slot is refilled before its lock is released"),
        };
        slot.held = Some(Held::Open(ws.clone()));
        slot.holders += 1;
        Ok(ws)
    }

    /// Ends a hold; after the last one the parking thread lets go of the store
    /// (within [`PARK_CHECK`] if another process waits for the index, else after
    /// [`LINGER`]).
    fn release(&self, ws: Arc<Workspace>) {
        drop(ws);
        let mut slot = self.slot();
        slot.holders = slot.holders.saturating_sub(1);
        if slot.holders > 0 {
            return;
        }
        slot.idle_since = Instant::now();
    }

    /// The current state, held until the lease is dropped. Fails when the store
    /// cannot be opened: another process held it for longer than the wait, or it
    /// is unreadable.
    pub fn read(&self) -> Result<Lease<'_>> {
        self.gate.enter();
        match self.acquire() {
            Ok(ws) => Ok(Lease {
                live: self,
                workspace: Some(ws),
            }),
            Err(e) => {
                self.gate.leave();
                Err(e)
            }
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
        let now = self.acquire()?;
        let result = self.update_from(&now, progress);
        self.release(now);
        if let Ok(mut failure) = self.failure.lock() {
            *failure = result.as_ref().err().map(|e| e.to_string());
        }
        result
    }

    fn update_from(
        &self,
        now: &Workspace,
        progress: &(dyn Fn(IndexEvent) + Sync),
    ) -> Result<IndexReport> {
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
                self.slot().held = Some(Held::Open(Arc::new(next)));
            }
            report
        });
        drop(end);
        result
    }
}
