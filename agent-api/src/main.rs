//! `cartograph`: index a polyglot workspace into a code graph and query it.
//!
//! This binary is the only place that knows wire formats and terminals: it turns
//! flags into validated requests for the query layer (`cartograph-query`) and
//! renders the plain values it returns as compact text lines or JSON. Data goes to
//! stdout; logs and progress go to stderr.

mod accuracy;
mod answer;
mod bench;
mod cli;
mod grpc;
mod impact;
mod load;
mod mcp;
mod render;
mod scip;
mod serve;
mod server;
mod watch;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
