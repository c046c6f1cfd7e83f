"""Example project whose only dependency is a wheel vendored in the repository."""

import prebuilt


def greet() -> str:
    return "project-in-git says: " + prebuilt.hello()
