//! Unified diffs: parsed into files and hunks, and applied in reverse to a file's
//! new text to recover its old text (so a diff is enough to see what a change
//! removed, without the old revision at hand).

use crate::{Error, Result};

/// One file of a diff.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileDiff {
    /// Path before (`None` for an added file).
    pub old_path: Option<String>,
    /// Path after (`None` for a deleted file).
    pub new_path: Option<String>,
    /// The hunks, in order.
    pub hunks: Vec<Hunk>,
    /// A binary file (no hunks to read).
    pub binary: bool,
}

/// One hunk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hunk {
    /// First old line (1-based; 0 for an empty range at the start).
    pub old_start: u32,
    /// First new line.
    pub new_start: u32,
    /// The hunk's lines: `' '` context, `'-'` removed, `'+'` added, with their text.
    pub lines: Vec<(char, String)>,
}

impl Hunk {
    /// New line numbers of the added lines.
    pub fn added(&self) -> Vec<u32> {
        self.numbered('+')
    }

    /// Old line numbers of the removed lines.
    pub fn removed(&self) -> Vec<u32> {
        self.numbered('-')
    }

    fn numbered(&self, want: char) -> Vec<u32> {
        let (mut old, mut new) = (self.old_start, self.new_start);
        let mut out = Vec::new();
        for (tag, _) in &self.lines {
            match tag {
                '+' => {
                    if want == '+' {
                        out.push(new);
                    }
                    new += 1;
                }
                '-' => {
                    if want == '-' {
                        out.push(old);
                    }
                    old += 1;
                }
                _ => {
                    old += 1;
                    new += 1;
                }
            }
        }
        out
    }
}

fn strip_prefix(path: &str) -> Option<String> {
    let path = path.split('\t').next().unwrap_or(path).trim();
    if path == "/dev/null" {
        return None;
    }
    let path = path.trim_matches('"');
    let stripped = path
        .strip_prefix("a/")
        .or_else(|| path.strip_prefix("b/"))
        .unwrap_or(path);
    Some(stripped.to_string())
}

/// `@@ -a,b +c,d @@` → (a, c).
fn hunk_header(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(" +")?;
    let (new, _) = rest.split_once(" @@")?;
    let start = |s: &str| s.split(',').next()?.parse::<u32>().ok();
    Some((start(old)?, start(new)?))
}

/// Parses a unified diff (`git diff` output or `diff -u`).
pub fn parse(text: &str) -> Result<Vec<FileDiff>> {
    let mut files: Vec<FileDiff> = Vec::new();
    let mut current: Option<FileDiff> = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("diff --git ") {
            if let Some(f) = current.take() {
                files.push(f);
            }
            // Paths from the header, for diffs without ---/+++ (renames, binaries).
            let (a, b) = rest.split_once(" b/").unwrap_or((rest, ""));
            current = Some(FileDiff {
                old_path: strip_prefix(a),
                new_path: (!b.is_empty()).then(|| b.to_string()),
                ..FileDiff::default()
            });
        } else if let Some(old) = line.strip_prefix("--- ") {
            if lines.peek().is_some_and(|n| n.starts_with("+++ ")) {
                let new = lines.next().unwrap_or_default();
                let f = current.get_or_insert_with(FileDiff::default);
                if !f.hunks.is_empty() {
                    // A plain `diff -u` concatenation: the next file starts.
                    let done = std::mem::take(f);
                    files.push(done);
                }
                let f = current.get_or_insert_with(FileDiff::default);
                f.old_path = strip_prefix(old);
                f.new_path = strip_prefix(&new[4..]);
            }
        } else if line.starts_with("new file mode") {
            if let Some(f) = current.as_mut() {
                f.old_path = None;
            }
        } else if line.starts_with("deleted file mode") {
            if let Some(f) = current.as_mut() {
                f.new_path = None;
            }
        } else if let Some(to) = line.strip_prefix("rename to ") {
            if let Some(f) = current.as_mut() {
                f.new_path = Some(to.to_string());
            }
        } else if let Some(from) = line.strip_prefix("rename from ") {
            if let Some(f) = current.as_mut() {
                f.old_path = Some(from.to_string());
            }
        } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
            if let Some(f) = current.as_mut() {
                f.binary = true;
            }
        } else if line.starts_with("@@ ") {
            let Some((old_start, new_start)) = hunk_header(line) else {
                return Err(Error::Invalid(format!("malformed hunk header `{line}`")));
            };
            let Some(f) = current.as_mut() else {
                return Err(Error::Invalid(
                    "a hunk comes before any file header; pass a unified diff (`git diff`)"
                        .to_string(),
                ));
            };
            f.hunks.push(Hunk {
                old_start,
                new_start,
                lines: Vec::new(),
            });
        } else if let Some(h) = current.as_mut().and_then(|f| f.hunks.last_mut()) {
            match line.chars().next() {
                Some(c @ ('+' | '-' | ' ')) => h.lines.push((c, line[1..].to_string())),
                None => h.lines.push((' ', String::new())),
                // `\ No newline at end of file` and anything else between hunks.
                _ => {}
            }
        }
    }
    if let Some(f) = current.take() {
        files.push(f);
    }
    files.retain(|f| f.old_path.is_some() || f.new_path.is_some());
    if files.is_empty() && !text.trim().is_empty() {
        return Err(Error::Invalid(
            "no file changes found in the diff; pass a unified diff (`git diff`)".to_string(),
        ));
    }
    Ok(files)
}

/// The old text of a file from its new text and the hunks that made it, or `None`
/// when the new text does not match the hunks (the diff is of another version).
pub fn reverse_apply(new_text: &str, hunks: &[Hunk]) -> Option<String> {
    let new_lines: Vec<&str> = new_text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(new_lines.len());
    let mut next = 0usize; // next new line (0-based) not yet copied
    for h in hunks {
        // A hunk adding to an empty range starts after line `new_start`.
        let has_new = h.lines.iter().any(|l| l.0 != '-');
        let start = if has_new {
            h.new_start.saturating_sub(1) as usize
        } else {
            h.new_start as usize
        };
        if start < next || start > new_lines.len() {
            return None;
        }
        out.extend(new_lines[next..start].iter().map(|s| s.to_string()));
        let mut at = start;
        for (tag, text) in &h.lines {
            match tag {
                '-' => out.push(text.clone()),
                _ => {
                    if new_lines.get(at).map(|l| l.trim_end_matches('\r'))
                        != Some(text.trim_end_matches('\r'))
                    {
                        return None;
                    }
                    if *tag == ' ' {
                        out.push(text.clone());
                    }
                    at += 1;
                }
            }
        }
        next = at;
    }
    out.extend(
        new_lines[next.min(new_lines.len())..]
            .iter()
            .map(|s| s.to_string()),
    );
    let mut text = out.join("\n");
    if new_text.ends_with('\n') || new_text.is_empty() {
        text.push('\n');
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const DIFF: &str = "diff --git a/src/a.go b/src/a.go
index 1..2 100644
--- a/src/a.go
+++ b/src/a.go
@@ -1,4 +1,4 @@
 package a
-func Old() {}
+func New() {}
 
 func Keep() {}
@@ -7,2 +6,0 @@ func Keep() {}
-func Gone() {}
-
diff --git a/b.py b/b.py
new file mode 100644
--- /dev/null
+++ b/b.py
@@ -0,0 +1 @@
+x = 1
";

    #[test]
    fn parses_files_hunks_and_line_numbers() {
        let files = parse(DIFF).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].new_path.as_deref(), Some("src/a.go"));
        assert_eq!(files[0].hunks[0].added(), vec![2]);
        assert_eq!(files[0].hunks[0].removed(), vec![2]);
        assert_eq!(files[0].hunks[1].removed(), vec![7, 8]);
        assert_eq!(files[1].old_path, None);
        assert_eq!(files[1].hunks[0].added(), vec![1]);
    }

    #[test]
    fn reverse_application_recovers_the_old_text() {
        let files = parse(DIFF).unwrap();
        let new = "package a\nfunc New() {}\n\nfunc Keep() {}\n\nx\n";
        let old = reverse_apply(new, &files[0].hunks).unwrap();
        assert_eq!(
            old,
            "package a\nfunc Old() {}\n\nfunc Keep() {}\n\nx\nfunc Gone() {}\n\n"
        );
        // Another version of the file does not match.
        assert_eq!(reverse_apply("package b\n", &files[0].hunks), None);
    }
}
