//! Files loaded from the store while answering one question, each decoded once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cartograph_graph::{FileRecord, Store};
use cartograph_indexer::FileFacts;

use crate::model::SymbolHit;
use crate::Result;

/// A file loaded for a question.
pub(crate) type Loaded = Arc<(FileRecord, FileFacts)>;

/// Files decoded most recently, shared by every question of a process (a server
/// answers many questions about the same files). Entries are keyed by path and
/// checked against the content hash of the file's current record, so an updated
/// index never answers from an old entry.
#[derive(Default)]
pub(crate) struct FactsCache {
    entries: Mutex<HashMap<String, (u64, Loaded)>>,
    clock: std::sync::atomic::AtomicU64,
}

/// Files kept decoded.
const CACHED_FILES: usize = 1024;

impl FactsCache {
    fn get(&self, record: &FileRecord) -> Option<Loaded> {
        let mut entries = self.entries.lock().ok()?;
        let tick = self
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let entry = entries.get_mut(&record.path)?;
        if entry.1 .0.hash != record.hash {
            return None;
        }
        entry.0 = tick;
        Some(entry.1.clone())
    }

    fn put(&self, loaded: &Loaded) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CACHED_FILES {
            // Drop the least recently used half.
            let mut ticks: Vec<u64> = entries.values().map(|e| e.0).collect();
            ticks.sort_unstable();
            let cut = ticks[ticks.len() / 2];
            entries.retain(|_, e| e.0 > cut);
        }
        let tick = self
            .clock
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        entries.insert(loaded.0.path.clone(), (tick, loaded.clone()));
    }
}

/// Files loaded while answering one question.
pub(crate) struct Files<'a> {
    store: &'a Store,
    cache: &'a FactsCache,
    loaded: RefCell<HashMap<String, Option<Loaded>>>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(store: &'a Store, cache: &'a FactsCache) -> Files<'a> {
        Files {
            store,
            cache,
            loaded: RefCell::new(HashMap::new()),
        }
    }

    /// The record and facts of an indexed file (`None` when it is not indexed).
    pub(crate) fn get(&self, path: &str) -> Result<Option<Loaded>> {
        if let Some(f) = self.loaded.borrow().get(path) {
            return Ok(f.clone());
        }
        let loaded = match self.store.file(path)? {
            None => None,
            Some(record) => match self.cache.get(&record) {
                Some(hit) => Some(hit),
                None => match self.store.facts(path)? {
                    Some(facts) => {
                        let loaded = Arc::new((record, facts));
                        self.cache.put(&loaded);
                        Some(loaded)
                    }
                    None => None,
                },
            },
        };
        self.loaded
            .borrow_mut()
            .insert(path.to_string(), loaded.clone());
        Ok(loaded)
    }

    /// The file and symbol index of a search hit.
    pub(crate) fn locate(&self, hit: &SymbolHit) -> Result<Option<(Loaded, u32)>> {
        let Some(file) = self.get(&hit.file)? else {
            return Ok(None);
        };
        let index = file.1.symbols.iter().position(|s| {
            s.name_span.start_line == hit.line
                && s.name_span.start_col == hit.col
                && s.name == hit.name
        });
        Ok(index.map(|i| (file.clone(), i as u32)))
    }
}
