"""Bottom of the workspace chain; no dependencies. Its version comes from a git tag."""

from importlib.metadata import version


def describe() -> str:
    return "lib-b " + version("lib-b")
