"""Rendering a .docx template in a sandboxed Jinja environment.

Admins upload templates, so the environment is a security boundary: ImmutableSandboxedEnvironment
(no ``_`` attributes, no mutating calls) bounded in time, operations and sizes (``sandbox``),
StrictUndefined (a typo fails instead of printing nothing), autoescape (``A&B`` survives in the
XML). Any failure becomes a ``RenderError`` whose Chinese message names the document and the
paragraph, so no template can answer a 500. Empty values print a placeholder through
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
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined
from jinja2.utils import LRUCache

from . import formatting, sandbox
from .errors import RenderError, RenderLimit, explain, in_paragraph
from .registry import Barcode, QrCode, title_label

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_CORE_TIME = datetime(2000, 1, 1)
COMPILED_PARTS = 256  # distinct template parts kept compiled per environment


class DocumentEnvironment(sandbox.BoundedEnvironment):
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

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        """docxtpl's part rendering, producing the output piece by piece so its size is
        capped, and remembering the paragraph a failure happened in."""
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        try:
            pieces, size = [], 0
            for piece in jinja_env.from_string(src_xml).generate(context):
                size += len(piece)
                if size > sandbox.MAX_OUTPUT:
                    raise RenderLimit(_l("The template produced too much content"))
                pieces.append(piece)
        except Exception as exc:
            exc.jiuzhu_paragraph = paragraph_at(src_xml, failing_line(exc))
            raise
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", "".join(pieces))
        dst_xml = (dst_xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))
        return self.resolve_listing(dst_xml)


def failing_line(exc: BaseException) -> int | None:
    """The template line (= paragraph) an error was raised on, from Jinja's rewritten frames."""
    if getattr(exc, "lineno", None):
        return exc.lineno
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def paragraph_at(source: str, lineno: int | None) -> str:
    """The text of line ``lineno`` of a part's source (one paragraph per line)."""
    if not lineno:
        return ""
    lines = source.splitlines()
    if not 0 < lineno <= len(lines):
        return ""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])).strip()


def make_environment(placeholder: str = formatting.DEFAULT_PLACEHOLDER):
    """A fresh Jinja environment as documents (and the lint) use it."""

    def finalize(value):
        return placeholder if formatting.is_empty(value) else value

    env = DocumentEnvironment(autoescape=True, undefined=StrictUndefined, finalize=finalize)
    env.add_filters({
        "money": lambda v: formatting.money(v, placeholder),
        "capital_money": lambda v: formatting.capital_money(v, placeholder),
        "cn_date": lambda v: formatting.cn_date(v, placeholder),
        "cn_month": lambda v: formatting.cn_month(v, placeholder),
        "or_placeholder": lambda v: placeholder if formatting.is_empty(v) else v,
    })
    return env



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


def qr_png(value: str) -> bytes:
    """A QR code as PNG (error correction M, big modules so a phone reads it off a board)."""
    import segno

    out = io.BytesIO()
    segno.make_qr(value, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _images(tpl, value):
    """Swap Barcode/QrCode markers anywhere in the context for inline images of this template."""
    if isinstance(value, QrCode):
        return InlineImage(tpl, io.BytesIO(qr_png(value.value)), width=Mm(value.width_mm))
    if isinstance(value, Barcode):
        return InlineImage(tpl, io.BytesIO(barcode_png(value.value)), width=Mm(value.width_mm))
    if type(value) is dict:  # subclasses (the answers) hold no barcodes
        return {k: _images(tpl, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_images(tpl, v) for v in value]
    return value


def render_seconds() -> float:
    if has_app_context():
        return float(current_app.config.get("DOCUMENT_RENDER_SECONDS", sandbox.RENDER_SECONDS))
    return sandbox.RENDER_SECONDS


def render(template: bytes, context: dict, placeholder: str = formatting.DEFAULT_PLACEHOLDER,
           title: str = "") -> bytes:
    """Render template bytes with the context; returns stable .docx bytes.

    Raises ``RenderError`` (Chinese, naming the document and paragraph) for any failure of the
    template, ``RenderLimit`` when it breaks the time, operation or size bounds."""
    try:
        tpl = DocumentTemplate(io.BytesIO(template))
        with sandbox.limits(render_seconds()):
            tpl.render(_images(tpl, context), jinja_env=environment(placeholder),
                       autoescape=True)
    except RenderError as exc:
        raise type(exc)(_failure(title, exc)) from exc
    except Exception as exc:  # noqa: BLE001 - whatever a template does, the user gets a reason
        raise RenderError(_failure(title, exc)) from exc
    core = tpl.docx.core_properties
    core.created = core.modified = FIXED_CORE_TIME
    core.last_printed = FIXED_CORE_TIME
    core.author = core.last_modified_by = "Jiuzhu"
    core.revision = 1
    if title:
        core.title = title
    return save_stable(tpl)


def _failure(title: str, exc: BaseException):
    paragraph = getattr(exc, "jiuzhu_paragraph", "")
    values = {"reason": explain(exc), "where": in_paragraph(paragraph) if paragraph else ""}
    if title:
        return _l("The template of “%(title)s” failed: %(reason)s%(where)s. Ask the county "
                  "admin to correct it, or to go back to the built-in template.",
                  title=title_label(title), **values)
    return _l("The document's template failed: %(reason)s%(where)s. Ask the county admin to "
              "correct it, or to go back to the built-in template.", **values)


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
