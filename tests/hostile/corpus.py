"""The hostile-input corpus: project cases (``projects/*.toml``) and environment cases (``environments.py``).

A project case is one TOML file::

    [case]
    about = "what the input is and what it attacks"
    expect = "error"                 # or "success"
    key = "tool.uv.sources.dep.url"  # error: the pyproject key the message must name
    words = ["control character"]    # error: what the message must say
    lines = ['dep @ https://h/d\\.whl']  # success: a regular expression per Requires-Dist line, in order
    secrets = ["SECRET"]             # never in any output or artifact (a leak otherwise)
    dependencies = ["dep"]           # [project] dependencies of the generated pyproject.toml
    extra = '''...'''                # more pyproject text, before the sources
    sources = '''dep = { url = "..." }'''   # the [tool.uv.sources] table
    pyproject = '''...'''            # instead of the generated pyproject.toml, this text
    cached = ["libs/lib"]            # commit the project to git, then compute these directories' versions
                                     # into the version cache, as an earlier publish-mode build would

    [files]                          # more files of the project, text or a generator (``@...``)
    "vendor/dep-1.0-py3-none-any.whl" = "@wheel dep 1.0"

Every case runs the wrapper backend in a fresh process (``driver.py``), as a frontend does, and is
classified as a clean error, a correct success, a traceback (an internal error), a hang (past
:data:`TIMEOUT`), a leak or a wrong success.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sourcelift._compat import tomllib
from tests.support.wheels import wheel_bytes

HERE = Path(__file__).parent
REPO = HERE.parent.parent
PROJECTS = HERE / "projects"
TIMEOUT = 60.0
"""Seconds a case may take before it counts as a hang (a normal case takes well under one)."""
OUTCOMES = (
    "clean error",
    "correct success",
    "traceback",
    "hang",
    "leak",
    "wrong success",
    "unexpected error",
    "unclear error",
)
"""The first two are what a case must give; each of the others is a defect."""
PLANTED_SECRET = "TOP-SECRET-BYTES-0d1e"
"""The content of the secret file symlink cases point at: it must never reach an output."""

PYPROJECT = """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "victim"
version = "1.0"
dependencies = {dependencies}

[tool.hatch.build.targets.wheel]
bypass-selection = true

{extra}

[tool.uv.sources]
{sources}
"""


@dataclass
class Result:
    name: str
    outcome: str
    detail: str = ""
    output: str = field(default="", repr=False)


def project_cases() -> list[Path]:
    return sorted(PROJECTS.glob("*.toml"))


def load_case(path: Path) -> dict[str, Any]:
    with path.open("rb") as stream:
        return tomllib.load(stream)


def _zip(members: dict[str, bytes], *, compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, compress_type=compress)
    return buffer.getvalue()


def wheel(name: str, version: str, meta_name: str | None = None, meta_version: str | None = None) -> bytes:
    meta = f"Metadata-Version: 2.1\nName: {meta_name or name}\nVersion: {meta_version or version}\n\n"
    return wheel_bytes(name, version, meta=meta)


def bad_deflate_wheel(name: str, version: str) -> bytes:
    """A wheel whose METADATA member's deflate stream is damaged (the zip directory is intact)."""
    data = bytearray(wheel(name, version))
    member = f"{name.replace('-', '_')}-{version}.dist-info/METADATA".encode()
    at = data.index(member) + len(member)  # the local header's name; the compressed bytes follow
    for offset in range(2, 12):
        data[at + offset] ^= 0xFF
    return bytes(data)


def sdist(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    top = f"{name.replace('-', '_')}-{version}"
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, text in (
            ("PKG-INFO", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"),
            ("pyproject.toml", f'[project]\nname = "{name}"\nversion = "{version}"\n'),
        ):
            info = tarfile.TarInfo(f"{top}/{member}")
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    return buffer.getvalue()


def generate(directive: str, target: Path, outside: Path) -> None:
    """Make the file ``target`` from a generator directive (``@kind args...``)."""
    kind, *args = directive[1:].split()
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "wheel":
        target.write_bytes(wheel(*args))
    elif kind == "wheel-nometa":
        target.write_bytes(_zip({"x-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\n"}))
    elif kind == "wheel-bad-deflate":
        target.write_bytes(bad_deflate_wheel(*args))
    elif kind == "wheel-huge-header":
        name, version = args
        dist_info = f"{name}-{version}.dist-info"
        header = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode() + b"X-Pad: x\n" * 1_900_000
        target.write_bytes(_zip({f"{dist_info}/METADATA": header, f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\n"}))
    elif kind == "sdist":
        target.write_bytes(sdist(*args))
    elif kind == "corrupt-sdist":
        target.write_bytes(gzip.compress(b"this is not a tar archive" * 100)[:-20])
    elif kind == "lfs":
        target.write_text(
            "version https://git-lfs.github.com/spec/v1\n"
            "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
        )
    elif kind == "notzip":
        target.write_bytes(b"\x00\x01this is not a zip archive at all\xff" * 10)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "symlink":
        (outside / "secret.txt").write_text(PLANTED_SECRET)
        target.symlink_to(Path(args[0].replace("{outside}", str(outside))))
    elif kind == "bytes":
        target.write_bytes(bytes.fromhex(args[0]))
    elif kind == "deep-json":
        depth = int(args[0])
        target.write_text('{"version": 1, "sources": ' + "[" * depth + "]" * depth + "}")
    elif kind == "nested-toml":
        depth = int(args[0])
        target.write_text("[project]\nname = 'victim'\nversion = '1'\nx = " + "[" * depth + "]" * depth + "\n")
    else:
        raise ValueError(f"unknown generator {directive!r}")


def build_project(case: dict[str, Any], root: Path, outside: Path) -> None:
    spec = case["case"]
    root.mkdir(parents=True)
    outside.mkdir(parents=True, exist_ok=True)
    long_name = "x" * 300
    if "pyproject" in spec:
        text = spec["pyproject"]
    else:
        text = PYPROJECT.format(
            dependencies=json.dumps(spec.get("dependencies", [])),
            extra=spec.get("extra", ""),
            sources=spec.get("sources", ""),
        )
    (root / "pyproject.toml").write_text(text.replace("{long}", long_name), encoding="utf-8")
    for relative, content in case.get("files", {}).items():
        target = root / relative.replace("{long}", long_name)
        if content.startswith("@"):
            generate(content, target, outside)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content.replace("{root}", str(root)), encoding="utf-8")


def fill_version_cache(case: dict[str, Any], root: Path, cache: Path) -> None:
    """``cached``: commit the project, then let each listed directory's own backend compute its version into
    the version cache at ``cache`` (the one :func:`child_environment` names), as a publish-mode build does."""
    directories = case["case"].get("cached", [])
    if not directories:
        return
    from sourcelift.versions import VersionCache, directory_version
    from tests.support import init_repo

    init_repo(root)
    for relative in directories:
        directory_version(root / relative, VersionCache(cache))


def child_environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOURCELIFT_", "PIP_"))}
    env["SOURCELIFT_STORE_DIR"] = str(tmp / "store")
    env["SOURCELIFT_CACHE_DIR"] = str(tmp / "cache")
    env["PYTHONPATH"] = os.pathsep.join(str(REPO / p) for p in ("plugin/src", "frontend_hook/src"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _leaked(secrets: list[str], texts: list[str]) -> str | None:
    for secret in [*secrets, PLANTED_SECRET]:
        for text in texts:
            if secret in text:
                return secret
    return None


def _drive(jobs: list[dict[str, str]], tmp: Path, timeout: float) -> bool:
    """Run ``driver.py`` on ``jobs`` in one fresh process; ``False`` when it did not finish in time."""
    jobs_file = tmp / f"jobs-{len(list(tmp.glob('jobs-*.json')))}.json"
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    try:
        subprocess.run(
            [sys.executable, str(HERE / "driver.py"), str(jobs_file)],
            env=child_environment(tmp),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return True


def run_project_cases(paths: list[Path], tmp: Path) -> list[Result]:
    """Every case in ``paths``: built under ``tmp``, run together in one process (a wrapper backend
    keeps its state per project root), and any case left without an answer run again alone, so
    that a hang is pinned on its case."""
    jobs: list[dict[str, str]] = []
    for number, path in enumerate(paths):
        where = tmp / f"{number:03d}-{path.stem}"
        case = load_case(path)
        build_project(case, where / "project", where / "outside")
        fill_version_cache(case, where / "project", tmp / "cache")
        (where / "out").mkdir()
        jobs.append(
            {"project": str(where / "project"), "output": str(where / "out"), "result": str(where / "result.json")}
        )
    _drive(jobs, tmp, TIMEOUT * 4)
    results = []
    for path, job in zip(paths, jobs):
        result = Path(job["result"])
        if not result.exists():
            _drive([job], tmp, TIMEOUT)
        if not result.exists():
            results.append(Result(path.stem, "hang", f"no answer within {TIMEOUT:.0f} s, or the process died"))
            continue
        results.append(_classify_project(path, Path(job["project"]), json.loads(result.read_text("utf-8")), tmp))
    return results


def _classify_project(path: Path, root: Path, answer: dict[str, Any], tmp: Path) -> Result:
    spec = load_case(path)["case"]
    backend = answer["backend_output"]
    explained = answer["explain_output"]
    store = tmp / "store"
    stored = [str(p) for p in store.rglob("*")] if store.exists() else []
    leak = _leaked(spec.get("secrets", []), [backend, explained, *answer["requires_dist"], *stored])
    if leak is not None:
        return Result(path.stem, "leak", f"{leak!r} reached an output", backend + explained)
    for who, code, text in (("backend", answer["backend"], backend), ("explain", answer["explain"], explained)):
        if "Traceback" in text or "internal error" in text or code not in (0, 1):
            return Result(path.stem, "traceback", f"{who}: exit {code}", text)
    if answer["backend"] == 0:
        if spec["expect"] != "success":
            return Result(path.stem, "wrong success", repr(answer["requires_dist"]), backend)
        lines = answer["requires_dist"]
        patterns = [p.replace("{root_uri}", re.escape(root.as_uri())) for p in spec.get("lines", [])]
        if len(lines) != len(patterns) or not all(re.fullmatch(p, line) for p, line in zip(patterns, lines)):
            return Result(path.stem, "wrong success", f"lines {lines!r}, expected {patterns!r}", backend)
        return Result(path.stem, "correct success", output=backend)
    if spec["expect"] != "error":
        return Result(path.stem, "unexpected error", backend[-2000:], backend)
    missing = [w for w in [spec.get("key", ""), *spec.get("words", [])] if w not in backend]
    if missing:
        return Result(path.stem, "unclear error", f"the message lacks {missing!r}: {backend[-2000:]}", backend)
    return Result(path.stem, "clean error", output=backend)


def summary(results: list[Result]) -> dict[str, int]:
    counts = {"cases": len(results)}
    counts.update({outcome: sum(r.outcome == outcome for r in results) for outcome in OUTCOMES})
    return counts
