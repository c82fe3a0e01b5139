#!/usr/bin/env bash
# Assembles a benchmark corpus from the package registries (nothing is committed):
#   Rust       - sources of popular crates and their dependencies (cargo vendor)
#   Python     - the SQLAlchemy, Flask and Requests source distributions (pip download)
#   TypeScript - rxjs, which ships its TypeScript sources (npm pack)
# The projects Cartograph is evaluated on (Django, tokio, tracing, regex-automata, ...)
# are left out: nothing here pulls them in.
# Usage: bench/fetch-corpus.sh [DEST]   (default: bench/corpus)
set -euo pipefail
DEST="$(mkdir -p "${1:-bench/corpus}" && cd "${1:-bench/corpus}" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "== rust crates" >&2
mkdir -p "$WORK/rust/src"
cat > "$WORK/rust/Cargo.toml" <<'TOML'
[package]
name = "corpus"
version = "0.0.0"
edition = "2021"

[dependencies]
syn = { version = "=2.0.87", features = ["full", "visit", "visit-mut", "fold"] }
serde = { version = "=1.0.215", features = ["derive"] }
serde_json = "=1.0.133"
clap = { version = "=4.5.21", features = ["derive"] }
rayon = "=1.10.0"
anyhow = "=1.0.93"
itertools = "=0.13.0"
nom = "=7.1.3"
chrono = "=0.4.38"
TOML
echo "" > "$WORK/rust/src/lib.rs"
rm -rf "$DEST/rust"
(cd "$WORK/rust" && cargo vendor --versioned-dirs "$DEST/rust" >/dev/null)
# Platform bindings are generated code, not what anyone navigates.
rm -rf "$DEST"/rust/windows* "$DEST"/rust/winapi* "$DEST"/rust/libc-*

echo "== python: sqlalchemy, flask, requests" >&2
pip download --quiet --no-deps --no-binary :all: "sqlalchemy==2.0.36" "flask==3.1.0" "requests==2.32.3" -d "$WORK/py"
rm -rf "$DEST/python" && mkdir -p "$DEST/python"
for t in "$WORK"/py/*.tar.gz; do tar xzf "$t" -C "$DEST/python"; done

echo "== typescript: rxjs" >&2
(cd "$WORK" && npm pack --silent rxjs@7.8.1 >/dev/null)
rm -rf "$DEST/typescript" && mkdir -p "$DEST/typescript"
tar xzf "$WORK"/rxjs-*.tgz -C "$DEST/typescript"
# Keep the TypeScript sources; the package's compiled bundles duplicate them.
rm -rf "$DEST/typescript/package/dist" "$DEST/typescript/package/bundles"

echo "corpus ready in $DEST" >&2
find "$DEST" -type f \( -name '*.rs' -o -name '*.py' -o -name '*.ts' \) | wc -l | sed 's/^/source files: /' >&2
