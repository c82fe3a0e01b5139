//! Bad input is data: it gets a clear message and never aborts a run or loses the index.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cartograph_tests::{run_in, Workspace};

#[test]
fn syntax_errors_keep_what_can_be_extracted() {
    let ws = Workspace::empty();
    ws.write(
        "app.py",
        "def good():\n    return 1\n\ndef broken(:\n    pass\n\nclass After:\n    def method(self):\n        good()\n",
    );
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["files"], 1);
    assert_eq!(report["diagnostics"], 1);
    let outline = ws.run(&["outline", "app.py"]);
    let text = outline.ok();
    assert!(text.contains("function  good"), "{text}");
    assert!(text.contains("class  After"), "{text}");
    assert!(ws.run(&["stats", "--json"]).json()["files_with_diagnostics"] == 1);
}

#[test]
fn binary_large_and_non_utf8_files() {
    let ws = Workspace::empty();
    ws.write("ok.go", "package main\n\nfunc Fine() {}\n");
    ws.write("blob.py", b"\x00\x01\x02binary\x00data");
    ws.write(
        "huge.js",
        format!("// {}\nfunction big() {{}}\n", "x".repeat(5000)),
    );
    ws.write("latin1.py", b"# caf\xe9\ndef cafe():\n    return '\xe9'\n");
    let out = ws.run(&["index", ".", "--max-file-size", "4096", "--json"]);
    let report = out.json();
    assert_eq!(report["files"], 2, "{report}");
    let skipped = cartograph_tests::path_lines(&report["skipped"], "reason");
    assert_eq!(
        skipped,
        [
            "blob.py: binary file",
            "huge.js: larger than the size cap (5022 > 4096 bytes)"
        ]
    );
    assert!(
        out.stderr
            .contains("skipped huge.js: larger than the size cap"),
        "{}",
        out.stderr
    );
    // Invalid UTF-8 is replaced and indexed, with a diagnostic.
    assert!(ws.run(&["def", "cafe"]).ok().contains("latin1.py:2:4"));
    assert_eq!(ws.run(&["stats", "--json"]).json()["skipped"], 2);
}

#[test]
fn ignored_and_vendored_trees_are_skipped() {
    let ws = Workspace::empty();
    ws.write("src/app.ts", "export function visible() {}\n");
    for dir in [
        "node_modules/lib",
        "target/debug",
        "vendor/pkg",
        ".git/hooks",
        "generated",
    ] {
        ws.write(&format!("{dir}/hidden.ts"), "export function hidden() {}\n");
    }
    ws.write(".gitignore", "generated/\n");
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["files"], 1, "{report}");
    assert_eq!(ws.run(&["def", "hidden"]).code, 1);
}

#[test]
fn a_build_folder_is_skipped_only_as_a_build_tools_output() {
    let ws = Workspace::empty();
    // Gradle writes `build/` beside its build file: skipped.
    ws.write("app/build.gradle", "apply plugin: 'java'\n");
    ws.write("app/Main.java", "class Main { void visible() {} }\n");
    ws.write(
        "app/build/generated/Gen.java",
        "class Gen { void hidden() {} }\n",
    );
    // A Maven repository keeps its deployment files in `build/`: walked.
    ws.write(
        "pom.xml",
        "<project><artifactId>shop</artifactId></project>\n",
    );
    ws.write("build/docker/Tool.java", "class Tool { void kept() {} }\n");
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["files"], 2, "{report}");
    assert_eq!(ws.run(&["def", "hidden"]).code, 1);
    assert_eq!(ws.run(&["def", "kept"]).code, 0);
}

#[test]
fn exclude_globs_leave_files_out_and_are_kept_for_later_runs() {
    let ws = Workspace::empty();
    ws.write("src/app.py", "def visible():\n    pass\n");
    ws.write("src/gen/stubs.py", "def stub():\n    pass\n");
    ws.write("web/app.min.js", "function minified() {}\n");
    let report = ws
        .run(&[
            "index",
            ".",
            "--exclude",
            "gen/",
            "--exclude",
            "*.min.js",
            "--json",
        ])
        .json();
    assert_eq!(report["files"], 1, "{report}");
    assert_eq!(ws.run(&["def", "stub"]).code, 1);
    assert_eq!(ws.run(&["def", "minified"]).code, 1);
    // A later run without `--exclude` keeps them out.
    ws.write("src/more.py", "def more():\n    pass\n");
    let again = ws.run(&["index", "--json"]).json();
    assert_eq!(again["files"], 2, "{again}");
    assert_eq!(ws.run(&["def", "stub"]).code, 1);
    assert_eq!(ws.run(&["def", "more"]).code, 0);
}

#[cfg(unix)]
#[test]
fn symlink_loops_do_not_hang_or_abort() {
    let ws = Workspace::empty();
    ws.write("pkg/mod.rs", "pub fn inside() {}\n");
    std::os::unix::fs::symlink(ws.root.join("pkg"), ws.root.join("pkg/again")).unwrap();
    std::os::unix::fs::symlink(ws.root.join("nowhere"), ws.root.join("dangling.rs")).unwrap();
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["files"], 1, "{report}");
    let reasons = report["skipped"].to_string();
    assert!(reasons.contains("loop"), "{reasons}");
    assert!(ws.run(&["def", "inside"]).ok().contains("pkg/mod.rs"));
}

#[test]
fn an_empty_directory_gives_an_empty_index() {
    let ws = Workspace::empty();
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["files"], 0);
    assert_eq!(ws.run(&["stats", "--json"]).json()["files"], 0);
    assert_eq!(ws.run(&["search", "anything"]).code, 1);
}

#[test]
fn a_missing_path_is_a_clear_error() {
    let ws = Workspace::empty();
    let out = ws.run(&["index", "no/such/dir"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("cannot index no/such/dir: no such file or directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn querying_without_an_index_says_to_run_index() {
    let ws = Workspace::empty();
    for args in [
        &["search", "x"][..],
        &["def", "x"],
        &["refs", "x"],
        &["outline", "a.go"],
        &["stats"],
        &["export"],
    ] {
        let out = ws.run(args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(
            out.stderr.contains("run `cartograph index"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn corrupted_or_foreign_index_directories_are_refused_cleanly() {
    // Foreign: files but no marker.
    let ws = Workspace::empty();
    ws.write("a.go", "package main\n");
    ws.write(".cartograph/notes.txt", "mine");
    let out = ws.run(&["index", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not a cartograph index"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(ws.root.join(".cartograph/notes.txt")).unwrap(),
        "mine"
    );
    let q = ws.run(&["stats"]);
    assert_eq!(q.code, 2);
    assert!(q.stderr.contains("run `cartograph index"), "{}", q.stderr);

    // Another format: queries refuse with the reason, `index` rebuilds.
    let ws = Workspace::empty();
    ws.write("a.go", "package main\n\nfunc A() {}\n");
    ws.run(&["index", "."]).ok();
    std::fs::write(
        ws.root.join(".cartograph/FORMAT"),
        "cartograph index format 999\n",
    )
    .unwrap();
    let q = ws.run(&["def", "A"]);
    assert_eq!(q.code, 2);
    assert!(q.stderr.contains("has format 999"), "{}", q.stderr);
    ws.run(&["index", "."]).ok();
    assert!(ws.run(&["def", "A"]).ok().contains("a.go:3:5"));

    // Garbage in the database files: a clear error, never a panic.
    let ws = Workspace::empty();
    ws.write("a.go", "package main\n\nfunc A() {}\n");
    ws.run(&["index", "."]).ok();
    let store = ws.root.join(".cartograph/store");
    for entry in walk_files(&store) {
        std::fs::write(&entry, vec![0xA5u8; 4096]).unwrap();
    }
    let q = ws.run(&["def", "A"]);
    assert_eq!(q.code, 2, "{q:?}");
    assert!(!q.stderr.contains("panicked"), "{}", q.stderr);
    assert!(q.stderr.contains("cartograph: error:"), "{}", q.stderr);
    let repaired = ws.run(&["index", "."]);
    assert!(
        repaired.stderr.contains("rebuilding it"),
        "{}",
        repaired.stderr
    );
    assert!(ws.run(&["def", "A"]).ok().contains("a.go:3:5"));

    // A wiped search index is rebuilt from the store.
    let ws = Workspace::empty();
    ws.write("a.go", "package main\n\nfunc A() {}\n");
    ws.run(&["index", "."]).ok();
    std::fs::remove_dir_all(ws.root.join(".cartograph/search")).unwrap();
    assert!(ws.run(&["def", "A"]).ok().contains("a.go:3:5"));
    let _ = run_in;
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out
}
