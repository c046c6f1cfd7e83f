"""What the end-to-end tests expect of each project in ``example-projects/``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .wheelhouse import REPO_ROOT

EXAMPLES_DIR = REPO_ROOT / "example-projects"
PREBUILT_WHEEL = "vendor/prebuilt-0.1.0-py3-none-any.whl"


@dataclass(frozen=True)
class Source:
    """How one requirement must appear in the built METADATA.

    ``archive``: ``name @ file://<STORE>/sha256/<hex>/<file name>``, ``<hex>``
    being the sha256 of the archive at ``path`` (relative to the repository).
    ``directory``: ``name @ git+<remote>@<HEAD>#subdirectory=<path>`` when built in a clone with a
    remote, where the directory is unmodified; else ``name @ file://<abs path of the tree>/<path>``.
    """

    kind: str  # "archive" | "directory"
    path: str


@dataclass(frozen=True)
class Example:
    name: str
    distribution: str
    module: str
    call: str
    output: str
    # directory of the distribution inside the repository ("" = the root)
    subdirectory: str = ""
    # distribution -> requirement name -> expected source, for every wheel that
    # a build of this example produces from the tree
    sources: dict[str, dict[str, Source]] = field(default_factory=dict)
    backend: str = "hatchling"
    # git tags the example's repository gets on its one commit (versions read by hatch-vcs)
    tags: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return EXAMPLES_DIR / self.name

    @property
    def only_archives(self) -> bool:
        """True if its wheels reference nothing inside the source tree."""
        return all(s.kind == "archive" for deps in self.sources.values() for s in deps.values())

    @property
    def code(self) -> str:
        """Python that imports the code and prints what calling it returns."""
        return f"import {self.module}; print({self.module}.{self.call}())"

    def project_dir(self, root: Path) -> Path:
        return root / self.subdirectory if self.subdirectory else root

    def __str__(self) -> str:
        return self.name


PREBUILT = Source("archive", PREBUILT_WHEEL)

EXAMPLES: tuple[Example, ...] = (
    Example(
        name="project-in-git",
        distribution="project-in-git",
        module="project_in_git",
        call="greet",
        output="project-in-git says: hello from prebuilt 0.1.0",
        sources={"project-in-git": {"prebuilt": PREBUILT}},
    ),
    Example(
        name="uv-workspace",
        distribution="app",
        module="app",
        call="main",
        # lib-b's version comes from the repository's tag, through hatch-vcs
        output="app 0.1.0 -> lib-a 0.1.0 -> lib-b 0.2.0",
        subdirectory="packages/app",
        tags=("v0.2.0",),
        sources={
            "app": {"lib-a": Source("directory", "packages/lib-a")},
            # lib-a has no source of its own: it inherits the workspace root's
            "lib-a": {"lib-b": Source("directory", "packages/lib-b")},
        },
    ),
    Example(
        name="hatch-root-uri",
        distribution="hatch-root-uri",
        module="hatch_root_uri",
        call="greet",
        output="hatch-root-uri says: hello from prebuilt 0.1.0 / hello from helper 0.1.0",
        sources={
            "hatch-root-uri": {
                "prebuilt": PREBUILT,
                "helper": Source("directory", "libs/helper"),
            }
        },
    ),
    Example(
        name="pdm-project-root",
        distribution="pdm-project-root",
        module="pdm_project_root",
        call="greet",
        output="pdm-project-root says: hello from prebuilt 0.1.0",
        sources={"pdm-project-root": {"prebuilt": PREBUILT}},
        backend="pdm-backend",
    ),
    Example(
        name="setuptools-vendored",
        distribution="setuptools-vendored",
        module="setuptools_vendored",
        call="greet",
        output="setuptools-vendored says: hello from prebuilt 0.1.0",
        sources={"setuptools-vendored": {"prebuilt": PREBUILT}},
        backend="setuptools",
    ),
)

BY_NAME = {example.name: example for example in EXAMPLES}
