"""Working days: chinese-calendar plus the county's holiday and make-up-day table.

Other rooms import from ``server.calendar.workdays``: ``is_working_day``,
``add_working_days``, ``working_days_between``, ``coverage``, ``warnings_for`` (see its
docstring). The county admin maintains the table on the calendar page.
"""
