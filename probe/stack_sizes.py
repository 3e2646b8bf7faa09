#!/usr/bin/env python3
"""Worst-case stack of each probe entry point, from the linked thumbv7em ELF.

The probe is built with nightly `-Z emit-stack-sizes`, which makes LLVM record every
function's frame size in a `.stack_sizes` section (read here with `llvm-readobj
--stack-sizes`). The call graph comes from the disassembly (`llvm-objdump -d`): direct calls
(`bl`, `blx <label>`) and tail calls (a branch to the first instruction of another function).
The worst case of a function is its frame plus the worst case of its callees; recursion or an
indirect call (`blx rN`) in a reachable function makes the bound unknown, and is reported.

Usage: stack_sizes.py [--max BYTES] ELF ROOT_SUBSTRING...
Prints one line per function whose name contains a ROOT_SUBSTRING: its worst case and the
deepest chain. With --max, exits non-zero if any is unbounded or above BYTES.
Tools: LLVM_READOBJ and LLVM_OBJDUMP (environment), default `llvm-readobj`, `llvm-objdump`.
"""

import os
import re
import subprocess
import sys


def run(tool, *args):
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def frame_sizes(elf, readobj):
    """Function name -> frame size in bytes."""
    text = run(readobj, "--stack-sizes", "--demangle", elf)
    sizes = {}
    names = []
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"Functions: \[(.*)\]$", line)
        if m:
            names = [m.group(1).strip()]
            continue
        m = re.match(r"Size: (0x[0-9a-fA-F]+|\d+)$", line)
        if m:
            size = int(m.group(1), 0)
            for n in names:
                sizes[n] = max(size, sizes.get(n, 0))
    return sizes


def call_graph(elf, objdump):
    """Function name -> (set of callees, has an indirect call), and start address -> name."""
    text = run(objdump, "-d", "--no-show-raw-insn", "--demangle", elf)
    graph = {}
    current = None
    header = re.compile(r"^([0-9a-f]+) <(.*)>:$")
    call = re.compile(r"\t(bl|blx|b|b\.w|b\.n)\t(?:0x)?[0-9a-f]+ <(.*)>")
    indirect = re.compile(r"\t(blx|bx)\t(r\d+|ip|sb|sl|fp)\b")
    for line in text.splitlines():
        m = header.match(line)
        if m:
            current = m.group(2)
            graph[current] = [set(), False]
            continue
        if current is None:
            continue
        m = call.search(line)
        if m:
            op, target = m.groups()
            if "+0x" in target:
                continue  # a branch inside a function
            if op.startswith("b") and not op.startswith("bl") and target == current:
                continue
            graph[current][0].add(target)
            continue
        if indirect.search(line):
            graph[current][1] = True
    return graph


def worst(name, sizes, graph, memo, stack):
    """(bytes, path) of the deepest call chain from `name`; bytes is None if unbounded."""
    if name in memo:
        return memo[name]
    if name in stack:
        return (None, [name, "(recursion)"])
    stack.add(name)
    callees, has_indirect = graph.get(name, (set(), False))
    own = sizes.get(name)
    result = (None, [name, "(no frame size)"]) if own is None else (own, [name])
    if own is not None and has_indirect:
        result = (None, [name, "(indirect call)"])
    if result[0] is not None:
        deepest = (0, [])
        for callee in sorted(callees):
            sub = worst(callee, sizes, graph, memo, stack)
            if sub[0] is None:
                deepest = sub
                break
            if sub[0] > deepest[0]:
                deepest = sub
        if deepest[0] is None:
            result = (None, [name] + deepest[1])
        else:
            result = (own + deepest[0], [name] + deepest[1])
    stack.discard(name)
    memo[name] = result
    return result


def main():
    args = sys.argv[1:]
    limit = None
    if args[:1] == ["--max"]:
        limit, args = int(args[1]), args[2:]
    elf, roots = args[0], args[1:]
    readobj = os.environ.get("LLVM_READOBJ", "llvm-readobj")
    objdump = os.environ.get("LLVM_OBJDUMP", "llvm-objdump")
    sizes = frame_sizes(elf, readobj)
    graph = call_graph(elf, objdump)
    memo = {}
    found = False
    over = []
    for name in sorted(graph):
        if not any(r in name for r in roots):
            continue
        found = True
        total, path = worst(name, sizes, graph, memo, set())
        shown = " -> ".join(re.sub(r"::h[0-9a-f]{16}$", "", p) for p in path)
        print(f"{'unbounded' if total is None else total:>9}  {shown}")
        if limit is not None and (total is None or total > limit):
            over.append(name)
    if not found:
        sys.exit(f"no function matches {roots}")
    if over:
        sys.exit(f"stack bound unknown or above {limit} bytes: {', '.join(over)}")


if __name__ == "__main__":
    main()
