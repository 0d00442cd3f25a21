"""Monthly filings: statistics, payment roster, reconciliation, county review."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY, TOWNSHIP
from ..home import nav, panels
from . import demo  # noqa: F401  (registers the demo step)


def _panel(user):
    """Open reminders and late flags; for the county also the filings waiting for review."""
    from .queries import open_reminders, waiting_for_review

    waiting = waiting_for_review(user) if user.can("filings.review") else []
    return {"reminders": open_reminders(user), "waiting": waiting}


def _charts(user):
    """The county's twelve-month pictures of recipients, amounts and filings on time."""
    from ..periods import local_today, month_of
    from .figures import filing_charts

    return {"charts": filing_charts(user, month_of(local_today()))}


nav.register(_l("Monthly filings"), "filings.index", "filings.view", order=70)
nav.register(_l("Filing calendar"), "filings.settings", "filings.configure", order=71)
panels.register("filing_reminders", "filings/panel_reminders.html", COUNTY | TOWNSHIP, _panel,
                order=55)
panels.register("filing_charts", "filings/panel_charts.html", COUNTY, _charts, order=25)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
