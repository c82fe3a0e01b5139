#!/usr/bin/env bash
# Go-to-definition accuracy against compiler-precise indexers (nothing is committed):
#   Python     - rich 13.9.4 (PyPI sdist), indexed by scip-python (npm)
#   TypeScript - rxjs 7.8.1 (npm, ships its sources), indexed by scip-typescript (npm)
#   Rust       - regex-syntax 0.8.11 (crates.io), indexed by `rust-analyzer scip`
#                (the rustup component)
# Each project is indexed by both, then `cartograph accuracy` prints a table per
# language and the most frequent kinds of misses.
# Usage: bench/accuracy.sh [OPTIONS OF cartograph accuracy, e.g. --examples 3]
#   ACCURACY_DIR: where projects and tools go (default: bench/accuracy)
#   CARTOGRAPH:   the binary to measure (default: target/release/cartograph)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${ACCURACY_DIR:-$ROOT/bench/accuracy}"
mkdir -p "$WORK"
BIN="${CARTOGRAPH:-$ROOT/target/release/cartograph}"
if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --locked >&2)
fi
cd "$WORK"

echo "== precise indexers" >&2
if [ ! -x tools/node_modules/.bin/scip-python ]; then
  mkdir -p tools
  (cd tools && npm install --silent --no-audit --no-fund \
    @sourcegraph/scip-python@0.6.6 @sourcegraph/scip-typescript@0.4.0 >&2)
fi
rustup component add rust-analyzer >&2

echo "== python: rich" >&2
if [ ! -d rich ]; then
  pip download --quiet --no-deps --no-binary :all: "rich==13.9.4" -d dl
  tar xzf dl/rich-13.9.4.tar.gz && mv rich-13.9.4 rich
fi
[ -f rich/index.scip ] || (cd rich && ../tools/node_modules/.bin/scip-python index . \
  --project-name rich --output index.scip >&2)

echo "== typescript: rxjs" >&2
if [ ! -d rxjs ]; then
  npm pack --silent rxjs@7.8.1 >/dev/null
  mkdir rxjs && tar xzf rxjs-7.8.1.tgz -C rxjs --strip-components 1
fi
[ -f rxjs/index.scip ] || (cd rxjs && ../tools/node_modules/.bin/scip-typescript index \
  --cwd . tsconfig.json >&2)

echo "== rust: regex-syntax" >&2
if [ ! -d regex-syntax ]; then
  mkdir -p fetch/src && echo "" > fetch/src/lib.rs
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nregex-syntax = "=0.8.11"\n[workspace]\n' \
    > fetch/Cargo.toml
  (cd fetch && cargo vendor --versioned-dirs vendor >/dev/null)
  mv fetch/vendor/regex-syntax-0.8.11 regex-syntax && rm -rf fetch regex-syntax/.cargo-checksum.json
  # A project of its own, wherever the work directory is.
  printf '\n[workspace]\n' >> regex-syntax/Cargo.toml
fi
[ -f regex-syntax/index.scip ] || (cd regex-syntax && rust-analyzer scip . >&2)

for p in rich rxjs regex-syntax; do
  "$BIN" accuracy "$p" --scip "$p/index.scip" "$@"
  echo
done
