"""Poetry: ``[tool.poetry.dependencies]`` and its groups, read into the same model as uv's sources.

Two kinds of project, as poetry-core builds them:

- *classic*: no ``[project]``, ``dependencies`` in ``project.dynamic``, or a ``[project]`` without
  ``dependencies`` and ``optional-dependencies`` (poetry-core's own test).
  ``[tool.poetry.dependencies]`` declares the requirements themselves; an entry's
  ``markers``, ``python`` and ``platform`` are the requirement's own marker, and
  ``optional = true`` entries reach metadata only through ``[tool.poetry.extras]``.
  A list of entries (poetry's multiple-constraints form) is one requirement per entry;
  each entry's source serves its own requirement only (``binds``).
- *PEP 621*: ``[project].dependencies`` declares the requirements; a
  ``[tool.poetry.dependencies]`` entry with ``path``, ``git`` or ``url`` is a source for
  the requirement of that name, its markers guarding it, exactly like a
  ``[tool.uv.sources]`` entry.

Groups (``[tool.poetry.group.<g>.dependencies]``, the old ``dev-dependencies``) never
reach built metadata: their source entries are reported as development-only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import Findings
from ..model import DeclaredRequirement, GitSource, PathSource, Source, UrlSource
from ..values import check_marker_backslash
from ._base import DeclaredPath, ReadContext
from .uv import check_disjoint

__all__ = ["DEPENDENCY_KEY", "READER", "PoetryReader", "poetry_constraint", "python_marker", "requirement_form"]

_SOURCE_KINDS = ("path", "file", "git", "url")  # `file`: poetry-core's older key for an archive's path
_SOURCE_KEYS = {"path", "file", "develop", "git", "rev", "tag", "branch", "subdirectory", "url"}
_GUARD_KEYS = {"markers", "python", "platform"}
DEPENDENCY_KEY = r"tool\.poetry\.dependencies\.(?P<name>.+?)(?:\[(?P<index>\d+)\])?"
"""The pattern of the key of an entry of ``[tool.poetry.dependencies]`` (``[index]``: one of a list)."""
_KNOWN = _SOURCE_KEYS | _GUARD_KEYS | {"version", "extras", "optional", "allow-prereleases", "source"}
_TYPES: dict[str, type] = {
    "path": str,
    "file": str,
    "develop": bool,
    "git": str,
    "rev": str,
    "tag": str,
    "branch": str,
    "subdirectory": str,
    "url": str,
    "markers": str,
    "python": str,
    "platform": str,
    "version": str,
    "optional": bool,
    "allow-prereleases": bool,
    "source": str,
}
# patterns are compiled on first use (re caches them): the plugin is imported by every build
_CLAUSE = r"^(\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*(\S+)$"


def _bump(release: list[int], position: int) -> str:
    parts = [*release[:position], release[position] + 1] if position < len(release) else [*release, 1]
    return ".".join(str(p) for p in parts)


def _clause(text: str) -> list[str]:
    """One poetry constraint clause as PEP 440 specifiers (raises ValueError)."""
    match = re.match(_CLAUSE, text.strip())
    if match is None:
        raise ValueError(text)
    op, version = match.group(1) or "", match.group(2)
    if version in ("*", "") and op == "":
        return []
    if not re.fullmatch(r"v?[0-9][0-9A-Za-z.*+!-]*", version):
        raise ValueError(text)
    release = [int(p) for p in re.findall(r"\d+", version.split("-")[0].split("+")[0])[:3]] if op in "^~" else []
    if op == "^":
        if not release:
            raise ValueError(text)
        first = next((i for i, p in enumerate(release) if p != 0), len(release) - 1)
        return [f">={version}", f"<{_bump(release, first)}"]
    if op == "~":
        if not release:
            raise ValueError(text)
        return [f">={version}", f"<{_bump(release, 1 if len(release) > 1 else 0)}"]
    if op in ("", "="):
        return [f"=={version}"]
    return [f"{op}{version}"]


def poetry_constraint(text: str) -> list[list[str]]:
    """A poetry version constraint as alternatives (``||``) of PEP 440 specifier lists.

    Raises ``ValueError`` for what it cannot read.

    >>> poetry_constraint("^1.2")
    [['>=1.2', '<2']]
    >>> poetry_constraint(">=3.8,<3.11 || ~3.12")
    [['>=3.8', '<3.11'], ['>=3.12', '<3.13']]
    """
    alternatives: list[list[str]] = []
    for alternative in text.split("||"):
        clauses: list[str] = []
        # `>=1, <2` and `>=1 <2` both mean "and"; an operator may be followed by a space
        parts = re.findall(r"(?:\^|~=|~|===|==|!=|<=|>=|<|>|=)?\s*[^\s,<>=!~^]+", alternative)
        if re.sub(r"[\s,]", "", "".join(parts)) != re.sub(r"[\s,]", "", alternative):
            raise ValueError(text)  # something between the clauses is not one
        for part in parts:
            clauses.extend(_clause(part))
        alternatives.append(clauses)
    return alternatives


def python_marker(text: str) -> str | None:
    """The PEP 508 marker of a poetry ``python`` constraint, as poetry-core writes it.

    >>> python_marker("^3.9")
    'python_version >= "3.9" and python_version < "4"'
    >>> python_marker("*") is None
    True
    """
    ors: list[str] = []
    for clauses in poetry_constraint(text):
        terms = []
        for clause in clauses:
            op, version = re.match(r"(~=|===|==|!=|<=|>=|<|>)(.*)", clause).groups()  # type: ignore[union-attr]
            variable = "python_full_version" if version.count(".") >= 2 and "*" not in version else "python_version"
            if version.endswith(".*"):
                version = version[:-2]
            terms.append(f'{variable} {op} "{version}"')
        if not terms:
            return None  # one alternative admits every version
        ors.append(" and ".join(terms))
    return " or ".join(f"({o})" for o in ors) if len(ors) > 1 else ors[0]


def _entry_marker(entry: dict[str, Any], key: str, name: str, findings: Findings) -> tuple[bool, Marker | None]:
    """(ok, the marker an entry's ``markers``, ``python`` and ``platform`` make together)."""
    parts: list[str] = []
    if isinstance(entry.get("markers"), str):
        parts.append(entry["markers"])
    if isinstance(entry.get("python"), str):
        try:
            marker = python_marker(entry["python"])
        except ValueError:
            findings.error(
                f"{key}.python",
                f"{entry['python']!r} is not a version constraint sourcelift can read",
                'write it as poetry documents, e.g. `python = ">=3.9,<3.13"` or `python = "^3.9"`',
                dependency=name,
            )
            return False, None
        if marker is not None:
            parts.append(marker)
    if isinstance(entry.get("platform"), str):
        parts.append(f'sys_platform == "{entry["platform"]}"')
    if not parts:
        return True, None
    text = parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)
    try:
        parsed = Marker(text)
        # packaging reads a backslash in a quoted value as an escape, and takes control characters there:
        # poetry-core refuses what it renders (a publish build ended in an internal error)
        problem = check_marker_backslash(text, parsed)
        if problem is None and not text.replace("\t", " ").isprintable():
            problem = "contains a control character"
        if problem is not None:
            raise InvalidMarker(f"it {problem}")
        return True, parsed
    except InvalidMarker as exc:
        findings.error(f"{key}.markers", f"is not a valid PEP 508 marker: {exc}", "correct it", dependency=name)
        return False, None


def _check_entry(entry: dict[str, Any], key: str, name: str, findings: Findings) -> bool:
    ok = True
    for field, value in entry.items():
        expected = _TYPES.get(field)
        if expected is not None and not isinstance(value, expected):
            findings.error(
                f"{key}.{field}",
                f"must be {'a string' if expected is str else 'true or false'}, not {type(value).__name__} {value!r}",
                f"correct `{field}`",
                dependency=name,
            )
            ok = False
    if "extras" in entry and (
        not isinstance(entry["extras"], list) or not all(isinstance(e, str) for e in entry["extras"])
    ):
        findings.error(f"{key}.extras", "must be an array of strings", 'write e.g. `extras = ["cli"]`', dependency=name)
        ok = False
    kinds = [k for k in _SOURCE_KINDS if k in entry]
    if len(kinds) > 1:
        findings.error(
            key,
            f"names more than one kind of source: {' with '.join(f'`{k}`' for k in kinds)}",
            "keep exactly one of `path` (or `file`), `git`, `url` (lists of entries take `markers` or `python` each)",
            dependency=name,
        )
        ok = False
    refs = [r for r in ("rev", "tag", "branch") if r in entry]
    if len(refs) > 1:
        findings.error(
            key, f"gives {' and '.join(f'`{r}`' for r in refs)}", "keep one of `rev`, `tag`, `branch`", dependency=name
        )
        ok = False
    if kinds and "version" in entry:
        findings.error(
            f"{key}.version",
            f"a `{kinds[0]}` dependency takes no `version` in poetry (the source decides it)",
            "remove `version`",
            dependency=name,
        )
        ok = False
    return ok


def _source(entry: dict[str, Any], name: str, key: str, pyproject: Path, marker: Marker | None) -> Source | None:
    common: dict[str, Any] = {"name": name, "key": key, "pyproject": pyproject, "marker": marker}
    if "path" in entry or "file" in entry:
        # `develop` only tells `poetry install` to install in place; poetry-core ignores it when building.
        # `file` is poetry-core's older spelling of an archive's `path` (its schema's file-dependency)
        return PathSource(**common, path=entry["path"] if "path" in entry else entry["file"])
    if "git" in entry:
        rev = entry.get("rev") or entry.get("tag") or entry.get("branch")
        return GitSource(**common, git=entry["git"], rev=rev, subdirectory=entry.get("subdirectory"))
    if "url" in entry:
        return UrlSource(**common, url=entry["url"], subdirectory=entry.get("subdirectory"))
    return None


def _entries(value: Any, key: str) -> list[tuple[str, Any]]:
    if isinstance(value, list):
        return [(f"{key}[{index}]", entry) for index, entry in enumerate(value)]
    return [(key, value)]


def _table(data: dict[str, Any], *path: str) -> dict[str, Any] | None:
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _group_tables(poetry: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(group name, key, table) of every dependency group, the old ``dev-dependencies`` included."""
    dev = poetry.get("dev-dependencies")
    if isinstance(dev, dict):
        yield "dev", "tool.poetry.dev-dependencies", dev
    groups = poetry.get("group")
    if isinstance(groups, dict):
        for group, table in groups.items():
            dependencies = table.get("dependencies") if isinstance(table, dict) else None
            if isinstance(dependencies, dict):
                yield str(group), f"tool.poetry.group.{group}.dependencies", dependencies


class PoetryReader:
    tool = "poetry"

    def read(self, context: ReadContext) -> None:
        poetry = _table(context.data, "tool", "poetry")
        if poetry is None:
            return
        project = context.project_table
        dynamic = project.get("dynamic", []) if project is not None else []
        # poetry-core reads `[tool.poetry.dependencies]` as the requirements unless `[project]` declares
        # `dependencies` or `optional-dependencies` (couchbaselabs/agent-catalog: a `[project]` with neither)
        classic = (
            project is None
            or (isinstance(dynamic, list) and "dependencies" in dynamic)
            or (project.get("dependencies") is None and not project.get("optional-dependencies"))
        )
        dependencies = poetry.get("dependencies", {})
        if not isinstance(dependencies, dict):
            context.findings.error(
                "tool.poetry.dependencies", "must be a table", "write it as `[tool.poetry.dependencies]`"
            )
            dependencies = {}
        if classic and ("name" in poetry or dependencies):
            self._read_classic(context, poetry, dependencies)
        else:
            self._read_sources(context, dependencies)
        self._read_groups(context, poetry)

    def _read_classic(self, context: ReadContext, poetry: dict[str, Any], dependencies: dict[str, Any]) -> None:
        findings = context.findings
        if context.project_table is None:
            if isinstance(poetry.get("name"), str):
                context.name = poetry["name"]
            else:
                findings.error(
                    "tool.poetry.name",
                    "is missing: a poetry project without `[project]` names itself in `[tool.poetry]`",
                    'add `name = "..."` to `[tool.poetry]`, or move the metadata to `[project]`',
                )
        context.requirements_from = "tool.poetry.dependencies"
        context.dynamic_dependencies = False
        extras_of: dict[str, list[str]] = {}
        extras = poetry.get("extras", {})
        if isinstance(extras, dict):
            for extra, names in extras.items():
                for listed in names if isinstance(names, list) else []:
                    if isinstance(listed, str):
                        extras_of.setdefault(canonicalize_name(listed.split("[")[0]), []).append(str(extra))
        else:
            findings.error("tool.poetry.extras", "must be a table", "write `[tool.poetry.extras]` `cli = [...]`")
        for raw_name, value in dependencies.items():
            if raw_name == "python":
                continue  # Requires-Python, not a requirement
            name = canonicalize_name(raw_name)
            base_key = f"tool.poetry.dependencies.{raw_name}"
            entries = _entries(value, base_key)
            declared: list[Source] = []
            for key, entry in entries:
                if isinstance(entry, str):
                    entry = {"version": entry}
                if not isinstance(entry, dict):
                    findings.error(
                        key,
                        f"must be a version constraint or a table, not {type(entry).__name__} {entry!r}",
                        'write e.g. `"^1.2"` or `{ path = "../lib" }`',
                        dependency=name,
                    )
                    continue
                if not _check_entry(entry, key, name, findings):
                    continue
                ok, marker = _entry_marker(entry, key, name, findings)
                requirement = self._requirement(raw_name, entry, marker, key, findings)
                if not ok or requirement is None:
                    continue
                if entry.get("optional", False) or name in extras_of:
                    # poetry-core puts an entry an extra lists into that extra, optional or not: its line says
                    # `extra == "..."` (watchmen-ai-copilot's `watchmen-storage-mysql`, listed by `mysql`)
                    for extra in extras_of.get(name, []):
                        context.requirements.append(DeclaredRequirement(requirement, key, extra))
                else:
                    context.requirements.append(DeclaredRequirement(requirement, key, None))
                source = _source(entry, name, key, context.pyproject, None)
                if source is not None:
                    if isinstance(value, list):  # one entry of several: its source serves its own requirement
                        source.binds = key
                        source.marker = marker
                    declared.append(source)
            if declared:
                check_disjoint(declared, base_key, name, findings, marker_key="markers")
                context.add_sources(name, declared, base_key)

    @staticmethod
    def _requirement(
        raw_name: str, entry: dict[str, Any], marker: Marker | None, key: str, findings: Findings
    ) -> Requirement | None:
        extras = entry.get("extras", [])
        head = raw_name + (f"[{','.join(extras)}]" if extras else "")
        spec = ""
        if isinstance(entry.get("version"), str):
            try:
                alternatives = poetry_constraint(entry["version"])
            except ValueError:
                alternatives = [[]]
                findings.warning(
                    f"{key}.version",
                    f"{entry['version']!r} is a poetry constraint sourcelift cannot read; `explain` shows the "
                    "requirement without it (poetry-core still writes it into the metadata)",
                    "write it as a PEP 440 specifier (as poetry's `^1.2` is `>=1.2,<2`)",
                    dependency=raw_name,
                )
            spec = ",".join(alternatives[0]) if len(alternatives) == 1 else ""
        text = head + spec + (f"; {marker}" if marker is not None else "")
        try:
            return Requirement(text)
        except InvalidRequirement as exc:
            findings.error(
                key, f"does not make a valid requirement ({text!r}): {exc}", "correct it", dependency=raw_name
            )
            return None

    def _read_sources(self, context: ReadContext, dependencies: dict[str, Any]) -> None:
        """PEP 621 mode: entries with a source are sources for ``[project]``'s requirements, as in uv."""
        findings = context.findings
        used = {canonicalize_name(r.requirement.name) for r in context.requirements}
        for raw_name, value in dependencies.items():
            if raw_name == "python":
                continue
            name = canonicalize_name(raw_name)
            base_key = f"tool.poetry.dependencies.{raw_name}"
            declared: list[Source] = []
            for key, entry in _entries(value, base_key):
                if not isinstance(entry, dict) or not any(k in entry for k in _SOURCE_KINDS):
                    continue
                if not _check_entry(entry, key, name, findings):
                    continue
                ok, marker = _entry_marker(entry, key, name, findings)
                source = _source(entry, name, key, context.pyproject, marker)
                if ok and source is not None:
                    declared.append(source)
            if not declared:
                continue
            if len(declared) > 1 and any(s.marker is None for s in declared):
                findings.error(
                    base_key,
                    "a list of sources must tell its entries apart: every entry needs `markers` or `python`",
                    "add `markers = \"sys_platform == 'linux'\"` (or `python`) to each entry",
                    dependency=name,
                )
                continue
            check_disjoint(declared, base_key, name, findings, marker_key="markers")
            if name not in used and not context.dynamic_dependencies:
                findings.warning(
                    base_key,
                    "no requirement in `project.dependencies` or `project.optional-dependencies` uses this "
                    "source; in a `[project]` poetry project, `[tool.poetry.dependencies]` only adds sources "
                    "to requirements declared there",
                    f"add `{raw_name}` to `project.dependencies`, or remove the entry",
                    dependency=name,
                )
            context.add_sources(name, declared, base_key)

    def _read_groups(self, context: ReadContext, poetry: dict[str, Any]) -> None:
        for group, table_key, table in _group_tables(poetry):
            for raw_name, value in table.items():
                name = canonicalize_name(raw_name)
                context.other_names.add(name)
                for key, entry in _entries(value, f"{table_key}.{raw_name}"):
                    if isinstance(entry, dict):
                        source = _source(entry, name, key, context.pyproject, None)
                        if source is not None:
                            source.group = group
                            context.development_only.append(source)

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        """Source entries become version constraints in poetry's own syntax (a PEP 440 specifier is one):
        ``{ path = "../lib", develop = true, markers = "..." }`` -> ``{ version = "==1.2.0", markers = "..." }``.
        Entries of the PEP 621 form, which only add sources, are removed."""
        poetry = _table(document, "tool", "poetry")
        dependencies = poetry.get("dependencies") if poetry is not None else None
        if poetry is None or not isinstance(dependencies, dict):
            return
        import tomlkit

        for key, values in lines.items():
            match = re.fullmatch(DEPENDENCY_KEY, key)
            if match is None or match["name"] not in dependencies:
                raise ValueError(f"cannot place the lines of `{key}` in the sdist's pyproject.toml")
            container: Any = dependencies
            slot: Any = match["name"]
            if match["index"] is not None:
                container, slot = dependencies[match["name"]], int(match["index"])
            entry = container[slot]
            if not values:
                raise ValueError(f"`{key}` has no line to write")
            specifier = str(Requirement(values[0]).specifier) or "*"
            if isinstance(entry, tomlkit.items.Table):
                # a `[tool.poetry.dependencies.x]` table or an element of `[[...x]]`: edited where it is (an
                # array of tables takes no inline table, and the table keeps its place and comments)
                for field in [f for f in entry if f in _SOURCE_KEYS or f in ("version", "source")]:
                    del entry[field]
                entry["version"] = specifier
                continue
            replacement = tomlkit.inline_table()
            replacement["version"] = specifier
            for field, value in entry.items():
                if field not in _SOURCE_KEYS and field not in ("version", "source"):
                    replacement[field] = value
            container[slot] = replacement
        removed = False
        for raw_name in list(dependencies):
            value = dependencies[raw_name]
            entries = value if isinstance(value, list) else [value]
            if canonicalize_name(raw_name) in consumed and any(
                isinstance(e, dict) and any(k in e for k in _SOURCE_KINDS) for e in entries
            ):
                del dependencies[raw_name]
                removed = True
        if removed and not dependencies:  # only a table this rewrite emptied goes
            del poetry["dependencies"]
            if not poetry:
                del document["tool"]["poetry"]

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        poetry = _table(data, "tool", "poetry")
        if poetry is None:
            return
        tables = [("tool.poetry.dependencies", poetry.get("dependencies"), False)]
        tables += [(key, table, True) for _, key, table in _group_tables(poetry)]
        for table_key, table, development in tables:
            if not isinstance(table, dict):
                continue
            for raw_name, value in table.items():
                for key, entry in _entries(value, f"{table_key}.{raw_name}"):
                    path = entry.get("path", entry.get("file")) if isinstance(entry, dict) else None
                    if isinstance(path, str):
                        yield DeclaredPath(
                            key=key,
                            name=canonicalize_name(raw_name),
                            path=path,
                            development_only=development,
                            requirement=not development,
                        )


def requirement_form(backend: str) -> Callable[[str], str] | None:
    """How ``backend`` writes a requirement into metadata, when it is poetry-core: it re-serializes every
    requirement it reads (``lib>=0.2,~=0.3.0`` becomes ``lib (>=0.3.0,<0.4.0)``).  Used only inside the
    build, where poetry-core is importable; ``None`` for other backends."""
    if not backend.strip().startswith("poetry.core"):
        return None
    try:
        from poetry.core.packages.dependency import Dependency
    except ImportError:
        return None  # the wrapper reports the unimportable backend itself

    from ..rewrite.markers import extra_values
    from ..values import copied, parsed_requirement

    def form(line: str) -> str:
        # poetry-core holds an optional dependency as its marker and the extras it is in, and writes the two
        # apart (`(python_version >= "3.10") and (extra == "x")`): a line read whole would be written
        # `python_version >= "3.10" and extra == "x"`, which the wheel built from the sdist does not say
        try:
            requirement = parsed_requirement(line)
            apart = extra_values(requirement.marker)
            if apart is None:
                return str(Dependency.create_from_pep_508(line).to_pep_508())
            rest, extras = apart
            without = copied(requirement)
            without.marker = rest
            dependency = Dependency.create_from_pep_508(str(without))
            dependency._in_extras = [canonicalize_name(extra) for extra in extras]
            return str(dependency.to_pep_508())
        except Exception:  # poetry-core's parse errors share no base class but Exception
            # a line poetry-core cannot read (`python = "===1.2"` made `python_full_version === "1.2"`):
            # left as it is; poetry-core refuses the project itself when it builds, as without sourcelift
            return line

    return form


READER = PoetryReader()
