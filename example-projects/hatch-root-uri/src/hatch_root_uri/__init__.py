"""Example project using hatch's {root:uri} context field for local dependencies."""

import helper
import prebuilt


def greet() -> str:
    return "hatch-root-uri says: " + prebuilt.hello() + " / " + helper.help_text()
