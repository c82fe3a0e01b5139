#!/usr/bin/env bash
# The questions coding agents ask, on a real system: each answer's size (bytes as
# printed, and tokens at 3 bytes a token of its compact JSON, as MCP clients receive
# it and the budgets count) and latency (one CLI process: opening the index, loading
# what the question needs, answering).
#
#   bench/agent-questions.sh SYSTEM_DIR QUESTIONS_FILE
#
# The system is copied to a scratch directory, committed on `main` with git, and
# indexed. QUESTIONS_FILE holds tab-separated lines:
#   edit <TAB> FILE <TAB> OLD <TAB> NEW    a change committed on the branch `feature`
#                                          (the diff the PR-comment question reads)
#   ask  <TAB> LABEL <TAB> ARG <TAB> ...    a question: `cartograph ARG...`
# `#` starts a comment line. See bench/questions/ for examples.
set -euo pipefail
cd "$(dirname "$0")/.."
SYSTEM=${1:?usage: bench/agent-questions.sh SYSTEM_DIR QUESTIONS_FILE}
QUESTIONS=$(realpath "${2:?usage: bench/agent-questions.sh SYSTEM_DIR QUESTIONS_FILE}")
cargo build --release --locked -p cartograph >&2
BIN=$(realpath target/release/cartograph)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$SYSTEM" "$WORK/system"
cd "$WORK/system"
rm -rf .cartograph .git
GIT=(git -c user.email=bench@example.com -c user.name=bench -c commit.gpgsign=false)
"${GIT[@]}" init -q -b main
"${GIT[@]}" add -A
"${GIT[@]}" commit -q -m base
"${GIT[@]}" checkout -q -b feature
while IFS=$'\t' read -r kind a b c; do
  [ "$kind" = edit ] || continue
  python3 - "$a" "$b" "$c" <<'EOF'
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if old not in text:
    sys.exit(f"{path} has no `{old}`")
open(path, "w").write(text.replace(old, new, 1))
EOF
done < "$QUESTIONS"
"${GIT[@]}" commit -q -a -m change --allow-empty
"$BIN" index . >&2
printf '%-44s %9s %8s %9s  %s\n' question bytes tokens 'ms' command
while IFS=$'\t' read -r -a fields; do
  [ "${fields[0]:-}" = ask ] || continue
  label=${fields[1]}
  argv=("${fields[@]:2}")
  start=$(date +%s%N)
  "$BIN" "${argv[@]}" > "$WORK/answer" 2>/dev/null || true
  end=$(date +%s%N)
  bytes=$(wc -c < "$WORK/answer")
  # Tokens of the answer as compact JSON (an MCP client receives it so), or as text.
  compact=$(python3 -c 'import json,sys
t=open(sys.argv[1]).read()
try: print(len(json.dumps(json.loads(t),separators=(",",":"),ensure_ascii=False).encode()))
except ValueError: print(len(t.encode()))' "$WORK/answer")
  printf '%-44s %9d %8d %9.1f  cartograph %s\n' "$label" "$bytes" $(( (compact + 2) / 3 )) \
    "$(( (end - start) / 1000000 )).$(( (end - start) / 100000 % 10 ))" "${argv[*]}"
done < "$QUESTIONS"
