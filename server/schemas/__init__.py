"""Low-code intake form schemas: format, field types, rules, versions, builder."""
