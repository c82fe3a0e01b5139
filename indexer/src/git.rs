//! The commit a root's git repository has checked out, read from `.git` files (no
//! git process): what an index was built from.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The checked-out commit of the repository holding a root.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoHead {
    /// The root (absolute).
    pub root: PathBuf,
    /// The commit (hex), if the repository has one.
    pub commit: Option<String>,
    /// The branch checked out (`None` when detached).
    pub branch: Option<String>,
}

/// The git directory of the repository holding `path`, and its common directory
/// (they differ for a linked worktree).
fn git_dirs(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut dir = Some(path);
    while let Some(d) = dir {
        let dot = d.join(".git");
        if dot.is_dir() {
            return Some((dot.clone(), dot));
        }
        if dot.is_file() {
            let text = std::fs::read_to_string(&dot).ok()?;
            let gitdir = text.strip_prefix("gitdir:")?.trim();
            let gitdir = d.join(gitdir);
            let common = std::fs::read_to_string(gitdir.join("commondir"))
                .ok()
                .map(|c| gitdir.join(c.trim()))
                .unwrap_or_else(|| gitdir.clone());
            return Some((gitdir, common));
        }
        dir = d.parent();
    }
    None
}

/// The commit a ref names, from loose refs or `packed-refs`.
fn resolve_ref(common: &Path, gitdir: &Path, name: &str) -> Option<String> {
    for base in [gitdir, common] {
        if let Ok(text) = std::fs::read_to_string(base.join(name)) {
            let commit = text.trim();
            if !commit.is_empty() {
                return Some(commit.to_string());
            }
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .find_map(|l| {
            let (commit, r) = l.split_once(' ')?;
            (r.trim() == name).then(|| commit.to_string())
        })
}

/// The checked-out commit and branch of the repository holding `root`, if any.
pub fn repo_head(root: &Path) -> Option<RepoHead> {
    let (gitdir, common) = git_dirs(root)?;
    let head = std::fs::read_to_string(gitdir.join("HEAD")).ok()?;
    let head = head.trim();
    let (commit, branch) = match head.strip_prefix("ref:") {
        Some(r) => {
            let r = r.trim();
            (
                resolve_ref(&common, &gitdir, r),
                Some(r.strip_prefix("refs/heads/").unwrap_or(r).to_string()),
            )
        }
        None => (Some(head.to_string()), None),
    };
    Some(RepoHead {
        root: root.to_path_buf(),
        commit,
        branch,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_branch_and_commit_from_loose_and_packed_refs() {
        let tmp = std::env::temp_dir().join(format!("cartograph-git-{}", std::process::id()));
        let git = tmp.join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::create_dir_all(tmp.join("sub")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        std::fs::write(git.join("refs/heads/main"), "abc123\n").unwrap();
        let head = repo_head(&tmp.join("sub")).unwrap();
        assert_eq!(head.commit.as_deref(), Some("abc123"));
        assert_eq!(head.branch.as_deref(), Some("main"));
        std::fs::remove_file(git.join("refs/heads/main")).unwrap();
        std::fs::write(
            git.join("packed-refs"),
            "# pack-refs\ndef456 refs/heads/main\n",
        )
        .unwrap();
        assert_eq!(repo_head(&tmp).unwrap().commit.as_deref(), Some("def456"));
        std::fs::write(git.join("HEAD"), "0123abcd\n").unwrap();
        let detached = repo_head(&tmp).unwrap();
        assert_eq!(
            (detached.commit.as_deref(), detached.branch),
            (Some("0123abcd"), None)
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
