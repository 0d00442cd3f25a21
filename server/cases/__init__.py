"""Cases: households, members, the workflow with its working-day clocks, registers."""
from . import demo  # noqa: F401  (registers the demo step)
