//! `cartograph impact`: where the diff comes from (the working tree, a commit range
//! through git, stdin, or symbols), and how the impact is shown (text, JSON, or a
//! markdown pull-request comment), with a risk threshold for CI.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use cartograph_query::impact::{ChangedSymbol, Impact, ImpactRequest};
use cartograph_query::Workspace;
use clap::{Args, ValueEnum};

/// Output formats of `impact`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImpactFormat {
    /// Compact lines.
    Text,
    /// A pull-request comment.
    Markdown,
}

/// Risk levels for `--fail-on`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Low or worse.
    Low,
    /// Medium or worse.
    Medium,
    /// High.
    High,
}

/// Options of `cartograph impact`.
#[derive(Args, Debug)]
pub struct ImpactArgs {
    /// A commit range (`main...feature`, `A..B`) instead of the working tree's
    /// uncommitted changes.
    #[arg(long, value_name = "RANGE", conflicts_with_all = ["stdin", "symbol"])]
    diff: Option<String>,
    /// Read a unified diff from stdin (`git diff | cartograph impact --stdin`).
    #[arg(long, conflicts_with = "symbol")]
    stdin: bool,
    /// Symbols (IDs, names or FILE:LINE:COL) instead of a diff.
    #[arg(long, value_name = "SYMBOL")]
    symbol: Vec<String>,
    /// Levels of users to follow (1 to 8).
    #[arg(long, default_value_t = cartograph_query::impact::DEFAULT_IMPACT_DEPTH)]
    depth: usize,
    /// Output format (`--json` overrides it).
    #[arg(long, value_enum, default_value = "text")]
    format: ImpactFormat,
    /// Exit with code 3 when the risk is at this level or above.
    #[arg(long, value_enum, value_name = "LEVEL")]
    fail_on: Option<Level>,
    /// Impacted symbols shown in text and markdown (JSON has all).
    #[arg(long, default_value_t = 20)]
    top: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// A risk at or above `--fail-on`.
pub struct RiskTooHigh(pub String);

impl std::fmt::Display for RiskTooHigh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::fmt::Debug for RiskTooHigh {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for RiskTooHigh {}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow!("git is not installed (or not on PATH): install it, or pipe a diff with `--stdin`")
            } else {
                anyhow!("cannot run git: {e}")
            }
        })?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).context("git printed invalid UTF-8")
}

/// The first root of the index (where git runs).
fn first_root(ws: &Workspace) -> Result<PathBuf> {
    ws.store()
        .meta()?
        .roots
        .first()
        .map(|r| r.path.clone())
        .ok_or_else(|| anyhow!("the index has no roots"))
}

/// The revision a range ends at (`A...B`, `A..B` → `B`), if it names one.
fn range_end(range: &str) -> Option<&str> {
    let end = range
        .split_once("...")
        .or_else(|| range.split_once(".."))
        .map_or(range, |(_, b)| b);
    (!end.is_empty()).then_some(end)
}

/// Checks that a commit range is one (`main...feature`, `A..B`, `HEAD~3`), never
/// an option or a path for git.
fn check_range(range: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._/~^@{}-".contains(c);
    if range.is_empty() || range.starts_with('-') || !range.chars().all(allowed) {
        bail!("`{range}` is not a commit range: give one such as `main...HEAD` or `A..B`");
    }
    Ok(())
}

/// The diff of a commit range (checked first) in the repository at `root`.
fn range_diff(root: &Path, range: &str) -> Result<String> {
    check_range(range)?;
    git(
        root,
        &[
            "diff",
            "--no-color",
            "--no-ext-diff",
            "-M",
            "--end-of-options",
            range,
        ],
    )
}

/// The impact of the changes in a commit range of the index's repository, with new
/// file texts read from the revision the range ends at.
pub fn range_impact(ws: &Workspace, range: &str, depth: Option<usize>) -> Result<Impact> {
    let root = first_root(ws)?;
    let diff = range_diff(&root, range)?;
    let request = ImpactRequest {
        diff: Some(diff),
        symbols: Vec::new(),
        depth,
    };
    impact_against(ws, &root, &request, range_end(range))
}

/// The impact of a request, reading new file texts from `revision` (or the files on
/// disk).
fn impact_against(
    ws: &Workspace,
    root: &Path,
    request: &ImpactRequest,
    revision: Option<&str>,
) -> Result<Impact> {
    // Paths in a diff are relative to the repository; `git show` wants them so.
    let prefix = match revision {
        Some(_) => git(root, &["rev-parse", "--show-prefix"])
            .map(|p| p.trim().to_string())
            .unwrap_or_default(),
        None => String::new(),
    };
    let read_new = |path: &str| -> Option<String> {
        match revision {
            Some(rev) => {
                let spec = format!("{rev}:{prefix}{path}");
                git(root, &["show", "--end-of-options", &spec]).ok()
            }
            None => ws.read_current(path),
        }
    };
    Ok(ws.impact(request, &read_new)?)
}

/// An impact request as the servers take it: the query layer's (a diff or
/// symbols), or a commit range of the index's repository.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactCall {
    /// A unified diff (`git diff`), against the files on disk.
    pub diff: Option<String>,
    /// Symbols instead of a diff.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// A commit range (`main...HEAD`) instead.
    pub range: Option<String>,
    /// Levels of users to follow.
    pub depth: Option<usize>,
}

impl ImpactCall {
    /// The impact it asks for.
    pub fn answer(&self, ws: &Workspace) -> cartograph_query::Result<Impact> {
        match &self.range {
            Some(range) => {
                if self.diff.is_some() || !self.symbols.is_empty() {
                    return Err(cartograph_query::Error::Invalid(
                        "give one of `diff`, `symbols` and `range`".to_string(),
                    ));
                }
                range_impact(ws, range, self.depth).map_err(|e| match e.downcast() {
                    Ok(query) => query,
                    Err(other) => cartograph_query::Error::Invalid(format!("{other:#}")),
                })
            }
            None => ws.impact_on_disk(&ImpactRequest {
                diff: self.diff.clone(),
                symbols: self.symbols.clone(),
                depth: self.depth,
            }),
        }
    }
}

/// Runs `impact`.
pub fn run(ws: &Workspace, a: ImpactArgs, out: &mut crate::answer::Out) -> Result<()> {
    let root = first_root(ws)?;
    let mut request = ImpactRequest {
        diff: None,
        symbols: a.symbol.clone(),
        depth: Some(a.depth),
    };
    // Where the new version of a file is read: the working tree, or a revision.
    let mut revision: Option<String> = None;
    if a.symbol.is_empty() {
        let text = if a.stdin {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the diff from stdin")?;
            text
        } else if let Some(range) = &a.diff {
            revision = range_end(range).map(str::to_string);
            range_diff(&root, range)?
        } else {
            let mut text = git(
                &root,
                &["diff", "--no-color", "--no-ext-diff", "-M", "HEAD"],
            )?;
            // New files not yet added are changes too.
            for path in git(&root, &["ls-files", "--others", "--exclude-standard"])?.lines() {
                if let Ok(content) = std::fs::read_to_string(root.join(path)) {
                    text.push_str(&added_file_diff(path, &content));
                }
            }
            text
        };
        request.diff = Some(text);
    }
    let impact = impact_against(ws, &root, &request, revision.as_deref())?;
    if a.json {
        out.answer(ws, &impact)?;
    } else {
        match a.format {
            ImpactFormat::Text => text(out, &impact, a.top)?,
            ImpactFormat::Markdown => markdown(out, &impact, a.top)?,
        }
    }
    for note in &impact.notes {
        tracing::warn!("{note}");
    }
    if let Some(level) = a.fail_on {
        let actual = match impact.risk.level.as_str() {
            "high" => Level::High,
            "medium" => Level::Medium,
            _ => Level::Low,
        };
        if actual >= level {
            return Err(RiskTooHigh(format!(
                "risk {} ({}) is at or above --fail-on {:?}",
                impact.risk.level, impact.risk.score, level
            ))
            .into());
        }
    }
    Ok(())
}

/// A diff adding a whole file.
fn added_file_diff(path: &str, content: &str) -> String {
    let lines: Vec<&str> = content.lines().collect();
    let mut s = format!(
        "diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
        lines.len()
    );
    for l in lines {
        s.push('+');
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn text(out: &mut dyn Write, i: &Impact, top: usize) -> Result<()> {
    writeln!(
        out,
        "risk {} ({}): {}",
        i.risk.level,
        i.risk.score,
        i.risk.reasons.join("; ")
    )?;
    writeln!(out, "changed ({}):", i.changed.len())?;
    for c in &i.changed {
        let mut extra = String::new();
        if !c.contracts.is_empty() {
            extra.push_str(&format!("  contract: {}", c.contracts.join(", ")));
        }
        if let Some(w) = &c.was {
            extra.push_str(&format!("  was: {w}"));
        }
        if let Some(compatibility) = &c.compatibility {
            extra.push_str(&format!("  ({compatibility})"));
        }
        writeln!(
            out,
            "  {}:{}  {}  {}  {}{extra}",
            c.file, c.line, c.kind, c.qualified_name, c.change
        )?;
    }
    writeln!(out, "impacted ({}):", i.impacted.len())?;
    for m in i.impacted.iter().take(top) {
        let via = m
            .via
            .as_deref()
            .map(|v| format!(" via {v}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}:{}  {}  {}  {} depth {} [{} {:.2}]{via}",
            m.file, m.line, m.kind, m.name, m.class, m.depth, m.evidence, m.confidence
        )?;
    }
    if i.impacted.len() > top {
        writeln!(out, "  ... {} more (--top, --json)", i.impacted.len() - top)?;
    }
    writeln!(out, "services ({}):", i.services.len())?;
    for s in &i.services {
        let via = if s.endpoints.is_empty() {
            String::new()
        } else {
            format!(" via {}", s.endpoints.join(", "))
        };
        writeln!(
            out,
            "  {}  {}  changed {} impacted {}{via}",
            s.name, s.class, s.changed, s.impacted
        )?;
    }
    if !i.endpoints.is_empty() {
        writeln!(out, "endpoints: {}", i.endpoints.join(", "))?;
    }
    writeln!(out, "tests ({}):", i.tests.len())?;
    for t in &i.tests {
        writeln!(
            out,
            "  {}:{}  {}  depth {}",
            t.file, t.line, t.name, t.depth
        )?;
    }
    Ok(())
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn markdown(out: &mut dyn Write, i: &Impact, top: usize) -> Result<()> {
    let breaking = i
        .impacted
        .iter()
        .filter(|m| m.class == "will-break")
        .count();
    writeln!(
        out,
        "### Cartograph impact: risk **{}** ({})\n",
        i.risk.level, i.risk.score
    )?;
    writeln!(
        out,
        "{} changed symbol(s); {} impacted ({} will break) in {} service(s); {} test(s) reach the change.\n",
        i.changed.len(),
        i.impacted.len(),
        breaking,
        i.services.len(),
        i.tests.len()
    )?;
    for r in &i.risk.reasons {
        writeln!(out, "- {r}")?;
    }
    writeln!(out)?;
    // What the contract changes do to programs built from them.
    let proto: Vec<&ChangedSymbol> = i
        .changed
        .iter()
        .filter(|c| c.compatibility.is_some())
        .collect();
    if !proto.is_empty() {
        writeln!(out, "**Contract changes:**\n")?;
        for c in proto {
            let was = c
                .was
                .as_deref()
                .map(|w| format!(" (was `{}`)", w.split(" (").next().unwrap_or(w)))
                .unwrap_or_default();
            writeln!(
                out,
                "- `{}` {}{was}: {}",
                c.qualified_name,
                c.change,
                c.compatibility.as_deref().unwrap_or_default()
            )?;
        }
        writeln!(out)?;
    }
    if !i.notes.is_empty() {
        writeln!(out, "**Notes:**\n")?;
        for n in &i.notes {
            writeln!(out, "- {}", cell(n))?;
        }
        writeln!(out)?;
    }
    if !i.services.is_empty() {
        writeln!(
            out,
            "| service | impact | changed | impacted | reached via |"
        )?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for s in &i.services {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&s.name),
                s.class,
                s.changed,
                s.impacted,
                cell(&s.endpoints.join(", "))
            )?;
        }
        writeln!(out)?;
    }
    if !i.endpoints.is_empty() {
        writeln!(
            out,
            "**Endpoints affected:** {}\n",
            cell(&i.endpoints.join(", "))
        )?;
    }
    writeln!(out, "<details><summary>Changed symbols</summary>\n")?;
    for c in &i.changed {
        let contract = if c.contracts.is_empty() {
            String::new()
        } else {
            format!(" — contract: `{}`", c.contracts.join("`, `"))
        };
        let compatibility = c
            .compatibility
            .as_deref()
            .map(|x| format!(" — {x}"))
            .unwrap_or_default();
        writeln!(
            out,
            "- `{}` ({}) {} at `{}:{}`{contract}{compatibility}",
            c.qualified_name, c.kind, c.change, c.file, c.line
        )?;
    }
    writeln!(out, "\n</details>\n")?;
    if !i.impacted.is_empty() {
        writeln!(out, "| impacted | class | depth | confidence | at |")?;
        writeln!(out, "| --- | --- | --- | --- | --- |")?;
        for m in i.impacted.iter().take(top) {
            writeln!(
                out,
                "| `{}` ({}) | {} | {} | {:.2} | `{}:{}` |",
                cell(&m.name),
                m.kind,
                m.class,
                m.depth,
                m.confidence,
                m.file,
                m.line
            )?;
        }
        if i.impacted.len() > top {
            writeln!(out, "\n… and {} more.", i.impacted.len() - top)?;
        }
        writeln!(out)?;
    }
    if !i.tests.is_empty() {
        writeln!(out, "**Tests to run:**\n")?;
        for t in &i.tests {
            writeln!(out, "- `{}` (`{}:{}`)", t.name, t.file, t.line)?;
        }
        writeln!(out)?;
    }
    // The affected services and their dependencies.
    let owners: std::collections::BTreeSet<&str> =
        i.changed.iter().map(|c| c.service.as_str()).collect();
    let edges: std::collections::BTreeSet<(String, String)> = i
        .service_edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone()))
        .collect();
    if !i.services.is_empty() {
        writeln!(out, "```mermaid\ngraph LR")?;
        for s in &i.services {
            let style = if owners.contains(s.name.as_str()) {
                ":::changed"
            } else if s.class == "will-break" {
                ":::breaks"
            } else {
                ""
            };
            writeln!(out, "  {}[\"{}\"]{style}", node(&s.name), s.name)?;
        }
        for (from, to) in &edges {
            writeln!(out, "  {} --> {}", node(from), node(to))?;
        }
        writeln!(out, "  classDef changed fill:#fde2e1,stroke:#c0392b")?;
        writeln!(out, "  classDef breaks fill:#fff3cd,stroke:#e67e22")?;
        writeln!(out, "```")?;
    }
    Ok(())
}

fn node(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
