"""The one window (一门受理、协同办理)."""
