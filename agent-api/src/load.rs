//! `cartograph loadtest`: concurrent clients against a running `cartograph serve`,
//! over gRPC and over MCP HTTP, printing throughput and latency percentiles per
//! operation and counting every error.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use cartograph_api::pb;
use cartograph_api::pb::cartograph_client::CartographClient;
use clap::Args;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// Options of `cartograph loadtest`.
#[derive(Args, Debug)]
pub struct LoadArgs {
    /// gRPC address of the server (`127.0.0.1:50051`).
    #[arg(long, value_name = "ADDR")]
    grpc: Option<String>,
    /// MCP HTTP address of the server (`127.0.0.1:8787`).
    #[arg(long, value_name = "ADDR")]
    http: Option<String>,
    /// Concurrent clients per transport.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds per transport and operation.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Words to find the symbols asked about (the most referenced of their hits).
    #[arg(long, default_value = "parse")]
    words: String,
    /// Measure freshness instead: edit files under this indexed directory (of a
    /// server started with `--watch`) and time until queries reflect each edit.
    #[arg(long, value_name = "DIR", requires = "grpc")]
    edit_root: Option<std::path::PathBuf>,
    /// Edits for the save-to-answer measurement.
    #[arg(long, default_value_t = 200)]
    edits: usize,
    /// Files created (then deleted) at once, as a branch switch does.
    #[arg(long, default_value_t = 2000)]
    burst: usize,
    /// The server's process ID, to sample its CPU and memory at idle.
    #[arg(long)]
    pid: Option<u32>,
    /// Bearer token, if the server requires one.
    #[arg(long, env = "CARTOGRAPH_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

const OPERATIONS: [&str; 3] = ["symbol", "references", "callers"];

/// Latencies of one run, and its errors.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: u64,
}

/// Runs the load test.
pub fn run(args: LoadArgs) -> Result<()> {
    if args.grpc.is_none() && args.http.is_none() {
        bail!("give --grpc ADDR and/or --http ADDR of a running `cartograph serve`");
    }
    if args.clients == 0 || args.seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        if let Some(root) = args.edit_root.clone() {
            return freshness(&args, &root).await;
        }
        let symbols = pick_symbols(&args).await?;
        eprintln!(
            "cartograph: {} symbols, {} clients, {}s per operation",
            symbols.len(),
            args.clients,
            args.seconds
        );
        println!(
            "{:<6} {:<11} {:>9} {:>9} {:>9} {:>9} {:>7}",
            "via", "operation", "requests", "req/s", "p50 ms", "p99 ms", "errors"
        );
        for transport in ["grpc", "mcp"] {
            let addr = match transport {
                "grpc" => args.grpc.clone(),
                _ => args.http.clone(),
            };
            let Some(addr) = addr else {
                continue;
            };
            for op in OPERATIONS {
                let tally = hammer(transport, &addr, op, &symbols, &args).await?;
                report(transport, op, &tally, args.seconds);
            }
        }
        Ok(())
    })
}

fn report(transport: &str, op: &str, t: &Tally, seconds: u64) {
    let mut l = t.latencies.clone();
    l.sort();
    let pct = |p: f64| -> f64 {
        if l.is_empty() {
            return 0.0;
        }
        let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
        l[i].as_secs_f64() * 1000.0
    };
    println!(
        "{:<6} {:<11} {:>9} {:>9.0} {:>9.2} {:>9.2} {:>7}",
        transport,
        op,
        l.len(),
        l.len() as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        t.errors
    );
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Whether a search for `name` finds it now.
async fn visible(
    client: &mut CartographClient<tonic::transport::Channel>,
    name: &str,
    token: &Option<String>,
) -> Result<bool> {
    let request = pb::SearchRequest {
        text: name.to_string(),
        limit: 5,
        ..Default::default()
    };
    let hits = client
        .search(authorized(request, token))
        .await
        .map_err(|e| anyhow!("search failed: {e}"))?
        .into_inner();
    Ok(hits.symbols.iter().any(|s| s.name == name))
}

/// Polls until `name` is (or is no longer) visible; the time it took.
async fn until(
    client: &mut CartographClient<tonic::transport::Channel>,
    name: &str,
    present: bool,
    token: &Option<String>,
) -> Result<Duration> {
    let started = Instant::now();
    while visible(client, name, token).await? != present {
        if started.elapsed() > Duration::from_secs(120) {
            bail!(
                "`{name}` did not {} within 120 s",
                if present { "appear" } else { "disappear" }
            );
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(started.elapsed())
}

/// CPU seconds (user + system) and resident memory of a process, from /proc.
fn usage(pid: u32) -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((ticks / 100.0, rss))
}

/// Save-to-answer latency over `--edits` edits, a `--burst` of files created and
/// deleted at once, and the server's idle CPU and memory.
async fn freshness(args: &LoadArgs, root: &std::path::Path) -> Result<()> {
    let addr = args.grpc.clone().unwrap_or_default();
    let mut client = grpc_client(&addr).await?;
    let dir = root.join("cartograph_probe");
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot write under {}", root.display()))?;
    let result = async {
        let mut samples = Vec::with_capacity(args.edits);
        for i in 0..args.edits {
            let name = format!("cartograph_probe_{i}");
            std::fs::write(
                dir.join("probe.py"),
                format!("def {name}():\n    return {i}\n"),
            )?;
            samples.push(until(&mut client, &name, true, &args.token).await?);
        }
        samples.sort();
        let pct = |p: f64| {
            millis(
                samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1],
            )
        };
        println!(
            "save-to-answer over {} edits: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
            samples.len(),
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
        let started = Instant::now();
        for i in 0..args.burst {
            std::fs::write(
                dir.join(format!("burst_{i}.py")),
                format!("def cartograph_burst_{i}():\n    return {i}\n"),
            )?;
        }
        let last = format!("cartograph_burst_{}", args.burst.saturating_sub(1));
        until(&mut client, &last, true, &args.token).await?;
        until(&mut client, "cartograph_burst_0", true, &args.token).await?;
        println!(
            "{} files created at once: fresh after {:.0} ms",
            args.burst,
            millis(started.elapsed())
        );
        let started = Instant::now();
        for i in 0..args.burst {
            std::fs::remove_file(dir.join(format!("burst_{i}.py")))?;
        }
        until(&mut client, &last, false, &args.token).await?;
        until(&mut client, "cartograph_burst_0", false, &args.token).await?;
        println!(
            "{} files deleted at once: fresh after {:.0} ms",
            args.burst,
            millis(started.elapsed())
        );
        if let Some(pid) = args.pid {
            tokio::time::sleep(Duration::from_secs(3)).await;
            if let Some((a, _)) = usage(pid) {
                tokio::time::sleep(Duration::from_secs(10)).await;
                if let Some((b, rss)) = usage(pid) {
                    println!(
                        "server at idle: {:.2}% of a core over 10 s, {:.0} MB resident",
                        (b - a) * 10.0,
                        rss as f64 / 1024.0
                    );
                }
            }
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Symbols with callers or references, found through the server itself.
async fn pick_symbols(args: &LoadArgs) -> Result<Vec<String>> {
    let request = pb::SearchRequest {
        text: args.words.clone(),
        limit: 200,
        ..Default::default()
    };
    let ids: Vec<String> = if let Some(addr) = &args.grpc {
        let mut client = grpc_client(addr).await?;
        client
            .search(authorized(request, &args.token))
            .await
            .map_err(|e| anyhow!("search failed: {e}"))?
            .into_inner()
            .symbols
            .into_iter()
            .map(|s| s.id)
            .collect()
    } else {
        let addr = args.http.clone().unwrap_or_default();
        let mut c = McpConnection::connect(&addr, args.token.clone()).await?;
        let v = c
            .call("search", json!({"text": args.words, "limit": 200}))
            .await?;
        v["result"]["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["id"].as_str().map(str::to_string))
            .collect()
    };
    if ids.is_empty() {
        bail!("no symbol matches `{}`; pass other --words", args.words);
    }
    Ok(ids)
}

fn authorized<T>(message: T, token: &Option<String>) -> tonic::Request<T> {
    let mut r = tonic::Request::new(message);
    if let Some(t) = token {
        if let Ok(v) = format!("Bearer {t}").parse() {
            r.metadata_mut().insert("authorization", v);
        }
    }
    r
}

async fn grpc_client(addr: &str) -> Result<CartographClient<tonic::transport::Channel>> {
    CartographClient::connect(format!("http://{addr}"))
        .await
        .with_context(|| format!("cannot connect to gRPC at {addr}"))
}

/// `clients` concurrent loops asking `op` about the symbols in turn for the run's
/// duration.
async fn hammer(
    transport: &str,
    addr: &str,
    op: &str,
    symbols: &[String],
    args: &LoadArgs,
) -> Result<Tally> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..args.clients {
        let symbols = symbols.to_vec();
        let (transport, addr, op, token) = (
            transport.to_string(),
            addr.to_string(),
            op.to_string(),
            args.token.clone(),
        );
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut grpc = None;
            let mut mcp = None;
            if transport == "grpc" {
                grpc = Some(grpc_client(&addr).await?);
            } else {
                mcp = Some(McpConnection::connect(&addr, token.clone()).await?);
            }
            let mut i = c;
            while Instant::now() < deadline {
                let symbol = symbols[i % symbols.len()].clone();
                i += 1;
                let started = Instant::now();
                let ok = match (&mut grpc, &mut mcp) {
                    (Some(g), _) => grpc_call(g, &op, symbol, &token).await,
                    (_, Some(m)) => m.call(&op, json!({"symbol": symbol})).await.is_ok(),
                    _ => false,
                };
                if ok {
                    tally.latencies.push(started.elapsed());
                } else {
                    tally.errors += 1;
                }
            }
            Ok::<Tally, anyhow::Error>(tally)
        });
    }
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let t = done.context("a client task failed")??;
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
    }
    Ok(all)
}

async fn grpc_call(
    client: &mut CartographClient<tonic::transport::Channel>,
    op: &str,
    symbol: String,
    token: &Option<String>,
) -> bool {
    match op {
        "symbol" => client
            .symbol(authorized(
                pb::SymbolRequest {
                    symbol,
                    ..Default::default()
                },
                token,
            ))
            .await
            .is_ok(),
        "references" => {
            let request = pb::ReferencesRequest {
                symbol,
                ..Default::default()
            };
            match client.references(authorized(request, token)).await {
                Ok(r) => {
                    let mut stream = r.into_inner();
                    loop {
                        match stream.message().await {
                            Ok(Some(_)) => {}
                            Ok(None) => break true,
                            Err(_) => break false,
                        }
                    }
                }
                Err(_) => false,
            }
        }
        _ => client
            .callers(authorized(
                pb::CallsRequest {
                    symbol,
                    depth: 1,
                    ..Default::default()
                },
                token,
            ))
            .await
            .is_ok(),
    }
}

/// A keep-alive HTTP/1.1 connection posting JSON-RPC to `/mcp`.
struct McpConnection {
    stream: BufReader<tokio::net::TcpStream>,
    addr: String,
    token: Option<String>,
    next_id: u64,
}

impl McpConnection {
    async fn connect(addr: &str, token: Option<String>) -> Result<McpConnection> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("cannot connect to MCP at {addr}"))?;
        stream.set_nodelay(true).ok();
        let mut c = McpConnection {
            stream: BufReader::new(stream),
            addr: addr.to_string(),
            token,
            next_id: 1,
        };
        c.post(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "cartograph-loadtest", "version": env!("CARGO_PKG_VERSION")}
            }}),
        )
        .await?;
        Ok(c)
    }

    /// Calls a tool; an MCP error result is an error.
    async fn call(&mut self, tool: &str, arguments: Value) -> Result<Value> {
        self.next_id += 1;
        let v = self
            .post(
                json!({"jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                "params": {"name": tool, "arguments": arguments}}),
            )
            .await?;
        let result = &v["result"];
        if result["isError"] == true || v.get("error").is_some() {
            bail!("{tool} failed: {v}");
        }
        Ok(result["structuredContent"].clone())
    }

    async fn post(&mut self, body: Value) -> Result<Value> {
        let body = serde_json::to_vec(&body)?;
        let mut head = format!(
            "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2025-06-18\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(t) = &self.token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        head.push_str("\r\n");
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        // Status line and headers.
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        if !line.starts_with("HTTP/1.1 200") {
            bail!("MCP answered {}", line.trim());
        }
        let mut length = None;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let l = line.trim();
            if l.is_empty() {
                break;
            }
            if let Some((name, value)) = l.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or_else(|| anyhow!("MCP answered without a Content-Length"))?;
        let mut buf = vec![0; length];
        self.stream.read_exact(&mut buf).await?;
        Ok(serde_json::from_slice(&buf)?)
    }
}
