#!/usr/bin/env bash
# Go-to-definition accuracy on projects Cartograph was not developed against, of
# different styles, against compiler-precise indexers (nothing is committed):
#   Python - attrs 24.2.0 (decorator-heavy), httpx 0.27.2 (a library re-exporting
#            from its package), requests 2.32.3 (an application-style library);
#            PyPI sdists, indexed by scip-python (npm)
#   Rust   - anyhow 1.0.89 (macro-heavy), semver 1.0.23, serde_json 1.0.128
#            (crates.io), indexed by `rust-analyzer scip` (the rustup component)
#   TypeScript - zod 4.1.12 (a type-heavy library re-exporting through index files),
#            mobx 6.13.7 (decorators and a class-heavy core), immer 10.1.1 (a small
#            library); npm tarballs with their sources, indexed by scip-typescript
#            0.4.0 under a tsconfig of ours (theirs extend configs not shipped)
#   Go     - gin (a web framework), cobra (a CLI library), prometheus client_golang
#            (a large library), go-kit (a toolkit of many small packages); Debian's
#            golang-*-dev sources, indexed by bench/go-oracle (go/types, Debian's Go)
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

TYPESCRIPT=(zod@4.1.12 mobx@6.13.7 immer@10.1.1)
if [ ! -x tools/node_modules/.bin/scip-typescript ]; then
  (cd tools && npm install --silent --no-audit --no-fund @sourcegraph/scip-typescript@0.4.0 >&2)
fi
for spec in "${TYPESCRIPT[@]}"; do
  name=${spec%%@*}; version=${spec##*@}; dir=$name-$version
  echo "== typescript: $dir" >&2
  if [ ! -d "$dir" ]; then
    mkdir -p dl "$dir"
    (cd dl && npm pack --silent "$spec" >/dev/null)
    tar xzf "dl/$name-$version.tgz" -C "$dir" --strip-components=1
    # Only the sources: the built files would be indexed twice.
    find "$dir" -mindepth 1 -maxdepth 1 ! -name src ! -name package.json -exec rm -rf {} +
    cat > "$dir/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
    "strict": true, "experimentalDecorators": true, "noEmit": true,
    "skipLibCheck": true, "allowImportingTsExtensions": true
  },
  "include": ["src/**/*.ts"]
}
JSON
  fi
  [ -f "$dir/index.scip" ] || (cd "$dir" && ../tools/node_modules/.bin/scip-typescript index --output index.scip >&2)
done

# Go: the projects and what they import come from Debian's packages (a GOPATH);
# each project is copied into a GOPATH of its own that comes first, so that its
# packages are checked from the copy Cartograph indexes.
GO=(github.com/gin-gonic/gin github.com/spf13/cobra github.com/prometheus/client_golang github.com/go-kit/kit)
GO_DEBS=(golang-go golang-github-gin-gonic-gin-dev golang-github-spf13-cobra-dev
  golang-github-prometheus-client-golang-dev golang-github-go-kit-kit-dev)
if ! dpkg -s "${GO_DEBS[@]}" >/dev/null 2>&1; then
  apt-get install -y --no-install-recommends "${GO_DEBS[@]}" >&2
fi
GOCODE=/usr/share/gocode/src
mkdir -p gopath/src
# GOPATH mode finds a major version's import path (`x/v2`) only as a directory.
for mod in $(find "$GOCODE" -maxdepth 4 -name go.mod); do
  dir=${mod%/go.mod}; dir=${dir#"$GOCODE"/}
  path=$(sed -n 's/^module \([^ ]*\).*/\1/p' "$mod")
  case "$path" in
    */v[0-9]*) if [ "$path" != "$dir" ] && [ ! -e "gopath/src/$path" ]; then
        mkdir -p "gopath/src/$(dirname "$path")" && ln -s "$GOCODE/$dir" "gopath/src/$path"
      fi ;;
  esac
done
(cd "$ROOT/bench/go-oracle" && go build -o "$WORK/go-oracle" .)
for path in "${GO[@]}"; do
  echo "== go: $path" >&2
  if [ ! -d "gopath/src/$path" ]; then
    mkdir -p "gopath/src/$(dirname "$path")" && cp -rL "$GOCODE/$path" "gopath/src/$path"
  fi
  [ -f "gopath/src/$path/index.scip" ] || (cd "gopath/src/$path" && GO111MODULE=off \
    GOPATH="$WORK/gopath:/usr/share/gocode" "$WORK/go-oracle" . "$path" index.scip)
done

# The projects, each with the SCIP index its precise indexer wrote.
DIRS=()
for spec in "${PYTHON[@]}"; do DIRS+=("${spec%%==*}-${spec##*==}"); done
DIRS+=("${RUST[@]}")
for spec in "${TYPESCRIPT[@]}"; do DIRS+=("${spec%%@*}-${spec##*@}"); done
for path in "${GO[@]}"; do DIRS+=("gopath/src/$path"); done
for dir in "${DIRS[@]}"; do
  "$BIN" accuracy "$dir" --scip "$dir/index.scip" "$@"
  echo
done
