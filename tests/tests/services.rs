//! Cross-service links on the mesh fixture: nine services in six languages talking
//! gRPC over one `.proto` and REST, with its ground truth in `expected-links.txt`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use cartograph_tests::{fixtures, run_in, Workspace};

fn indexed_mesh() -> Workspace {
    let ws = Workspace::fixture("mesh");
    ws.run(&["index", "."]).ok();
    ws
}

/// (links, service edges) of a fixture system's ground truth.
fn truth(system: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let text = std::fs::read_to_string(fixtures().join(system).join("expected-links.txt")).unwrap();
    let mut links = BTreeSet::new();
    let mut edges = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        match line.strip_prefix("edge ") {
            Some(edge) => edges.insert(edge.to_string()),
            None => links.insert(line.to_string()),
        };
    }
    (links, edges)
}

fn precision_recall(found: &BTreeSet<String>, truth: &BTreeSet<String>) -> (f64, f64) {
    let right = found.intersection(truth).count() as f64;
    (
        right / found.len().max(1) as f64,
        right / truth.len().max(1) as f64,
    )
}

#[test]
fn links_and_service_edges_match_the_ground_truth() {
    assert_matches_truth(&indexed_mesh(), "mesh");
}

/// C++ Thrift and gRPC services, with Thrift handlers and clients in Java, Go, Python
/// and JavaScript (`fixtures/bookstore/expected-links.txt` says which patterns).
#[test]
fn thrift_and_cpp_links_match_the_ground_truth() {
    let ws = Workspace::fixture("bookstore");
    ws.run(&["index", "."]).ok();
    assert_matches_truth(&ws, "bookstore");
    // Thrift links say so, and the service map names the protocol.
    let services = ws.run(&["services", "--json"]).json();
    let edge = services["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == "catalog" && e["to"] == "inventory")
        .unwrap();
    assert_eq!(edge["protocol"], "thrift", "{edge}");
    assert_eq!(edge["evidence"][0], "idl", "{edge}");
    // The in-class declaration of a method defined out of class answers nothing;
    // callers of a Thrift function reach its handlers and call sites.
    let callers = ws
        .run(&["callers", "CatalogHandler.GetBook"])
        .ok()
        .to_string();
    for caller in ["PricingServiceImpl.Quote", "ReviewHandler.ListReviews"] {
        assert!(callers.contains(caller), "{callers}");
    }
}

fn assert_matches_truth(ws: &Workspace, system: &str) {
    let (want_links, want_edges) = truth(system);
    let links: BTreeSet<String> = ws
        .run(&["links", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {}:{} -> {} {}:{} {}",
                l["from"]["service"].as_str().unwrap(),
                l["from"]["file"].as_str().unwrap(),
                l["from"]["line"],
                l["to"]["service"].as_str().unwrap(),
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"],
                l["endpoint"].as_str().unwrap()
            )
        })
        .collect();
    let edges = pairs_of(&ws.run(&["services", "--json"]).json(), "edges");
    let missing: Vec<_> = want_links.difference(&links).collect();
    let extra: Vec<_> = links.difference(&want_links).collect();
    assert_eq!(
        precision_recall(&links, &want_links),
        (1.0, 1.0),
        "missing: {missing:#?}\nextra: {extra:#?}"
    );
    assert_eq!(
        precision_recall(&edges, &want_edges),
        (1.0, 1.0),
        "{edges:#?}"
    );
}

#[test]
fn callers_cross_services_through_links() {
    let ws = indexed_mesh();
    let out = ws.run(&["callers", "CartServer.GetCart"]).ok().to_string();
    for caller in ["checkoutService.PlaceOrder", "showCart", "recommend"] {
        assert!(out.contains(caller), "{out}");
    }
    assert!(out.contains("[idl 0.95]"), "{out}");
    let json = ws.run(&["links", "--to", "cartservice", "--json"]).json();
    assert_eq!(json.as_array().unwrap().len(), 5, "{json}");
    assert_eq!(json[0]["evidence"], "idl");
    let unknown = ws.run(&["links", "--to", "nosuchservice"]);
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
}

#[test]
fn the_service_map_renders_as_mermaid_and_dot() {
    let ws = indexed_mesh();
    let mermaid = ws
        .run(&["services", "--format", "mermaid"])
        .ok()
        .to_string();
    // Fenced, ready to paste; coloured by protocol; a guess (a route matched without
    // a host) dashed; the broker a hexagon; calls nobody answers a dangling stub.
    assert!(mermaid.starts_with("```mermaid\ngraph LR\n"), "{mermaid}");
    assert!(mermaid.trim_end().ends_with("```"), "{mermaid}");
    assert!(
        mermaid.contains(
            "s_frontend -->|\"grpc: CartService/AddItem, CartService/GetCart\"| s_cartservice"
        ),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("s_frontend -.->|\"http: * /api/ads/**\"| s_gateway"),
        "{mermaid}"
    );
    assert!(mermaid.contains("s_kafka{{\"kafka\"}}"), "{mermaid}");
    assert!(mermaid.contains("linkStyle 2 stroke:#1f77b4"), "{mermaid}");
    assert!(
        mermaid.contains("-.->|\"1 unmatched call\"| s_currencyservice_unmatched"),
        "{mermaid}"
    );
    let map = ws.run(&["services", "--json"]).json();
    let ads = map["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code_name"] == "adservice")
        .unwrap();
    // docker-compose deploys it as `ads`, built from its directory: it is shown so.
    assert_eq!(ads["deployed_as"], serde_json::json!(["ads"]));
    assert_eq!(ads["name"], "ads");
    assert_eq!(ads["path"], "adservice");
    // Either name finds it.
    for name in ["ads", "adservice"] {
        let found = ws.run(&["endpoints", "--service", name, "--json"]).json();
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["service"] == "ads"),
            "{found}"
        );
        assert!(!found.as_array().unwrap().is_empty());
        let links = ws.run(&["links", "--to", name, "--json"]).json();
        assert!(links.as_array().unwrap().len() >= 4, "{links}");
        let hits = ws
            .run(&["search", "get ads", "--service", name, "--json"])
            .json();
        assert!(
            hits.as_array()
                .unwrap()
                .iter()
                .any(|h| h["service"] == "adservice"),
            "{hits}"
        );
    }
    let dot = ws.run(&["services", "--format", "dot"]).ok().to_string();
    assert!(
        dot.contains("s_checkoutservice -> s_paymentservice"),
        "{dot}"
    );
    assert!(
        dot.contains("s_kafka [label=\"kafka\", shape=hexagon];"),
        "{dot}"
    );
    assert!(dot.contains("style=dashed"), "{dot}");
    let endpoints = ws
        .run(&["endpoints", "--service", "shippingservice", "--json"])
        .json();
    let names: Vec<&str> = endpoints
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "http:GET /ads/{}",
            "topic:shipments",
            "http:GET /convert/USD/EUR",
            "http:GET /api/shipping/quote/{}",
            "grpc:mesh.v1.ShippingService/GetQuote",
            "grpc:mesh.v1.ShippingService/ShipOrder"
        ]
    );
}

#[test]
fn editing_a_handler_relinks_and_equals_a_rebuild() {
    let ws = indexed_mesh();
    let server = ws.root.join("cartservice/server/server.go");
    let text = std::fs::read_to_string(&server).unwrap();
    // The handler no longer answers GetCart: its callers lose their link.
    std::fs::write(&server, text.replace("GetCart(ctx", "FetchCart(ctx")).unwrap();
    let run = ws.run(&["index"]).ok().to_string();
    assert!(run.contains("1 changed"), "{run}");
    let to_cart = ws.run(&["links", "--to", "cartservice", "--json"]).json();
    let endpoints: BTreeSet<&str> = to_cart
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        BTreeSet::from([
            "grpc:mesh.v1.CartService/AddItem",
            "grpc:mesh.v1.CartService/EmptyCart"
        ])
    );
    let fresh = ws.tmp.path().join("fresh");
    run_in(
        &ws.root,
        &["--index", fresh.to_str().unwrap(), "index", "."],
    )
    .ok();
    let export = |dir: &std::path::Path| {
        run_in(&ws.root, &["--index", dir.to_str().unwrap(), "export"])
            .ok()
            .to_string()
    };
    assert_eq!(export(&ws.root.join(".cartograph")), export(&fresh));
}

/// `links --json` as lines: calling symbol -> endpoint, handler, evidence.
/// The dependency `from` → `to` of a `services --json` answer.
fn map_edge<'m>(map: &'m serde_json::Value, from: &str, to: &str) -> &'m serde_json::Value {
    map["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == from && e["to"] == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {map}"))
}

fn link_lines(ws: &Workspace) -> BTreeSet<String> {
    ws.run(&["links", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} -> {} {} {}",
                l["from"]["symbol"].as_str().unwrap(),
                l["endpoint"].as_str().unwrap(),
                l["to"]["symbol"].as_str().unwrap(),
                l["evidence"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn cartograph_toml_aliases_and_helm_values_name_the_services_urls_reach() {
    let ws = Workspace::empty();
    ws.write("cart/requirements.txt", "flask\n");
    ws.write(
        "cart/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/api/cart/<uid>\")\ndef get_cart(uid):\n    return {}\n\n@app.route(\"/api/totals\")\ndef totals():\n    return {}\n",
    );
    ws.write("web/package.json", "{\"name\": \"web\"}\n");
    ws.write(
        "web/src/index.js",
        "async function load(uid) {\n  return fetch(`http://cart.internal:8080/api/cart/${uid}`);\n}\n\nasync function sums() {\n  return fetch(`${process.env.TOTALS_URL}/api/totals`);\n}\n",
    );
    ws.run(&["index", "."]).ok();
    // An unknown host is a third party: no link; an unknown variable leaves a path
    // only, matched by route alone (low confidence).
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "javascript web src/index.js sums(). -> http:GET /api/totals python cart app.py totals(). route-template"
                .to_string()
        ])
    );

    ws.write(
        "cartograph.toml",
        "[[service]]\npath = \"cart\"\naliases = [\"cart.internal\"]\n",
    );
    ws.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    ws.write(
        "charts/web/values.yaml",
        "replicaCount: 2\nenv:\n  - name: TOTALS_URL\n    value: http://cart.internal:8080\n",
    );
    ws.run(&["index"]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "javascript web src/index.js load(). -> http:GET /api/cart/{} python cart app.py get_cart(). literal-url"
                .to_string(),
            "javascript web src/index.js sums(). -> http:GET /api/totals python cart app.py totals(). env-config".to_string(),
        ])
    );
}

#[test]
fn actix_routes_are_endpoints_other_services_link_to() {
    let ws = Workspace::empty();
    ws.write(
        "items/Cargo.toml",
        "[package]\nname = \"items\"\nversion = \"0.1.0\"\n",
    );
    ws.write(
        "items/src/main.rs",
        "use actix_web::{get, post, web, Responder};\n\n#[get(\"/api/items/{id}\")]\nasync fn item(path: web::Path<u32>) -> impl Responder { \"x\" }\n\n#[post(\"/api/items\")]\nasync fn create() -> impl Responder { \"y\" }\n\nasync fn user() -> impl Responder { \"u\" }\n\nfn config(cfg: &mut web::ServiceConfig) {\n    cfg.service(web::resource(\"/api/users/{id}\").route(web::get().to(user)));\n}\n",
    );
    ws.write("shop/requirements.txt", "requests\n");
    ws.write(
        "shop/client.py",
        "import requests\n\ndef fetch_item(item_id):\n    return requests.get(f\"http://items:8080/api/items/{item_id}\")\n\ndef add_item(body):\n    return requests.post(\"http://items:8080/api/items\", json=body)\n\ndef fetch_user(uid):\n    return requests.get(f\"http://items:8080/api/users/{uid}\")\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "python shop client.py add_item(). -> http:POST /api/items rust items src/main.rs create(). literal-url".to_string(),
            "python shop client.py fetch_item(). -> http:GET /api/items/{} rust items src/main.rs item(). literal-url".to_string(),
            "python shop client.py fetch_user(). -> http:GET /api/users/{} rust items src/main.rs user(). literal-url".to_string(),
        ])
    );
}

/// Java EE: a JAX-RS client chain (`target(url).path(..).path(..).request().put(..)`)
/// gives its path and method; a servlet container serves each application under its
/// context root and the servlet's mapping (`/tools.shop.registry/rest/services/..`),
/// so the call reaches `@Path("services")` of the application named so.
#[test]
fn jax_rs_client_chains_reach_routes_under_a_context_root() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| {
        format!("<project><modelVersion>4.0.0</modelVersion><artifactId>{artifact}</artifactId></project>\n")
    };
    ws.write("services/tools.shop.registry/pom.xml", pom("registry"));
    ws.write(
        "services/tools.shop.registry/src/main/java/shop/registry/RegistryREST.java",
        "package shop.registry;\n\n@Path(\"services\")\npublic class RegistryREST {\n    @PUT\n    @Path(\"{name}/{location}\")\n    public Response register(@PathParam(\"name\") String name, @PathParam(\"location\") String location) { return null; }\n\n    @DELETE\n    @Path(\"{name}/{location}\")\n    public Response unregister(@PathParam(\"name\") String name, @PathParam(\"location\") String location) { return null; }\n\n    @GET\n    @Path(\"{name}\")\n    public Response instances(@PathParam(\"name\") String name) { return null; }\n}\n",
    );
    ws.write("services/tools.shop.cart/pom.xml", pom("cart"));
    ws.write(
        "services/tools.shop.cart/src/main/java/shop/cart/Registration.java",
        "package shop.cart;\n\npublic class Registration {\n    private String registryURL = \"http://localhost:8080/tools.shop.registry/rest/services/\";\n\n    boolean register(String name, String location) {\n        Response r = client.target(registryURL).path(name)\n            .path(location).request(MediaType.APPLICATION_JSON).put(Entity.text(\"\"));\n        return r.getStatus() == 200;\n    }\n\n    void unregister(String name, String location) {\n        client.target(registryURL).path(name).path(location).request().delete();\n    }\n\n    void lookup(String name) {\n        client.target(registryURL).path(\"/\" + name + \"/\").request().get();\n    }\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let java = |file: &str, symbol: &str| format!("java {file} {symbol}");
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            format!(
                "{} -> http:PUT /services/{{}}/{{}} {} literal-url",
                java(
                    "cart src/main/java/shop/cart/Registration.java",
                    "Registration#register()."
                ),
                java(
                    "registry src/main/java/shop/registry/RegistryREST.java",
                    "RegistryREST#register()."
                )
            ),
            format!(
                "{} -> http:DELETE /services/{{}}/{{}} {} literal-url",
                java(
                    "cart src/main/java/shop/cart/Registration.java",
                    "Registration#unregister()."
                ),
                java(
                    "registry src/main/java/shop/registry/RegistryREST.java",
                    "RegistryREST#unregister()."
                )
            ),
            format!(
                "{} -> http:GET /services/{{}} {} literal-url",
                java(
                    "cart src/main/java/shop/cart/Registration.java",
                    "Registration#lookup()."
                ),
                java(
                    "registry src/main/java/shop/registry/RegistryREST.java",
                    "RegistryREST#instances()."
                )
            ),
        ])
    );
}

/// grpc-elixir: a module serving `use GRPC.Server, service: X.Greeter.Service`
/// answers the rpcs with its functions (`say_hello` for `SayHello`), and
/// `X.Greeter.Stub.say_hello(channel, request)` calls them.
#[test]
fn elixir_grpc_servers_and_stubs_link_through_the_proto() {
    let ws = Workspace::empty();
    ws.write(
        "proto/greeter.proto",
        "syntax = \"proto3\";\npackage helloworld;\n\nservice Greeter {\n  rpc SayHello (HelloRequest) returns (HelloReply);\n}\n\nmessage HelloRequest { string name = 1; }\nmessage HelloReply { string message = 1; }\n",
    );
    ws.write(
        "greeter/mix.exs",
        "defmodule Greeter.MixProject do\n  def project, do: [app: :greeter]\nend\n",
    );
    ws.write(
        "greeter/lib/greeter/server.ex",
        "defmodule Greeter.Server do\n  use GRPC.Server, service: Helloworld.Greeter.Service\n\n  def say_hello(request, _stream) do\n    Helloworld.HelloReply.new(message: \"Hello \" <> request.name)\n  end\n\n  defp unrelated, do: :ok\nend\n",
    );
    ws.write(
        "front/mix.exs",
        "defmodule Front.MixProject do\n  def project, do: [app: :front]\nend\n",
    );
    ws.write(
        "front/lib/front/greet.ex",
        "defmodule Front.Greet do\n  def greet(name) do\n    {:ok, channel} = GRPC.Stub.connect(\"greeter:50051\")\n    request = Helloworld.HelloRequest.new(name: name)\n    Helloworld.Greeter.Stub.say_hello(channel, request)\n  end\nend\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "elixir front lib/front/greet.ex Front/Greet/greet(). -> grpc:helloworld.Greeter/SayHello elixir greeter lib/greeter/server.ex Greeter/Server/say_hello(). idl".to_string(),
        ])
    );
}

#[test]
fn swift_grpc_servers_and_clients_link_through_the_proto() {
    let ws = Workspace::empty();
    ws.write(
        "proto/greeter.proto",
        "syntax = \"proto3\";\npackage shop.v1;\n\nservice Greeter {\n  rpc SayHello (HelloRequest) returns (HelloReply);\n}\n\nservice Farewell {\n  rpc SayBye (HelloRequest) returns (HelloReply);\n}\n\nmessage HelloRequest { string name = 1; }\nmessage HelloReply { string message = 1; }\n",
    );
    // grpc-swift 1: a provider; grpc-swift 2: a service protocol in the namespace.
    ws.write(
        "greeter/Package.swift",
        "let package = Package(name: \"greeter\")\n",
    );
    ws.write(
        "greeter/Sources/Greeter/GreeterProvider.swift",
        "import GRPC\n\nfinal class GreeterProvider: Shop_V1_GreeterAsyncProvider {\n    func sayHello(request: Shop_V1_HelloRequest, context: GRPCAsyncServerCallContext) async throws -> Shop_V1_HelloReply {\n        .with { $0.message = request.name }\n    }\n\n    func describe() -> String { \"greeter\" }\n}\n",
    );
    ws.write(
        "farewell/Package.swift",
        "let package = Package(name: \"farewell\")\n",
    );
    ws.write(
        "farewell/Sources/Farewell/Farewell.swift",
        "import GRPCCore\n\nstruct FarewellService: Shop_V1_Farewell.SimpleServiceProtocol {\n    func sayBye(request: Shop_V1_HelloRequest, context: ServerContext) async throws -> Shop_V1_HelloReply {\n        .with { $0.message = request.name }\n    }\n}\n",
    );
    ws.write(
        "front/Package.swift",
        "let package = Package(name: \"front\")\n",
    );
    ws.write(
        "front/Sources/Front/Greet.swift",
        "import GRPC\nimport GRPCCore\n\nfunc greet(name: String, channel: GRPCChannel) async throws -> String {\n    let greeter = Shop_V1_GreeterAsyncClient(channel: channel)\n    return try await greeter.sayHello(.with { $0.name = name }).message\n}\n\nfunc bye(name: String, client: GRPCClient) async throws -> String {\n    let farewell = Shop_V1_Farewell.Client(wrapping: client)\n    return try await farewell.sayBye(.with { $0.name = name }).message\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "swift front Sources/Front/Greet.swift bye(). -> grpc:shop.v1.Farewell/SayBye swift farewell Sources/Farewell/Farewell.swift FarewellService#sayBye(). idl".to_string(),
            "swift front Sources/Front/Greet.swift greet(). -> grpc:shop.v1.Greeter/SayHello swift greeter Sources/Greeter/GreeterProvider.swift GreeterProvider#sayHello(). idl".to_string(),
        ])
    );
}

#[test]
fn nats_rabbitmq_and_kafka_clients_link_publishers_to_subscribers() {
    let ws = Workspace::fixture("queues");
    ws.run(&["index", "."]).ok();
    let want = [
        // RabbitMQ through the default exchange: the routing key is the queue.
        "csharp Audit Audit.cs AuditTrail#Write(). -> topic:audit java ledger src/main/java/com/acme/ledger/Ledger.java Ledger#onAudit().",
        "java ledger src/main/java/com/acme/ledger/Ledger.java Ledger#requestEmail(). -> topic:emails javascript notifier index.js consumeEmails().",
        "javascript notifier index.js queueInvoice(). -> topic:invoices python billing worker.py consume_invoices().",
        "rust stock src/main.rs invoice(). -> topic:invoices python billing worker.py consume_invoices().",
        // A named exchange (held in a constant) reaches the queues bound to it.
        "go orders main.go charge(). -> topic:billing python billing worker.py bind_billing().",
        // NATS subjects, one publisher and four subscribers in four languages.
        "go orders main.go publishOrder(). -> topic:orders.created csharp Audit Audit.cs AuditTrail#Follow().",
        "go orders main.go publishOrder(). -> topic:orders.created java ledger src/main/java/com/acme/ledger/Ledger.java Ledger#follow().",
        "go orders main.go publishOrder(). -> topic:orders.created javascript notifier index.js followOrders().",
        "go orders main.go publishOrder(). -> topic:orders.created rust stock src/main.rs follow_orders().",
        "python billing worker.py paid(). -> topic:payments.done go orders main.go listen().",
        "rust stock src/main.rs low_stock(). -> topic:stock.low python billing worker.py watch_stock().",
        // Kafka from and to Rust.
        "rust stock src/main.rs stock_event(). -> topic:stock-events python billing worker.py stock_events().",
        "javascript notifier index.js askRestock(). -> topic:restock rust stock src/main.rs restock().",
    ];
    let want: BTreeSet<String> = want.iter().map(|l| format!("{l} topic-name")).collect();
    let found = link_lines(&ws);
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nextra: {extra:#?}"
    );
}

#[test]
fn django_include_serves_a_route_table_under_its_prefixes() {
    let ws = Workspace::empty();
    ws.write(
        "billing/requirements.txt",
        r#"django
"#,
    );
    ws.write(
        "billing/billing/urls.py",
        r#"from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("health/", include("health.urls")),
]
"#,
    );
    ws.write(
        "billing/api/urls.py",
        r#"from django.urls import include, path

from . import views

urlpatterns = [
    path("status/", views.status),
    path("invoices/", include("invoices.urls")),
]
"#,
    );
    ws.write(
        "billing/api/views.py",
        r#"def status(request):
    return None
"#,
    );
    ws.write(
        "billing/invoices/urls.py",
        r#"from django.urls import path

from . import views

urlpatterns = [
    path("<int:invoice_id>/", views.invoice_detail),
    path("<int:invoice_id>/pay/", views.InvoicePayView.as_view()),
]
"#,
    );
    ws.write(
        "billing/invoices/views.py",
        r#"from django.views import View


def invoice_detail(request, invoice_id):
    return None


class InvoicePayView(View):
    def post(self, request, invoice_id):
        return None
"#,
    );
    ws.write(
        "shop/package.json",
        r#"{ "name": "shop", "version": "1.0.0" }
"#,
    );
    ws.write(
        "shop/billing.js",
        r#"const BILLING = process.env.BILLING_URL || "http://billing:8000";

async function invoice(id) {
  return fetch(`${BILLING}/api/invoices/${id}/`);
}

async function pay(id) {
  return fetch(`${BILLING}/api/invoices/${id}/pay/`, { method: "POST" });
}

async function status() {
  return fetch(`${BILLING}/api/status/`);
}

async function wrong(id) {
  return fetch(`${BILLING}/invoices/${id}/`);
}

module.exports = { invoice, pay, status, wrong };
"#,
    );
    ws.run(&["index", "."]).ok();
    let links: BTreeSet<String> = ws
        .run(&["links", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} -> {} {}:{} {}",
                l["from"]["symbol"].as_str().unwrap(),
                l["endpoint"].as_str().unwrap(),
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"],
                l["to"]["symbol"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        links,
        BTreeSet::from([
            // Mounted twice over: billing/urls.py -> api/urls.py -> invoices/urls.py.
            // Declared in urls.py, answered by (and shown at) the view it names (a
            // class-based view by its class).
            "javascript shop billing.js invoice(). -> http:* /api/invoices/{} billing/invoices/views.py:4 python billing invoices/views.py invoice_detail().".to_string(),
            "javascript shop billing.js pay(). -> http:* /api/invoices/{}/pay billing/invoices/views.py:8 python billing invoices/views.py InvoicePayView#".to_string(),
            "javascript shop billing.js status(). -> http:* /api/status billing/api/views.py:1 python billing api/views.py status().".to_string(),
            // `wrong` calls /invoices/{} without the prefix: no route answers it.
        ])
    );
    // The view's callers include the call site in the other service.
    let callers = ws.run(&["callers", "invoice_detail"]).ok().to_string();
    assert!(callers.contains("shop/billing.js"), "{callers}");
}

/// `services --json` edges as `from -> to protocol [evidence]` lines.
/// Each link as `from_file:line -> to_file:line` and what `extra` reads from it.
fn link_places(ws: &Workspace, extra: impl Fn(&serde_json::Value) -> String) -> BTreeSet<String> {
    ws.run(&["links", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{} -> {}:{} {}",
                l["from"]["file"].as_str().unwrap(),
                l["from"]["line"],
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"],
                extra(l)
            )
        })
        .collect()
}

/// The services `services --json` shows as gateways.
fn gateway_names(ws: &Workspace) -> BTreeSet<String> {
    ws.run(&["services", "--json"]).json()["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "gateway")
        .filter_map(|s| s["name"].as_str().map(String::from))
        .collect()
}

/// The service map's services, as `name kind path` lines (`service` for a kind).
fn service_lines(ws: &Workspace) -> BTreeSet<String> {
    ws.run(&["services", "--json"]).json()["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s["name"].as_str().unwrap(),
                s["kind"].as_str().unwrap_or("service"),
                s["path"].as_str().unwrap()
            )
        })
        .collect()
}

/// The `from -> to` pairs of a service map's `edges` or `entries`.
fn pairs_of(map: &serde_json::Value, key: &str) -> BTreeSet<String> {
    map[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} -> {}",
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect()
}

fn edge_lines(ws: &Workspace) -> BTreeSet<String> {
    ws.run(&["services", "--json"]).json()["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} -> {} {} {}",
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["protocol"].as_str().unwrap(),
                e["evidence"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect()
}

#[test]
fn spring_services_are_called_by_their_application_names_and_gateway_routes() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    // A service known to discovery by `spring.application.name`, not its artifact.
    ws.write("petshop-owners/pom.xml", pom("petshop-owners"));
    ws.write(
        "petshop-owners/src/main/resources/application.yml",
        "spring:\n  application:\n    name: owners-service\n---\nspring:\n  config:\n    activate:\n      on-profile: docker\n",
    );
    ws.write(
        "petshop-owners/src/main/java/shop/OwnerResource.java",
        "package shop;\n\n@RestController\n@RequestMapping(\"/owners\")\nclass OwnerResource {\n    @GetMapping(\"/{ownerId}\")\n    public Owner find(int ownerId) { return null; }\n}\n",
    );
    ws.write("petshop-visits/pom.xml", pom("petshop-visits"));
    ws.write(
        "petshop-visits/src/main/resources/application.properties",
        "spring.application.name=visits-service\nserver.port=8082\n",
    );
    ws.write(
        "petshop-visits/src/main/java/shop/VisitResource.java",
        "package shop;\n\n@RestController\nclass VisitResource {\n    @GetMapping(\"/visits\")\n    public List<Visit> all() { return null; }\n}\n",
    );
    // A gateway: routes in configuration, and a client in code reaching the owners
    // by their discovery name.
    ws.write("petshop-gateway/pom.xml", pom("petshop-gateway"));
    ws.write(
        "petshop-gateway/src/main/resources/application.yml",
        "spring:\n  application:\n    name: api-gateway\n  cloud:\n    gateway:\n      routes:\n        - id: visits\n          uri: lb://visits-service\n          predicates:\n            - Path=/api/visit/**\n",
    );
    ws.write(
        "petshop-gateway/src/main/java/shop/OwnersClient.java",
        "package shop;\n\nclass OwnersClient {\n    private final WebClient.Builder web;\n\n    Mono<Owner> owner(int id) {\n        return web.build().get()\n            .uri(\"http://owners-service/owners/{ownerId}\", id)\n            .retrieve()\n            .bodyToMono(Owner.class);\n    }\n}\n",
    );
    // Zuul routes in a properties file.
    ws.write("edge/pom.xml", pom("edge"));
    ws.write(
        "edge/src/main/resources/bootstrap.properties",
        "zuul.routes.owners.path=/owners/**\nzuul.routes.owners.serviceId=owners-service\n",
    );
    ws.write(
        "edge/src/main/java/edge/EdgeApplication.java",
        "package edge;\n\n@EnableZuulProxy\npublic class EdgeApplication {\n    public static void main(String[] args) {}\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "api-gateway -> owners-service http literal-url".to_string(),
            "api-gateway -> visits-service http env-config".to_string(),
            "edge -> owners-service http env-config".to_string(),
        ])
    );
    let map = ws.run(&["services", "--json"]).json();
    assert_eq!(
        map_edge(&map, "api-gateway", "visits-service")["endpoints"][0],
        "http:* /api/visit/**"
    );
}

#[test]
fn spring_cloud_config_repositories_configure_the_services_they_name() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    // Three services whose routes and addresses a config server serves from a git
    // repository: their own modules name them and nothing else.
    for (dir, file, text) in [
        ("edge", "bootstrap.yml", "spring:\n  application:\n    name: edge\n  cloud:\n    config:\n      uri: http://localhost:8888\n"),
        ("auth", "bootstrap.yml", "spring:\n  application:\n    name: auth-server\n"),
        ("accounts", "bootstrap.properties", "spring.application.name=accounts\n"),
    ] {
        ws.write(&format!("{dir}/pom.xml"), pom(dir));
        ws.write(&format!("{dir}/src/main/resources/{file}"), text);
    }
    ws.write(
        "accounts/src/main/java/shop/Accounts.java",
        "package shop;\n\n@RestController\nclass Accounts {\n    @GetMapping(\"/accounts/{id}\")\n    public Account find(String id) { return null; }\n}\n",
    );
    ws.write("config/pom.xml", pom("config"));
    ws.write(
        "config/src/main/resources/application.yml",
        "server:\n  port: 8888\nspring:\n  cloud:\n    config:\n      server:\n        git:\n          uri: https://github.com/acme/shop-config.git\n",
    );
    ws.run(&["index", "."]).ok();
    // Without the repository the map says what it lacks.
    let map = ws.run(&["services", "--json"]).json();
    assert_eq!(
        map["not_indexed"][0]["source"],
        "https://github.com/acme/shop-config.git"
    );
    assert_eq!(map["not_indexed"][0]["service"], "config");
    assert!(!edge_lines(&ws)
        .iter()
        .any(|e| e.starts_with("edge -> accounts")));
    let text = ws.run(&["services"]).stdout;
    assert!(text.contains("not indexed (1):"), "{text}");

    // The repository beside them: `{application}.yml`, `{application}-{profile}`,
    // and `application.yml` for every application.
    ws.write(
        "shop-config/edge.yml",
        "auth:\n  host: localhost\n  port: 9999\nzuul:\n  prefix: /api\n  routes:\n    accounts: /accounts/**\n    login:\n      path: /login/**\n      url: http://${auth.host}:${auth.port}/uaa\n",
    );
    ws.write("shop-config/auth-server.yml", "server:\n  port: 9999\n");
    ws.write(
        "shop-config/accounts-docker.properties",
        "security.oauth2.resource.userInfoUri=http://auth-server:9999/uaa/user\n",
    );
    ws.write("shop-config/application.yml", "management:\n  port: 9000\n");
    // Named after a service, but no Spring configuration: a CI workflow, an API spec.
    ws.write(
        ".github/workflows/accounts.yml",
        "server:\n  url: http://edge/api\n",
    );
    ws.write(
        "docs/accounts.yaml",
        "openapi: 3.0.0\nservers:\n  - url: http://edge/api\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "accounts -> auth-server http env-config".to_string(),
            "edge -> accounts http env-config".to_string(),
            "edge -> auth-server http env-config".to_string(),
            "edge -> config http env-config".to_string(),
        ])
    );
    let map = ws.run(&["services", "--json"]).json();
    assert_eq!(map["not_indexed"], serde_json::json!([]));
    let names: Vec<&str> = map["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["accounts", "auth-server", "config", "edge"]);
    assert_eq!(
        map_edge(&map, "edge", "accounts")["endpoints"][0],
        "http:* /api/accounts/**"
    );
}

#[test]
fn calls_through_a_gateway_reach_the_handler_it_forwards_to() {
    let ws = Workspace::empty();
    // The cart serves `/items/:id`; an nginx gateway forwards `/api/cart/` to it,
    // prefix replaced by the proxied URL's path.
    ws.write("cart/Dockerfile", "FROM node:20\nCOPY . .\n");
    ws.write(
        "cart/server.js",
        "app.get('/items/:id', (req, res) => res.send('ok'));\napp.get('/health', (req, res) => res.send('ok'));\n",
    );
    ws.write("web/Dockerfile", "FROM nginx\nENV CART_HOST=cart\n");
    ws.write(
        "web/default.conf.template",
        "server {\n    location /api/cart/ {\n        proxy_pass http://${CART_HOST}:8080/;\n    }\n}\n",
    );
    // A load generator: relative calls on its client, its target from the command
    // line its entrypoint script runs.
    ws.write(
        "load/Dockerfile",
        "FROM python:3.12\nENV HOST=http://web:8080\nCOPY . .\nCMD [\"./entrypoint.sh\"]\n",
    );
    ws.write(
        "load/entrypoint.sh",
        "#!/bin/sh\n# --host http://not-this\nlocust -f locustfile.py --host \"$HOST\" --headless\n",
    );
    ws.write("load/requirements.txt", "locust\n");
    ws.write(
        "load/locustfile.py",
        "from locust import HttpUser, task\n\nclass Shopper(HttpUser):\n    @task\n    def browse(self):\n        self.client.get('/api/cart/items/{}'.format(7))\n        self.client.get('/api/other/x')\n",
    );
    // A server bound to an address with `--host`: no base URL.
    ws.write(
        "admin/Dockerfile",
        "FROM python:3.12\nCMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\"]\n",
    );
    ws.write(
        "admin/app.py",
        "import requests\n\ndef sync():\n    return requests.get('/api/cart/items/1')\n",
    );
    ws.run(&["index", "."]).ok();
    let links = ws.run(&["links", "--json"]).json();
    let from_load: Vec<&serde_json::Value> = links
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["from"]["service"] == "load")
        .collect();
    assert_eq!(from_load.len(), 1, "{links:#}");
    let link = from_load[0];
    assert_eq!(link["to"]["file"], "cart/server.js");
    assert_eq!(link["to"]["line"], 1);
    assert_eq!(link["evidence"], "gateway");
    assert_eq!(link["via"], "web");
    // Without a base URL the gateway's prefix alone finds it, less surely.
    let from_admin: Vec<&serde_json::Value> = links
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["from"]["service"] == "admin")
        .collect();
    assert_eq!(from_admin.len(), 1, "{links:#}");
    assert!(from_admin[0]["confidence"].as_f64().unwrap() < link["confidence"].as_f64().unwrap());
    // The caller depends on the gateway, the gateway on the cart.
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "admin -> web http gateway".to_string(),
            // `/api/other/x` names the gateway too, and no route of it forwards.
            "load -> web http env-config,gateway".to_string(),
            "web -> cart http env-config".to_string(),
        ])
    );
}

#[test]
fn proxy_configurations_and_image_defaults_make_gateway_edges() {
    let ws = Workspace::empty();
    // Two services with code, in directories with a Dockerfile and no manifest.
    for (dir, route) in [("catalogue", "/product/:sku"), ("cart", "/cart/:id")] {
        ws.write(&format!("{dir}/Dockerfile"), "FROM node:20\nCOPY . .\n");
        ws.write(
            &format!("{dir}/server.js"),
            format!("app.get('{route}', (req, res) => res.send('ok'));\n"),
        );
    }
    // The cart calls the catalogue through a library the extractor does not know,
    // at an address built from an env variable with a default.
    ws.write(
        "cart/client.js",
        "var catalogueHost = process.env.CATALOGUE_HOST || 'catalogue';\nfunction product(sku, cb) {\n  request('http://' + catalogueHost + ':8080/product/' + sku, cb);\n}\n",
    );
    // An nginx gateway: its image sets the hosts, its template forwards to them.
    ws.write(
        "web/Dockerfile",
        "FROM nginx\nENV CATALOGUE_HOST=catalogue \\\n    CART_HOST=cart\nCOPY default.conf.template /etc/nginx/\n",
    );
    ws.write("web/static/app.js", "function start() { return 1; }\n");
    ws.write(
        "web/default.conf.template",
        "upstream carts {\n    server ${CART_HOST}:8080;\n}\nserver {\n    listen 8080;\n    location / {\n        root /usr/share/nginx/html;\n    }\n    location /api/catalogue/ {\n        proxy_pass http://${CATALOGUE_HOST}:8080/;\n    }\n    location /api/cart/ {\n        proxy_pass http://carts/;\n    }\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "cart -> catalogue http literal-url".to_string(),
            "web -> cart http env-config".to_string(),
            "web -> catalogue http env-config".to_string(),
        ])
    );
    let map = ws.run(&["services", "--json"]).json();
    assert_eq!(
        map_edge(&map, "web", "cart")["endpoints"][0],
        "http:* /api/cart/"
    );
}

#[test]
fn configuration_entries_and_deployment_variants_reach_the_service() {
    let ws = Workspace::empty();
    ws.write("frontend/requirements.txt", "flask\nrequests\n");
    ws.write(
        "frontend/frontend.py",
        "import os\nimport requests\n\ndef create_app(app):\n    app.config[\"BALANCES_URI\"] = 'http://{}/balances'.format(\n        os.environ.get('BALANCES_API_ADDR'))\n\n    def home(account):\n        return fetch_all(url=f'{app.config[\"BALANCES_URI\"]}/{account}')\n    return home\n",
    );
    ws.write("balances/requirements.txt", "flask\n");
    ws.write(
        "balances/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/balances/<account>\")\ndef balance(account):\n    return {}\n",
    );
    let deployment = |name: &str| {
        format!("kind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - envFrom:\n            - configMapRef:\n                name: api-config\n")
    };
    let config = |addr: &str| {
        format!("kind: ConfigMap\nmetadata:\n  name: api-config\ndata:\n  BALANCES_API_ADDR: \"{addr}\"\n")
    };
    ws.write("k8s/frontend.yaml", deployment("frontend"));
    ws.write("k8s/balances.yaml", deployment("balances"));
    ws.write("k8s/config.yaml", config("balances:8080"));
    // A variant of the same deployment pointing at a host outside the workspace.
    ws.write("variants/monolith/frontend.yaml", deployment("frontend"));
    ws.write(
        "variants/monolith/config.yaml",
        config("monolith.internal:8080"),
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["frontend -> balances http env-config".to_string()])
    );
}

#[test]
fn calls_made_by_tests_are_no_service_dependencies() {
    let ws = Workspace::empty();
    ws.write(
        "orders/pom.xml",
        "<project><artifactId>orders</artifactId></project>\n",
    );
    ws.write(
        "orders/src/main/java/shop/OrderService.java",
        "package shop;\n\nclass OrderService {\n    void placed(Order o) {\n        kafkaTemplate.send(\"order\", o);\n    }\n}\n",
    );
    ws.write(
        "shipping/pom.xml",
        "<project><artifactId>shipping</artifactId></project>\n",
    );
    ws.write(
        "shipping/src/main/java/shop/OrderListener.java",
        "package shop;\n\nclass OrderListener {\n    @KafkaListener(topics = \"order\")\n    public void order(Order o) {}\n}\n",
    );
    // The shipping service's test publishes an order itself; the orders service's
    // test listens to check what it sent.
    ws.write(
        "shipping/src/test/java/shop/ShipmentKafkaTest.java",
        "package shop;\n\nclass ShipmentKafkaTest {\n    void ordersAreReceived() {\n        kafkaTemplate.send(\"order\", new Order());\n    }\n}\n",
    );
    ws.write(
        "orders/src/test/java/shop/ListenerBean.java",
        "package shop;\n\nclass ListenerBean {\n    @KafkaListener(topics = \"order\")\n    public void listen(Order o) {}\n}\n",
    );
    // Test projects with their own manifests and images are no services either.
    ws.write(
        "orders/test/Dockerfile",
        "FROM python:3\nENV TARGET=orders\n",
    );
    ws.write(
        "orders/test/api_test.py",
        "import requests\n\ndef test_orders():\n    requests.get('http://shipping/health')\n",
    );
    ws.write(
        "Shop.Tests/Shop.Tests.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>\n",
    );
    ws.write(
        "Shop.Tests/OrderTests.cs",
        "class OrderTests { void Places() {} }\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["orders -> shipping topic topic-name".to_string()])
    );
    let names: BTreeSet<String> = ws.run(&["services", "--json"]).json()["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("test") || n.contains("Tests")),
        "{names:?}"
    );
}

#[test]
fn a_feign_client_reaches_a_route_at_the_root_of_the_service_it_names() {
    let ws = Workspace::empty();
    ws.write(
        "service-b/pom.xml",
        "<project><artifactId>service-b</artifactId></project>\n",
    );
    ws.write(
        "service-b/src/main/java/b/RootController.java",
        "package b;\n\n@RestController\nclass RootController {\n    @RequestMapping(value = \"/\", method = RequestMethod.GET)\n    public String root() { return \"b\"; }\n}\n",
    );
    ws.write(
        "service-a/pom.xml",
        "<project><artifactId>service-a</artifactId></project>\n",
    );
    ws.write(
        "service-a/src/main/java/a/ServiceBClient.java",
        "package a;\n\n@FeignClient(name = \"service-b\")\npublic interface ServiceBClient {\n    @RequestMapping(value = \"/\", method = RequestMethod.GET)\n    String printServiceB();\n}\n",
    );
    // A call to `/` with no service named reaches nothing.
    ws.write("web/package.json", "{\"name\": \"web\"}\n");
    ws.write("web/index.js", "function home() { return fetch('/'); }\n");
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["service-a -> service-b http literal-url".to_string()])
    );
}

#[test]
fn brokers_and_datastores_are_nodes_with_the_services_that_use_them() {
    let ws = Workspace::empty();
    ws.write("payment/requirements.txt", "pika\n");
    ws.write(
        "payment/payment.py",
        "import os\nimport pika\n\nHOST = os.getenv('AMQP_HOST', 'rabbitmq')\n\ndef publish(order):\n    return pika.BlockingConnection(pika.ConnectionParameters(HOST))\n",
    );
    ws.write(
        "carts/pom.xml",
        "<project><artifactId>carts</artifactId></project>\n",
    );
    ws.write(
        "carts/src/main/java/shop/Carts.java",
        "package shop;\n\nclass Carts {\n    void add() {}\n}\n",
    );
    ws.write(
        "carts/src/main/resources/application.properties",
        "spring.application.name=carts\nspring.data.mongodb.uri=mongodb://carts-db:27017/data\n",
    );
    ws.write("dispatch/go.mod", "module dispatch\n");
    ws.write("dispatch/main.go", "package main\n\nfunc main() {}\n");
    ws.write(
        "docker-compose.yml",
        "services:\n  rabbitmq:\n    image: rabbitmq:3.7-management-alpine\n  carts-db:\n    image: mongo:5\n  payment:\n    build: ./payment\n    environment:\n      - AMQP_HOST=rabbitmq\n  carts:\n    build: ./carts\n  dispatch:\n    build: ./dispatch\n    depends_on:\n      - rabbitmq\n",
    );
    ws.run(&["index", "."]).ok();
    let map = ws.run(&["services", "--json"]).json();
    let kinds: BTreeSet<String> = map["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"].is_string())
        .map(|s| {
            format!(
                "{} {} {}",
                s["name"].as_str().unwrap(),
                s["kind"].as_str().unwrap(),
                s["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "carts-db datastore docker-compose.yml#carts-db".to_string(),
            "rabbitmq broker docker-compose.yml#rabbitmq".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "carts -> carts-db mongodb env-config".to_string(),
            "dispatch -> rabbitmq rabbitmq manifest".to_string(),
            "payment -> rabbitmq rabbitmq env-config".to_string(),
        ])
    );
}

#[test]
fn directories_with_only_an_image_are_services_and_database_images_are_datastores() {
    let ws = Workspace::empty();
    // A gateway that is only an Apache configuration and a Dockerfile.
    ws.write(
        "docker/apache/Dockerfile",
        "FROM httpd:2.4\nCOPY 000-default.conf /etc/apache2/sites-enabled/\n",
    );
    ws.write(
        "docker/apache/000-default.conf",
        "<VirtualHost *:80>\n  ProxyPass /order http://order:8080/\n</VirtualHost>\n",
    );
    // A database image: the official one plus init scripts, built by compose.
    ws.write(
        "docker/postgres/Dockerfile",
        "FROM postgres:12.2\nCOPY init.sh /docker-entrypoint-initdb.d/\n",
    );
    ws.write("docker/postgres/init.sh", "createdb orders\n");
    // A service whose image is built from a packaging folder inside it, whose
    // datastore host is a Spring placeholder's default.
    ws.write(
        "order/pom.xml",
        "<project><artifactId>order</artifactId></project>\n",
    );
    ws.write(
        "order/src/main/java/shop/Order.java",
        "package shop;\n\nclass Order {\n    void place() {}\n}\n",
    );
    ws.write(
        "order/src/main/resources/application.properties",
        "spring.application.name=order\nspring.datasource.url=jdbc:postgresql://${DB_HOST:postgres}/orders\nspring.data.mongodb.uri=mongodb://${MONGO:order-cache}:27017/x\n",
    );
    ws.write(
        "order/docker/order/Dockerfile",
        "FROM eclipse-temurin:17\nCOPY target/order.jar /app.jar\n",
    );
    ws.write("order/docker/order-cache/Dockerfile", "FROM mongo:5\n");
    ws.write(
        "docker/docker-compose.yml",
        "services:\n  apache:\n    build: apache\n  postgres:\n    build: postgres\n  order:\n    build:\n      context: ../order\n      dockerfile: docker/order/Dockerfile\n  order-cache:\n    build: ../order/docker/order-cache\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        service_lines(&ws),
        BTreeSet::from([
            "apache service docker/apache".to_string(),
            "order service order".to_string(),
            "order-cache datastore order/docker/order-cache".to_string(),
            "postgres datastore docker/postgres".to_string(),
        ]),
        "the folder `order` packages its image in is no service; the database image beside it is"
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "apache -> order http env-config".to_string(),
            "order -> order-cache mongodb env-config".to_string(),
            "order -> postgres postgres env-config".to_string(),
        ])
    );
}

#[test]
fn urls_from_a_config_module_reach_mux_spring_and_jax_rs_routes() {
    let ws = Workspace::empty();
    // The addresses live in one module; the calls are made in others, through any
    // function (a wrapper, `request`), by member of the imported module.
    ws.write("front/package.json", r#"{"name": "front"}"#);
    ws.write(
        "front/api/endpoints.js",
        "var util = require('util');\nvar domain = \"\";\nmodule.exports = {\n  cartsUrl: util.format(\"http://carts%s/carts\", domain),\n  customersUrl: \"http://users/customers\",\n  ordersUrl: process.env.ORDERS_URL || \"http://orders:8080\",\n};\n",
    );
    ws.write(
        "front/api/cart.js",
        "const endpoints = require('./endpoints');\nconst helpers = require('../helpers');\n\nfunction items(custId, res, next) {\n  helpers.simpleHttpRequest(endpoints.cartsUrl + \"/\" + custId + \"/items\", res, next);\n}\n\nfunction customer(id, cb) {\n  request(endpoints.customersUrl + \"/\" + id, cb);\n}\n\nfunction order(id, cb) {\n  request(endpoints.ordersUrl + \"/orders/\" + id, cb);\n}\n\nfunction notAUrl(cb) {\n  log(endpoints.cartsTitle);\n}\n",
    );
    // A Go service with gorilla/mux chains, whose directory is known only by the
    // compose file that builds it.
    ws.write(
        "users/transport.go",
        "package users\n\nfunc MakeHandler(r *mux.Router) {\n\tr.Methods(\"GET\").PathPrefix(\"/customers\").Handler(customers)\n\tr.Path(\"/login\").Methods(\"POST\").Handler(login)\n}\n",
    );
    // Spring: the class prefix as `path =`, a method mapping without a path.
    ws.write(
        "carts/pom.xml",
        "<project><artifactId>carts</artifactId></project>\n",
    );
    ws.write(
        "carts/src/main/java/shop/ItemsController.java",
        "package shop;\n\n@RestController\n@RequestMapping(value = \"/carts/{customerId:.*}/items\")\nclass ItemsController {\n    @RequestMapping(produces = \"application/json\", method = RequestMethod.GET)\n    public List<Item> getItems(String customerId) { return null; }\n\n    @RequestMapping(value = \"/{itemId}\", method = RequestMethod.DELETE)\n    public void removeItem(String customerId, String itemId) {}\n}\n",
    );
    // JAX-RS.
    ws.write(
        "orders/pom.xml",
        "<project><artifactId>orders</artifactId></project>\n",
    );
    ws.write(
        "orders/src/main/java/shop/OrdersResource.java",
        "package shop;\n\n@Path(\"/orders\")\npublic class OrdersResource {\n    @GET\n    @Path(\"{id}\")\n    public Order get(@PathParam(\"id\") String id) { return null; }\n\n    @POST\n    public Order create(Order o) { return o; }\n}\n",
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  users:\n    build: ./users\n  carts:\n    build: ./carts\n  orders:\n    build: ./orders\n  front:\n    build: ./front\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "javascript front api/cart.js customer(). -> http:GET /customers/** go users transport.go MakeHandler(). literal-url".to_string(),
            "javascript front api/cart.js items(). -> http:GET /carts/{}/items java carts src/main/java/shop/ItemsController.java ItemsController#getItems(). literal-url".to_string(),
            "javascript front api/cart.js order(). -> http:GET /orders/{} java orders src/main/java/shop/OrdersResource.java OrdersResource#get(). literal-url".to_string(),
        ])
    );
    let endpoints = ws
        .run(&["endpoints", "--service", "orders"])
        .ok()
        .to_string();
    assert!(endpoints.contains("http:POST /orders "), "{endpoints}");
    let login = ws
        .run(&["endpoints", "--service", "users"])
        .ok()
        .to_string();
    assert!(login.contains("http:POST /login"), "{login}");
}

#[test]
fn a_call_naming_a_service_is_a_dependency_even_without_a_route_to_answer_it() {
    let ws = Workspace::empty();
    ws.write("front/package.json", r#"{"name": "front"}"#);
    ws.write(
        "front/index.js",
        "function pay(id) {\n  return fetch(`http://payment/paymentAuth/${id}`, { method: \"POST\" });\n}\n",
    );
    // The payment service's routes are registered in a way no pattern reads.
    ws.write("payment/go.mod", "module payment\n");
    ws.write(
        "payment/main.go",
        "package main\n\nfunc main() { serve(routes()) }\n",
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  payment:\n    build: ./payment\n  front:\n    build: ./front\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["front -> payment http literal-url".to_string()])
    );
    let map = ws.run(&["services", "--json"]).json();
    let edge = &map["edges"][0];
    assert!(edge["confidence"].as_f64().unwrap() < 0.7, "{edge}");
    // The call is still reported as answered by no handler.
    let unmatched = ws.run(&["endpoints", "--unmatched"]).ok().to_string();
    assert!(
        unmatched.contains("http:POST /paymentAuth/{}"),
        "{unmatched}"
    );
}

#[test]
fn services_run_side_by_side_are_reached_by_their_ports_and_injected_configuration() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    ws.write("product-service/pom.xml", pom("product-service"));
    ws.write(
        "product-service/src/main/resources/application.yml",
        "server:\n  port: 11081\n",
    );
    ws.write(
        "product-service/src/main/java/shop/ProductController.java",
        "package shop;\n\n@RestController\nclass ProductController {\n    @GetMapping(\"/products/{seoName}\")\n    Product product(String seoName) { return null; }\n}\n",
    );
    ws.write("cart-service/pom.xml", pom("cart-service"));
    ws.write(
        "cart-service/src/main/resources/application.properties",
        "server.port=${PORT:11082}\nservice.product.url=http://localhost:11081\n",
    );
    // The URL is injected from configuration into a field.
    ws.write(
        "cart-service/src/main/java/shop/CartService.java",
        "package shop;\n\n@Service\nclass CartService {\n    @Value(\"${service.product.url}\")\n    private String productServiceURL;\n\n    Product add(String seoName) {\n        return restTemplate.getForObject(productServiceURL + \"/products/\" + seoName, Product.class);\n    }\n}\n",
    );
    // A front proxy's configuration alone in its directory, forwarding by port.
    ws.write(
        "apache-configuration/httpd-shop.conf",
        "Define CART_ROUTE \"/cart\"\nProxyPass \"${CART_ROUTE}\" \"http://localhost:11082\"\nProxyPass \"/products\" \"http://127.0.0.1:11081/products\"\nProxyPass \"/other\" \"http://localhost:9999\"\n",
    );
    // A browser app calls the host that served it, at a port.
    ws.write("web-app/package.json", r#"{"name": "web-app"}"#);
    ws.write(
        "web-app/src/products.ts",
        "export function product(name: string) {\n  return this.http.get<Product>('http://' + window.location.hostname + ':11081/products/' + name);\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "web-app -> product-service http literal-url".to_string(),
            "apache-configuration -> cart-service http env-config".to_string(),
            "apache-configuration -> product-service http env-config".to_string(),
            "cart-service -> product-service http env-config".to_string(),
        ])
    );
}

#[test]
fn values_reach_calls_through_locals_injected_parameters_and_class_attributes() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    for (name, route) in [
        ("recommendations", "/recommendation"),
        ("reviews", "/review"),
        ("balances", "/balances/{id}"),
    ] {
        ws.write(&format!("{name}/pom.xml"), pom(name));
        ws.write(
            &format!("{name}/src/main/java/shop/Api.java"),
            format!("package shop;\n\n@RestController\nclass Api {{\n    @GetMapping(\"{route}\")\n    String get() {{ return null; }}\n}}\n"),
        );
    }
    ws.write("composite/pom.xml", pom("composite"));
    // Two methods each with their own local `url`.
    ws.write(
        "composite/src/main/java/shop/Integration.java",
        "package shop;\n\nclass Integration {\n    String recommendations(int id) {\n        String url = \"http://recommendations/recommendation?productId=\" + id;\n        return restTemplate.getForEntity(url, String.class).getBody();\n    }\n\n    String reviews(int id) {\n        String url = \"http://reviews/review?productId=\" + id;\n        return restTemplate.getForEntity(url, String.class).getBody();\n    }\n}\n",
    );
    // A constructor parameter Spring fills, with a placeholder inside the URL; the
    // call through `exchange` and Apache HttpClient.
    ws.write("writer/pom.xml", pom("writer"));
    ws.write(
        "writer/src/main/java/shop/Writer.java",
        "package shop;\n\nclass Writer {\n    private String balancesApiUri;\n\n    Writer(@Value(\"http://${BALANCES_API_ADDR}/balances\") String balancesApiUri) {\n        this.balancesApiUri = balancesApiUri;\n    }\n\n    int balance(String acct) {\n        String uri = balancesApiUri + \"/\" + acct;\n        return restTemplate.exchange(uri, HttpMethod.GET, entity, Integer.class).getBody();\n    }\n\n    void notify(String id) {\n        execute(new HttpPost(\"http://reviews/review\"));\n    }\n}\n",
    );
    // pika with the exchange and key as class attributes.
    ws.write("payment/requirements.txt", "pika\n");
    ws.write(
        "payment/publisher.py",
        "import pika\n\nclass Publisher:\n    EXCHANGE = 'shop'\n    ROUTING_KEY = 'orders'\n\n    def publish(self, body):\n        self._channel.basic_publish(exchange=self.EXCHANGE, routing_key=self.ROUTING_KEY, body=body)\n",
    );
    ws.write("dispatch/go.mod", "module dispatch\n");
    ws.write(
        "dispatch/main.go",
        "package main\n\nfunc main() {\n\tch.QueueBind(\"orders\", \"orders\", \"shop\", false, nil)\n}\n",
    );
    // Spring AMQP: the default exchange to a queue a listener container reads.
    ws.write("shipping/pom.xml", pom("shipping"));
    ws.write(
        "shipping/src/main/java/shop/Shipping.java",
        "package shop;\n\nclass Shipping {\n    void ship(Object s) {\n        rabbitTemplate.convertAndSend(\"shipping-task\", s);\n    }\n}\n",
    );
    ws.write("queue-master/pom.xml", pom("queue-master"));
    ws.write(
        "queue-master/src/main/java/shop/Consumer.java",
        "package shop;\n\nclass Consumer {\n    protected final String queueName = \"shipping-task\";\n\n    @Autowired\n    private TaskHandler taskHandler;\n\n    SimpleMessageListenerContainer container() {\n        SimpleMessageListenerContainer c = new SimpleMessageListenerContainer();\n        c.setQueueNames(this.queueName);\n        c.setMessageListener(adapter());\n        return c;\n    }\n\n    MessageListenerAdapter adapter() {\n        return new MessageListenerAdapter(taskHandler, converter());\n    }\n}\n",
    );
    // The listener the container's adapter wraps handles the messages.
    ws.write(
        "queue-master/src/main/java/shop/TaskHandler.java",
        "package shop;\n\n@Component\npublic class TaskHandler {\n    public void handleMessage(Object shipment) {\n    }\n\n    public void other() {\n    }\n}\n",
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  writer:\n    build: ./writer\n    environment:\n      BALANCES_API_ADDR: balances:8080\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "composite -> recommendations http literal-url".to_string(),
            "composite -> reviews http literal-url".to_string(),
            "payment -> dispatch topic topic-name".to_string(),
            "shipping -> queue-master topic topic-name".to_string(),
            "writer -> balances http env-config".to_string(),
            "writer -> reviews http literal-url".to_string(),
        ])
    );
    let links = ws.run(&["links", "--json"]).json();
    let task = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["endpoint"] == "topic:shipping-task")
        .unwrap();
    assert_eq!(
        task["to"]["file"],
        "queue-master/src/main/java/shop/TaskHandler.java"
    );
    assert_eq!(task["to"]["line"], 5);
}

/// A never-deployed Java library `utilities/shop.client` with an enumeration of the
/// services (`Service.ORDERS` is `shop.orders`, `Service.STOCK` is `shop.stock`).
fn client_library_with_service_names(ws: &Workspace) {
    ws.write(
        "utilities/shop.client/pom.xml",
        "<project><artifactId>client</artifactId></project>\n",
    );
    ws.write(
        "utilities/shop.client/src/main/java/shop/client/Service.java",
        "package shop.client;\n\npublic enum Service {\n    ORDERS(\"shop.orders\"),\n    STOCK(\"shop.stock\");\n\n    private final String name;\n\n    Service(String name) { this.name = name; }\n}\n",
    );
}

#[test]
fn a_shared_client_library_calls_on_behalf_of_the_services_built_with_it() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    // The library: an enumeration of the services, a balancer taking one, and a
    // registry client; never deployed.
    client_library_with_service_names(&ws);
    ws.write(
        "utilities/shop.client/src/main/java/shop/client/Operations.java",
        "package shop.client;\n\npublic class Operations {\n    public static Order placeOrder(Order o) {\n        return Balancer.call(Service.ORDERS, \"orders\", client -> client.post(o));\n    }\n\n    public static int stock(String sku) {\n        return Balancer.call(Service.STOCK, \"stock\", client -> client.get(sku));\n    }\n}\n",
    );
    ws.write(
        "utilities/shop.client/src/main/java/shop/client/Registry.java",
        "package shop.client;\n\npublic class Registry {\n    private String registryURL;\n\n    public Registry(int port) {\n        registryURL = \"http://localhost:\" + port + \"/shop.registry/rest/services/\";\n    }\n\n    public void register(String me) {\n        client.target(registryURL).path(me).request().put(null);\n    }\n}\n",
    );
    // The services, each built with the library.
    for (name, code) in [
        ("shop.web", "package shop.web;\n\nimport shop.client.Operations;\nimport shop.client.Registry;\n\nclass Checkout {\n    void checkout(Order o) {\n        new Registry(8080).register(\"web\");\n        Operations.placeOrder(o);\n    }\n}\n"),
        ("shop.orders", "package shop.orders;\n\nimport shop.client.Operations;\nimport shop.client.Registry;\n\nclass Orders {\n    void start() { new Registry(8080).register(\"orders\"); }\n    boolean available(String sku) { return Operations.stock(sku) > 0; }\n}\n"),
        ("shop.stock", "package shop.stock;\n\nclass Stock {\n    int count() { return 1; }\n}\n"),
        ("shop.registry", "package shop.registry;\n\n@Path(\"/services\")\nclass Services {\n    @PUT\n    @Path(\"{name}\")\n    void add(String name) {}\n}\n"),
    ] {
        let short = name.trim_start_matches("shop.");
        ws.write(&format!("services/{name}/pom.xml"), pom(short));
        ws.write(&format!("services/{name}/src/main/java/Main.java"), code);
    }
    ws.write(
        "docker-compose.yml",
        "services:\n  web:\n    build: ./services/shop.web\n  orders:\n    build: ./services/shop.orders\n  stock:\n    build: ./services/shop.stock\n  registry:\n    build: ./services/shop.registry\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "orders -> registry http library".to_string(),
            "orders -> stock http library".to_string(),
            "web -> orders http library".to_string(),
            "web -> registry http library".to_string(),
        ]),
        "the library's calls count for the services whose code reaches them, and only those"
    );
}

#[test]
fn a_request_a_library_hands_to_a_callback_links_from_every_call_into_the_library() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    // The library: an enumeration of the services and operations that hand a
    // balanced client to a callback making the request; never deployed.
    client_library_with_service_names(&ws);
    ws.write(
        "utilities/shop.client/src/main/java/shop/client/Operations.java",
        concat!(
            "package shop.client;\n",
            "\n",
            "public class Operations {\n",
            "    public static Order placeOrder(Order o) {\n",
            // line 5: the path and method from a chain a static wrapper interrupts
            "        return Balancer.call(Service.ORDERS, \"orders\", Order.class,\n",
            "            client -> Wrapper.wrap(client.getTarget().path(\"place\").queryParam(\"fast\", true))\n",
            "                .post(Entity.json(o)));\n",
            "    }\n",
            "\n",
            "    public static int stock(String sku) {\n",
            // line 11: the segments the client gives itself are the base the call names
            "        return Balancer.call(Service.STOCK, \"stock\", Integer.class, (Client c) -> c.getBase()\n",
            "            .path(c.getApplication()).path(c.getEndpoint()).path(\"count\").path(sku)\n",
            "            .request().get());\n",
            "    }\n",
            "\n",
            "    public static void audit() {\n",
            // line 17: no service of the workspace is named AUDIT: no call
            "        Balancer.call(Service.AUDIT, \"audit\", Void.class, c -> c.getTarget().request().get());\n",
            "    }\n",
            "\n",
            "    public static void log(String m) {\n",
            // line 21: a callback that makes no request: no call
            "        Balancer.call(Service.ORDERS, \"orders\", Void.class, c -> c.describe(m));\n",
            "    }\n",
            "\n",
            "    public static void cancel() {\n",
            // line 25: the client's target wrapped whole
            "        Balancer.call(Service.ORDERS, \"orders\", Void.class, c -> Wrapper.wrap(c.getTarget()).delete());\n",
            "    }\n",
            "}\n",
        ),
    );
    // A flow of the library reaching the operation through one function, and one
    // through two: only the nearer entry links (a call further up only may lead to
    // the request; the service map counts it).
    ws.write(
        "utilities/shop.client/src/main/java/shop/client/Flows.java",
        "package shop.client;\n\npublic class Flows {\n    public static void step(Order o) { Operations.placeOrder(o); }\n\n    public static void all(Order o) { step(o); }\n}\n",
    );
    ws.write("services/shop.web/pom.xml", pom("web"));
    ws.write(
        "services/shop.web/src/main/java/shop/web/Checkout.java",
        "package shop.web;\n\nimport shop.client.Flows;\nimport shop.client.Operations;\n\nclass Checkout {\n    void checkout(Order o) {\n        Operations.log(\"checkout\");\n        Operations.placeOrder(o);\n        Flows.step(o);\n        Flows.all(o);\n    }\n}\n",
    );
    // A test of the web service calling into the library: no link.
    ws.write(
        "services/shop.web/src/test/java/shop/web/CheckoutTest.java",
        "package shop.web;\n\nimport shop.client.Operations;\n\nclass CheckoutTest {\n    void places() { Operations.placeOrder(null); }\n}\n",
    );
    ws.write("services/shop.orders/pom.xml", pom("orders"));
    ws.write(
        "services/shop.orders/src/main/java/shop/orders/OrdersRest.java",
        "package shop.orders;\n\nimport shop.client.Operations;\n\n@Path(\"orders\")\nclass OrdersRest {\n    @POST\n    @Path(\"place\")\n    public Order place(Order o) {\n        return Operations.stock(o.sku) > 0 ? o : null;\n    }\n\n    @DELETE\n    public void cancel() {}\n}\n",
    );
    ws.write("services/shop.stock/pom.xml", pom("stock"));
    ws.write(
        "services/shop.stock/src/main/java/shop/stock/StockRest.java",
        "package shop.stock;\n\n@Path(\"stock\")\nclass StockRest {\n    @GET\n    @Path(\"count/{sku}\")\n    public int count(String sku) { return 1; }\n\n    @GET\n    @Path(\"describe\")\n    public String describe() { return \"\"; }\n}\n",
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  web:\n    build: ./services/shop.web\n  orders:\n    build: ./services/shop.orders\n  stock:\n    build: ./services/shop.stock\n",
    );
    ws.run(&["index", "."]).ok();
    let links: BTreeSet<String> = ws
        .run(&["links", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{} -> {} {}:{} {}{}",
                l["from"]["file"].as_str().unwrap(),
                l["from"]["line"],
                l["endpoint"].as_str().unwrap(),
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"],
                l["evidence"].as_str().unwrap(),
                l.get("through").map_or(String::new(), |t| format!(
                    " through {}:{}",
                    t["file"].as_str().unwrap(),
                    t["line"]
                )),
            )
        })
        .collect();
    let ops = "utilities/shop.client/src/main/java/shop/client/Operations.java";
    let orders = "services/shop.orders/src/main/java/shop/orders/OrdersRest.java";
    let stock = "services/shop.stock/src/main/java/shop/stock/StockRest.java";
    assert_eq!(
        links,
        BTreeSet::from([
            format!("{ops}:5 -> http:POST /orders/place {orders}:9 discovery-name"),
            format!("{ops}:11 -> http:GET /stock/count/{{}} {stock}:7 discovery-name"),
            format!("{ops}:25 -> http:DELETE /orders {orders}:14 discovery-name"),
            format!("services/shop.web/src/main/java/shop/web/Checkout.java:9 -> http:POST /orders/place {orders}:9 library through {ops}:5"),
            format!("services/shop.web/src/main/java/shop/web/Checkout.java:10 -> http:POST /orders/place {orders}:9 library through {ops}:5"),
            format!("{orders}:10 -> http:GET /stock/count/{{}} {stock}:7 library through {ops}:11"),
        ]),
        "each request the callbacks make links from the library and from each service's call into it"
    );
}

#[test]
fn a_client_built_with_a_base_url_calls_what_its_constructor_was_given() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    ws.write("cart/pom.xml", pom("cart"));
    ws.write(
        "cart/src/main/java/shop/Cart.java",
        "package shop;\n\n@RestController\nclass Cart {\n    @PostMapping(\"/shipping/{id}\")\n    void ship(String id) {}\n}\n",
    );
    ws.write("users/pom.xml", pom("users"));
    ws.write(
        "users/src/main/java/shop/Users.java",
        "package shop;\n\n@RestController\nclass Users {\n    @GetMapping(\"/check/{id}\")\n    boolean check(String id) { return true; }\n}\n",
    );
    // Java: the URL goes into a helper's constructor, kept in a field, used later.
    ws.write("shipping/pom.xml", pom("shipping"));
    ws.write(
        "shipping/src/main/java/shop/Controller.java",
        "package shop;\n\nclass Controller {\n    private String CART_URL = String.format(\"http://%s/shipping/\", getenv(\"CART_ENDPOINT\", \"cart\"));\n\n    void confirm(String id) {\n        CartHelper helper = new CartHelper(CART_URL);\n        helper.addToCart(id);\n    }\n}\n",
    );
    ws.write(
        "shipping/src/main/java/shop/CartHelper.java",
        "package shop;\n\nclass CartHelper {\n    private String baseUrl;\n\n    CartHelper(String baseUrl) {\n        this.baseUrl = baseUrl;\n    }\n\n    void addToCart(String id) {\n        execute(new HttpPost(baseUrl + id));\n    }\n}\n",
    );
    // Python: by keyword.
    ws.write("payment/requirements.txt", "requests\n");
    ws.write(
        "payment/clients.py",
        "import requests\n\nclass UserClient:\n    def __init__(self, base_url):\n        self.base_url = base_url\n\n    def check(self, id):\n        return requests.get(self.base_url + '/check/' + id)\n",
    );
    ws.write(
        "payment/app.py",
        "import os\nfrom clients import UserClient\n\nusers = UserClient(base_url=os.getenv('USER_URL', 'http://users:8080'))\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "payment -> users http literal-url".to_string(),
            "shipping -> cart http literal-url".to_string(),
        ])
    );
}

#[test]
fn request_options_and_local_variables_carry_the_url() {
    let ws = Workspace::empty();
    ws.write("orders/requirements.txt", "flask\n");
    ws.write(
        "orders/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/orders', methods=['POST'])\ndef new_order():\n    return ''\n\n@app.route('/orders/<id>/items')\ndef items(id):\n    return ''\n",
    );
    ws.write("front/package.json", r#"{"name": "front"}"#);
    ws.write(
        "front/orders.js",
        "const ORDERS = process.env.ORDERS_URL || 'http://orders:8080';\n\nfunction place(order, cb) {\n  var options = {\n    uri: ORDERS + '/orders',\n    method: 'POST',\n    json: true,\n    body: order\n  };\n  request(options, cb);\n}\n\nfunction items(id, cb) {\n  request({ method: 'GET', uri: ORDERS + '/orders/' + id + '/items' }, cb);\n}\n",
    );
    ws.write("web/requirements.txt", "requests\n");
    ws.write(
        "web/views.py",
        "import requests\n\ndef place(order):\n    url = '{}/orders'.format(ORDERS_URI)\n    return requests.post(url=url, json=order)\n\nORDERS_URI = 'http://orders:8080'\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_lines(&ws);
    assert_eq!(
        links,
        BTreeSet::from([
            "javascript front orders.js items(). -> http:GET /orders/{}/items python orders app.py items(). literal-url".to_string(),
            "javascript front orders.js place(). -> http:POST /orders python orders app.py new_order(). literal-url".to_string(),
            "python web views.py place(). -> http:POST /orders python orders app.py new_order(). literal-url".to_string(),
        ])
    );
    // The handler is shown at its function, below the decorator that routes to it.
    let json = ws.run(&["links", "--json"]).json();
    let lines: BTreeSet<u64> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["to"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, BTreeSet::from([5, 9]));
}

#[test]
fn unmatched_endpoints_are_answers() {
    let ws = Workspace::empty();
    ws.write("cart/requirements.txt", "flask\n");
    ws.write(
        "cart/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/api/cart/<uid>\")\ndef get_cart(uid):\n    return {}\n\n@app.route(\"/api/unused\")\ndef unused():\n    return {}\n",
    );
    ws.write("web/package.json", "{\"name\": \"web\"}\n");
    ws.write(
        "web/index.js",
        "function load(uid) { return fetch(`http://cart:8080/api/cart/${uid}`); }\nfunction pay() { return fetch('http://cart:8080/api/pay', { method: 'POST' }); }\n",
    );
    ws.run(&["index", "."]).ok();
    let text = ws.run(&["endpoints", "--unmatched"]).ok().to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("http:GET /api/unused")
                && l.ends_with("[unmatched: no caller indexed]")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("http:POST /api/pay")
                && l.ends_with("[unmatched: no handler indexed]")),
        "{text}"
    );
    let map = ws.run(&["services", "--json"]).json();
    let unmatched: Vec<&str> = map["unmatched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(unmatched, ["http:GET /api/unused", "http:POST /api/pay"]);
    let all = ws.run(&["endpoints", "--json"]).json();
    assert_eq!(
        all.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["linked"] == true)
            .count(),
        2
    );
}

#[test]
fn services_in_languages_not_parsed_are_reported_not_silent() {
    let ws = Workspace::empty();
    ws.write("src/checkout/go.mod", "module checkout\n");
    ws.write("src/checkout/main.go", "package main\n\nfunc main() {}\n");
    ws.write("src/fraud/Dockerfile", "FROM gradle\n");
    ws.write("src/fraud/src/Main.kt", "fun main() {}\n");
    ws.write("src/fraud/src/Rules.kt", "fun rule() = 1\n");
    ws.write("src/fraud/build.gradle.kts", "plugins {}\n");
    ws.write("src/fraud/scripts/check.kts", "println(1)\n");
    ws.write("src/ratings/app.rb", "puts 1\n");
    ws.write("src/ratings/Gemfile", "source 'https://rubygems.org'\n");
    ws.write("src/email/server.ex", "defmodule Email do\nend\n");
    ws.write("src/email/mix.exs", "defmodule Email.MixProject do\nend\n");
    ws.write("src/ads/src/Ads.dart", "void main() {}\n");
    ws.write("src/ads/src/Rules.dart", "int rule() => 1;\n");
    ws.write("src/rules/core.clj", "(ns rules.core)\n");
    ws.write("src/rules/util.clj", "(ns rules.util)\n");
    ws.write(
        "src/ios/Package.swift",
        "let package = Package(name: \"ios\")\n",
    );
    ws.write("src/ios/Sources/App/Cart.swift", "struct Cart {}\n");
    // C, C++, PHP, Kotlin, Ruby, Elixir, Scala and Swift are parsed.
    ws.write(
        "src/reviews/composer.json",
        "{\"name\": \"shop/reviews\"}\n",
    );
    ws.write(
        "src/reviews/index.php",
        "<?php\nfunction main() { return 1; }\n",
    );
    ws.write("src/currency/Dockerfile", "FROM gcc\n");
    ws.write("src/currency/src/server.cc", "int main() { return 0; }\n");
    ws.write("src/currency/include/rates.h", "int rate();\n");
    let report = ws.run(&["index", ".", "--json"]).json();
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("2 files not indexed: clojure"),
        "{skipped}"
    );
    assert!(!skipped.contains("swift"), "{skipped}");
    assert!(!skipped.contains("elixir"), "{skipped}");
    assert!(!skipped.contains("c++"), "{skipped}");
    assert!(!skipped.contains("kotlin"), "{skipped}");
    assert!(!skipped.contains("ruby"), "{skipped}");
    let map = ws.run(&["services", "--json"]).json();
    let not_parsed: Vec<String> = map["not_parsed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n["path"].as_str().unwrap(),
                n["note"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        not_parsed,
        [
            "src/ads/src: 2 files not indexed: dart is a language cartograph does not parse",
            "src/rules: 2 files not indexed: clojure is a language cartograph does not parse",
        ]
    );
    let text = ws.run(&["services"]).ok().to_string();
    assert!(text.contains("not parsed (2):"), "{text}");
    assert!(text.contains("fraud  src/fraud  kotlin"), "{text}");
    assert!(text.contains("ratings  src/ratings  ruby"), "{text}");
    assert!(text.contains("currency  src/currency  c"), "{text}");
    assert!(text.contains("reviews  src/reviews  php"), "{text}");
    assert!(text.contains("email  src/email  elixir"), "{text}");
    assert!(text.contains("ios  src/ios  swift"), "{text}");
    let stats = ws.run(&["stats"]).ok().to_string();
    assert!(
        stats.contains("not parsed: src/rules: 2 files not indexed: clojure"),
        "{stats}"
    );
}

#[test]
fn handlers_registered_bound_or_through_members_land_on_their_methods() {
    let ws = Workspace::empty();
    ws.write(
        "protos/cart.proto",
        "syntax = \"proto3\";\npackage shop;\n\nservice CartService {\n  rpc GetCart(GetCartRequest) returns (Cart) {}\n}\n\nmessage GetCartRequest { string user_id = 1; }\nmessage Cart { string user_id = 1; }\n",
    );
    ws.write("cart/package.json", r#"{"name": "cart"}"#);
    ws.write(
        "cart/server.js",
        "const grpc = require('@grpc/grpc-js');\n\nclass CartServer {\n  constructor(store) {\n    this.store = store;\n  }\n\n  getCart(call, callback) {\n    callback(null, this.store.get(call.request.user_id));\n  }\n\n  start(proto) {\n    const server = new grpc.Server();\n    server.addService(proto.shop.CartService.service, { getCart: this.getCart.bind(this) });\n    return server;\n  }\n}\n\nmodule.exports = CartServer;\n",
    );
    ws.write("orders/package.json", r#"{"name": "orders"}"#);
    ws.write(
        "orders/routes.js",
        "const express = require('express');\nconst router = express.Router();\n\nclass Orders {\n  list(req, res) {\n    res.json([]);\n  }\n\n  show(req, res) {\n    res.json({});\n  }\n}\n\nconst orders = new Orders();\nrouter.get('/orders', orders.list.bind(orders));\nrouter.get('/orders/:id', authenticate, asyncHandler(orders.show));\n\nmodule.exports = router;\n",
    );
    ws.write("web/requirements.txt", "requests\n");
    ws.write(
        "web/client.py",
        "import requests\n\ndef orders():\n    return requests.get('http://orders:3000/orders').json()\n\ndef order(id):\n    return requests.get('http://orders:3000/orders/' + id).json()\n",
    );
    ws.write("checkout/package.json", r#"{"name": "checkout"}"#);
    ws.write(
        "checkout/cart.js",
        "const grpc = require('@grpc/grpc-js');\n\nfunction loadCart(proto, userId, cb) {\n  const client = new proto.shop.CartService('cart:7070', grpc.credentials.createInsecure());\n  client.getCart({ user_id: userId }, cb);\n}\n\nmodule.exports = loadCart;\n",
    );
    // A handler defined in one file and registered in another.
    ws.write(
        "protos/pay.proto",
        "syntax = \"proto3\";\npackage shop;\n\nservice PaymentService {\n  rpc Charge(ChargeRequest) returns (ChargeResponse) {}\n}\n\nmessage ChargeRequest { int64 cents = 1; }\nmessage ChargeResponse { string id = 1; }\n",
    );
    ws.write("payment/package.json", r#"{"name": "payment"}"#);
    ws.write(
        "payment/charge.js",
        "/** Charges a card. */\nfunction charge(call, callback) {\n  callback(null, { id: 'x' + call.request.cents });\n}\n\nmodule.exports = { charge };\n",
    );
    ws.write(
        "payment/server.js",
        "const grpc = require('@grpc/grpc-js');\nconst { charge } = require('./charge');\n\nfunction main(proto) {\n  const server = new grpc.Server();\n  server.addService(proto.shop.PaymentService.service, { charge: charge });\n  return server;\n}\n\nmain();\n",
    );
    ws.write(
        "checkout/pay.js",
        "const grpc = require('@grpc/grpc-js');\n\nfunction pay(proto, cents, cb) {\n  const client = new proto.shop.PaymentService('payment:50051', grpc.credentials.createInsecure());\n  client.charge({ cents }, cb);\n}\n\nmodule.exports = pay;\n",
    );
    ws.run(&["index", "."]).ok();
    let json = ws.run(&["links", "--json"]).json();
    let handlers: BTreeSet<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {} {}:{}",
                l["endpoint"].as_str().unwrap(),
                l["to"]["symbol"].as_str().unwrap(),
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"]
            )
        })
        .collect();
    assert_eq!(
        handlers,
        BTreeSet::from([
            "grpc:shop.CartService/GetCart javascript cart server.js CartServer#getCart(). cart/server.js:8".to_string(),
            "grpc:shop.PaymentService/Charge javascript payment charge.js charge(). payment/charge.js:2".to_string(),
            "http:GET /orders javascript orders routes.js Orders#list(). orders/routes.js:5".to_string(),
            "http:GET /orders/{} javascript orders routes.js Orders#show(). orders/routes.js:9".to_string(),
        ])
    );
    // Its callers show the strongest link, not a name-only guess.
    let callers = ws
        .run(&[
            "callers",
            "javascript payment charge.js charge().",
            "--json",
        ])
        .json();
    assert_eq!(callers["children"][0]["evidence"], "idl", "{callers}");

    // The rpc of the `.proto` is a symbol: its callers are the client call sites,
    // its references too, and changing it breaks the handler and the callers.
    let rpc = "GetCart";
    let callers = ws.run(&["callers", rpc, "--json"]).json();
    let ids: Vec<&str> = callers["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["javascript checkout cart.js loadCart()."]);
    let refs = ws.run(&["refs", rpc, "--json"]).json();
    assert_eq!(refs.as_array().unwrap().len(), 1, "{refs}");
    assert_eq!(refs[0]["file"], "checkout/cart.js");
    let impact = ws
        .run(&["impact", "--symbol", "GetCartRequest", "--json"])
        .json();
    let impacted: BTreeSet<&str> = impact["impacted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    for id in [
        "javascript cart server.js CartServer#getCart().",
        "javascript checkout cart.js loadCart().",
    ] {
        assert!(impacted.contains(id), "{id} not in {impacted:?}");
    }
}

#[test]
fn a_queue_bound_to_an_exchange_is_handled_where_it_is_consumed() {
    let ws = Workspace::empty();
    ws.write("shipper/go.mod", "module example.com/shipper\n\ngo 1.22\n");
    ws.write(
        "shipper/main.go",
        "package main\n\nimport amqp \"github.com/rabbitmq/amqp091-go\"\n\nfunc connect(ch *amqp.Channel) {\n\tq, _ := ch.QueueDeclare(\"orders\", true, false, false, false, nil)\n\t_ = ch.QueueBind(q.Name, \"orders\", \"shop\", false, nil)\n}\n\nfunc main() {\n\tvar ch *amqp.Channel\n\tconnect(ch)\n\tmsgs, _ := ch.Consume(\"orders\", \"\", true, false, false, false, nil)\n\tfor m := range msgs {\n\t\t_ = m\n\t}\n}\n",
    );
    ws.write("payment/requirements.txt", "pika\n");
    ws.write(
        "payment/publish.py",
        "import pika\n\n\ndef publish(channel, body):\n    channel.basic_publish(exchange='shop', routing_key='orders', body=body)\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "python payment publish.py publish(). -> topic:shop go shipper main.go main(). topic-name".to_string()
        ])
    );
    let json = ws.run(&["links", "--json"]).json();
    assert_eq!(json[0]["to"]["line"], 13, "{json}");
}

#[test]
fn spring_bindings_route_an_exchange_to_the_listener_of_the_bound_queue() {
    let ws = Workspace::empty();
    let pom = |artifact: &str| format!("<project><artifactId>{artifact}</artifactId></project>\n");
    // Each service binds its own queue to the shared exchange in a configuration
    // class, listens on the queue elsewhere, and publishes to the exchange; the
    // names are constants of the configuration class.
    for (service, queue) in [("alpha", "shop.alpha"), ("beta", "shop.beta")] {
        ws.write(&format!("{service}/pom.xml"), pom(service));
        ws.write(
            &format!("{service}/src/main/java/shop/QueueConfig.java"),
            format!("package shop;\n\n@Configuration\npublic class QueueConfig {{\n  public static final String queueName = \"{queue}\";\n  public static final String exchangeName = \"shop.events\";\n\n  @Bean\n  Queue queue() {{\n    return new Queue(queueName, true);\n  }}\n\n  @Bean\n  TopicExchange exchange() {{\n    return new TopicExchange(exchangeName);\n  }}\n\n  @Bean\n  Binding binding(Queue queue, TopicExchange exchange) {{\n    return BindingBuilder.bind(queue).to(exchange).with(\"shop.*\");\n  }}\n}}\n"),
        );
        ws.write(
            &format!("{service}/src/main/java/shop/Listener.java"),
            "package shop;\n\n@Service\npublic class Listener {\n  @RabbitListener(queues = QueueConfig.queueName)\n  public void process(String data) {\n  }\n}\n",
        );
        ws.write(
            &format!("{service}/src/main/java/shop/Publisher.java"),
            "package shop;\n\n@Service\npublic class Publisher {\n  private final RabbitTemplate rabbitTemplate;\n\n  public void send(String message) {\n    rabbitTemplate.convertAndSend(QueueConfig.exchangeName, \"shop.x\", message);\n  }\n}\n",
        );
    }
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "java alpha src/main/java/shop/Publisher.java Publisher#send(). -> topic:shop.events java beta src/main/java/shop/Listener.java Listener#process(). topic-name".to_string(),
            "java beta src/main/java/shop/Publisher.java Publisher#send(). -> topic:shop.events java alpha src/main/java/shop/Listener.java Listener#process(). topic-name".to_string(),
        ])
    );
}

#[test]
fn cpp_grpc_services_serve_and_call_the_rpcs_of_their_protos() {
    let ws = Workspace::empty();
    ws.write(
        "protos/rates.proto",
        "syntax = \"proto3\";\npackage shop;\n\nservice RateService {\n  rpc Quote(QuoteRequest) returns (QuoteReply) {}\n  rpc List(Empty) returns (QuoteReply) {}\n}\nmessage QuoteRequest { string code = 1; }\nmessage QuoteReply { double rate = 1; }\nmessage Empty {}\n",
    );
    // A C++ server: a class deriving from the generated `RateService::Service`,
    // named after the project its CMake file declares.
    ws.write(
        "rates/CMakeLists.txt",
        "cmake_minimum_required(VERSION 3.16)\nproject(rates CXX)\nadd_executable(rateservice src/server.cc)\n",
    );
    ws.write(
        "rates/src/CMakeLists.txt",
        "target_sources(rateservice PRIVATE server.cc)\n",
    );
    ws.write(
        "rates/src/server.cc",
        "#include <grpcpp/grpcpp.h>\n#include \"rates.grpc.pb.h\"\n\nclass RateServiceImpl final : public shop::RateService::Service {\n  grpc::Status Quote(grpc::ServerContext* ctx, const shop::QuoteRequest* req,\n                     shop::QuoteReply* reply) override {\n    reply->set_rate(1.5);\n    return grpc::Status::OK;\n  }\n\n  grpc::Status List(grpc::ServerContext* ctx, const shop::Empty* req,\n                    shop::QuoteReply* reply) override {\n    return grpc::Status::OK;\n  }\n};\n",
    );
    // A C++ client: a stub held by a field (declared below its use) and one made
    // by `NewStub` in a function.
    ws.write(
        "checkout/CMakeLists.txt",
        "project(checkout)\nadd_executable(checkout main.cc)\n",
    );
    ws.write(
        "checkout/main.cc",
        "#include \"rates.grpc.pb.h\"\n\nclass RateClient {\n public:\n  double Quote(const std::string& code) {\n    shop::QuoteRequest req;\n    shop::QuoteReply reply;\n    grpc::ClientContext ctx;\n    stub_->Quote(&ctx, req, &reply);\n    return reply.rate();\n  }\n\n private:\n  std::unique_ptr<shop::RateService::Stub> stub_;\n};\n\nvoid ListAll(std::shared_ptr<grpc::Channel> channel) {\n  auto stub = shop::RateService::NewStub(channel);\n  grpc::ClientContext ctx;\n  shop::Empty req;\n  shop::QuoteReply reply;\n  stub->List(&ctx, req, &reply);\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "cpp checkout main.cc ListAll(). -> grpc:shop.RateService/List cpp rates src/server.cc RateServiceImpl#List(). idl".to_string(),
            "cpp checkout main.cc RateClient#Quote(). -> grpc:shop.RateService/Quote cpp rates src/server.cc RateServiceImpl#Quote(). idl".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["checkout -> rates grpc idl".to_string()])
    );
}

/// A C++ program built by its Makefile is a service; a directory compose builds is
/// one even when its Makefile builds no program (only runs the tests).
#[test]
fn makefiles_that_link_programs_are_services_and_others_do_not_hide_compose_ones() {
    let ws = Workspace::empty();
    ws.write(
        "ledger/Makefile",
        "TARGET = ledger\n\n$(TARGET): main.o\n\t$(CXX) -o $@ $^\n\nmain.o: main.cc\n\t$(CXX) -c -o $@ $<\n",
    );
    ws.write("ledger/main.cc", "int main() { return 0; }\n");
    ws.write("payment/Makefile", "test:\n\tgo test ./...\n");
    ws.write("payment/main.go", "package main\n\nfunc main() {}\n");
    ws.write(
        "docker-compose.yml",
        "services:\n  payment:\n    build: ./payment\n",
    );
    ws.run(&["index", "."]).ok();
    let services = ws.run(&["services", "--json"]).json();
    let names: BTreeSet<(String, String)> = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [("ledger", "ledger"), ("payment", "payment")] {
        assert!(
            names.contains(&(want.0.to_string(), want.1.to_string())),
            "{names:?}"
        );
    }
}

/// Copies of one `.proto` in several services make one contract: a C++ handler whose
/// methods are defined out of class is linked once per call, at its definition.
#[test]
fn a_cpp_handler_is_linked_once_whatever_the_copies_of_its_proto() {
    let ws = Workspace::empty();
    let proto = "syntax = \"proto3\";\npackage shop;\nservice Currency {\n  rpc Convert(Req) returns (Req);\n}\nmessage Req { int64 cents = 1; }\n";
    ws.write("currency/protos/shop.proto", proto);
    ws.write("web/protos/shop.proto", proto);
    ws.write(
        "currency/CMakeLists.txt",
        "project(currency CXX)\nadd_executable(currency server.cc)\n",
    );
    ws.write(
        "currency/server.h",
        "#pragma once\n#include \"shop.grpc.pb.h\"\nclass CurrencyImpl final : public shop::Currency::Service {\n  grpc::Status Convert(grpc::ServerContext* c, const shop::Req* r, shop::Req* out) override;\n};\n",
    );
    ws.write(
        "currency/server.cc",
        "#include \"server.h\"\n\ngrpc::Status CurrencyImpl::Convert(grpc::ServerContext* c, const shop::Req* r, shop::Req* out) {\n  return grpc::Status::OK;\n}\n",
    );
    ws.write("web/requirements.txt", "grpcio\n");
    ws.write(
        "web/app.py",
        "import grpc\nimport shop_pb2_grpc\n\ndef convert(req):\n    stub = shop_pb2_grpc.CurrencyStub(grpc.insecure_channel(\"currency:7000\"))\n    return stub.Convert(req)\n",
    );
    ws.run(&["index", "."]).ok();
    let links = ws.run(&["links", "--json"]).json();
    let found: Vec<String> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{} -> {}:{} {:.2}",
                l["from"]["file"].as_str().unwrap(),
                l["from"]["line"],
                l["to"]["file"].as_str().unwrap(),
                l["to"]["line"],
                l["confidence"].as_f64().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        ["web/app.py:6 -> currency/server.cc:3 0.95"],
        "{links}"
    );
}

/// Event buses that route by the message's type: a publisher links to every
/// subscriber of the type in another service (`message-type`), at the handler's
/// method, however the subscription is declared.
#[test]
fn event_buses_link_publishers_to_subscribers_by_message_type() {
    let ws = Workspace::empty();
    let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n";
    ws.write("src/Ordering.API/Ordering.API.csproj", csproj);
    ws.write("src/Payment.API/Payment.API.csproj", csproj);
    ws.write("src/Mailer/Mailer.csproj", csproj);
    // The hand-written bus: an outbox saving a local event, a publish made in place,
    // a MassTransit `Publish<T>` of an anonymous object; and an HTTP request sent,
    // which is no message.
    ws.write(
        "src/Ordering.API/OrderingService.cs",
        "namespace Ordering.API;\n\npublic class OrderingService(IEventBus eventBus, IOutbox outbox, HttpClient http)\n{\n    public async Task ConfirmStock(int id)\n    {\n        var evt = new OrderStockConfirmedIntegrationEvent(id);\n        await outbox.AddAndSaveEventAsync(evt);\n    }\n\n    public async Task Ship(int id)\n    {\n        await eventBus.PublishAsync(new OrderShippedIntegrationEvent(id));\n        await endpoint.Publish<OrderSubmitted>(new { Id = id });\n        var request = new HttpRequestMessage(HttpMethod.Post, \"http://payment-api/refund\");\n        await http.SendAsync(request);\n        await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, \"/\"));\n    }\n}\n\npublic class OrderPaidHandler : IIntegrationEventHandler<OrderPaymentSucceededIntegrationEvent>\n{\n    public async Task Handle(OrderPaymentSucceededIntegrationEvent @event) { }\n}\n\npublic static class Events\n{\n    public static void AddEvents(IEventBusBuilder b)\n    {\n        b.AddSubscription<OrderPaymentSucceededIntegrationEvent, OrderPaidHandler>();\n    }\n}\n",
    );
    // Subscribed by registration only, in another file than the handler; a handler
    // publishing a local declared as the base type but made as the event.
    ws.write(
        "src/Payment.API/Handlers.cs",
        "namespace Payment.API;\n\npublic class StockConfirmedHandler(IEventBus eventBus)\n{\n    public async Task Handle(OrderStockConfirmedIntegrationEvent @event)\n    {\n        IntegrationEvent next = new OrderPaymentSucceededIntegrationEvent(@event.OrderId);\n        await eventBus.PublishAsync(next);\n    }\n}\n",
    );
    ws.write(
        "src/Payment.API/Program.cs",
        "namespace Payment.API;\n\npublic static class Program\n{\n    public static void Main(IEventBusBuilder eventBus)\n    {\n        eventBus.AddSubscription<OrderStockConfirmedIntegrationEvent, StockConfirmedHandler>();\n    }\n}\n",
    );
    // MassTransit and NServiceBus consumers.
    ws.write(
        "src/Mailer/Consumers.cs",
        "namespace Mailer;\n\npublic class ShippedMail : IConsumer<OrderShippedIntegrationEvent>\n{\n    public Task Consume(ConsumeContext<OrderShippedIntegrationEvent> context) => Task.CompletedTask;\n}\n\npublic class SubmittedMail : IHandleMessages<OrderSubmitted>\n{\n    public Task Handle(OrderSubmitted message, IMessageHandlerContext context) => Task.CompletedTask;\n}\n",
    );
    // Java: Axon-style annotated handlers and handler interfaces.
    ws.write(
        "billing/pom.xml",
        "<project><artifactId>billing</artifactId></project>\n",
    );
    ws.write(
        "billing/src/main/java/b/Billing.java",
        "package b;\n\nclass Billing {\n    @EventHandler\n    public void on(OrderSubmitted e) {\n    }\n}\n\nclass Refunds implements EventHandler<OrderRefunded> {\n    public void handle(OrderRefunded e) {\n    }\n}\n",
    );
    ws.write(
        "shop/pom.xml",
        "<project><artifactId>shop</artifactId></project>\n",
    );
    ws.write(
        "shop/src/main/java/s/Shop.java",
        "package s;\n\nclass Shop {\n    void refund() {\n        OrderRefunded r = new OrderRefunded(2);\n        publisher.publishEvent(r);\n    }\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let want = [
        "csharp Ordering.API OrderingService.cs OrderingService#ConfirmStock(). -> topic:OrderStockConfirmedIntegrationEvent csharp Payment.API Handlers.cs StockConfirmedHandler#Handle().",
        "csharp Ordering.API OrderingService.cs OrderingService#Ship(). -> topic:OrderShippedIntegrationEvent csharp Mailer Consumers.cs ShippedMail#Consume().",
        "csharp Ordering.API OrderingService.cs OrderingService#Ship(). -> topic:OrderSubmitted csharp Mailer Consumers.cs SubmittedMail#Handle().",
        "csharp Ordering.API OrderingService.cs OrderingService#Ship(). -> topic:OrderSubmitted java billing src/main/java/b/Billing.java Billing#on().",
        "csharp Payment.API Handlers.cs StockConfirmedHandler#Handle(). -> topic:OrderPaymentSucceededIntegrationEvent csharp Ordering.API OrderingService.cs OrderPaidHandler#Handle().",
        "java shop src/main/java/s/Shop.java Shop#refund(). -> topic:OrderRefunded java billing src/main/java/b/Billing.java Refunds#handle().",
    ];
    let want: BTreeSet<String> = want.iter().map(|l| format!("{l} message-type")).collect();
    let found = link_lines(&ws);
    let missing: Vec<_> = want.difference(&found).collect();
    let extra: Vec<_> = found.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nextra: {extra:#?}"
    );
    // The handler registered in another file is shown where it is defined, once.
    let links = ws.run(&["links", "--json"]).json();
    let paid: Vec<_> = links
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["endpoint"] == "topic:OrderStockConfirmedIntegrationEvent")
        .collect();
    assert_eq!(paid.len(), 1);
    assert_eq!(paid[0]["to"]["file"], "src/Payment.API/Handlers.cs");
    assert_eq!(paid[0]["to"]["line"], 5);
    // An HTTP request sent is no message.
    let endpoints = ws.run(&["endpoints", "--json"]).json().to_string();
    assert!(!endpoints.contains("HttpRequestMessage"), "{endpoints}");
}

/// .NET: an Aspire AppHost deploys the projects under its names with the
/// infrastructure it gives them; minimal-API routes under their route groups land
/// on the handlers they name; typed HTTP clients call the base address their
/// registration gives (service discovery's `https+http://`), generic and
/// `HttpRequestMessage` calls included; without a registration a relative call is a
/// path.
#[test]
fn aspire_app_hosts_route_groups_and_typed_clients_link_dotnet_services() {
    let ws = Workspace::empty();
    let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n";
    for p in [
        "WebApp/WebApp",
        "Catalog.API/Catalog.API",
        "Basket.API/Basket.API",
        "Shop.AppHost/Shop.AppHost",
    ] {
        ws.write(&format!("src/{p}.csproj"), csproj);
    }
    ws.write(
        "src/Shop.AppHost/Program.cs",
        "var builder = DistributedApplication.CreateBuilder(args);\n\nvar redis = builder.AddRedis(\"basket-cache\");\nvar rabbitMq = builder.AddRabbitMQ(\"eventbus\")\n    .WithLifetime(ContainerLifetime.Persistent);\nvar postgres = builder.AddPostgres(\"postgres\");\nvar catalogDb = postgres.AddDatabase(\"catalogdb\");\n\nvar basketApi = builder.AddProject<Projects.Basket_API>(\"basket-api\")\n    .WithReference(redis)\n    .WithReference(rabbitMq).WaitFor(rabbitMq);\n\n// The catalog is deployed as `catalog`, not under its project's name.\nvar catalogApi = builder.AddProject<Projects.Catalog_API>(\"catalog\")\n    .WithReference(rabbitMq)\n    .WithReference(catalogDb);\n\nbuilder.AddProject<Projects.WebApp>(\"webapp\")\n    .WithReference(basketApi)\n    .WithReference(catalogApi);\n\nbuilder.AddYarp(\"mobile-bff\")\n    .WithConfiguration(yarp =>\n    {\n        yarp.AddRoute(\"/catalog-api/{**catch-all}\", catalogApi);\n    });\n\nbuilder.Build().Run();\n",
    );
    ws.write(
        "src/WebApp/Program.cs",
        "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddHttpClient<CatalogService>(o => o.BaseAddress = new(\"https+http://catalog\"));\nvar app = builder.Build();\napp.Run();\n",
    );
    ws.write(
        "src/WebApp/Services/CatalogService.cs",
        "namespace WebApp.Services;\n\npublic class CatalogService(HttpClient httpClient)\n{\n    private readonly string remoteServiceBaseUrl = \"api/catalog/\";\n\n    public Task<CatalogItem?> GetCatalogItem(int id)\n    {\n        var uri = $\"{remoteServiceBaseUrl}items/{id}\";\n        return httpClient.GetFromJsonAsync<CatalogItem>(uri);\n    }\n\n    public async Task Rate(int id)\n    {\n        var request = new HttpRequestMessage(HttpMethod.Post, $\"api/catalog/items/{id}/rating\");\n        await httpClient.SendAsync(request);\n    }\n}\n",
    );
    ws.write(
        "src/WebApp/Services/RatingClient.cs",
        "namespace WebApp.Services;\n\npublic class RatingClient(HttpClient http)\n{\n    public Task Rate(int id) => http.PostAsJsonAsync($\"/api/catalog/items/{id}/rating\", id);\n}\n",
    );
    ws.write(
        "src/Catalog.API/Apis/CatalogApi.cs",
        "namespace Catalog.API;\n\npublic static class CatalogApi\n{\n    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)\n    {\n        var api = app.MapGroup(\"api/catalog\").HasApiVersion(1.0);\n        api.MapGet(\"/items/{id:int}\", GetItemById);\n        api.MapPost(\"/items/{id:int}/rating\", RateItem);\n        return app;\n    }\n\n    public static Task<CatalogItem> GetItemById(int id) => null;\n\n    public static Task RateItem(int id) => null;\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| {
        format!(
            "{} {}",
            l["to"]["service"].as_str().unwrap(),
            l["evidence"].as_str().unwrap()
        )
    });
    let want: BTreeSet<String> = [
        "src/WebApp/Services/CatalogService.cs:10 -> src/Catalog.API/Apis/CatalogApi.cs:13 catalog literal-url",
        "src/WebApp/Services/CatalogService.cs:15 -> src/Catalog.API/Apis/CatalogApi.cs:15 catalog literal-url",
        "src/WebApp/Services/RatingClient.cs:5 -> src/Catalog.API/Apis/CatalogApi.cs:15 catalog route-template",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(links, want);
    let services = ws.run(&["services", "--json"]).json();
    let kinds: BTreeSet<String> = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| Some(format!("{} {}", s["name"].as_str()?, s["kind"].as_str()?)))
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "basket-cache datastore".to_string(),
            "eventbus broker".to_string(),
            "mobile-bff gateway".to_string(),
            "postgres datastore".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "basket-api -> basket-cache redis env-config".to_string(),
            "basket-api -> eventbus rabbitmq env-config,manifest".to_string(),
            "catalog -> eventbus rabbitmq env-config".to_string(),
            // The database's connection string names its server.
            "catalog -> postgres postgres env-config".to_string(),
            // The YARP gateway's route.
            "mobile-bff -> catalog http env-config".to_string(),
            // Referenced, not shown in use (the basket's client is not in the code).
            "webapp -> basket-api http manifest".to_string(),
            "webapp -> catalog http literal-url,route-template".to_string(),
        ])
    );
    // The deployment names find the projects.
    let basket = ws.run(&["services", "--json"]).json()["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "catalog")
        .cloned()
        .unwrap();
    assert_eq!(basket["path"], "src/Catalog.API");
}

/// .NET configuration (`appsettings.json`, comments allowed): an address read
/// through `IConfiguration` is the typed client's base; connection strings name the
/// datastore a service uses; a YARP reverse proxy's routes make it a gateway calls
/// go through; a malformed file is reported and the rest still read.
#[test]
fn dotnet_settings_give_addresses_connection_strings_and_yarp_routes() {
    let ws = Workspace::empty();
    let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n";
    for p in [
        "WebApp/WebApp",
        "Basket.API/Basket.API",
        "Mobile.Bff/Mobile.Bff",
        "Catalog.API/Catalog.API",
    ] {
        ws.write(&format!("src/{p}.csproj"), csproj);
    }
    ws.write(
        "docker-compose.yml",
        "services:\n  basket-api:\n    build: src/Basket.API\n  catalog-api:\n    build: src/Catalog.API\n  webapp:\n    build: src/WebApp\n  mobile-bff:\n    build: src/Mobile.Bff\n  basketdata:\n    image: redis:7\n  sqldata:\n    image: postgres:16\n",
    );
    ws.write(
        "src/WebApp/appsettings.json",
        "{\n  // where the basket is\n  \"Services\": { \"Basket\": \"http://basket-api\" },\n  \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } }\n}\n",
    );
    ws.write(
        "src/WebApp/Program.cs",
        "var builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddHttpClient<BasketClient>(client => client.BaseAddress = new Uri(builder.Configuration[\"Services:Basket\"]!));\nvar app = builder.Build();\napp.Run();\n",
    );
    ws.write(
        "src/WebApp/BasketClient.cs",
        "namespace WebApp;\n\npublic class BasketClient(HttpClient http)\n{\n    public Task<Basket?> Get(string id) => http.GetFromJsonAsync<Basket>($\"api/basket/{id}\");\n\n    public Task<string> Catalog(int id) => new HttpClient().GetStringAsync($\"http://mobile-bff/catalog-api/api/items/{id}\");\n}\n",
    );
    ws.write(
        "src/Basket.API/BasketApi.cs",
        "namespace Basket.API;\n\npublic static class BasketApi\n{\n    public static void Map(WebApplication app)\n    {\n        app.MapGet(\"/api/basket/{id}\", GetBasket);\n    }\n\n    static IResult GetBasket(string id) => Results.Ok();\n}\n",
    );
    ws.write(
        "src/Basket.API/appsettings.json",
        "{ \"ConnectionStrings\": { \"redis\": \"basketdata:6379,abortConnect=false\" } }\n",
    );
    ws.write(
        "src/Catalog.API/appsettings.json",
        "{ \"ConnectionStrings\": { \"CatalogDb\": \"Host=sqldata;Database=catalog;Username=app\" } }\n",
    );
    ws.write(
        "src/Catalog.API/appsettings.Development.json",
        "{ \"ConnectionStrings\": { \"CatalogDb\": ",
    );
    ws.write(
        "src/Catalog.API/CatalogApi.cs",
        "namespace Catalog.API;\n\npublic static class CatalogApi\n{\n    public static void Map(WebApplication app)\n    {\n        app.MapGroup(\"/api\").MapGet(\"/items/{id:int}\", GetItem);\n    }\n\n    static IResult GetItem(int id) => Results.Ok();\n}\n",
    );
    ws.write(
        "src/Mobile.Bff/appsettings.json",
        "{\n  \"ReverseProxy\": {\n    \"Routes\": {\n      \"c\": { \"ClusterId\": \"catalog\", \"Match\": { \"Path\": \"/catalog-api/{**catch-all}\" }, \"Transforms\": [ { \"PathRemovePrefix\": \"/catalog-api\" } ] }\n    },\n    \"Clusters\": { \"catalog\": { \"Destinations\": { \"d\": { \"Address\": \"http://catalog-api/\" } } } }\n  }\n}\n",
    );
    let index = ws.run(&["index", "."]);
    assert!(
        index.stdout.contains("1 with diagnostics"),
        "the malformed file is reported: {}",
        index.stdout
    );
    let links = link_places(&ws, |l| l["evidence"].as_str().unwrap().to_string());
    assert_eq!(
        links,
        BTreeSet::from([
            "src/WebApp/BasketClient.cs:5 -> src/Basket.API/BasketApi.cs:10 env-config".to_string(),
            "src/WebApp/BasketClient.cs:7 -> src/Catalog.API/CatalogApi.cs:10 gateway".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "basket-api -> basketdata redis env-config".to_string(),
            "catalog-api -> sqldata postgres env-config".to_string(),
            "mobile-bff -> catalog-api http env-config".to_string(),
            "webapp -> basket-api http env-config".to_string(),
            "webapp -> mobile-bff http gateway".to_string(),
        ])
    );
}

/// Gateways configured apart from code: Envoy (an `envsubst` template whose catch-all
/// route forwards what is addressed to the proxy), Traefik routers on the labels of
/// the services they route to, and Kong's declarative configuration mounted into a
/// `kong` image. Each is a `gateway` node; calls through them reach the handler.
#[test]
fn envoy_traefik_and_kong_gateways_forward_calls_to_handlers() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  frontend-proxy:\n    build: src/frontend-proxy\n    environment:\n      FRONTEND_HOST: frontend\n      FRONTEND_PORT: \"8080\"\n  frontend:\n    build: src/frontend\n  orders:\n    build: src/orders\n    labels:\n      - \"traefik.http.routers.orders.rule=PathPrefix(`/api/orders`)\"\n      - \"traefik.http.services.orders.loadbalancer.server.port=8081\"\n  cart:\n    build: src/cart\n  traefik:\n    image: traefik:v3.0\n  kong:\n    image: kong:3.6\n    volumes:\n      - ./kong/kong.yml:/kong/declarative/kong.yml\n  loadgen:\n    build: src/loadgen\n",
    );
    ws.write(
        "kong/kong.yml",
        "_format_version: \"3.0\"\nservices:\n  - name: cart\n    url: http://cart:7070\n    routes:\n      - paths: [/api/cart]\n",
    );
    ws.write(
        "src/cart/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/items\")\ndef items():\n    return \"[]\"\n",
    );
    ws.write("src/cart/requirements.txt", "flask\n");
    ws.write(
        "src/frontend-proxy/Dockerfile",
        "FROM envoyproxy/envoy:v1.30-latest\nCOPY envoy.tmpl.yaml /etc/envoy/\n",
    );
    ws.write(
        "src/frontend-proxy/envoy.tmpl.yaml",
        "static_resources:\n  listeners:\n    - address: { socket_address: { address: 0.0.0.0, port_value: 8080 } }\n      filter_chains:\n        - filters:\n            - name: envoy.filters.network.http_connection_manager\n              typed_config:\n                route_config:\n                  virtual_hosts:\n                    - name: frontend\n                      domains: [\"*\"]\n                      routes:\n                        - match: { prefix: \"/\" }\n                          route: { cluster: frontend }\n  clusters:\n    - name: frontend\n      type: STRICT_DNS\n      load_assignment:\n        cluster_name: frontend\n        endpoints:\n          - lb_endpoints:\n              - endpoint:\n                  address:\n                    socket_address: { address: \"${FRONTEND_HOST}\", port_value: \"${FRONTEND_PORT}\" }\n",
    );
    ws.write("src/frontend/package.json", "{\"name\": \"frontend\"}\n");
    ws.write(
        "src/frontend/server.js",
        "const app = require(\"express\")();\napp.get(\"/api/products/:id\", (req, res) => res.json({}));\n",
    );
    ws.write(
        "src/loadgen/load.py",
        "import requests\n\ndef browse():\n    requests.get(\"http://frontend-proxy:8080/api/products/1\")\n\ndef orders():\n    requests.get(\"http://traefik/api/orders/list\")\n\ndef cart():\n    requests.get(\"http://kong:8000/api/cart/items\")\n",
    );
    ws.write("src/loadgen/requirements.txt", "requests\n");
    ws.write("src/orders/go.mod", "module orders\n");
    ws.write(
        "src/orders/main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() {\n	http.HandleFunc(\"/api/orders/list\", listOrders)\n}\n\nfunc listOrders(w http.ResponseWriter, r *http.Request) {}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| format!("via {}", l["via"].as_str().unwrap_or("-")));
    assert_eq!(
        links,
        BTreeSet::from([
            "src/loadgen/load.py:4 -> src/frontend/server.js:2 via frontend-proxy".to_string(),
            "src/loadgen/load.py:7 -> src/orders/main.go:9 via traefik".to_string(),
            "src/loadgen/load.py:10 -> src/cart/app.py:5 via kong".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "frontend-proxy -> frontend http env-config".to_string(),
            "kong -> cart http env-config".to_string(),
            "loadgen -> frontend-proxy http gateway".to_string(),
            "loadgen -> kong http gateway".to_string(),
            "loadgen -> traefik http gateway".to_string(),
            "traefik -> orders http env-config".to_string(),
        ])
    );
    assert_eq!(
        gateway_names(&ws),
        BTreeSet::from(["frontend-proxy", "kong", "traefik"].map(String::from))
    );
    // Drawn as gateways.
    let mermaid = ws
        .run(&["services", "--format", "mermaid"])
        .ok()
        .to_string();
    assert!(mermaid.contains("[/\"traefik\"\\]"), "{mermaid}");
    let dot = ws.run(&["services", "--format", "dot"]).ok().to_string();
    assert!(dot.contains("label=\"kong\", shape=trapezium"), "{dot}");
}

/// Kubernetes routing objects are gateways: an Ingress (the public host its rules
/// name; `rewrite-target: /` drops the prefix), a Gateway API `HTTPRoute` (the
/// Gateway it attaches to, reached by its hostnames; `ReplacePrefixMatch`) and an
/// Istio `VirtualService` bound to a gateway (`rewrite.uri`; a mesh-only one routes
/// nothing). Calls to their hosts reach the handlers behind them. A routing object
/// no service calls is where outside traffic enters: its routes are the map's entry
/// points, not dependencies.
#[test]
fn ingress_httproute_and_virtualservice_route_calls_to_handlers() {
    let ws = Workspace::empty();
    let deployment = |name: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: shop/{name}:1.0\n")
    };
    ws.write(
        "k8s/apps.yaml",
        ["cart", "users", "orders", "catalog", "loadgen"]
            .map(deployment)
            .join("---\n"),
    );
    ws.write(
        "k8s/ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /api/cart\n            pathType: Prefix\n            backend:\n              service:\n                name: cart\n                port:\n                  number: 8080\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: users\n  annotations:\n    nginx.ingress.kubernetes.io/rewrite-target: /\nspec:\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /api/users\n            pathType: Prefix\n            backend:\n              service:\n                name: users\n                port:\n                  number: 80\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: admin\nspec:\n  rules:\n    - host: admin.example.com\n      http:\n        paths:\n          - path: /admin\n            pathType: Prefix\n            backend:\n              service:\n                name: users\n                port:\n                  number: 80\n",
    );
    ws.write(
        "k8s/routes.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: orders\nspec:\n  parentRefs:\n    - name: public-gw\n  hostnames: [api.example.com]\n  rules:\n    - matches:\n        - path: { type: PathPrefix, value: /orders }\n      filters:\n        - type: URLRewrite\n          urlRewrite:\n            path: { type: ReplacePrefixMatch, replacePrefixMatch: / }\n      backendRefs:\n        - name: orders\n          port: 80\n---\napiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: catalog\nspec:\n  hosts: [m.example.com]\n  gateways: [istio-system/mobile-gw]\n  http:\n    - match:\n        - uri: { prefix: /catalog }\n      rewrite: { uri: / }\n      route:\n        - destination:\n            host: catalog.shop.svc.cluster.local\n            port: { number: 9000 }\n---\napiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: cart-canary\nspec:\n  hosts: [cart]\n  http:\n    - route:\n        - destination: { host: cart, subset: v2 }\n",
    );
    for (name, file, code) in [
        ("cart", "server.js", "const app = require(\"express\")();\napp.get(\"/api/cart/items\", (req, res) => res.json([]));\n"),
        ("users", "server.js", "const app = require(\"express\")();\napp.get(\"/me\", (req, res) => res.json({}));\n"),
        ("orders", "server.js", "const app = require(\"express\")();\napp.get(\"/:id\", (req, res) => res.json({}));\n"),
        ("catalog", "server.js", "const app = require(\"express\")();\napp.get(\"/products\", (req, res) => res.json([]));\n"),
    ] {
        ws.write(&format!("{name}/package.json"), format!("{{\"name\": \"{name}\"}}\n"));
        ws.write(&format!("{name}/{file}"), code);
    }
    ws.write("loadgen/requirements.txt", "requests\n");
    ws.write(
        "loadgen/load.py",
        "import requests\n\ndef run():\n    requests.get(\"https://shop.example.com/api/cart/items\")\n    requests.get(\"https://shop.example.com/api/users/me\")\n    requests.get(\"https://api.example.com/orders/7\")\n    requests.get(\"https://m.example.com/catalog/products\")\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| format!("via {}", l["via"].as_str().unwrap_or("-")));
    assert_eq!(
        links,
        BTreeSet::from([
            "loadgen/load.py:4 -> cart/server.js:2 via shop.example.com".to_string(),
            "loadgen/load.py:5 -> users/server.js:2 via shop.example.com".to_string(),
            "loadgen/load.py:6 -> orders/server.js:2 via public-gw".to_string(),
            "loadgen/load.py:7 -> catalog/server.js:2 via mobile-gw".to_string(),
        ])
    );
    assert_eq!(
        gateway_names(&ws),
        BTreeSet::from(
            [
                "admin.example.com",
                "mobile-gw",
                "public-gw",
                "shop.example.com"
            ]
            .map(String::from)
        )
    );
    let map = ws.run(&["services", "--json"]).json();
    assert_eq!(
        pairs_of(&map, "entries"),
        BTreeSet::from(["admin.example.com -> users".to_string()])
    );
    let edges = pairs_of(&map, "edges");
    assert!(edges.contains("loadgen -> shop.example.com"), "{edges:?}");
    assert!(edges.contains("shop.example.com -> cart"), "{edges:?}");
    assert!(!edges.iter().any(|e| e.starts_with("admin.")), "{edges:?}");
    let text = ws.run(&["services"]).stdout;
    assert!(
        text.contains("entry points (1):\n  admin.example.com -> users  http"),
        "{text}"
    );
}

/// Dapr: service invocation through the SDKs (C#, Go, Java, JavaScript) and through
/// the sidecar's URL is an HTTP call to the app it names (an app id given by the
/// `dapr.io/app-id` annotation names its deployment's service); pub/sub publishers
/// link to the subscribers of the topic, declared by attribute, annotation or
/// decorator (at the handler).
#[test]
fn dapr_invocations_and_pubsub_link_services() {
    let ws = Workspace::empty();
    ws.write(
        "cart/app.py",
        "from flask import Flask\nfrom dapr.ext.flask import DaprApp\n\napp = Flask(__name__)\ndapr_app = DaprApp(app)\n\n@app.route(\"/items\", methods=[\"GET\"])\ndef items():\n    return \"[]\"\n\n@dapr_app.subscribe(pubsub=\"pubsub\", topic=\"order-placed\")\ndef on_order(event):\n    pass\n",
    );
    ws.write("cart/requirements.txt", "flask\n");
    ws.write(
        "k8s/cart.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    metadata:\n      annotations:\n        dapr.io/enabled: \"true\"\n        dapr.io/app-id: \"basket\"\n    spec:\n      containers:\n        - name: cart\n          image: shop/cart\n",
    );
    ws.write(
        "notify/Handlers.cs",
        "namespace Notify;\n\npublic class Handlers(DaprClient dapr)\n{\n    [Topic(\"pubsub\", \"order-placed\")]\n    [HttpPost(\"order-placed\")]\n    public Task OnOrder(Order o) => Task.CompletedTask;\n\n    public Task<Basket> Basket() => dapr.InvokeMethodAsync<Basket>(HttpMethod.Get, \"basket\", \"items\");\n\n    public Task Shipped() => dapr.PublishEventAsync(\"pubsub\", \"order-shipped\", new { });\n}\n",
    );
    ws.write(
        "notify/Notify.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n",
    );
    ws.write("orders/go.mod", "module orders\n");
    ws.write(
        "orders/main.go",
        "package main\n\nimport (\n	\"net/http\"\n\n	dapr \"github.com/dapr/go-sdk/client\"\n)\n\nfunc main() {\n	http.HandleFunc(\"GET /orders/{id}\", getOrder)\n}\n\nfunc getOrder(w http.ResponseWriter, r *http.Request) {}\n\nfunc place(client dapr.Client) {\n	client.PublishEvent(ctx, \"pubsub\", \"order-placed\", []byte(\"{}\"))\n	client.InvokeMethod(ctx, \"basket\", \"items\", \"get\")\n}\n",
    );
    ws.write(
        "shipping/pom.xml",
        "<project><artifactId>shipping</artifactId></project>\n",
    );
    ws.write(
        "shipping/src/main/java/s/Shipping.java",
        "package s;\n\n@RestController\nclass Shipping {\n    @Topic(name = \"order-placed\", pubsubName = \"pubsub\")\n    @PostMapping(\"/order-placed\")\n    public void onOrder(@RequestBody Object e) {\n    }\n\n    void ask(DaprClient client) {\n        client.invokeMethod(\"orders\", \"orders/7\", null, HttpExtension.GET, Object.class);\n    }\n}\n",
    );
    ws.write(
        "web/index.js",
        "const { DaprClient, HttpMethod } = require(\"@dapr/dapr\");\nconst client = new DaprClient();\n\nasync function basket() {\n  return client.invoker.invoke(\"basket\", \"items\", HttpMethod.GET);\n}\n\nasync function sidecar() {\n  return fetch(\"http://localhost:3500/v1.0/invoke/orders/method/orders/1\");\n}\n",
    );
    ws.write(
        "web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"@dapr/dapr\": \"3\"}}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| l["endpoint"].as_str().unwrap().to_string());
    let want: BTreeSet<String> = [
        "notify/Handlers.cs:9 -> cart/app.py:8 http:GET /items",
        "orders/main.go:16 -> cart/app.py:12 topic:order-placed",
        "orders/main.go:16 -> notify/Handlers.cs:7 topic:order-placed",
        "orders/main.go:16 -> shipping/src/main/java/s/Shipping.java:7 topic:order-placed",
        "orders/main.go:17 -> cart/app.py:8 http:GET /items",
        "shipping/src/main/java/s/Shipping.java:11 -> orders/main.go:13 http:GET /orders/{}",
        "web/index.js:5 -> cart/app.py:8 http:GET /items",
        "web/index.js:9 -> orders/main.go:13 http:GET /orders/{}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(links, want);
}

/// A gateway's configuration mounted into a container run from a third-party image
/// (compose `volumes`, short and long syntax) configures that container: an nginx
/// configuration mounted into the `gateway` service and an Envoy folder mounted into
/// `edge` make them the gateways calls go through.
#[test]
fn configuration_mounted_into_a_container_configures_it() {
    let ws = Workspace::empty();
    ws.write(
        "api/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/items\")\ndef items():\n    return \"[]\"\n\n@app.route(\"/v2/items\")\ndef items_v2():\n    return \"[]\"\n",
    );
    ws.write("api/requirements.txt", "flask\n");
    ws.write(
        "docker-compose.yml",
        "services:\n  gateway:\n    image: nginx:1.25\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n  edge:\n    image: envoyproxy/envoy:v1.30\n    volumes:\n      - type: bind\n        source: ./envoy\n        target: /etc/envoy\n  api:\n    build: ./api\n  web:\n    build: ./web\n",
    );
    ws.write(
        "envoy/envoy.yaml",
        "static_resources:\n  listeners:\n    - filter_chains:\n        - filters:\n            - typed_config:\n                route_config:\n                  virtual_hosts:\n                    - routes:\n                        - match: { prefix: \"/v2\" }\n                          route: { cluster: api }\n  clusters:\n    - name: api\n      load_assignment:\n        endpoints:\n          - lb_endpoints:\n              - endpoint: { address: { socket_address: { address: api, port_value: 8080 } } }\n",
    );
    ws.write(
        "nginx/nginx.conf",
        "http {\n  server {\n    location /api/ {\n      proxy_pass http://api:8080/;\n    }\n  }\n}\n",
    );
    ws.write(
        "web/app.js",
        "fetch(\"http://gateway/api/items\");\nfetch(\"http://edge:10000/v2/items\");\n",
    );
    ws.write("web/package.json", "{\"name\": \"web\"}\n");
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| format!("via {}", l["via"].as_str().unwrap_or("-")));
    assert_eq!(
        links,
        BTreeSet::from([
            "web/app.js:1 -> api/app.py:5 via gateway".to_string(),
            "web/app.js:2 -> api/app.py:9 via edge".to_string(),
        ])
    );
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "edge -> api http env-config".to_string(),
            "gateway -> api http env-config".to_string(),
            "web -> edge http gateway".to_string(),
            "web -> gateway http gateway".to_string(),
        ])
    );
}

/// Clients of infrastructure and load generators: a service whose environment names
/// the flagd daemon depends on it (`external`, over gRPC); a k6 script's calls read
/// their base URL from `__ENV`, as the load generator's deployment sets it.
#[test]
fn flagd_users_and_k6_load_generators_are_consumers() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  flagd:\n    image: ghcr.io/open-feature/flagd:v0.11\n  frontend:\n    build: ./frontend\n    environment:\n      FLAGD_HOST: flagd\n      FLAGD_PORT: \"8013\"\n  k6:\n    build: ./k6\n    environment:\n      BASE_URL: http://frontend:8080\n",
    );
    ws.write("frontend/package.json", "{\"name\": \"frontend\"}\n");
    ws.write(
        "frontend/server.js",
        "const app = require(\"express\")();\napp.get(\"/api/products/:id\", (req, res) => res.json({}));\n",
    );
    ws.write("k6/Dockerfile", "FROM grafana/k6\nCOPY script.js /\n");
    ws.write(
        "k6/script.js",
        "import http from \"k6/http\";\n\nexport default function () {\n  http.get(`${__ENV.BASE_URL}/api/products/42`);\n}\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from([
            "frontend -> flagd grpc env-config".to_string(),
            "k6 -> frontend http env-config".to_string(),
        ])
    );
    let services = ws.run(&["services", "--json"]).json();
    let flagd = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "flagd")
        .unwrap();
    assert_eq!(flagd["kind"], "external");
    let mermaid = ws
        .run(&["services", "--format", "mermaid"])
        .ok()
        .to_string();
    assert!(mermaid.contains(">\"flagd\"]"), "{mermaid}");
}

/// Clients reached indirectly: a C# gRPC client named through a `using` alias and
/// injected as a primary-constructor parameter (registered with `AddGrpcClient<T>`); a
/// Python stub made as a module global under `if __name__ == "__main__":` and used in
/// a function above it; Go's `http.NewRequest(http.MethodPost, ...)` with its host
/// from the environment.
#[test]
fn clients_reached_through_aliases_globals_and_method_constants() {
    let ws = Workspace::empty();
    ws.write(
        "basket/Basket.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n",
    );
    ws.write(
        "basket/BasketService.cs",
        "namespace Shop.Basket;\n\npublic class BasketService : Basket.BasketBase\n{\n    public override Task<BasketReply> GetBasket(BasketRequest request, ServerCallContext context) => null;\n}\n",
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  goclient:\n    build: ./goclient\n    environment:\n      PAYMENT_ADDR: payment:8080\n  payment:\n    build: ./payment\n  pyclient:\n    build: ./pyclient\n  basket:\n    build: ./basket\n",
    );
    ws.write("goclient/go.mod", "module goclient\n");
    ws.write(
        "goclient/main.go",
        "package main\n\nimport (\n	\"net/http\"\n	\"os\"\n)\n\nfunc charge() {\n	req, _ := http.NewRequest(http.MethodPost, \"http://\"+os.Getenv(\"PAYMENT_ADDR\")+\"/charge\", nil)\n	http.DefaultClient.Do(req)\n}\n",
    );
    ws.write("payment/go.mod", "module payment\n");
    ws.write(
        "payment/main.go",
        "package main\n\nimport \"net/http\"\n\nfunc main() {\n	http.HandleFunc(\"/charge\", charge)\n}\n\nfunc charge(w http.ResponseWriter, r *http.Request) {}\n",
    );
    ws.write(
        "proto/basket.proto",
        "syntax = \"proto3\";\npackage shop;\noption csharp_namespace = \"Shop.Basket\";\nservice Basket {\n  rpc GetBasket (BasketRequest) returns (BasketReply);\n}\nmessage BasketRequest { string id = 1; }\nmessage BasketReply { string id = 1; }\n",
    );
    ws.write(
        "pyclient/client.py",
        "import grpc\nimport basket_pb2_grpc\n\ndef load(id):\n    return stub.GetBasket(id)\n\nif __name__ == \"__main__\":\n    channel = grpc.insecure_channel(\"basket:50051\")\n    stub = basket_pb2_grpc.BasketStub(channel)\n    load(\"1\")\n",
    );
    ws.write("pyclient/requirements.txt", "grpcio\n");
    ws.write(
        "webapp/BasketState.cs",
        "using Shop.Basket;\nusing BasketClient = Shop.Basket.Basket.BasketClient;\n\nnamespace WebApp;\n\npublic class BasketState(BasketClient basketClient)\n{\n    public async Task Load(string id)\n    {\n        var reply = await basketClient.GetBasketAsync(new BasketRequest { Id = id });\n    }\n}\n",
    );
    ws.write(
        "webapp/Program.cs",
        "using BasketClient = Shop.Basket.Basket.BasketClient;\nvar builder = WebApplication.CreateBuilder(args);\nbuilder.Services.AddGrpcClient<BasketClient>(o => o.Address = new(\"http://basket\"));\n",
    );
    ws.write(
        "webapp/WebApp.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk.Web\"></Project>\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| l["evidence"].as_str().unwrap().to_string());
    assert_eq!(
        links,
        BTreeSet::from([
            "goclient/main.go:9 -> payment/main.go:9 env-config".to_string(),
            "pyclient/client.py:5 -> basket/BasketService.cs:5 idl".to_string(),
            "webapp/BasketState.cs:10 -> basket/BasketService.cs:5 idl".to_string(),
        ])
    );
    let endpoints = ws.run(&["endpoints", "--json"]).json();
    let charge = endpoints
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["file"] == "goclient/main.go")
        .unwrap();
    assert_eq!(charge["endpoint"], "http:POST /charge");
}

/// Spring Cloud Stream: `StreamBridge.send` to a binding, functional beans
/// (`Supplier`, `Function`, `Consumer` and their `-out-0`/`-in-0` bindings) and the
/// annotation model (`@StreamListener(Processor.INPUT)`, `@SendTo(Processor.OUTPUT)`)
/// meet on the destinations the configuration binds them to (YAML or properties).
#[test]
fn spring_cloud_stream_bindings_link_through_their_destinations() {
    let ws = Workspace::empty();
    ws.write(
        "billing/pom.xml",
        "<project><artifactId>billing</artifactId></project>\n",
    );
    ws.write(
        "billing/src/main/java/b/Billing.java",
        "package b;\n\n@Configuration\nclass Billing {\n    @Bean\n    public Function<Order, Payment> charge() {\n        return o -> new Payment();\n    }\n}\n",
    );
    ws.write(
        "billing/src/main/resources/application.properties",
        "spring.application.name=billing\nspring.cloud.stream.bindings.charge-in-0.destination=order-events\nspring.cloud.stream.bindings.charge-out-0.destination=payments\n",
    );
    ws.write(
        "legacy/pom.xml",
        "<project><artifactId>legacy</artifactId></project>\n",
    );
    ws.write(
        "legacy/src/main/java/l/Legacy.java",
        "package l;\n\n@EnableBinding(Processor.class)\nclass Legacy {\n    @StreamListener(Processor.INPUT)\n    @SendTo(Processor.OUTPUT)\n    public Receipt onPayment(Payment p) {\n        return new Receipt();\n    }\n}\n",
    );
    ws.write(
        "legacy/src/main/resources/application.yml",
        "spring:\n  application:\n    name: legacy\n  cloud:\n    stream:\n      bindings:\n        input:\n          destination: payments\n        output:\n          destination: audit\n",
    );
    ws.write(
        "orders/pom.xml",
        "<project><artifactId>orders</artifactId></project>\n",
    );
    ws.write(
        "orders/src/main/java/o/Orders.java",
        "package o;\n\nclass Orders {\n    private final StreamBridge streamBridge;\n\n    void place(Order o) {\n        streamBridge.send(\"placed-out-0\", o);\n    }\n\n    @Bean\n    public Supplier<Audit> audit() {\n        return () -> new Audit();\n    }\n}\n",
    );
    ws.write(
        "orders/src/main/resources/application.yml",
        "spring:\n  application:\n    name: orders\n  cloud:\n    stream:\n      bindings:\n        placed-out-0:\n          destination: order-events\n        audit-out-0:\n          destination: audit\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| l["endpoint"].as_str().unwrap().to_string());
    assert_eq!(
        links,
        BTreeSet::from([
            "billing/src/main/java/b/Billing.java:5 -> legacy/src/main/java/l/Legacy.java:7 topic:payments".to_string(),
            "orders/src/main/java/o/Orders.java:7 -> billing/src/main/java/b/Billing.java:6 topic:order-events".to_string(),
        ])
    );
}

/// A servicer extending the generated base through intermediate classes handles its
/// rpcs; Rust's `env::var(..).unwrap_or_else(|_| "..".into())` default and
/// `format!("{base}/orders/42")` with inline arguments keep their URL.
#[test]
fn handlers_through_intermediate_bases_and_rust_formatted_urls() {
    let ws = Workspace::empty();
    ws.write(
        "caller/c.py",
        "import grpc\nimport email_pb2_grpc\n\ndef send():\n    stub = email_pb2_grpc.EmailServiceStub(grpc.insecure_channel(\"py:8080\"))\n    stub.Send(None)\n",
    );
    ws.write("caller/requirements.txt", "grpcio\n");
    ws.write(
        "orders/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/orders/<int:id>\")\ndef order(id):\n    return \"{}\"\n",
    );
    ws.write("orders/requirements.txt", "flask\n");
    ws.write(
        "proto/email.proto",
        "syntax = \"proto3\";\npackage shop;\nservice EmailService {\n  rpc Send (SendRequest) returns (SendReply);\n}\nmessage SendRequest {}\nmessage SendReply {}\n",
    );
    ws.write(
        "py/email_server.py",
        "import email_pb2_grpc\n\nclass BaseEmailService(email_pb2_grpc.EmailServiceServicer):\n    pass\n\nclass MidEmailService(BaseEmailService):\n    pass\n\nclass EmailService(MidEmailService):\n    def Send(self, request, context):\n        return None\n",
    );
    ws.write("py/requirements.txt", "grpcio\n");
    ws.write(
        "rs/Cargo.toml",
        "[package]\nname = \"rs\"\nversion = \"0.1.0\"\n",
    );
    ws.write(
        "rs/src/main.rs",
        "use std::env;\n\nasync fn orders() {\n    let base = env::var(\"ORDERS_URL\").unwrap_or_else(|_| \"http://orders:8080\".into());\n    let client = reqwest::Client::new();\n    client.get(format!(\"{base}/orders/42\")).send().await;\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_places(&ws, |l| l["evidence"].as_str().unwrap().to_string());
    assert_eq!(
        links,
        BTreeSet::from([
            "caller/c.py:6 -> py/email_server.py:10 idl".to_string(),
            "rs/src/main.rs:6 -> orders/app.py:5 literal-url".to_string(),
        ])
    );
}

/// Values returned by a function of the file taking nothing: a Go package variable
/// set from `getTopic()` (an environment lookup with a fallback) and a Python
/// `orders_topic()` returning `os.getenv(.., default)` name the same topic; the
/// deployment's environment overrides both alike.
#[test]
fn topics_returned_by_functions_with_env_defaults() {
    let ws = Workspace::empty();
    ws.write("consumer/requirements.txt", "kafka-python\n");
    ws.write(
        "consumer/worker.py",
        "import os\nfrom kafka import KafkaConsumer\n\ndef orders_topic():\n    return os.getenv(\"ORDERS_TOPIC\", \"orders\")\n\ndef run():\n    consumer = KafkaConsumer(orders_topic())\n    for m in consumer:\n        pass\n",
    );
    ws.write("producer/go.mod", "module producer\n");
    ws.write(
        "producer/main.go",
        "package main\n\nimport (\n	\"os\"\n\n	\"github.com/segmentio/kafka-go\"\n)\n\nvar Topic = getTopic()\n\nfunc getTopic() string {\n	if t := os.Getenv(\"ORDERS_TOPIC\"); t != \"\" {\n		return t\n	}\n	return \"orders\"\n}\n\nfunc publish() {\n	w := kafka.Writer{Topic: Topic}\n	_ = w\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_lines(&ws);
    assert_eq!(
        links,
        BTreeSet::from([
            "go producer main.go publish(). -> topic:orders python consumer worker.py run(). topic-name".to_string()
        ])
    );
    ws.write(
        "docker-compose.yml",
        "services:\n  producer:\n    build: ./producer\n    environment:\n      ORDERS_TOPIC: order-events\n  consumer:\n    build: ./consumer\n    environment:\n      ORDERS_TOPIC: order-events\n",
    );
    ws.run(&["index", "."]).ok();
    let links: Vec<String> = link_lines(&ws).into_iter().collect();
    assert_eq!(
        links,
        ["go producer main.go publish(). -> topic:order-events python consumer worker.py run(). topic-name"]
    );
}

/// Deployments that name only an image (`image: acme/shop-db`, no `build:`) run what
/// a build script builds it from (`docker build -t "${REGISTRY}shop-db" ../infra/db`);
/// a Helm chart's Deployments take the names its named templates give them.
#[test]
fn images_built_by_scripts_and_helm_named_templates_place_deployments() {
    let ws = Workspace::empty();
    ws.write(
        "services/shop.orders/pom.xml",
        "<project><artifactId>orders</artifactId></project>\n",
    );
    ws.write(
        "services/shop.orders/src/main/java/shop/Orders.java",
        "package shop;\n\nclass Orders {\n    void place() {}\n}\n",
    );
    ws.write(
        "services/shop.orders/Dockerfile",
        "FROM eclipse-temurin:17\nCOPY target/orders.jar /app.jar\n",
    );
    // The database: the official image plus a schema, in a folder of another name.
    ws.write(
        "infra/shop.database/Dockerfile",
        "FROM mariadb:10.4\nCOPY schema.sql /docker-entrypoint-initdb.d/\n",
    );
    ws.write(
        "infra/shop.database/schema.sql",
        "CREATE TABLE orders (id INT);\n",
    );
    ws.write(
        "tools/build_images.sh",
        "#!/bin/sh\nregistry=\"${REGISTRY:-acme/}\"\n\
         docker buildx build --platform linux/amd64 -t \"${registry}shop-db\" ../infra/shop.database/ --load\n\
         docker build \\\n  -t \"${registry}shop-orders:${TAG}\" ../services/shop.orders/\n",
    );
    ws.write(
        "deploy/docker-compose.yml",
        "services:\n  db:\n    image: acme/shop-db\n  orders:\n    image: acme/shop-orders\n    environment:\n      DB_HOST: db\n      DB_PORT: \"3306\"\n",
    );
    // A chart naming each Deployment through a helper of the chart's.
    ws.write("deploy/chart/Chart.yaml", "apiVersion: v2\nname: cloud\n");
    ws.write(
        "deploy/chart/values.yaml",
        "orders:\n  image: acme/shop-orders\n",
    );
    ws.write(
        "deploy/chart/templates/_helpers.tpl",
        "{{- define \"shop.fullname\" -}}\n{{- if .Values.fullnameOverride }}\n{{ .Values.fullnameOverride }}\n{{- else }}\n{{ .Release.Name }}\n{{- end }}\n{{- end }}\n{{- define \"shop.orders.fullname\" -}}\n{{- include \"shop.fullname\" . }}-orders\n{{- end }}\n",
    );
    ws.write(
        "deploy/chart/templates/orders.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"shop.orders.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: orders\n          image: \"{{ .Values.orders.image }}:latest\"\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        service_lines(&ws),
        BTreeSet::from([
            "db datastore infra/shop.database".to_string(),
            // The compose name, which its folder's name ends with, over the chart's
            // (which comes first by name).
            "orders service services/shop.orders".to_string(),
        ])
    );
    let map = ws.run(&["services", "--json"]).json();
    let deployed_as = |name: &str| -> Vec<String> {
        let service = map["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no service {name}: {map}"));
        serde_json::from_value(service["deployed_as"].clone()).unwrap()
    };
    assert_eq!(deployed_as("db"), ["db"]);
    assert_eq!(deployed_as("orders"), ["cloud-orders", "orders"]);
    assert_eq!(
        edge_lines(&ws),
        BTreeSet::from(["orders -> db mysql env-config".to_string()])
    );
}

/// A function that makes its request with the path it is given makes it at each call
/// passing a literal path, with that path: JavaScript, Python and Go wrappers, one
/// with a second parameter no call passes a literal for (an unknown segment), one
/// called through another that passes its parameter on, and a function of the same
/// name in another service, whose calls are not the wrapper's.
#[test]
fn requests_made_by_wrappers_are_made_at_each_call_with_its_path() {
    let ws = Workspace::empty();
    ws.write("orders/requirements.txt", "flask\n");
    ws.write(
        "orders/app.py",
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route(\"/orders\")\ndef orders():\n    return []\n\n@app.route(\"/orders/<oid>\")\ndef items(oid):\n    return []\n\n@app.route(\"/stock\")\ndef stock():\n    return []\n",
    );
    ws.write("web/package.json", "{\"name\": \"web\"}\n");
    ws.write(
        "web/api.js",
        "const BASE = process.env.ORDERS_URL || \"http://orders:8080\";\n\nfunction callApi(path, id) {\n  return fetch(BASE + path + \"/\" + id);\n}\n\nfunction get(path) {\n  return fetch(BASE + path);\n}\n\nfunction listOrders() {\n  return get(\"/orders\");\n}\n\nfunction listItems(oid) {\n  return callApi(\"/orders\", oid);\n}\n\nfunction getJson(path) {\n  return get(path);\n}\n\nfunction stockLevels() {\n  return getJson(\"/stock\");\n}\n",
    );
    ws.write("report/requirements.txt", "requests\n");
    ws.write(
        "report/client.py",
        "import os\nimport requests\n\nBASE = os.getenv(\"ORDERS_URL\", \"http://orders:8080\")\n\n\ndef call_orders(path):\n    return requests.get(BASE + path)\n\n\ndef daily():\n    return call_orders(\"/orders\")\n\n\ndef alive():\n    return call_orders(path=\"/stock\")\n",
    );
    ws.write("probe/go.mod", "module example.com/probe\n\ngo 1.22\n");
    ws.write(
        "probe/main.go",
        "package main\n\nimport \"net/http\"\n\nfunc call(path string) (*http.Response, error) {\n\treturn http.Get(\"http://orders:8080\" + path)\n}\n\nfunc main() {\n\tcall(\"/stock\")\n}\n",
    );
    // A route registered through a method of the same name as a wrapper is no call
    // of the wrapper.
    ws.write(
        "web/server.js",
        "const express = require(\"express\");\nconst app = express();\napp.get(\"/stock\", (req, res) => res.send([]));\n",
    );
    // Another service's `get`, called with a path: no request of its own.
    ws.write("tools/package.json", "{\"name\": \"tools\"}\n");
    ws.write(
        "tools/cache.js",
        "const store = new Map();\n\nfunction get(path) {\n  return store.get(path);\n}\n\nget(\"/orders\");\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "go probe main.go main(). -> http:GET /stock python orders app.py stock(). literal-url".to_string(),
            "javascript web api.js listItems(). -> http:GET /orders/{} python orders app.py items(). literal-url".to_string(),
            "javascript web api.js listOrders(). -> http:GET /orders python orders app.py orders(). literal-url".to_string(),
            // Through two wrappers.
            "javascript web api.js stockLevels(). -> http:GET /stock python orders app.py stock(). literal-url".to_string(),
            "python report client.py alive(). -> http:GET /stock python orders app.py stock(). literal-url".to_string(),
            "python report client.py daily(). -> http:GET /orders python orders app.py orders(). literal-url".to_string(),
        ])
    );
}

/// An address built by small value objects of one file (a host, a zone, a path
/// joined by a method of a third) and returned by a configuration's getter is the
/// address a call passing that getter's value reaches: through a wrapper building
/// Spring's `RequestEntity` on what it is given, the request is made at each call.
#[test]
fn addresses_built_by_value_objects_reach_calls_through_wrappers() {
    let ws = Workspace::empty();
    ws.write("billing/go.mod", "module example.com/billing\n\ngo 1.22\n");
    ws.write(
        "billing/main.go",
        "package main\n\nimport \"net/http\"\n\nfunc charge(w http.ResponseWriter, r *http.Request) {}\n\nfunc main() {\n\thttp.HandleFunc(\"/charge\", charge)\n\thttp.ListenAndServe(\":80\", nil)\n}\n",
    );
    ws.write(
        "checkout/pom.xml",
        "<project><artifactId>checkout</artifactId></project>\n",
    );
    ws.write(
        "checkout/src/main/java/shop/Settings.java",
        r#"package shop;

import java.net.URI;

public class Settings {
    private String zone = "";

    public URI getBillingUri() {
        return new Address(new Host("billing"), new Zone(zone), "/charge").toUri();
    }

    public URI getAuditUri() {
        return new Address(new Host(System.getenv("AUDIT")), new Zone(zone), "/log").toUri();
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    private class Host {
        private final String name;

        private Host(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            if (name != null && !name.equals("")) {
                return name;
            } else {
                return "";
            }
        }
    }

    private class Zone {
        private final String zone;

        private Zone(String zone) {
            this.zone = zone;
        }

        @Override
        public String toString() {
            return zone.isEmpty() ? "" : "." + zone;
        }
    }

    private class Address {
        private final Host host;
        private final Zone zone;
        private final String path;

        private Address(Host host, Zone zone, String path) {
            this.host = host;
            this.zone = zone;
            this.path = path;
        }

        public URI toUri() {
            return URI.create(scheme(host.toString() + zone.toString()) + path);
        }

        private String scheme(String host) {
            return "http://" + host;
        }
    }
}
"#,
    );
    ws.write(
        "checkout/src/main/java/shop/Requests.java",
        "package shop;\n\nimport java.net.URI;\nimport org.springframework.http.RequestEntity;\nimport org.springframework.web.client.RestTemplate;\n\npublic class Requests {\n    private final RestTemplate rest = new RestTemplate();\n\n    public <B> String post(URI uri, B body) {\n        RequestEntity<B> request = RequestEntity.post(uri).body(body);\n        return rest.exchange(request, String.class).getBody();\n    }\n}\n",
    );
    ws.write(
        "checkout/src/main/java/shop/Checkout.java",
        "package shop;\n\npublic class Checkout {\n    private final Settings settings = new Settings();\n    private final Requests requests = new Requests();\n\n    public String pay(String order) {\n        return requests.post(settings.getBillingUri(), order);\n    }\n\n    public String audit(String order) {\n        return requests.post(settings.getAuditUri(), order);\n    }\n}\n",
    );
    ws.run(&["index", "."]).ok();
    // The audit address's host is the environment's: no link is made to a guess.
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "java checkout src/main/java/shop/Checkout.java Checkout#pay(). -> http:* /charge go billing main.go charge(). literal-url".to_string(),
        ])
    );
}

/// Datastores and brokers a service's code connects to: a connection string with the
/// environment's value or its default, a formatted JDBC URL, a MySQL DSN, and a
/// client's host option whose client's name says what it is; a host option of
/// another kind of client is none.
#[test]
fn connection_strings_and_client_hosts_in_code_reach_infrastructure() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  cart:\n    build: cart\n    environment:\n      CACHE_HOST: cart-cache\n  users:\n    build: users\n  stock:\n    build: stock\n  shipping:\n    build: shipping\n  cart-cache:\n    image: redis:7\n  users-db:\n    image: mongo:6\n  stock-db:\n    image: mysql:8\n  cities-db:\n    image: postgres:16\n  web:\n    image: nginx\n",
    );
    ws.write("cart/package.json", "{\"name\": \"cart\"}\n");
    ws.write(
        "cart/store.js",
        "const redis = require('redis');\nconst host = process.env.CACHE_HOST || 'localhost';\nconst client = redis.createClient({ host: host });\nhttp.request({ host: 'web', path: '/' });\n",
    );
    ws.write("users/requirements.txt", "pymongo\n");
    ws.write(
        "users/db.py",
        "import os\nfrom pymongo import MongoClient\n\nclient = MongoClient(os.getenv('MONGO_URL', 'mongodb://users-db:27017/users'))\n",
    );
    ws.write("stock/go.mod", "module example.com/stock\n\ngo 1.22\n");
    ws.write(
        "stock/main.go",
        "package main\n\nimport \"flag\"\n\nvar dsn = flag.String(\"DSN\", \"stock:secret@tcp(stock-db:3306)/stock\", \"database\")\n\nfunc main() {}\n",
    );
    ws.write(
        "shipping/pom.xml",
        "<project><artifactId>shipping</artifactId></project>\n",
    );
    ws.write(
        "shipping/src/main/java/shop/Jpa.java",
        "package shop;\n\nclass Jpa {\n  String url() {\n    String host = System.getenv(\"DB_HOST\") == null ? \"cities-db\" : System.getenv(\"DB_HOST\");\n    return String.format(\"jdbc:postgresql://%s/cities\", \"cities-db\");\n  }\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let edges: BTreeSet<String> = edge_lines(&ws)
        .into_iter()
        .filter(|e| e.contains("connection-string"))
        .collect();
    assert_eq!(
        edges,
        BTreeSet::from([
            "cart -> cart-cache redis connection-string,env-config".to_string(),
            "shipping -> cities-db postgres connection-string".to_string(),
            "stock -> stock-db mysql connection-string".to_string(),
            "users -> users-db mongodb connection-string".to_string(),
        ])
    );
    assert!(
        !edge_lines(&ws).iter().any(|e| e.starts_with("cart -> web")),
        "an HTTP client's host option is no datastore's"
    );
}

#[test]
fn a_settings_address_handed_to_a_helper_reaches_a_prefixed_router_and_schemes_name_unknown_images()
{
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  catalog:\n    build: ./catalog\n    environment:\n      - AI_URL=http://ai:5001/\n      - STORE_URI=mongodb://docstore:10260/?tls=true\n  ai:\n    build: ./ai\n  docstore:\n    image: example.org/docstore/docstore-local:1.2\n  metrics:\n    image: example.org/metrics:3\n",
    );
    ws.write(
        "catalog/Cargo.toml",
        "[package]\nname = \"catalog\"\nversion = \"0.1.0\"\n",
    );
    // The address is a field of a settings object read from the environment; a helper
    // takes it and a path and formats them with inline names.
    ws.write(
        "catalog/src/config.rs",
        "use std::env;\n\npub struct Settings {\n    pub ai_url: String,\n}\n\nimpl Default for Settings {\n    fn default() -> Self {\n        let ai_url = env::var(\"AI_URL\").unwrap_or_else(|_| \"http://127.0.0.1:5001\".into());\n        Self { ai_url: ai_url.trim_end_matches('/').to_string() }\n    }\n}\n",
    );
    ws.write(
        "catalog/src/routes.rs",
        "use crate::config::Settings;\n\nasync fn forward(client: &reqwest::Client, base_url: &str, path: &str) -> reqwest::Result<String> {\n    let url = format!(\"{base_url}{path}\");\n    client.post(&url).send().await?.text().await\n}\n\npub async fn describe(client: &reqwest::Client, settings: &Settings) -> reqwest::Result<String> {\n    forward(client, &settings.ai_url, \"/generate/description\").await\n}\n",
    );
    ws.write("ai/requirements.txt", "fastapi\n");
    // A router made with a prefix; one of its routes nobody calls.
    ws.write(
        "ai/main.py",
        "from fastapi import APIRouter, FastAPI\n\nrouter = APIRouter(prefix=\"/generate\", tags=[\"generation\"])\n\n@router.post(\"/description\")\ndef describe():\n    return {}\n\n@router.post(\"/image\")\ndef image():\n    return {}\n\napp = FastAPI()\napp.include_router(router)\n",
    );
    ws.run(&["index", "."]).ok();
    assert_eq!(
        link_lines(&ws),
        BTreeSet::from([
            "rust catalog src/routes.rs describe(). -> http:POST /generate/description python ai main.py describe(). env-config".to_string(),
        ])
    );
    let edges = edge_lines(&ws);
    assert!(
        edges.contains("catalog -> docstore mongodb env-config"),
        "{edges:?}"
    );
    // An image nothing reaches by a datastore's or broker's scheme is no node.
    let services = ws.run(&["services", "--json"]).json();
    let names: BTreeSet<&str> = services["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains("docstore") && !names.contains("metrics"),
        "{names:?}"
    );
}

#[test]
fn routers_and_blueprints_included_under_a_prefix_serve_their_routes_there() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  shop:\n    build: ./shop\n  cart:\n    build: ./cart\n  web:\n    build: ./web\n",
    );
    // FastAPI: a router module included under a prefix by the app.
    ws.write("shop/requirements.txt", "fastapi\n");
    ws.write(
        "shop/app/main.py",
        "from fastapi import FastAPI\nfrom .routers import items\n\napp = FastAPI()\napp.include_router(items.router, prefix=\"/items\")\n",
    );
    ws.write(
        "shop/app/routers/items.py",
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n@router.get(\"/{item_id}\")\ndef read_item(item_id: int):\n    return {}\n",
    );
    // Flask: a blueprint imported under another name and registered under a prefix.
    ws.write("cart/requirements.txt", "flask\n");
    ws.write(
        "cart/service/app.py",
        "from flask import Flask\nfrom .lines import bp as lines_bp\n\napp = Flask(__name__)\napp.register_blueprint(lines_bp, url_prefix=\"/cart\")\n",
    );
    ws.write(
        "cart/service/lines.py",
        "from flask import Blueprint\n\nbp = Blueprint(\"lines\", __name__)\n\n@bp.route(\"/lines\", methods=[\"POST\"])\ndef add_line():\n    return {}\n",
    );
    ws.write(
        "web/package.json",
        "{\"name\": \"web\", \"dependencies\": {\"express\": \"4\"}}\n",
    );
    ws.write(
        "web/index.js",
        "async function item(id) {\n  return fetch(`http://shop/items/${id}`);\n}\n\nasync function addLine(line) {\n  return fetch(\"http://cart/cart/lines\", { method: \"POST\", body: JSON.stringify(line) });\n}\n\nmodule.exports = { item, addLine };\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_lines(&ws);
    assert!(
        links.contains("javascript web index.js item(). -> http:GET /items/{} python shop app/routers/items.py read_item(). literal-url"),
        "{links:?}"
    );
    assert!(
        links.contains("javascript web index.js addLine(). -> http:POST /cart/lines python cart service/lines.py add_line(). literal-url"),
        "{links:?}"
    );
}

#[test]
fn amqp_one_and_service_bus_clients_link_senders_to_receivers() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  orders:\n    build: ./orders\n    environment:\n      - ORDER_QUEUE_NAME=orders\n  kitchen:\n    build: ./kitchen\n    environment:\n      - ORDER_QUEUE_NAME=orders\n  rabbitmq:\n    image: rabbitmq:4\n",
    );
    ws.write(
        "orders/package.json",
        "{\"name\": \"orders\", \"dependencies\": {\"rabbitmq-amqp-js-client\": \"0.5\"}}\n",
    );
    ws.write(
        "orders/queue.js",
        "async function publisherFor(conn) {\n  const queueName = process.env.ORDER_QUEUE_NAME\n  return conn.createPublisher({ queue: { name: queueName } })\n}\n\nasync function paymentsSender(client) {\n  return client.createSender(\"payments\")\n}\n\nmodule.exports = { publisherFor, paymentsSender }\n",
    );
    ws.write("kitchen/go.mod", "module example.com/kitchen\n\ngo 1.22\n");
    // go-amqp addresses RabbitMQ's queues as `/queues/<name>`; Service Bus by name.
    ws.write(
        "kitchen/consumer.go",
        "package main\n\nimport (\n\t\"context\"\n\t\"os\"\n)\n\nfunc consumeOrders(ctx context.Context, session *amqp.Session) error {\n\tqueueName := os.Getenv(\"ORDER_QUEUE_NAME\")\n\treceiver, err := session.NewReceiver(ctx, \"/queues/\"+queueName, nil)\n\t_ = receiver\n\treturn err\n}\n\nfunc consumePayments(client *azservicebus.Client) error {\n\treceiver, err := client.NewReceiverForQueue(\"payments\", nil)\n\t_ = receiver\n\treturn err\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let found = link_lines(&ws);
    let want: BTreeSet<String> = [
        "javascript orders queue.js publisherFor(). -> topic:orders go kitchen consumer.go consumeOrders(). topic-name",
        "javascript orders queue.js paymentsSender(). -> topic:payments go kitchen consumer.go consumePayments(). topic-name",
    ]
    .iter()
    .map(|l| l.to_string())
    .collect();
    assert_eq!(found, want);
}

#[test]
fn an_unknown_base_url_glued_to_a_path_keeps_the_paths_first_segment() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  admin:\n    build: ./admin\n  catalog:\n    build: ./catalog\n  writer:\n    build: ./writer\n",
    );
    // A base URL of unknown value ending in its slash: `${CATALOG_URL}ai/describe` is
    // `/ai/describe`.
    ws.write(
        "admin/package.json",
        "{\"name\": \"admin\", \"dependencies\": {\"express\": \"4\"}}\n",
    );
    ws.write(
        "admin/proxy.ts",
        "import { loadSettings } from \"./settings\";\n\nconst settings = loadSettings();\nconst CATALOG_URL = settings.CATALOG_URL || \"http://localhost:3002/\";\n\nexport async function describe(body: string) {\n  return fetch(`${CATALOG_URL}ai/describe`, { method: \"POST\", body });\n}\n",
    );
    ws.write(
        "catalog/package.json",
        "{\"name\": \"catalog\", \"dependencies\": {\"express\": \"4\"}}\n",
    );
    ws.write(
        "catalog/server.js",
        "const express = require(\"express\");\nconst app = express();\n\napp.post(\"/ai/describe\", function describeProduct(req, res) {\n  res.json({});\n});\n\napp.listen(3002);\n",
    );
    // Another service serving `/describe`: not what the call names.
    ws.write("writer/requirements.txt", "flask\n");
    ws.write(
        "writer/app.py",
        "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route(\"/describe\", methods=[\"POST\"])\ndef write_description():\n    return {}\n",
    );
    ws.run(&["index", "."]).ok();
    let links = link_lines(&ws);
    assert!(
        links.contains("typescript admin proxy.ts describe(). -> http:POST /ai/describe javascript catalog server.js <top-level> route-template"),
        "{links:?}"
    );
    assert!(
        !links.iter().any(|l| l.contains("write_description")),
        "{links:?}"
    );
}

#[test]
fn topics_named_by_a_helpers_parameter_are_named_where_it_is_called() {
    let ws = Workspace::empty();
    ws.write(
        "docker-compose.yml",
        "services:\n  orders:\n    build: ./orders\n  kitchen:\n    build: ./kitchen\n    environment:\n      - ORDER_QUEUE_NAME=orders\n  rabbitmq:\n    image: rabbitmq:4\n",
    );
    // A publishing helper given the queue's name by its callers.
    ws.write(
        "orders/package.json",
        "{\"name\": \"orders\", \"dependencies\": {\"amqplib\": \"0.10\"}}\n",
    );
    ws.write(
        "orders/publish.js",
        "async function publishTo(channel, queueName, message) {\n  channel.sendToQueue(queueName, Buffer.from(JSON.stringify(message)));\n}\n\nasync function placeOrder(channel, order) {\n  await publishTo(channel, \"orders\", order);\n}\n\nmodule.exports = { placeOrder };\n",
    );
    // A consumer whose queue's name reaches the receiver through two functions.
    ws.write("kitchen/go.mod", "module kitchen\n\ngo 1.22\n");
    ws.write(
        "kitchen/consumer.go",
        "package main\n\nimport (\n\t\"context\"\n\t\"os\"\n\n\tamqp \"github.com/Azure/go-amqp\"\n)\n\nfunc receive(ctx context.Context, session *amqp.Session, queueName string) error {\n\treceiver, err := session.NewReceiver(ctx, \"/queues/\"+queueName, nil)\n\tif err != nil {\n\t\treturn err\n\t}\n\t_, err = receiver.Receive(ctx, nil)\n\treturn err\n}\n\nfunc loop(ctx context.Context, session *amqp.Session, queueName string) {\n\tfor receive(ctx, session, queueName) == nil {\n\t}\n}\n\nfunc start(ctx context.Context, session *amqp.Session) {\n\torderQueueName := os.Getenv(\"ORDER_QUEUE_NAME\")\n\tloop(ctx, session, orderQueueName)\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let found = link_lines(&ws);
    assert!(
        found.iter().any(|l| l.starts_with(
            "javascript orders publish.js placeOrder(). -> topic:orders go kitchen consumer.go"
        )),
        "{found:?}"
    );
}

/// A Go gRPC server registered by hand (`RegisterDriverServiceServer(srv, s)`) whose
/// type does not embed the generated base answers the service's rpcs with its
/// methods; registered and embedded at once, each rpc is one endpoint.
#[test]
fn a_go_server_registered_by_hand_answers_its_services_rpcs() {
    let ws = Workspace::empty();
    ws.write(
        "proto/driver.proto",
        "syntax = \"proto3\";\npackage driver;\nservice DriverService {\n  rpc FindNearest(Req) returns (Resp);\n}\nmessage Req {}\nmessage Resp {}\n",
    );
    ws.write("driver/go.mod", "module driver\n");
    ws.write(
        "driver/server.go",
        "package main\n\ntype Server struct{ server *grpc.Server }\n\nfunc (s *Server) Run() error {\n\tpb.RegisterDriverServiceServer(s.server, s)\n\treturn s.server.Serve(nil)\n}\n\nfunc (s *Server) FindNearest(ctx context.Context, r *pb.Req) (*pb.Resp, error) {\n\treturn nil, nil\n}\n",
    );
    ws.write("both/go.mod", "module both\n");
    ws.write(
        "both/server.go",
        "package main\n\ntype other struct {\n\tpb.UnimplementedDriverServiceServer\n}\n\nfunc (o *other) FindNearest(ctx context.Context, r *pb.Req) (*pb.Resp, error) {\n\treturn nil, nil\n}\n\nfunc main() {\n\tpb.RegisterDriverServiceServer(grpc.NewServer(), &other{})\n}\n",
    );
    ws.write("front/go.mod", "module front\n");
    ws.write(
        "front/client.go",
        "package main\n\nfunc nearest(conn *grpc.ClientConn) {\n\tc := pb.NewDriverServiceClient(conn)\n\tc.FindNearest(context.Background(), &pb.Req{})\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let provided: Vec<String> = ws
        .run(&["endpoints", "--json"])
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["role"] == "provides")
        .map(|e| {
            format!(
                "{} {}:{}",
                e["endpoint"].as_str().unwrap(),
                e["file"].as_str().unwrap(),
                e["line"]
            )
        })
        .collect();
    assert_eq!(
        provided,
        vec![
            "grpc:driver.DriverService/FindNearest both/server.go:7".to_string(),
            "grpc:driver.DriverService/FindNearest driver/server.go:10".to_string(),
        ]
    );
    let edges = edge_lines(&ws);
    assert!(edges.contains("front -> driver grpc idl"), "{edges:?}");
}

/// One program serving several services in-process (each with its own package, all
/// in one module): its calls to its own handlers are matched within the service,
/// neither dependencies nor unmatched; a wrapper given a URL whose host is known
/// only at run time (`"http://" + c.hostPort + "/customer"`) makes its request
/// with that path at each call.
#[test]
fn calls_one_program_answers_itself_are_matched_within_its_service() {
    let ws = Workspace::empty();
    ws.write("go.mod", "module example.com/rides\n");
    ws.write(
        "pkg/tracing/http.go",
        "package tracing\n\ntype HTTPClient struct{ Client *http.Client }\n\nfunc (c *HTTPClient) GetJSON(ctx context.Context, _ string, url string, out any) error {\n\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)\n\tif err != nil {\n\t\treturn err\n\t}\n\t_, err = c.Client.Do(req)\n\treturn err\n}\n",
    );
    ws.write(
        "services/customer/client.go",
        "package customer\n\ntype Client struct {\n\tclient   *tracing.HTTPClient\n\thostPort string\n}\n\nfunc (c *Client) Get(ctx context.Context, id int) error {\n\turl := fmt.Sprintf(\"http://\"+c.hostPort+\"/customer?customer=%d\", id)\n\treturn c.client.GetJSON(ctx, \"/customer\", url, nil)\n}\n",
    );
    ws.write(
        "services/customer/server.go",
        "package customer\n\nfunc (s *Server) createServeMux() http.Handler {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc(\"/customer\", s.customer)\n\tmux.HandleFunc(\"/orders\", s.orders)\n\treturn mux\n}\n\nfunc (s *Server) customer(w http.ResponseWriter, r *http.Request) {}\n\nfunc (s *Server) orders(w http.ResponseWriter, r *http.Request) {}\n",
    );
    ws.run(&["index", "."]).ok();
    let endpoints = ws.run(&["endpoints", "--json"]).json();
    let status: BTreeSet<String> = endpoints
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}:{} linked={} internal={}",
                e["role"].as_str().unwrap(),
                e["endpoint"].as_str().unwrap(),
                e["file"].as_str().unwrap(),
                e["line"],
                e["linked"],
                e["internal"]
            )
        })
        .collect();
    assert_eq!(
        status,
        BTreeSet::from([
            "consumes http:GET /customer services/customer/client.go:10 linked=false internal=true"
                .to_string(),
            "provides http:* /customer services/customer/server.go:10 linked=false internal=true"
                .to_string(),
            "provides http:* /orders services/customer/server.go:12 linked=false internal=false"
                .to_string(),
        ])
    );
    let unmatched = ws.run(&["endpoints", "--unmatched"]).ok().to_string();
    assert!(
        unmatched.contains("/orders") && !unmatched.contains(" /customer "),
        "{unmatched}"
    );
    assert!(edge_lines(&ws).is_empty());
}
