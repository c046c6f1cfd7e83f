"""Projects shaped like real public ones (tests/support/shapes.py), in both modes.

For every shape and mode, each target project is built by ``pip wheel`` and by
``python -m build`` (sdist, then the wheel from it) in a clone of the shape's git
repository; every wheel's ``Requires-Dist`` is checked line by line, and the
``python -m build`` wheel is installed by pip into a fresh venv and run.  In publish
mode it installs from an index (find-links) that holds plain wheels of the projects
it pins, never the tree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.e2e.helpers import assert_local_sdist
from tests.support import Venv, clone, emitted_repository, file_url, git, init_repo, offline_environ, run
from tests.support.metadata import (
    find_sdist,
    find_wheel,
    requires_dist,
    sdist_pkg_info_text,
    wheel_metadata_text,
)
from tests.support.shapes import SHAPES, Dep, Shape, Target

pytestmark = [pytest.mark.e2e, pytest.mark.matrix]

MODES = ("local", "publish")
Line = tuple[str, tuple[str, ...], str, str]


def _marker(marker: object) -> str:
    """A marker's clauses, sorted: backends group and order ``... and extra == "x"`` differently."""
    if marker is None:
        return ""
    clauses = str(marker).replace("(", "").replace(")", "").split(" and ")
    return " and ".join(sorted(clause.strip() for clause in clauses))


def _key(req: Requirement, what: str) -> Line:
    return (canonicalize_name(req.name), tuple(sorted(req.extras)), what, _marker(req.marker))


def _dep_marker(dep: Dep) -> str:
    clauses = [c for c in (dep.marker, f'extra == "{dep.extra}"' if dep.extra else None) if c]
    return _marker(Requirement("x; " + " and ".join(clauses)).marker) if clauses else ""


def built_lines(lines: list[str], mode: str, tree: Path | None = None) -> list[Line]:
    """Requires-Dist lines as comparable tuples; a publish-mode pin reads ``pin:VERSION``.

    A directory of a clone with a remote is named by its place in the repository
    (``git+REMOTE@HEAD#subdirectory=PATH``) when it is unmodified, else by its location: both
    read as the location here, the git form only when it names this clone's remote and HEAD."""
    out = []
    for line in lines:
        req = Requirement(line)
        if req.url:
            what = f"url:{_as_location(req.url, tree)}"
        else:
            pins = [s.version for s in req.specifier if s.operator == "=="]
            what = f"pin:{pins[0]}" if mode == "publish" and len(pins) == 1 else f"spec:{req.specifier}"
        out.append(_key(req, what))
    return sorted(out)


def _as_location(url: str, tree: Path | None) -> str:
    if tree is None or not url.startswith("git+") or "#subdirectory=" not in url:
        return url
    head, subdirectory = url.split("#subdirectory=", 1)
    remote = run(["git", "remote", "get-url", "origin"], cwd=tree, check=False).stdout.strip()
    if head != f"git+{emitted_repository(remote)}@{git('rev-parse', 'HEAD', cwd=tree).strip()}":
        return url
    return file_url(tree / subdirectory)


def expected_lines(target: Target, mode: str, tree: Path) -> list[Line]:
    out = []
    for dep in target.deps:
        what = f"url:{file_url(tree / dep.path)}" if mode == "local" else f"pin:{dep.version}"
        out.append((canonicalize_name(dep.name), tuple(sorted(dep.extras)), what, _dep_marker(dep)))
    out += [_key(Requirement(line), f"spec:{Requirement(line).specifier}") for line in target.plain]
    return sorted(out)


def _deps_are_pinned_exactly(target: Target, lines: list[str]) -> None:
    """A publish pin admits exactly the source's version."""
    by_name: dict[str, Dep] = {canonicalize_name(d.name): d for d in target.deps}
    for line in lines:
        req = Requirement(line)
        dep = by_name.get(canonicalize_name(req.name))
        if dep is not None:
            assert req.specifier.contains(dep.version), line


@pytest.fixture(scope="session")
def shape_repo(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Shape], Path]:
    cache: dict[str, Path] = {}

    def get(shape: Shape) -> Path:
        if shape.name not in cache:
            repo = shape.write(tmp_path_factory.mktemp(f"shape-{shape.name}") / shape.name)
            init_repo(repo)
            for tag in shape.tags:
                git("tag", tag, cwd=repo)
            cache[shape.name] = repo
        return cache[shape.name]

    return get


# Shapes that fail today because of a bug being fixed (issue 9); strict, so the entry must go when it lands.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _params() -> list[object]:
    params = []
    for shape in SHAPES:
        for mode in MODES:
            reason = KNOWN_FAILURES.get((shape.name, mode))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(shape, mode, id=f"{shape.name}-{mode}", marks=marks))
    return params


@pytest.mark.parametrize(("shape", "mode"), _params())
def test_shape_builds_and_installs(
    shape: Shape,
    mode: str,
    shape_repo: Callable[[Shape], Path],
    offline_env: dict[str, str],
    wheelhouse: Path,
    plain_wheelhouse: Path,
    make_venv: Callable[..., Venv],
    tmp_path: Path,
) -> None:
    tree = clone(shape_repo(shape), tmp_path / shape.name)
    plain_env = offline_environ(
        find_links=[plain_wheelhouse], scratch=tmp_path / "plain-scratch", store=tmp_path / "no-store"
    )
    env = {**offline_env, "SOURCELIFT_CACHE_DIR": str(tmp_path / "sourcelift-cache")}
    settings = ["-C", "sourcelift-mode=publish"] if mode == "publish" else []
    for target in shape.targets:
        project = tree / target.path
        pip_out, build_out = tmp_path / "pip" / target.distribution, tmp_path / "build" / target.distribution
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", *settings, "-w", pip_out, project], env=env)
        proc = run([sys.executable, "-m", "build", *settings, "--outdir", build_out, project], env=env)
        if mode == "local" and target.warning is not None:
            assert target.warning in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        expected = expected_lines(target, mode, tree)
        for wheel in (find_wheel(pip_out, target.distribution), find_wheel(build_out, target.distribution)):
            lines = requires_dist(wheel_metadata_text(wheel))
            assert built_lines(lines, mode, tree) == expected, f"{wheel}: {lines}"
            if mode == "publish":
                _deps_are_pinned_exactly(target, lines)
        sdist = find_sdist(build_out, target.distribution)
        if mode == "local":
            assert_local_sdist(sdist)
        else:
            assert built_lines(requires_dist(sdist_pkg_info_text(sdist)), mode, tree) == expected, sdist
            # standards-only: a plain frontend builds the same wheel from it with sourcelift in no wheelhouse
            plain_out = tmp_path / "plain" / target.distribution
            run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", plain_out, sdist], env=plain_env)
            lines = requires_dist(wheel_metadata_text(find_wheel(plain_out, target.distribution)))
            assert built_lines(lines, mode) == expected, f"{plain_out}: {lines}"

    install_env = offline_env
    if mode == "publish":
        # an index of plain wheels of what the publish wheels pin (built by their own backends)
        index = tmp_path / "index"
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", index]
            + [tree / path for path in shape.publish_requirements],
            env=env,
        )
        install_env = offline_environ(
            find_links=[wheelhouse, index], scratch=tmp_path / "install-scratch", store=tmp_path / "no-store"
        )
    for target in shape.targets:
        wheel = find_wheel(tmp_path / "build" / target.distribution, target.distribution)
        venv = make_venv(f"venv-{target.distribution}")
        extras = f"[{','.join(target.install_extras)}]" if target.install_extras else ""
        run(venv.pip("install", f"{wheel}{extras}"), env=install_env, cwd=tmp_path)
        assert venv.run_python(target.code, env=install_env, cwd=tmp_path).strip() == target.output
