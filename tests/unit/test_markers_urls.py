from __future__ import annotations

import pytest
from packaging.markers import Marker

from sourcelift._urls import redact_credentials
from sourcelift.rewrite.markers import CannotNegate, conjoin, negate_any

ENVIRONMENTS = [
    {"sys_platform": p, "os_name": o, "python_version": v, "extra": ""}
    for p in ("linux", "darwin", "win32")
    for o in ("posix", "nt")
    for v in ("3.9", "3.12")
]


@pytest.mark.parametrize(
    "markers",
    [
        ['sys_platform == "linux"'],
        ['sys_platform == "linux"', 'sys_platform == "darwin" and python_version >= "3.10"'],
        ['os_name == "nt" or sys_platform in "linux darwin"', 'python_version < "3.10"'],
        ['(sys_platform == "linux" or os_name == "nt") and python_version > "3.9"'],
    ],
)
def test_negation_is_exact_on_every_environment(markers: list[str]) -> None:
    parsed = [Marker(m) for m in markers]
    negated = negate_any(parsed)
    for env in ENVIRONMENTS:
        assert negated.evaluate(env) == (not any(m.evaluate(env) for m in parsed)), (env, str(negated))


def test_operators_without_negation_are_refused() -> None:
    with pytest.raises(CannotNegate):
        negate_any([Marker('python_full_version ~= "3.9.1"')])


def test_conjoin_skips_missing() -> None:
    assert conjoin(None, None) is None
    assert str(conjoin('a_var == "1"'.replace("a_var", "os_name"), None)) == 'os_name == "1"'


@pytest.mark.parametrize(
    ("url", "clean", "removed"),
    [
        ("https://tok@github.com/o/r.git", "https://github.com/o/r.git", True),
        ("https://u:p@host/x", "https://host/x", True),
        ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git", False),
        ("https://${USER}:${TOKEN}@host/x", "https://${USER}:${TOKEN}@host/x", False),
        ("https://host/x", "https://host/x", False),
    ],
)
def test_credentials_are_removed(url: str, clean: str, removed: bool) -> None:
    assert redact_credentials(url) == (clean, removed)
