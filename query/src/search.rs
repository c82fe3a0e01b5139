//! The tantivy search index over symbols: derived from the store, repaired on open.

use std::path::{Path, PathBuf};

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use cartograph_graph::{FileRecord, Store};
use cartograph_indexer::FileFacts;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RegexQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TantivyDocument, TextFieldIndexing, TextOptions, Value, FAST,
    STORED, STRING,
};
use tantivy::{DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, Term};

use crate::model::SymbolHit;
use crate::words::{split_words, stem_root, stems};
use crate::{Error, Result};

const SEARCH_DIR: &str = "search";
const WRITER_MEMORY: usize = 192 * 1024 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    name_exact: Field,
    name_words: Field,
    qualified: Field,
    qualified_exact: Field,
    qualified_words: Field,
    file: Field,
    file_words: Field,
    signature: Field,
    doc: Field,
    kind: Field,
    language: Field,
    service: Field,
    /// English stems of the name's words.
    name_stems: Field,
    /// English stems of the doc's words.
    doc_stems: Field,
    line: Field,
    col: Field,
    end_line: Field,
    end_col: Field,
    /// 1 for a symbol of a generated file (ranked below the others).
    generated: Field,
}

/// Tokenized text without positions: queries are word sets, never phrases.
fn words() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqs),
    )
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        name: b.add_text_field("name", STORED),
        name_exact: b.add_text_field("name_exact", STRING),
        name_words: b.add_text_field("name_words", words()),
        qualified: b.add_text_field("qualified", STORED),
        qualified_exact: b.add_text_field("qualified_exact", STRING),
        qualified_words: b.add_text_field("qualified_words", words()),
        file: b.add_text_field("file", STRING | STORED),
        file_words: b.add_text_field("file_words", words()),
        signature: b.add_text_field("signature", words().set_stored()),
        doc: b.add_text_field("doc", words().set_stored()),
        kind: b.add_text_field("kind", STRING | STORED),
        language: b.add_text_field("language", STRING | STORED),
        service: b.add_text_field("service", STRING | STORED),
        name_stems: b.add_text_field("name_stems", words()),
        doc_stems: b.add_text_field("doc_stems", words()),
        line: b.add_u64_field("line", STORED),
        col: b.add_u64_field("col", STORED),
        end_line: b.add_u64_field("end_line", STORED),
        end_col: b.add_u64_field("end_col", STORED),
        generated: b.add_u64_field("generated", FAST | STORED),
    };
    (b.build(), fields)
}

/// Filters and limits of a symbol search.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    /// Free text: words of names, qualified names, paths, signatures and docs.
    pub text: String,
    /// Only this kind (`method`, `class`, ...).
    pub kind: Option<String>,
    /// Only this language (`go`, ...).
    pub language: Option<String>,
    /// Only this service.
    pub service: Option<String>,
    /// Only files under this path prefix.
    pub path: Option<String>,
    /// At most this many results.
    pub limit: usize,
}

/// The symbol search index.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    dir: PathBuf,
}

fn search_err(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Search {
        dir: dir.to_path_buf(),
        message: e.to_string().to_lowercase(),
    }
}

impl SearchIndex {
    /// Opens the search index of `store`, rebuilding it from the store when it is
    /// missing, unreadable or reflects another generation (after a crash).
    pub fn open(store: &Store) -> Result<SearchIndex> {
        let generation = store.meta()?.generation;
        let dir = store.dir().join(SEARCH_DIR);
        if let Ok(index) = SearchIndex::open_dir(&dir) {
            if index.generation() == Some(generation) {
                return Ok(index);
            }
            tracing::info!("search index is behind the store; rebuilding it");
        }
        SearchIndex::rebuild(store)
    }

    fn open_dir(dir: &Path) -> Result<SearchIndex> {
        let index = Index::open_in_dir(dir).map_err(|e| search_err(dir, e))?;
        let (_, fields) = schema();
        if index.schema() != schema().0 {
            return Err(search_err(dir, "schema differs"));
        }
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| search_err(dir, e))?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// The store generation this index reflects, from its last commit.
    fn generation(&self) -> Option<u64> {
        let metas = self.index.load_metas().ok()?;
        metas.payload?.parse().ok()
    }

    /// Rebuilds the search index from every file in `store`.
    pub fn rebuild(store: &Store) -> Result<SearchIndex> {
        let mut build = SearchBuild::fresh(store)?;
        let generation = store.meta()?.generation;
        build.commit(store, &[], &HashSet::new(), generation)?;
        build.open()
    }

    /// Runs a ranked symbol search.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SymbolHit>> {
        let all = self.search_words(q, Occur::Must)?;
        if !all.is_empty() || split_words(&q.text).len() < 2 {
            return Ok(all);
        }
        // No symbol has every word (a question in plain words): the ones with the
        // most of them, best first.
        self.search_words(q, Occur::Should)
    }

    /// A search where every word must match (`Must`) or any may (`Should`).
    fn search_words(&self, q: &SearchQuery, each: Occur) -> Result<Vec<SymbolHit>> {
        let f = self.fields;
        let mut words = split_words(&q.text);
        // Words such as `the` and `of` say nothing about code, unless they are all
        // there is.
        if words.iter().any(|w| !STOP_WORDS.contains(&w.as_str())) {
            words.retain(|w| !STOP_WORDS.contains(&w.as_str()));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &words {
            let mut per_word: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, boosted(term(f.name_words, w), 4.0)),
                (Occur::Should, boosted(term(f.qualified_words, w), 1.5)),
                (Occur::Should, boosted(term(f.file_words, w), 0.5)),
                (Occur::Should, boosted(term(f.signature, w), 0.3)),
                (Occur::Should, boosted(term(f.doc, w), 0.2)),
            ];
            if w.chars().count() >= 2 {
                if let Some(prefix) = prefix_query(f.name_words, w) {
                    per_word.push((Occur::Should, boosted(prefix, 2.0)));
                }
            }
            // Other forms of the word: `currencies` for `currency`, `convert` for
            // `conversion` (what the stems share).
            for stem in stems(w) {
                per_word.push((Occur::Should, boosted(term(f.name_stems, &stem), 2.0)));
                per_word.push((Occur::Should, boosted(term(f.doc_stems, &stem), 1.0)));
                if let Some(root) = stem_root(&stem) {
                    for (field, boost) in [(f.name_stems, 1.0), (f.doc_stems, 0.5)] {
                        if let Some(prefix) = prefix_query(field, &root) {
                            per_word.push((Occur::Should, boosted(prefix, boost)));
                        }
                    }
                }
            }
            clauses.push((each, Box::new(BooleanQuery::new(per_word))));
        }
        let whole = q.text.trim().to_lowercase();
        if !whole.is_empty() {
            clauses.push((Occur::Should, boosted(term(f.name_exact, &whole), 20.0)));
            if let Some(prefix) = prefix_query(f.name_exact, &whole) {
                clauses.push((Occur::Should, boosted(prefix, 8.0)));
            }
            clauses.push((
                Occur::Should,
                boosted(term(f.qualified_exact, &whole), 20.0),
            ));
        }
        self.run(clauses, q)
    }

    /// Finds definitions by exact simple name, qualified name (`Cart.GetCart`, also
    /// with `::` or `#`), or stable ID. Case-sensitive matches are returned when there
    /// are any; otherwise case-insensitive ones.
    pub fn lookup(&self, target: &str, q: &SearchQuery) -> Result<Vec<SymbolHit>> {
        let f = self.fields;
        if cartograph_graph::split_symbol_id(target).is_some() {
            return self.run(vec![(Occur::Must, term(f.id, target))], q);
        }
        let normalized = target.trim().replace("::", ".").replace('#', ".");
        let lower = normalized.to_lowercase();
        let field = if normalized.contains('.') {
            f.qualified_exact
        } else {
            f.name_exact
        };
        let mut hits = self.run(vec![(Occur::Must, term(field, &lower))], q)?;
        if hits.is_empty() && normalized.contains('.') {
            // A qualified name may omit outer containers: match it as a suffix.
            let pattern = format!(".*\\.{}", regex_escape(&lower));
            if let Ok(rq) = RegexQuery::from_pattern(&pattern, f.qualified_exact) {
                hits = self.run(vec![(Occur::Must, Box::new(rq))], q)?;
            }
        }
        let exact: Vec<SymbolHit> = hits
            .iter()
            .filter(|h| {
                h.name == normalized
                    || h.qualified_name == normalized
                    || h.qualified_name.ends_with(&format!(".{normalized}"))
            })
            .cloned()
            .collect();
        let mut out = if exact.is_empty() { hits } else { exact };
        for h in &mut out {
            h.score = 0.0;
        }
        out.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        Ok(out)
    }

    fn run(
        &self,
        mut clauses: Vec<(Occur, Box<dyn Query>)>,
        q: &SearchQuery,
    ) -> Result<Vec<SymbolHit>> {
        let f = self.fields;
        if let Some(kind) = &q.kind {
            clauses.push((Occur::Must, term(f.kind, kind)));
        }
        if let Some(lang) = &q.language {
            clauses.push((Occur::Must, term(f.language, lang)));
        }
        if let Some(service) = &q.service {
            clauses.push((Occur::Must, term(f.service, service)));
        }
        if let Some(path) = &q.path {
            let prefix = path.trim_start_matches("./").trim_end_matches('/');
            let pattern = format!("{}(/.*)?", regex_escape(prefix));
            let rq =
                RegexQuery::from_pattern(&pattern, f.file).map_err(|e| search_err(&self.dir, e))?;
            clauses.push((Occur::Must, Box::new(rq)));
        }
        if clauses.iter().all(|(o, _)| *o != Occur::Must)
            && clauses.iter().all(|(o, _)| *o != Occur::Should)
        {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        // Hits tied with the last one wanted are all fetched, so the total order below
        // (not the index's order among equal scores) decides which make the cut: a
        // page then never depends on how many hits were asked for.
        let limit = q.limit.max(1);
        let mut fetch = limit;
        let top = loop {
            // Generated code (stubs, `DO NOT EDIT` files) counts a quarter as much.
            let ranked = TopDocs::with_limit(fetch).tweak_score(|segment: &SegmentReader| {
                let generated = segment.fast_fields().u64("generated").ok();
                move |doc: DocId, score: Score| match generated.as_ref().and_then(|g| g.first(doc))
                {
                    Some(1) => score * 0.25,
                    _ => score,
                }
            });
            let top = searcher
                .search(&query, &ranked)
                .map_err(|e| search_err(&self.dir, e))?;
            let tied_past_the_cut = top.len() == fetch
                && top.last().map(|(s, _)| *s) == top.get(limit - 1).map(|(s, _)| *s);
            if !tied_past_the_cut || fetch >= 1_000_000 {
                break top;
            }
            fetch *= 2;
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(|e| search_err(&self.dir, e))?;
            hits.push(hit_from(&doc, f, score));
        }
        // A total order: score, then shorter names, then place, then the stable ID.
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.name.len().cmp(&b.name.len()))
                .then((&a.file, a.line, a.col, &a.id).cmp(&(&b.file, b.line, b.col, &b.id)))
        });
        hits.truncate(limit);
        Ok(hits)
    }
}

/// English words that say nothing about code in a search.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "by", "does", "for", "from", "how", "in", "is", "of", "on", "or",
    "the", "to", "what", "where", "which", "with",
];

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(q, boost))
}

fn prefix_query(field: Field, prefix: &str) -> Option<Box<dyn Query>> {
    let pattern = format!("{}.+", regex_escape(prefix));
    RegexQuery::from_pattern(&pattern, field)
        .ok()
        .map(|q| Box::new(q) as Box<dyn Query>)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~\"@<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn str_of(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn u32_of(doc: &TantivyDocument, field: Field) -> u32 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0) as u32
}

fn hit_from(doc: &TantivyDocument, f: Fields, score: f32) -> SymbolHit {
    SymbolHit {
        id: str_of(doc, f.id),
        name: str_of(doc, f.name),
        qualified_name: str_of(doc, f.qualified),
        kind: str_of(doc, f.kind),
        language: str_of(doc, f.language),
        service: str_of(doc, f.service),
        file: str_of(doc, f.file),
        line: u32_of(doc, f.line),
        col: u32_of(doc, f.col),
        end_line: u32_of(doc, f.end_line),
        end_col: u32_of(doc, f.end_col),
        signature: str_of(doc, f.signature),
        score,
        generated: u32_of(doc, f.generated) == 1,
    }
}

fn commit(writer: &mut IndexWriter, generation: u64) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&generation.to_string());
    prepared.commit()?;
    Ok(())
}

fn add_file(
    writer: &IndexWriter,
    f: Fields,
    record: &FileRecord,
    facts: &FileFacts,
) -> tantivy::Result<()> {
    let file_words = split_words(&record.path).join(" ");
    for s in &facts.symbols {
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, record.symbol_id(&s.descriptor));
        doc.add_text(f.name, &s.name);
        doc.add_text(f.name_exact, s.name.to_lowercase());
        doc.add_text(f.name_words, split_words(&s.name).join(" "));
        doc.add_text(f.qualified, &s.qualified_name);
        doc.add_text(f.qualified_exact, s.qualified_name.to_lowercase());
        doc.add_text(f.qualified_words, split_words(&s.qualified_name).join(" "));
        doc.add_text(f.file, &record.path);
        doc.add_text(f.file_words, &file_words);
        doc.add_text(f.signature, &s.signature);
        doc.add_text(f.name_stems, stems(&s.name).join(" "));
        if let Some(d) = &s.doc {
            doc.add_text(f.doc, d);
            doc.add_text(f.doc_stems, stems(d).join(" "));
        }
        doc.add_text(f.kind, s.kind.name());
        doc.add_text(f.language, record.language.name());
        doc.add_text(f.service, &record.service);
        doc.add_u64(f.line, u64::from(s.name_span.start_line));
        doc.add_u64(f.col, u64::from(s.name_span.start_col));
        doc.add_u64(f.end_line, u64::from(s.span.end_line));
        doc.add_u64(f.end_col, u64::from(s.span.end_col));
        doc.add_u64(f.generated, u64::from(record.generated));
        writer.add_document(doc)?;
    }
    Ok(())
}

/// A search index being brought up to date while an indexing run extracts files.
///
/// Either *incremental* (the existing index reflects the store as it was before the
/// run: each extracted file's documents are replaced) or *fresh* (a new index is built
/// in `search.tmp`, and files the run did not extract are added from the store at the
/// end, then swapped in). Nothing is committed until [`SearchBuild::finish`], and the
/// commit records the store generation, so a crash at any point is detected on open.
pub struct SearchBuild {
    index: Index,
    /// Created on first use: a run that changes nothing never opens a writer.
    writer: OnceLock<std::result::Result<IndexWriter, String>>,
    fields: Fields,
    /// The store generation the index reflects when the build starts.
    base_generation: Option<u64>,
    /// `Some(tmp dir)` for a fresh build.
    fresh_dir: Option<PathBuf>,
    dir: PathBuf,
    error: Mutex<Option<String>>,
}

impl SearchBuild {
    /// Starts updating the search index of `store` for a run that is about to begin.
    pub fn begin(store: &Store) -> Result<SearchBuild> {
        let generation = store.meta()?.generation;
        let dir = store.dir().join(SEARCH_DIR);
        if let Ok(existing) = SearchIndex::open_dir(&dir) {
            if existing.generation() == Some(generation) && generation > 0 {
                return Ok(SearchBuild {
                    index: existing.index,
                    writer: OnceLock::new(),
                    fields: existing.fields,
                    base_generation: Some(generation),
                    fresh_dir: None,
                    dir,
                    error: Mutex::new(None),
                });
            }
            tracing::info!("search index is behind the store; rebuilding it");
        }
        SearchBuild::fresh(store)
    }

    fn fresh(store: &Store) -> Result<SearchBuild> {
        let dir = store.dir().join(SEARCH_DIR);
        let tmp = store.dir().join(format!("{SEARCH_DIR}.tmp"));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| search_err(&tmp, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| search_err(&tmp, e))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(&tmp, schema).map_err(|e| search_err(&tmp, e))?;
        Ok(SearchBuild {
            index,
            writer: OnceLock::new(),
            fields,
            base_generation: None,
            fresh_dir: Some(tmp),
            dir,
            error: Mutex::new(None),
        })
    }

    fn writer(&self) -> Result<&IndexWriter> {
        let dir = self.fresh_dir.as_ref().unwrap_or(&self.dir);
        self.writer
            .get_or_init(|| {
                let writer = self
                    .index
                    .writer_with_num_threads(2, WRITER_MEMORY)
                    .map_err(|e| e.to_string().to_lowercase())?;
                // A run killed mid-commit leaves files no commit refers to; their
                // names would collide with this run's, so remove them first.
                writer
                    .garbage_collect_files()
                    .wait()
                    .map_err(|e| e.to_string().to_lowercase())?;
                Ok(writer)
            })
            .as_ref()
            .map_err(|e| search_err(dir, e))
    }

    fn record_error(&self, e: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert_with(|| e.to_string());
        }
    }

    /// Replaces the documents of one extracted file. Safe to call from many threads.
    pub fn add(&self, record: &FileRecord, facts: &FileFacts) {
        let writer = match self.writer() {
            Ok(w) => w,
            Err(e) => return self.record_error(e),
        };
        if self.fresh_dir.is_none() {
            writer.delete_term(Term::from_field_text(self.fields.file, &record.path));
        }
        if let Err(e) = add_file(writer, self.fields, record, facts) {
            self.record_error(search_err(&self.dir, e));
        }
    }

    /// Commits the update as store generation `generation`: removes `deleted` files
    /// (incremental), or adds every store file not in `extracted` (fresh: those are
    /// the files the run did not extract, identical before and after the store write).
    pub fn commit(
        &mut self,
        store: &Store,
        deleted: &[String],
        extracted: &HashSet<String>,
        generation: u64,
    ) -> Result<()> {
        if let Some(message) = self.error.lock().ok().and_then(|mut e| e.take()) {
            return Err(Error::Search {
                dir: self.dir.clone(),
                message,
            });
        }
        let untouched = self.writer.get().is_none() && deleted.is_empty();
        if untouched && self.base_generation == Some(generation) {
            return Ok(());
        }
        let fields = self.fields;
        let writer = self.writer()?;
        match &self.fresh_dir {
            None => {
                for path in deleted {
                    writer.delete_term(Term::from_field_text(fields.file, path));
                }
            }
            Some(tmp) => {
                let records = store.files()?;
                for record in records.iter().filter(|r| !extracted.contains(&r.path)) {
                    if let Some(facts) = store.facts(&record.path)? {
                        add_file(writer, fields, record, &facts).map_err(|e| search_err(tmp, e))?;
                    }
                }
            }
        }
        let dir = self.dir.clone();
        let writer = match self.writer.get_mut() {
            Some(Ok(w)) => w,
            _ => return Err(search_err(&dir, "the index writer is gone")),
        };
        commit(writer, generation).map_err(|e| search_err(&dir, e))
    }

    /// Finishes a committed build and opens the result for searching.
    pub fn open(self) -> Result<SearchIndex> {
        if let Some(Ok(writer)) = self.writer.into_inner() {
            let _ = writer.wait_merging_threads();
        }
        if let Some(tmp) = &self.fresh_dir {
            // Swap the finished index in; a crash before this leaves the old one, which
            // the generation check rebuilds again.
            if self.dir.exists() {
                std::fs::remove_dir_all(&self.dir).map_err(|e| search_err(&self.dir, e))?;
            }
            std::fs::rename(tmp, &self.dir).map_err(|e| search_err(&self.dir, e))?;
        }
        SearchIndex::open_dir(&self.dir)
    }
}
