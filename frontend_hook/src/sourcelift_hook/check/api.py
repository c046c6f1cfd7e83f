"""``check_paths``: the command as a library call; ``run_checks``: the checks over archives read in memory."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .agreement import check_agreement
from .archives import Archive, archive_kind, parse_pyproject, read_archive
from .builds import WheelBuild, build_sdist, build_wheel_from_sdist, copy_artifacts, require_build
from .config import Selection, read_table, selection
from .errors import BuildFailed, UsageError
from .integrity import check_record_integrity
from .leaks import check_leaks
from .metadata import CoreMetadata, parse_core_metadata
from .model import ArtifactRef, Finding, Report, finding
from .plain import build_failed, declares_sourcelift, refused_sourcelift
from .progress import Progress
from .sources import check_sources
from .upload import check_upload
from .wheel_markers import check_wheel_markers

__all__ = ["check_paths", "run_checks"]


def _key(archive: Archive, meta: CoreMetadata | None) -> tuple[str, str] | None:
    """(canonical name, normalized version) from the metadata: what pairs an sdist with its wheels."""
    if meta is None:
        return None
    name, version = meta.get("Name"), meta.get("Version")
    if not name or not version:
        return None
    try:
        return canonicalize_name(name), str(Version(version))
    except InvalidVersion:
        return canonicalize_name(name), version


def _pyproject(archive: Archive, findings: list[Finding]) -> dict[str, Any] | None:
    if archive.kind != "sdist" or archive.pyproject is None:
        return None
    data, problem = parse_pyproject(archive.pyproject)
    if problem is not None:
        findings.append(
            finding(
                "SL100",
                archive.display,
                problem,
                fix="correct the TOML syntax; no frontend can build this sdist",
                location="pyproject.toml",
            )
        )
    return data


def run_checks(
    archives: Sequence[Archive],
    chosen: Selection | None = None,
    *,
    companions: Sequence[Archive] = (),
    extra: Sequence[Finding] = (),
) -> tuple[list[Finding], list[str]]:
    """The selected findings for ``archives``, in report order, and notes on what could not be checked.

    ``companions`` are wheels built only to compare sdists with (their own
    findings are not reported: SL2 findings go to the sdist); ``extra`` are
    findings made elsewhere (the builds' SL3 findings).
    """
    chosen = chosen if chosen is not None else Selection()
    findings: list[Finding] = []
    notes: list[str] = []
    metas: dict[int, CoreMetadata | None] = {}
    for archive in [*archives, *companions]:
        metas[id(archive)] = parse_core_metadata(archive.metadata) if archive.metadata is not None else None
    for archive in archives:
        meta = metas[id(archive)]
        pyproject = _pyproject(archive, findings)
        findings += check_upload(archive, meta)
        findings += check_leaks(archive, meta, pyproject)
        findings += check_sources(archive, pyproject)
        findings += check_record_integrity(archive)
        findings += check_wheel_markers(archive, meta)
    if chosen.any_enabled("SL2"):
        notes += _agreement(archives, companions, metas, findings)
    findings += extra
    order = {archive.display: index for index, archive in enumerate(archives)}
    selected = [f for f in findings if chosen.enabled(f.id)]
    selected.sort(key=lambda f: (order.get(f.artifact, len(order)), f.id))
    return selected, notes


def _agreement(
    archives: Sequence[Archive],
    companions: Sequence[Archive],
    metas: Mapping[int, CoreMetadata | None],
    findings: list[Finding],
) -> list[str]:
    notes: list[str] = []
    wheels = [a for a in archives if a.kind == "wheel"]
    for sdist in (a for a in archives if a.kind == "sdist"):
        sdist_meta = metas[id(sdist)]
        key = _key(sdist, sdist_meta)
        if sdist_meta is None or key is None:
            continue
        matching = [w for w in wheels if _key(w, metas[id(w)]) == key]
        built = [w for w in companions if _key(w, metas[id(w)]) == key] if not matching else []
        if not matching and not built:
            notes.append(f"{sdist.display}: no wheel of {key[0]} {key[1]} to compare it with (SL2 not checked)")
        for wheel in matching:
            findings += check_agreement(sdist, sdist_meta, wheel, metas[id(wheel)] or sdist_meta)
        for wheel in built:
            findings += check_agreement(
                sdist, sdist_meta, wheel, metas[id(wheel)] or sdist_meta, artifact=sdist.display
            )
    return notes


def check_paths(
    paths: Sequence[str | os.PathLike[str]] = (".",),
    *,
    select: Sequence[str] | str | None = None,
    ignore: Sequence[str] | str | None = None,
    strict: bool | None = None,
    outdir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    environ: Mapping[str, str] | None = None,
    config: str | os.PathLike[str] | None = None,
) -> Report:
    """Check a project directory (built first: publish-mode sdist, then a wheel from it) or distribution files.

    ``select``/``ignore``/``strict`` replace the values of ``[tool.sourcelift.check]``
    in the project's pyproject.toml (for files: ``config``, default ``./pyproject.toml``).
    Raises :class:`~sourcelift_hook.errors.UsageError` (a :class:`~sourcelift_hook.errors.HookError`) for
    what the caller asked wrongly; a build that fails or cannot run is a finding (SL303, SL304), and every
    other check still reports.

    >>> report = check_paths(["dist/demo-1.0-py3-none-any.whl"])  # doctest: +SKIP
    >>> report.exit_code  # doctest: +SKIP
    0
    """
    given = [Path(p) for p in paths] or [Path(".")]
    progress = progress if progress is not None else Progress(None)
    env = dict(os.environ if environ is None else environ)
    directories = [p for p in given if p.is_dir()]
    if directories:
        if len(given) != 1:
            raise UsageError("give one project directory, or distribution files; not both, not several directories")
        project = directories[0]
        pyproject = project / "pyproject.toml"
        if not pyproject.is_file():
            if archive_kind(project.name) is not None:  # `dist/x-1.0-py3-none-any.whl/`, an unpacked wheel
                raise UsageError(
                    f"{project} is a directory, not a {archive_kind(project.name)} file",
                    "give the wheel or sdist file itself, or a project directory (one with a pyproject.toml)",
                )
            if os.path.lexists(pyproject):  # a directory, a FIFO, a link that loops or dangles
                raise UsageError(f"{pyproject} is not a regular file", "make it the project's pyproject.toml file")
            raise UsageError(f"{project} has no pyproject.toml; give a project directory or distribution files")
        if _declares_no_project(project):
            raise UsageError(
                f"{pyproject} declares no Python project: no `[project]` table, no `build-backend`, and no setup.py "
                "or setup.cfg beside it (setuptools would build a placeholder, `UNKNOWN 0.0.0`)",
                "give the project's directory, or add `[project]` with `name` and `version`",
            )
        chosen = _selection(pyproject, select, ignore, strict)
        return _check_project(project, chosen, progress, env, Path(outdir) if outdir is not None else None)
    problems = []
    for path in given:
        if not path.exists():
            problems.append(f"{path} does not exist")
        elif archive_kind(path.name) is None:
            problems.append(f"{path} is neither a wheel (.whl) nor an sdist (.tar.gz)")
        elif not path.is_file():  # a FIFO would block the read for ever
            problems.append(f"{path} is not a regular file (a FIFO, socket or device); give the wheel or sdist file")
    if problems:
        raise UsageError(problems)
    if outdir is not None:
        raise UsageError("--outdir applies to a project directory, whose artifacts the check builds")
    chosen = _selection(Path(config) if config is not None else Path("pyproject.toml"), select, ignore, strict)
    return _check_files(given, chosen, progress, env)


def _declares_no_project(project: Path) -> bool:
    """Whether ``project``'s pyproject.toml names no backend and declares no project, and no setup.py or
    setup.cfg does (an empty file, or tool settings only); an unreadable one is the build's to report."""
    from sourcelift.readers._toml import TomlError, read_toml

    try:
        data = read_toml(project / "pyproject.toml")  # bounded, and every parse failure a TomlError
    except (OSError, TomlError):
        return False
    build_system = data.get("build-system")
    if isinstance(build_system, dict) and build_system.get("build-backend"):
        return False  # the backend knows where its project is declared (poetry's [tool.poetry], Cargo.toml, ...)
    return "project" not in data and not any((project / name).is_file() for name in ("setup.py", "setup.cfg"))


def _selection(
    pyproject: Path, select: Sequence[str] | str | None, ignore: Sequence[str] | str | None, strict: bool | None
) -> Selection:
    """``[tool.sourcelift.check]`` of ``pyproject``, with the given values replacing the table's."""
    source = f"{pyproject} [tool.sourcelift.check]"
    return selection(read_table(pyproject), source=source, select=select, ignore=ignore, strict=strict)


def _check_project(
    project: Path, chosen: Selection, progress: Progress, env: dict[str, str], outdir: Path | None
) -> Report:
    require_build()
    work = Path(tempfile.mkdtemp(prefix="sourcelift-check-"))
    try:
        try:
            sdist_path = build_sdist(project.absolute(), work / "sdist", work=work, progress=progress, environ=env)
        except BuildFailed as error:
            # nothing to check without the sdist: the failure is the report (whatever --ignore says)
            failed = build_failed(os.fspath(project), error)
            return Report(artifacts=[], findings=[failed], strict=chosen.strict, project=os.fspath(project))
        sdist = read_archive(sdist_path, display=sdist_path.name, built=True)
        extra = declares_sourcelift(sdist)
        plain = chosen.any_enabled("SL3") and not extra
        archives = [sdist]
        try:
            built = build_wheel_from_sdist(
                sdist_path, work / "wheel", work=work, progress=progress, environ=env, without_sourcelift=plain
            )
        except BuildFailed as error:
            extra.append(build_failed(sdist.display, error))
            built = WheelBuild(None, False, [])
        if built.refused_sourcelift:
            extra.append(refused_sourcelift(sdist, built.tail))
        if built.wheel is not None:
            archives.append(
                read_archive(built.wheel, display=built.wheel.name, built=True, digests=chosen.any_enabled("SL6"))
            )
        with progress.step(f"checking {len(archives)} artifacts"):
            findings, notes = run_checks(archives, chosen, extra=extra)
        if outdir is not None:
            copies = copy_artifacts([a.path for a in archives], outdir)
            notes.append(f"the built artifacts are in {outdir}: {', '.join(c.name for c in copies)}")
        return Report(
            artifacts=[_ref(a) for a in archives],
            findings=findings,
            strict=chosen.strict,
            project=os.fspath(project),
            notes=notes,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_files(given: Sequence[Path], chosen: Selection, progress: Progress, env: dict[str, str]) -> Report:
    digests = chosen.any_enabled("SL6")
    archives = [read_archive(path, display=os.fspath(path), digests=digests) for path in given]
    displays = [a.display for a in archives]
    if len(set(displays)) != len(displays):
        raise UsageError("the same file is given twice")
    extra: list[Finding] = []
    companions: list[Archive] = []
    # an sdist that cannot be read, or whose pyproject.toml does not parse, is not built: SL100 says why
    sdists = [
        a
        for a in archives
        if a.kind == "sdist" and not a.unreadable and (a.pyproject is None or _pyproject(a, []) is not None)
    ]
    work: Path | None = None
    try:
        unbuildable: str | None = None
        if sdists and chosen.any_enabled("SL3"):
            try:
                require_build()
            except UsageError as error:
                unbuildable = str(error)
        if unbuildable is not None:
            for sdist in sdists:
                extra += declares_sourcelift(sdist)
                extra.append(
                    finding(
                        "SL303",
                        sdist.display,
                        f"no wheel could be built from the sdist: {unbuildable}",
                        fix=f"`{sys.executable} -m pip install build`, or skip the rebuild with `--ignore SL3`",
                    )
                )
        elif sdists and chosen.any_enabled("SL3"):
            work = Path(tempfile.mkdtemp(prefix="sourcelift-check-"))
            for index, sdist in enumerate(sdists):
                declared = declares_sourcelift(sdist)
                extra += declared
                try:
                    built = build_wheel_from_sdist(
                        sdist.path,
                        work / f"wheel-{index}",
                        work=work,
                        progress=progress,
                        environ=env,
                        without_sourcelift=not declared,
                    )
                except BuildFailed as error:
                    extra.append(build_failed(sdist.display, error))
                    continue
                if built.refused_sourcelift:
                    extra.append(refused_sourcelift(sdist, built.tail))
                if built.wheel is not None:
                    companions.append(
                        read_archive(
                            built.wheel,
                            display=f"{built.wheel.name} (built from {sdist.filename})",
                            built=True,
                            digests=False,
                        )
                    )
        findings, notes = run_checks(archives, chosen, companions=companions, extra=extra)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return Report(artifacts=[_ref(a) for a in archives], findings=findings, strict=chosen.strict, notes=notes)


def _ref(archive: Archive) -> ArtifactRef:
    meta = parse_core_metadata(archive.metadata) if archive.metadata is not None else None
    return ArtifactRef(
        display=archive.display,
        filename=archive.filename,
        kind=archive.kind,
        name=meta.get("Name") if meta is not None else None,
        version=meta.get("Version") if meta is not None else None,
        built=archive.built,
    )
