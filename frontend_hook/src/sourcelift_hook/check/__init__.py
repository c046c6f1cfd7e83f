"""``sourcelift check``: before upload, whether artifacts are publishable and build with any standard frontend.

The library behind the command::

    from sourcelift_hook.check import check_paths
    report = check_paths(["dist/app-1.0-py3-none-any.whl", "dist/app-1.0.tar.gz"])
    report.exit_code          # 0 publishable, 1 not
    report.findings           # Finding(id, artifact, message, fix, location), .level

Every check has a stable ID (see :data:`CHECKS` and the README); the checks are
pure functions over archives read in memory (:func:`run_checks`), the builds of
a project directory go through pypa/build in isolated environments.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost the other subcommands
if TYPE_CHECKING:
    from .api import check_paths, run_checks
    from .archives import Archive, read_archive
    from .catalog import CHECKS, Check
    from .config import Selection
    from .errors import BuildFailed, CheckError, UsageError
    from .model import SCHEMA_VERSION, ArtifactRef, Finding, Report
    from .render import render_github, render_human, render_json

# Imported on first use (PEP 562): ``sourcelift``'s other subcommands register ``check`` without loading it.
_WHERE = {
    "check_paths": "api",
    "run_checks": "api",
    "Archive": "archives",
    "read_archive": "archives",
    "CHECKS": "catalog",
    "Check": "catalog",
    "Selection": "config",
    "BuildFailed": "errors",
    "CheckError": "errors",
    "UsageError": "errors",
    "SCHEMA_VERSION": "model",
    "ArtifactRef": "model",
    "Finding": "model",
    "Report": "model",
    "render_github": "render",
    "render_human": "render",
    "render_json": "render",
}


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = [
    "CHECKS",
    "SCHEMA_VERSION",
    "Archive",
    "ArtifactRef",
    "BuildFailed",
    "Check",
    "CheckError",
    "Finding",
    "Report",
    "Selection",
    "UsageError",
    "check_paths",
    "read_archive",
    "render_github",
    "render_human",
    "render_json",
    "run_checks",
]
