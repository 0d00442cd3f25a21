"""Archives: archive numbers and the dual-copy household bundles."""
