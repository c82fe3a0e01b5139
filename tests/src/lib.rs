//! Helpers for Cartograph's end-to-end tests: run the real `cartograph` binary on
//! copies of the fixture workspaces.

// Test support: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The fixture workspaces' directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The `cartograph` binary built alongside the test executable.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CARTOGRAPH_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test>-<hash> -> target/<profile>/cartograph
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let bin = profile_dir.join(format!("cartograph{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: build it first with `cargo build -p cartograph` (or set CARTOGRAPH_BIN)",
        bin.display()
    );
    bin
}

/// Copies a directory tree (files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of a fixture workspace.
pub struct Workspace {
    /// Keeps the directory alive.
    pub tmp: tempfile::TempDir,
    /// The workspace root inside it.
    pub root: PathBuf,
}

impl Workspace {
    /// Copies `tests/fixtures/<name>` into a new temporary directory.
    pub fn fixture(name: &str) -> Workspace {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join(name);
        copy_tree(&fixtures().join(name), &root);
        Workspace { tmp, root }
    }

    /// An empty workspace.
    pub fn empty() -> Workspace {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir_all(&root).unwrap();
        Workspace { tmp, root }
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    /// Runs `cartograph args...` in the workspace root.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.root, args)
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 if killed).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "cartograph failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", self.stdout))
    }
}

/// Runs git in `dir` (as a committer named `t`, unsigned), asserting success.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.email=t@example.com",
            "-c",
            "user.name=t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary in `dir` with no environment hints about the index.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("CARTOGRAPH_INDEX")
        .env_remove("CARTOGRAPH_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The `path: text` lines of a list of JSON records (`index --json`'s `skipped` with
/// `"reason"`, its `problems` with `"message"`), in order.
pub fn path_lines(records: &serde_json::Value, text: &str) -> Vec<String> {
    records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}: {}",
                r["path"].as_str().unwrap(),
                r[text].as_str().unwrap()
            )
        })
        .collect()
}
