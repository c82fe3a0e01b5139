//! Per-file facts for Cartograph: walking, reading, parsing, extraction, services.
//!
//! The principal type is [`FileFacts`], produced by [`extract`]: a pure function of
//! `(language, text)` that never fails and knows nothing of other files, so it can
//! run in parallel and be cached by content hash. Problems (syntax errors, invalid
//! UTF-8) become [`Diagnostic`]s inside the facts. Walking ([`walk()`]) and service
//! detection ([`detect_services`]) are the only parts that touch the disk.
//! No tree-sitter type leaves this crate.

mod appsettings;
mod aspire;
mod cfg;
mod connections;
mod deploy;
mod extract;
mod facts;
mod gateways;
mod generated;
mod git;
mod http;
mod images;
mod objects;
mod services;
mod types;
mod use_tree;
mod walk;
mod yaml;

pub use cartograph_grammars::Language;
pub use deploy::{
    image_name, is_deployment_file, is_proxy_config, parse_deployments, Deployment, DeploymentScan,
};
pub use extract::{
    count_lines, extract, extract_with, module_stem, parse_only, prepare, ExtractConfig,
    DEFAULT_FILE_BUDGET, MAX_NESTING, THRIFT_NESTED,
};
pub use facts::{
    Binding, Diagnostic, FileFacts, GrpcHandler, HttpFact, HttpMount, Import, NamedValue,
    PassedArguments, RefKind, Reference, RpcAddress, Span, SymbolDef, SymbolKind, TopicFact,
};
pub use gateways::ROUTING_OBJECT_IMAGES;
pub use generated::is_generated;
pub use git::{repo_head, RepoHead};
pub use http::{fill_base, fill_references, fill_service_names};
pub use services::{
    builds_programs_only, detect_services, is_test_dir, name_from_manifest, service_of, Service,
};
pub use types::written_type;
pub use use_tree::{rust_use_names, rust_use_paths};
pub use walk::{
    content_hash, is_manifest, mtime_of, read_source, walk, Manifest, Root, SkipReason, Skipped,
    SourceFile, SourceText, WalkConfig, WalkOutput, DEFAULT_MAX_FILE_SIZE, DEFAULT_SKIP_DIRS,
};

use std::path::PathBuf;

/// Errors of the indexer. Only roots can fail; files never do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A root to index does not exist or is not a directory.
    #[error("cannot index {}: {message}", path.display())]
    Root {
        /// The path as given.
        path: PathBuf,
        /// Why, lowercase.
        message: String,
    },
}
