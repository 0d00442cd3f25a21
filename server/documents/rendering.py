"""Rendering a .docx template in a sandboxed Jinja environment.

Admins upload templates, so the environment is a security boundary: ImmutableSandboxedEnvironment
(no ``_`` attributes, no mutating calls), StrictUndefined (a typo fails instead of printing
nothing), autoescape (``A&B`` survives in the XML). Empty values print a placeholder through
``finalize``. The output zip gets fixed timestamps so the same inputs give the same bytes.

Speed: one environment per placeholder for the process, which compiles each distinct template
part (document, headers, footers) once, cleaning its XML once too; the .docx is written straight with fixed zip entries
instead of being saved and compressed a second time.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import datetime
from functools import lru_cache

from docx.opc.pkgwriter import PackageWriter
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import LRUCache

from . import formatting
from .registry import Barcode

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = datetime(2000, 1, 1)
COMPILED_PARTS = 256  # distinct template parts kept compiled per environment


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, remembering compiled sources: docxtpl calls ``from_string`` with each
    part's XML on every render, and compiling is a third of a render's time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compiled = LRUCache(COMPILED_PARTS)

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self.compiled.get(source)
        if template is None:
            template = self.compiled[source] = super().from_string(source)
        return template


class DocumentTemplate(DocxTemplate):
    """docxtpl's template, remembering the cleaned-up XML of each part (``patch_xml`` is a
    pure function of the part's source, run on every render)."""

    patched = LRUCache(COMPILED_PARTS)

    def patch_xml(self, src_xml):
        xml = self.patched.get(src_xml)
        if xml is None:
            xml = self.patched[src_xml] = super().patch_xml(src_xml)
        return xml


def make_environment(placeholder: str = formatting.DEFAULT_PLACEHOLDER):
    """A fresh Jinja environment as documents (and the lint) use it."""

    def finalize(value):
        return placeholder if formatting.is_empty(value) else value

    env = DocumentEnvironment(autoescape=True, undefined=StrictUndefined, finalize=finalize)
    env.filters.update({
        "money": lambda v: formatting.money(v, placeholder),
        "capital_money": lambda v: formatting.capital_money(v, placeholder),
        "cn_date": lambda v: formatting.cn_date(v, placeholder),
        "cn_month": lambda v: formatting.cn_month(v, placeholder),
        "or_placeholder": lambda v: placeholder if formatting.is_empty(v) else v,
    })
    return env


FILTERS = frozenset(make_environment().filters)


@lru_cache(maxsize=16)
def environment(placeholder: str = formatting.DEFAULT_PLACEHOLDER) -> DocumentEnvironment:
    """The process-wide environment for a placeholder (immutable once built)."""
    return make_environment(placeholder)


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
    tpl = DocumentTemplate(io.BytesIO(template))
    tpl.render(_images(tpl, context), jinja_env=environment(placeholder), autoescape=True)
    core = tpl.docx.core_properties
    core.created = core.modified = FIXED_CORE_TIME
    core.last_printed = FIXED_CORE_TIME
    core.author = core.last_modified_by = "Jiuzhu"
    core.revision = 1
    if title:
        core.title = title
    return save_stable(tpl)


def _fixed_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


class _StableZipWriter:
    """python-docx's physical package writer interface, with fixed entry dates and modes."""

    def __init__(self, stream):
        self.zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri, blob):
        self.zip.writestr(_fixed_info(pack_uri.membername), blob)

    def close(self):
        self.zip.close()


def save_stable(tpl: DocxTemplate) -> bytes:
    """The rendered package as stable bytes, compressed once: what ``tpl.save`` then
    ``stable_zip`` give, byte for byte, without the second pass."""
    tpl.pre_processing()
    out = io.BytesIO()
    if tpl.crc_to_new_media or tpl.crc_to_new_embedded or tpl.zipname_to_replace:
        tpl.save(out)  # docxtpl rewrites the zip after saving: normalise afterwards
        return stable_zip(out.getvalue())
    package = tpl.docx.part.package
    for part in package.parts:
        part.before_marshal()
    writer = _StableZipWriter(out)
    PackageWriter._write_content_types_stream(writer, package.parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, package.parts)
    writer.close()
    return out.getvalue()


def stable_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, entries in their original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(_fixed_info(info.filename), source.read(info.filename))
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
