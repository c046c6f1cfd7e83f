"""Run one corpus project as a frontend and a user would, in one fresh process.

``python driver.py PROJECT OUTPUT RESULT``: the working directory becomes PROJECT; the wrapper
backend's ``prepare_metadata_for_build_wheel`` writes into OUTPUT (its messages go to this
process's stderr, as under a frontend), then ``sourcelift explain --json PROJECT`` runs through the
command's ``main``.  RESULT receives, as JSON, the backend's exit code and Requires-Dist lines and
explain's exit code and outputs.  A traceback anywhere ends up in stderr or in those outputs.
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
    except SystemExit as exc:  # the backend's error boundary: a message on stderr and an exit code
        return exc.code if isinstance(exc.code, int) else 1, []
    with open(os.path.join(output, dist_info, "METADATA"), encoding="utf-8") as stream:
        text = stream.read()
    from sourcelift.core_metadata import requires_dist

    return 0, requires_dist(text)


def _explain(project: str) -> tuple[int, str, str]:
    from sourcelift_hook.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["explain", "--json", project])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code or 0, out.getvalue(), err.getvalue()


def main() -> int:
    project, output, result = sys.argv[1:4]
    backend_code, lines = _backend(project, output)
    explain_code, explain_out, explain_err = _explain(project)
    with open(result, "w", encoding="utf-8") as stream:
        json.dump(
            {
                "backend": backend_code,
                "requires_dist": lines,
                "explain": explain_code,
                "explain_stdout": explain_out,
                "explain_stderr": explain_err,
            },
            stream,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
