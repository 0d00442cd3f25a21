"""Working days: chinese-calendar plus the county's holiday and make-up-day table."""
