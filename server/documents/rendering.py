"""Rendering a .docx template in a sandboxed Jinja environment.

Admins upload templates, so the environment is a security boundary: ImmutableSandboxedEnvironment
(no ``_`` attributes, no mutating calls), StrictUndefined (a typo fails instead of printing
nothing), autoescape (``A&B`` survives in the XML). Empty values print a placeholder through
``finalize``. The output zip gets fixed timestamps so the same inputs give the same bytes.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import formatting
from .registry import Barcode

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = datetime(2000, 1, 1)


def make_environment(placeholder: str = formatting.DEFAULT_PLACEHOLDER):
    """The one Jinja environment documents (and the lint) use."""

    def finalize(value):
        return placeholder if formatting.is_empty(value) else value

    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                        finalize=finalize)
    env.filters.update({
        "money": lambda v: formatting.money(v, placeholder),
        "capital_money": lambda v: formatting.capital_money(v, placeholder),
        "cn_date": lambda v: formatting.cn_date(v, placeholder),
        "cn_month": lambda v: formatting.cn_month(v, placeholder),
        "or_placeholder": lambda v: placeholder if formatting.is_empty(v) else v,
    })
    return env


FILTERS = frozenset(make_environment().filters)


def barcode_png(value: str) -> bytes:
    """Code128 as PNG (SVG does not embed in docx)."""
    from barcode import Code128
    from barcode.writer import ImageWriter

    out = io.BytesIO()
    Code128(value, writer=ImageWriter()).write(out, options={
        "module_width": 0.3, "module_height": 12.0, "quiet_zone": 4.0, "font_size": 9,
        "text_distance": 4.0, "dpi": 300})
    return out.getvalue()


def _images(tpl, value):
    """Swap Barcode markers anywhere in the context for inline images of this template."""
    if isinstance(value, Barcode):
        return InlineImage(tpl, io.BytesIO(barcode_png(value.value)), width=Mm(value.width_mm))
    if type(value) is dict:  # subclasses (the answers) hold no barcodes
        return {k: _images(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_images(tpl, v) for v in value]
    return value


def render(template: bytes, context: dict, placeholder: str = formatting.DEFAULT_PLACEHOLDER,
           title: str = "") -> bytes:
    """Render template bytes with the context; returns stable .docx bytes."""
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(_images(tpl, context), jinja_env=make_environment(placeholder), autoescape=True)
    core = tpl.docx.core_properties
    core.created = core.modified = FIXED_CORE_TIME
    core.last_printed = FIXED_CORE_TIME
    core.author = core.last_modified_by = "Jiuzhu"
    core.revision = 1
    if title:
        core.title = title
    out = io.BytesIO()
    tpl.save(out)
    return stable_zip(out.getvalue())


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, entries in their original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def document_text(data: bytes) -> str:
    """The text of a .docx, paragraph by paragraph (tables included), for checks and hashes."""
    xml = document_xml(data)
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    lines = []
    for paragraph in paragraphs:
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph)
        lines.append("".join(texts))
    from html import unescape

    return unescape("\n".join(lines))


def media(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name.startswith("word/media/")}
