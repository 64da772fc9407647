#!/usr/bin/env python3
"""Lists the functions in Sources/ longer than a limit (default 60 lines), longest first:
`python3 Tests/Scripts/long_functions.py [LIMIT]`. A function's length runs from its
`func`/`init`/`deinit` line to its closing brace. Strings and comments are skipped when
braces are counted, so a `{` in a message does not open a body. Vendored C is not read."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECLARATION = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|class|final|override|"
                         r"mutating|nonisolated|convenience|required|@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit)\b")


def code_only(line, in_block):
    """The line without string literals and comments; whether a /* */ comment is still open after it."""
    out, i, quote = [], 0, None
    while i < len(line):
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i, in_block = end + 2, False
            continue
        if quote:
            if line[i] == "\\":
                i += 2
                continue
            if line.startswith(quote, i):
                i, quote = i + len(quote), None
                continue
            i += 1
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            in_block, i = True, i + 2
            continue
        if line.startswith('"""', i):
            quote, i = '"""', i + 3
            continue
        if line[i] == '"':
            quote, i = '"', i + 1
            continue
        out.append(line[i])
        i += 1
    return "".join(out), in_block


def functions(path):
    """(name, first line, length) of each function in the file."""
    lines = path.read_text().splitlines()
    found, open_bodies, depth, in_block, in_multiline = [], [], 0, False, False
    pending = None   # a declaration whose body has not begun: (name, line, depth)
    for number, raw in enumerate(lines, 1):
        if in_multiline:
            if '"""' in raw:
                in_multiline = False
            continue
        match = DECLARATION.match(raw)
        code, in_block = code_only(raw, in_block)
        if raw.count('"""') % 2 == 1:
            in_multiline = True
        if match:
            pending = (match.group(1), number, depth)   # a body-less one before it (a requirement) is dropped
        for char in code:
            if char == "{":
                if pending and pending[2] == depth:
                    open_bodies.append(pending)
                    pending = None
                depth += 1
            elif char == "}":
                depth -= 1
                if pending and depth < pending[2]:
                    pending = None
                if open_bodies and open_bodies[-1][2] == depth:
                    name, start, _ = open_bodies.pop()
                    found.append((name, start, number - start + 1))
    return found


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    long = []
    for path in sorted((ROOT / "Sources").rglob("*.swift")):
        for name, start, length in functions(path):
            if length > limit:
                long.append((length, f"{path.relative_to(ROOT)}:{start}", name))
    for length, where, name in sorted(long, reverse=True):
        print(f"{length:4d}  {where}  {name}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
