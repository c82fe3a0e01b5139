//! Walking roots: which files to index, which manifests define services.

use std::path::{Path, PathBuf};

use cartograph_grammars::Language;

use crate::Error;

/// Directory names skipped by default (vendored and generated trees).
pub const DEFAULT_SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".cartograph",
    "node_modules",
    "target",
    "vendor",
    "__pycache__",
    ".venv",
    "venv",
    "bin",
    "obj",
    "dist",
    "build",
];

/// Whether a `build` directory is a build tool's output: one beside the manifest of
/// a tool that writes there (Gradle, CMake, npm, Python, Meson). A `build/` folder
/// in a Maven project or at the top of a repository of deployment files
/// (`build/docker/docker-compose.yml`) is the team's own and is walked.
fn is_build_output(dir: &Path) -> bool {
    let Some(parent) = dir.parent() else {
        return true;
    };
    [
        "build.gradle",
        "build.gradle.kts",
        "settings.gradle",
        "settings.gradle.kts",
        "CMakeLists.txt",
        "package.json",
        "setup.py",
        "pyproject.toml",
        "meson.build",
        "Makefile",
    ]
    .iter()
    .any(|m| parent.join(m).is_file())
}

/// Default size cap: files larger than this are skipped with a diagnostic.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// How to walk the roots.
#[derive(Clone, Debug)]
pub struct WalkConfig {
    /// Files larger than this many bytes are skipped with a diagnostic.
    pub max_file_size: u64,
    /// Directory names never entered.
    pub skip_dirs: Vec<String>,
    /// Absolute paths never entered (the index directory).
    pub exclude: Vec<PathBuf>,
    /// Globs of files and directories left out, as `.gitignore` writes them,
    /// relative to each root (`index --exclude 'gen/'`).
    pub exclude_globs: Vec<String>,
    /// Follow symbolic links whose target lies outside every root. Off by default:
    /// such links are skipped and reported, so nothing outside the roots is read or
    /// served unless asked for. Links inside the roots are always followed.
    pub follow_symlinks: bool,
}

impl Default for WalkConfig {
    fn default() -> Self {
        WalkConfig {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            skip_dirs: DEFAULT_SKIP_DIRS.iter().map(|s| s.to_string()).collect(),
            exclude: Vec::new(),
            exclude_globs: Vec::new(),
            follow_symlinks: false,
        }
    }
}

/// A root of the workspace, with the name used to prefix its paths when an index
/// has several roots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    /// Absolute, canonical path.
    pub path: PathBuf,
    /// Path prefix inside the workspace: empty for a single root, else the root's
    /// directory name (made unique).
    pub prefix: String,
}

impl Root {
    /// Canonicalizes `paths` and names them. Errors on a path that does not exist
    /// or is not a directory.
    pub fn from_paths(paths: &[PathBuf]) -> Result<Vec<Root>, Error> {
        let mut roots: Vec<Root> = Vec::new();
        for p in paths {
            let canonical = p.canonicalize().map_err(|e| Error::Root {
                path: p.clone(),
                message: e.to_string(),
            })?;
            if !canonical.is_dir() {
                return Err(Error::Root {
                    path: p.clone(),
                    message: "not a directory".to_string(),
                });
            }
            if roots.iter().any(|r| r.path == canonical) {
                continue;
            }
            roots.push(Root {
                path: canonical,
                prefix: String::new(),
            });
        }
        if roots.len() > 1 {
            let mut used: Vec<String> = Vec::new();
            for root in &mut roots {
                let base = root
                    .path
                    .file_name()
                    .map_or_else(|| "root".to_string(), |n| n.to_string_lossy().into_owned());
                let mut name = base.clone();
                let mut n = 2;
                while used.contains(&name) {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                used.push(name.clone());
                root.prefix = name;
            }
        }
        Ok(roots)
    }

    /// The workspace path of `abs` (which must lie under this root), `/`-separated.
    pub fn workspace_path(&self, abs: &Path) -> Option<String> {
        let rel = abs.strip_prefix(&self.path).ok()?;
        let rel: Vec<String> = rel
            .components()
            .map(|c| display_name(c.as_os_str()))
            .collect();
        let rel = rel.join("/");
        Some(match (self.prefix.is_empty(), rel.is_empty()) {
            (true, _) => rel,
            (false, true) => self.prefix.clone(),
            (false, false) => format!("{}/{rel}", self.prefix),
        })
    }
}

/// A file name as text: invalid UTF-8 bytes written `\xNN`, so two names that
/// differ only in such bytes stay two names.
pub fn display_name(name: &std::ffi::OsStr) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// A file to index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute path on disk.
    pub abs_path: PathBuf,
    /// Workspace path (`src/cart/cart.go`, or `repo/src/...` with several roots).
    pub path: String,
    /// Detected language.
    pub language: Language,
    /// Size in bytes when walked.
    pub size: u64,
    /// Modification time (seconds since the epoch) when walked.
    pub mtime: i64,
}

/// A build manifest or repository root seen while walking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Absolute path of the manifest file (or of the `.git` entry for repositories).
    pub abs_path: PathBuf,
    /// Workspace path of the directory holding it.
    pub dir: String,
    /// File name (`go.mod`, `Cargo.toml`, `.git`, ...).
    pub file_name: String,
}

/// A path skipped while walking, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Workspace path, or the absolute path when it is outside every root.
    pub path: String,
    /// Why, lowercase.
    pub reason: String,
}

/// How the reason of a directory's files in a language Cartograph does not parse
/// ends: `14 files not indexed: c++ is a language cartograph does not parse`.
pub const UNPARSED_LANGUAGE: &str = "is a language cartograph does not parse";

impl Skipped {
    /// Whether this is a directory of files in a language Cartograph does not parse
    /// (so a service there is invisible, not independent).
    pub fn is_unparsed_language(&self) -> bool {
        self.reason.ends_with(UNPARSED_LANGUAGE)
    }
}

/// Whether a header with no C++ source beside it (a project's `include/` folder)
/// is C++ by what its first 64 KiB hold: a namespace, a class, a template, access
/// specifiers, `std::`.
fn reads_as_cpp(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    [
        "namespace ",
        "class ",
        "template <",
        "template<",
        "public:",
        "private:",
        "std::",
        "nullptr",
        "constexpr ",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// The language of a source file Cartograph does not parse, by its extension.
fn unparsed_language(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "dart" => "dart",
        "erl" => "erlang",
        "clj" => "clojure",
        "fs" => "f#",
        "vb" => "visual basic",
        _ => return None,
    })
}

/// Everything a walk found.
#[derive(Clone, Debug, Default)]
pub struct WalkOutput {
    /// Files to index, sorted by workspace path.
    pub files: Vec<SourceFile>,
    /// Manifests and repository roots, sorted by directory.
    pub manifests: Vec<Manifest>,
    /// Deployment files (docker-compose, Kubernetes YAML) and `.env` files.
    pub deployments: Vec<Manifest>,
    /// Directories that are roots of the walk (workspace paths; empty for a single root).
    pub roots: Vec<String>,
    /// Paths skipped (too large, unreadable, loops).
    pub skipped: Vec<Skipped>,
}

/// Manifest file names that define a service root. A `Dockerfile` or a `Procfile`
/// makes its directory a service too (named after the directory) when no build
/// manifest does: a service built into an image is deployable whatever its language.
pub fn is_manifest(file_name: &str) -> bool {
    matches!(
        file_name,
        "Cargo.toml"
            | "package.json"
            | "composer.json"
            | "go.mod"
            | "pyproject.toml"
            | "setup.py"
            | "requirements.txt"
            | "pom.xml"
            | "build.gradle"
            | "build.gradle.kts"
            | "Dockerfile"
            | "Procfile"
            | "CMakeLists.txt"
            | "meson.build"
            | "BUILD"
            | "BUILD.bazel"
            | "Makefile"
            | "makefile"
            | "GNUmakefile"
            | "vcpkg.json"
            | "conanfile.txt"
            | "conanfile.py"
            | "Gemfile"
            | "mix.exs"
            | "build.sbt"
            | "Package.swift"
    ) || file_name.ends_with(".csproj")
        || file_name.ends_with(".rockspec")
        || file_name.ends_with(".gemspec")
}

/// Walks `roots`, honouring `.gitignore` files and the skip lists in `config`.
///
/// Only regular files are read: FIFOs, sockets and devices (also behind a symbolic
/// link) are reported as skipped without being opened, and so are symbolic links
/// out of every root unless `config.follow_symlinks`. Loops are reported by the walker.
pub fn walk(roots: &[Root], config: &WalkConfig) -> WalkOutput {
    let mut out = WalkOutput::default();
    // Files in languages Cartograph does not parse, by (directory, language).
    // Directories holding C++ sources, for the language of their `.h` files.
    let mut cpp_dirs: std::collections::HashMap<PathBuf, bool> = std::collections::HashMap::new();
    let mut unparsed: std::collections::BTreeMap<(String, &'static str), usize> =
        std::collections::BTreeMap::new();
    let all_roots: Vec<PathBuf> = roots.iter().map(|r| r.path.clone()).collect();
    for root in roots {
        out.roots.push(root.prefix.clone());
        let skip_dirs = config.skip_dirs.clone();
        let exclude = config.exclude.clone();
        // Roots nested in this one are walked on their own.
        let nested: Vec<PathBuf> = all_roots
            .iter()
            .filter(|r| **r != root.path && r.starts_with(&root.path))
            .cloned()
            .collect();
        let refused: std::sync::Arc<std::sync::Mutex<Vec<(PathBuf, String)>>> =
            std::sync::Arc::default();
        let refused_in_filter = refused.clone();
        let inside_roots = all_roots.clone();
        let follow_outside = config.follow_symlinks;
        // `--exclude` globs, as ignore patterns of this root.
        let mut overrides = ignore::overrides::OverrideBuilder::new(&root.path);
        for glob in &config.exclude_globs {
            if let Err(e) = overrides.add(&format!("!{glob}")) {
                out.skipped.push(Skipped {
                    path: glob.clone(),
                    reason: format!("not a valid --exclude glob: {e}"),
                });
            }
        }
        let overrides = overrides
            .build()
            .unwrap_or_else(|_| ignore::overrides::Override::empty());
        let walker = ignore::WalkBuilder::new(&root.path)
            .overrides(overrides)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .ignore(true)
            .parents(false)
            .follow_links(true)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |e| {
                if e.path_is_symlink() {
                    if let Some(why) = refuse_link(e.path(), &inside_roots, follow_outside) {
                        if let Ok(mut r) = refused_in_filter.lock() {
                            r.push((e.path().to_path_buf(), why));
                        }
                        return false;
                    }
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if !is_dir {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                if e.depth() > 0
                    && skip_dirs.iter().any(|s| *s == name)
                    && (name != "build" || is_build_output(e.path()))
                {
                    return false;
                }
                !exclude.iter().any(|x| e.path() == x) && !nested.iter().any(|x| e.path() == x)
            })
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    out.skipped.push(Skipped {
                        path: error_path(&err).map_or_else(String::new, |p| {
                            root.workspace_path(&p)
                                .unwrap_or_else(|| p.display().to_string())
                        }),
                        reason: err.to_string().to_lowercase(),
                    });
                    continue;
                }
            };
            let abs = entry.path();
            let Some(ws_path) = root.workspace_path(abs) else {
                continue;
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if abs.join(".git").exists() {
                    out.manifests.push(Manifest {
                        abs_path: abs.join(".git"),
                        dir: ws_path,
                        file_name: ".git".to_string(),
                    });
                }
                continue;
            }
            // FIFOs, sockets and devices are never opened (a FIFO blocks its reader,
            // a device may never end).
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                out.skipped.push(Skipped {
                    path: ws_path,
                    reason: "not a regular file".to_string(),
                });
                continue;
            }
            let file_name = entry.file_name().to_string_lossy().into_owned();
            if crate::deploy::is_deployment_file(&file_name) {
                out.deployments.push(Manifest {
                    abs_path: abs.to_path_buf(),
                    dir: ws_path.clone(),
                    file_name: file_name.clone(),
                });
            }
            if is_manifest(&file_name) {
                let dir = abs
                    .parent()
                    .and_then(|p| root.workspace_path(p))
                    .unwrap_or_default();
                out.manifests.push(Manifest {
                    abs_path: abs.to_path_buf(),
                    dir,
                    file_name: file_name.clone(),
                });
            }
            // Only source files (by extension, or extensionless scripts) are looked at.
            // A `.h` is C++ where C++ sources are beside it.
            let by_path = match Language::from_path(abs) {
                Some(Language::C) if Language::is_ambiguous_header(abs) => {
                    let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
                    let cpp = *cpp_dirs.entry(dir.clone()).or_insert_with(|| {
                        std::fs::read_dir(&dir).is_ok_and(|entries| {
                            entries
                                .flatten()
                                .take(10_000)
                                .any(|e| Language::from_path(&e.path()) == Some(Language::Cpp))
                        })
                    });
                    Some(if cpp || reads_as_cpp(abs) {
                        Language::Cpp
                    } else {
                        Language::C
                    })
                }
                other => other,
            };
            if by_path.is_none() && abs.extension().is_some() {
                let ext = abs
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase());
                if let Some(lang) = ext.as_deref().and_then(unparsed_language) {
                    let dir = ws_path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                    *unparsed.entry((dir, lang)).or_default() += 1;
                }
                continue;
            }
            let meta = match entry.metadata() {
                Ok(m) => m,
                Err(err) => {
                    out.skipped.push(Skipped {
                        path: ws_path,
                        reason: format!("unreadable: {}", err.to_string().to_lowercase()),
                    });
                    continue;
                }
            };
            let language = match by_path {
                Some(l) => Some(l),
                None if meta.len() > 2 => sniff_shebang(abs),
                None => None,
            };
            let Some(language) = language else {
                continue;
            };
            if meta.len() > config.max_file_size {
                out.skipped.push(Skipped {
                    path: ws_path,
                    reason: format!(
                        "larger than the size cap ({} > {} bytes)",
                        meta.len(),
                        config.max_file_size
                    ),
                });
                continue;
            }
            out.files.push(SourceFile {
                abs_path: abs.to_path_buf(),
                path: ws_path,
                language,
                size: meta.len(),
                mtime: mtime_of(&meta),
            });
        }
        let refused = refused.lock().map(|r| r.clone()).unwrap_or_default();
        for (link, reason) in refused {
            out.skipped.push(Skipped {
                path: root
                    .workspace_path(&link)
                    .unwrap_or_else(|| link.display().to_string()),
                reason,
            });
        }
    }
    // Counted per service directory (the nearest directory with a manifest), as a
    // user sees the system: `src/currency: 14 c++ files`.
    let mut by_service: std::collections::BTreeMap<(String, &'static str), usize> =
        std::collections::BTreeMap::new();
    for ((dir, lang), n) in unparsed {
        let owner = out
            .manifests
            .iter()
            .map(|m| m.dir.as_str())
            .filter(|m| m.is_empty() || dir == *m || dir.starts_with(&format!("{m}/")))
            .max_by_key(|m| m.len())
            .unwrap_or(dir.as_str())
            .to_string();
        *by_service.entry((owner, lang)).or_default() += n;
    }
    let headers: Vec<(String, usize)> = by_service
        .iter()
        .filter(|((_, lang), _)| *lang == "c header")
        .map(|((dir, _), n)| (dir.clone(), *n))
        .collect();
    for (dir, n) in headers {
        by_service.remove(&(dir.clone(), "c header"));
        let lang = if by_service.contains_key(&(dir.clone(), "c++")) {
            "c++"
        } else {
            "c"
        };
        *by_service.entry((dir, lang)).or_default() += n;
    }
    for ((dir, lang), n) in by_service {
        let files = if n == 1 { "file" } else { "files" };
        out.skipped.push(Skipped {
            path: if dir.is_empty() { ".".to_string() } else { dir },
            reason: format!("{n} {files} not indexed: {lang} {UNPARSED_LANGUAGE}"),
        });
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.files.dedup_by(|a, b| a.path == b.path);
    out.skipped
        .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    out.skipped.dedup();
    out.manifests
        .sort_by(|a, b| (&a.dir, &a.file_name).cmp(&(&b.dir, &b.file_name)));
    out
}

/// Why a symbolic link is not followed, if it is not: its target is missing, is not
/// a regular file or directory, or lies outside every root (unless `follow_outside`).
fn refuse_link(link: &Path, roots: &[PathBuf], follow_outside: bool) -> Option<String> {
    let target = match link.canonicalize() {
        Ok(t) => t,
        // A loop or a dangling link: the walker reports loops itself.
        Err(e) => {
            return Some(format!(
                "symbolic link not followed: {}",
                e.to_string().to_lowercase()
            ))
        }
    };
    let meta = std::fs::metadata(&target).ok()?;
    if !(meta.is_file() || meta.is_dir()) {
        return Some(format!(
            "symbolic link to {}, not a regular file",
            target.display()
        ));
    }
    if !follow_outside && !roots.iter().any(|r| target.starts_with(r)) {
        return Some(format!(
            "symbolic link out of the roots (to {}); not followed without --follow-symlinks",
            target.display()
        ));
    }
    None
}

/// Seconds since the epoch of a file's modification time (0 if unknown).
pub fn mtime_of(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn sniff_shebang(path: &Path) -> Option<Language> {
    use std::io::Read;
    let mut buf = [0u8; 128];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut buf).ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    Language::from_shebang(head.lines().next()?)
}

/// A file's text, ready for extraction.
#[derive(Clone, Debug)]
pub struct SourceText {
    /// The text; invalid UTF-8 sequences replaced.
    pub text: String,
    /// Content hash (hex).
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether the bytes were not valid UTF-8.
    pub lossy: bool,
}

/// Why a file was not indexed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// It contains NUL bytes.
    Binary,
    /// It is larger than the size cap.
    TooLarge(u64),
    /// It could not be read (deleted or unreadable since the walk).
    Unreadable(String),
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Binary => f.write_str("binary file"),
            SkipReason::TooLarge(n) => write!(f, "larger than the size cap ({n} bytes)"),
            SkipReason::Unreadable(m) => write!(f, "unreadable: {m}"),
        }
    }
}

/// Content hash of raw bytes, as stored in the index.
pub fn content_hash(bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes);
    hash.to_hex()[..32].to_string()
}

/// Reads a file for indexing: rejects binary and oversized files, replaces invalid UTF-8.
///
/// Only a regular file is opened (a FIFO would block, a device never end), and no
/// more than `max_size + 1` bytes are read whatever its size claims.
pub fn read_source(path: &Path, max_size: u64) -> Result<SourceText, SkipReason> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| SkipReason::Unreadable(e.to_string().to_lowercase());
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(SkipReason::Unreadable("not a regular file".to_string()));
    }
    if meta.len() > max_size {
        return Err(SkipReason::TooLarge(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(meta.len() as usize + 1)
        .map_err(|_| SkipReason::Unreadable("not enough memory to read it".to_string()))?;
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    let size = bytes.len() as u64;
    if size > max_size {
        return Err(SkipReason::TooLarge(size));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(SkipReason::Binary);
    }
    let hash = content_hash(&bytes);
    let (text, lossy) = match String::from_utf8(bytes) {
        Ok(t) => (t, false),
        Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
    };
    Ok(SourceText {
        text,
        hash,
        size,
        lossy,
    })
}
