#!/usr/bin/env python3
"""The house's rules, checked on backend/src (make test runs it):

  1. PQ* calls, PGresult, DB_STMT and libpq-fe.h only in store/ and db/;
  2. domain/ includes neither libpq nor libmicrohttpd nor any folder but util/;
  3. no folder includes a folder above it (the ranks below), no include circle
     between files or between folders;
  4. no route handler (void f(struct req *r) outside http/ and api/) over 80 lines,
     no function anywhere over 100 lines (data tables are not functions).

Prints every finding as file:line: what, and ends with "layering: N passed, M failed"
(one check per rule and file).  Files named in tests/layering/pending.txt are the
ones not yet moved into the house: their findings are listed as pending, not failed.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
SRC = os.path.normpath(os.path.join(ROOT, 'backend', 'src'))
PENDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pending.txt')

# Lowest first: a file may include its own folder, one of lower rank, or one of the
# same rank when no circle forms.  "." is the top: main.c and routes.c.
RANKS = {
    'util': 0, 'domain': 1, 'db': 2, 'store': 3, 'core': 4, 'http': 5, 'api': 6, 'cache': 7,
    'directory': 8, 'booking': 8, 'staff': 8, 'calendar': 8, 'fhir': 8, 'site': 8,
    'cli': 8, '.': 9,
}
HANDLER_MAX = 80
FUNCTION_MAX = 100
SQL_FOLDERS = ('store', 'db')
SQL_RE = re.compile(r'\bPQ[a-z][A-Za-z]*\b|\bPGresult\b|\bDB_STMT\b|libpq-fe\.h')
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SYS_INCLUDE_RE = re.compile(r'^\s*#\s*include\s+<([^>]+)>')
FUNC_START_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_ \*]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\(')
HANDLER_RE = re.compile(r'^(?:static\s+)?void\s+\w+\s*\(\s*struct\s+req\s*\*\s*\w+\s*\)\s*$')


def folder_of(rel):
    parts = rel.split('/')
    return parts[0] if len(parts) > 1 else '.'


def strip_comments(text):
    """Comments and string contents blanked, line structure kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(''.join('\n' if ch == '\n' else ' ' for ch in text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(lines):
    """(name, first line, number of lines, signature) of each function definition:
    a signature at column 0 whose body opens with '{' at column 0."""
    found = []
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FUNC_START_RE.match(line)
        if m and not line.rstrip().endswith(';') and not line.startswith(('typedef', 'struct ')) \
                and '=' not in line.split('(')[0]:
            # the signature may span lines; the body starts at the next "{" line
            j = i
            sig = line.strip()
            while j < len(lines) and not lines[j].startswith('{') and not lines[j].rstrip().endswith(';') \
                    and j - i < 8:
                j += 1
                if j < len(lines) and not lines[j].startswith('{'):
                    sig += ' ' + lines[j].strip()
            if j < len(lines) and lines[j].startswith('{'):
                k = j + 1
                while k < len(lines) and not lines[k].startswith('}'):
                    k += 1
                found.append((m.group(1), i + 1, k - j + 1, sig))
                i = k + 1
                continue
        i += 1
    return found


def main():
    pending = set()
    if os.path.exists(PENDING):
        for raw in open(PENDING, encoding='utf-8'):
            raw = raw.split('#')[0].strip()
            if raw:
                pending.add(raw)
    files = []
    for dirpath, _, names in os.walk(SRC):
        for name in names:
            if name.endswith(('.c', '.h')):
                files.append(os.path.relpath(os.path.join(dirpath, name), SRC).replace(os.sep, '/'))
    files.sort()
    findings = {}  # (rule, file) -> [messages]
    waived = {}
    includes = {}
    for rel in files:
        text = open(os.path.join(SRC, rel), encoding='utf-8').read()
        raw_lines = text.split('\n')
        code = strip_comments(text)
        lines = code.split('\n')
        folder = folder_of(rel)
        problems = []
        incs = []
        for no, line in enumerate(raw_lines, 1):
            m = INCLUDE_RE.match(line)
            if m:
                incs.append((no, m.group(1)))
        includes[rel] = [t for _, t in incs]
        # 1. SQL and libpq
        if folder not in SQL_FOLDERS:
            for no, line in enumerate(lines, 1):
                m = SQL_RE.search(line) or SQL_RE.search(raw_lines[no - 1] if '#include' in raw_lines[no - 1] else '')
                if m:
                    problems.append(('sql', f'{rel}:{no}: {m.group(0)} outside store/ and db/'))
        # 2. domain's includes
        if folder == 'domain':
            for no, line in enumerate(raw_lines, 1):
                m = SYS_INCLUDE_RE.match(line)
                if m and (m.group(1).startswith('libpq') or m.group(1).startswith('microhttpd')):
                    problems.append(('domain', f'{rel}:{no}: domain/ includes <{m.group(1)}>'))
            for no, target in incs:
                tf = folder_of(target)
                if tf not in ('domain', 'util'):
                    problems.append(('domain', f'{rel}:{no}: domain/ includes "{target}"'))
        # 3. upward includes
        for no, target in incs:
            tf = folder_of(target)
            if target == 'util/banned.h' or tf == folder:
                continue
            if tf not in RANKS:
                problems.append(('rank', f'{rel}:{no}: "{target}" is in no known folder'))
            elif folder in RANKS and RANKS[tf] > RANKS[folder]:
                problems.append(('rank', f'{rel}:{no}: {folder}/ includes "{target}", a folder above it'))
        if folder not in RANKS:
            problems.append(('rank', f'{rel}:1: {folder}/ has no place in the house (tests/layering/check.py RANKS)'))
        # 4. function lengths
        if rel.endswith('.c'):
            for name, first, count, sig in functions(lines):
                handler = bool(HANDLER_RE.match(sig)) and folder not in ('http', 'api')
                limit = HANDLER_MAX if handler else FUNCTION_MAX
                if count > limit:
                    kind = 'handler' if handler else 'function'
                    problems.append(('length', f'{rel}:{first}: {kind} {name} is {count} lines (at most {limit})'))
        for rule, msg in problems:
            (waived if rel in pending else findings).setdefault((rule, rel), []).append(msg)
    # include circles, between files and between folders
    index = {f: [t for t in includes[f] if t in includes] for f in files}
    state, stack, circles = {}, [], []

    def visit(f):
        state[f] = 1
        stack.append(f)
        for t in index[f]:
            if state.get(t) == 1:
                circles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[f] = 2

    for f in files:
        if f not in state:
            visit(f)
    folder_edges = {}
    edge_files = {}  # (folder, folder) -> the files whose includes make that edge
    for f in files:
        for t in index[f]:
            a, b = folder_of(f), folder_of(t)
            if a != b and t != 'util/banned.h':
                folder_edges.setdefault(a, set()).add(b)
                edge_files.setdefault((a, b), set()).add(f)
    fstate, fstack = {}, []

    def fvisit(a):
        fstate[a] = 1
        fstack.append(a)
        for b in sorted(folder_edges.get(a, ())):
            if fstate.get(b) == 1:
                circles.append([x + '/' for x in fstack[fstack.index(b):] + [b]])
            elif b not in fstate:
                fvisit(b)
        fstack.pop()
        fstate[a] = 2

    for a in sorted(folder_edges):
        if a not in fstate:
            fvisit(a)
    for c in circles:
        names = [x.rstrip('/') for x in c]
        if c[0].endswith('/'):
            # a folder circle is pending when one of its edges is made by pending files only
            edges = [edge_files.get((names[i], names[i + 1]), set()) for i in range(len(names) - 1)]
            is_pending = any(e and e <= pending for e in edges)
        else:
            is_pending = any(n in pending for n in names)
        target = waived if is_pending else findings
        target.setdefault(('circle', c[0]), []).append('include circle: ' + ' -> '.join(c))

    for key in sorted(waived):
        for msg in waived[key]:
            print('pending  ' + msg)
    for key in sorted(findings):
        for msg in findings[key]:
            print('FAILED   ' + msg)
    rules = ('sql', 'domain', 'rank', 'length')
    checks = len(files) * len(rules) + 1
    failed = len(findings)
    stale = sorted(p for p in pending if p not in files)
    for p in stale:
        print(f'FAILED   tests/layering/pending.txt names {p}, which does not exist')
    failed += len(stale)
    if waived:
        print(f'layering: {len({k[1] for k in waived})} files pending their move into the house')
    print(f'layering: {checks - len(findings)} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
