"""Holiday-table refusals are English in English mode and unchanged in Chinese (issue 15
point 2); the CLI import keeps the office's language."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("lang, weekday, line, empty", [
    ("zh_CN", "2028-10-04 是工作日，调休上班日应为周六或周日",
     "第 1 行: 类型应为 holiday（休）或 makeup_workday（班）: &#39;x&#39;", "没有可导入的日期"),
    ("en", "2028-10-04 is a working day: a make-up working day must be a Saturday or Sunday",
     "Line 1: the kind must be holiday or makeup_workday: &#39;x&#39;",
     "There are no dates to import"),
])
def test_holiday_refusals(login, lang, weekday, line, empty):
    client = login("admin")
    client.post("/language", data={"locale": lang, "next": "/"})
    added = client.post("/calendar/holidays", data={"day": "2028-10-04", "kind": "makeup_workday"})
    assert added.status_code == 400 and weekday in added.get_data(as_text=True)
    imported = client.post("/calendar/import", data={"text": "2028-01-01,x,元旦"})
    assert imported.status_code == 400 and line in imported.get_data(as_text=True)
    nothing = client.post("/calendar/import", data={"text": "# nothing"})
    assert nothing.status_code == 400 and empty in nothing.get_data(as_text=True)


def test_working_days_api_refusals_in_english(api):
    client, headers = api("clerk")
    url = "/api/v1/calendar/working-days"
    too_long = client.get(f"{url}?start=2026-01-01&end=2030-01-01",
                          headers=headers | {"Accept-Language": "en"})
    assert too_long.status_code == 422
    assert too_long.json["message"] == "The range cannot be longer than three years"
    assert client.get(f"{url}?start=2026-01-01&end=2030-01-01", headers=headers).json[
        "message"] == "范围不能超过三年"
    out = client.get(f"{url}?start=1800-01-01&end=1800-01-02",
                     headers=headers | {"Accept-Language": "en"})
    assert out.status_code == 422
    assert {e["message"] for e in out.json["errors"]} == {"Dates must be from 1900 to 2100"}
