"""Issue 15.7: prints use Simplified Chinese faces (serif for 仿宋/宋体 body, sans for 黑体), never
the Japanese or Korean glyph variants or a Latin face for Chinese text; the templates name fonts
a Chinese office PC has."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from server.documents import operations, pdf
from server.documents.queries import builtin_path
from server.documents.registry import KINDS, subject_of

from .pdf_fonts import pdffonts, problems

# Fonts every Chinese-language Windows installs (Word offers them), by Chinese and English name
WINDOWS_FONTS = {"仿宋": "FangSong", "宋体": "SimSun", "黑体": "SimHei", "楷体": "KaiTi"}


@pytest.mark.pdf
def test_every_kind_prints_in_simplified_chinese_faces(cases, tmp_path):
    files = []
    for name, kind in KINDS.items():
        case = cases[min(kind.relief_types)]
        files.append((name, operations.render_kind(name, subject_of(kind, case))))
    pdfs = operations.convert_bytes(files)  # one soffice run for every kind
    found = {}
    for (name, _), data in zip(files, pdfs, strict=True):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        faces = pdffonts(path)
        wrong = [f for f in faces if not re.match(r"Noto(Serif|Sans)CJK", f)]
        wrong += problems(data)
        if not any(f.startswith("NotoSerifCJK") for f in faces):
            wrong.append(f"no serif face for the 仿宋 body: {faces}")
        if wrong:
            found[name] = wrong[:5]
    assert not found


def _docx(fonts: list[str | None]) -> bytes:
    """One paragraph per font, each in Chinese text that differs between the regions' glyphs."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for font in fonts:
        run = doc.add_paragraph().add_run("骨直说户，。")
        if font:
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.pdf
def test_every_office_font_the_mapping_names_prints_in_sc_and_the_check_sees_jp(app, tmp_path):
    """Each family fonts.conf maps (and text naming no font) prints in its SC face; a run set in
    the JP face is caught, so the check above can fail."""
    conf = pdf.FONTS_CONF.read_text(encoding="utf-8")
    mapped = re.findall(r"<alias[^>]*><family>([^<]+)</family><prefer><family>([^<]+)<", conf)
    serif = [name for name, to in mapped if to == "Noto Serif CJK SC" and name != "Times New Roman"]
    sans = [name for name, to in mapped if to == "Noto Sans CJK SC"]
    assert {"仿宋", "宋体", "方正小标宋简体", "FangSong", "SimSun"} <= set(serif)
    assert {"黑体", "SimHei"} <= set(sans)
    names = ["serif", "sans", "unnamed", "jp"]
    pdfs = operations.convert_bytes([("serif", _docx(serif)), ("sans", _docx(sans)),
                                     ("unnamed", _docx([None])),
                                     ("jp", _docx(["Noto Serif CJK JP"]))])
    faces = {}
    for name, data in zip(names, pdfs, strict=True):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        faces[name] = {re.match(r"Noto(Serif|Sans)CJK", f) and f[:9] or f
                       for f in pdffonts(tmp_path / f"{name}.pdf")}
    assert faces["serif"] == {"NotoSerif"} and faces["sans"] == {"NotoSansC"}
    assert faces["unnamed"] <= {"NotoSerif", "NotoSansC"}
    for name in ("serif", "sans", "unnamed"):
        assert problems(pdfs[names.index(name)]) == [], name
    assert any("JP" in line and "骨" in line for line in problems(pdfs[-1]))


def test_templates_name_fonts_a_chinese_office_pc_has():
    for name in KINDS:
        with zipfile.ZipFile(builtin_path(name)) as archive:
            xml = "".join(archive.read(n).decode() for n in archive.namelist()
                          if re.match(r"word/(styles|document|header\d*|footer\d*)\.xml$", n))
            table = archive.read("word/fontTable.xml").decode()
        named = set(re.findall(r'w:eastAsia="([^"]+)"', xml)) - {"zh-CN"}
        assert named, name
        for font in named:
            entry = re.search(rf'<w:font w:name="{font}">(.*?)</w:font>', table)
            assert entry, (name, font)
            alternative = re.search(r'w:altName w:val="([^"]+)"', entry.group(1))
            # Word substitutes the altName when the font itself is missing
            assert font in WINDOWS_FONTS or (alternative and alternative.group(1) in WINDOWS_FONTS), \
                (name, font)
            if font in WINDOWS_FONTS:
                assert alternative and alternative.group(1) == WINDOWS_FONTS[font], (name, font)


def test_every_profile_slot_gets_the_mapping_with_the_system_fonts(app, tmp_path):
    """A conversion running beside another (so in another profile slot) still gets fonts.conf,
    and that file keeps the system's fontconfig (it adds to it, never replaces it)."""
    fake = tmp_path / "soffice"
    fake.write_text('#!/bin/sh\nwhile [ $# -gt 0 ]; do case "$1" in --outdir) dir=$2; shift;;\n'
                    '-env:*) profile=$1;; esac; last=$1; shift; done\n'
                    'printf "%s\\n%s\\n" "$FONTCONFIG_FILE" "$profile" '
                    '> "$dir/$(basename "$last" .docx).pdf"\n')
    fake.chmod(0o755)
    app.config["SOFFICE"] = str(fake)
    source = tmp_path / "a.docx"
    source.write_bytes(b"docx")
    with pdf._private_profile() as busy:  # another conversion holds this slot meanwhile
        [out] = pdf.convert([source], tmp_path / "out")
    fonts_file, profile = out.read_text().splitlines()
    assert fonts_file == str(pdf.FONTS_CONF)
    assert profile.startswith("-env:UserInstallation=") and profile != (
        f"-env:UserInstallation={busy.as_uri()}")
    assert '<include ignore_missing="no">/etc/fonts/fonts.conf</include>' in pdf.FONTS_CONF.read_text()
