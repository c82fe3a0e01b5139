#!/usr/bin/env bash
# Go-to-definition accuracy on projects Cartograph was not developed against, of
# different styles, against compiler-precise indexers (nothing is committed):
#   Python - attrs 24.2.0 (decorator-heavy), httpx 0.27.2 (a library re-exporting
#            from its package), requests 2.32.3 (an application-style library);
#            PyPI sdists, indexed by scip-python (npm)
#   Rust   - anyhow 1.0.89 (macro-heavy), semver 1.0.23, serde_json 1.0.128
#            (crates.io), indexed by `rust-analyzer scip` (the rustup component)
# Usage: bench/accuracy-unseen.sh [OPTIONS OF cartograph accuracy, e.g. --examples 3]
#   ACCURACY_DIR: where projects and tools go (default: bench/accuracy-unseen)
#   CARTOGRAPH:   the binary to measure (default: target/release/cartograph)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${ACCURACY_DIR:-$ROOT/bench/accuracy-unseen}"
mkdir -p "$WORK"
BIN="${CARTOGRAPH:-$ROOT/target/release/cartograph}"
if [ ! -x "$BIN" ]; then
  (cd "$ROOT" && cargo build --release --locked >&2)
fi
cd "$WORK"

echo "== precise indexers" >&2
if [ ! -x tools/node_modules/.bin/scip-python ]; then
  mkdir -p tools
  (cd tools && npm install --silent --no-audit --no-fund @sourcegraph/scip-python@0.6.6 >&2)
fi
rustup component add rust-analyzer >&2

# scip-python resolves imports through the Python environment it runs in: an
# empty one, so that a project installed there (attrs, requests) does not stand in
# for its own sources.
[ -x venv/bin/python ] || python3 -m venv venv
PYTHON=(attrs==24.2.0 httpx==0.27.2 requests==2.32.3)
for spec in "${PYTHON[@]}"; do
  name=${spec%%==*}; version=${spec##*==}; dir=$name-$version
  echo "== python: $dir" >&2
  if [ ! -d "$dir" ]; then
    pip download --quiet --no-deps --no-binary :all: "$spec" -d dl
    tar xzf "dl/$dir.tar.gz"
  fi
  [ -f "$dir/index.scip" ] || (cd "$dir" && PATH="$WORK/venv/bin:$PATH" VIRTUAL_ENV="$WORK/venv" \
    ../tools/node_modules/.bin/scip-python index . \
    --project-name "$name" --project-version "$version" --output index.scip >&2)
done

RUST=(anyhow-1.0.89 semver-1.0.23 serde_json-1.0.128)
missing=()
for dir in "${RUST[@]}"; do [ -d "$dir" ] || missing+=("$dir"); done
if [ ${#missing[@]} -gt 0 ]; then
  rm -rf fetch && mkdir -p fetch/src && echo "" > fetch/src/lib.rs
  {
    printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\n'
    for dir in "${RUST[@]}"; do printf '%s = "=%s"\n' "${dir%-*}" "${dir##*-}"; done
    printf '[workspace]\n'
  } > fetch/Cargo.toml
  (cd fetch && cargo vendor --versioned-dirs vendor >/dev/null)
  for dir in "${missing[@]}"; do
    mv "fetch/vendor/$dir" "$dir" && rm -f "$dir/.cargo-checksum.json"
    # A project of its own, wherever the work directory is.
    printf '\n[workspace]\n' >> "$dir/Cargo.toml"
  done
  rm -rf fetch
fi
for dir in "${RUST[@]}"; do
  echo "== rust: $dir" >&2
  [ -f "$dir/index.scip" ] || (cd "$dir" && rust-analyzer scip . >&2)
done

for spec in "${PYTHON[@]}"; do
  dir=${spec%%==*}-${spec##*==}
  "$BIN" accuracy "$dir" --scip "$dir/index.scip" "$@"
  echo
done
for dir in "${RUST[@]}"; do
  "$BIN" accuracy "$dir" --scip "$dir/index.scip" "$@"
  echo
done
