"""Schema versions: drafts, publishing, diff, migration of a case, forms sync, the API."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.cases.models import Case
from server.db import db
from server.schemas import operations, queries
from server.schemas.models import SchemaStatus, SchemaVersion

from ..conftest import region

FORMS = Path(__file__).resolve().parents[2] / "forms"
COUNTY = "220999000000"

V1 = """format: 1
relief_type: DB
title: 低保
fields:
  - {name: applicant_name, type: text, label: 姓名, required: true}
  - {name: income, type: money, label: 收入}
  - {name: note, type: text, label: 备注}
"""
V2 = """format: 1
relief_type: DB
title: 低保
fields:
  - {name: applicant_name, type: text, label: 申请人姓名, required: true}
  - {name: income, type: money, label: 收入}
  - {name: is_disabled, type: yes_no, label: 是否残疾, required: true}
  - name: disability_grade
    type: choice
    label: 残疾等级
    show_if: is_disabled
    required_if: is_disabled
    choices: [一级, 二级, 三级, 四级]
"""


def _events(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action))


def _versions():
    county = region(OTHER)
    return db.session.scalars(select(SchemaVersion).where(SchemaVersion.county_id == county.id)
                              .order_by(SchemaVersion.number)).all()


OTHER = "229999000000"


@pytest.fixture
def fresh(app, demo):
    """A second county with no forms yet (the demo county's are used by demo cases)."""
    from server.auth.operations import create_user
    from server.auth.roles import Role
    from server.regions.models import Region, RegionLevel

    county = Region(code=OTHER, name="另一县", level=RegionLevel.county)
    village = Region(code="229999101201", name="另一村", level=RegionLevel.village, parent=county)
    db.session.add_all([county, village])
    db.session.flush()
    create_user("admin9", "另一县管理员", "sample-pass-1", Role.county_admin, county)
    db.session.commit()
    return county


@pytest.fixture
def admin(fresh, demo):
    return demo.demo_user("admin9")


def test_demo_publishes_the_shipped_forms(app, demo):
    rows = db.session.scalars(select(SchemaVersion).where(
        SchemaVersion.county_id == region(COUNTY).id)).all()
    assert sorted(v.relief_type for v in rows) == ["BY", "DB", "LS", "TK"]
    assert all(v.status == SchemaStatus.published and v.number == 1 for v in rows)
    assert queries.current_version("DB", demo.demo_user("clerk")).title == "最低生活保障申请"


def test_draft_publish_cycle(fresh, admin):
    county = fresh
    draft = operations.create_draft(county, "DB", admin, V1)
    assert (draft.number, draft.status) == (1, SchemaStatus.draft)
    with pytest.raises(operations.SchemaOperationError, match="已有草稿"):
        operations.create_draft(county, "DB", admin, V1)
    operations.update_draft(draft, V1.replace("备注", "其他说明"), admin)
    operations.publish(draft, admin)
    db.session.commit()
    assert draft.published_at is not None
    with pytest.raises(operations.SchemaOperationError, match="已发布的版本不能修改"):
        operations.update_draft(draft, V2, admin)
    with pytest.raises(operations.SchemaOperationError, match="已发布"):
        operations.publish(draft, admin)
    second = operations.create_draft(county, "DB", admin)  # from the newest version
    assert second.number == 2 and second.source == draft.source
    assert queries.current_version("DB", admin).id == draft.id
    operations.discard_draft(second, admin)
    db.session.commit()
    assert [v.number for v in _versions()] == [1]
    for action in ("schemas.draft_created", "schemas.draft_updated", "schemas.published",
                   "schemas.draft_discarded"):
        assert _events(action) >= 1


@pytest.mark.parametrize("source,path", [
    ("format: 1\nrelief_type: DB\ntitle: t\nfields: [{name: a, type: rocket, label: x}]",
     "fields[0].type"),
    ("format: 1\nrelief_type: TK\ntitle: t\nfields: [{name: a, type: text, label: x}]",
     "relief_type"),
    ("x" * (600 * 1024), ""),
    ("fields: [unclosed", ""),
])
def test_bad_source_saves_nothing(fresh, admin, source, path):
    with pytest.raises(operations.SchemaOperationError) as info:
        operations.create_draft(fresh, "DB", admin, source)
    assert info.value.errors[0][0] == path
    db.session.rollback()
    assert _versions() == []


def test_diff_between_versions(fresh, admin):
    county = fresh
    v1 = operations.publish(operations.create_draft(county, "DB", admin, V1), admin)
    v2 = operations.publish(operations.create_draft(county, "DB", admin, V2), admin)
    diff = queries.diff_versions(v1, v2)
    assert [a["path"] for a in diff["added"]] == ["is_disabled", "disability_grade"]
    assert [r["path"] for r in diff["removed"]] == ["note"]
    assert diff["changed"] == [{"path": "applicant_name", "label": "申请人姓名",
                                "changes": {"label": ["姓名", "申请人姓名"]}}]
    assert "-  - {name: note" in diff["text"] and "+  - {name: is_disabled" in diff["text"]


def test_migrate_case_preview_and_apply(fresh, admin, demo):
    county = fresh
    v1 = operations.publish(operations.create_draft(county, "DB", admin, V1), admin)
    case = Case(case_number="T-1", relief_type="DB", schema_version_id=v1.id,
                region_id=region("229999101201").id, applicant_name="张三",
                applicant_id_number="220999197001010117",
                answers={"applicant_name": "张三", "income": "100.00", "note": "旧备注"})
    db.session.add(case)
    v2 = operations.publish(operations.create_draft(county, "DB", admin, V2), admin)
    db.session.commit()
    clerk = admin
    preview = queries.migration_preview(case, user=clerk)
    assert (preview["from"], preview["to"]) == (1, 2)
    assert preview["dropped"] == [{"path": "note", "value": "旧备注"}]
    assert preview["missing"] == ["is_disabled"]
    assert case.answers["note"] == "旧备注"  # a preview changes nothing
    with pytest.raises(operations.SchemaOperationError, match="新版本"):
        operations.migrate_case(case, clerk, expected_target_id=v1.id)
    operations.migrate_case(case, clerk, expected_target_id=v2.id)
    db.session.commit()
    assert case.schema_version_id == v2.id
    assert case.answers == {"applicant_name": "张三", "income": "100.00"}
    assert _events("schemas.case_migrated") == 1
    with pytest.raises(operations.SchemaOperationError, match="最新版本"):
        operations.migrate_case(case, clerk)


def test_sync_only_when_files_change(app, demo, tmp_path):
    county = region(COUNTY)
    assert {c: o for c, o in operations.sync_forms(county)} == {
        "BY": "unchanged (v1)", "DB": "unchanged (v1)", "LS": "unchanged (v1)",
        "TK": "unchanged (v1)"}
    (tmp_path / "DB.yaml").write_text(
        (FORMS / "DB.yaml").read_text(encoding="utf-8").replace("申请理由", "申请原因"),
        encoding="utf-8")
    assert operations.sync_forms(county, directory=tmp_path) == [("DB", "published v2")]
    (tmp_path / "DB.yaml").write_text("format: 1\nrelief_type: DB\n", encoding="utf-8")
    with pytest.raises(operations.SchemaOperationError, match="DB.yaml"):
        operations.sync_forms(county, directory=tmp_path)


def test_cli_forms_sync(app, demo, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forms", "sync", "--county", COUNTY])
    assert result.exit_code == 0, result.output
    assert "DB: unchanged (v1)" in result.output
    bad = tmp_path / "DB.yaml"
    bad.write_text("format: 1\nrelief_type: DB\ntitle: t\nfields: [{name: a, type: x, label: y}]",
                   encoding="utf-8")
    result = runner.invoke(args=["forms", "sync", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "fields[0].type" in result.output
    result = runner.invoke(args=["forms", "check", str(FORMS / "TK.yaml"), str(bad)])
    assert result.exit_code == 1 and "TK.yaml: ok" in result.output


# -- API --------------------------------------------------------------------------------------

def test_api_lists_and_reads_versions(api):
    client, headers = api("clerk")
    listed = client.get("/api/v1/schemas/versions?relief_type=TK", headers=headers)
    assert listed.status_code == 200
    assert [(v["relief_type"], v["number"], v["status"]) for v in listed.json] == [
        ("TK", 1, "published")]
    one = client.get(f"/api/v1/schemas/versions/{listed.json[0]['id']}", headers=headers)
    assert one.status_code == 200 and "care_level" in one.json["source"]


def test_api_draft_and_publish(api):
    client, headers = api("admin")
    created = client.post("/api/v1/schemas/versions", headers=headers,
                          json={"relief_type": "DB", "source": V2})
    assert created.status_code == 201, created.json
    version_id = created.json["id"]
    assert created.json["status"] == "draft" and created.json["number"] == 2
    bad = client.put(f"/api/v1/schemas/versions/{version_id}", headers=headers,
                     json={"source": V2.replace("show_if: is_disabled", "show_if: is_disabld")})
    assert bad.status_code == 422
    assert bad.json["errors"] == [{"path": "fields[3].show_if",
                                   "message": "未知字段 'is_disabld'"}]
    published = client.post(f"/api/v1/schemas/versions/{version_id}/publish", headers=headers)
    assert published.status_code == 200 and published.json["status"] == "published"
    again = client.put(f"/api/v1/schemas/versions/{version_id}", headers=headers,
                       json={"source": V2})
    assert again.status_code == 409
    diff = client.get(f"/api/v1/schemas/versions/{version_id - 4}/diff/{version_id}",
                      headers=headers)
    assert diff.status_code == 200


@pytest.mark.parametrize("body,path", [
    ({"relief_type": "DB", "source": "fields: [oops"}, ""),
    ({"relief_type": "DB", "source": "format: 1\nrelief_type: DB\ntitle: t\nfields:\n"
                                     " - {name: a, type: integer, label: x, compute: '2 ** 99999'}"},
     "fields[0].compute"),
    ({"relief_type": "XX", "source": V1}, "relief_type"),
    ({"relief_type": "DB", "source": "x" * (600 * 1024)}, "source"),
])
def test_api_refuses_bad_drafts_with_paths(api, body, path):
    client, headers = api("admin")
    before = db.session.scalar(select(func.count(SchemaVersion.id)))
    response = client.post("/api/v1/schemas/versions", headers=headers, json=body)
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == path
    assert db.session.scalar(select(func.count(SchemaVersion.id))) == before


def test_api_clerk_may_not_create_drafts(api):
    client, headers = api("clerk")
    response = client.post("/api/v1/schemas/versions", headers=headers,
                           json={"relief_type": "DB", "source": V1})
    assert response.status_code == 403


def test_migrating_a_case_applies_the_new_forms_roles(fresh, admin, demo):
    """A newer form that declares a role (here 户籍) fills the case's column from the answers
    the case already has, as intake would have."""
    county = fresh
    hukou = "  - {name: hukou, type: choice, label: 户籍, choices: [城镇, 农村]%s}\n"
    v1 = operations.publish(operations.create_draft(county, "DB", admin, V1 + hukou % ""), admin)
    case = Case(case_number="T-2", relief_type="DB", schema_version_id=v1.id,
                region_id=region("229999101201").id, applicant_name="张三",
                applicant_id_number="220999197001010117", urban_rural="rural",
                answers={"applicant_name": "张三", "hukou": "城镇"})
    db.session.add(case)
    operations.publish(operations.create_draft(
        county, "DB", admin, V1 + hukou % ", role: urban_rural"), admin)
    db.session.commit()
    operations.migrate_case(case, admin)
    db.session.commit()
    assert case.urban_rural == "urban"
