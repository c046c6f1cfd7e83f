"""``[tool.sourcelift]``: the backend the wrapper delegates to, the mode, and publish-mode strategies.

The mode comes, in this order, from the PEP 517 config setting ``sourcelift-mode``
(``pip wheel -C``, ``python -m build -C``, ``uv build -C``), the environment
variable ``SOURCELIFT_MODE``, ``[tool.sourcelift] mode``, and defaults to ``local``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._dataclasses import field, slotted_dataclass
from .errors import ConfigError, Findings

__all__ = [
    "DEFAULT_BACKEND",
    "MODES",
    "MODE_ENV",
    "MODE_SETTING",
    "SETTINGS",
    "SETTING_PREFIX",
    "STRATEGIES",
    "Config",
    "check_settings",
    "choose_cache",
    "choose_mode",
    "read_config",
    "wrapped_backend",
]

DEFAULT_BACKEND = "hatchling.build"
MODES = ("local", "publish")
STRATEGIES = ("exact", "compatible", "minimum", "minor", "major", "semver")
SETTING_PREFIX = "sourcelift-"
"""Every config setting whose key starts with this is sourcelift's; the wrapped backend never sees it."""
MODE_SETTING = "sourcelift-mode"
MODE_ENV = "SOURCELIFT_MODE"
CACHE_SETTING = "sourcelift-cache"
# check: `sourcelift check`; variants: a reader of its own (readers/variants.py)
_KEYS = {"backend", "mode", "strategy", "strategies", "cache", "cache-keys", "check", "variants"}


def _is_object_reference(text: str) -> bool:
    """``module.path`` or ``module.path:object.path``, each part an ASCII identifier (as PEP 517 names a backend)."""
    parts = text.split(":")
    return len(parts) <= 2 and all(name.isidentifier() and name.isascii() for part in parts for name in part.split("."))


@slotted_dataclass
class Config:
    backend: str = DEFAULT_BACKEND
    mode: str = "local"
    strategy: str = "exact"
    """The publish-mode strategy for every source-backed requirement without an override."""
    strategies: dict[str, str] = field(default_factory=dict)
    """Per-dependency overrides by canonical name: a strategy name or a version specifier."""
    cache: bool = True


def wrapped_backend(declared: str, data: Mapping[str, Any]) -> str:
    """The backend that builds a project whose ``build-system.build-backend`` is ``declared``: for
    sourcelift's wrapper, the one it wraps (``[tool.sourcelift] backend``), else ``declared`` itself.

    >>> wrapped_backend("sourcelift.build", {"tool": {"sourcelift": {"backend": "poetry.core.masonry.api"}}})
    'poetry.core.masonry.api'
    """
    declared = declared.strip()
    if declared.split(":")[0].strip() != "sourcelift.build":
        return declared
    tool = data.get("tool")
    table = tool.get("sourcelift") if isinstance(tool, dict) else None
    configured = table.get("backend") if isinstance(table, dict) else None
    return configured.strip() if isinstance(configured, str) and configured.strip() else DEFAULT_BACKEND


def read_config(data: dict[str, Any], findings: Findings) -> Config:
    tool = data.get("tool", {})
    table = tool.get("sourcelift", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        findings.error("tool.sourcelift", "must be a table", "write it as `[tool.sourcelift]`")
        return Config()
    for key in sorted(set(table) - _KEYS):
        findings.error(
            f"tool.sourcelift.{key}",
            "is not a sourcelift setting",
            f"remove it; `[tool.sourcelift]` takes {', '.join(f'`{k}`' for k in sorted(_KEYS))}",
        )
    backend = table.get("backend", DEFAULT_BACKEND)
    if not isinstance(backend, str) or not backend.strip():
        findings.error(
            "tool.sourcelift.backend",
            f'must name a PEP 517 backend such as "hatchling.build", not {backend!r}',
            'write e.g. `backend = "setuptools.build_meta"`',
        )
        backend = DEFAULT_BACKEND
    elif backend.strip().split(":")[0].strip().split(".")[0] == "sourcelift":
        findings.error(
            "tool.sourcelift.backend",
            f"{backend!r} names sourcelift itself; it must name the backend to wrap",
            'name the real backend, e.g. `backend = "hatchling.build"`',
        )
    elif not _is_object_reference(backend.strip()):
        findings.error(
            "tool.sourcelift.backend",
            f"{backend!r} is not a backend name: it must read `module.path` or `module.path:object`",
            'write e.g. `backend = "setuptools.build_meta"` or `backend = "setuptools.build_meta:__legacy__"`',
        )
    mode = table.get("mode", "local")
    if mode not in MODES:
        findings.error(
            "tool.sourcelift.mode",
            f'must be "local" or "publish", not {mode!r}',
            'write `mode = "local"` (direct references for this machine) or `mode = "publish"` (version specifiers)',
        )
        mode = "local"
    strategy = table.get("strategy", "exact")
    if strategy not in STRATEGIES:
        findings.error(
            "tool.sourcelift.strategy",
            f"must be one of {', '.join(repr(s) for s in STRATEGIES)}, not {strategy!r}",
            'write e.g. `strategy = "compatible"`; per-dependency overrides go in `[tool.sourcelift.strategies]`',
        )
        strategy = "exact"
    cache = table.get("cache", True)
    if not isinstance(cache, bool):
        findings.error(
            "tool.sourcelift.cache", f"must be true or false, not {cache!r}", "write `cache = false` to bypass it"
        )
        cache = True
    keys = table.get("cache-keys", [])
    if not isinstance(keys, list):
        findings.error(
            "tool.sourcelift.cache-keys",
            "must be an array, like `[tool.uv] cache-keys`",
            'write e.g. `cache-keys = [{ file = "VERSION" }, { git = { commit = true, tags = true } }]`',
        )
    elif keys:  # each entry as the version cache reads it (only when another project computes this one's version)
        from .versions.errors import VersionError
        from .versions.fingerprint import parse_cache_keys

        try:
            parse_cache_keys(keys, "tool.sourcelift.cache-keys")
        except VersionError as exc:
            findings.error("tool.sourcelift.cache-keys", exc.message, exc.fix)
    return Config(
        backend=backend.strip() if isinstance(backend, str) else DEFAULT_BACKEND,
        mode=mode,
        strategy=strategy,
        strategies=_read_strategies(table.get("strategies", {}), findings),
        cache=cache,
    )


def _as_specifier(name: str, value: str) -> str | None:
    """The fix for a bare version given where a specifier belongs (``"1.2"``: ``"==1.2"``)."""
    from packaging.version import InvalidVersion, Version

    try:
        version = Version(value)
    except InvalidVersion:
        return None
    return f'write the version as a specifier, e.g. `{name} = "=={version}"` or `{name} = ">={version}"`'


def _read_strategies(table: Any, findings: Findings) -> dict[str, str]:
    key = "tool.sourcelift.strategies"
    if not isinstance(table, dict):
        findings.error(key, "must be a table of dependency name = strategy", f'write e.g. `[{key}]` `lib-a = "minor"`')
        return {}
    if not table:
        return {}
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.utils import canonicalize_name

    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, value in table.items():
        canonical = canonicalize_name(name)
        if canonical in seen:
            findings.error(
                f"{key}.{name}",
                f"names the same dependency as `{key}.{seen[canonical]}` once normalized",
                "keep one of the two entries",
                dependency=canonical,
            )
            continue
        seen[canonical] = name
        fix = (
            f"give a strategy ({', '.join(STRATEGIES)}) or a version specifier, "
            f'e.g. `{name} = "minor"` or `{name} = ">=VERSION"`'
        )
        if not isinstance(value, str) or not value.strip():
            findings.error(f"{key}.{name}", f"must be a non-empty string, not {value!r}", fix, dependency=canonical)
            continue
        value = value.strip()
        if value not in STRATEGIES:
            try:
                SpecifierSet(value)
            except InvalidSpecifier:
                findings.error(
                    f"{key}.{name}",
                    f"{value!r} is neither a strategy nor a valid version specifier",
                    _as_specifier(name, value) or fix,
                    dependency=canonical,
                )
                continue
        out[canonical] = value
    return out


SETTINGS = (MODE_SETTING, CACHE_SETTING)
"""Every config setting sourcelift reads."""


def check_settings(config_settings: Mapping[str, Any] | None) -> None:
    """Refuse a config setting named like sourcelift's that is not one of :data:`SETTINGS`.

    ``-C sourcelift.mode=publish`` or ``-C sourcelift-moed=publish`` would otherwise be dropped (or
    passed to the wrapped backend, which ignores it) and the build would go on in local mode.
    """
    if not config_settings:
        return
    unknown = [
        str(key)
        for key in config_settings
        if str(key).lower().lstrip("-").startswith("sourcelift") and str(key) not in SETTINGS
    ]
    if not unknown:
        return
    from .values import closest

    known = ", ".join(f"`{name}`" for name in SETTINGS)
    lines = [
        f"the config setting `{key}` is not one of sourcelift's ({known}){closest(key.lower(), SETTINGS)}"
        for key in unknown
    ]
    raise ConfigError(
        "\n".join(lines) + f"\n      fix: spell it as sourcelift reads it, e.g. `-C {MODE_SETTING}=publish` "
        f"(pip: `--config-settings {MODE_SETTING}=publish`, uv: `--config-setting {MODE_SETTING}=publish`)"
    )


def _setting(config_settings: Mapping[str, Any] | None, name: str) -> str | None:
    if not config_settings or name not in config_settings:
        return None
    value = config_settings[name]
    if isinstance(value, (list, tuple)):  # pip passes a list when a setting is repeated; the last one wins
        value = value[-1] if value else ""
    return str(value).strip()


def choose_mode(config: Config, config_settings: Mapping[str, Any] | None, environ: Mapping[str, str]) -> str:
    """The mode of this build: config setting, then environment, then pyproject, then ``local``."""
    setting = _setting(config_settings, MODE_SETTING)
    if setting is not None:
        return _checked_mode(setting, f"the config setting `{MODE_SETTING}`", f"-C {MODE_SETTING}=publish")
    env = environ.get(MODE_ENV, "").strip()
    if env:
        return _checked_mode(env, f"the environment variable {MODE_ENV}", f"{MODE_ENV}=publish")
    return config.mode


def _checked_mode(value: str, where: str, example: str) -> str:
    if value.lower() in MODES:
        return value.lower()
    raise ConfigError(f'{where} is {value!r}; it must be "local" or "publish"\n      fix: e.g. `{example}`')


def choose_cache(config: Config, config_settings: Mapping[str, Any] | None) -> bool:
    """Whether the version cache may be used (``-C sourcelift-cache=off`` or ``cache = false`` bypass it)."""
    setting = _setting(config_settings, CACHE_SETTING)
    if setting is not None:
        if setting.lower() in ("off", "false", "0", "no"):
            return False
        if setting.lower() in ("on", "true", "1", "yes"):
            return True
        raise ConfigError(
            f"the config setting `{CACHE_SETTING}` is {setting!r}; it must be on or off\n"
            f"      fix: e.g. `-C {CACHE_SETTING}=off`"
        )
    return config.cache
