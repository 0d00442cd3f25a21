"""The delegation ledger's refusals in the reader's language (form, flash, API); the Chinese
texts unchanged."""
from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from server.db import db
from server.delegation.models import DelegatedItem
from server.regions.queries import region_by_code
from server.relief import RELIEF_TYPES, ReliefCode

from ..language import asking, speak


def _db_item():
    township = region_by_code("220999201000")  # 太平乡: the demo delegates DB to it
    return township, db.session.scalars(select(DelegatedItem).where(
        DelegatedItem.region_id == township.id, DelegatedItem.relief_type == "DB")).one()


def _overlap(locale: str, item) -> str:
    day = f"{item.starts_on:%Y-%m-%d}"
    relief = RELIEF_TYPES[ReliefCode.DB]
    if locale == "en":
        return (f"The delegation of {relief.name_en} to 太平乡 overlaps the one from {day}: "
                "withdraw that one first")
    return f"太平乡的{relief.name}委托与 {day} 起的委托时间重叠，请先收回原委托"


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_form_and_flash_refusals_follow_the_page_language(login, locale):
    township, item = _db_item()
    admin = speak(login("admin"), locale)
    response = admin.post(f"/delegation/townships/{township.id}/grant", data={
        "grant-relief_type": "DB", "grant-starts_on": "2026-01-01"})
    assert response.status_code == 400
    assert _overlap(locale, item) in unescape(response.get_data(as_text=True))
    response = admin.post(f"/delegation/items/{item.id}/withdraw",
                          data={"withdraw-last_day": "2019-01-01"}, follow_redirects=True)
    assert {"en": "The withdrawal cannot be earlier than the delegation's first day",
            "zh_CN": "收回日期不能早于委托起始日期"}[locale] in unescape(response.get_data(
                as_text=True))


@pytest.mark.parametrize("locale, header", [("en", "en"), ("zh_CN", "zh-CN")])
def test_api_refusals_follow_accept_language(api, locale, header):
    township, item = _db_item()
    client, headers = asking(api, "admin", header)
    response = client.post(f"/api/v1/delegation/townships/{township.id}/items",
                           headers=headers,
                           json={"relief_type": "DB", "starts_on": "2026-10-01"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "starts_on", "message": _overlap(locale, item)}]
