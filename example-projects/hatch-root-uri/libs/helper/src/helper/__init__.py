"""A local directory dependency of hatch-root-uri."""


def help_text() -> str:
    return "hello from helper 0.1.0"
