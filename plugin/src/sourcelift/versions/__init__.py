"""The version a source really holds, for publish mode's version specifiers.

- :func:`archive_version`: a vendored wheel or sdist, from its METADATA / PKG-INFO,
  read in place with bounded reads;
- :func:`directory_version`: a path source or workspace member, from its static
  ``[project].version`` or else from its own build backend, run in a child
  process and cached by the fingerprint of the project's build inputs
  (:class:`VersionCache`); :func:`directory_versions` does many at once, running the
  backends that must run concurrently;
- :func:`dynamic_build_requires`: what the frontend must install for that backend run.

Every failure is a :class:`VersionError` with what is wrong and how to fix it.
Heavy modules (zipfile, tarfile, subprocess, json) are imported only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .archives import archive_version
    from .cache import VersionCache, default_cache_dir
    from .directories import DirectoryVersion, directory_version, directory_versions, dynamic_build_requires
    from .errors import VersionError

__all__ = [
    "DirectoryVersion",
    "VersionCache",
    "VersionError",
    "archive_version",
    "default_cache_dir",
    "directory_version",
    "directory_versions",
    "dynamic_build_requires",
]

# Each name is imported from its module when first asked for (PEP 562): checking a vendored
# archive in a local-mode build needs ``archives`` and ``errors``, not the cache, the
# fingerprints or the backend runner.
_HOMES = {
    "archive_version": "archives",
    "VersionCache": "cache",
    "default_cache_dir": "cache",
    "DirectoryVersion": "directories",
    "directory_version": "directories",
    "directory_versions": "directories",
    "dynamic_build_requires": "directories",
    "VersionError": "errors",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
