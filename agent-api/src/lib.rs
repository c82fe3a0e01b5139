//! The wire types of Cartograph's gRPC API (`cartograph.v1`), generated at build
//! time from `proto/cartograph/v1/cartograph.proto`, for the server in this
//! package and for clients written in Rust.

/// The generated protobuf messages and the service's server and client stubs.
#[allow(missing_docs, clippy::all, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("cartograph.v1");
}

/// Encoded descriptors of the protos, for server reflection.
pub const DESCRIPTORS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/cartograph_descriptor.bin"));
