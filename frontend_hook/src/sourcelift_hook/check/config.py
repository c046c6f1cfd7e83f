"""Which checks run: ``[tool.sourcelift.check]`` and the command line, by ID prefix.

``select`` and ``ignore`` take ID prefixes (``"SL1"``, ``"SL40"``, ``"SL101"``).
A check runs when the longest prefix that matches it comes from ``select``; on
a tie ``ignore`` wins.  So ``select = ["SL1"]`` with ``ignore = ["SL10"]`` runs
SL110 to SL117, and ``ignore = ["SL4"]`` with ``select = ["SL405"]`` keeps only
the credential check of the leak family.  The default selection is ``["SL"]``:
everything.  Command-line options replace the table's values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import CHECKS
from .errors import UsageError

__all__ = ["DEFAULT_SELECT", "KEYS", "Selection", "read_table", "selection"]

DEFAULT_SELECT = ("SL",)
KEYS = ("ignore", "select", "strict")
_PREFIX = re.compile(r"^SL[0-9]{0,3}$")


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = DEFAULT_SELECT
    ignore: tuple[str, ...] = ()
    strict: bool = False

    def enabled(self, check_id: str) -> bool:
        """Whether ``check_id`` runs.

        >>> Selection(select=("SL1",), ignore=("SL10",)).enabled("SL112")
        True
        >>> Selection(select=("SL1",), ignore=("SL10",)).enabled("SL101")
        False
        """
        best_select = max((len(p) for p in self.select if check_id.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if check_id.startswith(p)), default=-1)
        return best_select > best_ignore

    def any_enabled(self, prefix: str) -> bool:
        return any(self.enabled(check_id) for check_id in CHECKS if check_id.startswith(prefix))


def _prefixes(value: Any, where: str, problems: list[str]) -> tuple[str, ...] | None:
    items: Iterable[Any]
    if isinstance(value, str):
        items = [part for part in value.split(",")]
    elif isinstance(value, list):
        items = value
    else:
        problems.append(f'{where} must be a list of check ID prefixes such as ["SL1", "SL405"], not {value!r}')
        return None
    out: list[str] = []
    for item in items:
        text = item.strip().upper() if isinstance(item, str) else item
        if not isinstance(text, str) or not _PREFIX.match(text):
            problems.append(f"{where}: {item!r} is not a check ID prefix (`SL`, then up to three digits)")
        elif not any(check_id.startswith(text) for check_id in CHECKS):
            problems.append(f"{where}: {item!r} matches no check; `sourcelift check --list` shows them")
        else:
            out.append(text)
    return tuple(out)


def read_table(pyproject: Path) -> dict[str, Any]:
    """``[tool.sourcelift.check]`` of ``pyproject`` (empty when the file or the table is absent)."""
    if not pyproject.is_file():
        return {}
    from sourcelift.errors import Findings
    from sourcelift.readers._toml import load_toml

    findings = Findings()
    data = load_toml(pyproject, findings)  # bounded, UTF-8 and nesting checked, as a build reads it
    if data is None:
        [problem] = findings.problems
        raise UsageError(f"{pyproject.resolve()} cannot be read: {problem.message}", problem.fix)
    tool = data.get("tool", {})
    sourcelift = tool.get("sourcelift", {}) if isinstance(tool, dict) else {}
    if not isinstance(sourcelift, dict):
        raise UsageError(f"{pyproject}: `tool.sourcelift` must be a table", "write it as `[tool.sourcelift]`")
    table = sourcelift.get("check", {})
    if not isinstance(table, dict):
        raise UsageError(f"{pyproject}: `tool.sourcelift.check` must be a table")
    return table


def selection(
    table: dict[str, Any],
    *,
    source: str = "[tool.sourcelift.check]",
    select: Sequence[str] | str | None = None,
    ignore: Sequence[str] | str | None = None,
    strict: bool | None = None,
) -> Selection:
    """The selection from the table, with the command line's values (when given) replacing the table's.

    Raises :class:`UsageError` listing every problem at once.
    """
    problems = [
        f"{source}: `{key}` is not a setting; the table takes {', '.join(f'`{k}`' for k in KEYS)}"
        for key in sorted(set(table) - set(KEYS))
    ]
    chosen_select = _prefixes(table["select"], f"{source} select", problems) if "select" in table else None
    chosen_ignore = _prefixes(table["ignore"], f"{source} ignore", problems) if "ignore" in table else None
    chosen_strict = table.get("strict", False)
    if not isinstance(chosen_strict, bool):
        problems.append(f"{source}: `strict` must be true or false, not {chosen_strict!r}")
        chosen_strict = False
    if select is not None:
        chosen_select = _prefixes(list(select) if not isinstance(select, str) else select, "--select", problems)
    if ignore is not None:
        chosen_ignore = _prefixes(list(ignore) if not isinstance(ignore, str) else ignore, "--ignore", problems)
    if problems:
        raise UsageError(problems)
    chosen = Selection(
        select=chosen_select if chosen_select is not None else DEFAULT_SELECT,
        ignore=chosen_ignore or (),
        strict=strict if strict is not None else chosen_strict,
    )
    if not any(chosen.enabled(check_id) for check_id in CHECKS):  # else "publishable", having checked nothing
        raise UsageError(
            f"no check is left to run: select {list(chosen.select)}, ignore {list(chosen.ignore)} "
            f"(from the command line and {source})",
            "select at least one check (the default selects every one, `SL`); `sourcelift check --list` shows them",
        )
    return chosen
