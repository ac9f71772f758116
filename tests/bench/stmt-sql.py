#!/usr/bin/env python3
"""Prints the SQL of a DB_STMT from a C source file, as the compiler sees it.

Usage: stmt-sql.py FILE.c STATEMENT_NAME     (e.g. backend/src/api/practitioners.c st_search_distance)

The statements are built from string macros, so the file is run through the C
preprocessor (gcc -E) and the adjacent string literals of the statement are joined.
"""
import ast
import re
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, name = sys.argv[1], sys.argv[2]
    cflags = subprocess.run(
        ["pkg-config", "--cflags", "libmicrohttpd", "jansson", "libpq", "libsodium"],
        check=True, capture_output=True, text=True).stdout.split()
    pre = subprocess.run(
        ["gcc", "-E", "-P", "-std=c17", "-D_GNU_SOURCE", "-Ibackend/src", *cflags, src],
        check=True, capture_output=True, text=True).stdout
    m = re.search(r"struct db_stmt\s+" + re.escape(name) + r"\s*=\s*\{\s*\((.*?)\)\s*,\s*\(?(\d+)\)?\s*,",
                  pre, re.S)
    if not m:
        print(f"stmt-sql.py: no DB_STMT named {name} in {src}", file=sys.stderr)
        return 1
    literals = re.findall(r'"(?:[^"\\]|\\.)*"', m.group(1))
    print("".join(ast.literal_eval(s) for s in literals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
