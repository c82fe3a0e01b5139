//! Incremental updates equal a full rebuild: random sequences of edits, adds,
//! deletes and renames applied to the shop fixture, each followed by an
//! incremental `cartograph index` and a `cartograph verify` (which rebuilds from
//! scratch and compares every exported record).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use cartograph_tests::Workspace;
use proptest::prelude::*;

/// One change to the workspace; indices pick files modulo their count.
#[derive(Clone, Debug)]
enum Op {
    /// Delete a file.
    Delete(usize),
    /// Move a file to another directory, or rename it in place.
    Rename(usize, bool),
    /// Copy a file under a new name (its definitions now twice).
    Duplicate(usize),
    /// Cut a file in half (often a syntax error).
    Truncate(usize),
    /// Append another file's text to a file of the same language.
    Append(usize, usize),
    /// Rename every occurrence of the file's first definition-like word.
    RenameWord(usize),
    /// Define, in a file, every import alias of the workspace as a function of
    /// the file's language (a new name equal to an alias).
    ShadowAliases(usize),
    /// Import another file's first definition under an alias, and call it.
    AliasImport(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<usize>().prop_map(Op::Delete),
        (any::<usize>(), any::<bool>()).prop_map(|(f, d)| Op::Rename(f, d)),
        any::<usize>().prop_map(Op::Duplicate),
        any::<usize>().prop_map(Op::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Append(a, b)),
        any::<usize>().prop_map(Op::RenameWord),
        any::<usize>().prop_map(Op::ShadowAliases),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::AliasImport(a, b)),
    ]
}

/// Source files of the workspace (not the index), sorted.
fn sources(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| {
                matches!(
                    x.to_str(),
                    Some("go" | "py" | "ts" | "tsx" | "js" | "java" | "cs" | "rs" | "proto")
                )
            }) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn apply(root: &Path, op: &Op, step: usize) {
    let files = sources(root);
    if files.is_empty() {
        return;
    }
    let pick = |i: usize| files[i % files.len()].clone();
    match op {
        Op::Delete(i) => std::fs::remove_file(pick(*i)).unwrap(),
        Op::Rename(i, to_other_dir) => {
            let from = pick(*i);
            let name = format!(
                "moved{step}_{}",
                from.file_name().unwrap().to_string_lossy()
            );
            let dir = if *to_other_dir {
                files[(i + 1) % files.len()].parent().unwrap().to_path_buf()
            } else {
                from.parent().unwrap().to_path_buf()
            };
            std::fs::rename(&from, dir.join(name)).unwrap();
        }
        Op::Duplicate(i) => {
            let from = pick(*i);
            let name = format!("copy{step}_{}", from.file_name().unwrap().to_string_lossy());
            std::fs::copy(&from, from.parent().unwrap().join(name)).unwrap();
        }
        Op::Truncate(i) => {
            let p = pick(*i);
            let text = std::fs::read_to_string(&p).unwrap();
            let mut cut = text.len() / 2;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            std::fs::write(&p, &text[..cut]).unwrap();
        }
        Op::Append(a, b) => {
            let target = pick(*a);
            let same: Vec<&PathBuf> = files
                .iter()
                .filter(|f| f.extension() == target.extension())
                .collect();
            let source = same[b % same.len()];
            let extra = std::fs::read_to_string(source).unwrap();
            let mut text = std::fs::read_to_string(&target).unwrap();
            text.push('\n');
            text.push_str(&extra);
            std::fs::write(&target, text).unwrap();
        }
        Op::ShadowAliases(i) => {
            let p = pick(*i);
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or_default();
            let mut aliases: Vec<String> = Vec::new();
            for f in &files {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                let mut words = text.split(|c: char| !c.is_alphanumeric() && c != '_');
                while let Some(w) = words.next() {
                    if w == "as" {
                        if let Some(alias) = words.by_ref().find(|w| !w.is_empty()) {
                            aliases.push(alias.to_string());
                        }
                    }
                }
            }
            aliases.sort();
            aliases.dedup();
            let mut text = std::fs::read_to_string(&p).unwrap();
            for a in aliases
                .iter()
                .filter(|a| a.chars().next().is_some_and(char::is_alphabetic))
            {
                match ext {
                    "py" => text.push_str(&format!("\n\ndef {a}():\n    return 0\n")),
                    "ts" | "js" => {
                        text.push_str(&format!("\nexport function {a}() {{ return 0; }}\n"))
                    }
                    "go" => text.push_str(&format!("\nfunc {a}() int {{ return 0 }}\n")),
                    _ => {}
                }
            }
            std::fs::write(&p, text).unwrap();
        }
        Op::AliasImport(a, b) => {
            let user = pick(*a);
            let py: Vec<&PathBuf> = files
                .iter()
                .filter(|f| f.extension().is_some_and(|x| x == "py"))
                .collect();
            if user.extension().is_none_or(|x| x != "py") || py.is_empty() {
                return;
            }
            let module = py[b % py.len()];
            let text = std::fs::read_to_string(module).unwrap();
            let Some(name) = text
                .lines()
                .find_map(|l| l.strip_prefix("def ").or_else(|| l.strip_prefix("class ")))
                .and_then(|rest| {
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                })
            else {
                return;
            };
            let stem = module.file_stem().unwrap().to_string_lossy();
            let mut user_text = std::fs::read_to_string(&user).unwrap();
            user_text.push_str(&format!(
                "\n\nfrom .{stem} import {name} as nick{step}\n\ndef use_nick{step}():\n    return nick{step}()\n"
            ));
            std::fs::write(&user, user_text).unwrap();
        }
        Op::RenameWord(i) => {
            let p = pick(*i);
            let text = std::fs::read_to_string(&p).unwrap();
            let keywords = [
                "func",
                "def",
                "class",
                "fn",
                "function",
                "interface",
                "struct",
                "message",
                "service",
                "rpc",
            ];
            let mut words = text.split(|c: char| !c.is_alphanumeric() && c != '_');
            let mut name = None;
            while let Some(w) = words.next() {
                if keywords.contains(&w) {
                    if let Some(next) = words.by_ref().find(|w| !w.is_empty()) {
                        name = Some(next.to_string());
                        break;
                    }
                }
            }
            if let Some(name) = name {
                let renamed = text.replace(&name, &format!("{name}Renamed{step}"));
                std::fs::write(&p, renamed).unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 20, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn incremental_updates_equal_a_rebuild_after_every_step(ops in prop::collection::vec(op(), 1..5)) {
        let ws = Workspace::fixture("shop");
        ws.run(&["index", "."]).ok();
        for (step, op) in ops.iter().enumerate() {
            apply(&ws.root, op, step);
            ws.run(&["index"]).ok();
            let verify = ws.run(&["verify"]);
            prop_assert_eq!(verify.code, 0, "after {:?} (step {}): {}{}", op, step, verify.stdout, verify.stderr);
        }
    }
}

#[test]
fn verify_reports_a_stale_index_apart_from_an_inconsistent_one() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    assert!(ws
        .run(&["verify"])
        .ok()
        .starts_with("the index equals a rebuild"));
    let file = sources(&ws.root)[0].clone();
    std::fs::write(&file, "changed after indexing\n").unwrap();
    // Every query says on stderr that answers may be stale.
    let query = ws.run(&["search", "cart"]);
    assert!(
        query
            .stderr
            .contains("changed on disk since the last update"),
        "{}",
        query.stderr
    );
    let stale = ws.run(&["verify", "--json"]);
    assert_eq!(stale.code, 1);
    let v: serde_json::Value = serde_json::from_str(&stale.stdout).unwrap();
    assert_eq!(v["stale_files"], 1);
    assert!(
        stale.stderr.contains("run `cartograph index`"),
        "{}",
        stale.stderr
    );
}

#[test]
fn json_answers_say_how_fresh_the_index_behind_them_is() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&ws.run(args).stdout).unwrap()
    };
    // Fresh: objects carry the index state, arrays keep their shape unmarked.
    let callers = json(&["callers", "charge", "--json"]);
    assert_eq!(callers["index"]["stale"], false, "{callers}");
    assert!(callers["index"]["generation"].as_u64().unwrap() > 0);
    let refs = json(&["refs", "charge", "--json"]);
    assert!(
        refs.as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("stale").is_none()),
        "{refs}"
    );

    // The caller's file changes on disk: every answer naming it says so.
    let index_js = ws.root.join("src/paymentservice/index.js");
    let text = std::fs::read_to_string(&index_js).unwrap();
    std::fs::write(&index_js, format!("{text}\n// edited\n")).unwrap();
    let refs = json(&["refs", "charge", "--json"]);
    let sites = refs.as_array().unwrap();
    assert!(!sites.is_empty());
    for site in sites {
        let in_edited = site["file"] == "src/paymentservice/index.js";
        assert_eq!(site.get("stale").is_some(), in_edited, "{site}");
    }
    let callers = json(&["callers", "charge", "--json"]);
    assert_eq!(callers["index"]["stale"], true);
    assert_eq!(
        callers["index"]["changed"],
        serde_json::json!(["src/paymentservice/index.js"])
    );
    assert_eq!(callers["children"][0]["stale"], true, "{callers}");

    // An added file is seen too, and the envelope says so even for an empty answer.
    std::fs::write(
        ws.root.join("src/paymentservice/extra.js"),
        "export const x = 1;\n",
    )
    .unwrap();
    let empty = ws.run(&["search", "zzzznothing", "--json", "--envelope"]);
    assert_eq!(empty.code, 1);
    let v: serde_json::Value = serde_json::from_str(&empty.stdout).unwrap();
    assert_eq!(v["result"], serde_json::json!([]));
    assert_eq!(v["index"]["changed_files"], 2, "{v}");

    // Indexed again: fresh.
    ws.run(&["index"]).ok();
    let callers = json(&["callers", "charge", "--json"]);
    assert_eq!(callers["index"]["stale"], false);
}

/// One incremental step, then `verify` (a rebuild compared record by record).
fn step_then_verify(ws: &Workspace, what: &str) {
    ws.run(&["index"]).ok();
    let verify = ws.run(&["verify"]);
    assert_eq!(
        verify.code, 0,
        "after {what}: {}{}",
        verify.stdout, verify.stderr
    );
}

#[test]
fn a_new_name_equal_to_an_import_alias_keeps_the_alias_linked() {
    let ws = Workspace::empty();
    ws.write("pkg/__init__.py", "");
    ws.write("pkg/m.py", "def shout():\n    return 1\n");
    ws.write(
        "pkg/user.py",
        "from .m import shout as yell\n\ndef call():\n    return yell()\n",
    );
    ws.write(
        "web/m.ts",
        "export function shout(): number { return 1; }\n",
    );
    ws.write(
        "web/user.ts",
        "import { shout as yell } from \"./m\";\n\nexport function call(): number { return yell(); }\n",
    );
    ws.run(&["index", "."]).ok();
    let callees = |file: &str| {
        let out = ws.run(&["outline", file, "--json"]).json();
        let id = out[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{out}"))
            .to_string();
        ws.run(&["callees", &id]).ok().to_string()
    };
    for file in ["pkg/user.py", "web/user.ts"] {
        let before = callees(file);
        assert!(before.contains("shout"), "{before}");
    }
    // Any file defining a name equal to the alias.
    ws.write("pkg/other.py", "def yell():\n    return 2\n");
    ws.write(
        "web/other.ts",
        "export function yell(): number { return 2; }\n",
    );
    step_then_verify(&ws, "defining the aliases elsewhere");
    for file in ["pkg/user.py", "web/user.ts"] {
        let out = callees(file);
        assert!(out.contains("shout"), "{file}: {out}");
        assert!(!out.contains("other."), "{file}: {out}");
    }
}

#[test]
fn a_class_named_like_its_aliased_base_does_not_inherit_from_itself() {
    let ws = Workspace::empty();
    ws.write("pkg/__init__.py", "");
    ws.write(
        "pkg/base.py",
        "class Serializer:\n    def dump(self):\n        return 1\n",
    );
    ws.write(
        "pkg/geo.py",
        "from .base import Serializer as Base\n\nclass Serializer(Base):\n    def dump(self):\n        return 2\n",
    );
    ws.write(
        "web/base.ts",
        "export class Serializer { dump(): number { return 1; } }\n",
    );
    ws.write(
        "web/geo.ts",
        "import { Serializer as Base } from \"./base\";\n\nexport class Serializer extends Base { dump(): number { return 2; } }\n",
    );
    ws.run(&["index", "."]).ok();
    for (file, base) in [("pkg/geo.py", "pkg/base.py"), ("web/geo.ts", "web/base.ts")] {
        let out = ws.run(&["outline", file, "--json"]).json();
        let id = out[0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{out}"))
            .to_string();
        let hierarchy = ws.run(&["hierarchy", &id, "--json"]).ok().to_string();
        assert!(hierarchy.contains(base), "{file}: {hierarchy}");
        let supers: serde_json::Value = serde_json::from_str(&hierarchy).unwrap();
        let files: Vec<&str> = supers["supertypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["symbol"]["file"].as_str().unwrap())
            .collect();
        assert_eq!(files, [base], "{file}: {hierarchy}");
    }
}
