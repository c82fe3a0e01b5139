//! Watch mode end to end: `cartograph watch` keeping the index fresh for other
//! processes' queries, and `cartograph mcp --watch` answering from the newest
//! state; after the edits, the index still equals a rebuild.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cartograph_tests::{binary, Workspace};
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use rmcp::ServiceExt;
use serde_json::json;

/// Waits until `check` holds, for at most 15 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn found(ws: &Workspace, name: &str) -> bool {
    let run = ws.run(&["search", name, "--json"]);
    run.code == 0 && run.stdout.contains(&format!("\"name\": \"{name}\""))
}

#[test]
fn watch_keeps_the_index_fresh_for_queries_from_other_processes() {
    let ws = Workspace::fixture("mesh");
    ws.run(&["index", "."]).ok();
    let _watch = Killed(
        Command::new(binary())
            .arg("watch")
            .current_dir(&ws.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Let the watcher start before the first change.
    std::thread::sleep(Duration::from_millis(500));

    ws.write(
        "cartservice/server/extra.go",
        "package server\n\nfunc WatchedOne() {}\n",
    );
    eventually("a created file", || found(&ws, "WatchedOne"));

    // An editor's atomic save: write a temporary file, rename it over the original.
    ws.write(
        "cartservice/server/.extra.go.tmp",
        "package server\n\nfunc WatchedTwo() {}\n",
    );
    std::fs::rename(
        ws.root.join("cartservice/server/.extra.go.tmp"),
        ws.root.join("cartservice/server/extra.go"),
    )
    .unwrap();
    eventually("an atomic save", || {
        found(&ws, "WatchedTwo") && !found(&ws, "WatchedOne")
    });

    // A folder moved, then deleted.
    ws.write(
        "scratch/tools/helper.py",
        "def watched_helper():\n    return 1\n",
    );
    eventually("a new folder", || found(&ws, "watched_helper"));
    std::fs::rename(ws.root.join("scratch"), ws.root.join("moved")).unwrap();
    eventually("a moved folder", || {
        let run = ws.run(&["search", "watched_helper", "--json"]);
        run.stdout.contains("moved/tools/helper.py")
    });
    std::fs::remove_dir_all(ws.root.join("moved")).unwrap();
    eventually("a deleted folder", || !found(&ws, "watched_helper"));

    // A burst: many files at once end up indexed, and the index equals a rebuild.
    for i in 0..50 {
        ws.write(
            &format!("burst/b{i}.py"),
            format!("def burst_{i}():\n    return {i}\n"),
        );
    }
    eventually("a burst of files", || {
        found(&ws, "burst_49") && found(&ws, "burst_0")
    });
    eventually("the index equal to a rebuild", || {
        ws.run(&["verify"]).code == 0
    });
}

#[test]
fn mcp_with_watch_answers_from_the_newest_state() {
    let ws = Workspace::fixture("mesh");
    ws.run(&["index", "."]).ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut cmd = tokio::process::Command::new(binary());
        cmd.args(["mcp", "--watch"]).current_dir(&ws.root);
        let (transport, _) = TokioChildProcess::builder(cmd)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let client = ().serve(transport).await.unwrap();
        let search = |text: &str| {
            CallToolRequestParams::new("search")
                .with_arguments(json!({"text": text}).as_object().cloned().unwrap())
        };
        let before = client.call_tool(search("CartServer")).await.unwrap();
        let generation = before.structured_content.unwrap()["index"]["generation"]
            .as_u64()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        ws.write(
            "cartservice/server/live.go",
            "package server\n\nfunc LiveAddition() {}\n",
        );
        let started = Instant::now();
        loop {
            let r = client.call_tool(search("LiveAddition")).await.unwrap();
            let v = r.structured_content.unwrap();
            if r.is_error != Some(true)
                && v["result"]["items"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
            {
                assert!(v["index"]["generation"].as_u64().unwrap() > generation);
                assert_eq!(v["index"]["stale"], false);
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "the new symbol never appeared"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        client.cancel().await.unwrap();
    });
}
