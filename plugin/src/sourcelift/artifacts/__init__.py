"""Artifacts: archive names, the content-addressed store, and rewriting built wheels and sdists."""
