//! Re-indexing: only changed files are re-extracted, and the result equals a fresh
//! full index of the same tree.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cartograph_tests::{run_in, Workspace};

fn export(ws: &Workspace, index: &std::path::Path) -> String {
    run_in(&ws.root, &["--index", index.to_str().unwrap(), "export"])
        .ok()
        .to_string()
}

/// The workspace's updated index and a fresh index of the same tree (in `fresh`
/// under the workspace's temporary directory), each exported.
fn incremental_and_rebuilt(ws: &Workspace, fresh: &str) -> (String, String) {
    let fresh = ws.tmp.path().join(fresh);
    run_in(
        &ws.root,
        &["--index", fresh.to_str().unwrap(), "index", "."],
    )
    .ok();
    (export(ws, &ws.root.join(".cartograph")), export(ws, &fresh))
}

#[test]
fn edits_deletes_and_adds_equal_a_fresh_index() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();

    // An edit, a delete and an add.
    let cart = ws.root.join("src/cartservice/cart.go");
    let text = std::fs::read_to_string(&cart).unwrap();
    std::fs::write(
        &cart,
        text.replace("func NewMemoryStore()", "func NewStore()"),
    )
    .unwrap();
    std::fs::remove_file(ws.root.join("src/paymentservice/logger.js")).unwrap();
    ws.write(
        "src/emailservice/emailservice/retry.py",
        "def retry_send(sender, n):\n    return sender.send(n)\n",
    );

    let report = ws.run(&["index", "--json"]).json();
    assert_eq!(report["added"], 1, "{report}");
    assert_eq!(report["changed"], 1, "{report}");
    assert_eq!(report["deleted"], 1, "{report}");
    assert_eq!(report["unchanged"], 20, "{report}");

    assert!(ws
        .run(&["def", "NewStore"])
        .ok()
        .contains("src/cartservice/cart.go:38:5"));
    assert_eq!(ws.run(&["def", "NewMemoryStore"]).code, 1);
    assert!(ws.run(&["search", "retry send"]).ok().contains("retry.py"));
    assert_eq!(ws.run(&["outline", "src/paymentservice/logger.js"]).code, 2);
    // The name table follows: the old call site of NewMemoryStore is gone only if
    // its file changed; main.go still calls it by name.
    assert!(ws
        .run(&["refs", "NewMemoryStore"])
        .ok()
        .contains("src/cartservice/main.go:20:28"));

    let (incremental, full) = incremental_and_rebuilt(&ws, "fresh");
    assert_eq!(
        incremental, full,
        "incremental re-index differs from a full index"
    );
}

#[test]
fn a_new_manifest_moves_files_to_a_new_service() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    ws.write("protos/package.json", r#"{"name": "shop-protos"}"#);
    let report = ws.run(&["index", "--json"]).json();
    assert_eq!(report["changed"], 1, "{report}");
    let def = ws.run(&["def", "CartService", "--json"]).json();
    assert_eq!(def[0]["service"], "shop-protos");
    assert_eq!(def[0]["id"], "proto shop-protos shop.proto CartService#");
    let (incremental, rebuilt) = incremental_and_rebuilt(&ws, "fresh");
    assert_eq!(incremental, rebuilt);
}

#[test]
fn stable_ids_survive_reindexing_from_scratch() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    let before = ws.run(&["export"]).ok().to_string();
    std::fs::remove_dir_all(ws.root.join(".cartograph")).unwrap();
    ws.run(&["index", "."]).ok();
    assert_eq!(before, ws.run(&["export"]).ok());
}

#[test]
fn resolution_follows_edits_and_equals_a_rebuild() {
    let ws = Workspace::empty();
    ws.write(
        "app/main.py",
        "from .helpers import shout\n\ndef run():\n    return shout('hi')\n",
    );
    ws.run(&["index", "."]).ok();
    // The import names a module that does not exist yet: the call stays unresolved.
    let before = ws.run(&["refs", "shout", "--json"]).json();
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["targets"].as_array().unwrap().is_empty()),
        "{before}"
    );

    // Adding the definition captures the references.
    ws.write("app/helpers.py", "def shout(s):\n    return s.upper()\n");
    ws.run(&["index"]).ok();
    let after = ws.run(&["refs", "shout", "--json"]).json();
    let sites = after.as_array().unwrap();
    assert_eq!(sites.len(), 2, "{after}");
    assert!(
        sites
            .iter()
            .all(|s| s["targets"][0]["id"] == "python root app/helpers.py shout()."),
        "{after}"
    );
    assert!(
        sites
            .iter()
            .all(|s| s["targets"][0]["evidence"] == "import"),
        "{after}"
    );

    // Renaming it: the old name's references are unresolved again.
    ws.write("app/helpers.py", "def yell(s):\n    return s.upper()\n");
    ws.run(&["index"]).ok();
    let renamed = ws.run(&["refs", "shout", "--by-name", "--json"]).json();
    assert!(
        renamed
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["targets"].as_array().unwrap().is_empty()),
        "{renamed}"
    );

    // Each step's graph equals a fresh index of the same tree.
    let (incremental, rebuilt) = incremental_and_rebuilt(&ws, "fresh");
    assert_eq!(incremental, rebuilt);
}

/// One edit of a workspace.
type Step = Box<dyn Fn(&Workspace)>;

/// After every step of an edit sequence on the shop fixture, the incrementally
/// updated graph (links, targets, edges) equals a fresh index of the same tree.
#[test]
fn every_step_of_an_edit_sequence_equals_a_rebuild() {
    let ws = Workspace::fixture("shop");
    ws.run(&["index", "."]).ok();
    let ledger = "src/ledger/src";
    let steps: Vec<(&str, Step)> = vec![
        (
            "a new definition captures unresolved references",
            Box::new(|ws: &Workspace| {
                ws.write(
                    "src/cartservice/util.go",
                    "package main\n\nfunc Lock() {}\n\nfunc Unlock() {}\n",
                )
            }),
        ),
        (
            "a definition others use is renamed",
            Box::new(move |ws: &Workspace| {
                let p = ws.root.join(ledger).join("entry.rs");
                let text = std::fs::read_to_string(&p).unwrap();
                std::fs::write(&p, text.replace("fn amount", "fn total")).unwrap();
            }),
        ),
        (
            "a method moves between classes",
            Box::new(|ws: &Workspace| {
                let p = ws.root.join("src/shippingservice/Quote.cs");
                let text = std::fs::read_to_string(&p).unwrap();
                let moved = text.replacen("class QuoteCalculator", "class QuoteEstimator", 1);
                std::fs::write(&p, moved).unwrap();
            }),
        ),
        (
            "a file others import is deleted",
            Box::new(move |ws: &Workspace| {
                std::fs::remove_file(ws.root.join(ledger).join("entry.rs")).unwrap();
            }),
        ),
        (
            "the deleted file comes back under another name",
            Box::new(move |ws: &Workspace| {
                ws.write(
                    &format!("{ledger}/entry2.rs"),
                    "pub struct Entry { pub cents: i64 }\n\nimpl Entry {\n    pub fn amount(&self) -> i64 { self.cents }\n}\n",
                );
            }),
        ),
    ];
    for (i, (what, step)) in steps.iter().enumerate() {
        step(&ws);
        ws.run(&["index"]).ok();
        let (incremental, rebuilt) = incremental_and_rebuilt(&ws, &format!("fresh{i}"));
        if incremental != rebuilt {
            let diff: Vec<String> = incremental
                .lines()
                .zip(rebuilt.lines())
                .filter(|(a, b)| a != b)
                .take(3)
                .map(|(a, b)| format!("incremental: {a}\nrebuilt:     {b}"))
                .collect();
            panic!(
                "after step {i} ({what}) the graphs differ:\n{}",
                diff.join("\n")
            );
        }
    }
}

#[test]
fn a_touched_file_with_the_same_text_is_fresh_again_after_a_reindex() {
    let ws = Workspace::empty();
    ws.write("main.go", "package main\n\nfunc Total() int { return 1 }\n");
    ws.run(&["index", "."]).ok();
    // `touch`: the time moves, the text does not.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(ws.root.join("main.go"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let warning = "changed on disk";
    assert!(ws.run(&["def", "Total"]).stderr.contains(warning));
    let report = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(report["changed"], 0, "{report}");
    // The record follows the file: no answer warns about it any more.
    let after = ws.run(&["def", "Total"]);
    assert!(!after.stderr.contains(warning), "{}", after.stderr);
    // And a run with nothing new writes nothing.
    let again = ws.run(&["index", ".", "--json"]).json();
    assert_eq!(again["generation"], report["generation"], "{again}");
}

/// A value held from a call has the type its function returns (Go): when that
/// function, alone in its file, changes what it returns, the calls through the value
/// follow (though no name they use changed), and the update equals a rebuild.
#[test]
fn a_changed_result_type_moves_the_calls_through_the_value() {
    let ws = Workspace::empty();
    ws.write("cart/go.mod", "module example.com/cart\n");
    ws.write(
        "cart/main.go",
        "package main\n\nfunc run() {\n\tr := open()\n\tr.Save()\n}\n",
    );
    ws.write(
        "cart/store.go",
        "package main\n\ntype Disk struct{}\n\nfunc (d *Disk) Save() {}\n\ntype Memory struct{}\n\nfunc (m *Memory) Save() {}\n",
    );
    ws.write(
        "cart/open.go",
        "package main\n\nfunc open() *Disk { return &Disk{} }\n",
    );
    ws.run(&["index", "."]).ok();
    let target = |ws: &Workspace| {
        let sites = ws.run(&["refs", "Save", "--by-name", "--json"]).json();
        sites.as_array().unwrap()[0]["targets"][0]["id"].clone()
    };
    assert_eq!(target(&ws), "go cart store.go Disk#Save().");

    ws.write(
        "cart/open.go",
        "package main\n\nfunc open() *Memory { return &Memory{} }\n",
    );
    ws.run(&["index"]).ok();
    assert_eq!(target(&ws), "go cart store.go Memory#Save().");

    let (incremental, rebuilt) = incremental_and_rebuilt(&ws, "fresh");
    assert_eq!(incremental, rebuilt);
}

/// A member found through the bases of the bases (`D` → `C` → `B` → `A`, four files):
/// editing any link of the chain, or a file that only a subclass mentions, leaves
/// the stored answers equal to a rebuild's.
#[test]
fn members_inherited_from_further_up_follow_edits_of_the_chain() {
    let ws = Workspace::empty();
    ws.write("app/a.py", "class A:\n    def save(self):\n        pass\n");
    ws.write("app/z.py", "class Z:\n    def save(self):\n        pass\n");
    ws.write("app/b.py", "from .a import A\n\nclass B(A):\n    pass\n");
    ws.write("app/c.py", "from .b import B\n\nclass C(B):\n    pass\n");
    ws.write(
        "app/d.py",
        "from .c import C\n\nclass D(C):\n    def run(self):\n        return self.save()\n\ndef use(c: C):\n    return c.save()\n",
    );
    ws.run(&["index", "."]).ok();
    let target = |ws: &Workspace| -> Vec<String> {
        ws.run(&["refs", "save", "--by-name", "--json"])
            .json()
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["file"] == "app/d.py")
            .map(|s| format!("{} {}", s["targets"][0]["id"], s["targets"][0]["evidence"]))
            .collect()
    };
    assert_eq!(
        target(&ws),
        [
            "\"python root app/a.py A#save().\" \"inherited\"",
            "\"python root app/a.py A#save().\" \"inherited\""
        ]
    );
    let steps: [(&str, Option<&str>); 7] = [
        // A new file deriving from the bottom of the chain: its call climbs four
        // levels of files it does not name.
        (
            "app/e.py",
            Some(
                "from .d import D\n\nclass E(D):\n    def go(self):\n        return self.save()\n",
            ),
        ),
        // Z's save moves down a line: D's and E's calls of `save` are redone, not the
        // rest of those files, and still climb through C and B to A (no file on the
        // chain changed).
        (
            "app/z.py",
            Some("class Z:\n\n    def save(self):\n        pass\n"),
        ),
        // A's save moves down a line: D's calls are redone through C and B, which no
        // edited file defines.
        (
            "app/a.py",
            Some("class A:\n\n    def save(self):\n        pass\n"),
        ),
        // B now derives from Z: D's calls reach Z's save.
        (
            "app/b.py",
            Some("from .z import Z\n\nclass B(Z):\n    pass\n"),
        ),
        // C defines save itself: the nearest.
        (
            "app/c.py",
            Some("from .b import B\n\nclass C(B):\n    def save(self):\n        pass\n"),
        ),
        (
            "app/c.py",
            Some("from .b import B\n\nclass C(B):\n    pass\n"),
        ),
        // B is gone: nothing above C.
        ("app/b.py", None),
    ];
    for (i, (path, text)) in steps.into_iter().enumerate() {
        match text {
            Some(t) => ws.write(path, t),
            None => std::fs::remove_file(ws.root.join(path)).unwrap(),
        }
        ws.run(&["index", "."]).ok();
        let (incremental, rebuilt) = incremental_and_rebuilt(&ws, &format!("fresh{i}"));
        assert_eq!(incremental, rebuilt, "after step {i}");
    }
}

/// A callback's parameter is typed by the callee's declaration in another file, its
/// type parameter given by the declared type of the call's result and reached
/// through a default with indexed access (`D = T["_zod"]["def"]`): editing the
/// callee, the default or a field on the way moves the answer, as a rebuild does.
#[test]
fn a_callbacks_parameter_follows_edits_of_its_callees_declaration() {
    let ws = Workspace::empty();
    ws.write(
        "web/src/core.ts",
        "export interface Ctor<T, D = T[\"_zod\"][\"def\"]> { new (def: D): T; }\n\
         export function ctor<T, D = T[\"_zod\"][\"def\"]>(name: string, init: (inst: T, def: D) => void): Ctor<T, D> {\n    return null as any;\n}\n",
    );
    ws.write(
        "web/src/defs.ts",
        "export interface StringDef { pattern: string; }\nexport interface NumberDef { pattern: string; }\n",
    );
    ws.write(
        "web/src/internals.ts",
        "import { StringDef } from \"./defs\";\nexport interface Internals { def: StringDef; other: number; }\n",
    );
    ws.write(
        "web/src/schemas.ts",
        "import * as core from \"./core\";\nimport { Internals } from \"./internals\";\n\
         export interface Schema { _zod: Internals; }\n\
         export const Schema: core.Ctor<Schema> = core.ctor(\"Schema\", (inst, def) => {\n    def.pattern;\n});\n",
    );
    ws.run(&["index", "."]).ok();
    let target = |ws: &Workspace| {
        let sites = ws.run(&["refs", "pattern", "--by-name", "--json"]).json();
        let site = sites
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["file"] == "web/src/schemas.ts")
            .cloned()
            .unwrap();
        site["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let string = "typescript root web/src/defs.ts StringDef#pattern.".to_string();
    let number = "typescript root web/src/defs.ts NumberDef#pattern.".to_string();
    assert_eq!(target(&ws), vec![string.clone()]);
    let step = |ws: &Workspace, what: &str| {
        ws.run(&["index"]).ok();
        let (incremental, rebuilt) = incremental_and_rebuilt(ws, what);
        assert_eq!(incremental, rebuilt, "after {what}");
    };

    // The field on the way is retyped in its own file.
    ws.write(
        "web/src/internals.ts",
        "import { NumberDef } from \"./defs\";\nexport interface Internals { def: NumberDef; other: number; }\n",
    );
    step(&ws, "retyped");
    assert_eq!(target(&ws), vec![number.clone()]);

    // The callee's default reaches another field.
    ws.write(
        "web/src/core.ts",
        "export interface Ctor<T, D = T[\"_zod\"][\"other\"]> { new (def: D): T; }\n\
         export function ctor<T, D = T[\"_zod\"][\"other\"]>(name: string, init: (inst: T, def: D) => void): Ctor<T, D> {\n    return null as any;\n}\n",
    );
    step(&ws, "default");
    assert_ne!(target(&ws), vec![number.clone()]);

    // And back.
    ws.write(
        "web/src/core.ts",
        "export interface Ctor<T, D = T[\"_zod\"][\"def\"]> { new (def: D): T; }\n\
         export function ctor<T, D = T[\"_zod\"][\"def\"]>(name: string, init: (inst: T, def: D) => void): Ctor<T, D> {\n    return null as any;\n}\n",
    );
    step(&ws, "back");
    assert_eq!(target(&ws), vec![number]);
}

/// A key of a literal passed to `new` of a parameter is typed by the construct
/// signature of the parameter's declared type, in another file: editing that
/// signature, or the field it reaches, moves the answer as a rebuild does.
#[test]
fn a_key_built_through_a_construct_signature_follows_its_edits() {
    let ws = Workspace::empty();
    let core = |field: &str| {
        format!(
            "type Trait = {{ _zod: {{ def: unknown; other: unknown }} }};\nexport type SchemaClass<T extends Trait> = {{\n    new (def: T[\"_zod\"][\"{field}\"]): T;\n}};\n"
        )
    };
    ws.write("web/src/core.ts", core("def"));
    ws.write(
        "web/src/defs.ts",
        "export interface StringDef { pattern: string; }\nexport interface OtherDef { pattern: string; }\n",
    );
    ws.write(
        "web/src/internals.ts",
        "import { StringDef, OtherDef } from \"./defs\";\nexport interface Internals { def: StringDef; other: OtherDef; }\n",
    );
    ws.write(
        "web/src/schemas.ts",
        "import * as core from \"./core\";\nimport { Internals } from \"./internals\";\nexport interface StringSchema { _zod: Internals; }\n\
         export function build<T extends StringSchema>(Class: core.SchemaClass<T>): T {\n    return new Class({ pattern: \"x\" });\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let target = |ws: &Workspace| {
        let sites = ws.run(&["refs", "pattern", "--by-name", "--json"]).json();
        sites
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["file"] == "web/src/schemas.ts")
            .flat_map(|s| s["targets"].as_array().unwrap().clone())
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let step = |ws: &Workspace, what: &str| {
        ws.run(&["index"]).ok();
        let (incremental, rebuilt) = incremental_and_rebuilt(ws, what);
        assert_eq!(incremental, rebuilt, "after {what}");
    };
    assert_eq!(
        target(&ws),
        vec!["typescript root web/src/defs.ts StringDef#pattern.".to_string()]
    );
    ws.write("web/src/core.ts", core("other"));
    step(&ws, "construct signature");
    assert_eq!(
        target(&ws),
        vec!["typescript root web/src/defs.ts OtherDef#pattern.".to_string()]
    );
    ws.write(
        "web/src/internals.ts",
        "import { StringDef, OtherDef } from \"./defs\";\nexport interface Internals { def: StringDef; other: StringDef; }\n",
    );
    step(&ws, "field");
    assert_eq!(
        target(&ws),
        vec!["typescript root web/src/defs.ts StringDef#pattern.".to_string()]
    );
}

/// A function assigned to a member takes the parameter types the member declares in
/// another file: retyping that parameter moves the answers through it, as a rebuild
/// does.
#[test]
fn a_member_assigned_functions_parameters_follow_the_members_declaration() {
    let ws = Workspace::empty();
    let internals = |payload: &str| {
        format!("import {{ {payload} }} from \"./payloads\";\nexport interface Internals {{\n    parse(payload: {payload}): void;\n}}\n")
    };
    ws.write(
        "web/src/payloads.ts",
        "export interface Payload { value: unknown; }\nexport interface Other { value: unknown; }\n",
    );
    ws.write("web/src/internals.ts", internals("Payload"));
    ws.write(
        "web/src/schema.ts",
        "import { Internals } from \"./internals\";\nexport interface Schema { zod: Internals; }\n",
    );
    // The member is reached through a field: the file names neither `Internals` nor
    // the payload's type.
    ws.write(
        "web/src/init.ts",
        "import { Schema } from \"./schema\";\nexport function init(s: Schema) {\n    s.zod.parse = (payload) => {\n        payload.value;\n    };\n}\n",
    );
    ws.run(&["index", "."]).ok();
    let target = |ws: &Workspace| {
        let sites = ws.run(&["refs", "value", "--by-name", "--json"]).json();
        sites
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["file"] == "web/src/init.ts")
            .flat_map(|s| s["targets"].as_array().unwrap().clone())
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        target(&ws),
        vec!["typescript root web/src/payloads.ts Payload#value.".to_string()]
    );
    ws.write("web/src/internals.ts", internals("Other"));
    ws.run(&["index"]).ok();
    let (incremental, rebuilt) = incremental_and_rebuilt(&ws, "retyped");
    assert_eq!(incremental, rebuilt);
    assert_eq!(
        target(&ws),
        vec!["typescript root web/src/payloads.ts Other#value.".to_string()]
    );
}
