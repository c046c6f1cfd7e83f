"""Example project using pdm's ${PROJECT_ROOT} placeholder for a vendored wheel."""

import prebuilt


def greet() -> str:
    return "pdm-project-root says: " + prebuilt.hello()
