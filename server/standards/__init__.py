"""Standards (标准): effective-dated amounts per county and urban/rural, and the money rules.

Other rooms import from here:

- ``server.standards.models``: ``StandardSet`` (an immutable version; a decision stores its
  id), ``CareLevel``, ``DbMethod``, ``ScaledDecimal``/``Money``.
- ``server.standards.queries``: ``standard_for(county_id, urban_rural, on_date)`` -> ``Standard``
  or None (``Standard.named``: the version's named values), ``standard_by_id(set_id,
  urban_rural)``, ``versions``, ``current_set``, ``standard_value(name, on=, region=,
  version=)`` (a named value; ``UnknownStandardValue`` / ``NoStandard``).
- ``server.standards.amounts``: ``calculate(code, standard, **inputs)`` -> ``AmountResult``,
  ``calculate_for(code, county_id, urban_rural, on_date, **inputs)``, ``payment_start_month``,
  ``NoStandard``.
"""
from flask_babel import lazy_gettext as _l

from ..home import nav
from . import demo  # noqa: F401  (registers the demo step)

nav.register(_l("Standards"), "standards.index", "standards.view", order=65)
from . import labels  # noqa: E402,F401  (registers the audit trail's labels)
