"""Run corpus projects as a frontend and a user would: ``python driver.py JOBS.json``.

Each job names a PROJECT, an OUTPUT directory and a RESULT file.  For each, in turn: the working
directory becomes PROJECT; the wrapper backend's ``prepare_metadata_for_build_wheel`` writes into
OUTPUT (what it prints is captured, as a frontend shows it); then ``sourcelift explain --json
PROJECT`` runs through the command's ``main``.  RESULT receives, as JSON, the backend's exit code,
output and Requires-Dist lines, and explain's exit code and output.  The wrapper keeps its caches
per project root, so projects do not see each other.  A job that never writes its RESULT hung or
killed the process: the caller runs it again alone to tell which.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def _backend(project: str, output: str) -> tuple[int, list[str]]:
    os.chdir(project)
    try:
        import sourcelift.build as backend

        dist_info = backend.prepare_metadata_for_build_wheel(output, {})
    except SystemExit as exc:  # the backend's error boundary: a message and an exit code
        return exc.code if isinstance(exc.code, int) else 1, []
    with open(os.path.join(output, dist_info, "METADATA"), encoding="utf-8") as stream:
        text = stream.read()
    from sourcelift.core_metadata import requires_dist

    return 0, requires_dist(text)


def _captured(function: object, *args: str) -> tuple[object, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        value = function(*args)  # type: ignore[operator]
    return value, buffer.getvalue()


def _explain(project: str) -> int:
    from sourcelift_hook.cli import main

    try:
        return main(["explain", "--json", project]) or 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as stream:
        jobs = json.load(stream)
    for job in jobs:
        (code, lines), backend_output = _captured(_backend, job["project"], job["output"])
        explain_code, explain_output = _captured(_explain, job["project"])
        with open(job["result"], "w", encoding="utf-8") as stream:
            json.dump(
                {
                    "backend": code,
                    "backend_output": backend_output,
                    "requires_dist": lines,
                    "explain": explain_code,
                    "explain_output": explain_output,
                },
                stream,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
