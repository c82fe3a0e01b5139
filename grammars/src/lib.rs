//! The languages Cartograph understands.
//!
//! The principal type is [`Language`]: a closed list of supported languages, each
//! knowing its file extensions, its tree-sitter grammar and its query file.
//! Key design decision: adding a language touches only this crate: the enum, its
//! detection rules and one `queries/<lang>/tags.scm` file whose captures follow the
//! tree-sitter tags convention (`@definition.*`, `@reference.*`, `@name`) extended
//! with our own `@import.*` and `@receiver` captures.

use std::path::Path;

/// A language Cartograph can parse and extract facts from.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Rust (`.rs`).
    Rust,
    /// Python (`.py`, `.pyi`, `python` shebangs).
    Python,
    /// JavaScript including JSX (`.js`, `.jsx`, `.mjs`, `.cjs`, `node` shebangs).
    JavaScript,
    /// TypeScript (`.ts`, `.mts`, `.cts`).
    TypeScript,
    /// TypeScript with JSX (`.tsx`).
    Tsx,
    /// Go (`.go`).
    Go,
    /// Java (`.java`).
    Java,
    /// C# (`.cs`).
    CSharp,
    /// Protocol Buffers (`.proto`).
    Proto,
    /// C (`.c`, and `.h` where no C++ source is beside it).
    C,
    /// C++ (`.cc`, `.cpp`, `.cxx`, `.c++`, `.hpp`, `.hh`, `.hxx`, `.h++`, `.ipp`, and
    /// `.h` beside C++ sources).
    Cpp,
    /// Apache Thrift IDL (`.thrift`).
    Thrift,
    /// PHP (`.php`).
    Php,
    /// Lua (`.lua`), OpenResty's too.
    Lua,
    /// Kotlin (`.kt`, `.kts`).
    Kotlin,
    /// Ruby (`.rb`, `Rakefile`-free sources, `Gemfile`).
    Ruby,
    /// Elixir (`.ex`, `.exs`).
    Elixir,
    /// Scala (`.scala`, `.sc`).
    Scala,
    /// Swift (`.swift`).
    Swift,
}

impl Language {
    /// Every supported language, in a stable order.
    pub const ALL: [Language; 19] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Go,
        Language::Java,
        Language::CSharp,
        Language::Proto,
        Language::C,
        Language::Cpp,
        Language::Thrift,
        Language::Php,
        Language::Lua,
        Language::Kotlin,
        Language::Ruby,
        Language::Elixir,
        Language::Scala,
        Language::Swift,
    ];

    /// The short lowercase name used in IDs, filters and output (`go`, `csharp`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::Java => "java",
            Language::CSharp => "csharp",
            Language::Proto => "proto",
            Language::C => "c",
            Language::Cpp => "cpp",
            Language::Thrift => "thrift",
            Language::Php => "php",
            Language::Lua => "lua",
            Language::Kotlin => "kotlin",
            Language::Ruby => "ruby",
            Language::Elixir => "elixir",
            Language::Scala => "scala",
            Language::Swift => "swift",
        }
    }

    /// Parses a language name as printed by [`Language::name`], accepting common aliases.
    pub fn from_name(name: &str) -> Option<Language> {
        let lower = name.to_ascii_lowercase();
        let lang = match lower.as_str() {
            "rust" | "rs" => Language::Rust,
            "python" | "py" => Language::Python,
            "javascript" | "js" | "jsx" => Language::JavaScript,
            "typescript" | "ts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "go" | "golang" => Language::Go,
            "java" => Language::Java,
            "csharp" | "c#" | "cs" => Language::CSharp,
            "proto" | "protobuf" => Language::Proto,
            "c" => Language::C,
            "cpp" | "c++" | "cxx" | "cc" => Language::Cpp,
            "thrift" => Language::Thrift,
            "php" => Language::Php,
            "lua" => Language::Lua,
            "kotlin" | "kt" => Language::Kotlin,
            "ruby" | "rb" => Language::Ruby,
            "elixir" | "ex" | "exs" => Language::Elixir,
            "scala" => Language::Scala,
            "swift" => Language::Swift,
            _ => return None,
        };
        Some(lang)
    }

    /// Detects the language of a file from its extension.
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        let lang = match ext.as_str() {
            "rs" => Language::Rust,
            "py" | "pyi" => Language::Python,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "go" => Language::Go,
            "java" => Language::Java,
            "cs" => Language::CSharp,
            "proto" => Language::Proto,
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h++" | "ipp" | "tpp" => {
                Language::Cpp
            }
            "thrift" => Language::Thrift,
            "php" => Language::Php,
            "lua" => Language::Lua,
            "kt" | "kts" => Language::Kotlin,
            "rb" | "rake" | "gemspec" => Language::Ruby,
            "ex" | "exs" => Language::Elixir,
            "scala" | "sc" => Language::Scala,
            "swift" => Language::Swift,
            _ => return None,
        };
        Some(lang)
    }

    /// Whether a header's language depends on its neighbours: a `.h` is C++ when C++
    /// sources are beside it (see [`Language::from_path`]).
    pub fn is_ambiguous_header(path: &Path) -> bool {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("h"))
    }

    /// Detects the language of an extension-less script from its first line
    /// (`#!/usr/bin/env python3`, `#!/usr/bin/node`, ...).
    pub fn from_shebang(first_line: &str) -> Option<Language> {
        let line = first_line.strip_prefix("#!")?;
        let mut words = line.split_whitespace();
        let program = words.next()?;
        let program = if program.ends_with("/env") {
            words.find(|w| !w.starts_with('-'))?
        } else {
            program
        };
        let base = program.rsplit('/').next().unwrap_or(program);
        if base.starts_with("python") {
            Some(Language::Python)
        } else if base == "node" || base == "nodejs" || base == "deno" || base == "bun" {
            Some(Language::JavaScript)
        } else if base == "ts-node" || base == "tsx" {
            Some(Language::TypeScript)
        } else {
            None
        }
    }

    /// The tree-sitter grammar of this language.
    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Language::Proto => tree_sitter_proto::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Language::Thrift => arborium_thrift::language().into(),
            Language::Php => tree_sitter_php::LANGUAGE_PHP.into(),
            Language::Lua => tree_sitter_lua::LANGUAGE.into(),
            Language::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
            Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Language::Elixir => tree_sitter_elixir::LANGUAGE.into(),
            Language::Scala => tree_sitter_scala::LANGUAGE.into(),
            Language::Swift => tree_sitter_swift::LANGUAGE.into(),
        }
    }

    /// The tags query shipped by the grammar crate, if it ships one.
    pub fn upstream_tags(self) -> Option<&'static str> {
        match self {
            Language::Rust => Some(tree_sitter_rust::TAGS_QUERY),
            Language::Python => Some(tree_sitter_python::TAGS_QUERY),
            Language::JavaScript => Some(tree_sitter_javascript::TAGS_QUERY),
            Language::TypeScript | Language::Tsx => Some(tree_sitter_typescript::TAGS_QUERY),
            Language::Go => Some(tree_sitter_go::TAGS_QUERY),
            Language::Java => Some(tree_sitter_java::TAGS_QUERY),
            Language::CSharp => Some(tree_sitter_c_sharp::TAGS_QUERY),
            // Ruby's marks every identifier a call unless a `local` predicate says
            // otherwise, which the extraction does not evaluate: ours only.
            // Elixir's ignores calls through `#any-of?` captures it names `@ignore`,
            // which the extraction would read as references: ours only.
            Language::Proto
            | Language::Thrift
            | Language::Kotlin
            | Language::Ruby
            | Language::Elixir
            // Scala's crate does not export its tags query; Swift's captures whole
            // classes as methods.
            | Language::Scala
            | Language::Swift => None,
            Language::C => Some(tree_sitter_c::TAGS_QUERY),
            Language::Cpp => Some(tree_sitter_cpp::TAGS_QUERY),
            Language::Php => Some(tree_sitter_php::TAGS_QUERY),
            Language::Lua => Some(tree_sitter_lua::TAGS_QUERY),
        }
    }

    /// The source of this language's tags query (definitions, references, imports):
    /// the grammar crate's own tags query first, then our extensions from
    /// `queries/<lang>/`. When both capture the same name, the extraction keeps the
    /// our pattern, so our files refine what the crate ships.
    ///
    /// TypeScript and TSX also take the JavaScript patterns.
    pub fn tags_query(self) -> String {
        let (upstream, own) = self.tags_query_parts();
        format!("{upstream}{own}")
    }

    /// The two parts of [`Language::tags_query`]: the grammar crates' patterns (ending
    /// with a newline, possibly empty) and ours. Patterns starting at or after
    /// `upstream.len()` in the joined source are ours.
    pub fn tags_query_parts(self) -> (String, String) {
        let upstream = match self {
            Language::TypeScript | Language::Tsx => {
                format!(
                    "{}\n{}\n",
                    tree_sitter_javascript::TAGS_QUERY,
                    tree_sitter_typescript::TAGS_QUERY
                )
            }
            other => other
                .upstream_tags()
                .map(|q| format!("{q}\n"))
                .unwrap_or_default(),
        };
        (upstream, self.own_tags())
    }

    /// Our own patterns for this language.
    fn own_tags(self) -> String {
        match self {
            Language::Rust => RUST_TAGS.to_string(),
            Language::Python => PYTHON_TAGS.to_string(),
            Language::JavaScript => format!("{JS_COMMON_TAGS}\n{JS_ONLY_TAGS}\n{JSX_TAGS}"),
            Language::TypeScript => format!("{JS_COMMON_TAGS}\n{TS_TAGS}"),
            Language::Tsx => format!("{JS_COMMON_TAGS}\n{TS_TAGS}\n{JSX_TAGS}"),
            Language::Go => GO_TAGS.to_string(),
            Language::Java => JAVA_TAGS.to_string(),
            Language::CSharp => CSHARP_TAGS.to_string(),
            Language::Proto => PROTO_TAGS.to_string(),
            Language::C => C_TAGS.to_string(),
            Language::Cpp => format!("{C_TAGS}\n{CPP_TAGS}"),
            Language::Thrift => THRIFT_TAGS.to_string(),
            Language::Php => PHP_TAGS.to_string(),
            Language::Lua => LUA_TAGS.to_string(),
            Language::Kotlin => KOTLIN_TAGS.to_string(),
            Language::Ruby => RUBY_TAGS.to_string(),
            Language::Elixir => ELIXIR_TAGS.to_string(),
            Language::Scala => SCALA_TAGS.to_string(),
            Language::Swift => SWIFT_TAGS.to_string(),
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

const RUST_TAGS: &str = include_str!("../queries/rust/tags.scm");
const PYTHON_TAGS: &str = include_str!("../queries/python/tags.scm");
const RUBY_TAGS: &str = include_str!("../queries/ruby/tags.scm");
const ELIXIR_TAGS: &str = include_str!("../queries/elixir/tags.scm");
const SCALA_TAGS: &str = include_str!("../queries/scala/tags.scm");
const SWIFT_TAGS: &str = include_str!("../queries/swift/tags.scm");
const KOTLIN_TAGS: &str = include_str!("../queries/kotlin/tags.scm");
const JS_COMMON_TAGS: &str = include_str!("../queries/javascript/tags.scm");
const JS_ONLY_TAGS: &str = include_str!("../queries/javascript/js.scm");
const JSX_TAGS: &str = include_str!("../queries/javascript/jsx.scm");
const TS_TAGS: &str = include_str!("../queries/typescript/tags.scm");
const GO_TAGS: &str = include_str!("../queries/go/tags.scm");
const JAVA_TAGS: &str = include_str!("../queries/java/tags.scm");
const CSHARP_TAGS: &str = include_str!("../queries/csharp/tags.scm");
const PROTO_TAGS: &str = include_str!("../queries/proto/tags.scm");
const C_TAGS: &str = include_str!("../queries/c/tags.scm");
const CPP_TAGS: &str = include_str!("../queries/cpp/tags.scm");
const THRIFT_TAGS: &str = include_str!("../queries/thrift/tags.scm");
const PHP_TAGS: &str = include_str!("../queries/php/tags.scm");
const LUA_TAGS: &str = include_str!("../queries/lua/tags.scm");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_against_its_grammar() {
        let errors: Vec<String> = Language::ALL
            .into_iter()
            .filter_map(|lang| {
                let source = lang.tags_query();
                tree_sitter::Query::new(&lang.grammar(), &source)
                    .err()
                    .map(|err| format!("{lang}: {err}"))
            })
            .collect();
        assert!(
            errors.is_empty(),
            "queries do not compile:\n{}",
            errors.join("\n")
        );
    }

    #[test]
    fn detects_languages_from_paths_and_shebangs() {
        assert_eq!(
            Language::from_path(Path::new("a/b.tsx")),
            Some(Language::Tsx)
        );
        assert_eq!(
            Language::from_path(Path::new("x.PY")),
            Some(Language::Python)
        );
        assert_eq!(Language::from_path(Path::new("Makefile")), None);
        assert_eq!(
            Language::from_shebang("#!/usr/bin/env python3"),
            Some(Language::Python)
        );
        assert_eq!(
            Language::from_shebang("#!/usr/bin/env -S node --x"),
            Some(Language::JavaScript)
        );
        assert_eq!(Language::from_shebang("#!/bin/sh"), None);
    }
}
