#!/usr/bin/env python3
"""Go-to-definition accuracy on Elixir, Scala, Kotlin, Ruby, Swift, PHP and Lua code, at the
calls whose definition the language's rules fix.

No precise indexer for these languages installs from the registries this project uses.
A call's definition is known without one at three kinds of site: a call through the
full name of a module or object of the project (`Phoenix.Router.scope(..)`; elsewhere
also the simple name of a type no other type of the project shares), through an
Elixir `alias` (`Router.scope(..)` after `alias Phoenix.Router`, also `as:`), and a bare
call of a function the calling module or class defines itself (in Swift also through
`self`, and in an extension of the type; in PHP through `$this->`, `self::` and
`static::`, a bare PHP call being a function's; in Lua, a bare call of a function its
file defines once at the top level). This samples such sites
at random from a project Cartograph indexed and checks Cartograph's first answer.

usage: cartograph --index IDX index ROOT && cartograph --index IDX export > EXPORT
       bench/call-oracle.py LANGUAGE ROOT EXPORT [SAMPLE] [SEED]
       (elixir, scala, kotlin, ruby, swift, php or lua)
"""
import collections
import json
import random
import re
import sys

language, root, export = sys.argv[1], sys.argv[2], sys.argv[3]
size = int(sys.argv[4]) if len(sys.argv) > 4 else 200
random.seed(int(sys.argv[5]) if len(sys.argv) > 5 else 11)
suffixes = {
    "elixir": (".ex", ".exs"),
    "scala": (".scala", ".sc"),
    "kotlin": (".kt", ".kts"),
    "ruby": (".rb",),
    "swift": (".swift",),
    "php": (".php",),
    "lua": (".lua",),
}[language]
container_kinds = {
    "elixir": ("module",),
    "scala": ("class", "interface", "enum"),
    "kotlin": ("class", "interface", "enum"),
    "ruby": ("class", "module"),
    "swift": ("class", "struct", "interface", "enum"),
    "php": ("class", "interface", "trait", "enum"),
    "lua": (),
}[language]

symbols, refs = {}, []
for line in open(export):
    v = json.loads(line)
    if v["type"] == "symbol" and v["language"] == language:
        symbols[v["id"]] = v
    elif v["type"] == "reference" and v["file"].endswith(suffixes):
        refs.append(v)
modules = {s["qualified_name"] for s in symbols.values() if s["kind"] in container_kinds}
# Scala: an object's simple name, when no other type of the project has it.
simple = collections.Counter(m.rsplit(".", 1)[-1] for m in modules)
unique = {m.rsplit(".", 1)[-1]: m for m in modules if simple[m.rsplit(".", 1)[-1]] == 1}
functions = collections.defaultdict(set)
for s in symbols.values():
    if s["kind"] in ("function", "method"):
        module, _, name = s["qualified_name"].rpartition(".")
        functions[module].add(name)

aliases = {}


def file_aliases(path):
    """`alias A.B.C` (and `alias A.B.C, as: X`) lines of a file: short name -> module."""
    if language != "elixir":
        return {}
    if path not in aliases:
        text = open(f"{root}/{path}", encoding="utf-8", errors="replace").read()
        found = {}
        for m in re.finditer(r"^\s*alias\s+([A-Z][\w.]*)(?:\s*,\s*as:\s*([A-Z]\w*))?\s*$", text, re.M):
            found[m.group(2) or m.group(1).rsplit(".", 1)[-1]] = m.group(1)
        aliases[path] = found
    return aliases[path]


def enclosing_module(r):
    s = symbols.get(r.get("enclosing") or "")
    if s is None:
        return None
    first = s
    while s is not None and s["kind"] not in container_kinds:
        s = symbols.get(s.get("parent") or "")
    if s is None and language == "swift":
        # A method of an extension: the extended type its qualified name names.
        owner = first["qualified_name"].rpartition(".")[0]
        return owner if owner in modules else None
    return s["qualified_name"] if s else None


# Lua: the functions each file defines at its top level, by name.
file_functions = collections.defaultdict(list)
for s in symbols.values():
    if s["kind"] == "function" and not s.get("parent"):
        file_functions[(s["file"], s["qualified_name"])].append(s)

sites = []
for r in refs:
    if r["kind"] != "call":
        continue
    # Lua: a bare call of a function its file defines once at the top level.
    if language == "lua":
        defined = file_functions.get((r["file"], r["name"]), [])
        if not r.get("qualifier") and len(defined) == 1:
            sites.append(("local", r, (r["file"], r["name"])))
        continue
    q, name = r.get("qualifier"), r["name"]
    # Swift: `self.m()` is a method of the type it is written in, as a bare `m()` is;
    # PHP: `$this->m()`, `self::m()`, `static::m()` (a bare PHP call is a function).
    if (language == "swift" and q == "self") or (language == "php" and q in ("this", "self", "static")):
        q = None
    elif language == "php" and not q:
        continue
    if q:
        full = q
        if q not in modules:
            head, _, rest = q.partition(".")
            full = file_aliases(r["file"]).get(head) or (unique.get(q) if language != "elixir" else None)
            full = f"{full}.{rest}" if full and rest else full
        if full in modules and name in functions[full]:
            sites.append(("remote" if q in modules else "alias", r, f"{full}.{name}"))
    else:
        m = enclosing_module(r)
        if m and name in functions.get(m, ()):
            sites.append(("local", r, f"{m}.{name}"))

print("determinable call sites:", dict(collections.Counter(k for k, _, _ in sites)))
sample = random.sample(sites, min(size, len(sites)))
stats = collections.Counter()
for kind, r, truth in sample:
    targets = r["targets"]
    if not targets:
        stats["missed"] += 1
        print("missed", r["file"], r["line"], r["name"], truth)
        continue
    stats["answered"] += 1
    first = symbols.get(targets[0]["id"], {}).get("qualified_name")
    if language == "lua":
        s = symbols.get(targets[0]["id"], {})
        first = (s.get("file"), s.get("qualified_name"))
    if first == truth:
        stats["right"] += 1
    else:
        stats["wrong"] += 1
        print("wrong", r["file"], r["line"], r["name"], truth, "answered", first)
answered = stats["answered"]
print(
    f"sampled {len(sample)}: answered {answered}, right {stats['right']}, wrong {stats['wrong']},"
    f" missed {stats['missed']}; right among answered {stats['right'] / max(1, answered):.3f}"
)
