#!/usr/bin/env python3
"""Turns valgrind traces of apictl into a linker symbol-ordering file.

  startup_order.py BINARY OUT CALLGRIND_FILE... < LACKEY_TRACE

Functions come from callgrind (every function the binary ran), .bss variables
from lackey's memory trace (every one it touched). The linker places both first
in their sections, so a run touches fewer pages of apictl (docs/development.md).
Run by startup-order.sh; not part of the build.
"""
import bisect
import re
import subprocess
import sys

# Where valgrind loads a position-independent executable on amd64 (coregrind/m_ume/elf.c).
# Checked below against the entry point, so a different valgrind fails loudly.
VALGRIND_PIE_BASE = 0x108000


def executed_functions(callgrind_files, binary):
    """Names of the binary's functions that ran."""
    names, seen = [], set()
    for path in callgrind_files:
        objects, functions, current = {}, {}, None
        for line in open(path, encoding="utf-8", errors="replace"):
            match = re.match(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if not match:
                continue
            kind, ident, name = match.groups()
            table = objects if kind in ("ob", "cob") else functions
            if name:
                table[ident] = name
            if kind == "ob":
                current = objects.get(ident)
            elif kind == "fn" and current == binary:
                function = functions[ident]
                if function not in seen and not function.startswith("0x"):
                    seen.add(function)
                    names.append(function)
    return names


def symbols(binary, types):
    rows = []
    for line in subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in types:
            rows.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    return sorted(rows)


def touched_bss(trace, binary):
    """Names of the binary's .bss variables that the run touched."""
    rows = symbols(binary, "bB")
    starts = [row[0] for row in rows]
    low, high = rows[0][0], rows[-1][0] + rows[-1][1]
    header = subprocess.run(["readelf", "-h", binary], capture_output=True, text=True, check=True).stdout
    entry = int(re.search(r"Entry point address:\s+0x([0-9a-f]+)", header).group(1), 16)
    entry_line = "I  %08x," % (VALGRIND_PIE_BASE + entry)
    entered, names, seen = False, [], set()
    access = re.compile(r"^ [LSM] ([0-9a-f]+),")
    for line in trace:
        if not entered:
            entered = line.startswith(entry_line)
            continue
        match = access.match(line)
        if not match:
            continue
        address = int(match.group(1), 16) - VALGRIND_PIE_BASE
        if not low <= address < high:
            continue
        index = bisect.bisect_right(starts, address) - 1
        start, size, name = rows[index]
        if address < start + max(size, 1) and name not in seen:
            seen.add(name)
            names.append(name)
    if not entered:
        sys.exit("startup_order.py: the trace never reached the entry point at base 0x%x; has valgrind's PIE base changed?" % VALGRIND_PIE_BASE)
    return names


def main():
    binary, out, callgrind_files = sys.argv[1], sys.argv[2], sys.argv[3:]
    functions = executed_functions(callgrind_files, binary)
    variables = touched_bss(sys.stdin, binary)
    # Sorted: any order of the set packs the same pages, and a sorted list diffs well.
    with open(out, "w") as file:
        file.write("\n".join(sorted(functions) + sorted(variables)) + "\n")
    print("%s: %d functions, %d .bss variables" % (out, len(functions), len(variables)))


if __name__ == "__main__":
    main()
