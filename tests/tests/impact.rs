//! Change impact on scripted git histories of the mesh fixture: each scenario
//! commits a known change on a branch, indexes the branch, and checks what
//! `cartograph impact --diff main...feature` says changed and what it reaches.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use cartograph_tests::{git, Workspace};
use expect_test::{expect, Expect};
use serde_json::Value;

fn edit(ws: &Workspace, path: &str, from: &str, to: &str) {
    let p = ws.root.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// The mesh fixture as a git repository with a test and an internal caller added,
/// committed on `main`, then `change` committed on `feature` and indexed.
fn history(change: impl FnOnce(&Workspace)) -> Workspace {
    let ws = Workspace::fixture("mesh");
    ws.write(
        "cartservice/server/server_test.go",
        "package server\n\nimport \"testing\"\n\nfunc TestGetCart(t *testing.T) {\n\ts := &CartServer{}\n\tif _, err := s.GetCart(nil, nil); err != nil {\n\t\tt.Fatal(err)\n\t}\n}\n",
    );
    ws.write(
        "cartservice/server/notify.go",
        "package server\n\nimport \"context\"\n\n// notifyAdded publishes, ignoring failures.\nfunc notifyAdded(ctx context.Context, userID string) {\n\t_ = publishAdded(ctx, userID)\n}\n",
    );
    on_feature_branch(ws, change)
}

/// `ws` committed on `main`, then `change` committed on `feature` and indexed.
fn on_feature_branch(ws: Workspace, change: impl FnOnce(&Workspace)) -> Workspace {
    git(&ws.root, &["init", "-q", "-b", "main"]);
    git(&ws.root, &["add", "-A"]);
    git(&ws.root, &["commit", "-q", "-m", "base"]);
    git(&ws.root, &["checkout", "-q", "-b", "feature"]);
    change(&ws);
    git(&ws.root, &["commit", "-q", "-a", "-m", "change"]);
    ws.run(&["index", "."]).ok();
    ws
}

fn impact(ws: &Workspace) -> Value {
    ws.run(&["impact", "--diff", "main...feature", "--json"])
        .json()
}

/// Changed symbols, impacted symbols, services and tests as lines.
fn summary(v: &Value) -> String {
    let mut out = Vec::new();
    for c in v["changed"].as_array().unwrap() {
        let contracts: Vec<&str> = c["contracts"]
            .as_array()
            .map(|a| a.iter().map(|x| x.as_str().unwrap()).collect())
            .unwrap_or_default();
        out.push(format!(
            "changed {} {} {}{}",
            c["file"].as_str().unwrap(),
            c["qualified_name"].as_str().unwrap(),
            c["change"].as_str().unwrap(),
            if contracts.is_empty() {
                String::new()
            } else {
                format!(" [{}]", contracts.join(", "))
            }
        ));
    }
    for i in v["impacted"].as_array().unwrap() {
        out.push(format!(
            "{} d{} {}:{} {}{}",
            i["class"].as_str().unwrap(),
            i["depth"],
            i["file"].as_str().unwrap(),
            i["line"],
            i["name"].as_str().unwrap(),
            i["via"]
                .as_str()
                .map(|v| format!(" via {v}"))
                .unwrap_or_default()
        ));
    }
    let services: Vec<String> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}={}",
                s["name"].as_str().unwrap(),
                s["class"].as_str().unwrap()
            )
        })
        .collect();
    out.push(format!("services {}", services.join(" ")));
    let tests: Vec<&str> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    out.push(format!("tests {}", tests.join(" ")));
    out.push(format!("risk {}", v["risk"]["level"].as_str().unwrap()));
    out.join("\n")
}

fn check(change: impl FnOnce(&Workspace), want: Expect) -> Value {
    let ws = history(change);
    let v = impact(&ws);
    want.assert_eq(&summary(&v));
    v
}

#[test]
fn a_body_change_may_change_its_callers_in_other_services_and_its_test() {
    check(
        |ws| {
            edit(
                ws,
                "cartservice/server/server.go",
                "return &pb.Cart{UserId",
                "return &pb.Cart{ /* copy */ UserId",
            )
        },
        expect![[r#"
            changed cartservice/server/server.go CartServer.GetCart body
            may-change d1 checkoutservice/main.go:18 PlaceOrder via grpc:mesh.v1.CartService/GetCart
            may-change d1 recommendationservice/src/main.rs:9 recommend via grpc:mesh.v1.CartService/GetCart
            may-change d1 frontend/src/cart.ts:12 showCart via grpc:mesh.v1.CartService/GetCart
            may-change d1 cartservice/server/server_test.go:5 TestGetCart
            may-change d2 checkoutservice/main.go:45 main
            services cartservice=changed checkoutservice=may-change frontend=may-change recommendationservice=may-change
            tests TestGetCart
            risk medium"#]],
    );
}

#[test]
fn a_signature_change_breaks_direct_callers() {
    check(
        |ws| {
            edit(
                ws,
                "cartservice/server/events.go",
                "func publishAdded(ctx context.Context, userID string) error",
                "func publishAdded(ctx context.Context, userID string, product string) error",
            );
        },
        expect![[r#"
            changed cartservice/server/events.go publishAdded signature
            will-break d1 cartservice/server/notify.go:6 notifyAdded
            may-change d1 checkoutservice/events.go:10 watchCarts via topic:cart-events
            services cartservice=will-break checkoutservice=may-change
            tests 
            risk medium"#]],
    );
}

#[test]
fn a_deleted_function_breaks_the_callers_left_behind() {
    check(
        |ws| {
            edit(
                ws,
                "cartservice/server/events.go",
                "// publishAdded tells other services a product was added to a cart.\nfunc publishAdded(ctx context.Context, userID string) error {\n\tw := &kafka.Writer{Addr: kafka.TCP(\"kafka:9092\"), Topic: cartEvents}\n\treturn w.WriteMessages(ctx, kafka.Message{Value: []byte(userID)})\n}\n",
                "",
            );
        },
        expect![[r#"
            changed cartservice/server/events.go publishAdded deleted [topic:cart-events]
            will-break d1 checkoutservice/events.go:10 watchCarts via topic:cart-events
            will-break d1 cartservice/server/notify.go:6 notifyAdded
            services cartservice=will-break checkoutservice=will-break
            tests 
            risk high"#]],
    );
}

#[test]
fn a_renamed_function_is_one_change_and_its_updated_callers_another() {
    check(
        |ws| {
            edit(
                ws,
                "cartservice/server/events.go",
                "func publishAdded(",
                "func publishItemAdded(",
            );
            edit(
                ws,
                "cartservice/server/events.go",
                "// publishAdded tells",
                "// publishItemAdded tells",
            );
            edit(
                ws,
                "cartservice/server/notify.go",
                "_ = publishAdded(",
                "_ = publishItemAdded(",
            );
        },
        expect![[r#"
            changed cartservice/server/events.go publishItemAdded renamed
            changed cartservice/server/notify.go notifyAdded body
            may-change d1 checkoutservice/events.go:10 watchCarts via topic:cart-events
            services cartservice=changed checkoutservice=may-change
            tests 
            risk medium"#]],
    );
}

#[test]
fn a_proto_rpc_change_breaks_handlers_and_callers_in_every_language() {
    let v = check(
        |ws| {
            edit(
                ws,
                "protos/mesh.proto",
                "rpc GetCart(GetCartRequest) returns (Cart) {}",
                "rpc GetCart(GetCartRequest) returns (CartV2) {}",
            )
        },
        expect![[r#"
            changed protos/mesh.proto CartService.GetCart signature [grpc:mesh.v1.CartService/GetCart]
            will-break d1 cartservice/server/server.go:26 GetCart via grpc:mesh.v1.CartService/GetCart
            will-break d1 checkoutservice/main.go:18 PlaceOrder via grpc:mesh.v1.CartService/GetCart
            will-break d1 recommendationservice/src/main.rs:9 recommend via grpc:mesh.v1.CartService/GetCart
            will-break d1 frontend/src/cart.ts:12 showCart via grpc:mesh.v1.CartService/GetCart
            may-change d2 cartservice/server/server_test.go:5 TestGetCart
            may-change d2 checkoutservice/main.go:45 main
            services cartservice=will-break checkoutservice=will-break frontend=will-break recommendationservice=will-break root=changed
            tests TestGetCart
            risk high"#]],
    );
    assert_eq!(v["risk"]["level"], "high");
}

/// The review-bot recipe of the README: index the head, comment the impact of the
/// range as markdown, fail the job on high risk.
#[test]
fn the_review_bot_recipe_comments_and_fails_on_high_risk() {
    let ws = history(|ws| {
        edit(
            ws,
            "protos/mesh.proto",
            "rpc Charge(ChargeRequest) returns (ChargeResponse) {}",
            "rpc Charge(ChargeRequest) returns (ChargeResult) {}",
        )
    });
    // The index records the commit it was built from.
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&ws.root)
        .output()
        .unwrap();
    let stats = ws.run(&["stats", "--json"]).json();
    assert_eq!(
        stats["repositories"][0]["commit"],
        String::from_utf8_lossy(&head.stdout).trim()
    );
    assert_eq!(stats["repositories"][0]["branch"], "feature");
    let md = ws
        .run(&["impact", "--diff", "main...HEAD", "--format", "markdown"])
        .ok()
        .to_string();
    assert!(md.contains("grpc:mesh.v1.PaymentService/Charge"), "{md}");
    assert!(md.contains("| paymentservice | will-break |"), "{md}");
    let gate = ws.run(&["impact", "--diff", "main...HEAD", "--fail-on", "high"]);
    assert_eq!(gate.code, 3, "{}", gate.stderr);
    assert!(gate.stderr.contains("risk high"), "{}", gate.stderr);
    // A body change is not high risk: the gate lets it pass.
    let ws = history(|ws| {
        edit(
            ws,
            "cartservice/server/server.go",
            "return &pb.Cart{UserId",
            "return &pb.Cart{ /* copy */ UserId",
        )
    });
    let pass = ws.run(&["impact", "--diff", "main...HEAD", "--fail-on", "high"]);
    assert_eq!(pass.code, 0, "{}", pass.stderr);
}

#[test]
fn an_http_route_change_breaks_the_clients_of_the_old_route() {
    check(
        |ws| {
            edit(
                ws,
                "adservice/app.py",
                "@app.route(\"/ads/<category>\")",
                "@app.route(\"/v2/ads/<category>\")",
            )
        },
        expect![[r#"
            changed adservice/app.py get_ads body [http:GET /ads/<category>, http:GET /v2/ads/<category>]
            will-break d1 emailservice/EmailController.cs:15 Send via http:GET /ads/{}
            will-break d1 checkoutservice/rest.go:23 adsForCheckout via http:GET /ads/{}
            will-break d1 shippingservice/src/main/java/com/mesh/shipping/AdClient.java:11 ads via http:GET /ads/{}
            will-break d1 gateway/server.js:1 server.js via http:GET /ads/{}
            may-change d2 checkoutservice/rest.go:34 sendReceipt via http:POST /api/email/send
            may-change d2 frontend/src/checkout.ts:10 showAds via http:* /api/ads/**
            services ads=changed checkoutservice=will-break emailservice=will-break frontend=may-change gateway=will-break shippingservice=will-break
            tests 
            risk high"#]],
    );
}

#[test]
fn a_topic_rename_breaks_its_subscribers() {
    check(
        |ws| {
            edit(
                ws,
                "cartservice/server/events.go",
                "const cartEvents = \"cart-events\"",
                "const cartEvents = \"cart-events-v2\"",
            )
        },
        expect![[r#"
            changed cartservice/server/events.go cartEvents signature
            changed cartservice/server/events.go publishAdded body [topic:cart-events, topic:cart-events-v2]
            will-break d1 checkoutservice/events.go:10 watchCarts via topic:cart-events
            may-change d1 cartservice/server/notify.go:6 notifyAdded
            services cartservice=changed checkoutservice=will-break
            tests 
            risk high"#]],
    );
}

#[test]
fn working_tree_stdin_symbols_markdown_and_fail_on() {
    let ws = history(|ws| {
        edit(
            ws,
            "cartservice/server/server.go",
            "s.mu.Lock()\n\tdefer s.mu.Unlock()\n\treturn &pb.Cart",
            "s.mu.Lock()\n\tdefer s.mu.Unlock()\n\t// read\n\treturn &pb.Cart",
        )
    });
    // Uncommitted: nothing yet.
    let clean = ws.run(&["impact", "--json"]).json();
    assert_eq!(clean["changed"], serde_json::json!([]));
    edit(
        &ws,
        "protos/mesh.proto",
        "rpc EmptyCart(EmptyCartRequest) returns (Empty) {}",
        "rpc EmptyCart(EmptyCartRequest) returns (Cart) {}",
    );
    let dirty = ws.run(&["impact", "--json"]).json();
    assert_eq!(
        dirty["changed"][0]["contracts"][0],
        "grpc:mesh.v1.CartService/EmptyCart"
    );
    // The same diff through stdin.
    let diff = Command::new("git")
        .args(["diff", "HEAD"])
        .current_dir(&ws.root)
        .output()
        .unwrap()
        .stdout;
    let mut child = Command::new(cartograph_tests::binary())
        .args(["impact", "--stdin", "--json"])
        .current_dir(&ws.root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&diff).unwrap();
    let out = child.wait_with_output().unwrap();
    let mut piped: Value = serde_json::from_slice(&out.stdout).unwrap();
    // When the index was checked is the one thing two runs may not share.
    let mut dirty = dirty;
    for answer in [&mut piped, &mut dirty] {
        if let Some(index) = answer.get_mut("index").and_then(Value::as_object_mut) {
            index.remove("checked_at");
        }
    }
    assert_eq!(piped, dirty);
    // Markdown for a pull request, deterministic.
    let md = ws.run(&["impact", "--format", "markdown"]).ok().to_string();
    assert!(
        md.starts_with("### Cartograph impact: risk **high**"),
        "{md}"
    );
    assert!(
        md.contains("```mermaid") && md.contains("checkoutservice --> cartservice"),
        "{md}"
    );
    assert_eq!(md, ws.run(&["impact", "--format", "markdown"]).ok());
    // A review bot fails the job on high risk.
    let failed = ws.run(&["impact", "--fail-on", "high"]);
    assert_eq!(failed.code, 3, "{}", failed.stderr);
    // Symbols instead of a diff.
    let by_symbol = ws
        .run(&[
            "impact",
            "--symbol",
            "go cartservice server/events.go publishAdded().",
            "--json",
        ])
        .json();
    assert_eq!(by_symbol["impacted"][0]["name"], "notifyAdded");
    assert_eq!(by_symbol["impacted"][0]["class"], "will-break");
    // Bad input.
    let bad = ws.run(&["impact", "--diff", "no-such-branch...feature"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("git diff"), "{}", bad.stderr);
}

/// Runs `impact --stdin --json` with `diff` in `dir`.
fn impact_of_diff(dir: &std::path::Path, diff: &str) -> Value {
    use std::io::Write;
    let mut child = Command::new(cartograph_tests::binary())
        .args(["impact", "--stdin", "--json"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(diff.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[cfg(unix)]
#[test]
fn a_diff_never_reads_outside_the_roots_nor_special_or_oversized_files() {
    let ws = cartograph_tests::Workspace::empty();
    ws.write("app.py", "def inside():\n    return 1\n");
    ws.write(
        "big.py",
        format!("def big():\n    return 1\n# {}\n", "x".repeat(8192)),
    );
    ws.run(&["index", ".", "--max-file-size", "4096"]).ok();
    let secret = ws.tmp.path().join("secret.py");
    std::fs::write(&secret, "def outside_secret():\n    return 1\n").unwrap();
    std::fs::write(ws.root.join("pipe.py"), "").unwrap();
    std::fs::remove_file(ws.root.join("pipe.py")).unwrap();
    let status = Command::new("mkfifo")
        .arg(ws.root.join("pipe.py"))
        .status()
        .unwrap();
    assert!(status.success());
    let hunk = "@@ -1,2 +1,2 @@\n-def outside_secret():\n+def outside_secret():\n     return 1\n";
    let mut answers = Vec::new();
    for path in [
        secret.display().to_string(),
        "../secret.py".to_string(),
        "/nonexistent/secret.py".to_string(),
        "../missing.py".to_string(),
    ] {
        let diff = format!("--- a/{path}\n+++ b/{path}\n{hunk}");
        let diff = diff.replace("a//", "/").replace("b//", "/");
        let answer = impact_of_diff(&ws.root, &diff);
        assert_eq!(
            answer["changed"].as_array().map(Vec::len),
            Some(0),
            "{answer}"
        );
        let text = answer.to_string();
        assert!(!text.contains("outside_secret\""), "{text}");
        // Existing and missing files outside answer alike: no existence oracle.
        answers.push(answer["notes"].to_string().replace(&path, "PATH"));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert!(
        answers[0].contains("not a path inside the indexed roots"),
        "{answers:?}"
    );
    // A FIFO and a file over the size cap are not read (the FIFO would block).
    for path in ["pipe.py", "big.py"] {
        let diff =
            format!("--- a/{path}\n+++ b/{path}\n@@ -1,1 +1,1 @@\n-def big():\n+def big():\n");
        let answer = impact_of_diff(&ws.root, &diff);
        assert!(
            answer["notes"]
                .to_string()
                .contains("cannot read its new version"),
            "{answer}"
        );
    }
}

/// The PR comment for a diff renaming a proto field (keeping its number) and a Go
/// method: one row per rename, the field change classified (wire-compatible,
/// breaking generated code and JSON), a vendored copy of the `.proto` the change
/// leaves behind flagged, and the services that will break coloured.
#[test]
fn a_pr_comment_classifies_proto_changes_and_flags_stale_copies() {
    let ws = Workspace::fixture("mesh");
    ws.write(
        "frontend/protos/mesh.proto",
        std::fs::read_to_string(ws.root.join("protos/mesh.proto")).unwrap(),
    );
    git(&ws.root, &["init", "-q", "-b", "main"]);
    git(&ws.root, &["add", "-A"]);
    git(&ws.root, &["commit", "-q", "-m", "base"]);
    git(&ws.root, &["checkout", "-q", "-b", "feature"]);
    edit(
        &ws,
        "protos/mesh.proto",
        "int64 cents = 1; string card = 2;",
        "int64 amount_cents = 1; string card = 2;",
    );
    edit(
        &ws,
        "checkoutservice/main.go",
        "func (cs *checkoutService) PlaceOrder",
        "func (cs *checkoutService) SubmitOrder",
    );
    git(&ws.root, &["commit", "-q", "-a", "-m", "change"]);
    ws.run(&["index", "."]).ok();

    let v = impact(&ws);
    let changed: Vec<(&str, &str)> = v["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["qualified_name"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
            )
        })
        .collect();
    // One row per rename; the unchanged neighbour on the same line is no change.
    assert_eq!(
        changed,
        [
            ("checkoutService.SubmitOrder", "renamed"),
            ("ChargeRequest.amount_cents", "renamed")
        ]
    );
    let field = &v["changed"][1];
    assert_eq!(
        field["compatibility"],
        "wire-compatible (same number and type); breaks generated code and JSON"
    );
    assert!(
        v["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .starts_with("frontend/protos/mesh.proto is a copy of protos/mesh.proto")),
        "{}",
        v["notes"]
    );
    let md = ws
        .run(&["impact", "--diff", "main...feature", "--format", "markdown"])
        .ok()
        .to_string();
    assert!(md.contains("**Contract changes:**"), "{md}");
    assert!(md.contains("out of sync"), "{md}");
    assert!(
        md.contains("paymentservice[\"paymentservice\"]:::breaks"),
        "{md}"
    );
    assert!(!md.contains("PlaceOrder"), "{md}");
}

/// The bookstore fixture (Thrift and C++) as a git repository, with `change`
/// committed on `feature` and indexed.
fn bookstore_history(change: impl FnOnce(&Workspace)) -> Workspace {
    on_feature_branch(Workspace::fixture("bookstore"), change)
}

#[test]
fn a_thrift_function_change_breaks_handlers_and_callers_in_every_language() {
    let ws = bookstore_history(|ws| {
        edit(
            ws,
            "idl/catalog.thrift",
            "common.Book GetBook(1: common.BookId id)",
            "common.Book GetBook(1: common.BookId id, 2: bool withStock)",
        )
    });
    expect![[r#"
        changed idl/catalog.thrift CatalogService.GetBook signature [thrift:bookstore.CatalogService/GetBook]
        will-break d1 catalog/src/CatalogHandler.cpp:8 GetBook via thrift:bookstore.CatalogService/GetBook
        will-break d1 pricing/src/pricing_server.cc:26 Quote via thrift:bookstore.CatalogService/GetBook
        will-break d1 reviews/handler.go:22 ListReviews via thrift:bookstore.CatalogService/GetBook
        may-change d2 fraud/src/main/kotlin/com/bookstore/fraud/Scorer.kt:15 score via grpc:bookstore.pricing.PricingService/Quote
        may-change d2 storefront/app.py:26 price via grpc:bookstore.pricing.PricingService/Quote
        may-change d2 recommend/src/main/scala/bookstore/recommend/Recommender.scala:13 forUser via grpc:bookstore.pricing.PricingService/Quote
        may-change d3 fraud/src/main/kotlin/com/bookstore/fraud/FraudController.kt:15 check
        may-change d3 recommend/src/main/scala/bookstore/recommend/Routes.scala:8 route
        may-change d4 storefront/app.py:61 place_order via http:POST /fraud/check
        may-change d4 storefront/app.py:84 recommended via http:GET /api/recommend/{}
        services catalog=will-break fraud=may-change pricing=will-break recommend=may-change reviews=will-break root=changed storefront=may-change
        tests 
        risk high"#]]
    .assert_eq(&summary(&impact(&ws)));
    // A struct of an included file changes the functions of other files that take or
    // return it (their contracts), and so both sides of them.
    let ws = bookstore_history(|ws| {
        edit(
            ws,
            "idl/common.thrift",
            "  4: map<string, string> attributes\n",
            "  4: map<string, string> attributes\n  5: i32 edition\n",
        )
    });
    let v = impact(&ws);
    assert_eq!(
        v["changed"][0]["contracts"],
        serde_json::json!([
            "thrift:bookstore.CatalogService/GetBook",
            "thrift:bookstore.CatalogService/Search"
        ]),
        "{v}"
    );
    let out = summary(&v);
    for reached in [
        "catalog/src/CatalogHandler.cpp:8 GetBook",
        "catalog/src/CatalogHandler.cpp:20 Search",
        "reviews/handler.go:22 ListReviews",
        "storefront/app.py:16 search",
    ] {
        assert!(out.contains(reached), "{out}");
    }
}
