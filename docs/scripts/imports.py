"""File-level import graph of a crate's `src`, for docs/architecture.md's layering rules.

Usage: python3 docs/scripts/imports.py [runtime/src] [--door engine]

Resolves `crate::`, `super::`, `self::` paths and paths starting with a child module declared
in the same file (`mod x;` then `x::y` or `use x::y`), including use-trees, to the deepest
existing module file, then follows `pub use` re-exports to the file that defines the item (a
parent that only re-exports its children does not import them; whoever uses the re-export
does). Prints every strongly connected component of more than one file (an
import circle); exit status 1 if a circle spans two top-level modules (a circle inside one
module, or inside the door module `M`, is allowed). With `--door M`, also prints every file
outside module `M` that names a path inside `M` deeper than `M`'s own `mod.rs` (the door),
and fails if there is one.

Rough by design: a path in a string or a doc comment is ignored, and macros are not expanded. `loom_exports.rs` (loom
builds only) is skipped: it mirrors internals for loom-tests.
"""
import os, re, sys

args = [a for a in sys.argv[1:]]
door = None
if "--door" in args:
    i = args.index("--door")
    door = tuple(args[i + 1].split("/"))
    del args[i:i + 2]
root = args[0] if args else "runtime/src"
SKIP = {("loom_exports",)}

files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".rs"):
            p = os.path.join(d, f)
            parts = os.path.relpath(p, root)[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts == ["lib"]:
                parts = []
            if tuple(parts) in SKIP:
                continue
            files[tuple(parts)] = p


def resolve(path):
    path = tuple(path)
    while path:
        if path in files:
            return path
        path = path[:-1]
    return None


def expand(tree):
    """'a::{b, c::d}' -> ['a::b', 'a::c::d'] (rough)."""
    tree = tree.strip()
    i = tree.find("{")
    if i < 0:
        return [tree.split(" as ")[0].strip()]
    prefix, body = tree[:i], tree[i + 1:tree.rfind("}")]
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    out.append(cur)
    res = []
    for o in out:
        if o.strip():
            res += [prefix + e for e in expand(o)]
    return res


mod_pat = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", re.M)
use_pat = re.compile(r"^\s*(pub(?:\([^)]*\))?\s+)?use\s+([A-Za-z_][^;]*);", re.S | re.M)
path_pat = re.compile(r"(?<![A-Za-z0-9_:])((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
sources, children, reexports = {}, {}, {}
for k, p in files.items():
    src = re.sub(r"//[^\n]*", "", open(p).read())
    # In-file unit tests are not part of the layering: cut from the first `#[cfg(test)]`
    # (or `#[cfg(all(test, ...))]`) item to the end, and skip test-only files.
    cut = re.search(r"#\[cfg\((?:all\()?test\b", src)
    if cut:
        src = src[:cut.start()]
    if k and (k[-1] == "tests" or k[-1].endswith("_tests") or k[-1] == "test_util"):
        src = ""
    sources[k] = src
    children[k] = set(mod_pat.findall(src))
    reexports[k] = {}
    for m in use_pat.finditer(src):
        if m.group(1):
            for e in expand(m.group(2)):
                tail = e.split("::")[-1].strip()
                alias = e.split(" as ")
                name = alias[1].strip() if len(alias) > 1 else tail
                reexports[k][name] = e.split(" as ")[0].strip()


def locate(k, path):
    """The file a path written in file k names, and the segments left after it."""
    segs = [s.strip() for s in path.split("::") if s.strip()]
    if not segs:
        return None, []
    base = list(k)
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
    elif segs[0] not in children[k]:
        return None, []
    full = base + segs
    t = resolve(full)
    if t is None:
        return None, []
    return t, full[len(t):]


def follow(t, rest, depth=0):
    """Follows `pub use` re-exports from module t to the file that defines the item."""
    if depth > 8 or not rest or rest[0] not in reexports.get(t, {}):
        return t
    t2, rest2 = locate(t, reexports[t][rest[0]] + "".join("::" + r for r in rest[1:]))
    if t2 is None or t2 == t:
        return t
    return follow(t2, rest2, depth + 1)


edges = {k: {} for k in files}   # followed through re-exports: what the file really uses
named = {k: {} for k in files}   # the module file the path itself names (for the door check)
for k, src in sources.items():
    paths = []
    for m in use_pat.finditer(src):
        if not m.group(1):
            paths += expand(m.group(2))
    paths += [m.group(1) for m in path_pat.finditer(src)]
    for c in children[k]:
        paths += re.findall(r"(?<![A-Za-z0-9_:])(" + c + r"(?:::[A-Za-z_][A-Za-z0-9_]*)+)", src)
    for path in paths:
        t, rest = locate(k, path)
        if t is None or t == ():
            continue
        if t != k:
            named[k].setdefault(t, path)
        f = follow(t, rest)
        if f != k and f != ():
            edges[k].setdefault(f, path)

sys.setrecursionlimit(10000)
idx, low, st, on, sccs, c = {}, {}, [], set(), [], [0]


def sc(v):
    idx[v] = low[v] = c[0]
    c[0] += 1
    st.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in idx:
            sc(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], idx[w])
    if low[v] == idx[v]:
        comp = []
        while True:
            w = st.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        sccs.append(comp)


for v in files:
    if v not in idx:
        sc(v)
bad = False
print("import circles (files):")
for s in sorted([s for s in sccs if len(s) > 1], key=len, reverse=True):
    # A circle among the files of one top-level module (say `net/tcp/stream` and
    # `net/tcp/split`) is that module's own business; one that spans two top-level modules is
    # a layering error, unless both ends are inside the door module.
    tops = {x[0] for x in s}
    inside = door and all(x[:len(door)] == door for x in s)
    crossing = len(tops) > 1 and not inside
    bad |= crossing
    print(" ", len(s), "(SPANS MODULES)" if crossing else "(within one module)",
          sorted("/".join(x) for x in s))
if door:
    print(f"imports past the door of {'/'.join(door)} (only {'/'.join(door)}/mod.rs may be named):")
    for k in sorted(files):
        if k[:len(door)] == door:
            continue
        for t, path in sorted(named[k].items()):
            if t[:len(door)] == door and t != door:
                bad = True
                print(f"  {'/'.join(k) or 'lib'} -> {'/'.join(t)}  ({path})")
sys.exit(1 if bad else 0)
