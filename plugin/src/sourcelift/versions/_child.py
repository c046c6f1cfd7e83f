"""Run one build backend for several projects' versions in one process (the child process).

A single project's version comes through pyproject-hooks (:mod:`sourcelift.versions._backend`),
one process per hook call.  A workspace whose dozens of members share a well-known backend
(hatchling, pdm-backend...) would pay an interpreter start and the backend's import per member;
this child pays them once.  pyproject-hooks has no way to call hooks for several projects in one
process, hence this runner.

Standard library only, Python 3.9+, and independent of sourcelift: the parent runs this file's
text with ``python -c`` (it also runs as ``python -m sourcelift.versions._child``).  One argument,
a JSON object::

    {"backend": "module:object",
     "jobs": [{"directory": "/abs/project", "output": "/tmp/empty/dir", "result": "/tmp/result.json"}, ...]}

For each job in turn the child makes the project the working directory (and sets
``SOURCELIFT_VERSION_PROBE`` to it), calls ``prepare_metadata_for_build_wheel`` into
``output`` (or, when the backend has no such hook, ``build_wheel`` and reads the wheel's
METADATA) and writes the result to ``result``: ``{"ok": true, "hook": ..., "name": ...,
"version": ...}``, or ``{"ok": false, "stage": ..., "error": ...}`` with the traceback on stderr.
The parent runs a project whose result is missing or not ok again on its own, through
pyproject-hooks, for the exact message.  Backends print to stdout, so nothing is read from it.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from typing import Any

MAX_METADATA_BYTES = 1024 * 1024


class _Failure(Exception):
    def __init__(self, stage: str, error: str) -> None:
        super().__init__(error)
        self.stage = stage
        self.error = error


def _header_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and line[:1] not in (" ", "\t"):
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def _load_backend(spec: str, backend_path: list[str]) -> Any:
    import importlib

    # `python -c` and `python -m` put the working directory (the project) first on
    # sys.path; a frontend does not, and a project's own top-level modules must not
    # shadow what the backend imports.
    cwd = os.getcwd()
    while sys.path and sys.path[0] in ("", cwd):
        del sys.path[0]
    for entry in reversed(backend_path):
        sys.path.insert(0, entry)
    if backend_path:
        sys.dont_write_bytecode = True  # the in-tree backend lives in the project: no __pycache__ there
    module_name, _, attribute = spec.partition(":")
    try:
        backend: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            backend = getattr(backend, part)
    except (Exception, SystemExit) as exc:
        traceback.print_exc()
        raise _Failure("import", f"cannot import the build backend `{spec}`: {type(exc).__name__}: {exc}") from None
    # the project's own modules (setuptools' `attr:`, for one) are imported by the hook: no bytecode in its tree
    sys.dont_write_bytecode = True
    return backend


def _metadata_from_wheel(wheel: str) -> str:
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        if len(names) != 1:
            raise _Failure(
                "metadata", f"the wheel {os.path.basename(wheel)} has {len(names)} .dist-info/METADATA files"
            )
        with archive.open(names[0]) as member:
            return member.read(MAX_METADATA_BYTES).decode("utf-8", "replace")


def _run(request: dict[str, Any], backend: Any) -> dict[str, Any]:
    output = request["output"]
    os.makedirs(output, exist_ok=True)
    prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
    hook = "prepare_metadata_for_build_wheel" if prepare is not None else "build_wheel"
    try:
        if prepare is not None:
            name = prepare(output, {})
            path = os.path.join(output, name, "METADATA")
            with open(path, encoding="utf-8", errors="replace") as stream:
                text = stream.read(MAX_METADATA_BYTES)
        else:
            name = backend.build_wheel(output, {})
            text = _metadata_from_wheel(os.path.join(output, name))
    except _Failure:
        raise
    except (Exception, SystemExit) as exc:
        traceback.print_exc()
        raise _Failure("hook", f"{hook} failed: {type(exc).__name__}: {exc}") from None
    fields = _header_fields(text)
    if not fields.get("version"):
        raise _Failure("metadata", f"the METADATA that {hook} produced has no Version field")
    return {"ok": True, "hook": hook, "name": fields.get("name", ""), "version": fields["version"]}


def _write(path: str, result: dict[str, Any]) -> None:
    temporary = path + ".part"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(result, stream)
    os.replace(temporary, path)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m sourcelift.versions._child REQUEST_JSON", file=sys.stderr)
        return 2
    request = json.loads(argv[0])
    jobs = request.get("jobs")
    if not isinstance(jobs, list):
        print("the request names no jobs", file=sys.stderr)
        return 2
    ok = True
    backend = None
    for job in jobs:
        os.chdir(job["directory"])
        os.environ["SOURCELIFT_VERSION_PROBE"] = job["directory"]
        try:
            if backend is None:
                backend = _load_backend(request["backend"], [])
            result = _run({**request, **job}, backend)
        except _Failure as failure:
            result = {"ok": False, "stage": failure.stage, "error": failure.error}
        ok = ok and bool(result["ok"])
        _write(job["result"], result)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
