"""``[tool.sourcelift.variants]``: one dependency backed by a set of vendored wheels, one per platform.

::

    [tool.sourcelift.variants]
    native = "vendor/native/*.whl"                  # a glob, relative to the project

    [tool.sourcelift.variants.gpu]                  # or a table
    wheels = ["vendor/gpu/*.whl"]
    labels = { cu121 = "extra == 'cuda'" }          # PEP 825 variant labels need a marker each
    order = ["gpu-2.0-cp311-cp311-*.whl"]           # overlapping wheels: the first match wins

Each wheel becomes a ``path`` source whose marker is derived from its tags
(:mod:`sourcelift.artifacts.wheel_tags`), so local mode emits one direct reference per
wheel and publish mode one pin for the set (:func:`is_variant_set`).
Wheels whose markers overlap stop the build unless ``order`` says which one wins.  A
``[tool.uv.sources]`` list for the same dependency (what ``sourcelift explain --uv-sources
--write`` writes, so that ``uv sync`` picks the same wheel) must list the same wheels and
markers.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name

from ..model import PathSource, Source
from ._base import DeclaredPath, ReadContext
from ._toml import subtable

if TYPE_CHECKING:
    from ..rewrite.variants import VariantWheel

__all__ = ["READER", "VARIANTS_KEY", "VariantsReader", "is_variant_set", "variant_table"]

_KEYS = {"wheels", "labels", "order"}
VARIANTS_KEY = "tool.sourcelift.variants"


def is_variant_set(sources: Sequence[Any]) -> bool:
    """Whether ``sources`` are the wheels of one ``[tool.sourcelift.variants]`` entry (publish mode pins
    the set once)."""
    return bool(sources) and all(str(getattr(s, "key", "")).startswith(f"{VARIANTS_KEY}.") for s in sources)


def variant_table(data: dict[str, Any]) -> dict[str, Any] | None:
    tool = data.get("tool")
    sourcelift = tool.get("sourcelift") if isinstance(tool, dict) else None
    table = sourcelift.get("variants") if isinstance(sourcelift, dict) else None
    return table if isinstance(table, dict) else None


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _extras(context: ReadContext) -> list[str]:
    table = (context.project_table or {}).get("optional-dependencies")
    return [str(extra) for extra in table] if isinstance(table, dict) else []


def _requires_python(context: ReadContext) -> SpecifierSet | None:
    text = (context.project_table or {}).get("requires-python")
    if not isinstance(text, str):
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None  # the backend reports it


def _has_variants_key(table: Any) -> bool:
    """Whether ``[tool.sourcelift]`` is a table holding ``variants`` (a ``tool.sourcelift`` that is no table
    is the configuration reader's error)."""
    return isinstance(table, dict) and "variants" in table


class VariantsReader:
    tool = "sourcelift"

    def read(self, context: ReadContext) -> None:
        table = variant_table(context.data)
        if table is not None:
            self._read(table, context)
        elif _has_variants_key(subtable(context.data, "tool", "sourcelift")):
            context.findings.error(
                VARIANTS_KEY, "must be a table", f'write e.g. `[{VARIANTS_KEY}]` `native = "vendor/native/*.whl"`'
            )

    def _read(self, table: dict[str, Any], context: ReadContext) -> None:
        # only projects with a variants table pay for tags, markers and the environment sample
        from ..rewrite.variants import make_disjoint, overlapping_pairs, sample_environments

        envs = None
        for raw_name, value in table.items():
            name = canonicalize_name(raw_name)
            key = f"{VARIANTS_KEY}.{raw_name}"
            spec = self._spec(value, key, context)
            if spec is None:
                continue
            patterns, labels, order = spec
            files = self._files(patterns, key, context)
            if not files:
                continue
            if envs is None:
                envs = sample_environments(_requires_python(context))
            branches = self._branches(files, name, key, labels, context)
            if branches is None:
                continue
            branches = self._ordered(branches, order)
            extras = _extras(context)
            if order:
                make_disjoint(branches, context.findings, name, envs, extras)
            for first, second, env in overlapping_pairs(branches, envs, extras):
                context.findings.error(
                    key,
                    f"{first.wheel.filename} and {second.wheel.filename} can both be installed in {env.label}, "
                    "so an installer would be given two locations for one dependency",
                    f'say which wins with `order = ["{first.wheel.filename}", ...]` in `[{key}]` '
                    "(the first match wins), or remove one of the wheels",
                    dependency=name,
                )
            self._warn(branches, envs, key, name, context)
            sources: list[Source] = [
                PathSource(
                    name=name,
                    key=f"{key}[{index}]",
                    pyproject=context.pyproject,
                    marker=branch.marker,
                    path=Path(os.path.relpath(branch.path, context.root)).as_posix(),
                )
                for index, branch in enumerate(branches)
            ]
            self._replace_uv_list(name, key, sources, context)

    def _spec(self, value: Any, key: str, context: ReadContext) -> tuple[list[str], dict[str, str], list[str]] | None:
        fix = f'write `{key.rsplit(".", 1)[-1]} = "vendor/native/*.whl"`, or a table with `wheels`, `labels`, `order`'
        if isinstance(value, str):
            return [value], {}, []
        if not isinstance(value, dict):
            context.findings.error(key, f"must be a glob or a table, not {value!r}", fix)
            return None
        unknown = sorted(set(value) - _KEYS)
        for extra in unknown:
            close = fnmatch.filter(sorted(_KEYS), f"{extra[:2]}*")
            hint = f"; did you mean `{close[0]}`?" if close else ""
            context.findings.error(f"{key}.{extra}", f"unknown key `{extra}`{hint}", f"use {', '.join(sorted(_KEYS))}")
        patterns = _strings(value.get("wheels"))
        if not patterns:
            context.findings.error(f"{key}.wheels", "must be a glob or a list of globs of vendored wheels", fix)
            return None
        labels_value = value.get("labels", {})
        labels: dict[str, str] = {}
        if not isinstance(labels_value, dict):
            context.findings.error(f"{key}.labels", "must be a table of variant label = marker", fix)
        else:
            for label, marker in labels_value.items():
                if not isinstance(marker, str) or "\n" in marker:
                    context.findings.error(f"{key}.labels.{label}", "must be a one-line PEP 508 marker", fix)
                    continue
                try:
                    Marker(marker)
                except InvalidMarker as exc:
                    context.findings.error(f"{key}.labels.{label}", f"is not a PEP 508 marker ({exc})", fix)
                    continue
                labels[str(label)] = marker
        order = _strings(value.get("order", []))
        if order is None:
            context.findings.error(f"{key}.order", "must be a list of wheel file names or globs", fix)
            order = []
        return patterns, labels, order

    def _files(self, patterns: list[str], key: str, context: ReadContext) -> list[Path]:
        files: list[Path] = []
        root = context.root
        for pattern in patterns:
            if not pattern.strip() or Path(pattern).is_absolute() or "\n" in pattern:
                context.findings.error(
                    key, f"{pattern!r} must be a glob relative to the project", 'write e.g. "vendor/native/*.whl"'
                )
                continue
            found = sorted(p for p in root.glob(pattern) if p.name.endswith(".whl"))
            if not found:
                context.findings.error(
                    key,
                    f"`{pattern}` matches no wheel under {root}",
                    "vendor the wheels there (are they committed, and not Git LFS pointers?), or correct the glob",
                )
            files.extend(p for p in found if p not in files)
        return files

    def _branches(
        self, files: list[Path], name: str, key: str, labels: dict[str, str], context: ReadContext
    ) -> list[VariantWheel] | None:
        from ..artifacts.wheel_tags import parse_wheel_name
        from ..rewrite.variants import derive

        branches: list[VariantWheel] = []
        ok = True
        for path in files:
            try:
                wheel = parse_wheel_name(path.name)
            except InvalidWheelFilename as exc:
                context.findings.error(
                    key, f"{path.name} is not a wheel file name ({exc})", "remove it or rename it", dependency=name
                )
                ok = False
                continue
            if wheel.name != name:
                context.findings.error(
                    key,
                    f"{path.name} is a wheel of `{wheel.name}`, not of `{name}`",
                    "narrow the glob to this dependency's wheels",
                    dependency=name,
                )
                ok = False
                continue
            branch = derive(path, wheel, key, labels, context.findings, name)
            if branch is None:
                ok = False
                continue
            branches.append(branch)
        return branches if ok else None

    @staticmethod
    def _ordered(branches: list[VariantWheel], order: list[str]) -> list[VariantWheel]:
        def rank(branch: VariantWheel) -> int:
            for index, pattern in enumerate(order):
                if fnmatch.fnmatch(branch.wheel.filename, pattern):
                    return index
            return len(order)

        return sorted(branches, key=rank)  # stable: unlisted wheels keep their (sorted) order

    @staticmethod
    def _warn(branches: list[VariantWheel], envs: Any, key: str, name: str, context: ReadContext) -> None:
        from ..rewrite.variants import summarize, uncovered

        notes = sorted({c.message for b in branches for c in b.derived.caveats})
        if notes:
            context.findings.warning(
                key,
                "what the wheels need beyond their markers, which installers check from the tags: " + "; ".join(notes),
                "nothing to do unless those environments matter to you",
                dependency=name,
            )
        missing = uncovered([b.marker for b in branches], [b.wheel for b in branches], envs)
        if missing:
            context.findings.warning(
                key,
                f"no vendored wheel covers {summarize(missing)}; there the plain requirement is emitted and "
                "installers look for it on their index",
                "vendor wheels for those environments too, or narrow `requires-python`",
                dependency=name,
            )

    @staticmethod
    def _replace_uv_list(name: str, key: str, sources: list[Source], context: ReadContext) -> None:
        existing = context.sources.get(name)
        if existing and all(s.key.startswith("tool.uv.sources.") for s in existing):
            mine = {
                (os.path.normpath(context.root / s.path), str(s.marker)) for s in sources if isinstance(s, PathSource)
            }
            theirs = {(os.path.normpath(s.base / s.path), str(s.marker)) for s in existing if isinstance(s, PathSource)}
            if mine != theirs or len(existing) != len(sources):
                context.findings.error(
                    existing[0].key.split("[")[0],
                    f"lists other wheels or markers than `{key}`, so uv would choose another wheel than pip",
                    "run `sourcelift explain --uv-sources --write` to write the list that matches",
                    dependency=name,
                )
                return
            context.sources[name] = sources
            return
        context.add_sources(name, sources, key)

    def standards(self, document: Any, lines: dict[str, list[str]], consumed: set[str]) -> None:
        tool = document.get("tool")
        sourcelift = tool.get("sourcelift") if isinstance(tool, dict) else None
        table = sourcelift.get("variants") if isinstance(sourcelift, dict) else None
        if not isinstance(sourcelift, dict) or not isinstance(table, dict):
            return
        removed = [n for n in table if canonicalize_name(n) in consumed]
        for raw_name in removed:
            del table[raw_name]
        if removed and not table:
            del sourcelift["variants"]

    def declared_paths(self, data: dict[str, Any]) -> Iterator[DeclaredPath]:
        table = variant_table(data)
        for raw_name, value in (table or {}).items():
            patterns = _strings(value.get("wheels") if isinstance(value, dict) else value) or []
            field = "wheels" if isinstance(value, dict) else None  # a table's `wheels`, or the glob itself
            for pattern in patterns:
                yield DeclaredPath(
                    key=f"{VARIANTS_KEY}.{raw_name}", name=canonicalize_name(raw_name), path=pattern, path_field=field
                )


READER = VariantsReader()
