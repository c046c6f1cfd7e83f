"""Running build backends for ``explain``: the project's own metadata hook, and source versions.

``explain`` runs where the user runs it, which is rarely an environment that holds each
project's build requirements.  Before running a backend it checks that the requirements
are there (whether or not the version cache already knows the answer, so the answer does
not depend on earlier builds); when they are not, it either runs the backend in an
isolated build environment (``--isolated``: an :data:`IsolatedEnvironments` callback gives
the interpreter of an environment holding them) or says that it cannot and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config
from ..model import ResolvedDirectory, ResolvedSource
from ..rewrite.publish import Publisher

__all__ = ["ExplainPublisher", "IsolatedEnvironments", "cannot_run", "hook_metadata", "without_sourcelift"]

IsolatedEnvironments = Callable[[list[str]], str]
"""Given build requirements, the interpreter of an environment that holds them (made once per set)."""


def cannot_run(
    directory: Path, backend: str, missing: list[str], what: str, origin: str = "its `build-system.requires`"
) -> tuple[str, str]:
    """(message, fix) for a backend ``explain`` cannot run here."""
    import shlex

    listed = ", ".join(f'"{m}"' for m in missing)
    install = " ".join(shlex.quote(m.split(" (")[0]) for m in missing)
    return (
        f"{what} needs the build backend `{backend}` of {directory}, which cannot run where `sourcelift explain` "
        f"runs: this environment lacks {listed} (from {origin})",
        "run `sourcelift explain --isolated` (it installs them into a temporary build environment), or install "
        f"them here: `python -m pip install {install}`",
    )


def without_sourcelift(requires: list[str]) -> list[str]:
    """Build requirements for running a wrapped backend directly: sourcelift itself is not needed."""
    return [r for r in requires if not _is_sourcelift(r)]


class ExplainPublisher(Publisher):
    """Publish-mode rendering whose directory versions are found the same way whatever the cache holds."""

    def __init__(self, base: Publisher, isolated: IsolatedEnvironments | None) -> None:
        super().__init__(base.strategy, base.overrides, base.cache)
        self.isolated = isolated

    @classmethod
    def for_explain(cls, config: Config, isolated: IsolatedEnvironments | None) -> ExplainPublisher:
        return cls(Publisher.from_config(config, None), isolated)

    def version_of(self, source: ResolvedSource) -> str:
        if not isinstance(source, ResolvedDirectory) or source.path in self._versions:
            return super().version_of(source)
        from ..versions import VersionError, directory_version, dynamic_build_requires
        from ..versions.directories import build_requirements, missing_build_requirements

        if not dynamic_build_requires(source.path):
            return super().version_of(source)  # a static version, or a project whose problem the lookup reports
        backend, missing = missing_build_requirements(source.path)
        python = None
        if missing:
            if self.isolated is None:
                message, fix = cannot_run(source.path, backend, missing, "computing the dynamic version of the source")
                raise VersionError(message, fix)
            python = self.isolated(_probe_requirements(source.path, build_requirements(source.path)))
        try:
            found = directory_version(source.path, self.cache, python)
        except VersionError as exc:
            if not exc.backend_requires:
                raise
            # the backend asks for more by its get_requires_for_build_wheel (an in-tree backend): as a frontend would
            if self.isolated is None:
                from ..versions.directories import missing_requirements

                message, fix = cannot_run(
                    source.path,
                    backend,
                    missing_requirements(list(exc.backend_requires)),
                    "computing the dynamic version of the source",
                    "what its backend's `get_requires_for_build_wheel` asks for",
                )
                raise VersionError(message, fix) from None
            requires = _probe_requirements(source.path, [*build_requirements(source.path), *exc.backend_requires])
            found = directory_version(source.path, self.cache, self.isolated(requires))
        self._versions[source.path] = found.version
        return self._versions[source.path]


def hook_metadata(root: Path, isolated: IsolatedEnvironments | None) -> tuple[dict[str, Any] | None, str, str | None]:
    """Run the project's own metadata hook: (its result or ``None``, where it ran, why it could not).

    Where: ``"here"`` or ``"isolated"``.  The reason comes with its fix as ``message\\nfix``.  The
    result holds ``backend``, the backend that ran.
    """
    from ..versions import VersionError
    from ..versions.directories import backend_metadata, build_requirements, missing_build_requirements

    try:
        backend, missing = missing_build_requirements(root)
    except VersionError as exc:
        return None, "here", f"{exc.message}\n{exc.fix}"
    python = None
    where = "here"
    if missing:
        if isolated is None:
            message, fix = cannot_run(root, backend, missing, "listing the project's dynamic dependencies")
            return None, where, f"{message}\n{fix}"
        where = "isolated"
    try:
        if missing and isolated is not None:
            python = isolated(without_sourcelift(build_requirements(root)))
        return {**backend_metadata(root, python), "backend": backend}, where, None
    except VersionError as exc:
        failure = exc
    if python is None and isolated is not None:
        # it failed here with its requirements present (an old setuptools that asks for `wheel`):
        # --isolated gives it the environment a frontend would
        try:
            python = isolated(without_sourcelift(build_requirements(root)))
            return {**backend_metadata(root, python), "backend": backend}, "isolated", None
        except VersionError as exc:
            failure, where = exc, "isolated"
    return None, where, f"{failure.message}\n{failure.fix}"


def _probe_requirements(directory: Path, requires: list[str]) -> list[str]:
    """``requires`` for the environment that runs the project's backend: without sourcelift when the backend
    that runs is the one sourcelift's wrapper names, with it when it is the project's own module that
    re-exports the wrapper (an in-tree backend, `backend-path`)."""
    from ..versions.directories import runs_declared_backend

    return requires if runs_declared_backend(directory) else without_sourcelift(requires)


def _is_sourcelift(text: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        return canonicalize_name(Requirement(text).name) == "sourcelift"
    except InvalidRequirement:
        return False
