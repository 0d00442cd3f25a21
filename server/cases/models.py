"""Cases and the household rows they carry.

A case is one application of one relief type for one household, in one village. Its answers
are pinned to the schema version they were filled with; members are real rows with indexed
ID numbers so duplicates across cases are found by query.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..db import Base, utcnow
from ..regions.models import RegionScoped
from ..schemas.models import SchemaVersion


def _search_indexes(table: str, column: str) -> tuple[Index, ...]:
    """Name search: by prefix on every database (PostgreSQL needs ``text_pattern_ops`` for
    ``LIKE 'q%'`` under a non-C collation), by contains on PostgreSQL through trigrams."""
    return (
        Index(f"ix_{table}_{column}_prefix", column,
              postgresql_ops={column: "text_pattern_ops"}),
        Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin",
              postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )


class Case(RegionScoped, Base):
    """``region`` is the applicant's village (so township and county scoping cover it)."""

    __tablename__ = "case"
    __table_args__ = _search_indexes("case", "applicant_name")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    relief_type: Mapped[str] = mapped_column(String(8), ForeignKey("relief_item.code"), index=True)
    schema_version_id: Mapped[int] = mapped_column(ForeignKey("schema_version.id"))
    state: Mapped[str] = mapped_column(String(32), default="accepted", index=True)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_id_number: Mapped[str] = mapped_column(String(18), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    accepted_on: Mapped[date | None]
    lock_version: Mapped[int] = mapped_column(default=1)

    # Decision and payment facts, shared by the workflow, documents, archives and filings.
    urban_rural: Mapped[str] = mapped_column(String(8), default="rural")  # of the household
    persons_covered: Mapped[int] = mapped_column(default=0)
    decided_at: Mapped[datetime | None]
    monthly_amount_fen: Mapped[int] = mapped_column(default=0)  # DB/TK monthly payment
    one_off_amount_fen: Mapped[int] = mapped_column(default=0)  # LS one-off payment
    payment_start_month: Mapped[date | None]  # first day of the first paid month
    payment_end_month: Mapped[date | None]  # first day of the last paid month, once stopped
    care_level: Mapped[str | None] = mapped_column(String(16))  # TK: 全自理/半护理/全护理
    is_concentrated: Mapped[bool] = mapped_column(default=False)  # TK: 集中供养
    ls_kind: Mapped[str | None] = mapped_column(String(16))  # LS: emergency / spending
    # 代办: who files for the applicant (from the form's proxy_* roles; empty when in person)
    proxy_name: Mapped[str] = mapped_column(String(100), default="")
    proxy_id_number: Mapped[str] = mapped_column(String(18), default="")
    proxy_relation: Mapped[str] = mapped_column(String(20), default="")
    archive_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    # taken over from the county's existing roll (roll room), not through the workflow
    is_imported: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Workflow facts (cases room): who investigated, reviewed and approved (谁调查、谁签字、谁负责).
    is_relative_case: Mapped[bool] = mapped_column(default=False, index=True)  # 近亲属备案
    flags: Mapped[list] = mapped_column(JSON, default=list)  # doubt / dispute / objection
    investigators: Mapped[list] = mapped_column(JSON, default=list)  # user ids
    is_home_visit: Mapped[bool] = mapped_column(default=False)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    county_visit_on: Mapped[date | None]
    decision: Mapped[str | None] = mapped_column(String(16))  # approve / refuse
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    standard_version_id: Mapped[int | None] = mapped_column(ForeignKey("standard_set.id"))
    per_capita_income_fen: Mapped[int | None]
    amount_formula: Mapped[str] = mapped_column(Text, default="")
    amount_inputs: Mapped[dict] = mapped_column(JSON, default=dict)
    needs_county_decision: Mapped[bool] = mapped_column(default=False)
    # why the approval went to the county: the township lacked the delegation (赋权清单)
    county_reason: Mapped[str] = mapped_column(String(200), default="")
    emergency_aid_fen: Mapped[int] = mapped_column(default=0)  # LS 先行救助
    emergency_aid_on: Mapped[date | None]
    publicity_start_on: Mapped[date | None]
    publicity_end_on: Mapped[date | None]
    is_extended: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date | None] = mapped_column(index=True)  # nearest open deadline
    total_due_on: Mapped[date | None]
    recheck_category: Mapped[str | None] = mapped_column(String(16))
    last_recheck_on: Mapped[date | None]
    next_recheck_on: Mapped[date | None] = mapped_column(index=True)
    gradual_exit_until: Mapped[date | None]  # first day of the last month paid while exiting
    # a monthly amount decided now that is paid from a later month (a county correction)
    scheduled_amount_fen: Mapped[int | None]
    scheduled_amount_month: Mapped[date | None]  # the first month paid at the scheduled amount

    schema_version: Mapped[SchemaVersion] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")
    deadlines: Mapped[list[CaseDeadline]] = relationship(
        back_populates="case", order_by="CaseDeadline.id", cascade="all, delete-orphan")
    changes: Mapped[list[CaseChange]] = relationship(
        back_populates="case", order_by="CaseChange.id", cascade="all, delete-orphan")
    members: Mapped[list[Member]] = relationship(back_populates="case", order_by="Member.position",
                                                 cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def applicant(self) -> Member | None:
        return next((m for m in self.members if m.is_applicant), None)

    @property
    def lacks_delegation(self) -> bool:
        """The workflow route condition: the approval goes to the county (赋权清单)."""
        return bool(self.county_reason)

    @property
    def is_served(self) -> bool:
        """Being paid or recognized now (a workflow route condition)."""
        from .workflows import SERVED_STATES

        return self.state in SERVED_STATES

    def amount_for(self, month: date) -> int:
        """The monthly amount (fen) paid for ``month``: a scheduled amount from its month on."""
        if self.scheduled_amount_month is not None and month >= self.scheduled_amount_month:
            return self.scheduled_amount_fen or 0
        return self.monthly_amount_fen

    @classmethod
    def amount_in(cls, month: date):
        """``amount_for`` as a SQL expression, for the filings' sums and rosters."""
        from sqlalchemy import and_, case

        return case((and_(cls.scheduled_amount_month.is_not(None),
                          cls.scheduled_amount_month <= month), cls.scheduled_amount_fen),
                    else_=cls.monthly_amount_fen)


# the trigram indexes need the extension before the tables (create_all; migration 0015 too)
event.listen(Case.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


def _tail(context) -> str:
    return (context.get_current_parameters().get("id_number") or "")[-4:]


class Member(Base):
    """A household member as recorded in a case."""

    __tablename__ = "member"
    __table_args__ = _search_indexes("member", "name")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    # the last four characters, indexed: a masked number's tail is what clerks type; filled
    # on bulk (Core) inserts by the context default, on ORM changes by the validator below
    id_number_tail: Mapped[str] = mapped_column(String(4), index=True, default=_tail,
                                                server_default="")
    relationship_: Mapped[str] = mapped_column("relationship", String(20), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")  # "M" / "F", derived from the ID
    birth_date: Mapped[date | None]
    is_applicant: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # the row's other answers

    case: Mapped[Case] = relationship(back_populates="members")

    @validates("id_number")
    def _keep_tail(self, _key, value):
        self.id_number_tail = (value or "")[-4:]
        return value


class CaseEvent(Base):
    """One workflow transition: who did what, in which role, when, with which data."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date]  # the business date the clocks count from
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class CaseDeadline(Base):
    """An open or met time limit of a case (total, investigation start, refusal notice…).

    ``length``/``unit`` are kept so the due date can be recounted when pauses change.
    """

    __tablename__ = "case_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date]
    length: Mapped[int]
    unit: Mapped[str] = mapped_column(String(16), default="working_days")  # or "months"
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(String(200), default="")

    case: Mapped[Case] = relationship(back_populates="deadlines")


class CaseChange(Base):
    """Dynamic management (动态管理): a re-check, increase, decrease, stop, gradual exit, death…"""

    __tablename__ = "case_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    effective_on: Mapped[date]
    amount_before_fen: Mapped[int] = mapped_column(default=0)
    amount_after_fen: Mapped[int] = mapped_column(default=0)
    due_on: Mapped[date | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="changes")


for _child in (CaseEvent, CaseDeadline, CaseChange):
    _child.__scope_via__ = (Case, _child.case_id)


class RelativeRegisterEntry(RegionScoped, Base):
    """近亲属备案: a near relative of civil-affairs staff or a village cadre.

    ``region`` is the region that keeps the entry (township or county). A case with a member
    of this ID number is flagged for a 100% county home visit; the related staff may not act.
    """

    __tablename__ = "relative_register_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cadre_name: Mapped[str] = mapped_column(String(100), default="")
    relation: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff_user = relationship("User", foreign_keys=[staff_user_id])


class DishonestyWarning(RegionScoped, Base):
    """A first occurrence of 失信 behaviour: the household is educated and given a deadline to
    correct; if it refuses, the warning becomes a listing (``DishonestyEntry``)."""

    __tablename__ = "dishonesty_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))  # dishonesty.FraudKind
    facts: Mapped[str] = mapped_column(Text)
    warned_on: Mapped[date]
    correction_due_on: Mapped[date]
    corrected_on: Mapped[date | None]
    listed_on: Mapped[date | None]  # set when the household refused to correct and was listed
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DishonestyEntry(RegionScoped, Base):
    """失信名单: a household (by applicant ID number) refused new applications until expiry,
    its payment stopped from the month of listing, and sent to other departments."""

    __tablename__ = "dishonesty_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), default="other")  # dishonesty.FraudKind
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("dishonesty_warning.id"))
    stopped_cases: Mapped[list] = mapped_column(JSON, default=list)  # case numbers stopped
    listed_on: Mapped[date]
    expires_on: Mapped[date]
    is_active: Mapped[bool] = mapped_column(default=True)  # False once lifted early
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    warning = relationship(DishonestyWarning)


class WorkflowSetting(RegionScoped, Base):
    """A county's overrides of a relief type's workflow settings (deadlines, publicity…)."""

    __tablename__ = "workflow_setting"
    __table_args__ = (UniqueConstraint("region_id", "relief_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    relief_type: Mapped[str] = mapped_column(String(8), ForeignKey("relief_item.code"))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
