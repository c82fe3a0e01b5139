//! End-to-end: the real binary indexes the fixture workspace and answers every
//! query command, in text and JSON.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cartograph_tests::{run_in, Workspace};
use expect_test::expect;

fn indexed_shop() -> Workspace {
    let ws = Workspace::fixture("shop");
    let out = ws.run(&["index", "."]);
    out.ok();
    ws
}

#[test]
fn index_reports_what_it_did() {
    let ws = Workspace::fixture("shop");
    let first = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(first["files"], 22);
    assert_eq!(first["added"], 22);
    assert_eq!(first["changed"], 0);
    let again = ws.run(&["index"]);
    assert!(again.ok().contains(": 0 changed ("), "{}", again.stdout);
    assert!(again.stdout.contains("22 unchanged"), "{}", again.stdout);
}

#[test]
fn search_ranks_code_aware_matches() {
    let ws = indexed_shop();
    expect![[r#"
        src/cartservice/main.go:14:23  method  cartService.GetCart
        src/cartservice/cart.go:17:1  method  CartStore.GetCart
        src/cartservice/cart.go:58:22  method  memoryStore.GetCart
        src/cartservice/cart.go:16:1  method  CartStore.AddItem
        src/cartservice/cart.go:43:22  method  memoryStore.AddItem
    "#]]
    .assert_eq(
        ws.run(&["search", "cart", "--kind", "method", "--lang", "go"])
            .ok(),
    );
    // getCartItems, get_cart_items and GetCartItems all match "cart items".
    expect![[r#"
        src/frontend/src/api.ts:27:8  method  CartClient.getCartItems
        src/cartservice/cart.go:43:22  method  memoryStore.AddItem
        src/cartservice/cart.go:16:1  method  CartStore.AddItem
    "#]]
    .assert_eq(
        ws.run(&["search", "cart", "items", "--kind", "method"])
            .ok(),
    );
    expect![[r#"
        src/frontend/src/api.ts:27:8  method  CartClient.getCartItems
    "#]]
    .assert_eq(ws.run(&["search", "get_cart_items"]).ok());
    expect![[r#"
        src/frontend/src/api.ts:27:8  method  CartClient.getCartItems
    "#]]
    .assert_eq(ws.run(&["search", "GetCartItems"]).ok());
    // Exact names rank first; filters by service and path apply.
    let top = ws.run(&["search", "Cart", "--limit", "1"]);
    assert!(top.ok().contains("  Cart\n"), "{}", top.stdout);
    expect![[r#"
        protos/shop.proto:8:8  service  CartService
    "#]]
    .assert_eq(
        ws.run(&["search", "cart", "--service", "root", "--kind", "service"])
            .ok(),
    );
    expect![[r#"
        src/ledger/src/lib.rs:28:11  struct  Ledger
        src/ledger/src/lib.rs:20:9  enum  LedgerError
    "#]]
    .assert_eq(
        ws.run(&[
            "search",
            "ledger",
            "--path",
            "src/ledger/src/lib.rs",
            "--limit",
            "2",
        ])
        .ok(),
    );
}

#[test]
fn search_json_has_the_documented_fields() {
    let ws = indexed_shop();
    let hits = ws.run(&["search", "charge", "--json"]).json();
    let first = &hits.as_array().unwrap()[0];
    for key in [
        "id",
        "name",
        "qualified_name",
        "kind",
        "language",
        "service",
        "file",
        "line",
        "col",
        "end_line",
        "signature",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
}

#[test]
fn def_shows_signature_doc_and_snippet() {
    let ws = indexed_shop();
    expect![[r#"
        protos/shop.proto:8:8  service  CartService
          id: proto root protos/shop.proto CartService#
          signature: service CartService
          doc: CartService keeps the items a user intends to buy.
            | service CartService {
            |   // AddItem puts a product into a user's cart.
            |   rpc AddItem(AddItemRequest) returns (Empty) {}
            |   rpc GetCart(GetCartRequest) returns (Cart) {}
            |   rpc EmptyCart(EmptyCartRequest) returns (Empty) {}
            | }
    "#]]
    .assert_eq(ws.run(&["def", "CartService"]).ok());
    // Qualified names and IDs find exactly one definition.
    expect![[r#"
        src/cartservice/main.go:14:23  method  cartService.GetCart
          id: go cartservice main.go cartService#GetCart().
          signature: func (cs *cartService) GetCart(ctx context.Context, userID string) (*Cart, error)
          doc: GetCart answers the CartService/GetCart rpc.
            | func (cs *cartService) GetCart(ctx context.Context, userID string) (*Cart, error) {
            | 	return cs.store.GetCart(ctx, userID)
            | }
    "#]]
    .assert_eq(ws.run(&["def", "cartService.GetCart"]).ok());
    let by_id = ws
        .run(&[
            "def",
            "go cartservice main.go cartService#GetCart().",
            "--json",
        ])
        .json();
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    assert_eq!(by_id[0]["qualified_name"], "cartService.GetCart");
    assert_eq!(
        by_id[0]["doc"],
        "GetCart answers the CartService/GetCart rpc."
    );
    // Every same-named definition across languages is listed.
    let all = ws.run(&["def", "GetCart", "--json"]).json();
    let files: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "protos/shop.proto",
            "src/cartservice/cart.go",
            "src/cartservice/cart.go",
            "src/cartservice/main.go"
        ]
    );
}

#[test]
fn def_of_an_unknown_name_is_not_found() {
    let ws = indexed_shop();
    let out = ws.run(&["def", "NoSuchThing"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("no definition named `NoSuchThing`"),
        "{}",
        out.stderr
    );
    let bad = ws.run(&["search", "x", "--kind", "gizmo"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("unknown kind `gizmo`"),
        "{}",
        bad.stderr
    );
}

#[test]
fn refs_lists_every_site_with_its_enclosing_symbol() {
    let ws = indexed_shop();
    expect![[r#"
        src/cartservice/cart.go:46:16  call  GetCart  in memoryStore#AddItem().  -> src/cartservice/cart.go:58 memoryStore#GetCart(). [member 0.95]
        src/cartservice/main.go:15:17  call  GetCart  in cartService#GetCart().  -> src/cartservice/cart.go:17 CartStore#GetCart(). [member 0.90]
        src/cartservice/main.go:21:18  call  GetCart  in main().  -> src/cartservice/main.go:14 cartService#GetCart(). [member 0.90]
    "#]]
    .assert_eq(ws.run(&["refs", "GetCart", "--by-name"]).ok());
    let json = ws.run(&["refs", "EmailSender", "--json"]).json();
    let sites = json.as_array().unwrap();
    assert!(!sites.is_empty());
    for key in ["file", "line", "col", "kind", "name", "enclosing"] {
        assert!(sites[0].get(key).is_some(), "missing {key}");
    }
    let inherit = sites.iter().find(|s| s["kind"] == "inherit").unwrap();
    assert_eq!(
        inherit["enclosing"],
        "python emailservice emailservice/server.py DummySender#"
    );
    let top = ws.run(&["refs", "require", "--json"]).json();
    assert!(top
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["enclosing"].is_null()));
}

#[test]
fn outline_nests_members_under_their_types() {
    let ws = indexed_shop();
    expect![[r#"
        src/adservice/src/main/java/com/shop/ads/AdService.java
          1:8  module  com.shop.ads
          7:13  class  AdService
            8:29  field  MAX_ADS
            9:27  field  inventory
            11:11  constructor  AdService
            17:20  method  getAds
            27:23  method  main
          32:10  interface  AdProvider
            33:13  method  getAds
          36:15  class  BaseService
            37:19  method  log
          42:7  class  Ad
          44:5  enum  AdKind
            44:14  enum_member  TEXT
            44:20  enum_member  IMAGE
    "#]]
    .assert_eq(
        ws.run(&[
            "outline",
            "src/adservice/src/main/java/com/shop/ads/AdService.java",
        ])
        .ok(),
    );
    // Paths relative to the current directory work too.
    let inner = run_in(
        &ws.root.join("src/ledger"),
        &["outline", "src/entry.rs", "--json"],
    )
    .json();
    assert_eq!(inner[0]["qualified_name"], "Entry");
    assert_eq!(inner[0]["children"][0]["name"], "account");
    let missing = ws.run(&["outline", "src/nope.go"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("src/nope.go is not indexed; no such file"),
        "{}",
        missing.stderr
    );
}

#[test]
fn stats_counts_per_language_and_reports_freshness() {
    let ws = indexed_shop();
    let stats = ws.run(&["stats", "--json"]).json();
    assert_eq!(stats["files"], 22);
    assert_eq!(stats["services"], 9);
    assert_eq!(stats["languages"]["cpp"]["files"], 3);
    assert_eq!(stats["languages"]["c"]["files"], 1);
    assert_eq!(stats["languages"]["go"]["files"], 2);
    assert_eq!(stats["languages"]["proto"]["symbols"], 34);
    assert!(stats["index_size_bytes"].as_u64().unwrap() > 0);
    assert_eq!(stats["freshness"]["modified"].as_array().unwrap().len(), 0);
    ws.write(
        "src/cartservice/extra.go",
        "package main\n\nfunc Extra() {}\n",
    );
    let text = ws.run(&["stats"]);
    assert!(
        text.ok()
            .contains("freshness: stale (0 modified, 1 added, 0 deleted"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("  added: src/cartservice/extra.go"));
}

#[test]
fn export_writes_one_json_record_per_line() {
    let ws = indexed_shop();
    let out = ws.run(&["export"]);
    let mut counts = std::collections::BTreeMap::new();
    let mut resolved_call_seen = false;
    for line in out.ok().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *counts
            .entry(v["type"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
        if v["type"] == "symbol"
            && v["name"] == "AddItem"
            && v["file"] == "src/cartservice/cart.go"
            && v["kind"] == "method"
            && v["qualified_name"] == "memoryStore.AddItem"
        {
            assert_eq!(v["id"], "go cartservice cart.go memoryStore#AddItem().");
            assert_eq!(v["line"], 43);
            assert_eq!(v["col"], 22);
            assert_eq!(v["end_line"], 56);
        }
        if v["type"] == "reference" {
            assert!(v["targets"].is_array());
            if v["name"] == "render_confirmation" && v["kind"] == "call" {
                assert_eq!(
                    v["targets"][0]["id"],
                    "python emailservice emailservice/templates.py render_confirmation()."
                );
                assert_eq!(v["targets"][0]["evidence"], "import");
                resolved_call_seen = true;
            }
        }
    }
    assert!(resolved_call_seen);
    expect![[r#"{"edge": 175, "file": 22, "reference": 316, "service": 9, "symbol": 179}"#]]
        .assert_eq(&format!("{counts:?}"));
}

#[test]
fn services_come_from_manifests() {
    let ws = indexed_shop();
    let out = ws.run(&["export"]);
    let services: Vec<String> = out
        .ok()
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"service\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {}",
                v["name"].as_str().unwrap(),
                v["path"],
                v["languages"]
            )
        })
        .collect();
    expect![[r#"
        root "" ["proto","python"]
        adservice "src/adservice" ["java"]
        cartservice "src/cartservice" ["go"]
        emailservice "src/emailservice" ["python"]
        frontend "src/frontend" ["tsx","typescript"]
        ledger "src/ledger" ["rust"]
        native "src/native" ["c","cpp"]
        paymentservice "src/paymentservice" ["javascript"]
        ShippingService "src/shippingservice" ["csharp"]"#]]
    .assert_eq(&services.join("\n"));
}

#[test]
fn queries_find_the_index_from_subdirectories_and_by_flag() {
    let ws = indexed_shop();
    let deep = ws.root.join("src/frontend/src/components");
    assert!(run_in(&deep, &["def", "CartView"])
        .ok()
        .contains("CartView.tsx"));
    let elsewhere = tempfile::tempdir().unwrap();
    let index = ws.root.join(".cartograph");
    let by_flag = run_in(
        elsewhere.path(),
        &["--index", index.to_str().unwrap(), "def", "Ledger"],
    );
    assert!(by_flag
        .ok()
        .contains("src/ledger/src/lib.rs:28:11  struct  Ledger"));
}

#[test]
fn several_roots_share_one_index() {
    let a = Workspace::fixture("shop");
    let b = Workspace::empty();
    b.write("tools/gen.py", "def generate_cart():\n    pass\n");
    let index = a.tmp.path().join("combined-index");
    let out = run_in(
        a.tmp.path(),
        &[
            "--index",
            index.to_str().unwrap(),
            "index",
            a.root.to_str().unwrap(),
            b.root.to_str().unwrap(),
        ],
    );
    out.ok();
    let hits = run_in(
        a.tmp.path(),
        &[
            "--index",
            index.to_str().unwrap(),
            "search",
            "generate cart",
        ],
    );
    assert_eq!(hits.ok(), "ws/tools/gen.py:1:4  function  generate_cart\n");
    let cart = run_in(
        a.tmp.path(),
        &["--index", index.to_str().unwrap(), "def", "memoryStore"],
    );
    assert!(
        cart.ok().starts_with("shop/src/cartservice/cart.go:32:5"),
        "{}",
        cart.stdout
    );
}

#[test]
fn generated_code_is_marked_ranked_last_and_left_out_of_maps() {
    let ws = Workspace::empty();
    ws.write("cart/requirements.txt", "grpcio\n");
    // protoc's output: named like it, many symbols that mention carts.
    let stubs: String = (0..6)
        .map(|i| format!("class CartServiceStub{i}:\n    def get_cart(self):\n        pass\n\n"))
        .collect();
    ws.write(
        "cart/demo_pb2_grpc.py",
        format!("# Generated by the gRPC Python protocol compiler plugin. DO NOT EDIT!\n{stubs}"),
    );
    ws.write(
        "cart/gen.go",
        "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage cart\n\nfunc CartServiceGet() {}\n",
    );
    ws.write(
        "cart/service.py",
        "from demo_pb2_grpc import CartServiceStub0\n\ndef cart_service_get_cart(stub):\n    \"\"\"Reads a cart through the cart service.\"\"\"\n    return stub.get_cart()\n",
    );
    ws.run(&["index", "."]).ok();
    let hits = ws.run(&["search", "cart", "service", "--json"]).json();
    let hits = hits.as_array().unwrap();
    assert_eq!(hits[0]["name"], "cart_service_get_cart", "{hits:?}");
    assert!(hits[0].get("generated").is_none());
    assert!(
        hits.iter()
            .any(|h| h["file"] == "cart/demo_pb2_grpc.py" && h["generated"] == true),
        "{hits:?}"
    );
    assert!(
        hits.iter()
            .any(|h| h["file"] == "cart/gen.go" && h["generated"] == true),
        "the `Code generated … DO NOT EDIT` marker: {hits:?}"
    );
    let map = ws.run(&["map", "--json"]).json().to_string();
    assert!(map.contains("cart_service_get_cart"), "{map}");
    assert!(
        !map.contains("demo_pb2_grpc") && !map.contains("gen.go"),
        "{map}"
    );
}

#[test]
fn a_first_index_keeps_itself_out_of_git_status() {
    let ws = Workspace::empty();
    std::fs::create_dir_all(ws.root.join(".git/info")).unwrap();
    ws.write("main.go", "package main\n\nfunc main() {}\n");
    ws.run(&["index", "."]).ok();
    let exclude = std::fs::read_to_string(ws.root.join(".git/info/exclude")).unwrap();
    assert!(exclude.lines().any(|l| l == "/.cartograph/"), "{exclude}");
    // Once only.
    ws.write("more.go", "package main\n\nfunc more() {}\n");
    ws.run(&["index", "."]).ok();
    let again = std::fs::read_to_string(ws.root.join(".git/info/exclude")).unwrap();
    assert_eq!(again, exclude);
    // Logs piped to a file carry no terminal colours (a file over the size cap is
    // logged as skipped).
    ws.write("big.go", format!("package main\n// {}\n", "x".repeat(200)));
    let run = ws.run(&["-v", "index", ".", "--max-file-size", "100"]);
    assert!(run.stderr.contains("big.go"), "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
}

#[test]
fn every_id_an_answer_prints_is_accepted_back() {
    let ws = Workspace::empty();
    ws.write("tool/requirements.txt", "click\n");
    ws.write(
        "tool/run.py",
        "def helper():\n    return 1\n\n\ndef main():\n    return helper()\n\n\nhelper()\n",
    );
    ws.run(&["index", "."]).ok();
    let callers = ws.run(&["callers", "helper", "--json"]).json();
    let ids: Vec<String> = callers["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let top = "python tool run.py <top-level>";
    assert!(ids.iter().any(|i| i == top), "{ids:?}");
    for id in &ids {
        let def = ws.run(&["def", id, "--json"]).json();
        assert_eq!(def[0]["id"], id.as_str(), "{def}");
    }
    // The top-level code reads as the file's opening lines, and goes on.
    let def = ws.run(&["def", top, "--json"]).json();
    assert!(def[0]["snippet"]
        .as_str()
        .unwrap()
        .starts_with("def helper():"));
    let callees = ws.run(&["callees", top, "--json"]).json();
    assert_eq!(callees["children"][0]["id"], "python tool run.py helper().");
    let path = ws.run(&["path", top, "python tool run.py helper().", "--json"]);
    assert_eq!(path.code, 0, "{}", path.stderr);
}

#[test]
fn search_finds_concepts_through_other_forms_of_the_words() {
    let ws = Workspace::empty();
    ws.write("currency/package.json", r#"{"name": "currency"}"#);
    ws.write(
        "currency/convert.js",
        "/**\n * Converts between currencies at today's rates.\n */\nfunction convert(from, to, amount) {\n  return amount * rate(from, to);\n}\n\nfunction rate(from, to) {\n  return 1;\n}\n\nmodule.exports = { convert };\n",
    );
    // Generated types that merely contain the words.
    ws.write(
        "currency/gen/currency_pb.js",
        "// Code generated by protoc-gen-js. DO NOT EDIT.\nclass CurrencyConversionRequest {}\nclass CurrencyConversionResponse {}\nfunction serializeCurrencyConversionRequest(m) { return m; }\nmodule.exports = { CurrencyConversionRequest, CurrencyConversionResponse };\n",
    );
    ws.run(&["index", "."]).ok();
    let hits = ws.run(&["search", "currency conversion", "--json"]).json();
    let names: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"convert"), "{names:?}");
    // A question in plain words: words such as `how` and `are` say nothing.
    let hits = ws
        .run(&["search", "how", "are", "currencies", "converted", "--json"])
        .json();
    assert_eq!(hits[0]["name"], "convert", "{hits}");
    // When no symbol has every word, the ones with the most of them come.
    let hits = ws
        .run(&["search", "convert", "between", "galaxies", "--json"])
        .json();
    assert_eq!(hits[0]["name"], "convert", "{hits}");
    // Plural and singular forms find each other.
    let hits = ws.run(&["search", "rates", "--json"]).json();
    assert_eq!(hits[0]["name"], "rate", "{hits}");
}
