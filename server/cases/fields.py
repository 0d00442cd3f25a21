"""Inputs a transition takes, as a registry keyed by name (``Transition.fields``).

Each field turns raw form/JSON input into a clean value or raises ``FieldProblem`` with a
Chinese message; the value stored in the event data is JSON-safe (ids, strings, ISO dates).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import money
from ..db import db


class FieldProblem(ValueError):
    """A bad input; ``str(exc)`` is the message for the user."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = True
    widget: str = "text"  # text / textarea / date / money / number / users / user / choice / bool
    choices: tuple[tuple[str, str], ...] = ()

    def parse(self, raw, ctx):
        if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
            if self.required:
                raise FieldProblem(f"请填写“{self.label}”")
            return None
        return self.clean(raw, ctx)

    def clean(self, raw, ctx):
        return str(raw).strip()[:2000]


class ChoiceField(Field):
    def clean(self, raw, ctx):
        value = str(raw).strip()
        if value not in dict(self.choices):
            raise FieldProblem(f"“{self.label}”的取值无效")
        return value


class MoneyField(Field):
    """Yuan rounded half-up to the fen (``server.money``), stored as a string ("1200.00")."""

    def clean(self, raw, ctx):
        try:
            value = money.parse_yuan(raw)
        except money.MoneyError as exc:
            raise FieldProblem(f"“{self.label}”：{exc}") from None
        if not value:
            raise FieldProblem(f"“{self.label}”应大于 0")
        return money.plain(value)


class IntField(Field):
    def clean(self, raw, ctx):
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise FieldProblem(f"“{self.label}”应为整数") from None
        if value < 1:
            raise FieldProblem(f"“{self.label}”至少为 1")
        return value


class DateField(Field):
    def clean(self, raw, ctx):
        if isinstance(raw, date):
            return raw.isoformat()
        try:
            return date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise FieldProblem(f"“{self.label}”应为日期（YYYY-MM-DD）") from None


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
        raise FieldProblem(f"经办人员 {user_id} 不存在或不属于本辖区")
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
            raise FieldProblem(f"请填写“{self.label}”")
        return ids


class UserField(Field):
    def clean(self, raw, ctx):
        return _staff(raw, ctx)


class MemberField(Field):
    """A member of the case, by member id or by name."""

    def clean(self, raw, ctx):
        value = str(raw).strip()
        for member in ctx.case.members:
            if str(member.id) == value or member.name == value:
                return member.id
        raise FieldProblem("该成员不在本案件的家庭成员中")


RECHECK_CHOICES = (("stable", "稳定（每年复核）"), ("unstable", "收入不稳定（每半年复核）"),
                   ("quarterly", "每季度复核"))
FLAG_CHOICES = (("doubt", "调查存疑"), ("dispute", "有争议"))

FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("missing", "需补充的材料", widget="textarea"),
    ChoiceField("flag", "标记", widget="choice", choices=FLAG_CHOICES),
    Field("outcome", "评议结果", widget="textarea"),
    UsersField("investigators", "调查人员", widget="users"),
    BoolField("is_home_visit", "已入户调查", required=False, widget="bool"),
    UserField("reviewer", "审核人", required=False, widget="user"),
    Field("findings", "核查意见", widget="textarea"),
    MoneyField("requested_amount", "申请救助金额（元）", required=False, widget="money"),
    ChoiceField("recheck_category", "复核类别", required=False, widget="choice",
                choices=RECHECK_CHOICES),
    Field("reason", "理由", widget="textarea"),
    Field("department", "转办部门及事项"),
    MoneyField("amount", "金额（元）", widget="money"),
    MemberField("member", "死亡成员", widget="member"),
    DateField("died_on", "死亡日期", widget="date"),
    IntField("months", "渐退月数", widget="number"),
)}
