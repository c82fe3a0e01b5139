#!/usr/bin/env bash
# Load test of the agent API: indexes the benchmark corpus (bench/fetch-corpus.sh),
# starts `cartograph serve` on it, runs 16 concurrent clients per transport for 30 s
# per operation over gRPC and MCP HTTP, and prints the server's peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-bench/corpus}
SECONDS_PER_OP=${SECONDS_PER_OP:-30}
CLIENTS=${CLIENTS:-16}
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: run bench/fetch-corpus.sh first" >&2; exit 2; }
cargo build --release --locked -p cartograph >&2
BIN=target/release/cartograph
INDEX=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$INDEX"' EXIT
"$BIN" --index "$INDEX/idx" index "$CORPUS" >&2
"$BIN" --index "$INDEX/idx" serve --grpc 127.0.0.1:50071 --http 127.0.0.1:8791 2>"$INDEX/server.log" &
SERVER=$!
for _ in $(seq 50); do grep -q "MCP listening" "$INDEX/server.log" && break; sleep 0.2; done
"$BIN" loadtest --grpc 127.0.0.1:50071 --http 127.0.0.1:8791 --clients "$CLIENTS" --seconds "$SECONDS_PER_OP"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$SERVER/status")"
