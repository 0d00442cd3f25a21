"""Standards (标准): effective-dated amounts per county and urban/rural, and the money rules."""
