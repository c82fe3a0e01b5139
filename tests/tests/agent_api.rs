//! The agent API end to end: a real MCP client (rmcp) talking JSON-RPC to the real
//! binary over stdio and over streamable HTTP, and a real gRPC client (tonic) for
//! every method, health and reflection, on the mesh fixture. The same questions must
//! get the same answers through the CLI, MCP and gRPC.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};

use cartograph_api::pb;
use cartograph_api::pb::cartograph_client::CartographClient;
use cartograph_tests::{binary, git, Workspace};
use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};

const GET_CART: &str = "go cartservice server/server.go CartServer#GetCart().";

fn indexed_mesh() -> Workspace {
    let ws = Workspace::fixture("mesh");
    ws.run(&["index", "."]).ok();
    ws
}

/// `cartograph serve` as a child process, killed on drop.
struct Server {
    child: Child,
    grpc: String,
    http: String,
}

impl Server {
    fn start(ws: &Workspace, extra: &[&str]) -> Server {
        let mut child = Command::new(binary())
            .args(["serve", "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(extra)
            .current_dir(&ws.root)
            .env_remove("CARTOGRAPH_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let (mut grpc, mut http) = (String::new(), String::new());
        while grpc.is_empty() || http.is_empty() {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(a) = line.strip_prefix("cartograph: gRPC listening on ") {
                grpc = format!("http://{a}");
            } else if let Some(u) = line.strip_prefix("cartograph: MCP listening on ") {
                http = u.to_string();
            }
        }
        // Keep draining stderr so that the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Server { child, grpc, http }
    }

    fn http_authority(&self) -> String {
        self.http
            .trim_start_matches("http://")
            .trim_end_matches("/mcp")
            .to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn mcp_stdio(ws: &Workspace) -> RunningService<RoleClient, ()> {
    let mut cmd = tokio::process::Command::new(binary());
    cmd.arg("mcp").current_dir(&ws.root);
    let transport = TokioChildProcess::builder(cmd)
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
        .0;
    ().serve(transport).await.unwrap()
}

async fn mcp_http(url: &str) -> RunningService<RoleClient, ()> {
    ().serve(StreamableHttpClientTransport::from_uri(url.to_string()))
        .await
        .unwrap()
}

/// Calls a tool; returns (is_error, structured content).
async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> (bool, Value) {
    let params = CallToolRequestParams::new(tool.to_string())
        .with_arguments(args.as_object().cloned().unwrap_or_default());
    let result = client.call_tool(params).await.unwrap();
    let structured = result.structured_content.clone().unwrap();
    // The text content carries the same JSON.
    let text = result.content[0].as_text().unwrap().text.clone();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
    (result.is_error == Some(true), structured)
}

/// A tool's answer, checked to be a success carrying the index state.
async fn answer(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> Value {
    let (error, v) = call(client, tool, args.clone()).await;
    assert!(!error, "{tool} {args} failed: {v}");
    assert!(v["index"]["generation"].as_u64().unwrap() >= 1);
    assert_eq!(v["index"]["stale"], false, "{v}");
    v["result"].clone()
}

/// An error answer's kind.
async fn refusal(
    client: &RunningService<RoleClient, ()>,
    tool: &str,
    args: Value,
) -> (String, Value) {
    let (error, v) = call(client, tool, args.clone()).await;
    assert!(error, "{tool} {args} should fail: {v}");
    (
        v["error"]["kind"].as_str().unwrap().to_string(),
        v["error"].clone(),
    )
}

/// Every (depth, symbol, site) of a call tree given as JSON.
fn tree_edges(v: &Value, depth: usize, out: &mut BTreeSet<String>) {
    for child in v["children"].as_array().unwrap() {
        out.insert(format!(
            "{depth} {} {} {}",
            child["id"].as_str().unwrap(),
            child["site"].as_str().unwrap(),
            child["evidence"].as_str().unwrap()
        ));
        tree_edges(child, depth + 1, out);
    }
}

fn grpc_tree_edges(nodes: &[pb::CallNode], depth: usize, out: &mut BTreeSet<String>) {
    for n in nodes {
        out.insert(format!(
            "{depth} {} {} {}",
            n.symbol.as_ref().unwrap().id,
            n.site,
            n.evidence
        ));
        grpc_tree_edges(&n.children, depth + 1, out);
    }
}

#[test]
fn mcp_over_stdio_answers_every_tool() {
    let ws = indexed_mesh();
    runtime().block_on(async {
        let client = mcp_stdio(&ws).await;
        let info = client.peer_info().unwrap();
        assert_eq!(info.server_info.as_ref().unwrap().name, "cartograph");
        assert!(info.instructions.as_deref().unwrap().contains("callers"));

        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "search", "symbol", "references", "callers", "callees", "outline", "services", "path",
                "impact", "map", "endpoints", "links", "hierarchy"
            ]
        );
        // Every tool says what its answer is.
        for t in &tools {
            let schema = t.output_schema.as_ref().unwrap();
            assert_eq!(schema["type"], "object", "{}", t.name);
            assert!(schema["properties"]["result"].is_object(), "{}", t.name);
        }
        // Tool definitions cost an agent context: JSON takes at least 3 bytes a
        // token, so 7,500 bytes stay under 2,500 tokens.
        let json = serde_json::to_string(&tools).unwrap();
        assert!(json.len() < 7_500, "the tool list is {} bytes", json.len());
        // Counting every word and every punctuation mark as a token (more than a
        // tokenizer, which merges `{"` and `":`) stays under 2,500 too.
        let marks = json.chars().filter(|c| c.is_ascii_punctuation() && *c != '_').count();
        let words = json
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .count();
        assert!(words + marks < 2_500, "the tool list is {} words and marks", words + marks);

        let hits = answer(&client, "search", json!({"text": "cart server", "limit": 3})).await;
        assert_eq!(hits["items"].as_array().unwrap().len(), 3);
        assert_eq!(hits["items"][0]["id"], "go cartservice server/server.go CartServer#");

        let defs = answer(&client, "symbol", json!({"symbol": GET_CART})).await;
        assert_eq!(defs["items"][0]["qualified_name"], "CartServer.GetCart");
        assert!(defs["items"][0]["snippet"].as_str().unwrap().starts_with("func (s *CartServer) GetCart("));
        // A position finds the same definition.
        let at = answer(&client, "symbol", json!({"symbol": "cartservice/server/server.go:26:22"})).await;
        assert_eq!(at["items"][0]["id"], GET_CART);

        let callers = answer(&client, "callers", json!({"symbol": GET_CART, "depth": 2})).await;
        let mut edges = BTreeSet::new();
        tree_edges(&callers, 1, &mut edges);
        expect_test::expect![[r#"
            1 go checkoutservice main.go checkoutService#PlaceOrder(). checkoutservice/main.go:19:28 idl
            1 rust recommendationservice src/main.rs recommend(). recommendationservice/src/main.rs:11:22 idl
            1 typescript frontend src/cart.ts showCart(). frontend/src/cart.ts:13:7 idl
            2 go checkoutservice main.go main(). checkoutservice/main.go:54:14 member"#]]
        .assert_eq(&edges.into_iter().collect::<Vec<_>>().join("\n"));

        let callees = answer(&client, "callees", json!({"symbol": "go checkoutservice main.go checkoutService#PlaceOrder()."})).await;
        let mut edges = BTreeSet::new();
        tree_edges(&callees, 1, &mut edges);
        assert!(edges.iter().any(|e| e.contains(GET_CART)), "{edges:?}");

        let refs = answer(&client, "references", json!({"symbol": GET_CART, "limit": 2})).await;
        assert_eq!(refs["symbol"]["id"], GET_CART);
        assert_eq!(refs["total"], 3);
        assert_eq!(refs["items"].as_array().unwrap().len(), 2);
        let rest = answer(&client, "references", json!({"symbol": GET_CART, "limit": 2, "cursor": refs["next_cursor"]})).await;
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert!(rest.get("next_cursor").is_none());

        let outline = answer(&client, "outline", json!({"file": "cartservice/server/server.go"})).await;
        let names: Vec<&str> = outline.as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"CartServer"), "{names:?}");

        let services = answer(&client, "services", json!({})).await;
        assert_eq!(services["services"].as_array().unwrap().len(), 12, "the 11 services and the kafka broker");
        assert!(services["edges"].as_array().unwrap().iter().any(|e| e["from"] == "checkoutservice" && e["to"] == "cartservice"));

        let path = answer(&client, "path", json!({"from": "go checkoutservice main.go main().", "to": GET_CART})).await;
        let steps: Vec<&str> = path["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(steps, ["go checkoutservice main.go checkoutService#PlaceOrder().", GET_CART]);

        let impact = answer(&client, "impact", json!({"symbols": [GET_CART], "depth": 2})).await;
        let impacted: BTreeSet<&str> = impact["impacted"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(impacted, BTreeSet::from(["PlaceOrder", "main", "recommend", "showCart"]));
        assert_eq!(impact["changed"][0]["change"], "selected");

        let map = answer(&client, "map", json!({"scope": "cartservice", "tokens": 300})).await;
        assert_eq!(map["scope"], "service:cartservice");
        assert!(map["tokens"].as_u64().unwrap() <= 300);
        let listed = map["symbols"].as_array().unwrap();
        assert!(!listed.is_empty() && listed.iter().all(|s| s["service"] == "cartservice"));
        let ranks: Vec<f64> = listed.iter().map(|s| s["rank"].as_f64().unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");

        // The service map is also a resource.
        let resource = client
            .read_resource(rmcp::model::ReadResourceRequestParams::new("cartograph://services"))
            .await
            .unwrap();
        assert_eq!(resource.contents.len(), 1);
        let listed = client.list_all_resources().await.unwrap();
        let rmcp::model::ResourceContents::TextResourceContents { mime_type, .. } = &resource.contents[0]
        else {
            panic!("the services resource is text")
        };
        assert_eq!(mime_type.as_deref(), listed[0].mime_type.as_deref());
        assert_eq!(mime_type.as_deref(), Some("application/json"));
        client.cancel().await.unwrap();
    });
}

#[test]
fn mcp_tells_not_indexed_no_such_symbol_and_zero_callers_apart() {
    let ws = indexed_mesh();
    ws.write("notes/todo.go", "package notes\n");
    runtime().block_on(async {
        let client = mcp_stdio(&ws).await;
        let (kind, _) = refusal(&client, "outline", json!({"file": "notes/todo.go"})).await;
        assert_eq!(kind, "not_indexed");
        let (kind, _) = refusal(&client, "callers", json!({"symbol": "NoSuchThing"})).await;
        assert_eq!(kind, "not_found");
        let (kind, e) = refusal(&client, "callers", json!({"symbol": "GetCart"})).await;
        assert_eq!(kind, "ambiguous");
        let ids: Vec<&str> = e["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&GET_CART), "{ids:?}");
        // main() of checkoutservice has no callers: an empty tree, not an error.
        let (error, v) = call(
            &client,
            "callers",
            json!({"symbol": "go checkoutservice main.go main()."}),
        )
        .await;
        assert!(!error);
        assert_eq!(v["result"]["children"], json!([]));
        // The file written after indexing makes answers say they may be stale.
        assert_eq!(v["index"]["stale"], true);
        assert_eq!(v["index"]["changed"], json!(["notes/todo.go"]));
        client.cancel().await.unwrap();
    });
}

#[test]
fn bad_requests_are_refused_and_the_server_keeps_serving() {
    let ws = indexed_mesh();
    let server = Server::start(&ws, &[]);
    runtime().block_on(async {
        let client = mcp_http(&server.http).await;
        for (tool, args) in [
            ("outline", json!({"file": "../../etc/passwd"})),
            ("outline", json!({"file": "/etc/passwd"})),
            ("callers", json!({"symbol": GET_CART, "depth": 99})),
            ("search", json!({"text": "cart", "limit": 100000})),
            ("search", json!({"text": "cart", "cursor": "bogus"})),
            ("search", json!({"text": "x".repeat(10_000)})),
            ("symbol", json!({"name": "GetCart"})),
            ("map", json!({"tokens": 5})),
        ] {
            let (kind, e) = refusal(&client, tool, args).await;
            assert_eq!(kind, "invalid_request", "{e}");
        }
        assert!(client
            .call_tool(CallToolRequestParams::new("no_such_tool"))
            .await
            .is_err());
        // Still serving.
        answer(&client, "symbol", json!({"symbol": GET_CART})).await;

        let mut grpc = CartographClient::connect(server.grpc.clone())
            .await
            .unwrap();
        let e = grpc
            .outline(pb::OutlineRequest {
                file: "../secrets.txt".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument, "{e}");
        let e = grpc
            .callers(pb::CallsRequest {
                symbol: "NoSuchThing".into(),
                depth: 1,
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert_eq!(e.code(), tonic::Code::NotFound, "{e}");
        client.cancel().await.unwrap();
    });

    // Raw HTTP: malformed JSON-RPC and an oversized body get errors...
    let authority = server.http_authority();
    let garbage = http_post(&authority, "garbage{", &[]);
    assert!(garbage.starts_with("HTTP/1.1 4"), "{garbage}");
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(3_000_000)
    );
    let oversized = http_post(&authority, &huge, &[]);
    assert!(oversized.starts_with("HTTP/1.1 413"), "{oversized}");
    // ...a browser page from another origin is refused...
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let foreign = http_post(&authority, init, &["Origin: http://evil.example"]);
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    // ...and the server still answers.
    let ok = http_post(&authority, init, &[]);
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
}

/// A raw HTTP/1.1 POST to `/mcp`; returns the whole response.
fn http_post(authority: &str, body: &str, headers: &[&str]) -> String {
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    // The server may answer before reading a body it refuses.
    let _ = stream.write_all(body.as_bytes());
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[test]
fn a_token_is_required_when_set_and_off_loopback() {
    let ws = indexed_mesh();
    let refused = ws.run(&["serve", "--http", "0.0.0.0:0"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--token"), "{}", refused.stderr);

    let server = Server::start(&ws, &["--token", "s3cret"]);
    let authority = server.http_authority();
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    assert!(http_post(&authority, init, &[]).starts_with("HTTP/1.1 401"));
    assert!(
        http_post(&authority, init, &["Authorization: Bearer wrong"]).starts_with("HTTP/1.1 401")
    );
    assert!(
        http_post(&authority, init, &["Authorization: Bearer s3cret"]).starts_with("HTTP/1.1 200")
    );
    // The scheme is case-insensitive.
    assert!(
        http_post(&authority, init, &["Authorization: bearer s3cret"]).starts_with("HTTP/1.1 200")
    );
    // Malformed messages get JSON-RPC errors, not a bare HTTP status.
    let token = ["Authorization: Bearer s3cret"];
    for (body, code) in [
        ("{not json", "-32700"),
        (r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, "-32600"),
        (r#"{"id":7,"method":"ping"}"#, "-32600"),
        ("42", "-32600"),
    ] {
        let answer = http_post(&authority, body, &token);
        assert!(answer.starts_with("HTTP/1.1 400"), "{body}: {answer}");
        assert!(
            answer.contains(&format!("\"code\":{code}")),
            "{body}: {answer}"
        );
        assert!(answer.contains("\"jsonrpc\":\"2.0\""), "{body}: {answer}");
    }

    runtime().block_on(async {
        let mut grpc = CartographClient::connect(server.grpc.clone())
            .await
            .unwrap();
        let e = grpc.services(pb::ServicesRequest {}).await.unwrap_err();
        assert_eq!(e.code(), tonic::Code::Unauthenticated);
        let mut request = tonic::Request::new(pb::ServicesRequest {});
        request
            .metadata_mut()
            .insert("authorization", "Bearer s3cret".parse().unwrap());
        let map = grpc.services(request).await.unwrap().into_inner();
        assert_eq!(map.services.len(), 12);
    });
}

#[test]
fn grpc_answers_every_method_with_health_and_reflection() {
    let ws = indexed_mesh();
    let cli_export = ws.run(&["export"]).ok().to_string();
    let server = Server::start(&ws, &[]);
    runtime().block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(server.grpc.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
        let status = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "cartograph.v1.Cartograph".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            status.status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32
        );

        // Reflection lists the services, as `grpcurl list` does.
        use tonic_reflection::pb::v1::{
            server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
            ServerReflectionRequest,
        };
        let mut reflection = ServerReflectionClient::new(channel.clone());
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = reflection
            .server_reflection_info(tokio_stream::iter(vec![request]))
            .await
            .unwrap()
            .into_inner();
        let first = responses.message().await.unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(list)) = first.message_response else {
            panic!("unexpected reflection answer {first:?}")
        };
        let names: BTreeSet<String> = list.service.into_iter().map(|s| s.name).collect();
        assert!(
            names.contains("cartograph.v1.Cartograph") && names.contains("grpc.health.v1.Health"),
            "{names:?}"
        );
        // The older protocol too (Python's reflection client speaks only it).
        {
            use tonic_reflection::pb::v1alpha::{
                server_reflection_client::ServerReflectionClient,
                server_reflection_request::MessageRequest,
                server_reflection_response::MessageResponse, ServerReflectionRequest,
            };
            let request = ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            };
            let first = ServerReflectionClient::new(channel.clone())
                .server_reflection_info(tokio_stream::iter(vec![request]))
                .await
                .unwrap()
                .into_inner()
                .message()
                .await
                .unwrap()
                .unwrap();
            let Some(MessageResponse::ListServicesResponse(list)) = first.message_response else {
                panic!("unexpected v1alpha reflection answer {first:?}")
            };
            assert!(list.service.iter().any(|s| s.name == "cartograph.v1.Cartograph"));
        }

        let mut client = CartographClient::new(channel);
        let hits = client
            .search(pb::SearchRequest {
                text: "cart server".into(),
                limit: 3,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            hits.symbols[0].id,
            "go cartservice server/server.go CartServer#"
        );
        assert!(!hits.next_cursor.is_empty());
        assert!(!hits.index.unwrap().stale);

        let defs = client
            .symbol(pb::SymbolRequest {
                symbol: GET_CART.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            defs.definitions[0].symbol.as_ref().unwrap().qualified_name,
            "CartServer.GetCart"
        );

        let mut stream = client
            .references(pb::ReferencesRequest {
                symbol: GET_CART.into(),
                by_name: false,
                page_size: 2,
            })
            .await
            .unwrap()
            .into_inner();
        let mut sites = Vec::new();
        let mut messages = 0;
        while let Some(m) = stream.message().await.unwrap() {
            if messages == 0 {
                assert_eq!(m.symbol.as_ref().unwrap().id, GET_CART);
            }
            messages += 1;
            assert_eq!(m.total, 3);
            sites.extend(m.references);
        }
        assert_eq!((messages, sites.len()), (2, 3));

        let callers = client
            .callers(pb::CallsRequest {
                symbol: GET_CART.into(),
                depth: 2,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(callers.children.len(), 3);
        let callees = client
            .callees(pb::CallsRequest {
                symbol: "go checkoutservice main.go checkoutService#PlaceOrder().".into(),
                depth: 1,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(callees
            .children
            .iter()
            .any(|c| c.symbol.as_ref().unwrap().id == GET_CART));

        let outline = client
            .outline(pb::OutlineRequest {
                file: "cartservice/server/server.go".into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(outline
            .symbols
            .iter()
            .any(|s| s.symbol.as_ref().unwrap().name == "CartServer"));

        let services = client
            .services(pb::ServicesRequest {})
            .await
            .unwrap()
            .into_inner();
        assert_eq!(services.services.len(), 12);

        let path = client
            .path(pb::PathRequest {
                from: "go checkoutservice main.go main().".into(),
                to: GET_CART.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(path.found);
        assert_eq!(path.steps.len(), 2);

        let map = client
            .map(pb::MapRequest {
                scope: "cartservice".into(),
                tokens: 300,
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(map.scope, "service:cartservice");
        assert!(!map.symbols.is_empty());

        // A diff against the files on disk: a body change of the handler.
        let file = ws.root.join("cartservice/server/server.go");
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replacen("\treturn &pb.Cart{", "\t// copy\n\treturn &pb.Cart{", 1)).unwrap();
        let diff = "diff --git a/cartservice/server/server.go b/cartservice/server/server.go\n--- a/cartservice/server/server.go\n+++ b/cartservice/server/server.go\n@@ -28,0 +29 @@\n+\t// copy\n";
        let impact = client.impact(pb::ImpactRequest { diff: diff.into(), ..Default::default() }).await.unwrap().into_inner();
        assert_eq!(impact.changed.len(), 1, "{impact:?}");
        assert_eq!((impact.changed[0].id.as_str(), impact.changed[0].change.as_str()), (GET_CART, "body"));
        assert_eq!(impact.impacted.len(), 4);
        assert!(impact.impacted.iter().all(|i| i.class == "may-change"));
        assert_eq!(impact.risk.unwrap().level, "medium");
        std::fs::write(&file, text).unwrap();

        let mut export = client
            .export(pb::ExportRequest {})
            .await
            .unwrap()
            .into_inner();
        let mut jsonl = Vec::new();
        while let Some(chunk) = export.message().await.unwrap() {
            jsonl.extend(chunk.jsonl);
        }
        assert_eq!(String::from_utf8(jsonl).unwrap(), cli_export);
    });
}

#[test]
fn the_cli_mcp_and_grpc_give_the_same_answers() {
    let ws = indexed_mesh();
    // The server holds the store while it runs: ask the CLI first.
    let cli_callers = ws
        .run(&["callers", GET_CART, "--depth", "3", "--json"])
        .json();
    let mut from_cli = BTreeSet::new();
    tree_edges(&cli_callers, 1, &mut from_cli);
    let cli_refs: BTreeSet<String> = ws
        .run(&["refs", GET_CART, "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}:{}:{}", r["file"].as_str().unwrap(), r["line"], r["col"]))
        .collect();
    let cli_search: Vec<String> = ws
        .run(&["search", "cart", "--limit", "10", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect();
    assert!(from_cli.len() >= 4 && cli_refs.len() == 3 && cli_search.len() == 10);
    let server = Server::start(&ws, &[]);

    runtime().block_on(async {
        let client = mcp_http(&server.http).await;
        let callers = answer(&client, "callers", json!({"symbol": GET_CART, "depth": 3})).await;
        let mut from_mcp = BTreeSet::new();
        tree_edges(&callers, 1, &mut from_mcp);
        assert_eq!(from_mcp, from_cli);
        let refs = answer(&client, "references", json!({"symbol": GET_CART})).await;
        let mcp_refs: BTreeSet<String> = refs["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{}:{}:{}", r["file"].as_str().unwrap(), r["line"], r["col"]))
            .collect();
        assert_eq!(mcp_refs, cli_refs);
        let hits = answer(&client, "search", json!({"text": "cart", "limit": 10})).await;
        let mcp_search: Vec<String> = hits["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(mcp_search, cli_search);
        client.cancel().await.unwrap();

        let mut grpc = CartographClient::connect(server.grpc.clone())
            .await
            .unwrap();
        let tree = grpc
            .callers(pb::CallsRequest {
                symbol: GET_CART.into(),
                depth: 3,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let mut from_grpc = BTreeSet::new();
        grpc_tree_edges(&tree.children, 1, &mut from_grpc);
        assert_eq!(from_grpc, from_cli);
        let mut stream = grpc
            .references(pb::ReferencesRequest {
                symbol: GET_CART.into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let mut grpc_refs = BTreeSet::new();
        while let Some(m) = stream.message().await.unwrap() {
            for r in m.references {
                grpc_refs.insert(format!("{}:{}:{}", r.file, r.line, r.col));
            }
        }
        assert_eq!(grpc_refs, cli_refs);
        let hits = grpc
            .search(pb::SearchRequest {
                text: "cart".into(),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let grpc_search: Vec<String> = hits.symbols.into_iter().map(|h| h.id).collect();
        assert_eq!(grpc_search, cli_search);
    });
}

#[test]
fn mcp_over_stdio_survives_malformed_lines() {
    let ws = indexed_mesh();
    let mut child = Command::new(binary())
        .arg("mcp")
        .current_dir(&ws.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |line: &str| {
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    };
    send(
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    );
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("\"id\":1"), "{line}");
    send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#);
    send("this is not json");
    send(
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"symbol","arguments":{"symbol":"go cartservice server/server.go CartServer#GetCart()."}}}"#,
    );
    // Whatever the server says about the bad line, it answers the next request.
    let mut answered = false;
    for _ in 0..3 {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.contains("\"id\":2") {
            assert!(line.contains("CartServer.GetCart"), "{line}");
            answered = true;
            break;
        }
    }
    assert!(answered);
    drop(stdin);
    let _ = child.wait();
}

/// Two agents' MCP servers and the CLI on one repository: each reads while the
/// others run (a server holds the index only while it answers), an index run by
/// the CLI updates it under them, and every reader then sees the new generation
/// whole.
#[test]
fn many_readers_share_one_index_with_running_servers() {
    let ws = indexed_mesh();
    runtime().block_on(async {
        let first = mcp_stdio(&ws).await;
        let second = mcp_stdio(&ws).await;
        for client in [&first, &second] {
            let hits = answer(client, "search", json!({"text": "cart server", "limit": 1})).await;
            assert_eq!(hits["items"][0]["id"], "go cartservice server/server.go CartServer#");
        }
        // The CLI reads beside both servers without waiting for them.
        let started = std::time::Instant::now();
        let out = ws.run(&["search", "cart server", "--limit", "1", "--json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the CLI waited {:?} for the servers",
            started.elapsed()
        );
        // Requests to both servers at once, and the CLI in between.
        let (a, b) = tokio::join!(
            call(&first, "callers", json!({"symbol": GET_CART})),
            call(&second, "map", json!({"scope": "cartservice"}))
        );
        assert!(!a.0 && !b.0, "{} {}", a.1, b.1);
        assert_eq!(ws.run(&["stats", "--json"]).code, 0);
        // A server answering without a pause lets the CLI in between its requests.
        let root = ws.root.clone();
        let cli = tokio::task::spawn_blocking(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            let started = std::time::Instant::now();
            let out = cartograph_tests::run_in(&root, &["search", "cart", "--json"]);
            (out, started.elapsed())
        });
        let busy = async {
            let mut answered = 0;
            while answered < 400 {
                let (error, v) = call(&first, "callers", json!({"symbol": GET_CART})).await;
                assert!(!error, "{v}");
                answered += 1;
            }
        };
        let (cli, ()) = tokio::join!(cli, busy);
        let (out, waited) = cli.unwrap();
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(waited < std::time::Duration::from_secs(3), "the CLI waited {waited:?}");

        // The CLI updates the index while both servers run ...
        std::fs::write(
            ws.root.join("cartservice/server/fresh.go"),
            "package server\n\n// FreshlyAddedHelper is new.\nfunc FreshlyAddedHelper() int { return 1 }\n",
        )
        .unwrap();
        let out = ws.run(&["index", "."]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        // ... and both see the new generation, with its new symbol, at once.
        let generation = |v: &Value| v["index"]["generation"].as_u64().unwrap();
        let mut seen = Vec::new();
        for client in [&first, &second] {
            let (error, v) =
                call(client, "search", json!({"text": "FreshlyAddedHelper", "limit": 1})).await;
            assert!(!error, "{v}");
            assert_eq!(
                v["result"]["items"][0]["id"],
                "go cartservice server/fresh.go FreshlyAddedHelper()."
            );
            seen.push(generation(&v));
        }
        assert_eq!(seen[0], seen[1]);
        first.cancel().await.unwrap();
        second.cancel().await.unwrap();
    });
}

/// Every list is paged or says it was cut, and a token budget holds for the JSON
/// the client receives: 28 definitions of one name come in pages that neither drop
/// nor repeat one, a hub's callee tree stops at its budget and says `truncated`,
/// and a map fits its budget.
#[test]
fn no_silent_caps_and_budgets_hold_in_the_json_sent() {
    let ws = cartograph_tests::Workspace::empty();
    ws.write("go.mod", "module example.com/caps\n\ngo 1.22\n");
    for i in 0..28 {
        ws.write(
            &format!("pkg{i}/h.go"),
            format!(
                "package pkg{i}\n\n// Handle answers {i}.\nfunc Handle() int {{ return {i} }}\n"
            ),
        );
    }
    let mut hub = String::from("package hub\n\n");
    for i in 0..300 {
        hub.push_str(&format!("func Step{i}() int {{ return {i} }}\n"));
    }
    hub.push_str("\n// Hub calls every step.\nfunc Hub() int {\n\ttotal := 0\n");
    for i in 0..300 {
        hub.push_str(&format!("\ttotal += Step{i}()\n"));
    }
    hub.push_str("\treturn total\n}\n");
    ws.write("hub/hub.go", hub);
    ws.run(&["index", "."]).ok();

    runtime().block_on(async {
        let client = mcp_stdio(&ws).await;
        // Definitions: two pages, 20 then 8, none repeated.
        let first = answer(&client, "symbol", json!({"symbol": "Handle"})).await;
        assert_eq!(first["total"], 28, "{first}");
        assert_eq!(first["items"].as_array().unwrap().len(), 20);
        let cursor = first["next_cursor"].as_str().unwrap().to_string();
        let second = answer(
            &client,
            "symbol",
            json!({"symbol": "Handle", "cursor": cursor}),
        )
        .await;
        assert_eq!(second["items"].as_array().unwrap().len(), 8);
        assert!(second.get("next_cursor").is_none(), "{second}");
        let ids: BTreeSet<String> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .chain(second["items"].as_array().unwrap())
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 28);

        // A hub's callees: cut at the default budget, and said so.
        let tree = answer(&client, "callees", json!({"symbol": "Hub"})).await;
        assert_eq!(tree["truncated"], true);
        let bytes = serde_json::to_string(&tree).unwrap().len();
        assert!(bytes <= 4_000 * 3, "{bytes} bytes for a 4,000-token budget");
        assert!(tree["children"].as_array().unwrap().len() > 20);
        // A larger budget holds them all.
        let whole = answer(
            &client,
            "callees",
            json!({"symbol": "Hub", "tokens": 50000}),
        )
        .await;
        assert_eq!(whole["truncated"], false);
        assert_eq!(whole["children"].as_array().unwrap().len(), 300);

        // A map within its budget.
        for budget in [300usize, 2000] {
            let (error, v) = call(&client, "map", json!({"tokens": budget})).await;
            assert!(!error, "{v}");
            let bytes = serde_json::to_string(&v).unwrap().len();
            assert!(
                bytes <= budget * 3,
                "{bytes} bytes for a {budget}-token map"
            );
            assert!(!v["result"]["symbols"].as_array().unwrap().is_empty());
        }
        client.cancel().await.unwrap();
    });
}

/// MCP has what the CLI has: endpoints (with unmatched ones), links, hierarchy,
/// and impact over a commit range.
#[test]
fn mcp_covers_endpoints_links_hierarchy_and_commit_ranges() {
    let ws = Workspace::fixture("mesh");
    git(&ws.root, &["init", "-q", "-b", "main"]);
    git(&ws.root, &["add", "-A"]);
    git(&ws.root, &["commit", "-q", "-m", "base"]);
    let file = ws.root.join("cartservice/server/server.go");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn &pb.Cart",
            "\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\t// read\n\treturn &pb.Cart",
        ),
    )
    .unwrap();
    git(&ws.root, &["commit", "-q", "-am", "change GetCart"]);
    ws.run(&["index", "."]).ok();
    runtime().block_on(async {
        let client = mcp_stdio(&ws).await;
        let cart = answer(
            &client,
            "endpoints",
            json!({"service": "cartservice", "limit": 500}),
        )
        .await;
        let keys: BTreeSet<&str> = cart["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["endpoint"].as_str())
            .collect();
        assert!(keys.contains("grpc:mesh.v1.CartService/GetCart"), "{cart}");
        let unmatched = answer(
            &client,
            "endpoints",
            json!({"unmatched": true, "limit": 500}),
        )
        .await;
        assert!(!unmatched["items"].as_array().unwrap().is_empty());
        assert!(unmatched["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["linked"] == false));

        let links = answer(&client, "links", json!({"to": "cartservice"})).await;
        let items = links["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|l| l["to"]["service"] == "cartservice"),
            "{links}"
        );
        let (kind, _) = refusal(&client, "links", json!({"to": "no-such-service"})).await;
        assert_eq!(kind, "invalid_request");

        let h = answer(
            &client,
            "hierarchy",
            json!({"symbol": "go cartservice server/server.go CartServer#"}),
        )
        .await;
        assert_eq!(
            h["symbol"]["id"], "go cartservice server/server.go CartServer#",
            "{h}"
        );

        let impact = answer(&client, "impact", json!({"range": "HEAD~1..HEAD"})).await;
        let changed: Vec<&str> = impact["changed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(changed, [GET_CART], "{impact}");
        let (kind, _) = refusal(&client, "impact", json!({"range": "--output=/tmp/x"})).await;
        assert_eq!(kind, "invalid_request");
        client.cancel().await.unwrap();

        // gRPC takes the range too.
        let server = Server::start(&ws, &[]);
        let mut grpc = CartographClient::connect(server.grpc.clone())
            .await
            .unwrap();
        let impact = grpc
            .impact(pb::ImpactRequest {
                range: "HEAD~1..HEAD".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        let changed: Vec<String> = impact.changed.into_iter().map(|c| c.id).collect();
        assert_eq!(changed, [GET_CART]);
    });
}
