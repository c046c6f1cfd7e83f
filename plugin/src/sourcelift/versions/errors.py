"""The one error version discovery raises."""

from __future__ import annotations

from ..errors import SourceliftError

__all__ = ["VersionError"]


class VersionError(SourceliftError):
    """The version a source holds cannot be known.

    ``message`` says what is wrong (naming the archive or directory), ``fix`` how
    to fix it; a caller turns both into a :class:`sourcelift.errors.Problem`.
    """

    def __init__(self, message: str, fix: str, backend_requires: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.backend_requires = backend_requires
        """When the backend failed because the environment it ran in lacks some of what its
        ``get_requires_for_build_wheel`` asks for: all that it asks for beyond ``build-system.requires``."""

    def render(self) -> str:
        return f"sourcelift: error: {self.message}\n      fix: {self.fix}"
