from __future__ import annotations

import pytest
from packaging.markers import Marker

from sourcelift.rewrite.markers import CannotNegate, conjoin, is_unsatisfiable, negate_any
from sourcelift.urls import redact_credentials

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


@pytest.mark.parametrize(
    ("marker", "unsatisfiable"),
    [
        ('python_version >= "3.10" and (sys_platform == "darwin" and sys_platform != "darwin")', True),
        ('sys_platform != "darwin" and (sys_platform == "linux" or sys_platform == "darwin")', False),
        ('python_version >= "3.10" and python_version < "3.9"', True),
        ('python_version <= "3.9" and python_version > "3.9"', True),
        ('python_version > "3.10" and python_version < "3.10.1"', False),  # 3.10.0.1
        ('extra == "cpu" and extra == "gpu"', True),
        ('extra == "cpu" and extra == "CPU"', False),
        ('sys_platform != "linux" and sys_platform != "darwin"', False),
        ('"linux" in sys_platform and sys_platform != "linux"', False),  # not decided: substrings
    ],
)
def test_unsatisfiable_markers_are_told_only_when_sure(marker: str, unsatisfiable: bool) -> None:
    assert is_unsatisfiable(Marker(marker)) is unsatisfiable


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
        ("https://u:p@ss@host/r.git", "https://host/r.git", True),  # the whole password, up to the last @
        ("https://h/qdep-1.0.tar.gz?token=SECRET", "https://h/qdep-1.0.tar.gz", True),
        ("https://gitlab.example/g/r.git?private_token=S&ref=main", "https://gitlab.example/g/r.git?ref=main", True),
        ("https://h/x.whl#sha256=00ab&access_token=S", "https://h/x.whl#sha256=00ab", True),
        (
            "https://b.blob.core.windows.net/c/x.whl?sv=2022&sig=S%3D",
            "https://b.blob.core.windows.net/c/x.whl?sv=2022",
            True,
        ),
        (
            "https://s3.amazonaws.com/b/x.whl?X-Amz-Credential=AK&X-Amz-Signature=S&v=1",
            "https://s3.amazonaws.com/b/x.whl?v=1",
            True,
        ),
        ("https://h/x?author=me&page=2", "https://h/x?author=me&page=2", False),
        (
            "app @ git+https://tok@h/r.git@v1 ; python_version >= '3.9'",
            "app @ git+https://h/r.git@v1 ; python_version >= '3.9'",
            True,
        ),
        ("cloned https://h/ghp_abcdefghijklmnopqrstuvwx/r", "cloned https://h/***/r", True),
    ],
)
def test_credentials_are_removed(url: str, clean: str, removed: bool) -> None:
    assert redact_credentials(url) == (clean, removed)


def test_masked_credentials_for_display() -> None:
    shown, removed = redact_credentials("git: https://u:p@ss@h/r.git?token=abc&a=1 failed", mask="***")
    assert (shown, removed) == ("git: https://***@h/r.git?token=***&a=1 failed", True)
    assert "ss@" not in shown and "abc" not in shown


@pytest.mark.parametrize(
    "text",
    [
        'extra == "cli"',
        "extra == 'cli'",
        '"cli" == extra',
        'sys_platform == "linux"',
        'python_version >= "3.9"',
        '(extra == "cli")',
        '(sys_platform == "linux")',
        'os_name == "nt" and extra == "cli"',
        'extra == "cli" and os_name == "nt"',
        'extra == "a" or extra == "b"',
        '(python_version < "3.9") and (extra == "cli")',
    ],
)
def test_a_marker_alone_keeps_its_extras_last_as_the_general_case_writes_it(text: str) -> None:
    """``conjoin_before_extra(m, None)`` gives ``m`` itself for one comparison: what rebuilding it would."""
    from sourcelift.rewrite import markers

    marker = Marker(text)
    rest, extras = markers.split_extra(marker)
    rebuilt = markers.conjoin(marker, None) if not extras else markers.conjoin(markers.conjoin(rest, None), *extras)
    assert str(markers.conjoin_before_extra(marker, None)) == str(rebuilt)


@pytest.mark.parametrize(
    "text",
    ['extra == "cli"', 'python_version < "0"', 'os_name != "nt"', 'python_version ~= "3.8"', '"a" in sys_platform'],
)
def test_one_comparison_always_holds_somewhere(text: str) -> None:
    """What the general case answers for one comparison (each comparison holds somewhere), and the shortcut too."""
    from sourcelift.rewrite import markers

    marker = Marker(text)
    compared = markers._decidable(marker)
    assert compared is None or len({variable for variable, _ in compared}) == len(compared)
    assert is_unsatisfiable(marker) is False
