//! The Cartograph store and the indexing pipeline that fills it.
//!
//! The principal type is [`Store`]: a sled database under the index directory holding
//! one compact value per file (its [`FileRecord`] and its [`FileFacts`]) plus small
//! global tables (services, the name → files table behind name lookups, skipped
//! paths, and [`IndexMeta`] with the format version and a generation counter).
//! Key design decision: store coarse, traverse fine. sled must not hold a key per
//! symbol or per edge; every change of a run is applied as one atomic batch, so a
//! crash leaves the previous index intact. [`index_workspace`] walks, extracts in
//! parallel and applies that batch, re-extracting only files whose content changed.

mod endpoints;
mod error;
mod generics;
mod ids;
mod links;
mod pipeline;
mod resolve;
mod store;

pub use endpoints::{
    join_paths, method_key, mount_prefixes, paths_match, resolve_env, service_names_of_base,
    service_names_of_client, split_url, EndpointFact, Protocol, Role,
};
pub use error::Error;
pub use ids::{split_symbol_id, symbol_id};
pub use links::{Endpoint, FileGraph, Link, NodeSymbol, TOP_LEVEL};
pub use pipeline::{
    index_workspace, ChangeSet, IndexConfig, IndexEvent, IndexObserver, IndexReport,
};
pub use resolve::Evidence;
pub use store::{
    announce_wait, others_waiting, FileRecord, IndexMeta, PreparedFile, RootRecord, Store,
    StoreUpdate, FORMAT_VERSION,
};

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
