"""Field roles: what other rooms read a form's field as, declared by the schema (``role:``).

A role names one fact of the application (the household's 户籍, the 特困 support mode, the
proxy…) independent of the field's name, which the county admin may change. Each role says
where it may stand (top level, the members group, or a field of the members group), which
field types may carry it, and which Case/Member attribute the intake fills from it, with the
choice values it understands. The loader refuses unknown roles, a role used twice and choice
values the role cannot convert, so the mapping at intake never has to guess.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .wording import joined

TOP, GROUP, MEMBER = "top", "group", "member"
MEMBERS_GROUP = "members"


@dataclass(frozen=True)
class Role:
    name: str
    label: object  # English msgid (lazy), for the builder
    level: str  # TOP, GROUP (a group field itself) or MEMBER (a field of the members group)
    types: frozenset[str]
    target: str | None = None  # Case (TOP) or Member (MEMBER) attribute the intake fills
    values: dict = field(default_factory=dict)  # choice value -> attribute value (if any)

    def convert(self, value):
        """The attribute value of a clean answer (None: nothing to fill)."""
        if value in (None, "", []):
            return None
        if self.values:
            return self.values.get(str(value) if not isinstance(value, bool) else value)
        return value


ROLES: dict[str, Role] = {}


def register(role: Role) -> Role:
    ROLES[role.name] = role
    return role


TEXT = frozenset({"text"})
URBAN = {"urban": "urban", "城镇": "urban", "城市": "urban", "rural": "rural", "农村": "rural"}
SUPPORT = {"concentrated": True, "集中": True, "集中供养": True,
           "dispersed": False, "分散": False, "分散供养": False}
CARE = {"全自理": "全自理", "半护理": "半护理", "全护理": "全护理",
        "self": "全自理", "partial": "半护理", "full": "全护理"}
LS_KIND = {"emergency": "emergency", "急难型": "emergency", "spending": "spending",
           "支出型": "spending"}
LS_KIND_LABELS = {"emergency": "急难型", "spending": "支出型"}  # the stored kind in print

for _role in (
    Role("applicant_name", _l("Applicant name"), TOP, TEXT),
    Role("applicant_id_number", _l("Applicant ID number"), TOP, frozenset({"id_number"})),
    Role("village", _l("Village of the household"), TOP, frozenset({"village"})),
    Role("phone", _l("Contact phone"), TOP, frozenset({"phone"})),
    Role("bank_account", _l("Bank account for payment"), TOP, frozenset({"bank_account"})),
    Role("urban_rural", _l("Urban or rural household"), TOP, frozenset({"choice"}), "urban_rural",
         URBAN),
    Role("per_capita_income", _l("Per-capita monthly income"), TOP, frozenset({"money"})),
    Role("persons_covered", _l("Persons covered"), TOP, frozenset({"integer"}),
         "persons_covered"),
    Role("support_mode", _l("Support mode (tekun: concentrated or dispersed)"), TOP,
         frozenset({"choice"}), "is_concentrated", SUPPORT),
    Role("care_level", _l("Care level (tekun)"), TOP, frozenset({"choice", "text"}), "care_level",
         CARE),
    Role("ls_kind", _l("Temporary aid kind (emergency or spending)"), TOP, frozenset({"choice"}),
         "ls_kind", LS_KIND),
    Role("requested_amount", _l("Amount requested"), TOP, frozenset({"money"})),
    Role("proxy_name", _l("Proxy name"), TOP, TEXT, "proxy_name"),
    Role("proxy_id_number", _l("Proxy ID number"), TOP, frozenset({"id_number"}),
         "proxy_id_number"),
    Role("proxy_relation", _l("Proxy's relationship to the applicant"), TOP,
         frozenset({"text", "choice"}), "proxy_relation"),
    Role(MEMBERS_GROUP, _l("Household members (group)"), GROUP, frozenset({"group"})),
    Role("obligors", _l("Legal obligors (group)"), GROUP, frozenset({"group"})),
    Role("member_name", _l("Member name"), MEMBER, TEXT, "name"),
    Role("member_id_number", _l("Member ID number"), MEMBER, frozenset({"id_number"}), "id_number"),
    Role("relationship", _l("Relationship to the applicant"), MEMBER,
         frozenset({"choice", "text"}), "relationship_"),
    Role("member_disability", _l("Member's disability grade"), MEMBER,
         frozenset({"choice", "text"}), "disability"),
):
    register(_role)

NAME_ROLES = frozenset({"applicant_name", "member_name", "proxy_name"})


def check_roles(fields: list, path_of=lambda i: f"fields[{i}]") -> list[tuple[str, str]]:
    """(path, message) for every misuse of roles in a form's (usable) fields."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}

    def check(spec: dict, path: str, where: str) -> None:
        name = spec.get("role")
        if name in (None, ""):
            return
        role = ROLES.get(name) if isinstance(name, str) else None
        if role is None:
            problems.append((f"{path}.role", _("Unknown role '%(name)s' (known: %(known)s)",
                                                name=name, known=joined(ROLES))))
            return
        if role.level != where:
            problems.append((f"{path}.role", {
                MEMBER: _("Role '%(name)s' is only for fields in the household members' group "
                          "(role: members)", name=name),
                GROUP: _("Role '%(name)s' is only for a group", name=name),
                TOP: _("Role '%(name)s' is only for a top-level field, not one in a group",
                       name=name),
            }[role.level]))
            return
        if spec.get("type") not in role.types:
            problems.append((f"{path}.role", _(
                "Role '%(name)s' is only for fields of these types: %(types)s", name=name,
                types=joined(sorted(role.types)))))
            return
        if name in seen:
            problems.append((f"{path}.role", _(
                "Role '%(name)s' is already used by %(path)s: a form uses it once", name=name,
                path=seen[name])))
            return
        seen[name] = path
        if role.values and spec.get("type") == "choice":
            from .fields import choice_pairs

            bad = [v for v, _ in choice_pairs(spec) if v not in role.values]
            if bad:
                problems.append((f"{path}.choices", _(
                    "Role '%(name)s' does not know the choices %(bad)s (known: %(known)s)",
                    name=name, bad=joined(f"'{v}'" for v in bad), known=joined(role.values))))

    for i, spec in enumerate(fields):
        if not isinstance(spec, dict):
            continue
        check(spec, path_of(i), GROUP if spec.get("type") == "group" else TOP)
        if spec.get("type") == "group" and isinstance(spec.get("fields"), list):
            where = MEMBER if spec.get("role") == MEMBERS_GROUP else TOP
            for j, sub in enumerate(spec["fields"]):
                if isinstance(sub, dict):
                    check(sub, f"{path_of(i)}.fields[{j}]", where if where == MEMBER else "nested")
    return problems


def fields_by_role(definition: dict) -> dict[str, dict]:
    """Top-level fields keyed by role (the loader allows each role once)."""
    return {spec["role"]: spec for spec in definition.get("fields") or [] if spec.get("role")}


def field_name(definition: dict, role: str) -> str:
    """The field that carries a role; a form declaring none is read at the role's own name."""
    spec = fields_by_role(definition).get(role)
    return spec["name"] if spec else role


def case_facts(definition: dict, answers: dict) -> dict:
    """Case attributes filled from the top-level fields whose role has a target (at intake,
    and again when a case moves to a newer form)."""
    out = {}
    for name, spec in fields_by_role(definition).items():
        role = ROLES.get(name)
        if role is None or role.level != TOP or role.target is None:
            continue
        value = role.convert(answers.get(spec["name"]))
        if value is not None:
            out[role.target] = value
    return out
