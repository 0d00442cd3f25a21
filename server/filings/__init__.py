"""Monthly filings: statistics, payment roster, reconciliation, county review."""
