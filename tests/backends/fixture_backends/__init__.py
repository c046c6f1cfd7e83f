"""Build plugins for sourcelift's own tests (never published)."""
