"""Simplified Chinese faces for LibreOffice's PDFs.

Debian's fonts-noto-cjk ships each weight as one collection (.ttc) of five faces (JP, KR, SC, TC,
HK) that share a single CFF table, named "NotoSerifCJKjp-Regular" with sub-fonts
"NotoSerifCJKjp-Regular-Ideographs" and so on. Our fonts.conf picks the SC face, whose own cmap
gives the Simplified Chinese glyph shapes, but LibreOffice names an embedded CFF subset after the
CFF table, so every PDF listed "NotoSerifCJKjp" faces (pdffonts, Acrobat's font list, a print
shop's preflight) and looked as if it used the Japanese variant.

So the SC face of each collection we use is copied into a file of its own whose CFF names say
"sc" (the same number of bytes, so no offset moves), and LibreOffice's fontconfig reads those
files instead of the collections. The files are made once per machine (about 20 MB each, under
the temporary directory or ``SHIDIAN_FONT_DIR``) and again when fonts-noto-cjk is upgraded.
"""

from __future__ import annotations

import os
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FONTS_CONF = HERE / "fonts.conf"
# The weights the documents use: body and 小标宋 (Serif Regular, SemiBold, Bold for bold runs),
# 黑体 (Sans Regular, Bold).
COLLECTIONS = (
    "NotoSerifCJK-Regular.ttc",
    "NotoSerifCJK-SemiBold.ttc",
    "NotoSerifCJK-Bold.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
)
# Same-length renames inside the CFF table (font names, sub-font names, full/family names).
CFF_RENAMES = ((b"CJKjp", b"CJKsc"), (b"CJK JP", b"CJK SC"))
HEAD_MAGIC = 0xB1B0AFBA
SC_FAMILIES = {"Noto Serif CJK SC", "Noto Sans CJK SC"}


@dataclass(frozen=True)
class Face:
    collection: Path
    index: int


def font_dir() -> Path:
    return Path(os.environ.get("SHIDIAN_FONT_DIR") or Path(tempfile.gettempdir()) / "shidian-fonts")


def find_sc_faces() -> list[Face]:
    """The SC faces of the collections in COLLECTIONS that fontconfig knows about."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{file}|%{index}|%{family}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    faces = set()
    for line in out.splitlines():
        file, _sep, rest = line.partition("|")
        index, _sep, family = rest.partition("|")
        # The collections also hold "Noto Sans Mono CJK SC": only the proportional SC face.
        names = set(family.split(","))
        if Path(file).name in COLLECTIONS and names & SC_FAMILIES and index.isdigit():
            faces.add(Face(Path(file), int(index)))
    return sorted(faces, key=lambda f: str(f.collection))


def _checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def extract_face(collection: Path, index: int) -> bytes:
    """One face of a font collection as a standalone OpenType file, CFF names renamed."""
    blob = collection.read_bytes()
    if blob[:4] != b"ttcf":
        raise ValueError(f"{collection} is not a font collection")
    (count,) = struct.unpack_from(">I", blob, 8)
    if not 0 <= index < count:
        raise ValueError(f"{collection} has no face {index}")
    (start,) = struct.unpack_from(">I", blob, 12 + 4 * index)
    version, num_tables = struct.unpack_from(">4sH", blob, start)
    tables: list[tuple[bytes, bytes]] = []
    for i in range(num_tables):
        tag, _checksum_, offset, length = struct.unpack_from(">4sIII", blob, start + 12 + 16 * i)
        if tag == b"DSIG":  # a signature of the collection, void for the copy
            continue
        data = blob[offset : offset + length]
        if tag == b"CFF ":
            for old, new in CFF_RENAMES:
                data = data.replace(old, new)
        if tag == b"head":
            data = data[:8] + b"\0\0\0\0" + data[12:]
        tables.append((tag, data))
    n = len(tables)
    power = 1 << (n.bit_length() - 1)
    search_range, selector = power * 16, power.bit_length() - 1
    header = struct.pack(">4sHHHH", version, n, search_range, selector, n * 16 - search_range)
    offset = len(header) + 16 * n
    records, body = b"", b""
    head_at = 0
    for tag, data in tables:
        if tag == b"head":
            head_at = offset
        records += struct.pack(">4sIII", tag, _checksum(data), offset, len(data))
        padded = data + b"\0" * (-len(data) % 4)
        body += padded
        offset += len(padded)
    font = bytearray(header + records + body)
    struct.pack_into(">I", font, head_at + 8, (HEAD_MAGIC - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _sc_name(collection: Path) -> str:
    # NotoSerifCJK-Regular.ttc -> NotoSerifCJKsc-Regular.otf
    family, _sep, weight = collection.stem.partition("-")
    return f"{family}sc-{weight}.otf"


def prepare(target: Path | None = None) -> tuple[Path, list[Path]] | None:
    """Make (or reuse) the SC files; returns (folder, collections replaced) or None when there
    are no Noto CJK collections on this machine."""
    faces = find_sc_faces()
    if not faces:
        return None
    folder = target or font_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for face in faces:
        out = folder / _sc_name(face.collection)
        stamp = face.collection.stat().st_mtime_ns
        if out.is_file() and out.stat().st_mtime_ns == stamp:
            continue
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(extract_face(face.collection, face.index))
            os.chmod(tmp, 0o644)  # the task worker may run as another user
            os.utime(tmp, ns=(stamp, stamp))
            os.replace(tmp, out)  # atomic: another worker may be doing the same
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return folder, [face.collection for face in faces]


_PREPARED: dict[Path, Path] = {}


def fontconfig_file() -> Path:
    """The FONTCONFIG_FILE for LibreOffice: fonts.conf, plus the SC files in place of the
    collections when they could be made (else fonts.conf alone: the PDF still shows the SC
    glyphs, under the collection's "jp" name). Checked once per process and folder."""
    folder = font_dir()
    known = _PREPARED.get(folder)
    if known is not None and known.is_file():
        return known
    _PREPARED[folder] = conf = _fontconfig_file()
    return conf


def _fontconfig_file() -> Path:
    try:
        prepared = prepare()
    except (OSError, ValueError, struct.error):
        return FONTS_CONF
    if prepared is None:
        return FONTS_CONF
    folder, replaced = prepared
    rejects = "".join(f"<glob>{escape(str(path))}</glob>" for path in replaced)
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<fontconfig>\n"
        f"  <dir>{escape(str(folder))}</dir>\n"
        f"  <selectfont><rejectfont>{rejects}</rejectfont></selectfont>\n"
        f"  <include>{escape(str(FONTS_CONF))}</include>\n"
        "</fontconfig>\n"
    )
    conf = folder / "fonts.conf"
    if not conf.is_file() or conf.read_text("utf-8") != text:
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, conf)
    return conf
