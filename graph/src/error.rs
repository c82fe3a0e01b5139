use std::path::PathBuf;

/// Errors of the store and the indexing pipeline.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No index exists at the given place.
    #[error("no index at {}: run `cartograph index <path>` first", dir.display())]
    NotIndexed {
        /// The index directory looked for.
        dir: PathBuf,
    },
    /// The directory exists but is not a Cartograph index.
    #[error("{} is not a cartograph index ({reason}); remove it or choose another --index directory", dir.display())]
    Foreign {
        /// The directory.
        dir: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The index was written by an incompatible version.
    #[error("index at {} has format {found}, this cartograph reads format {expected}: run `cartograph index` to rebuild it", dir.display())]
    FormatMismatch {
        /// The index directory.
        dir: PathBuf,
        /// The format found on disk.
        found: String,
        /// The format this build reads.
        expected: u32,
    },
    /// The index has no completed run yet.
    #[error("index at {} is empty: its first `cartograph index` run did not finish; run it again", dir.display())]
    Incomplete {
        /// The index directory.
        dir: PathBuf,
    },
    /// Another process holds the index.
    #[error("index at {} is in use by another cartograph process; try again when it finishes", dir.display())]
    Locked {
        /// The index directory.
        dir: PathBuf,
    },
    /// The database failed or holds data that does not decode.
    #[error("index store at {} failed: {message}; run `cartograph index` to repair or rebuild it", dir.display())]
    Corrupt {
        /// The index directory.
        dir: PathBuf,
        /// What failed, lowercase.
        message: String,
    },
    /// A filesystem operation on the index directory failed.
    #[error("cannot use index directory {}: {message}", dir.display())]
    Io {
        /// The index directory.
        dir: PathBuf,
        /// What failed, lowercase.
        message: String,
    },
    /// A root could not be indexed.
    #[error(transparent)]
    Indexer(#[from] cartograph_indexer::Error),
    /// The run was cancelled.
    #[error("indexing was cancelled")]
    Cancelled,
}
