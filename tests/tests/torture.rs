//! A workspace of everything that has hung, exhausted or misled an indexer, built
//! here (nothing of it is checked in): `index` must finish within a fixed bound,
//! report each bad file, and index the good ones fully.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cartograph_tests::{binary, path_lines, Workspace};

/// Nesting depth of the generated code.
const DEPTH: usize = 10_000;

/// `open(i)` repeated `DEPTH` times around `middle`, closed by `close`.
fn nested(open: impl Fn(usize) -> String, middle: &str, close: &str) -> String {
    let mut s = String::new();
    for i in 0..DEPTH {
        s.push_str(&open(i));
    }
    s.push_str(middle);
    for _ in 0..DEPTH {
        s.push_str(close);
    }
    s
}

/// Runs `cartograph args` in `dir`, killed after `limit`; panics if it was.
fn run_bounded(dir: &std::path::Path, args: &[&str], limit: Duration) -> (String, String) {
    let mut child = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("CARTOGRAPH_INDEX")
        .env_remove("CARTOGRAPH_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "cartograph {args:?} ran past {limit:?}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "cartograph {args:?} failed: {stderr}");
    (stdout, stderr)
}

#[cfg(unix)]
#[test]
fn the_torture_workspace_indexes_within_a_bound_and_reports_every_bad_file() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    let ws = Workspace::empty();
    // Good code that must be indexed fully.
    ws.write(
        "svc/good.py",
        "def good_function():\n    return helper()\n\ndef helper():\n    return 1\n",
    );
    ws.write("svc/requirements.txt", "flask\n");

    // Deployment files of every reader, malformed.
    let helm_if = "{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- end }}\n";
    ws.write("chart/Chart.yaml", "name: chart\n");
    ws.write("chart/values.yaml", "enabled: true\nenv: [a, {b\n");
    ws.write("chart/templates/cm.yaml", helm_if);
    ws.write(
        "chart/templates/deploy.yaml",
        format!("{helm_if}---\nkind: Deployment\nmetadata:\n  name: [x\nspec:\n  containers: {{\n"),
    );
    ws.write(
        "k8s/secret.yaml",
        "kind: Secret\nmetadata: {name: s\ndata:\n  K: '\n",
    );
    ws.write("docker-compose.yml", "services:\n  a: [\n    b: {\n");
    ws.write(
        "deep.yaml",
        format!("kind: Deployment\nspec: {}\n", "- ".repeat(DEPTH)),
    );
    ws.write(".env", "=\n==\nNOVALUE\n");
    ws.write("cartograph.toml", "[[service]\npath = \n");
    ws.write(
        "web/appsettings.json",
        "{ \"ConnectionStrings\": { \"db\": ",
    );
    ws.write(
        "host/Program.cs",
        "var b = DistributedApplication.CreateBuilder(args);\nvar x = b.AddProject<Projects.A(\"a\".WithReference(;\n",
    );
    ws.write(
        "proxy/envoy.yaml",
        "static_resources:\n  clusters: [ {name: a, load_assignment: \n",
    );
    // Thousands of calls whose URL a function of the file returns: each function
    // is looked up once, not the file walked per call.
    let mut many = String::from("const axios = require(\"axios\");\n");
    for i in 0..3000 {
        many.push_str(&format!(
            "function u{i}() {{ return \"http://svc/items/{i}\"; }}\nfunction f{i}() {{ return axios.get(u{i}()) + axios.get(u0()); }}\n"
        ));
    }
    ws.write("calls/many.js", many);

    // Nested code at depth 10,000 in every language.
    let deep: [(&str, String); 8] = [
        (
            "deep/a.js",
            nested(|i| format!("function f{i}() {{\n"), "return 1;\n", "}\n"),
        ),
        (
            "deep/b.ts",
            nested(|i| format!("namespace N{i} {{\n"), "", "}\n"),
        ),
        (
            "deep/C.java",
            nested(|i| format!("class C{i} {{\n"), "", "}\n"),
        ),
        (
            "deep/d.cs",
            nested(|i| format!("namespace N{i} {{\n"), "", "}\n"),
        ),
        ("deep/e.rs", nested(|i| format!("mod m{i} {{\n"), "", "}\n")),
        (
            "deep/f.proto",
            nested(|i| format!("message M{i} {{\n"), "", "}\n"),
        ),
        (
            "deep/g.go",
            format!(
                "package g\n\nfunc F() int {{ return {} }}\n",
                nested(|_| "(".into(), "1", ")")
            ),
        ),
        (
            "deep/h.py",
            format!("x = {}\n", nested(|_| "[".into(), "", "]")),
        ),
    ];
    for (path, text) in &deep {
        ws.write(path, text);
    }

    // Special files and links.
    let status = Command::new("mkfifo")
        .arg(ws.root.join("fifo.py"))
        .status()
        .unwrap();
    assert!(status.success());
    symlink("/dev/zero", ws.root.join("zero.py")).unwrap();
    symlink(ws.root.join("loop"), ws.root.join("loop")).unwrap();
    let outside = ws.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("secret.py"),
        "def outside_secret():\n    pass\n",
    )
    .unwrap();
    symlink(outside.join("secret.py"), ws.root.join("linked_secret.py")).unwrap();
    symlink(&outside, ws.root.join("linked_dir")).unwrap();

    // Invalid UTF-8 in names (two names differing only there) and in contents.
    let name =
        |b: u8| std::ffi::OsStr::from_bytes(&[b'b', b'a', b'd', b, b'.', b'p', b'y']).to_owned();
    std::fs::write(ws.root.join(name(0xff)), "def bad_name_ff():\n    pass\n").unwrap();
    std::fs::write(ws.root.join(name(0xfe)), "def bad_name_fe():\n    pass\n").unwrap();
    ws.write(
        "latin1.py",
        b"# caf\xe9\ndef latin_ok():\n    return '\xe9'\n",
    );
    // Just over the size cap.
    ws.write("big.py", format!("# {}\n", "x".repeat(1024 * 1024)));

    let started = Instant::now();
    let (stdout, _) = run_bounded(&ws.root, &["index", ".", "--json"], Duration::from_secs(30));
    let elapsed = started.elapsed();
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    eprintln!("torture workspace indexed in {elapsed:?}");

    let skipped = path_lines(&report["skipped"], "reason");
    let skipped_text = skipped.join("\n");
    for (path, why) in [
        ("fifo.py", "not a regular file"),
        ("zero.py", "not a regular file"),
        ("linked_secret.py", "out of the roots"),
        ("linked_dir", "out of the roots"),
        ("big.py", "size cap"),
    ] {
        assert!(
            skipped
                .iter()
                .any(|s| s.starts_with(&format!("{path}: ")) && s.contains(why)),
            "{path} not skipped for `{why}`:\n{skipped_text}"
        );
    }
    assert!(skipped_text.contains("loop"), "{skipped_text}");

    // Each bad deployment file and each deep file has a diagnostic.
    let problems = path_lines(&report["problems"], "message");
    let problems = problems.join("\n");
    for bad in [
        "chart/values.yaml",
        "chart/templates/deploy.yaml",
        "k8s/secret.yaml",
        "docker-compose.yml",
        "deep.yaml",
        "cartograph.toml",
        "web/appsettings.json",
        "proxy/envoy.yaml",
        "deep/a.js",
        "deep/b.ts",
        "deep/C.java",
        "deep/d.cs",
        "deep/e.rs",
        "deep/f.proto",
        "deep/g.go",
        "deep/h.py",
    ] {
        assert!(
            problems.contains(&format!("{bad}: ")),
            "no diagnostic for {bad}:\n{problems}"
        );
    }

    // The good files are indexed fully; nothing outside the root is.
    let def = ws.run(&["callees", "good_function"]).ok().to_string();
    assert!(def.contains("helper"), "{def}");
    let outside_hit = ws.run(&["search", "outside_secret"]);
    assert!(
        !outside_hit.stdout.contains("outside_secret"),
        "{}",
        outside_hit.stdout
    );
    let both = ws.run(&["search", "bad_name"]).ok().to_string();
    assert!(
        both.contains("bad\\xff.py") && both.contains("bad\\xfe.py"),
        "{both}"
    );
    assert!(ws.run(&["def", "latin_ok"]).ok().contains("latin1.py:2"));
    // Outer symbols of the deep files are there.
    assert!(ws.run(&["def", "f0"]).ok().contains("deep/a.js"));

    // A second run changes nothing and is as quick.
    let (again, _) = run_bounded(&ws.root, &["index", "--json"], Duration::from_secs(30));
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(again["changed"], 0, "{again}");
}
