//! Resolution on the shop fixture: references point to the right definitions, each
//! link says how it was found, and ambiguous names list their candidates.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cartograph_tests::Workspace;
use expect_test::expect;

fn indexed_shop() -> Workspace {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    ws
}

#[test]
fn an_ambiguous_name_lists_its_candidates_instead_of_guessing() {
    let ws = indexed_shop();
    let out = ws.run(&["refs", "GetCart"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`GetCart` names 4 symbols"),
        "{}",
        out.stderr
    );
    expect![[r#"
        protos/shop.proto:11:6  rpc  CartService.GetCart  proto root protos/shop.proto CartService#GetCart().
        src/cartservice/cart.go:17:1  method  CartStore.GetCart  go cartservice cart.go CartStore#GetCart().
        src/cartservice/cart.go:58:22  method  memoryStore.GetCart  go cartservice cart.go memoryStore#GetCart().
        src/cartservice/main.go:14:23  method  cartService.GetCart  go cartservice main.go cartService#GetCart().
    "#]]
    .assert_eq(&out.stdout);
}

#[test]
fn references_to_one_symbol_carry_their_evidence() {
    let ws = indexed_shop();
    // Through a Go receiver: a member of the receiver's type.
    expect![[r#"
        src/cartservice/cart.go:46:16  call  GetCart  in memoryStore#AddItem().  -> src/cartservice/cart.go:58 memoryStore#GetCart(). [member 0.95]
    "#]]
    .assert_eq(ws.run(&["refs", "go cartservice cart.go memoryStore#GetCart()."]).ok());
    // An ID that names nothing is "not found", not a search by its name.
    let gone = ws.run(&["refs", "go cartservice cart.go memoryStore#Nope()."]);
    assert_eq!(gone.code, 1);
    assert!(gone.stderr.contains("no symbol with ID"), "{}", gone.stderr);
    // A Python relative import.
    expect![[r#"
        src/emailservice/emailservice/server.py:4:23  import  render_confirmation  in (top level)  -> src/emailservice/emailservice/templates.py:5 render_confirmation(). [import 0.90]
        src/emailservice/emailservice/server.py:35:15  call  render_confirmation  in send_order_confirmation().  -> src/emailservice/emailservice/templates.py:5 render_confirmation(). [import 0.90]
    "#]]
    .assert_eq(ws.run(&["refs", "render_confirmation"]).ok());
    // A TypeScript relative import, from a TSX file one directory down.
    let json = ws.run(&["refs", "CartLine", "--json"]).json();
    let from_tsx: Vec<&serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["file"] == "src/frontend/src/components/CartView.tsx")
        .collect();
    assert!(!from_tsx.is_empty(), "{json}");
    assert!(
        from_tsx
            .iter()
            .all(|s| s["targets"][0]["evidence"] == "import"),
        "{json}"
    );
    // A Java class used in its own file; a Rust path through `use`.
    let ad = ws.run(&["refs", "Ad", "--json"]).json();
    assert!(
        ad.as_array()
            .unwrap()
            .iter()
            .all(|s| s["targets"][0]["evidence"] == "scope"),
        "{ad}"
    );
    let entry = ws.run(&["refs", "Entry", "--json"]).json();
    let from_lib: Vec<&serde_json::Value> = entry
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["file"] == "src/ledger/src/lib.rs")
        .collect();
    assert!(!from_lib.is_empty());
    assert!(
        from_lib
            .iter()
            .all(|s| s["targets"][0]["evidence"] == "import"),
        "{entry}"
    );
}

#[test]
fn names_from_outside_the_workspace_stay_unresolved() {
    let ws = indexed_shop();
    // `errors.New` comes from the Go standard library: a site, no target.
    let json = ws.run(&["refs", "New", "--json"]).json();
    let sites = json.as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert!(
        sites
            .iter()
            .all(|s| s["targets"].as_array().unwrap().is_empty()),
        "{json}"
    );
}

#[test]
fn go_to_definition_from_a_position() {
    let ws = indexed_shop();
    let out = ws
        .run(&[
            "def",
            "--at",
            "src/emailservice/emailservice/server.py:38:4",
            "--json",
        ])
        .json();
    assert_eq!(out.as_array().unwrap().len(), 1, "{out}");
    assert_eq!(
        out[0]["id"],
        "python emailservice emailservice/server.py build_sender()."
    );
    assert_eq!(out[0]["evidence"], "scope");
    // On a definition's own name: that definition.
    let own = ws
        .run(&["def", "--at", "src/ledger/src/lib.rs:28:11", "--json"])
        .json();
    assert_eq!(own[0]["qualified_name"], "Ledger");
    let nothing = ws.run(&["def", "--at", "src/ledger/src/lib.rs:2:0"]);
    assert_eq!(nothing.code, 1);
    let bad = ws.run(&["def", "--at", "src/ledger/src/lib.rs:x:0"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("is not a line number"),
        "{}",
        bad.stderr
    );
}

#[test]
fn callers_and_callees_as_trees() {
    let ws = indexed_shop();
    expect![[r#"
        src/cartservice/cart.go:58:22  method  memoryStore.GetCart
          src/cartservice/cart.go:43:22  method  memoryStore.AddItem  [member 0.95] at src/cartservice/cart.go:46:16
    "#]]
    .assert_eq(ws.run(&["callers", "go cartservice cart.go memoryStore#GetCart().", "--depth", "3"]).ok());
    expect![[r#"
        src/emailservice/emailservice/server.py:32:4  function  send_order_confirmation
          src/emailservice/emailservice/templates.py:5:4  function  render_confirmation  [import 0.90] at src/emailservice/emailservice/server.py:35:15
            src/emailservice/emailservice/templates.py:1:6  class  TemplateError  [scope 0.90] at src/emailservice/emailservice/templates.py:7:14
          src/emailservice/emailservice/server.py:28:4  function  build_sender  [scope 0.90] at src/emailservice/emailservice/server.py:38:4
            src/emailservice/emailservice/server.py:20:6  class  DummySender  [scope 0.90] at src/emailservice/emailservice/server.py:29:11
          src/emailservice/emailservice/server.py:16:8  method  EmailSender.send  [name-only 0.25] at src/emailservice/emailservice/server.py:38:19
          src/emailservice/emailservice/server.py:23:8  method  DummySender.send  [name-only 0.25] at src/emailservice/emailservice/server.py:38:19
    "#]]
    .assert_eq(ws.run(&["callees", "send_order_confirmation", "--depth", "2"]).ok());
    // Receivers whose type the syntax shows: `svc := &cartService{...}; svc.GetCart()`
    // and, one field deep, `cs.store.GetCart()` with `store CartStore`.
    expect![[r#"
        src/cartservice/cart.go:17:1  method  CartStore.GetCart
          src/cartservice/main.go:14:23  method  cartService.GetCart  [member 0.90] at src/cartservice/main.go:15:17
            src/cartservice/main.go:18:5  function  main  [member 0.90] at src/cartservice/main.go:21:18
    "#]]
    .assert_eq(ws.run(&["callers", "CartStore.GetCart", "--depth", "2"]).ok());
    let json = ws.run(&["callers", "render_confirmation", "--json"]).json();
    assert_eq!(json["symbol"]["name"], "render_confirmation");
    assert_eq!(json["children"][0]["evidence"], "import");
    assert_eq!(ws.run(&["callers", "GetCart"]).code, 1);
    assert_eq!(ws.run(&["callers", "x", "--depth", "99"]).code, 2);
}

#[test]
fn hierarchy_shows_supertypes_subtypes_and_overrides() {
    let ws = indexed_shop();
    expect![[r#"
        src/emailservice/emailservice/server.py:23:8  method  DummySender.send
        owner: src/emailservice/emailservice/server.py:20:6  class  DummySender
        supertypes:
          src/emailservice/emailservice/server.py:11:6  class  EmailSender  [scope 0.90] at src/emailservice/emailservice/server.py:20:18
        overrides:
          src/emailservice/emailservice/server.py:16:8  method  EmailSender.send  [inherited 0.90] at src/emailservice/emailservice/server.py:20:18
    "#]]
    .assert_eq(ws.run(&["hierarchy", "DummySender.send"]).ok());
    // A Rust trait and the type implementing it (`impl Recorder for Ledger`).
    expect![[r#"
        src/ledger/src/lib.rs:13:10  trait  Recorder
        subtypes:
          src/ledger/src/lib.rs:28:11  struct  Ledger  [scope 0.90] at src/ledger/src/lib.rs:46:5
    "#]]
    .assert_eq(ws.run(&["hierarchy", "Recorder"]).ok());
    // A base from outside the workspace is shown, unresolved.
    let json = ws.run(&["hierarchy", "TemplateError", "--json"]).json();
    assert_eq!(json["supertypes"][0]["name"], "Exception");
    assert!(json["supertypes"][0]["symbol"].is_null());
    let java = ws.run(&["hierarchy", "AdService.getAds", "--json"]).json();
    assert_eq!(
        java["overrides"][0]["symbol"]["qualified_name"],
        "AdProvider.getAds"
    );
}

#[test]
fn path_finds_a_shortest_chain_of_calls() {
    let ws = indexed_shop();
    expect![[r#"
        src/emailservice/emailservice/server.py:32:4  function  send_order_confirmation
          -> src/emailservice/emailservice/templates.py:5:4  function  render_confirmation  [import 0.90] at src/emailservice/emailservice/server.py:35:15
          -> src/emailservice/emailservice/templates.py:1:6  class  TemplateError  [scope 0.90] at src/emailservice/emailservice/templates.py:7:14
    "#]]
    .assert_eq(ws.run(&["path", "send_order_confirmation", "TemplateError"]).ok());
    let none = ws.run(&["path", "TemplateError", "send_order_confirmation"]);
    assert_eq!(none.code, 1);
    assert!(
        none.stderr.contains("no chain of resolved calls"),
        "{}",
        none.stderr
    );
}

#[test]
fn calls_through_an_interface_reach_its_implementations() {
    let ws = indexed_shop();
    // `IQuoteCalculator calc = ...; calc.Calculate(3)`: the interface method, and the
    // implementation it may dispatch to, with lower confidence.
    expect![[r#"
        src/shippingservice/Quote.cs:24:21  method  QuoteCalculator.Calculate
          src/shippingservice/Program.cs:7:23  method  Program.Main  [interface 0.54] at src/shippingservice/Program.cs:10:25
    "#]]
    .assert_eq(ws.run(&["callers", "QuoteCalculator.Calculate"]).ok());
    let json = ws.run(&["refs", "Calculate", "--by-name", "--json"]).json();
    let targets: Vec<String> = json[0]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {}",
                t["evidence"].as_str().unwrap(),
                t["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        targets,
        [
            "member csharp ShippingService Quote.cs IQuoteCalculator#Calculate().",
            "interface csharp ShippingService Quote.cs QuoteCalculator#Calculate()."
        ]
    );
}

#[test]
fn name_only_links_respect_the_shape_of_the_use() {
    let ws = Workspace::empty();
    ws.write(
        "app/jobs.py",
        "def run():\n    pass\n\nclass Job:\n    def run(self):\n        pass\n\ndef start(thing):\n    thing.run()\n    run()\n",
    );
    ws.run(&["index", "."]).ok();
    let json = ws.run(&["refs", "run", "--by-name", "--json"]).json();
    let by_line = |line: u64| -> Vec<String> {
        json.as_array()
            .unwrap()
            .iter()
            .filter(|s| s["line"] == line)
            .flat_map(|s| {
                s["targets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["id"].as_str().unwrap().to_string())
            })
            .collect()
    };
    // `thing.run()`: a member call, so only the method, and only by name.
    assert_eq!(by_line(9), ["python root app/jobs.py Job#run()."]);
    // `run()`: a bare call, so the free function, found in scope.
    assert_eq!(by_line(10), ["python root app/jobs.py run()."]);
    assert_eq!(json[0]["targets"][0]["evidence"], "name-only");
}

#[test]
fn go_imports_name_one_package_and_bare_names_stay_in_theirs() {
    let ws = Workspace::empty();
    ws.write("go.mod", "module github.com/org/shop\n");
    // Every service has its own generated `genproto` package.
    for svc in ["checkoutservice", "frontend", "shippingservice"] {
        ws.write(
            &format!("src/{svc}/genproto/demo.pb.go"),
            "package genproto\n\nfunc NewCartServiceClient() int { return 1 }\n",
        );
    }
    ws.write(
        "src/checkoutservice/main.go",
        "package main\n\nimport pb \"github.com/org/shop/src/checkoutservice/genproto\"\n\nfunc run() int {\n\treturn pb.NewCartServiceClient()\n}\n",
    );
    // Two packages define `Sum`; a bare `Sum` in `money` is money's, and once
    // money's is gone it is nobody's (never the other package's).
    ws.write(
        "src/money/money.go",
        "package money\n\nfunc Total() int { return Sum() }\n",
    );
    ws.write(
        "src/money/sum.go",
        "package money\n\nfunc Sum() int { return 2 }\n",
    );
    ws.write(
        "src/stats/stats.go",
        "package stats\n\nfunc Sum() int { return 3 }\n",
    );
    ws.run(&["index", "."]).ok();
    let defs = ws
        .run(&["def", "--at", "src/checkoutservice/main.go:6:11", "--json"])
        .json();
    let files: Vec<&str> = defs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["src/checkoutservice/genproto/demo.pb.go"], "{defs}");
    let sum = ws
        .run(&["def", "--at", "src/money/money.go:3:26", "--json"])
        .json();
    assert_eq!(sum[0]["file"], "src/money/sum.go", "{sum}");
    std::fs::remove_file(ws.root.join("src/money/sum.go")).unwrap();
    ws.run(&["index", "."]).ok();
    let gone = ws.run(&["def", "--at", "src/money/money.go:3:26"]);
    assert_eq!(gone.code, 1, "{}", gone.stdout);
}

#[test]
fn a_namespace_import_names_its_module_and_qualified_types_type_their_values() {
    let ws = Workspace::empty();
    ws.write("package.json", r#"{"name": "shapes"}"#);
    ws.write(
        "src/schemas.ts",
        "export interface Internals { def: string; }\n\
         export interface Schema<T = unknown> {\n  inner: Internals;\n}\n\
         export interface Other { inner: number; }\n\
         export interface Third { inner: number; }\n\
         export interface Fourth { inner: number; }\n",
    );
    ws.write(
        "src/util.ts",
        "import * as schemas from \"./schemas.js\";\n\
         export function qualified(s: schemas.Schema): unknown {\n  return s.inner;\n}\n\
         export function generic(s: schemas.Schema<string>): unknown {\n  return s.inner;\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let refs = ws.run(&["export"]).ok().to_string();
    let at = |line: u32, col: u32| exported_reference(&refs, "src/util.ts", line, col);
    // The alias where it is declared and where a type is read through it: the module.
    for (line, col) in [(1, 12), (2, 29), (5, 27)] {
        let r = at(line, col);
        assert_eq!(
            r["targets"][0]["id"], "typescript shapes src/schemas.ts <top-level>",
            "{r}"
        );
        assert_eq!(r["targets"][0]["evidence"], "import", "{r}");
    }
    // `s: schemas.Schema` and `s: schemas.Schema<string>` give `s` its type: a
    // member of that interface, though four types have a member of that name.
    for line in [3, 6] {
        let r = at(line, 11);
        assert_eq!(
            r["targets"][0]["id"], "typescript shapes src/schemas.ts Schema#inner.",
            "{r}"
        );
        assert_eq!(r["targets"][0]["evidence"], "member", "{r}");
    }
}

#[test]
fn a_python_module_read_through_its_import_is_that_module() {
    let ws = Workspace::empty();
    ws.write("pyproject.toml", "[project]\nname = \"shop\"\n");
    ws.write("shop/__init__.py", "from .cart import Cart\n");
    ws.write("shop/cart.py", "class Cart:\n    pass\n");
    ws.write("shop/pay/rates.py", "RATE = 2\n");
    ws.write(
        "app.py",
        "import shop\nimport shop.pay.rates as rates\nimport os.path\n\n\
         def run():\n    os.path.join(\"a\", \"b\")\n    return shop.Cart(), rates.RATE\n",
    );
    ws.run(&["index", "."]).ok();
    let export = ws.run(&["export"]).ok().to_string();
    let at = |line: u32, col: u32| -> Vec<String> {
        exported_reference(&export, "app.py", line, col)["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    // `shop.Cart`: `shop` is the package; `rates.RATE`: the aliased module.
    assert_eq!(at(7, 11), ["python shop shop/__init__.py <top-level>"]);
    assert_eq!(at(7, 24), ["python shop shop/pay/rates.py <top-level>"]);
    // `os` is the standard library's: not linked.
    assert!(at(6, 4).is_empty());
}

/// The reference an `export` lists at `file:line:col`.
fn exported_reference(export: &str, file: &str, line: u32, col: u32) -> serde_json::Value {
    export
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| {
            v["type"] == "reference" && v["file"] == file && v["line"] == line && v["col"] == col
        })
        .unwrap_or_else(|| panic!("no reference at {file}:{line}:{col}"))
}
