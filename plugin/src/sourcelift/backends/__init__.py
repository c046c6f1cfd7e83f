"""Backend adapters: the PEP 517 wrapper and the native hatchling metadata hook."""
