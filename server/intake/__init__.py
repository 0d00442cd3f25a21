"""Intake: township clerks and village assistants take a household's application with the
county's published form, save it as a draft to continue later, and submit it as a case."""
