//! `cartograph mcp` (MCP over stdio) and `cartograph serve` (gRPC, and MCP over
//! streamable HTTP at `/mcp`): listeners, authentication and limits.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use clap::Args;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;

use cartograph_api::{pb, DESCRIPTORS};

use crate::grpc::Grpc;
use crate::mcp::Mcp;
use crate::server::{Shared, MAX_REQUEST_BYTES, REQUEST_DEADLINE};

/// Options of `cartograph serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Serve gRPC (`cartograph.v1`, health, reflection) on this address (with neither
    /// option: gRPC on 127.0.0.1:50051 and MCP on 127.0.0.1:8787).
    #[arg(long, value_name = "ADDR")]
    grpc: Option<SocketAddr>,
    /// Serve MCP over streamable HTTP at `/mcp` on this address.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Bearer token every request must carry (required off loopback).
    #[arg(long, env = "CARTOGRAPH_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Browser origins allowed to call the HTTP endpoint (e.g. `http://localhost:3000`);
    /// requests with any other `Origin` are refused.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origins: Vec<String>,
    /// Keep the index fresh while serving (file events, applied in batches).
    #[arg(long)]
    watch: bool,
}

/// Options of `cartograph mcp`.
#[derive(Args, Debug)]
pub struct McpArgs {
    /// Keep the index fresh while serving (file events, applied in batches).
    #[arg(long)]
    watch: bool,
}

/// The bearer token, when one is required.
#[derive(Clone)]
struct Auth(Option<Arc<str>>);

impl Auth {
    fn accepts(&self, header: Option<&str>) -> bool {
        match &self.0 {
            None => true,
            // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` is `Bearer`.
            Some(token) => header
                .and_then(|h| h.trim().split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .is_some_and(|(_, given)| {
                    constant_time_eq(given.trim().as_bytes(), token.as_bytes())
                }),
        }
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// Serves MCP over stdin/stdout until the client closes it.
pub fn mcp_stdio(shared: Shared, args: McpArgs) -> Result<()> {
    runtime()?.block_on(async move {
        shared.watch_freshness(args.watch);
        if args.watch {
            shared.watch_files()?;
        }
        let service = Mcp::new(shared)
            .serve(rmcp::transport::io::stdio())
            .await
            .context("the MCP client did not complete the handshake")?;
        service.waiting().await.context("the MCP server failed")?;
        Ok(())
    })
}

/// Serves gRPC and/or MCP over HTTP until interrupted.
pub fn serve(shared: Shared, args: ServeArgs) -> Result<()> {
    let mut args = args;
    if args.grpc.is_none() && args.http.is_none() {
        // Both, on loopback.
        args.grpc = Some(SocketAddr::from(([127, 0, 0, 1], 50051)));
        args.http = Some(SocketAddr::from(([127, 0, 0, 1], 8787)));
    }
    let token = args.token.filter(|t| !t.is_empty());
    for addr in args.grpc.iter().chain(&args.http) {
        if !addr.ip().is_loopback() && token.is_none() {
            bail!("{addr} is not a loopback address: pass --token (or set CARTOGRAPH_TOKEN) so that only clients with it are answered");
        }
    }
    let auth = Auth(token.map(Arc::from));
    runtime()?.block_on(async move {
        shared.watch_freshness(args.watch);
        if args.watch {
            shared.watch_files()?;
        }
        let stop = CancellationToken::new();
        let mut tasks = tokio::task::JoinSet::new();
        if let Some(addr) = args.grpc {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            eprintln!("cartograph: gRPC listening on {}", listener.local_addr()?);
            tasks.spawn(grpc(shared.clone(), auth.clone(), listener, stop.clone()));
        }
        if let Some(addr) = args.http {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            eprintln!(
                "cartograph: MCP listening on http://{}/mcp",
                listener.local_addr()?
            );
            tasks.spawn(http(
                shared.clone(),
                auth.clone(),
                args.allow_origins.clone(),
                listener,
                stop.clone(),
            ));
        }
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                eprintln!("cartograph: stopping");
                stop.cancel();
            }
            Some(done) = tasks.join_next() => {
                stop.cancel();
                done.context("a server task failed")??;
            }
        }
        while let Some(done) = tasks.join_next().await {
            done.context("a server task failed")??;
        }
        Ok(())
    })
}

async fn grpc(
    shared: Shared,
    auth: Auth,
    listener: tokio::net::TcpListener,
    stop: CancellationToken,
) -> Result<()> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<pb::cartograph_server::CartographServer<Grpc>>()
        .await;
    let reflection_builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(DESCRIPTORS)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection = reflection_builder()
        .build_v1()
        .context("cannot build the reflection service")?;
    // Clients that speak only the older protocol (Python's grpcio-reflection).
    let reflection_v1alpha = reflection_builder()
        .build_v1alpha()
        .context("cannot build the reflection service")?;
    let check = move |request: tonic::Request<()>| {
        let header = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if auth.accepts(header) {
            Ok(request)
        } else {
            Err(tonic::Status::unauthenticated(
                "missing or wrong token: send the metadata `authorization: Bearer <token>`",
            ))
        }
    };
    let service = pb::cartograph_server::CartographServer::new(Grpc::new(shared))
        .max_decoding_message_size(MAX_REQUEST_BYTES);
    tonic::transport::Server::builder()
        .timeout(REQUEST_DEADLINE)
        .layer(tonic::service::InterceptorLayer::new(check))
        .add_service(health_service)
        .add_service(reflection)
        .add_service(reflection_v1alpha)
        .add_service(service)
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            stop.cancelled_owned(),
        )
        .await
        .context("the gRPC server failed")
}

async fn http(
    shared: Shared,
    auth: Auth,
    origins: Vec<String>,
    listener: tokio::net::TcpListener,
    stop: CancellationToken,
) -> Result<()> {
    let local = listener.local_addr()?;
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_max_request_body_bytes(MAX_REQUEST_BYTES)
        .with_cancellation_token(stop.child_token());
    config = if local.ip().is_loopback() {
        // The address it is bound to is its own name too (`127.0.0.2`).
        let own = match local.ip() {
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        config.with_allowed_hosts(["localhost", "127.0.0.1", "::1", "[::1]", own.as_str()])
    } else {
        // Off loopback the token guards every request; any Host may carry it.
        config.with_allowed_hosts(Vec::<String>::new())
    };
    // Browser pages may only call from the origins allowed by hand.
    config = if origins.is_empty() {
        config.enforce_origin_validation()
    } else {
        config.with_allowed_origins(origins)
    };
    let mcp: StreamableHttpService<Mcp, LocalSessionManager> = StreamableHttpService::new(
        move || Ok(Mcp::new(shared.clone())),
        Default::default(),
        config,
    );
    let app = axum::Router::new()
        .nest_service("/mcp", mcp)
        .layer(axum::middleware::from_fn(jsonrpc_shape))
        .layer(axum::middleware::from_fn_with_state(auth, require_token));
    axum::serve(listener, app)
        .with_graceful_shutdown(stop.cancelled_owned())
        .await
        .context("the HTTP server failed")
}

/// A JSON-RPC error response (`id` null: the request's id could not be read).
fn jsonrpc_error(status: StatusCode, id: serde_json::Value, code: i64, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    });
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Answers a POST whose body is not one JSON-RPC message with a JSON-RPC error
/// (parse error -32700, invalid request -32600, batches refused) instead of a bare
/// HTTP status, and passes the others on unchanged.
async fn jsonrpc_shape(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return jsonrpc_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::Value::Null,
                -32600,
                &format!("the request is larger than {MAX_REQUEST_BYTES} bytes"),
            )
        }
    };
    let message: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return jsonrpc_error(
                StatusCode::BAD_REQUEST,
                serde_json::Value::Null,
                -32700,
                &format!("parse error: {e}"),
            )
        }
    };
    let id = message
        .get("id")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let invalid = match &message {
        serde_json::Value::Array(_) => {
            Some("batch requests are not supported: send one message per POST")
        }
        serde_json::Value::Object(m) => {
            let versioned = m.get("jsonrpc").and_then(|v| v.as_str()) == Some("2.0");
            let shaped = m.get("method").is_some_and(|v| v.is_string())
                || m.contains_key("result")
                || m.contains_key("error");
            (!versioned || !shaped).then_some(
                "invalid request: a JSON-RPC 2.0 message needs `\"jsonrpc\": \"2.0\"` and a string `method` (or a `result`/`error`)",
            )
        }
        _ => Some("invalid request: a JSON-RPC message is a JSON object"),
    };
    if let Some(why) = invalid {
        return jsonrpc_error(StatusCode::BAD_REQUEST, id, -32600, why);
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

async fn require_token(
    State(auth): State<Auth>,
    headers: HeaderMap,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth.accepts(header) {
        next.run(request).await
    } else {
        (
            StatusCode::UNAUTHORIZED,
            [(axum::http::header::WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong token: send `Authorization: Bearer <token>`\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_exact() {
        let auth = Auth(Some(Arc::from("s3cret")));
        for ok in ["Bearer s3cret", "bearer s3cret", "BEARER  s3cret"] {
            assert!(auth.accepts(Some(ok)), "{ok}");
        }
        for refused in ["Bearer s3cre", "Basic s3cret", "s3cret", "Bearers3cret", ""] {
            assert!(!auth.accepts(Some(refused)), "{refused}");
        }
        assert!(!auth.accepts(None));
        assert!(Auth(None).accepts(None));
    }
}
