"""``LazyPattern``: a module-level regular expression compiled on first use.

The plugin is imported by every build, and compiling a pattern costs 0.05 to 0.3 ms
(``re.compile`` of the credential patterns of :mod:`sourcelift.urls`: about 0.8 ms in
all, Python 3.11); most builds use few of them.  A ``LazyPattern`` is declared like a
compiled pattern and compiles itself the first time one of its methods is called.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # not `from typing import ...`: the command's light paths never import typing (2.5 ms)
if TYPE_CHECKING:
    from typing import AnyStr, Generic

    class _Typed(Generic[AnyStr]):
        __slots__ = ()

else:
    AnyStr = str  # only `_Typed[AnyStr]` below is evaluated at run time

    class _Typed:
        __slots__ = ()

        def __class_getitem__(cls, item: object) -> type:
            return cls


__all__ = ["LazyPattern", "is_lower_hex", "is_top_member"]

_LOWER_HEX = "0123456789abcdef"


def is_lower_hex(text: str, length: int) -> bool:
    """``[0-9a-f]{length}`` without a regular expression (a digest, a commit id).

    >>> is_lower_hex("ab" * 20, 40), is_lower_hex("AB" * 20, 40), is_lower_hex("ab", 40)
    (True, False, False)
    """
    return len(text) == length and not text.strip(_LOWER_HEX)


def is_top_member(name: str, directory_suffix: str, file: str) -> bool:
    """``[^/]+<directory_suffix>/<file>``: ``file`` in a top-level directory whose name ends with
    ``directory_suffix`` and has more before it (``x.dist-info/METADATA``, ``x-1.0/PKG-INFO``).

    >>> is_top_member("a-1.dist-info/METADATA", ".dist-info", "METADATA")
    True
    >>> is_top_member(".dist-info/METADATA", ".dist-info", "METADATA"), is_top_member("a/b/PKG-INFO", "", "PKG-INFO")
    (False, False)
    """
    directory, slash, rest = name.partition("/")
    longer = len(directory) > len(directory_suffix)
    return bool(slash) and rest == file and longer and directory.endswith(directory_suffix)


class LazyPattern(_Typed[AnyStr]):
    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self.pattern: AnyStr = pattern
        self.flags: int = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"

    @property
    def compiled(self) -> re.Pattern[AnyStr]:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def match(self, string: AnyStr, pos: int = 0) -> re.Match[AnyStr] | None:
        return self.compiled.match(string, pos)

    def fullmatch(self, string: AnyStr) -> re.Match[AnyStr] | None:
        return self.compiled.fullmatch(string)

    def search(self, string: AnyStr) -> re.Match[AnyStr] | None:
        return self.compiled.search(string)

    def finditer(self, string: AnyStr) -> Iterator[re.Match[AnyStr]]:
        return self.compiled.finditer(string)

    def sub(self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0) -> AnyStr:
        return self.compiled.sub(repl, string, count)

    def subn(
        self, repl: AnyStr | Callable[[re.Match[AnyStr]], AnyStr], string: AnyStr, count: int = 0
    ) -> tuple[AnyStr, int]:
        return self.compiled.subn(repl, string, count)
