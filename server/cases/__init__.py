"""Cases: households, members, intake, the workflow with its clocks, registers."""
