//! Files loaded from the store while answering one question, each decoded once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cartograph_graph::{FileRecord, Store};
use cartograph_indexer::FileFacts;

use crate::model::SymbolHit;
use crate::Result;

/// A file loaded for a question.
pub(crate) type Loaded = Rc<(FileRecord, FileFacts)>;

/// Files loaded while answering one question.
pub(crate) struct Files<'a> {
    store: &'a Store,
    loaded: RefCell<HashMap<String, Option<Loaded>>>,
}

impl<'a> Files<'a> {
    pub(crate) fn new(store: &'a Store) -> Files<'a> {
        Files {
            store,
            loaded: RefCell::new(HashMap::new()),
        }
    }

    /// The record and facts of an indexed file (`None` when it is not indexed).
    pub(crate) fn get(&self, path: &str) -> Result<Option<Loaded>> {
        if let Some(f) = self.loaded.borrow().get(path) {
            return Ok(f.clone());
        }
        let loaded = match (self.store.file(path)?, self.store.facts(path)?) {
            (Some(r), Some(f)) => Some(Rc::new((r, f))),
            _ => None,
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
