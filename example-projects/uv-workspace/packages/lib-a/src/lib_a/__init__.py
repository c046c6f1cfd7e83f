"""Middle of the workspace chain; depends on lib-b through the root's source."""

import lib_b


def describe() -> str:
    return "lib-a 0.1.0 -> " + lib_b.describe()
