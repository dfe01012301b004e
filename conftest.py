"""Repository-level pytest configuration: keep doctest collection away from entry points."""

collect_ignore = ["simulation/__main__.py"]
