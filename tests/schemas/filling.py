"""Fill a compiled schema completely with valid answers (for tests of every shipped form)."""
from __future__ import annotations

from datetime import date

from server import idnumber

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
APPLICANT = idnumber.make("220999", date(1960, 5, 1), 11)
SPOUSE = idnumber.make("220999", date(1962, 8, 9), 22)
CHILD = idnumber.make("220999", date(1990, 1, 2), 33)
OBLIGOR = idnumber.make("220999", date(1985, 3, 4), 45)

SAMPLE = {
    "text": "测试", "long_text": "家庭困难，申请救助。", "integer": 1, "money": "100.00",
    "date": "2026-01-02", "yes_no": True, "phone": "13800138000",
    "bank_account": "6222021234567890123", "id_number": APPLICANT, "file": PNG,
}


def value_for(spec: dict, village: str):
    if spec["type"] in ("choice", "multi_choice"):
        first = spec["choices"][0]
        first = first["value"] if isinstance(first, dict) else first
        return [first] if spec["type"] == "multi_choice" else first
    if spec["type"] == "village":
        return village
    if spec["type"] == "integer" and "min" in spec:
        return max(int(spec["min"]), 1)
    return SAMPLE[spec["type"]]


def fill(definition: dict, village: str = "220999101201") -> dict:
    """Every non-computed field answered; members are 本人 + 配偶 + 子女, obligors one adult."""
    answers = {}
    for spec in definition["fields"]:
        if "compute" in spec:
            continue
        if spec["type"] != "group":
            answers[spec["name"]] = value_for(spec, village)
            continue
        row = {s["name"]: value_for(s, village) for s in spec["fields"] if "compute" not in s}
        if spec["name"] == "members":
            rows = []
            for relationship, number in (("本人", APPLICANT), ("配偶", SPOUSE), ("子女", CHILD)):
                rows.append({**row, "relationship": relationship, "id_number": number,
                             "is_disabled": False, "has_illness": False})
            answers["members"] = rows
        elif spec["name"] == "obligors":
            answers["obligors"] = [{**row, "relationship": "子女", "id_number": OBLIGOR,
                                    "is_able": False}]
        else:
            answers[spec["name"]] = [row]
    return answers
