#!/usr/bin/env python3
"""Checks the arrows between the modules of each crate: every `use` (and every `crate::`/`super::` path in
code) is resolved to the file that defines what it names, and the check fails on

- a module that takes an item defined in a module above it (its parent's or an ancestor's file, such as an
  error type defined in `sync/mod.rs` and used by `sync/pull.rs`): shared parts live in rooms of their own,
  and a parent module only declares and re-exports its children;
- files that import each other, directly or around a circle;
- in the app, a layer that imports from a layer above it: pages, then components, then state (reducers,
  contexts and hooks), then services; the app's root files (lib, app, route, embed) may import any;
- a source file of more than 700 lines (tests in files of their own are not counted).

Usage: scripts/check-imports.py [--list]   (--list prints the import graph it read)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRATES = {
    'app': 'src',
    'core': 'crates/core/src',
    'sandbox': 'crates/sandbox/src',
    'zip-worker': 'crates/zip-worker/src',
    'live-check': 'crates/live-check/src',
}
APP_LAYERS = ['pages', 'components', 'state', 'services']
MAX_LINES = 700
ITEM = re.compile(r'^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?(?:unsafe\s+)?'
                  r'(?:struct|enum|fn|trait|type|const|static|union|macro_rules!)\s+([A-Za-z_][A-Za-z0-9_]*)', re.M)
MOD = re.compile(r'^\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_0-9]+)\s*;', re.M)
USE = re.compile(r'\buse\s+([^;]+);', re.S)
PATH = re.compile(r'\b((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)')


def strip(text):
    """The text without comments, string literals and `#[cfg(test)]` modules."""
    text = re.sub(r'//[^\n]*', '', text)
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    cut = re.search(r'#\[cfg\(test\)\]\s*mod\s+tests\s*\{', text)
    return text[:cut.start()] if cut else text


def modules(src):
    """Module path (tuple) -> file, for every file of a crate reachable from its roots."""
    found = {}
    for dirpath, _, names in os.walk(src):
        for name in names:
            if not name.endswith('.rs'):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[0] == 'bin' or rel == ['main']:
                continue
            if rel[-1] in ('lib', 'mod'):
                rel = rel[:-1]
            found[tuple(rel)] = path
    return found


def expand(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = re.sub(r'\s+', '', tree)
    depth, start = 0, None
    for i, ch in enumerate(tree):
        if ch == '{':
            if depth == 0:
                start = i
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                prefix = tree[:start]
                inner = tree[start + 1:i]
                parts, level, last = [], 0, 0
                for j, c in enumerate(inner):
                    if c == '{':
                        level += 1
                    elif c == '}':
                        level -= 1
                    elif c == ',' and level == 0:
                        parts.append(inner[last:j])
                        last = j + 1
                parts.append(inner[last:])
                return [p for part in parts if part for p in expand(prefix + part)]
    return [re.sub(r'\bas\b.*$', '', tree)]


def analyse(crate, src):
    mods = modules(src)
    texts = {m: strip(open(f, encoding='utf-8').read()) for m, f in mods.items()}
    defined = {m: set(ITEM.findall(t)) | set(MOD.findall(t)) for m, t in texts.items()}
    reexports = {}
    for m, t in texts.items():
        for tree in re.findall(r'\bpub(?:\([^)]*\))?\s+use\s+([^;]+);', t, re.S):
            for path in expand(tree):
                parts = path.split('::')
                reexports.setdefault(m, {})[parts[-1]] = (m, parts)

    def absolute(m, parts):
        """A path as written in module m -> absolute module-path parts."""
        out = list(m)
        if parts[0] == 'crate':
            out, parts = [], parts[1:]
        elif parts[0] == 'self':
            parts = parts[1:]
        elif parts[0] == 'super':
            while parts and parts[0] == 'super':
                out, parts = out[:-1], parts[1:]
        elif tuple(out + [parts[0]]) not in mods and parts[0] not in defined.get(m, ()):
            return None  # another crate, or std
        return out + parts

    def owner(parts, seen=0):
        """The module defining what the absolute path names."""
        if parts is None or seen > 20:
            return None
        for cut in range(len(parts), -1, -1):
            mod = tuple(parts[:cut])
            if mod in mods:
                rest = parts[cut:]
                if not rest or rest[0] == '*':
                    return mod
                name = rest[0]
                if name in defined[mod] and tuple(list(mod) + [name]) not in mods:
                    return mod
                if name in reexports.get(mod, {}):
                    src_mod, path = reexports[mod][name]
                    return owner(absolute(src_mod, path), seen + 1)
                return mod
        return None

    edges = {}
    for m, t in texts.items():
        paths = [p for tree in USE.findall(t) for p in expand(tree)]
        paths += PATH.findall(t)
        for path in paths:
            parts = [p for p in path.split('::') if p]
            if not parts or parts[0] == '*':
                continue
            target = owner(absolute(m, parts))
            if target is not None and target != m:
                edges.setdefault(m, set()).add(target)
    return mods, edges


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def name(m):
    return '::'.join(m) or 'crate'


def main():
    problems = []
    for crate, rel in CRATES.items():
        src = os.path.join(ROOT, rel)
        if not os.path.isdir(src):
            continue
        mods, edges = analyse(crate, src)
        if '--list' in sys.argv:
            for m in sorted(edges):
                print(f'{crate}: {name(m)} -> {", ".join(sorted(name(t) for t in edges[m]))}')
        for m, targets in edges.items():
            for t in targets:
                if len(t) < len(m) and m[:len(t)] == t:
                    problems.append(f'{crate}: {name(m)} takes an item defined in {name(t)}, a module above it')
                if crate == 'app' and m and t and m[0] in APP_LAYERS and t[0] in APP_LAYERS:
                    if APP_LAYERS.index(t[0]) < APP_LAYERS.index(m[0]):
                        problems.append(f'app: {name(m)} ({m[0]}) imports {name(t)} ({t[0]}), a layer above it')
        for dirpath, _, names in os.walk(src):
            for path in (os.path.join(dirpath, n) for n in names if n.endswith('.rs')):
                with open(path, encoding='utf-8') as file:
                    lines = sum(1 for _ in file)
                if lines > MAX_LINES:
                    problems.append(f'{crate}: {os.path.relpath(path, ROOT)} has {lines} lines (at most {MAX_LINES})')
        for group in cycles(edges):
            problems.append(f'{crate}: these modules import each other around a circle: {", ".join(map(name, group))}')
    for problem in sorted(set(problems)):
        print(problem)
    if problems:
        print(f'{len(set(problems))} arrows point the wrong way')
        sys.exit(1)
    print(f'every import points down, no modules import each other, no file is over {MAX_LINES} lines')


if __name__ == '__main__':
    main()
