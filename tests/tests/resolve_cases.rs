//! Data-driven resolution cases: `tests/resolve/<language>.txt` hold small
//! multi-file workspaces with a reference marked `$0` and its expected definition
//! marked by a comment line of carets under it. Each case is indexed on its own and
//! asked `cartograph def --at` at the marked reference.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cartograph_tests::Workspace;

/// Where a definition is expected: file, 1-based line, 0-based column.
#[derive(Debug, Clone, PartialEq)]
struct Place {
    file: String,
    line: u32,
    col: u32,
}

#[derive(Debug, Default)]
struct Case {
    title: String,
    /// Expected evidence of the first answer; `unresolved` expects none.
    evidence: String,
    files: Vec<(String, String)>,
    cursor: Option<Place>,
    expected: Option<Place>,
}

/// A comment line made of carets only: the column of its first caret.
fn caret_column(line: &str) -> Option<u32> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix("//")
        .or_else(|| t.strip_prefix("--"))
        .or_else(|| t.strip_prefix('#'))?;
    if !rest.contains('^') || !rest.chars().all(|c| c == '^' || c == ' ') {
        return None;
    }
    line.find('^').map(|c| c as u32)
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("=== ") {
            let (title, evidence) = header
                .rsplit_once('[')
                .map(|(t, e)| (t.trim(), e.trim_end_matches(']').trim()))
                .expect("a case header ends with [evidence]");
            cases.push(Case {
                title: title.to_string(),
                evidence: evidence.to_string(),
                ..Case::default()
            });
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if let Some(path) = line.strip_prefix("--- ") {
            case.files.push((path.trim().to_string(), String::new()));
            continue;
        }
        let Some((path, content)) = case.files.last_mut() else {
            continue;
        };
        let line_no = content.lines().count() as u32;
        if let Some(col) = caret_column(line) {
            case.expected = Some(Place {
                file: path.clone(),
                line: line_no,
                col,
            });
            continue;
        }
        let mut line = line.to_string();
        if let Some(col) = line.find("$0") {
            line = line.replacen("$0", "", 1);
            case.cursor = Some(Place {
                file: path.clone(),
                line: line_no + 1,
                col: col as u32,
            });
        }
        content.push_str(&line);
        content.push('\n');
    }
    cases
}

/// Runs every case of one language file; returns the failures.
fn check(language: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("resolve")
        .join(format!("{language}.txt"));
    let cases = parse(&std::fs::read_to_string(&path).unwrap());
    assert!(!cases.is_empty(), "no cases in {}", path.display());
    let mut failures = Vec::new();
    for case in &cases {
        let ws = Workspace::empty();
        for (file, content) in &case.files {
            ws.write(file, content);
        }
        ws.run(&["index", "."]).ok();
        let cursor = case
            .cursor
            .as_ref()
            .expect("each case marks a reference with $0");
        let at = format!("{}:{}:{}", cursor.file, cursor.line, cursor.col);
        let run = ws.run(&["def", "--at", &at, "--json"]);
        let outcome = match (&case.expected, run.code) {
            (None, 1) if case.evidence == "unresolved" => Ok(()),
            (None, _) => Err(format!("expected no answer, got: {}", run.stdout.trim())),
            (Some(_), 1) => Err("no answer".to_string()),
            (Some(want), _) => {
                let json = run.json();
                let first = &json[0];
                let got = Place {
                    file: first["file"].as_str().unwrap_or_default().to_string(),
                    line: first["line"].as_u64().unwrap_or_default() as u32,
                    col: first["col"].as_u64().unwrap_or_default() as u32,
                };
                if &got != want {
                    Err(format!("answered {got:?} ({})", first["evidence"]))
                } else if first["evidence"] != case.evidence.as_str() {
                    Err(format!("right place, but evidence {}", first["evidence"]))
                } else {
                    Ok(())
                }
            }
        };
        if let Err(why) = outcome {
            failures.push(format!("{language}: {} at {at}: {why}", case.title));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn python() {
    check("python");
}

#[test]
fn rust() {
    check("rust");
}

#[test]
fn go() {
    check("go");
}

#[test]
fn java() {
    check("java");
}

#[test]
fn csharp() {
    check("csharp");
}

#[test]
fn typescript() {
    check("typescript");
}

#[test]
fn cpp() {
    check("cpp");
}

#[test]
fn thrift() {
    check("thrift");
}

#[test]
fn php() {
    check("php");
}

#[test]
fn lua() {
    check("lua");
}

#[test]
fn the_case_format_is_read_as_documented() {
    let cases = parse(
        "intro\n=== one [scope]\n--- a.py\ndef f():\n#   ^\n    pass\nf$0()\n=== two [unresolved]\n--- b.py\nx$0()\n",
    );
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].files[0].1, "def f():\n    pass\nf()\n");
    assert_eq!(
        cases[0].expected,
        Some(Place {
            file: "a.py".into(),
            line: 1,
            col: 4
        })
    );
    assert_eq!(
        cases[0].cursor,
        Some(Place {
            file: "a.py".into(),
            line: 3,
            col: 1
        })
    );
    assert_eq!(cases[1].evidence, "unresolved");
    assert!(cases[1].expected.is_none());
}

#[test]
fn kotlin() {
    check("kotlin");
}

#[test]
fn ruby() {
    check("ruby");
}

#[test]
fn elixir() {
    check("elixir");
}

#[test]
fn scala() {
    check("scala");
}

#[test]
fn swift() {
    check("swift");
}
