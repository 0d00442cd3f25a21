"""What a PDF prints Chinese with: the faces `pdffonts` lists, and the glyph variant per character.

Debian ships Noto CJK as collections whose faces (JP, KR, SC, TC, HK) share one CFF table, so
LibreOffice names every embedded face ``NotoSerifCJKjp-…`` whichever region it used; the
region shows in the glyphs: the same character is a different CID in the SC face (骨, 直, 说,
full-width punctuation…). Each character's embedded CID is checked against the collection's
SC face, and a mismatch is reported with the variant it does match.
"""
from __future__ import annotations

import functools
import io
import re
import subprocess
from pathlib import Path

from fontTools.ttLib import TTCollection
from pypdf import PdfReader

CJK_FACE = re.compile(r"^Noto(Serif|Sans)CJK\w*-(\w+?)(-|$)")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def pdffonts(path: Path) -> list[str]:
    """The embedded font names `pdffonts` lists, without the subset prefix."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()]


@functools.cache
def _variants(style: str, weight: str) -> dict[str, dict[int, str]]:
    """{region: {code point: CID}} for one Noto CJK collection (Serif/Sans, weight)."""
    file = subprocess.run(["fc-match", "-f", "%{file}", f"Noto {style} CJK SC:{weight}"],
                          capture_output=True, text=True, check=True).stdout
    regions: dict[str, dict[int, int]] = {}
    collection = TTCollection(file, lazy=True)
    try:
        for font in collection.fonts:
            postscript = font["name"].getDebugName(6)  # NotoSerifCJKsc-Regular
            regions[re.search(r"CJK(\w\w)-", postscript).group(1).upper()] = {
                char: _cid(glyph) for char, glyph in font.getBestCmap().items()}
    finally:
        collection.close()
    return regions


def _cid(glyph: str) -> int:
    """The CID of a glyph name (fontTools pads ``cid00019``, LibreOffice writes ``cid019``)."""
    return int(glyph[3:]) if glyph.startswith("cid") else -1


def _to_unicode(font) -> dict[int, str]:
    """Character code → text from the font's ToUnicode CMap (bfchar and bfrange)."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(r"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _glyph_cids(font) -> dict[int, int]:
    """Character code → CID from the embedded Type 1 program's encoding vector."""
    program = font["/FontDescriptor"].get_object()["/FontFile"].get_object().get_data()
    header = program.split(b"eexec", 1)[0].decode("latin-1")
    return {int(code): _cid(name) for code, name in re.findall(r"dup (\d+) /(\S+) put", header)}


def _fonts(resources, seen: set):
    """Every font dictionary of a resource tree (pages and the forms they draw)."""
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        key = getattr(font, "idnum", id(font))  # LibreOffice refers to fonts indirectly
        if key not in seen:
            seen.add(key)
            yield font.get_object()
    for xobject in (resources.get("/XObject") or {}).values():
        yield from _fonts(xobject.get_object().get("/Resources"), seen)


def problems(pdf: bytes) -> list[str]:
    """Why this PDF's Chinese is not in Simplified Chinese faces; empty when it is."""
    found = []
    seen: set = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in _fonts(page.get("/Resources"), seen):
            name = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            text = _to_unicode(font) if "/ToUnicode" in font else {}
            face = CJK_FACE.match(name)
            if face is None:
                chinese = "".join(c for c in text.values() if HAN.search(c))
                if chinese or not text:
                    found.append(f"{name} (not a CJK face) prints {chinese[:20] or 'unknown text'}")
                continue
            if font["/Subtype"] != "/Type1" or "/FontFile" not in font["/FontDescriptor"]:
                found.append(f"{name}: {font['/Subtype']} font, the variant check reads Type 1")
                continue
            regions = _variants(face.group(1), face.group(2))
            for code, glyph in _glyph_cids(font).items():
                char = text.get(code, "")
                if len(char) != 1 or regions["SC"].get(ord(char)) == glyph:
                    continue
                # a glyph no region maps (a GSUB alternate, e.g. LibreOffice's digits) says
                # nothing; one another region maps is that region's variant
                other = sorted(r for r, cmap in regions.items() if cmap.get(ord(char)) == glyph)
                if other:
                    found.append(f"{name}: {char} drawn with the {'/'.join(other)} glyph")
    return found
