"""Top of the workspace chain: app -> lib-a -> lib-b."""

import lib_a


def main() -> str:
    return "app 0.1.0 -> " + lib_a.describe()
