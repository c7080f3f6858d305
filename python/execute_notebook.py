"""The executor's JSON front-end, for executeNotebook() in src/notebook/execute.ts (the grader's way in).

    .venv/bin/python python/execute_notebook.py REQUEST.json RESULT.json

REQUEST.json holds {"notebook": <nbformat v4 JSON>, "options": <ExecuteOptions>} and is deleted once
read, before the kernel starts; the NotebookRun is
written to RESULT.json (not stdout, where nothing else could then be said). Exit status: 0 when the run
was recorded, whatever its cells did; 2 when the request cannot be read; 128 + the signal number when
SIGINT, SIGTERM or SIGHUP stopped the run (the kernel is shut down first and RESULT.json still written,
with the cells that did not run saying why).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any


def without_nulls(run: dict[str, Any]) -> dict[str, Any]:
    """Optional fields absent rather than null, as the TypeScript interfaces declare them."""
    cells = [{k: v for k, v in c.items() if v is not None} for c in run["cells"]]
    return {**{k: v for k, v in run.items() if v is not None and k != "stoppedBy"}, "cells": cells}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    request_path, result_path = argv
    try:
        import nbformat

        from maml_lab_exec.core import Options, execute

        with open(request_path, encoding="utf-8") as f:
            request = json.load(f)
        # It holds the whole notebook (hidden tests, a grading key): gone before any kernel can look.
        os.unlink(request_path)
        nb = nbformat.from_dict(request["notebook"])
        options = Options.from_json(request["options"])
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"execute_notebook: cannot read the request {request_path}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    run = asyncio.run(execute(nb, options))
    tmp = result_path + ".part"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(without_nulls(run), f)
    os.replace(tmp, result_path)
    stopped = run.get("stoppedBy")
    return 128 + signal.Signals[stopped].value if stopped in signal.Signals.__members__ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
