"""The spot-check draw: ceil(rate%) of the month's new recipients plus every must-visit case,
reproducible from the stored seed and population, never redone quietly, printed safely."""
from __future__ import annotations

import io
import math
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db
from server.demo import demo_user
from server.regions.models import Region, RegionLevel
from server.supervision import operations
from server.supervision.models import SpotCheckDraw

from ..archives.factories import make_case
from ..conftest import region

MARCH = date(2026, 3, 1)


@pytest.fixture
def march(demo):
    """东风镇: 7 new recipients in March, an older one, a relative-of-staff case, a case flagged
    as doubtful, a refused relative case (closed: not visited); 太平乡: 1 new recipient."""
    new = [make_case(start=MARCH, village_code=v).id
           for v in ("220999101201", "220999101202", "220999101203") * 2 + ("220999101201",)]
    older = make_case(start=date(2026, 1, 1))
    relative = make_case(start=date(2026, 1, 1), is_relative_case=True)
    doubt = make_case(start=None, state="investigating", flags=["doubt"])
    closed = make_case(start=None, state="refused", is_relative_case=True)
    taiping = make_case(village_code="220999201201", start=MARCH)
    db.session.commit()
    return {"new": new, "older": older.id, "relative": relative.id, "doubt": doubt.id,
            "closed": closed.id, "taiping": taiping.id}


def _doubtful() -> set[int]:
    from server.cases.models import Case
    from server.cases.workflows import FINAL_STATES

    return {c.id for c in db.session.scalars(select(Case)) if "doubt" in c.flags
            and c.state not in FINAL_STATES and c.region.code.startswith("220999101")}


def _draw(client, township="220999101000", **form):
    data = {"township_id": region(township).id, "month": "2026-03"} | form
    return client.post("/supervision/draws", data=data)


def test_draw_takes_30_percent_of_new_recipients_plus_must_visit_cases(login, march):
    response = _draw(login("supervisor"))
    assert response.status_code == 302
    row = db.session.scalars(select(SpotCheckDraw)).one()
    assert row.population == sorted(march["new"])  # only 东风镇's March new recipients
    assert len(row.drawn) == math.ceil(7 * 30 / 100) == 3
    assert set(row.drawn) <= set(march["new"])
    doubtful = _doubtful()  # ours and the demo's case sent to appraisal for a doubt
    assert march["doubt"] in doubtful and len(doubtful) == 2
    assert row.must_visit == {str(march["relative"]): ["relative"]} | {
        str(i): ["doubt"] for i in doubtful}
    checks = {c.case_id: c for c in row.checks}
    assert set(checks) == set(row.drawn) | {march["relative"], *doubtful}
    assert march["closed"] not in checks and march["older"] not in checks
    assert all(c.assignee_id == demo_user("supervisor").id for c in row.checks)
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.draw")).one()
    assert audit.details["seed"] == row.seed and audit.details["population"] == row.population
    assert audit.details["drawn"] == row.drawn
    page = login("supervisor").get(response.headers["Location"]).get_data(as_text=True)
    assert row.seed in page and "近亲属备案" in page
    assert db.session.get(type(row.checks[0].case), march["relative"]).applicant_id_number \
        not in page  # masked


def test_same_seed_and_population_give_the_same_cases(demo, march):
    supervisor, township = demo_user("supervisor"), region("220999101000")
    first = operations.draw(township, MARCH, supervisor)
    assert operations.is_reproduced(first)
    assert operations.pick(first.population, int(first.seed), 30) == first.drawn
    again = operations.draw(township, MARCH, supervisor, seed=int(first.seed), reason="复核种子")
    assert again.drawn == first.drawn and again.number == 2
    assert 0 <= int(first.seed) < 2**64
    population = list(range(1, 101))
    picks = {tuple(operations.pick(population, seed, 30)) for seed in (1, 2, 3)}
    assert len(picks) == 3 and all(len(p) == 30 for p in picks)  # the seed decides


def test_second_draw_needs_a_reason_and_is_audited(login, api, march):
    client = login("supervisor")
    _draw(client)
    refused = _draw(client)
    assert refused.status_code == 302
    assert "重新抽取须填写理由" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(SpotCheckDraw)).all().__len__() == 1
    api_client, headers = api("supervisor")
    body = {"township_id": region("220999101000").id, "month": "2026-03-01"}
    response = api_client.post("/api/v1/supervision/draws", json=body, headers=headers)
    assert response.status_code == 422 and response.json["errors"][0]["path"] == "reason"
    response = api_client.post("/api/v1/supervision/draws", headers=headers,
                               json=body | {"reason": "首次抽取名单遗失，重新抽取"})
    assert response.status_code == 201 and response.json["number"] == 2
    draws = db.session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.number)).all()
    assert [d.is_current for d in draws] == [False, True]
    audits = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.draw").order_by(AuditEvent.id)).all()
    assert len(audits) == 2 and audits[1].details["reason"] == "首次抽取名单遗失，重新抽取"
    assert audits[1].details["replaces"] == draws[0].id
    listed = api_client.get("/api/v1/supervision/draws?month=2026-03", headers=headers).json
    assert [d["id"] for d in listed] == [draws[1].id]


def test_rate_is_configurable_but_never_below_the_least(app, login, march):
    supervisor, township = demo_user("supervisor"), region("220999101000")
    with pytest.raises(operations.DrawError):
        operations.draw(township, MARCH, supervisor, rate_percent=29)
    assert len(operations.draw(township, MARCH, supervisor, rate_percent=50).drawn) == 4
    app.config["SPOT_CHECK_PERCENT"] = 60
    row = operations.draw(township, MARCH, supervisor, reason="提高比例")
    assert row.rate_percent == 60 and len(row.drawn) == math.ceil(7 * 0.6)


def test_xlsx_cells_are_safe_and_ids_masked(login, march):
    from server.cases.models import Case

    relative = db.session.get(Case, march["relative"])
    relative.applicant_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    client = login("supervisor")
    _draw(client)
    row = db.session.scalars(select(SpotCheckDraw)).one()
    response = client.get(f"/supervision/draws/{row.id}/xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    formula = next(c for c in cells if c.value == relative.applicant_name)
    assert formula.data_type == "s" and formula.quotePrefix
    texts = " ".join(str(c.value) for c in cells)
    assert relative.applicant_id_number not in texts and "*" in texts
    assert row.seed in texts and "抽查名单" in texts


def test_assignment_goes_to_a_county_supervisor_only(login, march, demo):
    from server.auth.operations import create_user
    from server.auth.roles import Role

    second = create_user("supervisor2", "县民政局监管员二", "pw-Jiuzhu-2026", Role.county_supervisor,
                         region("220999000000"))
    db.session.commit()
    client = login("supervisor")
    _draw(client)
    row = db.session.scalars(select(SpotCheckDraw)).one()
    assert {c.assignee_id for c in row.checks} == {demo_user("supervisor").id, second.id}
    check = row.checks[0]
    client.post(f"/supervision/checks/{check.id}/assign", data={"assignee_id": second.id})
    db.session.refresh(check)
    assert check.assignee_id == second.id
    client.post(f"/supervision/checks/{check.id}/assign",
                data={"assignee_id": demo_user("clerk").id})
    db.session.refresh(check)
    assert check.assignee_id == second.id  # a township clerk is not a supervisor
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.assign")).all()


def test_scoping_township_users_and_another_county(login, api, march):
    client = login("supervisor")
    _draw(client)
    mine = db.session.scalars(select(SpotCheckDraw)).one()
    assert login("clerk").get("/supervision/draws").status_code == 403
    assert login("approver").get(f"/supervision/draws/{mine.id}").status_code == 403
    assert _draw(login("clerk")).status_code == 403
    clerk_api, clerk_headers = api("clerk")
    assert clerk_api.get(f"/api/v1/supervision/draws/{mine.id}",
                         headers=clerk_headers).status_code == 403
    # another county's township and draw
    county = Region(code="220998000000", name="邻县", level=RegionLevel.county)
    town = Region(code="220998101000", name="邻县一镇", level=RegionLevel.township, parent=county)
    db.session.add_all([county, town])
    db.session.flush()
    other = SpotCheckDraw(region=town, month=MARCH, seed="5", rate_percent=30, population=[],
                          drawn=[], must_visit={})
    db.session.add(other)
    db.session.commit()
    assert client.get(f"/supervision/draws/{other.id}").status_code == 404
    assert client.get(f"/supervision/draws/{other.id}/xlsx").status_code == 404
    assert _draw(client, "220998101000").status_code == 404
    api_client, headers = api("supervisor")
    assert api_client.get(f"/api/v1/supervision/draws/{other.id}",
                          headers=headers).status_code == 404
    response = api_client.post("/api/v1/supervision/draws", headers=headers,
                               json={"township_id": town.id, "month": "2026-03-01"})
    assert response.status_code == 404 and response.json["code"] == "not_found"
    assert "邻县一镇" not in client.get("/supervision/draws?month=2026-03").get_data(as_text=True)


def test_case_page_shows_its_spot_check_to_the_county_only(login, march):
    client = login("supervisor")
    _draw(client)
    row = db.session.scalars(select(SpotCheckDraw)).one()
    page = client.get(f"/cases/{march['relative']}").get_data(as_text=True)
    assert 'id="case-spot-checks"' in page and f"/supervision/draws/{row.id}" in page
    assert 'id="case-spot-checks"' not in login("clerk").get(
        f"/cases/{march['relative']}").get_data(as_text=True)


def test_draw_all_draws_each_undrawn_township_once_as_draw_would(login, march):
    client = login("supervisor")
    _draw(client, "220999201000")  # 太平乡 drawn already
    response = client.post("/supervision/draws/all", data={"month": "2026-03"})
    assert response.status_code == 302
    draws = {d.region.code: d for d in db.session.scalars(select(SpotCheckDraw))}
    assert set(draws) == {"220999001000", "220999101000", "220999201000"}
    assert all(d.number == 1 for d in draws.values())  # 太平乡 not drawn again
    dongfeng = draws["220999101000"]
    assert dongfeng.population == operations.population_of(region("220999101000"), MARCH)
    assert dongfeng.population == sorted(march["new"])
    assert dongfeng.must_visit == {str(k): v for k, v in operations.must_visit_of(
        region("220999101000")).items()} and str(march["relative"]) in dongfeng.must_visit
    assert operations.is_reproduced(dongfeng) and len(dongfeng.drawn) == 3
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "supervision.draw")).all()) == 3
    client.post("/supervision/draws/all", data={"month": "2026-03"})  # nothing left to draw
    assert len(db.session.scalars(select(SpotCheckDraw)).all()) == 3
    assert login("clerk").post("/supervision/draws/all", data={"month": "2026-03"}
                               ).status_code == 403
