"""Public notices: built from an allow-list, never an ID number, bank account or income."""
from __future__ import annotations

import re
from datetime import date

import pytest

from server.db import db
from server.documents import operations
from server.documents.models import GeneratedDocument
from server.documents.registry import KINDS, PublicLeak, assert_public_safe
from server.relief import ReliefCode

from ..conftest import region
from .conftest import VILLAGE, docx_text, docx_xml, make_case

ID_SHAPE = re.compile(r"\d{17}[\dX]")
ACCOUNT_SHAPE = re.compile(r"\d{12,19}")


@pytest.fixture
def village_of_50(demo):
    """50 households in 东风村: 25 in publicity, 25 being paid, all with IDs and accounts."""
    codes = [ReliefCode.DB, ReliefCode.TK, ReliefCode.LS, ReliefCode.BY]
    for n in range(50):
        code = codes[n % 4]
        case = make_case(code, 100 + n, state="publicity" if n < 25 else "paying",
                         publicity_start_on=date(2026, 11, 21))
        case.answers = {**case.answers, "bank_account": f"62305200{n:011d}",
                        "income_total": "1234.56", "per_capita_income": "411.52"}
        case.applicant_name = f"{case.applicant_name}{n}"
    db.session.commit()
    return region(VILLAGE)


@pytest.mark.parametrize("kind", ["publicity_notice", "standing_notice"])
def test_notice_of_50_households_holds_no_ids_accounts_or_incomes(village_of_50, kind):
    data = operations.render_kind(kind, village_of_50)
    xml = docx_xml(data)
    assert not ID_SHAPE.search(xml), ID_SHAPE.search(xml).group(0)
    assert not ACCOUNT_SHAPE.search(xml), ACCOUNT_SHAPE.search(xml).group(0)
    text = docx_text(data)
    assert "1234.56" not in text and "1,234.56" not in text and "411.52" not in text
    assert "东风村" in text and "九州农村商业银行" not in text
    rows = KINDS[kind].build_context(village_of_50)["rows"]
    assert rows and all(row["name"] in text for row in rows)
    assert set(rows[0]) == {"number", "name", "persons", "amount", "relief_name", "note"}


def test_publicity_notice_lists_the_cases_in_publicity_with_the_period(village_of_50):
    context = KINDS["publicity_notice"].build_context(village_of_50)
    assert context["total_households"] == 25
    assert context["period"]["start"] == date(2026, 11, 21)
    text = docx_text(operations.render_kind("publicity_notice", village_of_50))
    assert "2026年11月21日至2026年11月27日" in text and "¥1,120.00" in text


def test_standing_notice_lists_paid_monthly_recipients_only(village_of_50):
    rows = KINDS["standing_notice"].build_context(village_of_50)["rows"]
    assert {r["relief_name"] for r in rows} <= {"低保", "特困"}
    ours = [r for r in rows if r["name"][-2:].isdigit()]  # the fixture's names end in n
    assert len(ours) == sum(1 for n in range(25, 50) if n % 4 in (0, 1))


def test_minors_are_not_shown_on_tk_publicity(demo):
    minor = make_case(ReliefCode.TK, 77, state="publicity")
    minor.members[0].birth_date = date(2015, 5, 5)
    adult = make_case(ReliefCode.TK, 78, state="publicity")
    adult.applicant_name = "王成年"
    db.session.commit()
    text = docx_text(operations.render_kind("publicity_notice", region(VILLAGE)))
    assert "王成年" in text and minor.applicant_name not in text.replace("王成年", "")


def test_a_leak_into_a_public_context_is_refused():
    with pytest.raises(PublicLeak):
        assert_public_safe({"rows": [{"name": "张三 220999196803120161"}]})
    with pytest.raises(PublicLeak):
        assert_public_safe({"office": {"phone": "6230520012345678901"}})
    assert_public_safe({"office": {"phone": "0431-12345678"}, "rows": [{"persons": 3}]})


def test_village_assistant_prints_own_village_notices(login, village_of_50):
    client = login("village")
    page = client.get("/documents/villages").get_data(as_text=True)
    assert "东风村" in page and "红旗村" not in page
    response = client.post(f"/documents/villages/{village_of_50.id}",
                           data={"kind": "publicity_notice"})
    assert response.status_code == 302
    page = client.get(f"/documents/villages/{village_of_50.id}").get_data(as_text=True)
    link = re.search(r'href="(/documents/\d+/docx)"', page).group(1)
    data = client.get(link).data
    assert not ID_SHAPE.search(docx_xml(data))
    assert client.get(f"/documents/villages/{region('220999101202').id}").status_code == 404


def test_a_leaking_row_is_named_and_the_notice_offered_without_it(login, demo):
    clean = make_case(ReliefCode.DB, 81, state="publicity", publicity_start_on=date(2026, 11, 21))
    leaky = make_case(ReliefCode.DB, 82, state="publicity", publicity_start_on=date(2026, 11, 21))
    leaky.applicant_name = "张三220999196803120161"
    db.session.commit()
    village = region(VILLAGE)
    with pytest.raises(PublicLeak) as info:
        KINDS["publicity_notice"].build_context(village)
    assert leaky.case_number in str(info.value) and "“姓名”" in str(info.value)
    assert "220999196803120161" not in str(info.value)
    client = login("clerk")
    response = client.post(f"/documents/villages/{village.id}",
                           data={"kind": "publicity_notice"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and leaky.case_number in page
    assert 'data-skip-leaks="publicity_notice"' in page
    assert db.session.query(GeneratedDocument).count() == 0
    response = client.post(f"/documents/villages/{village.id}",
                           data={"kind": "publicity_notice", "skip_leaks": "1"})
    assert response.status_code == 302
    row = db.session.query(GeneratedDocument).one()
    text = docx_text(operations.document_file(row).read_bytes())
    assert clean.applicant_name in text and "张三" not in text and "1户" in text
