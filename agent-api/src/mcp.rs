//! The MCP server: tools over the query layer, the service map as a resource, over
//! stdio or streamable HTTP. Tool schemas are written by hand to stay short (tool
//! definitions cost an agent context).

use std::sync::Arc;

use cartograph_query::api::{
    CallsRequest, EndpointsRequest, HierarchyRequest, LinksRequest, MapRequest, OutlineRequest,
    PathRequest, ReferencesRequest, SearchRequest, SymbolRequest,
};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ServerCapabilities,
    ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::server::{Refusal, Shared};

/// URI of the service map resource.
pub const SERVICES_URI: &str = "cartograph://services";

/// What the server tells an agent about when to use which tool.
/// The type of the services resource, listed and read alike.
const SERVICES_MIME: &str = "application/json";
const INSTRUCTIONS: &str = "Cartograph answers how code connects across files and services: use `search` or `map` to find symbols, `symbol` to read one, `references`, `callers`, `callees` or `path` to follow links, and `impact` for what a diff or symbol change breaks (cross-service links included; every edge has evidence and confidence). Pass the stable `id` a result gives to later calls; `services` shows which services depend on which, over gRPC, HTTP or topics.";

/// The MCP handler: one per connection, all sharing one index.
#[derive(Clone)]
pub struct Mcp {
    shared: Shared,
    tools: Arc<Vec<Tool>>,
}

impl Mcp {
    /// A handler answering from `shared`.
    pub fn new(shared: Shared) -> Mcp {
        Mcp {
            shared,
            tools: Arc::new(tools()),
        }
    }
}

/// A JSON Schema object from a `json!` literal.
fn schema(v: Value) -> Arc<rmcp::model::JsonObject> {
    match v {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(Default::default()),
    }
}

fn symbol_arg() -> Value {
    json!({"type": "string", "description": "Stable ID, name, or file:line:col"})
}

fn paging() -> (Value, Value) {
    (
        json!({"type": "integer", "minimum": 1, "maximum": 500, "description": "Default 20"}),
        json!({"type": "string", "description": "A next_cursor"}),
    )
}

/// The tool list.
pub fn tools() -> Vec<Tool> {
    let (limit, cursor) = paging();
    let depth = json!({"type": "integer", "minimum": 1, "maximum": 8, "description": "Default 1"});
    let tokens =
        json!({"type": "integer", "minimum": 100, "maximum": 50000, "description": "Default 4000"});
    let read_only = || {
        let mut a = ToolAnnotations::default();
        a.read_only_hint = Some(true);
        a.open_world_hint = Some(false);
        a
    };
    // Every answer is `{"result", "index"}` (a refusal `{"error"}`): the schema says
    // which JSON type the result is, and no more (tool definitions cost context).
    let tool = |name: &'static str, description: &'static str, input: Value, result: &str| {
        let mut t = Tool::new(name, description, schema(input));
        t.annotations = Some(read_only());
        t.output_schema = Some(schema(
            json!({"type": "object", "properties": {"result": {"type": result}}}),
        ));
        t
    };
    vec![
        tool(
            "search",
            "Find symbols by words of name, path, signature or doc.",
            json!({"type": "object", "properties": {
                "text": {"type": "string"},
                "kind": {"type": "string", "description": "e.g. function, class"},
                "lang": {"type": "string"},
                "service": {"type": "string"},
                "path": {"type": "string", "description": "Directory prefix"},
                "limit": limit, "cursor": cursor
            }, "required": ["text"]}),
            "object"
        ),
        tool(
            "symbol",
            "Definitions of a symbol: signature, doc, snippet.",
            json!({"type": "object", "properties": {"symbol": symbol_arg(), "limit": limit, "cursor": cursor},
                "required": ["symbol"]}),
            "object"
        ),
        tool(
            "references",
            "References resolved to a symbol, with evidence.",
            json!({"type": "object", "properties": {
                "symbol": symbol_arg(),
                "by_name": {"type": "boolean", "description": "Every site of the name"},
                "limit": limit, "cursor": cursor
            }, "required": ["symbol"]}),
            "object"
        ),
        tool(
            "callers",
            "Who calls a symbol, as a tree, across services.",
            json!({"type": "object", "properties": {"symbol": symbol_arg(), "depth": depth, "tokens": tokens},
                "required": ["symbol"]}),
            "object"
        ),
        tool(
            "callees",
            "What a symbol calls, as a tree, across services.",
            json!({"type": "object", "properties": {"symbol": symbol_arg(), "depth": depth, "tokens": tokens},
                "required": ["symbol"]}),
            "object"
        ),
        tool(
            "outline",
            "Symbols of a file, nested.",
            json!({"type": "object", "properties": {"file": {"type": "string", "description": "Workspace path"}},
                "required": ["file"]}),
            "array"
        ),
        tool(
            "services",
            "Services and their dependencies over gRPC, HTTP and topics.",
            json!({"type": "object", "properties": {}}),
            "object"
        ),
        tool(
            "path",
            "Shortest call chain from one symbol to another.",
            json!({"type": "object", "properties": {"from": symbol_arg(), "to": symbol_arg()},
                "required": ["from", "to"]}),
            "object"
        ),
        tool(
            "impact",
            "What a diff (against the files on disk), a commit range or symbols break: impacted symbols across services, with paths, confidence, tests and risk.",
            json!({"type": "object", "properties": {
                "diff": {"type": "string", "description": "Unified diff, as `git diff` prints it"},
                "symbols": {"type": "array", "items": {"type": "string"}, "description": "Instead of a diff"},
                "range": {"type": "string", "description": "Commit range, e.g. main...HEAD"},
                "depth": {"type": "integer", "minimum": 1, "maximum": 8, "description": "Default 4"}
            }}),
            "object"
        ),
        tool(
            "map",
            "Most central symbols of a service or directory, within a token budget.",
            json!({"type": "object", "properties": {
                "scope": {"type": "string", "description": "Service or directory; default all"},
                "tokens": {"type": "integer", "minimum": 100, "maximum": 20000, "description": "Default 2000"}
            }}),
            "object"
        ),
        tool(
            "endpoints",
            "Endpoints (rpcs, routes, HTTP calls, topics) per service; `unmatched`: ones no link uses.",
            json!({"type": "object", "properties": {
                "service": {"type": "string"},
                "unmatched": {"type": "boolean"},
                "limit": limit, "cursor": cursor
            }}),
            "object",
        ),
        tool(
            "links",
            "Cross-service links: call site to handler, with evidence.",
            json!({"type": "object", "properties": {
                "from": {"type": "string", "description": "Calling service"},
                "to": {"type": "string", "description": "Answering service"},
                "limit": limit, "cursor": cursor
            }}),
            "object",
        ),
        tool(
            "hierarchy",
            "Supertypes and subtypes; for a member, what it overrides and overrides it.",
            json!({"type": "object", "properties": {"symbol": symbol_arg()},
                "required": ["symbol"]}),
            "object",
        ),
    ]
}

/// Arguments of a tool call as the request type the query layer takes.
fn args<T: DeserializeOwned>(params: &CallToolRequestParams) -> Result<T, Refusal> {
    let value = Value::Object(params.arguments.clone().unwrap_or_default());
    serde_json::from_value(value).map_err(|e| {
        Refusal::invalid(format!(
            "invalid arguments for `{}`: {e}; see the tool's input schema",
            params.name
        ))
    })
}

/// Answers one tool call; the result is `{"result": ..., "index": ...}`.
pub async fn answer(shared: &Shared, params: &CallToolRequestParams) -> Result<Value, Refusal> {
    fn value<T: serde::Serialize>(v: T) -> cartograph_query::Result<Value> {
        let mut v =
            serde_json::to_value(v).map_err(|e| cartograph_query::Error::Invalid(e.to_string()))?;
        round_floats(&mut v);
        Ok(v)
    }
    let result = match params.name.as_ref() {
        "search" => {
            let r: SearchRequest = args(params)?;
            shared.run(move |ws| value(ws.search_page(&r)?)).await?
        }
        "symbol" => {
            let r: SymbolRequest = args(params)?;
            shared.run(move |ws| value(ws.symbol(&r)?)).await?
        }
        "references" => {
            let r: ReferencesRequest = args(params)?;
            shared.run(move |ws| value(ws.references_page(&r)?)).await?
        }
        "callers" | "callees" => {
            let callers = params.name == "callers";
            let r: CallsRequest = args(params)?;
            shared.run(move |ws| value(ws.calls(&r, callers)?)).await?
        }
        "outline" => {
            let r: OutlineRequest = args(params)?;
            shared.run(move |ws| value(ws.outline_of(&r)?)).await?
        }
        "services" => {
            let _: std::collections::BTreeMap<String, Value> = args(params)?;
            shared.run(move |ws| value(ws.service_map()?)).await?
        }
        "path" => {
            let r: PathRequest = args(params)?;
            shared.run(move |ws| value(ws.path_between(&r)?)).await?
        }
        "impact" => {
            let r: crate::impact::ImpactCall = args(params)?;
            shared.run(move |ws| value(r.answer(ws)?)).await?
        }
        "endpoints" => {
            let r: EndpointsRequest = args(params)?;
            shared.run(move |ws| value(ws.endpoints_page(&r)?)).await?
        }
        "links" => {
            let r: LinksRequest = args(params)?;
            shared.run(move |ws| value(ws.links_page(&r)?)).await?
        }
        "hierarchy" => {
            let r: HierarchyRequest = args(params)?;
            shared.run(move |ws| value(ws.hierarchy_of(&r)?)).await?
        }
        "map" => {
            let r: MapRequest = args(params)?;
            shared.run(move |ws| value(ws.map(&r)?)).await?
        }
        other => {
            return Err(Refusal::invalid(format!(
                "no tool named `{other}`; `tools/list` lists them"
            )))
        }
    };
    Ok(json!({ "result": result, "index": shared.state() }))
}

/// Confidences and ranks are `f32`; shown as `f64` they carry noise digits
/// (0.8999999761581421) that cost an agent tokens.
fn round_floats(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(x) = n.as_f64() {
                let scale = if x.abs() < 0.01 { 1e6 } else { 1e4 };
                if let Some(r) = serde_json::Number::from_f64((x * scale).round() / scale) {
                    *n = r;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(round_floats),
        Value::Object(map) => map.values_mut().for_each(round_floats),
        _ => {}
    }
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl ServerHandler for Mcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("cartograph", env!("CARGO_PKG_VERSION")))
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.as_ref().clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if !self.tools.iter().any(|t| t.name == request.name) {
            return Err(ErrorData::invalid_params(
                format!("no tool named `{}`; `tools/list` lists them", request.name),
                None,
            ));
        }
        let result = match answer(&self.shared, &request).await {
            Ok(v) => {
                let mut r = CallToolResult::success(vec![ContentBlock::text(compact(&v))]);
                r.structured_content = Some(v);
                r
            }
            Err(refusal) => {
                let v = refusal.to_json();
                let mut r = CallToolResult::error(vec![ContentBlock::text(compact(&v))]);
                r.structured_content = Some(v);
                r
            }
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut resource = Resource::new(SERVICES_URI, "services")
            .with_description("The service map: services and their dependencies");
        resource.mime_type = Some(SERVICES_MIME.to_string());
        Ok(ListResourcesResult::with_all_items(vec![resource]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != SERVICES_URI {
            return Err(ErrorData::resource_not_found(
                format!(
                    "no resource `{}`; the one resource is {SERVICES_URI}",
                    request.uri
                ),
                None,
            ));
        }
        let map = self
            .shared
            .run(|ws| ws.service_map())
            .await
            .map_err(|r| ErrorData::internal_error(r.message, None))?;
        let text = serde_json::to_string(&map).unwrap_or_default();
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, SERVICES_URI).with_mime_type(SERVICES_MIME)
        ])
        .into())
    }
}
