//! Service detection from build manifests.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::walk::Manifest;

/// A deployable unit: a directory with a build manifest, or a repository or
/// index root holding files outside any manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Unique name within the index (from the manifest, else the directory name).
    pub name: String,
    /// Workspace path of the service's directory (empty for the root).
    pub path: String,
    /// Workspace path of the manifest that defined it, if any.
    pub manifest: Option<String>,
}

/// Manifests in the order they name a directory's service when several share it.
const PRIORITY: &[&str] = &[
    "go.mod",
    "Cargo.toml",
    "package.json",
    "composer.json",
    ".rockspec",
    ".gemspec",
    "Gemfile",
    "mix.exs",
    "build.sbt",
    "Package.swift",
    "pyproject.toml",
    "setup.py",
    "pom.xml",
    "build.gradle.kts",
    "build.gradle",
    ".csproj",
    "vcpkg.json",
    "conanfile.txt",
    "conanfile.py",
    "CMakeLists.txt",
    "meson.build",
    "BUILD.bazel",
    "BUILD",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "requirements.txt",
    "Dockerfile",
    "Procfile",
    ".git",
];

/// Whether a directory name says it holds tests (`test`, `tests`, `e2e-tests`,
/// C#'s `Cart.Tests`, `__tests__`): what it holds tests a service and is none.
pub fn is_test_dir(name: &str) -> bool {
    matches!(
        name,
        "test" | "tests" | "__tests__" | "spec" | "testing" | "e2e" | "integration-test"
    ) || [
        ".Tests",
        ".tests",
        ".UnitTests",
        ".IntegrationTests",
        "-tests",
        "_tests",
        "-e2e",
    ]
    .iter()
    .any(|suffix| name.ends_with(suffix))
}

/// The directories a Dockerfile copies from its build context into the image
/// (`COPY html/ /var/www/html`, `ADD ["app", "/srv"]`): relative paths without
/// wildcards, never the whole context, never another stage's (`--from=`).
fn copied_dirs(dockerfile: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in dockerfile.lines() {
        let line = line.trim();
        let Some((instruction, rest)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        if !instruction.eq_ignore_ascii_case("COPY") && !instruction.eq_ignore_ascii_case("ADD") {
            continue;
        }
        let rest = rest.trim();
        let words: Vec<&str> = if let Some(list) = rest.strip_prefix('[') {
            list.trim_end_matches(']')
                .split(',')
                .map(|w| w.trim().trim_matches('"'))
                .collect()
        } else {
            rest.split_whitespace().collect()
        };
        if words.iter().any(|w| w.starts_with("--from")) {
            continue;
        }
        let words: Vec<&str> = words.into_iter().filter(|w| !w.starts_with("--")).collect();
        let Some((_, sources)) = words.split_last() else {
            continue;
        };
        for source in sources {
            let dir = source.trim_start_matches("./").trim_end_matches('/');
            let plain = !dir.is_empty()
                && dir != "."
                && !dir.starts_with(['/', '$'])
                && !dir.contains(['*', '?', '['])
                && !dir.split('/').any(|s| s == "..");
            if plain && !out.iter().any(|d| d == dir) {
                out.push(dir.to_string());
            }
        }
    }
    out
}

fn priority(file_name: &str) -> usize {
    PRIORITY
        .iter()
        .position(|p| {
            file_name == *p || (p.starts_with('.') && *p != ".git" && file_name.ends_with(p))
        })
        .unwrap_or(PRIORITY.len())
}

/// Detects services from the manifests a walk found. `roots` are the workspace
/// paths of the walk roots: each becomes a fallback service for files outside any
/// manifest. `read` returns a manifest's text (or `None` if unreadable).
pub fn detect_services(
    manifests: &[Manifest],
    roots: &[String],
    read: &dyn Fn(&Manifest) -> Option<String>,
) -> Vec<Service> {
    let mut by_dir: BTreeMap<String, &Manifest> = BTreeMap::new();
    // A test project is part of the service it tests (the one around it), never one;
    // a build file that builds no program is part of the project around it.
    for m in manifests.iter().filter(|m| {
        !is_test_dir(dir_name(&m.dir).as_str())
            && (!builds_programs_only(&m.file_name)
                || read(m).is_some_and(|t| builds_a_program(&m.file_name, &t)))
    }) {
        match by_dir.get(&m.dir) {
            Some(existing) if priority(&existing.file_name) <= priority(&m.file_name) => {}
            _ => {
                by_dir.insert(m.dir.clone(), m);
            }
        }
    }
    // A directory built from its Dockerfile alone whose image copies a nested
    // project in (`COPY html/ /var/www/html`) is that project's service: the nested
    // manifest (one no deployment names) is part of it.
    let packaged: Vec<String> = by_dir
        .iter()
        .filter(|(_, m)| m.file_name == "Dockerfile")
        .flat_map(|(dir, m)| {
            let text = read(m).unwrap_or_default();
            copied_dirs(&text)
                .into_iter()
                .map(|d| {
                    if dir.is_empty() {
                        d
                    } else {
                        format!("{dir}/{d}")
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for nested in packaged {
        if by_dir.get(&nested).is_some_and(|m| {
            !matches!(m.file_name.as_str(), "Dockerfile" | ".git") && !m.file_name.contains('/')
        }) {
            by_dir.remove(&nested);
        }
    }
    let mut found: Vec<Service> = Vec::new();
    for (dir, m) in &by_dir {
        let from_manifest = if m.file_name == ".git" {
            None
        } else {
            read(m).and_then(|text| name_from_manifest(&m.file_name, &text))
        };
        let name = from_manifest
            .or_else(|| {
                if m.file_name.ends_with(".csproj") {
                    m.file_name.strip_suffix(".csproj").map(str::to_string)
                } else {
                    None
                }
            })
            .unwrap_or_else(|| dir_name(dir));
        let manifest = if m.file_name == ".git" {
            None
        } else if m.file_name.contains('/') || dir.is_empty() {
            // A compose file elsewhere that builds this directory names it by its path.
            Some(m.file_name.clone())
        } else {
            Some(format!("{dir}/{}", m.file_name))
        };
        found.push(Service {
            name,
            path: dir.clone(),
            manifest,
        });
    }
    for root in roots {
        if !by_dir.contains_key(root) {
            found.push(Service {
                name: if root.is_empty() {
                    "root".to_string()
                } else {
                    root.clone()
                },
                path: root.clone(),
                manifest: None,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    // Names are unique: later duplicates are qualified by their path.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in &mut found {
        let n = counts.entry(s.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            s.name = format!("{}@{}", s.name, s.path);
        }
    }
    found
}

/// The index of the service owning `path`: the one with the longest directory
/// that contains it. `services` must be sorted by path.
pub fn service_of(path: &str, services: &[Service]) -> Option<usize> {
    services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.path.is_empty()
                || (path.starts_with(&s.path) && path.as_bytes().get(s.path.len()) == Some(&b'/'))
        })
        .max_by_key(|(_, s)| s.path.len())
        .map(|(i, _)| i)
}

fn dir_name(dir: &str) -> String {
    match dir.rsplit('/').next() {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => "root".to_string(),
    }
}

/// Build files a project has in many directories, of which only those that build a
/// program (or declare the project) stand for a service.
pub fn builds_programs_only(file_name: &str) -> bool {
    matches!(
        file_name,
        "CMakeLists.txt" | "meson.build" | "BUILD" | "BUILD.bazel"
    ) || is_makefile(file_name)
}

/// A Makefile's names (GNU make's search order).
fn is_makefile(file_name: &str) -> bool {
    matches!(file_name, "Makefile" | "makefile" | "GNUmakefile")
}

/// Whether a Makefile links a C or C++ program: a recipe calling the compiler with
/// `-o` and neither `-c` (an object) nor `-shared` (a library).
fn makefile_links_a_program(code: &str) -> bool {
    code.lines().filter(|l| l.starts_with('\t')).any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        let compiler = words.iter().any(|w| {
            matches!(
                *w,
                "$(CXX)"
                    | "${CXX}"
                    | "$(CC)"
                    | "${CC}"
                    | "$(LD)"
                    | "g++"
                    | "gcc"
                    | "clang"
                    | "clang++"
                    | "c++"
                    | "cc"
            )
        });
        compiler && words.contains(&"-o") && !words.contains(&"-c") && !words.contains(&"-shared")
    })
}

/// The program a Makefile names in a variable (`TARGET = ledger`, `BIN := server`).
fn makefile_program(code: &str) -> Option<String> {
    code.lines().find_map(|l| {
        let (name, value) = l.split_once('=')?;
        let name = name.trim_end_matches([':', '?', '+']).trim();
        if !matches!(name, "TARGET" | "BIN" | "PROG" | "PROGRAM" | "EXE" | "APP") {
            return None;
        }
        let value = value.split_whitespace().next()?;
        let value = value.rsplit('/').next().unwrap_or(value);
        (!value.contains('$')).then(|| value.to_string())
    })
}

/// A build file's code: `#` starts a comment in CMake, Meson and Starlark alike.
fn build_code(text: &str) -> String {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a build file builds a program or declares a project: CMake
/// `add_executable(`/`project(`, Meson `executable(`/`project(`, Bazel `cc_binary(`.
fn builds_a_program(file_name: &str, text: &str) -> bool {
    let code = build_code(text).to_ascii_lowercase();
    let call = |name: &str| {
        code.match_indices(name).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + name.len()..].trim_start();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_') && after.starts_with('(')
        })
    };
    match file_name {
        "CMakeLists.txt" => call("add_executable") || call("project"),
        "meson.build" => call("executable") || call("project"),
        f if is_makefile(f) => makefile_links_a_program(&build_code(text)),
        _ => call("cc_binary"),
    }
}

/// The first argument of a call in a build file: `add_executable(cartservice ...)`,
/// `project('currency', 'cpp')`, `cc_binary(name = "server", ...)`.
fn first_argument(text: &str, call: &str) -> Option<String> {
    let text = build_code(text);
    let text = text.as_str();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(call) {
        let start = from + at;
        from = start + call.len();
        let before = lower[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = text[from..].trim_start();
        let Some(args) = rest.strip_prefix('(') else {
            continue;
        };
        let args = args.trim_start();
        let args = args
            .strip_prefix("name")
            .map(|r| r.trim_start().trim_start_matches('=').trim_start())
            .unwrap_or(args);
        let word: String = args
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        if !word.is_empty() && !word.starts_with("${") {
            return Some(word);
        }
    }
    None
}

/// The string the first line `key = "value"` whose key `is_key` accepts assigns
/// (LuaRocks' `package = "gateway"`, a gemspec's `spec.name = "mailer".freeze`).
fn assigned_string(text: &str, is_key: impl Fn(&str) -> bool) -> Option<String> {
    text.lines().find_map(|l| {
        let (lhs, value) = l.split_once('=')?;
        is_key(lhs.trim()).then(|| {
            value
                .trim()
                .trim_end_matches(".freeze")
                .trim_matches(['"', '\''])
                .to_string()
        })
    })
}

/// Reads the service name a manifest declares, if it declares one.
pub fn name_from_manifest(file_name: &str, text: &str) -> Option<String> {
    let name = match file_name {
        "Cargo.toml" => {
            let v: toml::Value = toml::from_str(text).ok()?;
            v.get("package")?.get("name")?.as_str()?.to_string()
        }
        "pyproject.toml" => {
            let v: toml::Value = toml::from_str(text).ok()?;
            v.get("project")
                .and_then(|p| p.get("name"))
                .or_else(|| v.get("tool")?.get("poetry")?.get("name"))?
                .as_str()?
                .to_string()
        }
        // `@shop/cart` and Composer's `vendor/cart` are `cart`.
        "package.json" | "composer.json" => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            let n = v.get("name")?.as_str()?;
            n.rsplit('/').next().unwrap_or(n).to_string()
        }
        "go.mod" => {
            let line = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))?;
            let module = line.trim().trim_matches('"');
            let last = module.rsplit('/').next().unwrap_or(module);
            // `example.com/x/v2`: the version suffix is not the name.
            if last.len() > 1
                && last.starts_with('v')
                && last[1..].chars().all(|c| c.is_ascii_digit())
            {
                module.rsplit('/').nth(1).unwrap_or(last).to_string()
            } else {
                last.to_string()
            }
        }
        "setup.py" => {
            let idx = text.find("name=").or_else(|| text.find("name ="))?;
            let rest = &text[idx..];
            let q = rest.find(['"', '\''])?;
            let quote = rest[q..].chars().next()?;
            let rest = &rest[q + 1..];
            rest[..rest.find(quote)?].to_string()
        }
        "pom.xml" => pom_artifact_id(text)?,
        // LuaRocks: `package = "gateway"`.
        f if f.ends_with(".rockspec") => assigned_string(text, |lhs| lhs == "package")?,
        // `spec.name = "mailer"` (a Gemfile names nothing: the directory's name).
        f if f.ends_with(".gemspec") => assigned_string(text, |lhs| lhs.ends_with(".name"))?,
        // sbt: `name := "cart"` (a multi-project build's first).
        "build.sbt" => {
            let at = text.find("name :=")?;
            let rest = text[at + "name :=".len()..]
                .trim_start()
                .strip_prefix('"')?;
            rest[..rest.find('"')?].to_string()
        }
        // SwiftPM: `Package(name: "cart", ...)`.
        "Package.swift" => {
            let at = text.find("Package(")?;
            let rest = text[at..]
                .split_once("name:")?
                .1
                .trim_start()
                .strip_prefix('"')?;
            rest[..rest.find('"')?].to_string()
        }
        // Mix: `app: :flagd_ui` in the project's keyword list.
        "mix.exs" => {
            let at = text.find("app:")?;
            let rest = text[at + 4..].trim_start().strip_prefix(':')?;
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            rest[..end].to_string()
        }
        "CMakeLists.txt" => {
            first_argument(text, "project").or_else(|| first_argument(text, "add_executable"))?
        }
        "meson.build" => {
            first_argument(text, "project").or_else(|| first_argument(text, "executable"))?
        }
        "BUILD" | "BUILD.bazel" => first_argument(text, "cc_binary")?,
        // Else the directory's name: a target is often only `server` or `all`.
        f if is_makefile(f) => makefile_program(&build_code(text))?,
        "vcpkg.json" => {
            let v: serde_json::Value = serde_json::from_str(text).ok()?;
            v.get("name")?.as_str()?.to_string()
        }
        _ => return None,
    };
    let name = name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The project's own `artifactId` (not the parent's or a dependency's).
fn pom_artifact_id(text: &str) -> Option<String> {
    let mut depth_skip = 0usize;
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let close = rest.find('>')?;
        let tag = &rest[..close];
        let after = &rest[close + 1..];
        let name = tag.split_whitespace().next().unwrap_or("");
        match name {
            "parent"
            | "dependencies"
            | "dependencyManagement"
            | "build"
            | "plugins"
            | "profiles" => depth_skip += 1,
            "/parent"
            | "/dependencies"
            | "/dependencyManagement"
            | "/build"
            | "/plugins"
            | "/profiles" => depth_skip = depth_skip.saturating_sub(1),
            "artifactId" if depth_skip == 0 => {
                let end = after.find("</artifactId>")?;
                return Some(after[..end].trim().to_string());
            }
            _ => {}
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_build_files_name_the_programs_they_build() {
        let cmake = "cmake_minimum_required(VERSION 3.16)\n# add_executable(old)\nproject(currency VERSION 1.0 LANGUAGES CXX)\nadd_executable( currencyservice server.cc)\n";
        assert!(builds_a_program("CMakeLists.txt", cmake));
        assert_eq!(
            name_from_manifest("CMakeLists.txt", cmake).as_deref(),
            Some("currency")
        );
        assert_eq!(
            name_from_manifest("CMakeLists.txt", "add_executable(cartservice main.cc)\n")
                .as_deref(),
            Some("cartservice")
        );
        // A subdirectory's CMake file that only adds sources is no service.
        assert!(!builds_a_program(
            "CMakeLists.txt",
            "target_sources(app PRIVATE a.cc)\nadd_library(util util.cc)\n"
        ));
        let meson = "project('pricing', 'cpp')\nexecutable('pricer', 'main.cc')\n";
        assert_eq!(
            name_from_manifest("meson.build", meson).as_deref(),
            Some("pricing")
        );
        let bazel = "cc_library(name = \"lib\")\ncc_binary(\n    name = \"server\",\n    srcs = [\"server.cc\"],\n)\n";
        assert!(builds_a_program("BUILD.bazel", bazel));
        assert_eq!(
            name_from_manifest("BUILD.bazel", bazel).as_deref(),
            Some("server")
        );
        assert!(!builds_a_program("BUILD", "cc_library(name = \"lib\")\n"));
        let make = "CXX ?= g++\nTARGET := ledger # the program\n\n$(TARGET): main.o db.o\n\t$(CXX) $(LDFLAGS) -o $@ $^\n\n%.o: %.cc\n\t$(CXX) -c -o $@ $<\n";
        assert!(builds_a_program("Makefile", make));
        assert_eq!(
            name_from_manifest("Makefile", make).as_deref(),
            Some("ledger")
        );
        // Objects and shared libraries only: no program.
        assert!(!builds_a_program(
            "Makefile",
            "lib.so: a.o\n\t$(CC) -shared -o $@ $^\na.o: a.c\n\t$(CC) -c -o $@ $<\n"
        ));
        assert_eq!(
            name_from_manifest(
                "gateway-1.0-1.rockspec",
                "package = \"gateway\"\nversion = \"1.0-1\"\n"
            )
            .as_deref(),
            Some("gateway")
        );
        assert_eq!(
            name_from_manifest(
                "mailer.gemspec",
                "Gem::Specification.new do |spec|\n  spec.name = \"mailer\".freeze\nend\n"
            )
            .as_deref(),
            Some("mailer")
        );
        assert_eq!(
            name_from_manifest(
                "mix.exs",
                "defmodule FlagdUi.MixProject do\n  def project do\n    [\n      app: :flagd_ui,\n      version: \"0.1.0\"\n    ]\n  end\nend\n"
            )
            .as_deref(),
            Some("flagd_ui")
        );
        assert_eq!(
            name_from_manifest(
                "Package.swift",
                "// swift-tools-version:5.9\nimport PackageDescription\n\nlet package = Package(\n    name: \"cart\",\n    targets: [.executableTarget(name: \"App\")]\n)\n"
            )
            .as_deref(),
            Some("cart")
        );
        assert!(!builds_a_program("makefile", "test:\n\tgo test ./...\n"));
        assert_eq!(
            name_from_manifest("Makefile", "server: main.o\n\tg++ -o server main.o\n"),
            None
        );
        assert_eq!(
            name_from_manifest(
                "composer.json",
                r#"{"name": "shop/ratings", "require": {}}"#
            )
            .as_deref(),
            Some("ratings")
        );
        assert_eq!(
            name_from_manifest("vcpkg.json", r#"{"name": "ledger", "dependencies": []}"#)
                .as_deref(),
            Some("ledger")
        );
    }

    #[test]
    fn a_project_a_dockerfile_copies_in_is_part_of_the_dockerfiles_service() {
        let manifest = |dir: &str, file_name: &str| Manifest {
            abs_path: std::path::PathBuf::from(format!("/w/{dir}/{file_name}")),
            dir: dir.to_string(),
            file_name: file_name.to_string(),
        };
        let manifests = vec![
            // The image copies `html/` in: one service, `ratings`.
            manifest("ratings", "Dockerfile"),
            manifest("ratings/html", "composer.json"),
            // Another stage's output, a wildcard and the whole context are no
            // project of the image's own.
            manifest("web", "Dockerfile"),
            manifest("web/app", "package.json"),
            manifest("web/tools", "package.json"),
            // A directory with a build manifest of its own is no Dockerfile-only one.
            manifest("cart", "pom.xml"),
            manifest("cart/sdk", "pom.xml"),
        ];
        let dockerfiles = |m: &Manifest| -> Option<String> {
            Some(match (m.dir.as_str(), m.file_name.as_str()) {
                ("ratings", _) => "FROM php:7.4-apache\nCOPY status.conf /etc/status.conf\nCOPY html/ /var/www/html\n".to_string(),
                ("web", _) => "FROM node AS build\nCOPY . .\nFROM nginx\nCOPY --from=build /src/app /usr/share/nginx\nCOPY tool*/ /opt/\n".to_string(),
                (_, "pom.xml") => "<project><artifactId>x</artifactId></project>".to_string(),
                _ => "{}".to_string(),
            })
        };
        let found = detect_services(&manifests, &[], &dockerfiles);
        let dirs: Vec<&str> = found.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            dirs,
            ["cart", "cart/sdk", "ratings", "web", "web/app", "web/tools"]
        );
        assert_eq!(
            copied_dirs("ADD [\"app\", \"/srv\"]\nCOPY --chown=1:1 ./lib/ /lib\n"),
            ["app", "lib"]
        );
    }

    #[test]
    fn reads_names_from_manifests() {
        assert_eq!(
            name_from_manifest("go.mod", "module github.com/acme/checkout/v2\n\ngo 1.22\n")
                .as_deref(),
            Some("checkout")
        );
        assert_eq!(
            name_from_manifest("Cargo.toml", "[package]\nname = \"ledger\"\n").as_deref(),
            Some("ledger")
        );
        assert_eq!(
            name_from_manifest("package.json", r#"{"name": "@acme/frontend"}"#).as_deref(),
            Some("frontend")
        );
        assert_eq!(
            name_from_manifest(
                "pom.xml",
                "<project><parent><artifactId>p</artifactId></parent><artifactId>ads</artifactId></project>"
            )
            .as_deref(),
            Some("ads")
        );
        assert_eq!(
            name_from_manifest("setup.py", "setup(\n  name='emails',\n)").as_deref(),
            Some("emails")
        );
    }

    #[test]
    fn files_belong_to_the_nearest_service() {
        let services = vec![
            Service {
                name: "root".into(),
                path: "".into(),
                manifest: None,
            },
            Service {
                name: "cart".into(),
                path: "src/cart".into(),
                manifest: None,
            },
            Service {
                name: "cartx".into(),
                path: "src/cartx".into(),
                manifest: None,
            },
        ];
        assert_eq!(service_of("src/cart/a.go", &services), Some(1));
        assert_eq!(service_of("src/cartx/a.go", &services), Some(2));
        assert_eq!(service_of("README.go", &services), Some(0));
    }
}
