#!/usr/bin/env bash
# Real systems with a known service graph (../shared/realsys): materialise them and score
# Cartograph's service map and symbol links on every one in one run.
#
#   bench/realsys.sh checkout DEST [MIRRORS]
#       Checks every truth file's repositories out at the commit it names:
#       DEST/sys/<system>/ (a multi-repository system: one folder per repository), and
#       DEST/sysc/<system>/ for systems whose routes live in an external Spring Cloud
#       Config repository (the app plus that repository under `config-repo/`).
#       MIRRORS holds git directories named `owner+name/repo` (default /work/.mirror);
#       a repository not found there is cloned from GitHub.
#   bench/realsys.sh score CARTOGRAPH DEST [--all-protocols] [--config] [-v]
#       Indexes each system (120 s limit), scores `services --json` with the shared
#       scorer, and scores `links --json` against the truth file's `symbol_links` (a link
#       is right when its call site is within 3 lines of the truth's and its handler
#       within 3 lines of the truth's handler). One line per system, then totals; -v
#       prints every missed and false edge and every missed symbol link.
#
# Environment: REALSYS (default ../shared/realsys next to the repository).
set -u
here=$(cd "$(dirname "$0")" && pwd)
realsys=${REALSYS:-$(cd "$here/../../shared/realsys" 2>/dev/null && pwd)}
[ -d "$realsys/truth" ] || { echo "no realsys truth at '$realsys' (set REALSYS)" >&2; exit 2; }

usage() { sed -n '2,18p' "$0" >&2; exit 2; }

# Prints "repo folder commit" for each repository of a truth file, then "config repo
# commit" for an external config repository named in its sources.
repos_of() {
  python3 - "$1" <<'EOF'
import json, re, sys
t = json.load(open(sys.argv[1]))
if t.get("repos"):
    for r in t["repos"]:
        print("repo", r["repo"], r["folder"], r["commit"])
else:
    print("repo", t["repo"], ".", t["commit"])
for s in t.get("sources", []):
    m = re.match(r"([\w.-]+/[\w.-]+)@([0-9a-f]{7,40}) \(external", s)
    if m:
        print("config", m.group(1), "config-repo", m.group(2))
EOF
}

materialise() { # repo commit out mirrors
  local repo=$1 commit=$2 out=$3 mirrors=$4 gitdir
  gitdir="$mirrors/${repo/\//+}/repo"
  [ -d "$gitdir/.git" ] && gitdir="$gitdir/.git"
  if [ ! -d "$gitdir" ]; then
    gitdir="$mirrors/${repo/\//+}/clone.git"
    [ -d "$gitdir" ] || git clone -q --bare "https://github.com/$repo" "$gitdir" || return 1
  fi
  mkdir -p "$out"
  # A snapshot may lack a large binary blob: check out every file that is present.
  if ! git --git-dir="$gitdir" --work-tree="$out" checkout -q -f "$commit" -- . 2>/dev/null; then
    git --git-dir="$gitdir" ls-tree -r --name-only "$commit" | while IFS= read -r f; do
      git --git-dir="$gitdir" --work-tree="$out" checkout -q -f "$commit" -- "$f" 2>/dev/null
    done
  fi
}

checkout() {
  local dest=$1 mirrors=${2:-/work/.mirror} truth name kind repo folder commit
  for truth in "$realsys"/truth/*.json; do
    name=$(basename "$truth" .json)
    local has_config=0
    while read -r kind repo folder commit; do
      if [ "$kind" = repo ]; then
        materialise "$repo" "$commit" "$dest/sys/$name/$folder" "$mirrors" || echo "failed: $repo@$commit" >&2
      else
        has_config=1
        rm -rf "$dest/sysc/$name" && mkdir -p "$dest/sysc/$name"
        cp -a "$dest/sys/$name/." "$dest/sysc/$name/"
        materialise "$repo" "$commit" "$dest/sysc/$name/$folder" "$mirrors" || echo "failed: $repo@$commit" >&2
      fi
    done < <(repos_of "$truth")
    echo "$name$([ $has_config = 1 ] && echo ' (+ config repository)')" >&2
  done
}

# Scores `links --json` against the truth file's symbol links: prints "right total" and,
# with -v, each missed one.
symbol_links() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
truth = json.load(open(sys.argv[1])).get("symbol_links", [])
links = json.load(open(sys.argv[2]))
verbose = sys.argv[3] == "1"
def near(a, b): return abs(a - b) <= 3
right = 0
for s in truth:
    ok = any(l["from"]["file"] == s["from_file"] and near(l["from"]["line"], s["from_line"])
             and l["to"]["file"] == s["to_file"] and near(l["to"]["line"], s["to_line"])
             for l in links)
    right += ok
    if verbose and not ok:
        print(f"  SYMBOL MISS {s['from_file']}:{s['from_line']} -> {s['to_file']}:{s['to_line']} ({s['kind']})")
print(right, len(truth))
EOF
}

score() {
  local bin=$1 dest=$2; shift 2
  local protocols="" verbose=0 base=sys a
  for a in "$@"; do
    case $a in
      --all-protocols) protocols=--all-protocols ;;
      --config) base=sysc ;;
      -v) verbose=1 ;;
      *) usage ;;
    esac
  done
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  local tmp tp=0 fp=0 fn=0 sr=0 st=0 dir name truth
  tmp=$(mktemp -d); trap "rm -rf $tmp" EXIT
  printf '%-58s %6s %6s %4s %4s %4s %9s %7s\n' system P R tp fp fn symbols index_s
  for dir in "$dest/$base"/*/; do
    name=$(basename "$dir"); truth=$realsys/truth/$name.json
    [ -f "$truth" ] || continue
    rm -rf "$tmp/i"
    local start end
    start=$(date +%s.%N)
    if ! timeout 120 "$bin" index "$dir" --index "$tmp/i" >"$tmp/log" 2>&1; then
      printf '%-58s index failed or timed out (120 s)\n' "$name"; continue
    fi
    end=$(date +%s.%N)
    (cd "$dir" && "$bin" services --json --index "$tmp/i") >"$tmp/pred.json"
    (cd "$dir" && "$bin" links --json --index "$tmp/i") >"$tmp/links.json"
    python3 "$realsys/score_services.py" "$truth" "$tmp/pred.json" $protocols >"$tmp/score"
    local e s
    e=$(grep '^edges:' "$tmp/score")
    s=$(symbol_links "$truth" "$tmp/links.json" $verbose)
    local p r t f n
    p=$(sed -E 's/.*P=([0-9.]+).*/\1/' <<<"$e"); r=$(sed -E 's/.*R=([0-9.]+).*/\1/' <<<"$e")
    t=$(sed -E 's/.*tp=([0-9]+).*/\1/' <<<"$e"); f=$(sed -E 's/.*fp=([0-9]+).*/\1/' <<<"$e")
    n=$(sed -E 's/.*fn=([0-9]+).*/\1/' <<<"$e")
    local sl; sl=$(tail -1 <<<"$s")
    printf '%-58s %6s %6s %4s %4s %4s %9s %7.1f\n' "$name" "$p" "$r" "$t" "$f" "$n" "${sl% *}/${sl#* }" "$(echo "$end - $start" | bc)"
    if [ $verbose = 1 ]; then grep -E '^  (MISS|FALSE)' "$tmp/score"; grep 'SYMBOL MISS' <<<"$s"; fi
    tp=$((tp + t)); fp=$((fp + f)); fn=$((fn + n)); sr=$((sr + ${sl% *})); st=$((st + ${sl#* }))
  done
  printf '%-58s %6s %6s %4s %4s %4s %9s\n' total \
    "$(python3 -c "print(f'{$tp/max($tp+$fp,1):.2f}')")" "$(python3 -c "print(f'{$tp/max($tp+$fn,1):.2f}')")" \
    $tp $fp $fn "$sr/$st"
}

case ${1:-} in
  checkout) shift; [ $# -ge 1 ] || usage; checkout "$@" ;;
  score) shift; [ $# -ge 2 ] || usage; score "$@" ;;
  *) usage ;;
esac
