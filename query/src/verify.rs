//! `verify`: rebuild the index from scratch beside the stored one and compare the
//! two graphs record by record, so that an incremental history can be checked
//! against a full rebuild by anyone, at any time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cartograph_graph::IndexConfig;
use cartograph_indexer::WalkConfig;
use serde::Serialize;

use crate::{Error, Result, Workspace};

/// Differences listed in full (the counts are always complete).
const MAX_LISTED: usize = 50;

/// The outcome of a verification.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Verification {
    /// Records compared (of the stored index).
    pub records: usize,
    /// Files changed on disk since the last update: a rebuild differs there
    /// whatever the index's health (run `cartograph index` first).
    pub stale: Vec<String>,
    /// How many files changed on disk since the last update.
    pub stale_files: usize,
    /// Records the stored index has and a rebuild does not.
    pub only_in_index: Vec<String>,
    /// Records a rebuild has and the stored index does not.
    pub only_in_rebuild: Vec<String>,
    /// Number of records only in the index.
    pub only_in_index_count: usize,
    /// Number of records only in the rebuild.
    pub only_in_rebuild_count: usize,
}

impl Verification {
    /// Whether the stored index equals a rebuild.
    pub fn is_equal(&self) -> bool {
        self.only_in_index_count == 0 && self.only_in_rebuild_count == 0
    }
}

/// Every export record of a workspace as a JSON line, counted.
fn records(ws: &Workspace) -> Result<BTreeMap<String, usize>> {
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    ws.export(&mut |r| {
        let line = serde_json::to_string(&r).map_err(std::io::Error::other)?;
        *out.entry(line).or_default() += 1;
        Ok(())
    })?;
    Ok(out)
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Workspace {
    /// Rebuilds the index of the same roots from scratch in a temporary directory
    /// under `scratch_parent` and compares every record with the stored index.
    pub fn verify(&self, scratch_parent: &Path) -> Result<Verification> {
        let meta = self.store.meta()?;
        if meta.roots.is_empty() {
            return Err(Error::Invalid(
                "the index has no roots to rebuild".to_string(),
            ));
        }
        let state = self.index_state(std::time::Duration::ZERO)?;
        remove_abandoned_scratch(scratch_parent);
        let dir = scratch_parent.join(format!("cartograph-verify-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let scratch = Scratch(dir);
        let config = IndexConfig {
            roots: meta.roots.iter().map(|r| r.path.clone()).collect(),
            walk: WalkConfig {
                max_file_size: meta.max_file_size.max(1),
                follow_symlinks: meta.follow_symlinks,
                ..WalkConfig::default()
            },
            cancel: None,
            ..IndexConfig::default()
        };
        let (rebuilt, _) = Workspace::index(&scratch.0, &config, &|_| {})?;
        let stored = records(self)?;
        let fresh = records(&rebuilt)?;
        drop(rebuilt);
        let mut v = Verification {
            records: stored.values().sum(),
            stale: state.changed.clone(),
            stale_files: state.changed_files,
            ..Verification::default()
        };
        for (line, n) in &stored {
            let m = fresh.get(line).copied().unwrap_or(0);
            if *n > m {
                v.only_in_index_count += n - m;
                if v.only_in_index.len() < MAX_LISTED {
                    v.only_in_index.push(line.clone());
                }
            }
        }
        for (line, m) in &fresh {
            let n = stored.get(line).copied().unwrap_or(0);
            if *m > n {
                v.only_in_rebuild_count += m - n;
                if v.only_in_rebuild.len() < MAX_LISTED {
                    v.only_in_rebuild.push(line.clone());
                }
            }
        }
        Ok(v)
    }
}

/// Removes scratch directories left by `verify` runs that were killed (their
/// process is gone), so an interrupted run leaks nothing for long.
fn remove_abandoned_scratch(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("cartograph-verify-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a process runs (Linux: its `/proc` entry); elsewhere assumed alive.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}
