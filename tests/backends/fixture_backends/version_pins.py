"""A hatchling metadata hook that fills dependencies from ``{{ version }}`` templates.

The shape of uv-dynamic-versioning's metadata hook (pydantic-ai, mcp)::

    [project]
    dynamic = ["version", "dependencies", "optional-dependencies"]

    [tool.hatch.metadata.hooks.version-pins]
    dependencies = ["app-core=={{ version }}", "prebuilt"]
    optional-dependencies = { cli = ["app-cli=={{ version }}"] }
"""

from __future__ import annotations

from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface
from hatchling.plugin import hookimpl


def _render(items: list[str], version: str) -> list[str]:
    return [item.replace("{{ version }}", version) for item in items]


class VersionPinsHook(MetadataHookInterface):
    PLUGIN_NAME = "version-pins"

    def update(self, metadata: dict[str, Any]) -> None:
        version = str(metadata["version"])
        if "dependencies" in self.config:
            metadata["dependencies"] = _render(list(self.config["dependencies"]), version)
        extras = self.config.get("optional-dependencies", {})
        if extras:
            metadata["optional-dependencies"] = {name: _render(list(reqs), version) for name, reqs in extras.items()}


@hookimpl
def hatch_register_metadata_hook() -> type[MetadataHookInterface]:
    return VersionPinsHook
