//! Watching the roots: file events (notify) gathered into batches — a burst such
//! as a branch switch becomes one batch — and handed to an update. Events inside
//! the index directory and inside `.git/` are not changes of the workspace.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};

/// Quiet time that ends a batch.
pub const DEBOUNCE: Duration = Duration::from_millis(50);
/// Longest a batch gathers events before it is applied anyway.
pub const MAX_BATCH_WAIT: Duration = Duration::from_secs(2);

/// Whether an event path is a change of the workspace.
fn relevant(path: &Path, index_dir: &Path) -> bool {
    if path.starts_with(index_dir) {
        return false;
    }
    !path
        .components()
        .any(|c| matches!(c, Component::Normal(n) if n == ".git" || n == ".cartograph"))
}

/// Watches `roots` until `on_batch` says to stop; `on_batch` gets the number of
/// changed paths of each batch.
pub fn watch(
    roots: &[PathBuf],
    index_dir: &Path,
    mut on_batch: impl FnMut(usize) -> bool,
) -> Result<()> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .context("cannot start watching files")?;
    for root in roots {
        watcher
            .watch(root, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", root.display()))?;
    }
    let index_dir = index_dir
        .canonicalize()
        .unwrap_or_else(|_| index_dir.to_path_buf());
    loop {
        // Wait for the first relevant event, then gather until things are quiet.
        let mut changed: std::collections::BTreeSet<PathBuf> = Default::default();
        let add = |event: notify::Result<notify::Event>,
                   changed: &mut std::collections::BTreeSet<PathBuf>| match event
        {
            Ok(e) => {
                // Reading files (the update's own walk included) is no change.
                if matches!(
                    e.kind,
                    notify::EventKind::Access(_)
                        | notify::EventKind::Modify(notify::event::ModifyKind::Metadata(
                            notify::event::MetadataKind::AccessTime
                        ))
                ) {
                    return;
                }
                for p in e.paths {
                    if relevant(&p, &index_dir) {
                        changed.insert(p);
                    }
                }
            }
            // Overflowed queues and similar: rescan everything.
            Err(e) => {
                tracing::warn!("file watching reported: {e}; rescanning");
                changed.insert(PathBuf::from("."));
            }
        };
        while changed.is_empty() {
            match rx.recv() {
                Ok(event) => add(event, &mut changed),
                Err(_) => return Ok(()),
            }
        }
        let started = Instant::now();
        while started.elapsed() < MAX_BATCH_WAIT {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(event) => add(event, &mut changed),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        if !on_batch(changed.len()) {
            return Ok(());
        }
    }
}
