"""Example setuptools project whose dependency is a vendored wheel."""

import prebuilt


def greet() -> str:
    return "setuptools-vendored says: " + prebuilt.hello()
