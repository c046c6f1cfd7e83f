"""Bottom of the workspace chain; no dependencies."""


def describe() -> str:
    return "lib-b 0.1.0"
