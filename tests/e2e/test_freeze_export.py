"""`sourcelift freeze` of environments installed without sourcelift, reinstalled by pip and uv elsewhere.

The repository is a plain hatchling project (no sourcelift anywhere) with a wheel inside it that
`[tool.uv.sources]` names: uv installs `native` out of the repository and records `vcs_info` +
`path`, which `pip freeze` turns into a line naming the repository root.  `sourcelift freeze`
fetches the wheel at the recorded commit into the store (or a wheelhouse next to the export) and
the export is reinstalled, after being moved, with pip and with uv.  The work tree the repository
came from and uv's caches are gone by then; the bare repository stays (app itself comes from it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.e2e.test_frontend_hook import assert_same_installation, direct_url, dist_info, hook_venv, sourcelift
from tests.support import Venv, bare_clone, create_venv, git_url, init_repo, run
from tests.support.index_server import IndexServer, start_index_server
from tests.unit.hook_builders import make_wheel, sha256_of

pytestmark = pytest.mark.e2e

NATIVE = "third_party/native-2.3.1-py3-none-any.whl"
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "app"
version = "0.1.0"
dependencies = ["native"]

[tool.uv.sources]
native = { path = "third_party/native-2.3.1-py3-none-any.whl" }
"""


class UvInstalled:
    def __init__(self, hook: Venv, venv: Venv, site: Path, bare: Path, commit: str, wheel_sha: str) -> None:
        self.hook = hook
        self.venv = venv
        self.site = site
        self.bare = bare
        self.commit = commit
        self.wheel_sha = wheel_sha


@pytest.fixture(scope="module")
def uv_installed(tmp_path_factory: pytest.TempPathFactory, offline_env: dict[str, str], uv_bin: str) -> UvInstalled:
    root = tmp_path_factory.mktemp("uv-installed")
    work = root / "work"
    wheel_sha = sha256_of(make_wheel(work / "third_party", "native", "2.3.1"))
    (work / "pyproject.toml").write_text(PYPROJECT)
    (work / "src" / "app").mkdir(parents=True)
    (work / "src" / "app" / "__init__.py").write_text("import native\n")
    commit = init_repo(work)
    bare = bare_clone(work, root / "app.git")
    shutil.rmtree(work)
    venv = create_venv(root / "venv", env=offline_env, uv=uv_bin)
    env = {**offline_env, "UV_CACHE_DIR": str(root / "uv-cache")}
    run([uv_bin, "pip", "install", "--no-index", "--python", venv.python, f"app @ {git_url(bare)}"], env=env)
    shutil.rmtree(root / "uv-cache")  # uv's checkout of the repository is gone too
    site = venv.site_packages(offline_env)
    record = direct_url(site, "native")
    assert record == {"url": bare.resolve().as_uri(), "vcs_info": {"vcs": "git", "commit_id": commit}, "path": NATIVE}
    # what pip makes of it: the repository root, which is not the wheel
    frozen = run(venv.pip("freeze"), env=offline_env).stdout
    assert f"native @ git+{bare.resolve().as_uri()}@{commit}" in frozen.splitlines()
    hook = hook_venv(root / "hook", offline_env, uv_bin)
    return UvInstalled(hook, venv, site, bare, commit, wheel_sha)


@pytest.mark.parametrize("copy", [False, True], ids=["store", "wheelhouse"])
@pytest.mark.parametrize("output_format", ["requirements", "pylock"])
def test_uv_installed_archive_in_git_exports_and_reinstalls_with_pip_and_uv_after_a_move(
    uv_installed: UvInstalled,
    output_format: str,
    copy: bool,
    offline_env: dict[str, str],
    uv_bin: str,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    store = tmp_path / "store"
    env = {**offline_env, "SOURCELIFT_STORE_DIR": str(store)}
    export = tmp_path / "export"
    export.mkdir()
    name = "pylock.toml" if output_format == "pylock" else "requirements.txt"
    args = ["freeze", "--python", uv_installed.venv.python, "--format", output_format, "-o", export / name]
    if copy:
        args += ["--wheelhouse", export / "wheels"]
    done = sourcelift(uv_installed.hook, *args, env=env)
    assert done.stderr == ""
    text = (export / name).read_text()
    stored = store / "sha256" / uv_installed.wheel_sha / "native-2.3.1-py3-none-any.whl"
    assert stored.is_file()  # fetched from the repository at the recorded commit
    if copy:
        assert (export / "wheels" / stored.name).read_bytes() == stored.read_bytes()
        expected = "--find-links wheels" if output_format == "requirements" else f'path = "wheels/{stored.name}"'
    else:
        expected = (
            f"native @ {stored.as_uri()}#sha256={uv_installed.wheel_sha}"
            if output_format == "requirements"
            else f'path = "{stored}"'
        )
    assert expected in text, text
    moved = tmp_path / "elsewhere" / "export"
    moved.parent.mkdir()
    shutil.move(str(export), moved)
    names = {"app", "native"}
    for installer in ("pip", "uv"):
        fresh = make_venv(f"{installer}-venv")
        if installer == "pip" and output_format == "pylock":
            # pip 26.3 turns every hash of a lock into hash-checking mode, in which a git entry cannot
            # install (pypa/pip#13944): a lock mixing git and archives is for uv until pip changes that
            # (seen to pass in some full-suite runs); either way, what it installs must be the same
            tried = run(fresh.pip("install", "-r", moved / name), env=offline_env, cwd=tmp_path, check=False)
            if tried.returncode != 0:
                assert "way to hash version control repositories" in tried.stderr, tried.stderr
                continue
        elif installer == "pip":
            # requirements: dependencies resolved by pip (app's `native` is satisfied by the line for it)
            run(fresh.pip("install", "-r", moved / name), env=offline_env, cwd=tmp_path)
        else:
            # --no-deps: uv would apply app's own [tool.uv.sources] and see two URLs for native
            extra = ["--no-deps"] if output_format == "requirements" else []
            run(
                [uv_bin, "pip", "install", "--no-index", *extra, "--python", fresh.python, "-r", moved / name],
                env=offline_env,
                cwd=tmp_path,
            )
        assert_same_installation(uv_installed.site, fresh.site_packages(offline_env), names)
        if copy and output_format == "requirements":
            # `native==2.3.1` from the moved `--find-links` directory: no direct URL, as from an index
            assert not (dist_info(fresh.site_packages(offline_env), "native") / "direct_url.json").exists()
            continue
        record = direct_url(fresh.site_packages(offline_env), "native")
        url = str(record["url"]).split("#", 1)[0]  # uv keeps the hash fragment in the URL
        assert "archive_info" in record and url.endswith(stored.name), record
        if copy:
            assert url.startswith(moved.resolve().as_uri()), record


# An sdist with no wheel beside it, built by a backend inside it (no build dependency to fetch).
LEGACY_BACKEND = """\
import base64, hashlib, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "legacy-2.0-py3-none-any.whl"
    files = {
        "legacy.py": "LEGACY = 2\\n",
        "legacy-2.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: legacy\\nVersion: 2.0\\n",
        "legacy-2.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    rows = []
    with zipfile.ZipFile(wheel_directory + "/" + name, "w") as archive:
        for path, text in files.items():
            data = text.encode()
            archive.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{path},sha256={digest},{len(data)}")
        rows.append("legacy-2.0.dist-info/RECORD,,")
        archive.writestr("legacy-2.0.dist-info/RECORD", "\\n".join(rows) + "\\n")
    return name
"""


def make_backend_sdist(directory: Path) -> Path:
    """``legacy-2.0.tar.gz``: a project whose in-tree backend writes its wheel."""
    import io
    import tarfile

    directory.mkdir(parents=True, exist_ok=True)
    members = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        "backend.py": LEGACY_BACKEND,
        "PKG-INFO": "Metadata-Version: 2.1\nName: legacy\nVersion: 2.0\n",
    }
    path = directory / "legacy-2.0.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"legacy-2.0/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    root = tmp_path_factory.mktemp("freeze-index")
    make_wheel(root / "packages", "helper", "1.0", body="HELPER = 1\n")
    make_backend_sdist(root / "packages")
    server = start_index_server(root / "packages", log=root / "pypiserver.log")
    try:
        yield server
    finally:
        server.stop()


def index_environ(offline_env: Mapping[str, str], index: IndexServer, scratch: Path) -> dict[str, str]:
    """pip and uv configured with the test's index alone (pip through PIP_INDEX_URL, as a user would)."""
    dropped = ("PIP_FIND_LINKS", "PIP_NO_INDEX", "UV_FIND_LINKS", "UV_OFFLINE")
    env = {k: v for k, v in offline_env.items() if k not in dropped}
    env.update(
        PIP_INDEX_URL=index.simple_url,
        PIP_CACHE_DIR=str(scratch / "pip-cache"),
        UV_CACHE_DIR=str(scratch / "uv-cache"),
        UV_INDEX_URL=index.simple_url,
    )
    return env


def test_pylock_finds_index_installs_on_the_configured_index_and_names_what_it_cannot_find(
    uv_installed: UvInstalled,
    index: IndexServer,
    offline_env: dict[str, str],
    uv_bin: str,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    venv = make_venv("source")
    env = index_environ(offline_env, index, tmp_path)
    run(venv.pip("install", "helper==1.0", "legacy==2.0"), env=env, cwd=tmp_path)  # legacy: built from its sdist
    # a distribution no index has: installed from a file, then its record of that file removed
    stray = make_wheel(tmp_path / "files", "stray", "3.0")
    run(venv.pip("install", stray), env=env, cwd=tmp_path)
    site = venv.site_packages(env)
    (site / "stray-3.0.dist-info" / "direct_url.json").unlink()
    lock_path = tmp_path / "pylock.toml"
    done = sourcelift(
        uv_installed.hook,
        "freeze",
        "--python",
        venv.python,
        "--format",
        "pylock",
        "-o",
        lock_path,
        env=env,
        check=False,
    )
    assert done.returncode == 1
    assert "stray: was installed from an index, but no wheel of stray 3.0" in done.stderr
    assert index.simple_url in done.stderr
    from packaging.pylock import Pylock

    from sourcelift._compat import tomllib

    lock = Pylock.from_dict(tomllib.loads(lock_path.read_text()))
    helper, legacy = sorted(lock.packages, key=lambda package: package.name)
    assert helper.name == "helper" and helper.index == index.simple_url
    [wheel] = helper.wheels or []
    served = index.packages / "helper-1.0-py3-none-any.whl"
    assert wheel.url is not None and wheel.url.startswith(index.url) and wheel.url.endswith(served.name)
    assert dict(wheel.hashes) == {"sha256": sha256_of(served)}
    # no wheel of legacy on the index: the sdist pip built it from
    assert legacy.name == "legacy" and legacy.index == index.simple_url and not legacy.wheels
    assert legacy.sdist is not None and legacy.sdist.url is not None and legacy.sdist.url.endswith("legacy-2.0.tar.gz")
    assert dict(legacy.sdist.hashes) == {"sha256": sha256_of(index.packages / "legacy-2.0.tar.gz")}
    for installer in ("pip", "uv"):
        fresh = make_venv(f"{installer}-from-lock")
        if installer == "pip":
            run(fresh.pip("install", "-r", lock_path), env=env, cwd=tmp_path)
        else:
            run([uv_bin, "pip", "install", "--python", fresh.python, "-r", lock_path], env=env, cwd=tmp_path)
        assert_same_installation(site, fresh.site_packages(env), {"helper", "legacy"})
        code = "import helper, legacy, json; print(helper.HELPER + legacy.LEGACY)"
        assert json.loads(fresh.run_python(code, env=env)) == 3
