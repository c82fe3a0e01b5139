//! `cartograph bench`: indexing and query performance on a corpus.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

/// Options of `cartograph bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The corpus directory to index (see bench/fetch-corpus.sh).
    pub corpus: PathBuf,
}

/// Runs the benchmark.
pub fn run(_args: BenchArgs) -> Result<()> {
    anyhow::bail!("bench is not built yet")
}
