//! Snapshots of the facts extracted from every fixture file, one snapshot per language.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;
use std::path::{Path, PathBuf};

use cartograph_indexer::{extract, Language};

/// The fixture a language's snapshot reads: `shop`, or `bookstore` for Thrift, PHP,
/// Lua, Kotlin, Ruby, Elixir, Scala and Swift.
fn fixture_root(lang: Language) -> PathBuf {
    let fixture = match lang {
        Language::Thrift
        | Language::Php
        | Language::Lua
        | Language::Kotlin
        | Language::Ruby
        | Language::Elixir
        | Language::Scala
        | Language::Swift => "fixtures/bookstore",
        _ => "fixtures/shop",
    };
    Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture)
}

fn files_of(lang: Language) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let mut stack = vec![fixture_root(lang)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let detected = Language::from_path(&p).or_else(|| {
                    let text = std::fs::read_to_string(&p).ok()?;
                    Language::from_shebang(text.lines().next()?)
                });
                // A `.h` beside C++ sources is C++, as the walk reads it.
                let detected = match detected {
                    Some(Language::C) if Language::is_ambiguous_header(&p) => {
                        let cpp = std::fs::read_dir(&dir)
                            .unwrap()
                            .flatten()
                            .any(|e| Language::from_path(&e.path()) == Some(Language::Cpp));
                        Some(if cpp { Language::Cpp } else { Language::C })
                    }
                    other => other,
                };
                if detected == Some(lang) {
                    let rel = p
                        .strip_prefix(fixture_root(lang))
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    out.push((rel, p));
                }
            }
        }
    }
    out.sort();
    out
}

fn render(lang: Language) -> String {
    let mut out = String::new();
    for (rel, path) in files_of(lang) {
        let text = std::fs::read_to_string(&path).unwrap();
        let facts = extract(lang, &text);
        writeln!(out, "== {rel} ({} lines)", facts.lines).unwrap();
        if let Some(p) = &facts.package {
            writeln!(out, "package {p}").unwrap();
        }
        for d in &facts.diagnostics {
            writeln!(out, "diagnostic {:?}: {}", d.line, d.message).unwrap();
        }
        for i in &facts.imports {
            writeln!(
                out,
                "import {} {:?} alias={:?} @{}",
                i.module, i.names, i.alias, i.span.start_line
            )
            .unwrap();
        }
        for s in &facts.symbols {
            let depth = {
                let mut d = 0;
                let mut p = s.parent;
                while let Some(i) = p {
                    d += 1;
                    p = facts.symbols[i as usize].parent;
                }
                d
            };
            writeln!(
                out,
                "{}{}:{}-{}:{} {} {} [{}] `{}`{}",
                "  ".repeat(depth),
                s.span.start_line,
                s.span.start_col,
                s.span.end_line,
                s.span.end_col,
                s.kind,
                s.qualified_name,
                s.descriptor,
                s.signature,
                s.doc
                    .as_ref()
                    .map(|d| format!(" doc={d:?}"))
                    .unwrap_or_default()
            )
            .unwrap();
        }
        for r in &facts.references {
            let enclosing = r
                .enclosing
                .map(|i| facts.symbols[i as usize].qualified_name.as_str())
                .unwrap_or("-");
            let via = r
                .qualifier
                .as_deref()
                .map(|q| format!(" via {q}"))
                .unwrap_or_default();
            writeln!(
                out,
                "ref {} {} {}:{} in {}{via}",
                r.kind, r.name, r.span.start_line, r.span.start_col, enclosing
            )
            .unwrap();
        }
        for b in &facts.bindings {
            let enclosing = b
                .enclosing
                .map(|i| facts.symbols[i as usize].qualified_name.as_str())
                .unwrap_or("-");
            writeln!(
                out,
                "binding {}: {} @{} in {enclosing}",
                b.name, b.type_name, b.span.start_line
            )
            .unwrap();
        }
    }
    out
}

macro_rules! snapshot {
    ($test:ident, $lang:expr, $file:literal) => {
        #[test]
        fn $test() {
            expect_test::expect_file![$file].assert_eq(&render($lang));
        }
    };
}

snapshot!(rust_facts, Language::Rust, "snapshots/rust.txt");
snapshot!(python_facts, Language::Python, "snapshots/python.txt");
snapshot!(
    javascript_facts,
    Language::JavaScript,
    "snapshots/javascript.txt"
);
snapshot!(
    typescript_facts,
    Language::TypeScript,
    "snapshots/typescript.txt"
);
snapshot!(tsx_facts, Language::Tsx, "snapshots/tsx.txt");
snapshot!(go_facts, Language::Go, "snapshots/go.txt");
snapshot!(java_facts, Language::Java, "snapshots/java.txt");
snapshot!(csharp_facts, Language::CSharp, "snapshots/csharp.txt");
snapshot!(proto_facts, Language::Proto, "snapshots/proto.txt");
snapshot!(c_facts, Language::C, "snapshots/c.txt");
snapshot!(cpp_facts, Language::Cpp, "snapshots/cpp.txt");
snapshot!(thrift_facts, Language::Thrift, "snapshots/thrift.txt");
snapshot!(php_facts, Language::Php, "snapshots/php.txt");
snapshot!(lua_facts, Language::Lua, "snapshots/lua.txt");
snapshot!(kotlin_facts, Language::Kotlin, "snapshots/kotlin.txt");
snapshot!(ruby_facts, Language::Ruby, "snapshots/ruby.txt");
snapshot!(elixir_facts, Language::Elixir, "snapshots/elixir.txt");
snapshot!(scala_facts, Language::Scala, "snapshots/scala.txt");
snapshot!(swift_facts, Language::Swift, "snapshots/swift.txt");
