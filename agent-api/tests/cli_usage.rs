//! Usage errors of the `cartograph` binary. (Having an integration test here also
//! makes `cargo test --workspace` build the binary that `tests/` drives.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn cartograph(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cartograph"))
        .args(args)
        .output()
        .expect("run cartograph");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_lists_every_command() {
    let (code, stdout, _) = cartograph(&["--help"]);
    assert_eq!(code, 0);
    for cmd in [
        "index", "search", "def", "refs", "outline", "stats", "export", "bench",
    ] {
        assert!(
            stdout.contains(cmd),
            "help does not mention {cmd}:\n{stdout}"
        );
    }
}

#[test]
fn unknown_commands_and_flags_exit_2() {
    let (code, _, stderr) = cartograph(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("frobnicate"));
    let (code, _, _) = cartograph(&["search", "--no-such-flag", "x"]);
    assert_eq!(code, 2);
}
