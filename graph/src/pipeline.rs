//! The indexing pipeline: walk, detect services, extract changed files in parallel,
//! apply one atomic update.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cartograph_indexer::{
    detect_services, extract_with, read_source, service_of, walk, Diagnostic, ExtractConfig,
    FileFacts, Language, Root, Skipped, SourceFile, WalkConfig,
};
use rayon::prelude::*;

use crate::store::{FileRecord, PreparedFile, RootRecord, Store, StoreUpdate};
use crate::{Error, Result};

/// What to index and how.
#[derive(Clone, Debug)]
pub struct IndexConfig {
    /// Root directories of the workspace. Empty: reuse the roots of the last run.
    pub roots: Vec<PathBuf>,
    /// Walking options (size cap, skipped directories). The index directory is
    /// always excluded.
    pub walk: WalkConfig,
    /// Set to stop the run early; nothing is written then. Checked inside each
    /// file's extraction too, so a stop is prompt.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Time one file's extraction may take; a file over it is indexed without facts
    /// and a diagnostic says why (`None`: no limit).
    pub file_budget: Option<Duration>,
    /// Globs to leave out (see `WalkConfig::exclude_globs`); `None`: those of the
    /// last run.
    pub exclude: Option<Vec<String>>,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig {
            roots: Vec::new(),
            walk: WalkConfig::default(),
            cancel: None,
            file_budget: Some(cartograph_indexer::DEFAULT_FILE_BUDGET),
            exclude: None,
        }
    }
}

/// Progress of a run, reported to a callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexEvent {
    /// The walk found this many candidate files.
    Walked {
        /// Number of files found.
        files: usize,
    },
    /// One more file was checked (and extracted if it changed).
    FileDone {
        /// Files checked so far.
        done: usize,
        /// Files to check.
        total: usize,
    },
    /// Writing the update.
    Writing,
}

/// Observes an indexing run as it goes. Methods are called from worker threads.
pub trait IndexObserver: Sync {
    /// Progress of the run.
    fn event(&self, _event: IndexEvent) {}
    /// A file was extracted. Called before anything is written; if the run fails or
    /// is cancelled afterwards, nothing of it lands in the store.
    fn extracted(&self, _record: &FileRecord, _facts: &FileFacts) {}
    /// The run is about to write `changes` as store generation `generation` (called
    /// only when something changed). Derived indexes may start their own commit now,
    /// concurrently with the store's; if the store write then fails, they are one
    /// generation ahead and get rebuilt on next open.
    fn writing(&self, _changes: &ChangeSet, _generation: u64) {}
}

impl<F: Fn(IndexEvent) + Sync> IndexObserver for F {
    fn event(&self, event: IndexEvent) {
        self(event)
    }
}

/// Which files a run changed, so derived indexes can follow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Files added or changed.
    pub upserted: Vec<String>,
    /// Files removed.
    pub deleted: Vec<String>,
}

impl ChangeSet {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.upserted.is_empty() && self.deleted.is_empty()
    }
}

/// The outcome of a run.
#[derive(Clone, Debug, Default)]
pub struct IndexReport {
    /// Files in the workspace after the run.
    pub files: usize,
    /// Files that did not change.
    pub unchanged: usize,
    /// Files new to the index.
    pub added: usize,
    /// Files whose content (or service) changed.
    pub changed: usize,
    /// Files removed from the index.
    pub deleted: usize,
    /// Paths skipped, with reasons.
    pub skipped: Vec<Skipped>,
    /// Lines in the extracted files.
    pub lines_extracted: u64,
    /// Bytes in the extracted files.
    pub bytes_extracted: u64,
    /// Definitions in the extracted files.
    pub symbols_extracted: u64,
    /// References in the extracted files.
    pub references_extracted: u64,
    /// Diagnostics in the extracted files, with their paths.
    pub diagnostics: Vec<(String, Diagnostic)>,
    /// The store generation after the run.
    pub generation: u64,
    /// What changed.
    pub changes: ChangeSet,
    /// Time spent walking.
    pub walk_time: Duration,
    /// Time spent reading and extracting.
    pub extract_time: Duration,
    /// Time spent writing the store.
    pub write_time: Duration,
    /// Time spent resolving references (linking).
    pub link_time: Duration,
    /// Unchanged files whose links were redone because a definition they may use
    /// changed.
    pub relinked: usize,
}

enum Outcome {
    Unchanged,
    /// The same content with new times: the record to store in place of the old.
    Touched(FileRecord),
    /// Extracted, shown to the observer and encoded for the store; with its size.
    Prepared(Box<PreparedFile>, u64),
    Skipped(Skipped),
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Brings the store up to date with the files on disk. Only files whose content
/// hash, service or language changed are extracted; deleted files are removed; all
/// of it lands in one atomic update (or none of it, if the run fails or is cancelled).
pub fn index_workspace(
    store: &Store,
    config: &IndexConfig,
    observer: &dyn IndexObserver,
) -> Result<IndexReport> {
    let progress = |e: IndexEvent| observer.event(e);
    let meta = store.meta()?;
    let root_paths: Vec<PathBuf> = if config.roots.is_empty() {
        meta.roots.iter().map(|r| r.path.clone()).collect()
    } else {
        config.roots.clone()
    };
    if root_paths.is_empty() {
        return Err(Error::Indexer(cartograph_indexer::Error::Root {
            path: PathBuf::from("."),
            message: "no roots given and the index has none recorded".to_string(),
        }));
    }
    let roots = Root::from_paths(&root_paths)?;
    let mut walk_config = config.walk.clone();
    if let Some(globs) = &config.exclude {
        walk_config.exclude_globs = globs.clone();
    } else if walk_config.exclude_globs.is_empty() {
        walk_config.exclude_globs = meta.exclude.clone();
    }
    if let Ok(dir) = store.dir().canonicalize() {
        walk_config.exclude.push(dir);
    }
    let cancelled = || {
        config
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    };

    let started = Instant::now();
    let walked = walk(&roots, &walk_config);
    let walk_time = started.elapsed();
    progress(IndexEvent::Walked {
        files: walked.files.len(),
    });

    let deployment_files: Vec<(String, String)> = walked
        .deployments
        .iter()
        .filter_map(|d| {
            let text = read_source(&d.abs_path, walk_config.max_file_size)
                .ok()?
                .text;
            Some((d.dir.clone(), text))
        })
        .collect();
    let scan = cartograph_indexer::parse_deployments(&deployment_files);
    // A directory a compose file builds an image from, or a proxy's configuration
    // stands for (its gateway), is a service, manifest or not.
    let mut manifests = walked.manifests.clone();
    for d in &scan.deployments {
        let Some(dir) = d.build.as_deref().filter(|b| !b.is_empty()) else {
            continue;
        };
        let file_name = d.file.rsplit('/').next().unwrap_or(&d.file);
        let compose = file_name.starts_with("docker-compose") || file_name.starts_with("compose");
        let gateway = cartograph_indexer::is_proxy_config(file_name);
        // (A build file that may build no program, a `Makefile` with only a `test`
        // rule, does not make it a service already.)
        let has_manifest = manifests
            .iter()
            .any(|m| m.dir == dir && !cartograph_indexer::builds_programs_only(&m.file_name));
        if (compose || gateway) && !has_manifest {
            if let Some(root) = walked.deployments.iter().find(|w| w.dir == d.file) {
                manifests.push(cartograph_indexer::Manifest {
                    abs_path: root.abs_path.clone(),
                    dir: dir.to_string(),
                    // The compose file's own path: the service's manifest.
                    file_name: d.file.clone(),
                });
            }
        }
    }
    let services = detect_services(&manifests, &walked.roots, &|m| {
        std::fs::read_to_string(&m.abs_path).ok()
    });
    // Go modules: the directory of each `go.mod` and the module path it declares.
    let go_modules: Vec<(String, String)> = manifests
        .iter()
        .filter(|m| m.file_name == "go.mod")
        .filter_map(|m| {
            let text = std::fs::read_to_string(&m.abs_path).ok()?;
            let module = go_module_path(&text)?;
            Some((m.dir.clone(), module))
        })
        .collect();
    let existing: HashMap<String, FileRecord> = store
        .files()?
        .into_iter()
        .map(|r| (r.path.clone(), r))
        .collect();
    let indexed_at = now();

    let extract_started = Instant::now();
    // A first run extracts every file: each language's query is compiled up front,
    // side by side, rather than by whichever file comes first while others wait.
    if existing.is_empty() {
        let mut languages: Vec<Language> = walked.files.iter().map(|f| f.language).collect();
        languages.sort();
        languages.dedup();
        languages
            .par_iter()
            .for_each(|l| cartograph_indexer::prepare(*l));
    }
    let done = AtomicUsize::new(0);
    let total = walked.files.len();
    let max_size = walk_config.max_file_size;
    let outcomes: Vec<(String, Outcome)> = walked
        .files
        .par_iter()
        .map(|file| {
            if cancelled() {
                return (file.path.clone(), Outcome::Unchanged);
            }
            let service = service_of(&file.path, &services).map(|i| &services[i]);
            let (name, path) = service.map_or(("root", ""), |s| (s.name.as_str(), s.path.as_str()));
            let extract_config = ExtractConfig {
                budget: config.file_budget,
                cancel: config.cancel.as_deref(),
                ..ExtractConfig::default()
            };
            let go_package = (file.language == Language::Go)
                .then(|| go_package_of(&file.path, &go_modules))
                .flatten();
            let outcome = check_file(
                file,
                existing.get(&file.path),
                (name, path, go_package),
                (max_size, &extract_config),
                indexed_at,
                observer,
            );
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(IndexEvent::FileDone { done: n, total });
            (file.path.clone(), outcome)
        })
        .collect();
    if cancelled() {
        return Err(Error::Cancelled);
    }
    let extract_time = extract_started.elapsed();

    let mut report = IndexReport {
        walk_time,
        extract_time,
        ..IndexReport::default()
    };
    let mut update = StoreUpdate {
        max_file_size: max_size,
        follow_symlinks: walk_config.follow_symlinks,
        exclude: walk_config.exclude_globs.clone(),
        now: indexed_at,
        ..StoreUpdate::default()
    };
    let mut present: BTreeSet<String> = BTreeSet::new();
    let mut skipped = walked.skipped.clone();
    for (path, outcome) in outcomes {
        match outcome {
            Outcome::Unchanged => {
                report.unchanged += 1;
                present.insert(path);
            }
            Outcome::Touched(record) => {
                report.unchanged += 1;
                present.insert(path);
                update.touched.push(record);
            }
            Outcome::Prepared(prepared, bytes) => {
                if existing.contains_key(&path) {
                    report.changed += 1;
                } else {
                    report.added += 1;
                }
                let record = &prepared.record;
                report.lines_extracted += u64::from(record.lines);
                report.bytes_extracted += bytes;
                report.symbols_extracted += u64::from(record.symbols);
                report.references_extracted += u64::from(record.references);
                for d in &prepared.diagnostics {
                    report.diagnostics.push((path.clone(), d.clone()));
                }
                report.changes.upserted.push(path.clone());
                present.insert(path);
                update.upserts.push(*prepared);
            }
            Outcome::Skipped(s) => skipped.push(s),
        }
    }
    let mut deletes: Vec<String> = existing
        .keys()
        .filter(|p| !present.contains(*p))
        .cloned()
        .collect();
    deletes.sort();
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    report.deleted = deletes.len();
    report.changes.deleted = deletes.clone();
    report.files = present.len();
    report.skipped = skipped.clone();

    let root_records: Vec<RootRecord> = roots
        .iter()
        .map(|r| RootRecord {
            path: r.path.clone(),
            prefix: r.prefix.clone(),
        })
        .collect();
    report.diagnostics.extend(scan.diagnostics);
    let deployments = scan.deployments;
    let deployments_changed = store.deployments()? != deployments;
    let services_changed = store.services()? != services || deployments_changed;
    let skipped_changed = store.skipped()? != skipped;
    let roots_changed = meta.roots != root_records || meta.exclude != walk_config.exclude_globs;
    let heads: Vec<cartograph_indexer::RepoHead> = root_records
        .iter()
        .filter_map(|r| cartograph_indexer::repo_head(&r.path))
        .collect();
    let heads_changed = store.heads()? != heads;
    let first_run = meta.generation == 0;
    if report.changes.is_empty()
        && update.touched.is_empty()
        && !heads_changed
        && !services_changed
        && !skipped_changed
        && !roots_changed
        && !first_run
    {
        report.generation = meta.generation;
        return Ok(report);
    }
    let link_started = Instant::now();
    let loaded: Vec<_> = update.upserts.iter().map(|p| p.loaded.clone()).collect();
    update.graphs = crate::links::relink(store, &loaded, &deletes, existing.is_empty())?;
    drop(loaded);
    report.link_time = link_started.elapsed();
    report.relinked = update.graphs.len().saturating_sub(update.upserts.len());
    update.deletes = deletes;
    update.services = Some(services);
    update.deployments = Some(deployments);
    update.heads = Some(heads);
    update.skipped = Some(skipped);
    update.roots = Some(root_records);
    progress(IndexEvent::Writing);
    observer.writing(&report.changes, meta.generation + 1);
    let write_started = Instant::now();
    report.generation = store.apply(&mut update)?;
    report.write_time = write_started.elapsed();
    // Freeing every file's facts and graph takes a while (millions of small
    // values): done aside, so the answer does not wait for it.
    let _ = std::thread::Builder::new()
        .name("cartograph-free".to_string())
        .spawn(move || drop(update));
    Ok(report)
}

/// The module path a `go.mod` declares (`module example.com/shop`).
fn go_module_path(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("module")?;
        let path = rest.split("//").next()?.trim().trim_matches('"');
        (rest.starts_with(char::is_whitespace) && !path.is_empty()).then(|| path.to_string())
    })
}

/// The import path of the package of the Go file at `path`: its nearest `go.mod`'s
/// module path joined with the directories below it.
fn go_package_of(path: &str, modules: &[(String, String)]) -> Option<String> {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let (module_dir, module) = modules
        .iter()
        .filter(|(d, _)| {
            d.is_empty()
                || dir == d
                || dir
                    .strip_prefix(d.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
        .max_by_key(|(d, _)| d.len())?;
    let below = dir[module_dir.len()..].trim_start_matches('/');
    Some(if below.is_empty() {
        module.clone()
    } else {
        format!("{module}/{below}")
    })
}

fn check_file(
    file: &SourceFile,
    old: Option<&FileRecord>,
    (service, service_path, go_package): (&str, &str, Option<String>),
    (max_size, extract_config): (u64, &ExtractConfig),
    indexed_at: i64,
    observer: &dyn IndexObserver,
) -> Outcome {
    let same_place = old.is_some_and(|o| {
        o.service == service
            && o.service_path == service_path
            && o.language == file.language
            && o.go_package == go_package
    });
    // Fast path: same size and modification time, and not modified in the second the
    // previous run read it (a racy write could hide behind an equal timestamp).
    if let Some(o) = old {
        if same_place && o.size == file.size && o.mtime == file.mtime && file.mtime < o.indexed_at {
            return Outcome::Unchanged;
        }
    }
    let source = match read_source(&file.abs_path, max_size) {
        Ok(s) => s,
        Err(reason) => {
            return Outcome::Skipped(Skipped {
                path: file.path.clone(),
                reason: reason.to_string(),
            })
        }
    };
    if let Some(o) = old.filter(|o| same_place && o.hash == source.hash) {
        // The same text: only the times move, so freshness checks believe it again.
        if o.size == source.size && o.mtime == file.mtime {
            return Outcome::Unchanged;
        }
        return Outcome::Touched(FileRecord {
            size: source.size,
            mtime: file.mtime,
            indexed_at,
            ..o.clone()
        });
    }
    let mut facts = extract_with(file.language, &source.text, extract_config);
    if source.lossy {
        facts.diagnostics.insert(
            0,
            Diagnostic {
                line: None,
                message: "invalid utf-8; bad bytes were replaced before parsing".to_string(),
            },
        );
    }
    let record = FileRecord {
        id: 0,
        path: file.path.clone(),
        language: file.language,
        service: service.to_string(),
        service_path: service_path.to_string(),
        hash: source.hash,
        size: source.size,
        mtime: file.mtime,
        indexed_at,
        lines: facts.lines,
        symbols: facts.symbols.len() as u32,
        references: facts.references.len() as u32,
        imports: facts.imports.len() as u32,
        diagnostics: facts.diagnostics.len() as u32,
        generated: cartograph_indexer::is_generated(&file.path, &source.text),
        go_package,
    };
    observer.extracted(&record, &facts);
    Outcome::Prepared(Box::new(PreparedFile::new(record, facts)), source.size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_go_file_is_in_the_package_its_nearest_go_mod_names() {
        let modules = vec![
            ("".to_string(), "example.com/shop".to_string()),
            ("cart".to_string(), "example.com/cart".to_string()),
        ];
        assert_eq!(
            go_package_of("main.go", &modules).as_deref(),
            Some("example.com/shop")
        );
        assert_eq!(
            go_package_of("cart/store/db.go", &modules).as_deref(),
            Some("example.com/cart/store")
        );
        assert_eq!(
            go_package_of("cartx/a.go", &modules).as_deref(),
            Some("example.com/shop/cartx")
        );
        assert_eq!(
            go_module_path("// c\nmodule example.com/shop/v2 // x\n\ngo 1.22\n").as_deref(),
            Some("example.com/shop/v2")
        );
        assert_eq!(go_module_path("go 1.22\n"), None);
    }
    use cartograph_indexer::Language;

    #[test]
    fn a_file_deleted_after_the_walk_is_skipped_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let file = SourceFile {
            abs_path: dir.path().join("gone.py"),
            path: "gone.py".to_string(),
            language: Language::Python,
            size: 10,
            mtime: 0,
        };
        match check_file(
            &file,
            None,
            ("root", "", None),
            (1 << 20, &ExtractConfig::default()),
            0,
            &|_: IndexEvent| {},
        ) {
            Outcome::Skipped(s) => {
                assert_eq!(s.path, "gone.py");
                assert!(s.reason.starts_with("unreadable:"), "{}", s.reason);
            }
            _ => panic!("a vanished file must be skipped"),
        }
    }

    #[test]
    fn an_index_run_is_one_atomic_update() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::write(ws.path().join("a.go"), "package main\n\nfunc A() { B() }\n").unwrap();
        std::fs::write(ws.path().join("b.go"), "package main\n\nfunc B() {}\n").unwrap();
        let store = Store::open_or_create(&ws.path().join(".cartograph")).unwrap();
        let config = IndexConfig {
            roots: vec![ws.path().to_path_buf()],
            ..IndexConfig::default()
        };
        let report = index_workspace(&store, &config, &|_: IndexEvent| {}).unwrap();
        assert_eq!((report.added, report.generation), (2, 1));
        assert_eq!(store.files_referencing("B").unwrap(), ["a.go"]);
        // No change: no new generation.
        let again = index_workspace(&store, &config, &|_: IndexEvent| {}).unwrap();
        assert_eq!((again.unchanged, again.generation), (2, 1));
        // A cancelled run writes nothing.
        std::fs::write(ws.path().join("b.go"), "package main\n\nfunc C() { B() }\n").unwrap();
        let cancel = Arc::new(AtomicBool::new(true));
        let cancelled = IndexConfig {
            cancel: Some(cancel),
            ..config.clone()
        };
        assert!(matches!(
            index_workspace(&store, &cancelled, &|_: IndexEvent| {}),
            Err(Error::Cancelled)
        ));
        assert_eq!(store.meta().unwrap().generation, 1);
        let third = index_workspace(&store, &config, &|_: IndexEvent| {}).unwrap();
        assert_eq!((third.changed, third.generation), (1, 2));
        assert_eq!(store.files_referencing("B").unwrap(), ["a.go", "b.go"]);
    }
}
