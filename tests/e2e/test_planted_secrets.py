"""Planted secrets never leave: a project whose sources and git remote carry credentials is built
with real frontends, installed, recorded, exported and checked; then every artifact (each member of
every wheel and sdist), every installed file sourcelift wrote or read, the store's file names and
every output of every command (stdout and stderr, every format) are scanned for the secrets.

The secrets sit where issue 13 found them leaking: user info (a password holding an ``@``), query
strings (``token``, ``private_token``, ``X-Amz-Signature``) of url and git sources and of the git
remote, and a direct_url.json another installer wrote with credentials.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
import textwrap
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import Venv, git, run
from tests.support.wheels import wheel_bytes
from tests.unit.hook_builders import install_dist

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SECRETS = (
    "REMOTEPASS9f3",
    "REMOTE-PRIVATE-TOKEN-9f3",
    "URL-QUERY-TOKEN-9f3",
    "ss-git-9f3",  # the part of the password `p@ss-git-9f3` after its `@`
    "AMZ-SIGNATURE-9f3",
    "DIRECT-URL-PASS-9f3",
)
REMOTE = "https://deploy:REMOTEPASS9f3@git.example/org/app.git?private_token=REMOTE-PRIVATE-TOKEN-9f3"
PYPROJECT = """
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "app"
version = "1.0"
dependencies = ["prebuilt", "qdep", "gdep", "sdep"]

[tool.hatch.build.targets.wheel]
packages = ["src/app"]

[tool.uv.sources]
prebuilt = { path = "vendor/prebuilt-0.1.0-py3-none-any.whl" }
qdep = { url = "https://files.example/qdep-1.0.tar.gz?token=URL-QUERY-TOKEN-9f3" }
gdep = { git = "https://u:p@ss-git-9f3@git.example/gdep.git", tag = "v1" }
sdep = { url = "https://bucket.s3.example/sdep-1.0.tar.gz?X-Amz-Credential=abc&X-Amz-Signature=AMZ-SIGNATURE-9f3" }
"""


def _members(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield name, archive.read(name)
    else:
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                stream = archive.extractfile(member) if member.isfile() else None
                yield member.name, stream.read() if stream is not None else b""


def _scan(where: str, data: bytes | str, found: list[str]) -> None:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    for secret in SECRETS:
        if secret.encode() in raw:
            found.append(f"{secret} in {where}")


def test_no_planted_secret_reaches_any_artifact_or_output(
    offline_env: dict[str, str], make_venv: Callable[..., Venv], store_dir: Path, tmp_path: Path
) -> None:
    project = tmp_path / "app"
    (project / "src" / "app").mkdir(parents=True)
    (project / "src" / "app" / "__init__.py").write_text("")
    (project / "vendor").mkdir()
    (project / "vendor" / "prebuilt-0.1.0-py3-none-any.whl").write_bytes(wheel_bytes("prebuilt", "0.1.0"))
    (project / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "import", cwd=project)
    git("remote", "add", "origin", REMOTE, cwd=project)

    outputs: list[tuple[str, str]] = []

    hook_env = {
        **offline_env,
        "PYTHONPATH": os.pathsep.join(str(REPO / p) for p in ("plugin/src", "frontend_hook/src")),
    }

    def command(label: str, argv: list[str | Path], *, check: bool = True, hook: bool = False) -> str:
        result = run(argv, env=hook_env if hook else offline_env, cwd=tmp_path, check=check, timeout=600)
        outputs.append((f"{label} (stdout)", result.stdout))
        outputs.append((f"{label} (stderr)", result.stderr))
        return result.stdout

    dist, wheels = tmp_path / "dist", tmp_path / "wheels"
    command("python -m build", [sys.executable, "-m", "build", "--outdir", dist, project])
    command("pip wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, project])
    artifacts = sorted([*dist.iterdir(), *wheels.iterdir()])
    assert {p.suffix for p in artifacts} == {".whl", ".gz"}, artifacts

    venv = make_venv()
    site = venv.site_packages(offline_env)
    app_wheel = next(wheels.glob("app-1.0-*.whl"))
    command("pip install", [*venv.pip("install", "--no-deps", app_wheel)])
    stored = next(store_dir.glob("sha256/*/prebuilt-0.1.0-py3-none-any.whl"))
    command("pip install prebuilt", [*venv.pip("install", "--no-deps", f"prebuilt @ {stored.as_uri()}")])
    install_dist(
        site,
        "other",
        "2.0",
        direct_url={"url": "https://u:DIRECT-URL-PASS-9f3@files.example/other-2.0.whl", "archive_info": {}},
    )

    hook = [sys.executable, "-m", "sourcelift_hook"]  # the command from this tree
    command("record", [*hook, "record", "--path", site], hook=True)
    for style in ("uv", "pr1798", "default"):
        command(f"record --style {style}", [*hook, "record", "--path", site, "--style", style], hook=True)
    command("provenance", [*hook, "provenance", "--path", site], check=False, hook=True)
    command("provenance --json", [*hook, "provenance", "--json", "--path", site], check=False, hook=True)
    command("freeze", [*hook, "freeze", "--all", "--path", site], check=False, hook=True)
    command("freeze pylock", [*hook, "freeze", "--all", "--format", "pylock", "--path", site], check=False, hook=True)
    command("explain", [*hook, "explain", project], check=False, hook=True)
    command("explain --json", [*hook, "explain", "--json", project], check=False, hook=True)
    for fmt in ("human", "json", "github"):
        command(f"check --format {fmt}", [*hook, "check", "--format", fmt, *artifacts], check=False, hook=True)

    found: list[str] = []
    for label, text in outputs:
        _scan(label, text, found)
    for artifact in artifacts:
        for name, data in _members(artifact):
            _scan(f"{artifact.name}!{name}", data, found)
    planted = site / "other-2.0.dist-info" / "direct_url.json"  # the input another installer wrote
    for dist_info in site.glob("*.dist-info"):
        for file in dist_info.iterdir():
            if file.is_file() and file != planted:
                _scan(str(file.relative_to(site)), file.read_bytes(), found)
    for path in store_dir.rglob("*"):
        _scan(f"store path {path}", str(path), found)
    assert not found, "\n".join(found)
    # the run did what it should: lines for every source, and a provenance document naming the remote
    with zipfile.ZipFile(app_wheel) as archive:
        metadata = archive.read("app-1.0.dist-info/METADATA").decode()
        document = json.loads(archive.read("app-1.0.dist-info/sourcelift-provenance.json"))
    assert "Requires-Dist: qdep @ https://files.example/qdep-1.0.tar.gz" in metadata
    assert "Requires-Dist: gdep @ git+https://git.example/gdep.git@v1" in metadata
    assert document["entries"][0]["url"].startswith("https://git.example/org/app.git")
