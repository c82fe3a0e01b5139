//! Random mutations of the fixtures' source files, each extracted: no panic, no hang,
//! every file within its time budget. A long run, outside the default `cargo test`:
//!
//! ```sh
//! CARTOGRAPH_FUZZ_CASES=14300 cargo test --release -p cartograph-tests --test fuzz -- --ignored
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cartograph_indexer::{extract, Language};

/// A small deterministic generator (xorshift64*), so a failing case can be replayed
/// from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn sources(dir: &Path, out: &mut Vec<(PathBuf, Language)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if let Some(lang) = Language::from_path(&p) {
            out.push((p, lang));
        }
    }
}

/// One mutation of `bytes`: a range cut, duplicated or moved, random bytes or
/// brackets inserted.
fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng) {
    let len = bytes.len();
    let a = rng.below(len + 1);
    let b = (a + rng.below(64)).min(len);
    match rng.below(5) {
        0 => {
            bytes.drain(a..b);
        }
        1 => {
            let piece = bytes[a..b].to_vec();
            let at = rng.below(bytes.len() + 1);
            bytes.splice(
                at..at,
                piece
                    .iter()
                    .cycle()
                    .take(piece.len() * (1 + rng.below(8)))
                    .copied(),
            );
        }
        2 => {
            let junk: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
            bytes.splice(a..a, junk);
        }
        3 => {
            let open = [b'(', b'[', b'{', b'<', b'"', b'\''][rng.below(6)];
            bytes.splice(a..a, std::iter::repeat_n(open, 1 + rng.below(200)));
        }
        _ => {
            let piece = bytes[a..b].to_vec();
            bytes.drain(a..b);
            let at = rng.below(bytes.len() + 1);
            bytes.splice(at..at, piece);
        }
    }
}

#[test]
#[ignore = "long: run with --ignored"]
fn mutated_sources_extract_without_panics_or_hangs() {
    let cases: usize = std::env::var("CARTOGRAPH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let mut files = Vec::new();
    sources(&cartograph_tests::fixtures(), &mut files);
    files.sort();
    let texts: Vec<(Vec<u8>, Language)> = files
        .iter()
        .map(|(p, l)| (std::fs::read(p).unwrap(), *l))
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for case in 0..cases {
        let (original, lang) = &texts[rng.below(texts.len())];
        let mut bytes = original.clone();
        for _ in 0..1 + rng.below(6) {
            mutate(&mut bytes, &mut rng);
        }
        let text = String::from_utf8_lossy(&bytes);
        let one = Instant::now();
        let facts = std::panic::catch_unwind(|| extract(*lang, &text))
            .unwrap_or_else(|_| panic!("case {case}: extraction panicked on {lang} text:\n{text}"));
        let took = one.elapsed();
        slowest = slowest.max(took);
        assert!(took < Duration::from_secs(15), "case {case}: {took:?}");
        assert!(facts.lines > 0 || text.is_empty());
    }
    eprintln!(
        "{cases} mutated files extracted in {:?}, slowest {slowest:?}",
        started.elapsed()
    );
}
