"""Installed distributions written by hand, in the formats pip and uv write (for the frontend-hook tests)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.support import wheels
from tests.support.wheels import record_hash

COMMIT = "c2b63538bf404589dce50f35a2bc2164983a13b6"
REPO = "file:///srv/git/project.git"


def stem(name: str) -> str:
    return name.replace("-", "_").lower()


def package_files(name: str, version: str, body: str = "") -> dict[str, bytes]:
    module = stem(name)
    return {f"{module}/__init__.py": f"# {name} {version}\n{body}".encode()}


def metadata(name: str, version: str, requires: tuple[str, ...] = ()) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return ("\n".join(lines) + "\n\nA description: with a colon.\nName: not-a-header\n").encode()


def make_wheel(directory: Path, name: str, version: str, body: str = "") -> Path:
    """A real (tiny) wheel whose RECORD lists its files (the suite's one builder, with this module's METADATA)."""
    return wheels.make_wheel(
        directory,
        stem(name),
        version,
        meta=metadata(name, version),
        files=package_files(name, version, body),
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_dist(
    site: Path,
    name: str,
    version: str,
    *,
    direct_url: dict[str, object] | None = None,
    provenance: dict[str, object] | None = None,
    requires: tuple[str, ...] = (),
    installer: str = "pip",
    body: str = "",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """Write an installed distribution into ``site`` as pip would (RECORD with hashes)."""
    dist_info = f"{stem(name)}-{version}.dist-info"
    files = package_files(name, version, body)
    files[f"{dist_info}/METADATA"] = metadata(name, version, requires)
    files[f"{dist_info}/INSTALLER"] = f"{installer}\n".encode()
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if direct_url is not None:
        files[f"{dist_info}/direct_url.json"] = json.dumps(direct_url, sort_keys=True).encode()
    if provenance is not None:
        files[f"{dist_info}/sourcelift-provenance.json"] = (
            json.dumps(provenance, indent=2, sort_keys=True) + "\n"
        ).encode()
    for relative, data in (extra or {}).items():
        files[f"{dist_info}/{relative}"] = data
    rows = [f"{path},{record_hash(data)},{len(data)}" for path, data in sorted(files.items())]
    rows.insert(len(rows) // 2, f"{dist_info}/RECORD,,")
    rows.append(f"{stem(name)}/__pycache__/__init__.cpython-311.pyc,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(rows) + "\n").encode()
    for relative, data in files.items():
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return site / dist_info


def archive_entry(
    name: str,
    wheel: Path,
    store_url: str,
    *,
    state: str = "committed",
    path: str | None = None,
    url: str = REPO,
    commit: str = COMMIT,
) -> dict[str, object]:
    return {
        "name": name,
        "kind": "archive",
        "url": url,
        "commit_id": commit,
        "requested_revision": "main",
        "path": path or f"vendor/{wheel.name}",
        "subdirectory": None,
        "filename": wheel.name,
        "sha256": sha256_of(wheel),
        "state": state,
        "emitted": [f"{name} @ {store_url}"],
    }


def directory_entry(name: str, path: str, emitted_url: str, *, state: str = "committed") -> dict[str, object]:
    return {
        "name": name,
        "kind": "directory",
        "url": REPO,
        "commit_id": COMMIT,
        "requested_revision": "main",
        "path": path,
        "subdirectory": "packages/app",
        "filename": None,
        "sha256": None,
        "state": state,
        "emitted": [f"{name} @ {emitted_url}"],
    }


def document(*entries: dict[str, object]) -> dict[str, object]:
    return {"version": "1", "generator": "sourcelift 0.1.0", "entries": list(entries)}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rows_of(dist_info: Path) -> dict[str, tuple[str, str]]:
    result = {}
    for line in (dist_info / "RECORD").read_text().splitlines():
        path, digest, size = line.rsplit(",", 2)
        result[path] = (digest, size)
    return result


def assert_record_consistent(dist_info: Path) -> None:
    """Every hashed RECORD row matches its file (hash and size); every file of the dist-info is listed."""
    site = dist_info.parent
    rows = rows_of(dist_info)
    for path, (digest, size) in rows.items():
        if not digest:
            continue
        data = (site / path).read_bytes()
        assert digest == record_hash(data), path
        assert size == str(len(data)), path
    for file in dist_info.iterdir():
        assert f"{dist_info.name}/{file.name}" in rows, f"{file.name} is not in RECORD"
