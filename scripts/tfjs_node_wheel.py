"""Unpack what @tensorflow/tfjs-node needs from a `tensorflow-cpu` wheel: libtensorflow and its C headers.

Usage: python3 scripts/tfjs_node_wheel.py WHEEL DEST SEED_HEADER...
(run by scripts/tfjs-node.ts, `npm run setup:tfjs-node`).

The wheel (a zip) carries TensorFlow's C and eager C APIs in tensorflow/libtensorflow_cc.so.2, which needs
tensorflow/libtensorflow_framework.so.2, and the headers under tensorflow/include/. Of the ~13,000 headers
the binding reads a few dozen: the SEED_HEADERs (the include lines of tfjs-node's binding sources, such as
tensorflow/c/c_api.h) and every header they include in turn, followed through `#include "..."` lines.
A seed that is not in the wheel (the binding's own headers) is skipped.

Writes DEST/lib/<the two libraries>, DEST/include/<the headers>, DEST/LICENSE (TensorFlow's, when the
wheel has it), and prints one JSON line: {"libraries": {name: bytes}, "headers": [paths]}.
Exit status 3 when a library or every seed header is missing from the wheel (it is not the wheel
expected), 2 on a file that is not a zip; the message names what is missing.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import sys
import zipfile

LIBRARIES = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
PREFIX = "tensorflow/"
INCLUDE = "tensorflow/include/"
INCLUDE_LINE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


def header_closure(wheel: zipfile.ZipFile, seeds: list[str]) -> list[str]:
    """The seeds found under tensorflow/include/ and everything they include, as include-relative paths."""
    names = set(wheel.namelist())
    found: list[str] = []
    seen: set[str] = set()
    stack = [s for s in seeds if INCLUDE + s in names]
    while stack:
        header = stack.pop()
        if header in seen:
            continue
        seen.add(header)
        found.append(header)
        for raw in INCLUDE_LINE.findall(wheel.read(INCLUDE + header)):
            name = raw.decode("utf-8", "replace")
            # TensorFlow writes includes from the include root; a few are relative to the including file.
            for candidate in (name, posixpath.normpath(posixpath.join(posixpath.dirname(header), name))):
                if INCLUDE + candidate in names:
                    stack.append(candidate)
                    break
    return sorted(found)


def extract(wheel: zipfile.ZipFile, member: str, target: str) -> int:
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with wheel.open(member) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    return os.path.getsize(target)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    wheel_path, dest, seeds = argv[0], argv[1], argv[2:]
    try:
        wheel = zipfile.ZipFile(wheel_path)
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"{wheel_path} cannot be read as a wheel (zip): {exc}", file=sys.stderr)
        return 2
    names = set(wheel.namelist())
    missing = [PREFIX + lib for lib in LIBRARIES if PREFIX + lib not in names]
    headers = header_closure(wheel, seeds)
    if not headers:
        missing.append(f"{INCLUDE}{{{', '.join(seeds)}}}")
    if missing:
        print(f"{os.path.basename(wheel_path)} lacks {', '.join(missing)}", file=sys.stderr)
        return 3
    libraries = {lib: extract(wheel, PREFIX + lib, os.path.join(dest, "lib", lib)) for lib in LIBRARIES}
    for header in headers:
        extract(wheel, INCLUDE + header, os.path.join(dest, "include", *header.split("/")))
    licence = next((n for n in (INCLUDE + "LICENSE", PREFIX + "LICENSE") if n in names), None)
    if licence is not None:
        extract(wheel, licence, os.path.join(dest, "LICENSE"))
    print(json.dumps({"libraries": libraries, "headers": headers}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
