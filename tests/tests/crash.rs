//! Crash safety: `cartograph index` killed with SIGKILL at any point leaves the
//! previous index readable and consistent, and the next run completes it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::Duration;

use cartograph_tests::{binary, run_in, Workspace};

const FILES: usize = 400;
const FUNCS: usize = 25;

fn write_generation(ws: &Workspace, prefix: &str) {
    for i in 0..FILES {
        let mut text = String::new();
        for j in 0..FUNCS {
            text.push_str(&format!(
                "def {prefix}_{i}_{j}(x):\n    \"\"\"Doc {j}.\"\"\"\n    return helper_{j}(x) + {j}\n\n"
            ));
        }
        ws.write(&format!("pkg{}/mod_{i}.py", i % 10), text);
    }
}

fn symbol_prefixes(ws: &Workspace) -> std::collections::BTreeSet<String> {
    let export = ws.run(&["export"]);
    export
        .ok()
        .lines()
        .filter(|l| l.starts_with("{\"type\":\"symbol\""))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["name"]
                .as_str()
                .unwrap()
                .split('_')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn sigkill_during_index_never_corrupts_the_index() {
    let ws = Workspace::empty();
    write_generation(&ws, "old");
    ws.run(&["index", "."]).ok();
    write_generation(&ws, "new");

    let mut saw_old = false;
    for delay_ms in [5u64, 30, 80, 150, 300, 600] {
        let mut child = Command::new(binary())
            .args(["index", "."])
            .current_dir(&ws.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();

        // Whatever the moment of the kill, the index opens and is entirely one state.
        let stats = ws.run(&["stats", "--json"]).json();
        assert_eq!(stats["files"], FILES as u64, "after kill at {delay_ms} ms");
        let prefixes = symbol_prefixes(&ws);
        assert_eq!(
            prefixes.len(),
            1,
            "mixed state after kill at {delay_ms} ms: {prefixes:?}"
        );
        let state = prefixes.into_iter().next().unwrap();
        if state == "old" {
            saw_old = true;
            assert!(ws.run(&["def", "old_7_3"]).ok().contains("pkg7/mod_7.py"));
        } else {
            assert!(ws.run(&["def", "new_7_3"]).ok().contains("pkg7/mod_7.py"));
        }
    }
    assert!(
        saw_old || cfg!(not(debug_assertions)),
        "no kill landed before the update; the test proves nothing"
    );

    // The next run completes the update, equal to a fresh index.
    ws.run(&["index", "."]).ok();
    assert_eq!(
        symbol_prefixes(&ws).into_iter().collect::<Vec<_>>(),
        ["new"]
    );
    let fresh = ws.tmp.path().join("fresh");
    run_in(
        &ws.root,
        &["--index", fresh.to_str().unwrap(), "index", "."],
    )
    .ok();
    let a = ws.run(&["export"]).ok().to_string();
    let b = run_in(&ws.root, &["--index", fresh.to_str().unwrap(), "export"])
        .ok()
        .to_string();
    assert_eq!(a, b);
}

#[test]
fn sigkill_while_watching_never_corrupts_the_index() {
    let ws = Workspace::empty();
    write_generation(&ws, "old");
    ws.run(&["index", "."]).ok();
    for (round, delay_ms) in [40u64, 120, 250, 500].into_iter().enumerate() {
        let mut child = Command::new(binary())
            .arg("watch")
            .current_dir(&ws.root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // A new generation of every file, then a kill somewhere in its update.
        write_generation(&ws, &format!("gen{round}"));
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The index opens and holds one generation, whole.
        let stats = ws.run(&["stats", "--json"]).json();
        assert_eq!(stats["files"], FILES as u64, "after kill {round}");
        let prefixes = symbol_prefixes(&ws);
        assert!(prefixes.len() <= 2, "after kill {round}: {prefixes:?}");
    }
    // The next run repairs what was in flight: equal to a rebuild.
    ws.run(&["index"]).ok();
    assert_eq!(
        symbol_prefixes(&ws).into_iter().collect::<Vec<_>>(),
        ["gen3"]
    );
    let verify = ws.run(&["verify"]);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}
