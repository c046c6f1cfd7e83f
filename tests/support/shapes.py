"""Small projects shaped like real public ones (issue 9 point 9), written here.

Each :class:`Shape` is a repository tree (files by path) and the projects in it that
sourcelift builds, with what their ``Requires-Dist`` must say in local and in publish
mode.  The shapes follow the public projects' layout and configuration, never their code:

- ``livekit-agents`` (livekit/agents): a virtual uv workspace root whose
  ``[tool.uv.sources]`` every member inherits; the agents member has dozens of extras,
  one per plugin member, and a version read by hatchling from a file.
- ``langgraph`` (langchain-ai/langgraph): independent projects under ``libs/`` pointing at
  each other with path sources marked ``editable = true``.
- ``setuptools-apps`` (langgraph's CLI apps): setuptools apps in a uv workspace, one on
  ``setuptools.build_meta:__legacy__`` with a ``setup.py`` importing a module beside it.
- ``hook-pins`` (pydantic-ai's pydantic_evals, modelcontextprotocol/python-sdk):
  ``dependencies`` filled by a hatchling metadata hook from ``{{ version }}`` templates.
- ``pdm-monorepo``: pdm-backend members referring to each other through
  ``file:///${PROJECT_ROOT}/..`` and versioned from the git tag.
- ``normalization``: requirement names and source keys that differ only by
  normalization (``Foo.Bar`` / ``foo-bar`` / ``FOO_bar``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

WORKSPACE_REQUIRES = '["sourcelift", "hatchling"]'


@dataclass(frozen=True)
class Dep:
    """A ``Requires-Dist`` line sourcelift must produce.

    ``path``: local mode names this directory of the tree (``name @ file:///tree/path``);
    ``version``: publish mode pins it (the specifier admits exactly this version).
    """

    name: str
    path: str
    version: str
    extra: str | None = None
    extras: tuple[str, ...] = ()
    marker: str | None = None
    """The requirement's own marker (besides ``extra == ...``)."""


@dataclass(frozen=True)
class Target:
    """A project of the shape that sourcelift builds."""

    path: str
    distribution: str
    version: str
    code: str
    """Python printing ``output`` once the wheel is installed."""
    output: str
    deps: tuple[Dep, ...]
    plain: tuple[str, ...] = ()
    """``Requires-Dist`` lines that must pass through unchanged."""
    install_extras: tuple[str, ...] = ()
    warning: str | None = None
    """Text the local-mode build must warn with."""


@dataclass(frozen=True)
class Shape:
    name: str
    modelled_on: str
    files: dict[str, str]
    targets: tuple[Target, ...]
    tags: tuple[str, ...] = ()
    publish_requirements: tuple[str, ...] = field(default=())
    """Directories of the tree whose plain wheels an index must hold to install the publish wheels."""

    def write(self, dest: Path) -> Path:
        for relative, text in self.files.items():
            path = dest / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return dest

    def __str__(self) -> str:
        return self.name


def _hatch_project(name: str, version: str, dependencies: str = "[]", extra: str = "") -> str:
    return f"""\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
requires-python = ">=3.9"
dependencies = {dependencies}
{extra}"""


def _module(name: str, body: str = "") -> str:
    return f'"""{name}."""\n\n{body}\nNAME = "{name}"\n'


# --------------------------------------------------------------------------- livekit/agents

LIVEKIT_PLUGINS = tuple(
    [
        "anthropic",
        "assemblyai",
        "aws",
        "azure",
        "cartesia",
        "clova",
        "deepgram",
        "elevenlabs",
        "fal",
        "gladia",
        "google",
        "groq",
        "hume",
        "langchain",
        "lmnt",
        "mistralai",
        "neuphonic",
        "nltk",
        "openai",
        "playai",
        "resemble",
        "rime",
        "silero",
        "speechmatics",
        "tavus",
        "turn-detector",
    ]
)
LIVEKIT_VERSION = "1.2.6"
# extras whose requirement carries a marker of its own
LIVEKIT_MARKERS = {"hume": 'python_version >= "3.10"'}


def _livekit_marker(plugin: str) -> str:
    marker = LIVEKIT_MARKERS.get(plugin)
    return "" if marker is None else "; " + marker.replace('"', "'")


def _livekit() -> Shape:
    files: dict[str, str] = {
        "pyproject.toml": "[tool.uv.workspace]\n"
        'members = ["livekit-agents", "livekit-api", "livekit-plugins/*"]\n'
        'exclude = ["livekit-plugins/livekit-plugins-browser"]\n\n'
        "[tool.uv.sources]\n"
        "livekit-agents = { workspace = true }\nlivekit-api = { workspace = true }\n"
        + "".join(f"livekit-plugins-{p} = {{ workspace = true }}\n" for p in LIVEKIT_PLUGINS),
        "livekit-api/pyproject.toml": _hatch_project("livekit-api", LIVEKIT_VERSION)
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["livekit_api"]\n',
        "livekit-api/livekit_api/__init__.py": _module("livekit-api"),
        "livekit-agents/pyproject.toml": f"""\
[build-system]
requires = {WORKSPACE_REQUIRES}
build-backend = "sourcelift.build"

[project]
name = "livekit-agents"
dynamic = ["version"]
requires-python = ">=3.9"
dependencies = ["livekit-api>={LIVEKIT_VERSION}", "packaging>=22"]

[project.optional-dependencies]
"""
        + "".join(f'{p} = ["livekit-plugins-{p}>={LIVEKIT_VERSION}{_livekit_marker(p)}"]\n' for p in LIVEKIT_PLUGINS)
        + """
[tool.hatch.version]
path = "livekit_agents/version.py"

[tool.hatch.build.targets.wheel]
packages = ["livekit_agents"]
""",
        "livekit-agents/livekit_agents/__init__.py": _module(
            "livekit-agents", "import livekit_api\n\nfrom .version import __version__\n"
        ),
        "livekit-agents/livekit_agents/version.py": f'__version__ = "{LIVEKIT_VERSION}"\n',
    }
    for plugin in LIVEKIT_PLUGINS:
        module = f"livekit_plugins_{plugin.replace('-', '_')}"
        files[f"livekit-plugins/livekit-plugins-{plugin}/pyproject.toml"] = _hatch_project(
            f"livekit-plugins-{plugin}",
            LIVEKIT_VERSION,
            f'["livekit-agents>={LIVEKIT_VERSION}"]',
            f'\n[tool.hatch.build.targets.wheel]\npackages = ["{module}"]\n',
        )
        files[f"livekit-plugins/livekit-plugins-{plugin}/{module}/__init__.py"] = _module(plugin)
    # excluded from the workspace: a directory under the members' glob that is no member
    files["livekit-plugins/livekit-plugins-browser/pyproject.toml"] = _hatch_project("livekit-plugins-browser", "0.0.1")
    deps = [Dep("livekit-api", "livekit-api", LIVEKIT_VERSION)]
    deps += [
        Dep(
            f"livekit-plugins-{p}",
            f"livekit-plugins/livekit-plugins-{p}",
            LIVEKIT_VERSION,
            extra=p,
            marker=LIVEKIT_MARKERS.get(p),
        )
        for p in LIVEKIT_PLUGINS
    ]
    return Shape(
        name="livekit-agents",
        modelled_on="livekit/agents",
        files=files,
        targets=(
            Target(
                path="livekit-agents",
                distribution="livekit-agents",
                version=LIVEKIT_VERSION,
                code="import livekit_agents; print(livekit_agents.__version__, livekit_agents.livekit_api.NAME)",
                output=f"{LIVEKIT_VERSION} livekit-api",
                deps=tuple(deps),
                plain=("packaging>=22",),
                install_extras=("openai",),
            ),
        ),
        publish_requirements=("livekit-api", "livekit-plugins/livekit-plugins-openai"),
    )


# --------------------------------------------------------------------------- langgraph


def _langgraph() -> Shape:
    files = {
        "libs/checkpoint/pyproject.toml": _hatch_project("langgraph-checkpoint", "2.1.1")
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["langgraph_checkpoint"]\n',
        "libs/checkpoint/langgraph_checkpoint/__init__.py": _module("langgraph-checkpoint"),
        "libs/checkpoint-sqlite/pyproject.toml": _hatch_project(
            "langgraph-checkpoint-sqlite", "2.0.11", '["langgraph-checkpoint>=2.1"]'
        )
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["langgraph_checkpoint_sqlite"]\n',
        "libs/checkpoint-sqlite/langgraph_checkpoint_sqlite/__init__.py": _module("langgraph-checkpoint-sqlite"),
        "libs/langgraph/pyproject.toml": _hatch_project("langgraph", "0.6.7", '["langgraph-checkpoint>=2.1"]')
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["langgraph"]\n',
        "libs/langgraph/langgraph/__init__.py": _module("langgraph", "import langgraph_checkpoint\n"),
        # sources for the dependency groups too (never in built metadata), and a bounded range
        "libs/prebuilt/pyproject.toml": """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "langgraph-prebuilt"
version = "0.6.4"
requires-python = ">=3.9"
dependencies = ["langgraph-checkpoint>=2.1.0,<4.0.0", "packaging>=22"]

[dependency-groups]
test = ["pytest", "langgraph", "langgraph-checkpoint", "langgraph-checkpoint-sqlite"]
dev = [{ include-group = "test" }]

[tool.uv]
default-groups = ["dev"]

[tool.uv.sources]
langgraph = { path = "../langgraph", editable = true }
langgraph-checkpoint = { path = "../checkpoint", editable = true }
langgraph-checkpoint-sqlite = { path = "../checkpoint-sqlite", editable = true }

[tool.hatch.build.targets.wheel]
packages = ["langgraph_prebuilt"]
""",
        "libs/prebuilt/langgraph_prebuilt/__init__.py": _module("langgraph-prebuilt", "import langgraph_checkpoint\n"),
    }
    return Shape(
        name="langgraph",
        modelled_on="langchain-ai/langgraph",
        files=files,
        targets=(
            Target(
                path="libs/prebuilt",
                distribution="langgraph-prebuilt",
                version="0.6.4",
                code="import langgraph_prebuilt; print(langgraph_prebuilt.langgraph_checkpoint.NAME)",
                output="langgraph-checkpoint",
                deps=(Dep("langgraph-checkpoint", "libs/checkpoint", "2.1.1"),),
                plain=("packaging>=22",),
                warning="editable",
            ),
        ),
        publish_requirements=("libs/checkpoint",),
    )


# --------------------------------------------------------------------------- setuptools apps in a workspace


def _setuptools_apps() -> Shape:
    def app(name: str, backend: str) -> str:
        return f"""\
[build-system]
requires = ["sourcelift", "setuptools>=61"]
build-backend = "sourcelift.build"

[project]
name = "{name}"
version = "0.3.0"
requires-python = ">=3.9"
dependencies = ["graph-core>=0.1"]

[project.optional-dependencies]
http = ["packaging>=22"]

[tool.sourcelift]
backend = "{backend}"

[tool.setuptools]
packages = ["{name.replace("-", "_")}"]
"""

    files = {
        "pyproject.toml": """\
[project]
name = "graph-apps"
version = "0"
requires-python = ">=3.9"

[tool.uv.workspace]
members = ["apps/*", "core"]

[tool.uv.sources]
graph-core = { workspace = true }
""",
        "core/pyproject.toml": _hatch_project("graph-core", "0.1.2")
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["graph_core"]\n',
        "core/graph_core/__init__.py": _module("graph-core"),
        "apps/api/pyproject.toml": app("graph-api", "setuptools.build_meta"),
        "apps/api/graph_api/__init__.py": _module("graph-api", "import graph_core\n"),
        "apps/cli/pyproject.toml": app("graph-cli", "setuptools.build_meta:__legacy__"),
        # __legacy__ puts the project directory on sys.path: setup.py imports the module beside it
        "apps/cli/setup.py": "from _build_helpers import KEYWORDS\nfrom setuptools import setup\n\nsetup(**KEYWORDS)\n",
        "apps/cli/_build_helpers.py": "KEYWORDS = {'zip_safe': False}\n",
        "apps/cli/MANIFEST.in": "include _build_helpers.py\n",
        "apps/cli/graph_cli/__init__.py": _module("graph-cli", "import graph_core\n"),
    }

    def target(name: str, path: str) -> Target:
        module = name.replace("-", "_")
        return Target(
            path=path,
            distribution=name,
            version="0.3.0",
            code=f"import {module}; print({module}.NAME, {module}.graph_core.NAME)",
            output=f"{name} graph-core",
            deps=(Dep("graph-core", "core", "0.1.2"),),
            plain=('packaging>=22; extra == "http"',),
        )

    return Shape(
        name="setuptools-apps",
        modelled_on="langchain-ai/langgraph (CLI apps)",
        files=files,
        targets=(target("graph-api", "apps/api"), target("graph-cli", "apps/cli")),
        publish_requirements=("core",),
    )


# --------------------------------------------------------------------------- hatch metadata hook {{ version }} pins


def _hook_pins() -> Shape:
    files = {
        "pyproject.toml": """\
[tool.uv.workspace]
members = ["ai_slim", "evals"]

[tool.uv.sources]
ai-slim = { workspace = true }
""",
        "ai_slim/pyproject.toml": _hatch_project(
            "ai-slim", "1.0.9", extra='\n[project.optional-dependencies]\ncli = ["packaging>=22"]\n'
        )
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["ai_slim"]\n',
        "ai_slim/ai_slim/__init__.py": _module("ai-slim"),
        "evals/pyproject.toml": """\
[build-system]
requires = ["sourcelift", "hatchling", "fixture-backends"]
build-backend = "sourcelift.build"

[project]
name = "ai-evals"
dynamic = ["version", "dependencies"]
requires-python = ">=3.9"

[tool.hatch.version]
path = "ai_evals/__init__.py"

[tool.hatch.metadata.hooks.version-pins]
dependencies = ["ai-slim[cli]=={{ version }}", "packaging>=22"]

[project.optional-dependencies]
logfire = ["packaging>=23"]

[tool.hatch.build.targets.wheel]
packages = ["ai_evals"]

[tool.uv.sources]
ai-slim = { workspace = true }
""",
        "evals/ai_evals/__init__.py": '"""ai-evals."""\n\nimport ai_slim\n\n__version__ = "1.0.9"\n',
    }
    return Shape(
        name="hook-pins",
        modelled_on="pydantic/pydantic-ai (pydantic_evals), modelcontextprotocol/python-sdk",
        files=files,
        targets=(
            Target(
                path="evals",
                distribution="ai-evals",
                version="1.0.9",
                code="import ai_evals; print(ai_evals.__version__, ai_evals.ai_slim.NAME)",
                output="1.0.9 ai-slim",
                deps=(Dep("ai-slim", "ai_slim", "1.0.9", extras=("cli",)),),
                plain=("packaging>=22", 'packaging>=23; extra == "logfire"'),
            ),
        ),
        publish_requirements=("ai_slim",),
    )


# --------------------------------------------------------------------------- pdm monorepo


PDM_TAG = "v2.3.0"


def _pdm_monorepo() -> Shape:
    def member(name: str, dependencies: str, backend: str) -> str:
        requires = '["sourcelift", "pdm-backend"]' if backend == "sourcelift.build" else '["pdm-backend"]'
        sourcelift = '\n[tool.sourcelift]\nbackend = "pdm.backend"\n' if backend == "sourcelift.build" else ""
        return f"""\
[build-system]
requires = {requires}
build-backend = "{backend}"

[project]
name = "{name}"
dynamic = ["version"]
requires-python = ">=3.9"
dependencies = {dependencies}

[tool.pdm.version]
source = "scm"
{sourcelift}"""

    files = {
        "packages/core/pyproject.toml": member("mono-core", "[]", "pdm.backend"),
        "packages/core/src/mono_core/__init__.py": _module("mono-core"),
        "packages/app/pyproject.toml": member(
            "mono-app", '["mono-core @ file:///${PROJECT_ROOT}/../core"]', "sourcelift.build"
        ),
        "packages/app/src/mono_app/__init__.py": _module("mono-app", "import mono_core\n"),
    }
    return Shape(
        name="pdm-monorepo",
        modelled_on="pdm monorepos (file:///${PROJECT_ROOT}, pdm-backend scm versions)",
        files=files,
        targets=(
            Target(
                path="packages/app",
                distribution="mono-app",
                version="2.3.0",
                code="import mono_app; print(mono_app.NAME, mono_app.mono_core.NAME)",
                output="mono-app mono-core",
                deps=(Dep("mono-core", "packages/core", "2.3.0"),),
                warning="${PROJECT_ROOT}",
            ),
        ),
        tags=(PDM_TAG,),
        publish_requirements=("packages/core",),
    )


# --------------------------------------------------------------------------- names that differ by normalization


def _normalization() -> Shape:
    files = {
        "pyproject.toml": """\
[build-system]
requires = ["sourcelift", "hatchling"]
build-backend = "sourcelift.build"

[project]
name = "Norm.App"
version = "1.0"
requires-python = ">=3.9"
dependencies = ["Foo.Bar>=1.0", "zope_interface-LIB[speedups]"]

[project.optional-dependencies]
docs = ["FOO_bar[docs]"]

[tool.uv.sources]
foo-bar = { path = "libs/foo_bar" }
"Zope.Interface_lib" = { path = "libs/Zope.Interface-Lib" }

[tool.hatch.build.targets.wheel]
packages = ["norm_app"]
""",
        "norm_app/__init__.py": _module("Norm.App", "import foo_bar\nimport zope_interface_lib\n"),
        "libs/foo_bar/pyproject.toml": _hatch_project(
            "foo_bar", "1.4", extra="\n[project.optional-dependencies]\ndocs = []\n"
        )
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["foo_bar"]\n',
        "libs/foo_bar/foo_bar/__init__.py": _module("foo_bar"),
        "libs/Zope.Interface-Lib/pyproject.toml": _hatch_project(
            "zope.interface-lib", "5.0", extra="\n[project.optional-dependencies]\nspeedups = []\n"
        )
        + '\n[tool.hatch.build.targets.wheel]\npackages = ["zope_interface_lib"]\n',
        "libs/Zope.Interface-Lib/zope_interface_lib/__init__.py": _module("zope.interface-lib"),
    }
    return Shape(
        name="normalization",
        modelled_on="names written with dots, underscores and capitals",
        files=files,
        targets=(
            Target(
                path="",
                distribution="Norm.App",
                version="1.0",
                code="import norm_app; print(norm_app.foo_bar.NAME, norm_app.zope_interface_lib.NAME)",
                output="foo_bar zope.interface-lib",
                deps=(
                    Dep("Foo.Bar", "libs/foo_bar", "1.4"),
                    Dep("zope_interface-LIB", "libs/Zope.Interface-Lib", "5.0", extras=("speedups",)),
                    Dep("FOO_bar", "libs/foo_bar", "1.4", extra="docs", extras=("docs",)),
                ),
            ),
        ),
        publish_requirements=("libs/foo_bar", "libs/Zope.Interface-Lib"),
    )


SHAPES: tuple[Shape, ...] = (
    _livekit(),
    _langgraph(),
    _setuptools_apps(),
    _hook_pins(),
    _pdm_monorepo(),
    _normalization(),
)
BY_NAME = {shape.name: shape for shape in SHAPES}
