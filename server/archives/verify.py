"""Re-hash a bundle against its manifest: a bundle folder, one copy's ZIP, or an unpacked copy.

Reports every difference (missing, extra, changed files); an empty list means intact.
"""
from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .bundle import MANIFEST

# What a damaged ZIP raises while its entries are read (bad CRC, garbled or cut-off data).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError)


@dataclass(frozen=True)
class Difference:
    where: str  # the bundle part: a folder, a ZIP, …
    path: str
    problem: str  # missing / extra / changed / unreadable

    def __str__(self) -> str:
        return f"{self.problem:<10} {self.where}: {self.path}"


class _Tree:
    """Named files of a folder or a ZIP, read the same way."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def names(self) -> set[str]:
        if self.zip is not None:
            return {i.filename for i in self.zip.infolist() if not i.is_dir()}
        return {p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()}

    def read(self, name: str) -> bytes:
        return self.zip.read(name) if self.zip is not None else (self.path / name).read_bytes()


def _check_files(tree: _Tree, files: list[dict], where: str, ignore: set[str]) -> list[Difference]:
    out = []
    listed = {f["path"] for f in files}
    present = tree.names() - ignore
    for f in files:
        if f["path"] not in present:
            out.append(Difference(where, f["path"], "missing"))
            continue
        try:
            data = tree.read(f["path"])
        except DAMAGED:
            out.append(Difference(where, f["path"], "unreadable"))
            continue
        if len(data) != f["size"] or hashlib.sha256(data).hexdigest() != f["sha256"]:
            out.append(Difference(where, f["path"], "changed"))
    out.extend(Difference(where, name, "extra") for name in sorted(present - listed))
    return out


def _load_manifest(tree: _Tree, where: str) -> dict | Difference:
    try:
        return json.loads(tree.read(MANIFEST))
    except (KeyError, FileNotFoundError):
        return Difference(where, MANIFEST, "missing")
    except DAMAGED:  # includes JSON errors (ValueError)
        return Difference(where, MANIFEST, "unreadable")


def verify(path: Path) -> list[Difference]:
    """All differences between the bundle at ``path`` and its manifest(s)."""
    path = Path(path)
    if not path.exists():
        return [Difference(str(path), "", "missing")]
    try:
        tree = _Tree(path)
    except DAMAGED:
        return [Difference(str(path), "", "unreadable")]
    manifest = _load_manifest(tree, path.name)
    if isinstance(manifest, Difference):
        return [manifest]
    if "copies" not in manifest:  # one copy: a ZIP or an unpacked ZIP
        return _check_files(tree, manifest.get("files", []), path.name, {MANIFEST})
    out = []
    outputs = [o for c in manifest["copies"].values() for o in c.get("outputs", {}).values()]
    out += _check_files(tree, outputs, path.name, {MANIFEST})
    for copy in manifest["copies"].values():
        zip_out = copy.get("outputs", {}).get("zip")
        zip_path = path / zip_out["path"] if zip_out else None
        if zip_path is None or not zip_path.is_file():
            continue  # already reported missing above
        try:
            inner = _Tree(zip_path)
        except DAMAGED:
            out.append(Difference(zip_path.name, "", "unreadable"))
            continue
        out += _check_files(inner, copy.get("files", []), zip_path.name, {MANIFEST})
        inner_manifest = _load_manifest(inner, zip_path.name)
        if isinstance(inner_manifest, Difference):
            out.append(inner_manifest)
        elif inner_manifest.get("files") != copy.get("files"):
            out.append(Difference(zip_path.name, MANIFEST, "changed"))
    return out
