//! The sled-backed store: one record and one facts value per file, small global tables.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cartograph_indexer::{Deployment, FileFacts, Language, Service, Skipped};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::links::{defined_names, FileGraph, Loaded};
use crate::{Error, Result};

/// The on-disk format this build reads and writes. Bump on any change to the
/// key layout or the encoding of a stored value.
pub const FORMAT_VERSION: u32 = 65;

const FORMAT_FILE: &str = "FORMAT";
const FORMAT_PREFIX: &str = "cartograph index format ";
const STORE_DIR: &str = "store";
const LOCK_FILE: &str = "LOCK";
/// Processes waiting for the index hold a shared lock on this file.
const WAIT_FILE: &str = "WAIT";

const META_KEY: &[u8] = b"m:meta";
const DEPLOYMENTS_KEY: &[u8] = b"m:deployments";
const HEADS_KEY: &[u8] = b"m:heads";
const FILE_PREFIX: &[u8] = b"f:";
const FACTS_PREFIX: &[u8] = b"x:";
const NAME_PREFIX: &[u8] = b"n:";
const DEFINED_PREFIX: &[u8] = b"d:";
const GRAPH_PREFIX: &[u8] = b"e:";
const ID_PREFIX: &[u8] = b"i:";
const SERVICE_PREFIX: &[u8] = b"s:";
const SKIPPED_PREFIX: &[u8] = b"k:";

/// A root of the indexed workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootRecord {
    /// Absolute path.
    pub path: PathBuf,
    /// Prefix of its files' workspace paths (empty for a single root).
    pub prefix: String,
}

/// Index-wide facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// Incremented by every applied update; the search index records the generation
    /// it reflects, so a mismatch after a crash is detected and repaired.
    pub generation: u64,
    /// The roots of the workspace.
    pub roots: Vec<RootRecord>,
    /// When the last update was applied (seconds since the epoch).
    pub indexed_at: i64,
    /// Next internal file number to hand out.
    pub next_file_id: u32,
    /// Size cap used by the last run.
    pub max_file_size: u64,
    /// Whether the last run followed symbolic links out of the roots.
    pub follow_symlinks: bool,
    /// The globs the last run left out (`index --exclude`).
    pub exclude: Vec<String>,
}

/// What the index knows about one file (without its facts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Internal number, used by the name table; never leaves the process.
    pub id: u32,
    /// Workspace path.
    pub path: String,
    /// Language.
    pub language: Language,
    /// Name of the owning service.
    pub service: String,
    /// Workspace path of the owning service's directory.
    pub service_path: String,
    /// Content hash.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time when indexed (seconds since the epoch).
    pub mtime: i64,
    /// When it was indexed (seconds since the epoch).
    pub indexed_at: i64,
    /// Number of lines.
    pub lines: u32,
    /// Number of definitions.
    pub symbols: u32,
    /// Number of references.
    pub references: u32,
    /// Number of imports.
    pub imports: u32,
    /// Number of diagnostics.
    pub diagnostics: u32,
    /// Whether a tool wrote it (see [`cartograph_indexer::is_generated`]).
    pub generated: bool,
    /// For a Go file under a `go.mod`: the import path of its package (the module
    /// path and the directory below the module's), which imports name exactly.
    pub go_package: Option<String>,
}

impl FileRecord {
    /// The stable ID of a symbol of this file, from its descriptor.
    pub fn symbol_id(&self, descriptor: &str) -> String {
        crate::symbol_id(
            self.language,
            &self.service,
            &self.service_path,
            &self.path,
            descriptor,
        )
    }
}

/// A file's record and facts, encoded for the store where the facts are made (in
/// parallel), so that the write itself stays short and the facts can be dropped.
#[derive(Clone, Debug)]
pub struct PreparedFile {
    /// The record; its `id` is assigned when the update is applied.
    pub record: FileRecord,
    /// Problems found in the file (kept for reports).
    pub diagnostics: Vec<cartograph_indexer::Diagnostic>,
    facts: Vec<u8>,
    names: Vec<String>,
    defined: Vec<String>,
    /// The record and facts, for linking.
    pub(crate) loaded: Loaded,
}

impl PreparedFile {
    /// Encodes `facts` for `record`.
    pub fn new(record: FileRecord, mut facts: FileFacts) -> PreparedFile {
        let encoded = lz4_flex::compress_prepend_size(&encode(&facts));
        // Linking reads neither docs nor diagnostics: keep them out of memory.
        for s in &mut facts.symbols {
            s.doc = None;
        }
        let diagnostics = std::mem::take(&mut facts.diagnostics);
        PreparedFile {
            diagnostics,
            // Facts are most of the store's bytes and compress about threefold.
            facts: encoded,
            names: reference_names(&facts).into_iter().collect(),
            defined: defined_names(&record.path, &facts).into_iter().collect(),
            loaded: std::sync::Arc::new((record.clone(), facts)),
            record,
        }
    }
}

/// One atomic change to the store.
#[derive(Clone, Debug, Default)]
pub struct StoreUpdate {
    /// Files added or changed, with their new facts. Their `id` is assigned by the store.
    pub upserts: Vec<PreparedFile>,
    /// Files whose content is unchanged though their size or modification time
    /// moved (a `touch`): their records, with the new times, replace the stored ones.
    pub touched: Vec<FileRecord>,
    /// Workspace paths of files to remove.
    pub deletes: Vec<String>,
    /// Graph records to write (of upserted files and of files relinked because of them).
    pub graphs: Vec<(String, FileGraph)>,
    /// The complete service list, replacing the stored one (when `Some`).
    pub services: Option<Vec<Service>>,
    /// The deployments (compose, Kubernetes), replacing the stored ones (when `Some`).
    pub deployments: Option<Vec<Deployment>>,
    /// The complete list of skipped paths, replacing the stored one (when `Some`).
    pub skipped: Option<Vec<Skipped>>,
    /// The commits the roots' repositories had checked out (when `Some`).
    pub heads: Option<Vec<cartograph_indexer::RepoHead>>,
    /// The roots, replacing the stored ones (when `Some`).
    pub roots: Option<Vec<RootRecord>>,
    /// Size cap of the run.
    pub max_file_size: u64,
    /// Whether the run followed symbolic links out of the roots.
    pub follow_symlinks: bool,
    /// The globs the run left out.
    pub exclude: Vec<String>,
    /// The time of the update (seconds since the epoch).
    pub now: i64,
}

/// The index store. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    dir: PathBuf,
    /// Held for the life of the store: one process uses an index at a time.
    _lock: std::sync::Arc<std::fs::File>,
}

/// The value encoding: bincode with variable-length integers (spans and counts are
/// mostly small, so this roughly halves the facts).
fn codec() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    use bincode::Options;
    // Encoding plain data into a Vec cannot fail.
    codec().serialize(value).unwrap_or_default()
}

fn key(prefix: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(prefix.len() + rest.len());
    k.extend_from_slice(prefix);
    k.extend_from_slice(rest);
    k
}

impl Store {
    /// Opens an existing index for reading and writing. Errors if there is none,
    /// if it is foreign, of another format, locked, or has never completed a run.
    pub fn open(dir: &Path) -> Result<Store> {
        check_format(dir)?;
        let store = open_db(dir)?;
        if store
            .db
            .get(META_KEY)
            .map_err(|e| store.corrupt(e))?
            .is_none()
        {
            return Err(Error::Incomplete {
                dir: dir.to_path_buf(),
            });
        }
        Ok(store)
    }

    /// Opens the index at `dir` for an indexing run, creating it if needed. An index
    /// of another format is rebuilt (its store is removed first); a directory that is
    /// not an index at all is refused.
    pub fn open_or_create(dir: &Path) -> Result<Store> {
        let io = |e: std::io::Error| Error::Io {
            dir: dir.to_path_buf(),
            message: e.to_string().to_lowercase(),
        };
        match check_format(dir) {
            Ok(()) => {}
            Err(Error::NotIndexed { .. }) => {
                if dir.exists() && std::fs::read_dir(dir).map_err(io)?.next().is_some() {
                    return Err(Error::Foreign {
                        dir: dir.to_path_buf(),
                        reason: format!("it has files but no {FORMAT_FILE} marker"),
                    });
                }
                std::fs::create_dir_all(dir).map_err(io)?;
                write_format(dir).map_err(io)?;
            }
            Err(Error::FormatMismatch { found, .. }) => {
                tracing::warn!(
                    "index at {} has format {found}; rebuilding it with format {FORMAT_VERSION}",
                    dir.display()
                );
                let store_dir = dir.join(STORE_DIR);
                if store_dir.exists() {
                    std::fs::remove_dir_all(&store_dir).map_err(io)?;
                }
                let search_dir = dir.join("search");
                if search_dir.exists() {
                    std::fs::remove_dir_all(&search_dir).map_err(io)?;
                }
                write_format(dir).map_err(io)?;
            }
            Err(e) => return Err(e),
        }
        match open_db(dir) {
            Err(Error::Corrupt { message, .. }) => {
                // The store is derived from the source tree: rebuild rather than give up.
                tracing::warn!(
                    "index store at {} is unreadable ({message}); rebuilding it",
                    dir.display()
                );
                for sub in [STORE_DIR, "search"] {
                    let p = dir.join(sub);
                    if p.exists() {
                        std::fs::remove_dir_all(&p).map_err(io)?;
                    }
                }
                open_db(dir)
            }
            other => other,
        }
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn corrupt(&self, e: impl std::fmt::Display) -> Error {
        Error::Corrupt {
            dir: self.dir.clone(),
            message: e.to_string().to_lowercase(),
        }
    }

    fn decode<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        use bincode::Options;
        codec()
            .deserialize(bytes)
            .map_err(|e| self.corrupt(format!("undecodable value: {e}")))
    }

    /// Index-wide facts (default values before the first completed run).
    pub fn meta(&self) -> Result<IndexMeta> {
        match self.db.get(META_KEY).map_err(|e| self.corrupt(e))? {
            Some(v) => self.decode(&v),
            None => Ok(IndexMeta::default()),
        }
    }

    /// Every file record, sorted by path.
    pub fn files(&self) -> Result<Vec<FileRecord>> {
        self.scan(FILE_PREFIX)
    }

    /// One file's record.
    pub fn file(&self, path: &str) -> Result<Option<FileRecord>> {
        self.get(&key(FILE_PREFIX, path.as_bytes()))
    }

    /// One file's facts.
    pub fn facts(&self, path: &str) -> Result<Option<FileFacts>> {
        match self
            .db
            .get(key(FACTS_PREFIX, path.as_bytes()))
            .map_err(|e| self.corrupt(e))?
        {
            Some(v) => Ok(Some(self.decode_facts(&v)?)),
            None => Ok(None),
        }
    }

    fn decode_facts(&self, bytes: &[u8]) -> Result<FileFacts> {
        self.decode_compressed(bytes)
    }

    fn decode_compressed<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        let raw = lz4_flex::decompress_size_prepended(bytes)
            .map_err(|e| self.corrupt(format!("undecodable value: {e}")))?;
        self.decode(&raw)
    }

    /// Every file's facts, sorted by path.
    pub fn all_facts(&self) -> Result<Vec<(String, FileFacts)>> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(FACTS_PREFIX) {
            let (k, v) = item.map_err(|e| self.corrupt(e))?;
            let path = String::from_utf8_lossy(&k[FACTS_PREFIX.len()..]).into_owned();
            out.push((path, self.decode_facts(&v)?));
        }
        Ok(out)
    }

    /// The commits the roots' repositories had checked out at the last update.
    pub fn heads(&self) -> Result<Vec<cartograph_indexer::RepoHead>> {
        Ok(self.get(HEADS_KEY)?.unwrap_or_default())
    }

    /// Deployments declared by compose and Kubernetes files, by name.
    pub fn deployments(&self) -> Result<Vec<Deployment>> {
        Ok(self.get(DEPLOYMENTS_KEY)?.unwrap_or_default())
    }

    /// Services, sorted by path.
    pub fn services(&self) -> Result<Vec<Service>> {
        let mut s: Vec<Service> = self.scan(SERVICE_PREFIX)?;
        s.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(s)
    }

    /// Paths skipped by the last run, sorted.
    pub fn skipped(&self) -> Result<Vec<Skipped>> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(SKIPPED_PREFIX) {
            let (k, v) = item.map_err(|e| self.corrupt(e))?;
            out.push(Skipped {
                path: String::from_utf8_lossy(&k[SKIPPED_PREFIX.len()..]).into_owned(),
                reason: String::from_utf8_lossy(&v).into_owned(),
            });
        }
        Ok(out)
    }

    /// Paths of the files that use `name` (in any reference), sorted.
    pub fn files_referencing(&self, name: &str) -> Result<Vec<String>> {
        self.paths_in(NAME_PREFIX, name)
    }

    /// A bucket of a name table: (name, file IDs) pairs sorted by name.
    fn bucket(&self, table: &[u8], bucket: u16) -> Result<NameBucket> {
        Ok(self
            .get(&key(table, &bucket.to_be_bytes()))?
            .unwrap_or_default())
    }

    /// The paths of the files listed under `name` in a name table, sorted.
    fn paths_in(&self, table: &[u8], name: &str) -> Result<Vec<String>> {
        let bucket = self.bucket(table, bucket_of(name))?;
        let ids: Vec<u32> = match bucket.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => bucket[i].1.clone(),
            Err(_) => Vec::new(),
        };
        let mut paths = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(p) = self
                .db
                .get(key(ID_PREFIX, &id.to_be_bytes()))
                .map_err(|e| self.corrupt(e))?
            {
                paths.push(String::from_utf8_lossy(&p).into_owned());
            }
        }
        paths.sort();
        Ok(paths)
    }

    /// Paths of the files that define `name`, sorted.
    pub fn files_defining(&self, name: &str) -> Result<Vec<String>> {
        self.paths_in(DEFINED_PREFIX, name)
    }

    /// One file's graph record: its symbols and resolved references.
    pub fn graph(&self, path: &str) -> Result<Option<FileGraph>> {
        match self
            .db
            .get(key(GRAPH_PREFIX, path.as_bytes()))
            .map_err(|e| self.corrupt(e))?
        {
            Some(v) => Ok(Some(self.decode_compressed(&v)?)),
            None => Ok(None),
        }
    }

    /// Every file's graph record, sorted by path.
    pub fn graphs(&self) -> Result<Vec<(String, FileGraph)>> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(GRAPH_PREFIX) {
            let (k, v) = item.map_err(|e| self.corrupt(e))?;
            let path = String::from_utf8_lossy(&k[GRAPH_PREFIX.len()..]).into_owned();
            out.push((path, self.decode_compressed(&v)?));
        }
        Ok(out)
    }

    /// Bytes used on disk by the store.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn get<T: DeserializeOwned>(&self, k: &[u8]) -> Result<Option<T>> {
        match self.db.get(k).map_err(|e| self.corrupt(e))? {
            Some(v) => Ok(Some(self.decode(&v)?)),
            None => Ok(None),
        }
    }

    fn scan<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(prefix) {
            let (_, v) = item.map_err(|e| self.corrupt(e))?;
            out.push(self.decode(&v)?);
        }
        Ok(out)
    }

    /// Applies `update` as one atomic batch and flushes it to disk. Returns the new
    /// generation. Either all of it is visible afterwards, or (after a crash) none.
    /// Assigns the `id` of every upserted record.
    pub fn apply(&self, update: &mut StoreUpdate) -> Result<u64> {
        let started = std::time::Instant::now();
        let mut meta = self.meta()?;
        let fresh = meta.generation == 0;
        let mut batch = sled::Batch::default();
        // The names old versions of files used and defined, by file ID.
        let mut old_names: Vec<(u32, BTreeSet<String>, BTreeSet<String>)> = Vec::new();

        let upsert_paths: BTreeSet<String> = update
            .upserts
            .iter()
            .map(|p| p.record.path.clone())
            .collect();
        let mut old_paths: Vec<String> = update.deletes.clone();
        old_paths.extend(upsert_paths.iter().cloned());
        let mut kept_ids: BTreeMap<String, u32> = BTreeMap::new();
        for path in &old_paths {
            let Some(old) = self.file(path)? else {
                continue;
            };
            if let Some(facts) = self.facts(path)? {
                old_names.push((old.id, reference_names(&facts), defined_names(path, &facts)));
            }
            if upsert_paths.contains(path) {
                kept_ids.insert(path.clone(), old.id);
            } else {
                batch.remove(key(FILE_PREFIX, path.as_bytes()));
                batch.remove(key(FACTS_PREFIX, path.as_bytes()));
                batch.remove(key(GRAPH_PREFIX, path.as_bytes()));
                batch.remove(key(ID_PREFIX, &old.id.to_be_bytes()));
            }
        }
        for prepared in &mut update.upserts {
            let record = &mut prepared.record;
            record.id = match kept_ids.get(&record.path) {
                Some(id) => *id,
                None => {
                    let id = meta.next_file_id;
                    meta.next_file_id += 1;
                    id
                }
            };
            batch.insert(key(FILE_PREFIX, record.path.as_bytes()), encode(&*record));
            batch.insert(
                key(ID_PREFIX, &record.id.to_be_bytes()),
                record.path.as_bytes(),
            );
            batch.insert(
                key(FACTS_PREFIX, record.path.as_bytes()),
                prepared.facts.as_slice(),
            );
        }
        for record in &update.touched {
            batch.insert(key(FILE_PREFIX, record.path.as_bytes()), encode(record));
        }
        tracing::debug!("store: files and name changes at {:?}", started.elapsed());
        let encoded: Vec<(Vec<u8>, Vec<u8>)> = update
            .graphs
            .par_iter()
            .map(|(path, graph)| {
                (
                    key(GRAPH_PREFIX, path.as_bytes()),
                    lz4_flex::compress_prepend_size(&encode(graph)),
                )
            })
            .collect();
        for (k, v) in encoded {
            batch.insert(k, v);
        }
        tracing::debug!("store: graphs encoded at {:?}", started.elapsed());
        // (table, name) -> (files removed, files added), for the tables of names
        // used and names defined.
        let mut name_changes: NameChanges<'_> = FxHashMap::default();
        for (id, used, defined) in &old_names {
            for (table, names) in [(NAME_PREFIX, used), (DEFINED_PREFIX, defined)] {
                for name in names {
                    name_changes.entry((table, name)).or_default().0.push(*id);
                }
            }
        }
        for prepared in &update.upserts {
            let id = prepared.record.id;
            for (table, names) in [
                (NAME_PREFIX, &prepared.names),
                (DEFINED_PREFIX, &prepared.defined),
            ] {
                for name in names {
                    name_changes.entry((table, name)).or_default().1.push(id);
                }
            }
        }
        // Name tables are kept in hashed buckets: a few thousand keys rather than one
        // per name, which keeps the batch (and sled) small.
        let mut buckets: BTreeMap<BucketKey, Vec<(&str, NameChange)>> = BTreeMap::new();
        for ((table, name), change) in name_changes {
            buckets
                .entry((table, bucket_of(name)))
                .or_default()
                .push((name, change));
        }
        let encoded: Vec<(Vec<u8>, Option<Vec<u8>>)> = buckets
            .into_par_iter()
            .map(|((table, bucket), changes)| {
                // A first run has nothing to merge with.
                let stored = if fresh {
                    NameBucket::new()
                } else {
                    self.bucket(table, bucket)?
                };
                let entries = merge_bucket(stored, changes);
                let k = key(table, &bucket.to_be_bytes());
                Ok((k, (!entries.is_empty()).then(|| encode(&entries))))
            })
            .collect::<Result<_>>()?;
        for (k, v) in encoded {
            match v {
                Some(v) => batch.insert(k, v),
                None => batch.remove(k),
            }
        }
        tracing::debug!("store: name buckets encoded at {:?}", started.elapsed());
        if let Some(heads) = &update.heads {
            batch.insert(HEADS_KEY, encode(heads));
        }
        if let Some(deployments) = &update.deployments {
            batch.insert(DEPLOYMENTS_KEY, encode(deployments));
        }
        if let Some(services) = &update.services {
            for item in self.db.scan_prefix(SERVICE_PREFIX).keys() {
                batch.remove(item.map_err(|e| self.corrupt(e))?);
            }
            for s in services {
                batch.insert(key(SERVICE_PREFIX, s.name.as_bytes()), encode(s));
            }
        }
        if let Some(skipped) = &update.skipped {
            for item in self.db.scan_prefix(SKIPPED_PREFIX).keys() {
                batch.remove(item.map_err(|e| self.corrupt(e))?);
            }
            for s in skipped {
                batch.insert(key(SKIPPED_PREFIX, s.path.as_bytes()), s.reason.as_bytes());
            }
        }
        if let Some(roots) = &update.roots {
            meta.roots = roots.clone();
        }
        meta.generation += 1;
        meta.indexed_at = update.now;
        meta.max_file_size = update.max_file_size;
        meta.follow_symlinks = update.follow_symlinks;
        meta.exclude = update.exclude.clone();
        batch.insert(META_KEY, encode(&meta));
        tracing::debug!("store batch built in {:?}", started.elapsed());
        self.db.apply_batch(batch).map_err(|e| self.corrupt(e))?;
        tracing::debug!("store batch applied at {:?}", started.elapsed());
        self.db.flush().map_err(|e| self.corrupt(e))?;
        tracing::debug!("store flushed at {:?}", started.elapsed());
        Ok(meta.generation)
    }
}

/// One bucket of a name table: (name, file IDs), sorted by name.
type NameBucket = Vec<(String, Vec<u32>)>;

/// Buckets per name table.
const NAME_BUCKETS: u16 = 4096;

/// The bucket of a name: FNV-1a, stable across builds and platforms.
fn bucket_of(name: &str) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h % u32::from(NAME_BUCKETS)) as u16
}

/// Changes to the name tables: (table prefix, name) -> (file IDs removed, added).
type NameChanges<'n> = FxHashMap<(&'static [u8], &'n str), NameChange>;

/// A bucket of a name table: (table prefix, bucket number).
type BucketKey = (&'static [u8], u16);

/// File IDs a name loses and gains in one update.
type NameChange = (Vec<u32>, Vec<u32>);

/// A stored bucket with changes applied: names that lose every file are gone.
fn merge_bucket(stored: NameBucket, changes: Vec<(&str, NameChange)>) -> NameBucket {
    let mut entries: BTreeMap<String, Vec<u32>> = stored.into_iter().collect();
    for (name, (removed, added)) in changes {
        let ids = entries.entry(name.to_string()).or_default();
        ids.retain(|id| !removed.contains(id));
        ids.extend(added);
        ids.sort_unstable();
        ids.dedup();
    }
    entries.retain(|_, ids| !ids.is_empty());
    entries.into_iter().collect()
}

fn reference_names(facts: &FileFacts) -> BTreeSet<String> {
    facts.references.iter().map(|r| r.name.clone()).collect()
}

fn check_format(dir: &Path) -> Result<()> {
    let marker = dir.join(FORMAT_FILE);
    let text = match std::fs::read(&marker) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if dir.is_dir() && dir.join(STORE_DIR).exists() {
                return Err(Error::Foreign {
                    dir: dir.to_path_buf(),
                    reason: format!("{FORMAT_FILE} marker is missing"),
                });
            }
            return Err(Error::NotIndexed {
                dir: dir.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(Error::Io {
                dir: dir.to_path_buf(),
                message: e.to_string().to_lowercase(),
            })
        }
    };
    let text = String::from_utf8_lossy(&text);
    let Some(version) = text.trim().strip_prefix(FORMAT_PREFIX) else {
        return Err(Error::Foreign {
            dir: dir.to_path_buf(),
            reason: format!("{FORMAT_FILE} does not name a cartograph format"),
        });
    };
    if version.trim() != FORMAT_VERSION.to_string() {
        return Err(Error::FormatMismatch {
            dir: dir.to_path_buf(),
            found: version.trim().chars().take(20).collect(),
            expected: FORMAT_VERSION,
        });
    }
    Ok(())
}

fn write_format(dir: &Path) -> std::io::Result<()> {
    let tmp = dir.join(format!("{FORMAT_FILE}.tmp"));
    std::fs::write(&tmp, format!("{FORMAT_PREFIX}{FORMAT_VERSION}\n"))?;
    std::fs::rename(tmp, dir.join(FORMAT_FILE))
}

/// Removes snapshot files sled was still writing when its process died. sled writes
/// `snap.<lsn>.generating`, syncs it and renames it to `snap.<lsn>`, but on open it
/// also considers the unfinished file, which then fails its checksum. An unfinished
/// snapshot holds nothing the log and the previous snapshot do not.
fn remove_unfinished_snapshots(store_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(store_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::info!("removing unfinished store snapshot {name}");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Says that this process waits for the index at `dir` until the returned file is
/// dropped (a shared lock on its wait file), so that a process holding the index
/// between requests lets go at once ([`others_waiting`]). `None` if the index
/// directory cannot hold the file.
pub fn announce_wait(dir: &Path) -> Option<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(WAIT_FILE))
        .ok()?;
    file.lock_shared().ok()?;
    Some(file)
}

/// Whether another process waits for the index at `dir` ([`announce_wait`]).
pub fn others_waiting(dir: &Path) -> bool {
    let Ok(file) = std::fs::File::open(dir.join(WAIT_FILE)) else {
        return false;
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(std::fs::TryLockError::WouldBlock) => true,
        Err(std::fs::TryLockError::Error(_)) => false,
    }
}

fn lock_index(dir: &Path) -> Result<std::fs::File> {
    let io = |e: std::io::Error| Error::Io {
        dir: dir.to_path_buf(),
        message: e.to_string().to_lowercase(),
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked {
            dir: dir.to_path_buf(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

fn open_db(dir: &Path) -> Result<Store> {
    let lock = lock_index(dir)?;
    let path = dir.join(STORE_DIR);
    remove_unfinished_snapshots(&path);
    let config = sled::Config::new()
        .path(&path)
        .cache_capacity(64 * 1024 * 1024);
    // sled may panic on some corrupted files instead of returning an error.
    let open = || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| config.open()));
    let sled_locked = |opened: &std::thread::Result<sled::Result<sled::Db>>| {
        matches!(opened, Ok(Err(sled::Error::Io(e)))
            if e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock"))
    };
    let mut opened = open();
    // With the index's lock held, only this process can hold sled's: a handle just
    // dropped whose background writes are finishing. It lets go within moments.
    for _ in 0..200 {
        if !sled_locked(&opened) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        opened = open();
    }
    match opened {
        Ok(Ok(db)) => Ok(Store {
            db,
            dir: dir.to_path_buf(),
            _lock: std::sync::Arc::new(lock),
        }),
        Ok(Err(sled::Error::Io(e)))
            if e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock") =>
        {
            Err(Error::Locked {
                dir: dir.to_path_buf(),
            })
        }
        Ok(Err(e)) => Err(Error::Corrupt {
            dir: dir.to_path_buf(),
            message: e.to_string().to_lowercase(),
        }),
        Err(_) => Err(Error::Corrupt {
            dir: dir.to_path_buf(),
            message: "the database could not be read".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_process_uses_an_index_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("idx");
        let first = Store::open_or_create(&index).unwrap();
        assert!(matches!(
            Store::open_or_create(&index),
            Err(Error::Locked { .. })
        ));
        drop(first);
        assert!(Store::open_or_create(&index).is_ok());
    }

    #[test]
    fn an_unfinished_snapshot_does_not_break_opening() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("idx");
        let store = Store::open_or_create(&index).unwrap();
        store.apply(&mut StoreUpdate::default()).unwrap();
        drop(store);
        // What a process killed while sled wrote a snapshot leaves behind.
        std::fs::write(
            index
                .join(STORE_DIR)
                .join("snap.00000000FFFFFFFF.generating"),
            [7u8; 64],
        )
        .unwrap();
        let store = Store::open(&index).unwrap();
        assert_eq!(store.meta().unwrap().generation, 1);
    }
}
