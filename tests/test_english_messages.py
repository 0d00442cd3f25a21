"""English mode (issue 15 point 2) for the ground-floor modules whose refusals reach many
rooms: request parameters (server/params.py), uploaded tables (server/sheets.py) and ID
numbers (server/idnumber.py) are English in English and the same Chinese as before."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from server import idnumber, jobs, params, sheets


def _refusal(action, refusal):
    def run():
        with pytest.raises(refusal) as caught:
            action()
        return str(caught.value.user_message if refusal is params.BadParameter else caught.value)
    return run


def _wrong_check_character() -> str:
    number = idnumber.make("220102", date(1990, 1, 1), 11)
    return number[:17] + ("1" if number[17] == "0" else "0")


CASES = [
    (_refusal(lambda: params.to_int("page", "abc"), params.BadParameter),
     "page must be a whole number", "page 应为整数"),
    (_refusal(lambda: params.to_int("page", "0", minimum=1, maximum=9), params.BadParameter),
     "page must be from 1 to 9", "page 应在 1 到 9 之间"),
    (_refusal(lambda: params.to_month("month", "2026-13"), params.BadParameter),
     "month must be a month, as 2026-03", "month 应为月份，格式 2026-03"),
    (_refusal(lambda: params.to_date("start", "0001-01-01"), params.BadParameter),
     "A date must be in the years 1900 to 2100", "日期应在 1900 年到 2100 年之间"),
    (_refusal(lambda: params.to_period("period", "2026-Q5"), params.BadParameter),
     "period must be a year, a quarter or a month, as 2026, 2026-Q1 or 2026-03",
     "period 应为年份、季度或月份，格式 2026、2026-Q1 或 2026-03"),
    (_refusal(lambda: sheets.read_table("a.xlsx", b"not a zip"), sheets.SheetError),
     "This XLSX file cannot be read", "无法读取该 XLSX 文件"),
    (_refusal(lambda: sheets.read_table("a.csv", b"a\nb\nc\n", sheets.Limits(max_rows=2)),
              sheets.SheetError),
     "The file has more than 2 rows: split it and upload the parts", "文件超过 2 行，请拆分后再上传"),
    (_refusal(lambda: idnumber.validate("220102199902300011"), idnumber.InvalidIdNumber),
     "The birth date in the ID number does not exist", "身份证号码中的出生日期不存在"),
    (_refusal(lambda: idnumber.validate(_wrong_check_character()), idnumber.InvalidIdNumber),
     "The ID number's check character is wrong: check it for a typing error",
     "身份证号码校验位错误，请核对是否输错"),
]


@pytest.mark.parametrize("run, english, chinese", CASES)
def test_refusals_are_english_in_english_and_unchanged_in_chinese(app, run, english, chinese):
    with app.test_request_context(), force_locale("en"):
        assert run() == english
    with app.test_request_context(), force_locale("zh_CN"):
        assert run() == chinese


def test_a_stored_sheet_refusal_stays_chinese_and_reads_back_in_english(app, monkeypatch):
    """A room that stores a refusal on a job row (``jobs.stored``) keeps it in Chinese; with
    ``sheets.MESSAGES`` registered it is shown back in the reader's language."""
    monkeypatch.setattr(jobs, "STORED_MESSAGES", list(jobs.STORED_MESSAGES))
    jobs.stored_messages(*sheets.MESSAGES)
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(sheets.SheetError) as caught:
            sheets.read_table("a.csv", b"a\nb\nc\n", sheets.Limits(max_rows=2))
        kept = jobs.stored(caught.value.args[0])
        assert kept == "文件超过 2 行，请拆分后再上传"
        assert jobs.progress_label(kept) == \
            "The file has more than 2 rows: split it and upload the parts"


@pytest.mark.parametrize("language, message", [
    ("en", "holds a control character"), ("zh-CN", "含有控制字符")])
def test_api_parameter_refusal_follows_accept_language(api, language, message):
    """Checked before the token is read: the API's Accept-Language still decides."""
    client, headers = api("clerk")
    response = client.get("/api/v1/cases/?q=a%01b", headers=headers | {"Accept-Language": language})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "q", "message": message}]


def test_page_parameter_and_control_character_refusals_in_english(login):
    clerk = login("clerk")
    chinese = clerk.get("/cases/?page=abc")
    assert chinese.status_code == 400 and "page 应为整数" in chinese.get_data(as_text=True)
    assert clerk.post("/language", data={"locale": "en", "next": "/"}).status_code == 302
    english = clerk.get("/cases/?page=abc")
    assert english.status_code == 400 and "page must be a whole number" in \
        english.get_data(as_text=True)
    control = clerk.get("/cases/?q=a%01b")
    assert control.status_code == 400 and "q holds a control character" in \
        control.get_data(as_text=True)
