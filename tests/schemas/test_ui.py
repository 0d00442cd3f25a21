"""Schema admin pages: versions, builder operations, YAML source, import/export, diff, migration."""
from __future__ import annotations

import io

import yaml
from sqlalchemy import select

from server.db import db
from server.schemas import editing
from server.schemas.models import SchemaStatus, SchemaVersion


def _db_versions():
    return list(db.session.scalars(select(SchemaVersion).where(
        SchemaVersion.relief_type == "DB").order_by(SchemaVersion.number)))


def _new_draft(client) -> SchemaVersion:
    response = client.post("/schemas/drafts/new?type=DB")
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    draft = _db_versions()[-1]
    assert draft.status == SchemaStatus.draft
    return draft


def _locator(draft, name, group=None):
    data = editing.source_data(draft.source)
    for row in editing.outline(data):
        if row["spec"]["name"] == name and row.get("group") == group:
            return row["at"]
    raise AssertionError(name)


def test_index_lists_relief_types_and_versions(login):
    page = login("admin").get("/schemas/").get_data(as_text=True)
    for name in ("最低生活保障", "特困人员救助供养", "临时救助", "低保边缘家庭认定"):
        assert name in page
    assert "/schemas/versions/" in page
    # a clerk may read versions but not manage them
    clerk = login("clerk")
    version = _db_versions()[-1]
    assert clerk.get(f"/schemas/versions/{version.id}").status_code == 200
    assert clerk.post("/schemas/drafts/new?type=DB").status_code == 403


def test_version_page_previews_and_exports(login):
    client = login("admin")
    version = _db_versions()[-1]
    page = client.get(f"/schemas/versions/{version.id}").get_data(as_text=True)
    assert 'id="schema-spec"' in page and 'data-field="members[0].name"' in page
    response = client.get(f"/schemas/versions/{version.id}/export")
    assert response.headers["Content-Disposition"].endswith(f'DB-v{version.number}.yaml"')
    assert response.get_data(as_text=True) == version.source


def test_builder_add_field_with_show_if_in_group_and_publish(login):
    """The new-user scenario: 残疾等级 shown only for disabled members, then published."""
    client = login("admin")
    draft = _new_draft(client)
    grade = _locator(draft, "disability_grade", "members")
    assert client.post(f"/schemas/versions/{draft.id}/builder",
                       data={"op": "delete", "at": grade}).status_code == 302
    members = _locator(draft, "members")
    response = client.post(f"/schemas/versions/{draft.id}/builder", data={
        "op": "add", "parent": members, "name": "disability_level", "type": "choice",
        "label": "残疾等级", "show_if": "is_disabled", "required_if": "is_disabled",
        "choices": "一级\n二级\n三级\n四级", "role": ""})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.refresh(draft)
    spec = editing.get_field(editing.source_data(draft.source),
                             _locator(draft, "disability_level", "members"))
    assert spec["show_if"] == "is_disabled" and spec["choices"] == ["一级", "二级", "三级", "四级"]
    page = client.get(f"/schemas/versions/{draft.id}/builder").get_data(as_text=True)
    assert "残疾等级" in page and 'data-field="members[0].disability_level"' in page
    asked = client.post(f"/schemas/versions/{draft.id}/publish")  # no confirm: nothing happens
    assert asked.status_code == 200 and "所有新申请使用的表单" in asked.get_data(as_text=True)
    db.session.refresh(draft)
    assert draft.status == SchemaStatus.draft
    published = client.post(f"/schemas/versions/{draft.id}/publish", data={"confirm": "1"})
    assert published.status_code == 302
    db.session.refresh(draft)
    assert draft.status == SchemaStatus.published
    # published versions are immutable: the builder sends you to the version page
    assert client.get(f"/schemas/versions/{draft.id}/builder").status_code == 302
    assert client.post(f"/schemas/versions/{draft.id}/builder",
                       data={"op": "delete", "at": "0"}).status_code == 302
    assert "disability_level" in db.session.get(SchemaVersion, draft.id).source


def test_builder_error_is_shown_inline_with_its_path_and_not_saved(login):
    client = login("admin")
    draft = _new_draft(client)
    source = draft.source
    response = client.post(f"/schemas/versions/{draft.id}/builder", data={
        "op": "add", "parent": "", "name": "note", "type": "text", "label": "备注",
        "show_if": "incme > 0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    show_if = page[page.index('name="show_if"'):][:600]
    assert "incme" in show_if  # the message sits at the show_if input
    db.session.refresh(draft)
    assert draft.source == source


def _row(page: str, at: str) -> str:
    """The builder outline's list item of the field at a locator."""
    start = page.index(f'id="field-{at.replace(".", "-")}"')
    return page[page.rindex("<li", 0, start):page.index("</li>", start)]


def _first_problem(page: str) -> str:
    """The element the page opens at (every builder form posts to #outcome): the first problem."""
    assert page.count('id="outcome"') == 1, "exactly one scroll target"
    start = page.index('id="outcome"')
    return page[page.rindex("<", 0, start):][:1500]


def test_builder_errors_sit_at_the_field_they_concern_and_are_scrolled_to(login):
    """An edit that breaks another field's rule shows the message at that field's row (its row
    before the unsaved edit moved it), and the page opens there without JavaScript."""
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    source = draft.source
    page = client.get(url).get_data(as_text=True)
    assert page.count('#outcome"') >= 3 and 'action="' + url + '"' not in page
    proxy_name, is_proxy = _locator(draft, "proxy_name"), _locator(draft, "is_proxy")
    response = client.post(url, data={"op": "delete", "at": is_proxy})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = _row(page, proxy_name)  # deleting is_proxy shifted proxy_name up: still found
    assert "is_proxy" in row and 'class="field-error"' in row
    assert "is_proxy" not in _row(page, _locator(draft, "applicant_name"))
    assert 'id="outcome"' in row and "is_proxy" in _first_problem(page)
    # renaming a member field that another member field's rule uses
    grade = _locator(draft, "disability_grade", "members")
    response = client.post(url, data={"op": "edit", "at": _locator(draft, "is_disabled", "members"),
                                      "name": "disabled", "type": "yes_no", "label": "是否残疾"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is_disabled" in _row(page, grade) and 'id="outcome"' in _row(page, grade)
    # the edited field's own error: at its input, which is the scroll target
    response = client.post(url, data={"op": "add", "parent": "", "name": "note", "type": "text",
                                      "label": "备注", "compute": "incme + 1"})
    target = _first_problem(response.get_data(as_text=True))
    assert target.startswith("<label") and 'name="compute"' in target and "incme" in target
    assert 'aria-invalid="true"' in target
    # a name clash is the name input's error
    response = client.post(url, data={"op": "add", "parent": "", "name": "phone", "type": "text",
                                      "label": "电话"})
    target = _first_problem(response.get_data(as_text=True))
    assert 'name="name"' in target and "phone" in target
    # YAML source errors sit in the source section (where the page opens) and at the rows
    bad = source.replace("type: bank_account", "type: bank_acount")
    response = client.post(url, data={"op": "source", "source": bad})
    page = response.get_data(as_text=True)
    target = _first_problem(page)
    assert "未知的字段类型" in target and ".type" in target
    assert page.index('id="outcome"') > page.index('id="source"')
    bank = next(r["at"] for r in editing.outline(editing.source_data(source))
                if r["spec"]["type"] == "bank_account")
    assert "未知的字段类型" in _row(page, bank)
    for odd in ("fields: 5\n", "fields:\n  - {name: g, type: group, label: 组, fields: 3}\n"):
        response = client.post(url, data={"op": "source", "source": source + odd})
        assert response.status_code == 422  # a clear error, not a server error
    db.session.refresh(draft)
    assert draft.source == source


def test_builder_edit_move_delete_and_reorder(login):
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    at = _locator(draft, "phone")
    page = client.get(f"{url}?at={at}").get_data(as_text=True)
    assert 'value="phone"' in page
    assert client.post(url, data={"op": "edit", "at": at, "name": "phone", "type": "phone",
                                  "label": "联系电话（手机）", "required": "y",
                                  "extra": "kind: mobile"}).status_code == 302
    db.session.refresh(draft)
    spec = editing.get_field(editing.source_data(draft.source), at)
    assert spec["label"] == "联系电话（手机）" and spec["kind"] == "mobile" and spec["required"]
    assert client.post(url, data={"op": "up", "at": at}).status_code == 302
    db.session.refresh(draft)
    assert _locator(draft, "phone") == str(int(at) - 1)
    names = [f["name"] for f in editing.source_data(draft.source)["fields"]]
    order = list(range(len(names)))
    order[0], order[1] = 1, 0
    assert client.post(url, data={"op": "reorder", "parent": "",
                                  "order": ",".join(map(str, order))}).status_code == 302
    db.session.refresh(draft)
    new_names = [f["name"] for f in editing.source_data(draft.source)["fields"]]
    assert new_names[:2] == names[1::-1]
    assert client.post(url, data={"op": "delete", "at": _locator(draft, "address")}
                       ).status_code == 302
    db.session.refresh(draft)
    assert "address" not in [f["name"] for f in editing.source_data(draft.source)["fields"]]
    assert client.post(url, data={"op": "reorder", "parent": "", "order": "0,0"}
                       ).status_code == 422
    assert client.post(url, data={"op": "explode"}).status_code == 400


def test_yaml_source_edit_preview_and_errors(login):
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    changed = draft.source.replace("title: 最低生活保障申请", "title: 低保申请（试行）")
    page = client.post(url, data={"op": "preview", "source": changed}).get_data(as_text=True)
    assert "低保申请（试行）" in page
    db.session.refresh(draft)
    assert "试行" not in draft.source  # preview saves nothing
    assert client.post(url, data={"op": "source", "source": changed}).status_code == 302
    db.session.refresh(draft)
    assert "试行" in draft.title
    bad = changed.replace("type: bank_account", "type: bank_acount")
    response = client.post(url, data={"op": "source", "source": bad})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "未知的字段类型" in page and "fields[" in page and ".type" in page
    response = client.post(url, data={"op": "source", "source": "fields: [\n  - {name: x"})
    assert response.status_code == 422 and "YAML 格式错误" in response.get_data(as_text=True)


def test_import_yaml_and_json_and_refuse_lies(login):
    client = login("admin")
    version = _db_versions()[-1]
    source = version.source.replace("title: 最低生活保障申请", "title: 导入的低保表")

    def upload(data: bytes, name: str):
        return client.post("/schemas/import?type=DB", data={"file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    response = upload(source.encode(), "db.yaml")
    assert response.status_code == 302
    draft = _db_versions()[-1]
    assert draft.status == SchemaStatus.draft and draft.title == "导入的低保表"
    as_json = yaml.safe_load(version.source)
    as_json["title"] = "JSON 导入"
    import json
    assert upload(json.dumps(as_json, ensure_ascii=False).encode(), "db.json").status_code == 302
    db.session.refresh(draft)
    assert draft.title == "JSON 导入"
    # a PNG renamed .yaml, YAML claiming to be JSON, an unknown extension: refused, nothing kept
    for data, name, message in [
            (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "form.yaml", "image/png"),
            (b"%PDF-1.4 ...", "form.yml", "application/pdf"),
            (source.encode(), "form.json", "不是 JSON"),
            (source.encode(), "form.txt", "扩展名"),
            ("title: x".encode("utf-16"), "form.yaml", "二进制"),
            (b"title: \xff\xfe x", "form.yaml", "UTF-8")]:
        response = upload(data, name)
        assert response.status_code == 422, name
        assert message in response.get_data(as_text=True), name
    db.session.refresh(draft)
    assert draft.title == "JSON 导入"
    # a schema of the wrong relief type is refused with its path
    response = upload(source.replace("relief_type: DB", "relief_type: TK").encode(), "x.yaml")
    assert response.status_code == 422 and "relief_type" in response.get_data(as_text=True)


def test_diff_between_versions(login):
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    client.post(url, data={"op": "add", "parent": "", "name": "note", "type": "text",
                           "label": "备注"})
    client.post(url, data={"op": "delete", "at": _locator(draft, "address")})
    published = _db_versions()[-2]
    page = client.get(f"/schemas/versions/{draft.id}/diff?against={published.id}").get_data(
        as_text=True)
    assert "备注" in page and "address" in page
    assert page.index("note") < page.index("address") or "<ins>" in page


def test_discard_draft(login):
    client = login("admin")
    draft = _new_draft(client)
    assert client.post(f"/schemas/versions/{draft.id}/discard").status_code == 302
    assert db.session.get(SchemaVersion, draft.id) is None


def test_migrate_case_preview_and_apply(login):
    from server.cases.models import Case

    from ..intake.conftest import form_data

    clerk = login("clerk")
    assert clerk.post("/intake/new?type=DB", data=form_data()).status_code == 302
    case = db.session.scalars(select(Case).order_by(Case.id.desc())).first()
    old_version = case.schema_version_id
    admin = login("admin")
    draft = _new_draft(admin)
    url = f"/schemas/versions/{draft.id}/builder"
    admin.post(url, data={"op": "delete", "at": _locator(draft, "address")})
    admin.post(url, data={"op": "add", "parent": "", "name": "household_note", "type": "text",
                          "label": "家庭情况补充", "required": "y"})
    admin.post(f"/schemas/versions/{draft.id}/publish", data={"confirm": "1"})
    page = clerk.get(f"/schemas/cases/{case.id}/migrate").get_data(as_text=True)
    assert "address" in page and "household_note" in page and "apply-migration" in page
    db.session.refresh(case)
    assert case.schema_version_id == old_version  # preview changes nothing
    response = clerk.post(f"/schemas/cases/{case.id}/migrate", data={"target_id": draft.id})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.schema_version_id == draft.id and "address" not in case.answers
    # another township's clerk cannot see the case
    assert login("clerk2").get(f"/schemas/cases/{case.id}/migrate").status_code == 404


def test_builder_keeps_the_english_of_choices_when_a_field_is_edited(login):
    """Editing a choice field in the builder keeps each choice's ``label_en`` (shown as
    ``value=label|English``) and takes a new one typed the same way."""
    client = login("admin")
    draft = _new_draft(client)
    url = f"/schemas/versions/{draft.id}/builder"
    at = _locator(draft, "proxy_relation")
    values = editing.form_values(editing.get_field(editing.source_data(draft.source), at))
    assert "配偶|Spouse" in values["choices"]
    values["choices"] += "\n祖父母=祖父母|Grandparent"
    form = {k: v for k, v in values.items() if v} | {"op": "edit", "at": at}
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(draft)
    choices = editing.get_field(editing.source_data(draft.source), at)["choices"]
    assert {"value": "配偶", "label": "配偶", "label_en": "Spouse"} in choices
    assert {"value": "祖父母", "label": "祖父母", "label_en": "Grandparent"} in choices
