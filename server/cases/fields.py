"""Inputs a transition takes, as a registry keyed by name (``Transition.fields``).

Each field turns raw form/JSON input into a clean value or raises ``FieldProblem`` with a
message in the reader's language; the value stored in the event data is JSON-safe (ids, strings, ISO dates).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import money
from ..db import db


class FieldProblem(ValueError):
    """A bad input; ``str(exc)`` is the message for the user."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = True
    widget: str = "text"  # text/textarea/date/money/number/count/user(s)/member(s)/choice/bool…
    choices: tuple[tuple[str, str], ...] = ()

    def parse(self, raw, ctx):
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if self.required:
                raise FieldProblem(self.missing())
            return None
        return self.clean(raw, ctx)

    def clean(self, raw, ctx):
        return str(raw).strip()[:2000]

    def missing(self) -> str:
        return _("Enter \"%(label)s\"", label=self.label)


class ChoiceField(Field):
    def clean(self, raw, ctx):
        value = str(raw).strip()
        if value not in dict(self.choices):
            raise FieldProblem(_("\"%(label)s\": this value is not one of the choices",
                                 label=self.label))
        return value


class MoneyField(Field):
    """Yuan rounded half-up to the fen (``server.money``), stored as a string ("1200.00")."""

    def clean(self, raw, ctx):
        try:
            value = money.parse_yuan(raw)
        except money.MoneyError as exc:
            raise FieldProblem(_("\"%(label)s\": %(problem)s", label=self.label,
                                 problem=exc)) from None
        if not value:
            raise FieldProblem(_("\"%(label)s\" must be more than 0", label=self.label))
        return money.plain(value)


class IntField(Field):
    minimum, maximum = 1, 100_000

    def clean(self, raw, ctx):
        text = str(raw).strip()
        if isinstance(raw, bool) or not text.lstrip("+-").isdigit() or len(text) > 12:
            raise FieldProblem(_("\"%(label)s\" must be a whole number", label=self.label))
        value = int(text)
        if value < self.minimum:
            raise FieldProblem(_("\"%(label)s\" must be at least %(minimum)s", label=self.label,
                                 minimum=self.minimum))
        if value > self.maximum:
            raise FieldProblem(_("\"%(label)s\" cannot be more than %(maximum)s", label=self.label,
                                 maximum=self.maximum))
        return value


class CountField(IntField):
    """A count that may be zero (votes)."""

    minimum = 0


class DateField(Field):
    def clean(self, raw, ctx):
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise FieldProblem(_("\"%(label)s\" must be a date (YYYY-MM-DD)",
                                 label=self.label)) from None


class BoolField(Field):
    def parse(self, raw, ctx):
        return str(raw).strip().lower() in ("1", "true", "y", "yes", "on")


def _staff(user_id, ctx):
    """A user who may work on the case: active, with a region above or at the case's."""
    from ..auth.models import User

    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or not user.is_active or not user.region.contains(ctx.case.region):
        raise FieldProblem(_("Staff user %(user)s does not exist or does not work in this area",
                             user=user_id))
    return user.id


class UsersField(Field):
    def clean(self, raw, ctx):
        items = raw if isinstance(raw, (list, tuple)) else str(raw).replace("，", ",").split(",")
        ids = []
        for item in items:
            if str(item).strip():
                user_id = _staff(str(item).strip(), ctx)
                if user_id not in ids:
                    ids.append(user_id)
        if self.required and not ids:
            raise FieldProblem(self.missing())
        return ids


class UserField(Field):
    def clean(self, raw, ctx):
        return _staff(raw, ctx)


NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


class NamesField(Field):
    """People named in free text, separated by 、 , ; or spaces; stored as a list of names."""

    def clean(self, raw, ctx):
        items = raw if isinstance(raw, (list, tuple)) else NAME_SEPARATORS.split(str(raw))
        names = []
        for item in (str(i).strip() for i in items):
            if len(item) > 50:
                raise FieldProblem(_("\"%(label)s\": \"%(name)s…\" is too long; separate the "
                                     "names with 、", label=self.label, name=item[:10]))
            if item and item not in names:
                names.append(item)
        if not names:
            raise FieldProblem(self.missing())
        return names


INCOME_KINDS = (("wages", _l("Wages")), ("business", _l("Net business income")), ("property", _l("Net property income")),
                ("transfers", _l("Net transfer income")), ("other", _l("Other income")))


class IncomesField(Field):
    """Monthly income by kind (元), as verified: {kind: "300.00"}; 0 means none of that kind."""

    def clean(self, raw, ctx):
        if not isinstance(raw, dict):
            raise FieldProblem(_("\"%(label)s\" must be entered by kind of income",
                                 label=self.label))
        labels = dict(INCOME_KINDS)
        unknown = [str(k) for k in raw if k not in labels]
        if unknown:
            raise FieldProblem(_("\"%(label)s\" has no kind \"%(kinds)s\"", label=self.label,
                                 kinds="、".join(unknown)))
        clean = {}
        for kind, label in INCOME_KINDS:
            value = raw.get(kind)
            if value is None or not str(value).strip():
                continue
            if str(value).strip() in ("0", "0.0", "0.00"):
                clean[kind] = "0.00"
            else:
                clean[kind] = MoneyField(kind, _("%(field)s: %(kind)s", field=self.label,
                                                    kind=label)).clean(value, ctx)
        if not clean:
            raise FieldProblem(_("Enter \"%(label)s\" (0 for a kind there is none of)",
                                 label=self.label))
        return clean


APPLICANT_WORDS = ("本人", "申请人")


class MemberField(Field):
    """A member of the case, by member id, by name, or "本人"/"申请人" for the applicant."""

    def clean(self, raw, ctx):
        value = str(raw).strip()
        for member in ctx.case.members:
            if str(member.id) == value or member.name == value or (
                    value in APPLICANT_WORDS and member.is_applicant):
                return member.id
        raise FieldProblem(_("This person is not a member of the case's household"))


class MembersField(MemberField):
    """Several members of the case (by id or name), stored as member ids."""

    def clean(self, raw, ctx):
        items = raw if isinstance(raw, (list, tuple)) else NAME_SEPARATORS.split(str(raw))
        ids = []
        for item in (str(i).strip() for i in items):
            if item:
                try:
                    member_id = MemberField.clean(self, item, ctx)
                except FieldProblem:
                    raise FieldProblem(_("\"%(name)s\" is not a member of the case's household",
                                     name=item)) from None
                if member_id not in ids:
                    ids.append(member_id)
        if not ids:
            raise FieldProblem(self.missing())
        return ids


class DishonestyField(Field):
    """A listing (失信名单 entry) in force that names a member of the case."""

    def clean(self, raw, ctx):
        from .models import DishonestyEntry

        try:
            entry = db.session.get(DishonestyEntry, int(raw))
        except (TypeError, ValueError):
            entry = None
        ids = {m.id_number for m in ctx.case.members}
        if entry is None or not entry.is_active or entry.id_number not in ids:
            raise FieldProblem(_("No such dishonesty list entry, or it names no member of the "
                                 "case's household"))
        return entry.id


RECHECK_CHOICES = (("stable", _l("Stable (yearly re-check)")), ("unstable", _l("Unstable income (re-check every six months)")),
                   ("quarterly", _l("Quarterly re-check")))
FLAG_CHOICES = (("doubt", _l("Doubt in the investigation")), ("dispute", _l("Disputed")))
APPRAISAL_RESULTS = (("agree", _l("Agree to grant support")), ("disagree", _l("Disagree with granting support")))

FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("missing", _l("Materials still needed"), widget="textarea"),
    ChoiceField("flag", _l("Flag"), widget="choice", choices=FLAG_CHOICES),
    UsersField("investigators", _l("Investigating staff"), widget="users"),
    BoolField("is_home_visit", _l("Home visit made"), required=False, widget="bool"),
    UserField("reviewer", _l("Reviewer"), required=False, widget="user"),
    # the investigation (入户调查表)
    DateField("visited_on", _l("Date of the home visit (default: the date of the step)"), required=False, widget="date"),
    MembersField("members_present", _l("Household members present"), widget="members"),
    Field("housing", _l("Housing")),
    Field("housing_area", _l("Housing area (m²)"), required=False),
    Field("vehicles", _l("Vehicles"), required=False),
    Field("other_assets", _l("Savings and other assets"), widget="textarea"),
    IncomesField("incomes", _l("Household monthly income (yuan)"), widget="incomes", choices=INCOME_KINDS),
    Field("survey_findings", _l("Investigation findings"), widget="textarea"),
    Field("survey_opinion", _l("Investigation opinion"), widget="textarea"),
    # the appraisal (民主评议记录)
    DateField("held_on", _l("Date of the appraisal"), widget="date"),
    Field("place", _l("Place of the appraisal")),
    Field("host", _l("Chair")),
    Field("recorder", _l("Minute taker")),
    NamesField("participants", _l("Participants (separated by 、)"), widget="textarea"),
    Field("opinions", _l("Appraisal discussion"), widget="textarea"),
    CountField("votes_for", _l("Votes for"), widget="count"),
    CountField("votes_against", _l("Votes against"), widget="count"),
    CountField("votes_abstain", _l("Abstentions"), widget="count"),
    ChoiceField("result", _l("Appraisal result"), widget="choice", choices=APPRAISAL_RESULTS),
    # the decision (审核确认表)
    Field("decision_opinion", _l("Review opinion"), required=False, widget="textarea"),
    Field("findings", _l("Verification opinion"), widget="textarea"),
    MoneyField("requested_amount", _l("Requested amount (yuan)"), required=False, widget="money"),
    ChoiceField("recheck_category", _l("Re-check category"), required=False, widget="choice",
                choices=RECHECK_CHOICES),
    Field("reason", _l("Reason for the step"), widget="textarea"),
    Field("department", _l("Department and matter referred")),
    MoneyField("amount", _l("Amount (yuan)"), widget="money"),
    MemberField("member", _l("Member who died"), widget="member"),
    DateField("died_on", _l("Date of death"), widget="date"),
    IntField("months", _l("Months of gradual exit"), widget="number"),
    DishonestyField("dishonesty", _l("Dishonesty register entry"), widget="number"),
    # the county's 一事一议 decision (县级困难群众保障工作联席会议)
    MoneyField("approved_amount", _l("Amount approved by the county (yuan; empty: the township's amount)"), required=False,
               widget="money"),
    DateField("meeting_on", _l("Date of the joint meeting"), required=False, widget="date"),
    NamesField("attendees", _l("Attendees (separated by 、)"), required=False, widget="textarea"),
    Field("meeting_decision", _l("Decision of the joint meeting"), required=False, widget="textarea"),
)}
