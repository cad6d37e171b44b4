"""Read back what the statement wrote: XLSX via openpyxl, PDF text via its content streams."""

from __future__ import annotations

import base64
import io
import re
import zlib
from decimal import Decimal

import openpyxl

_OBJECT = re.compile(rb"\d+ 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", re.S)
# a font selection (/F2 9 Tf) or a string literal, in the order they appear
_TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\()])*)\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(raw):
        if raw[i : i + 1] != b"\\":
            out += raw[i : i + 1]
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8) & 0xFF)
            i += 1 + len(octal.group())
        else:
            nxt = raw[i + 1 : i + 2]
            out += _ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def cid_fonts(data: bytes) -> set[bytes]:
    """Resource names of the Type0 fonts whose base font is STSong-Light."""
    names = set()
    for body in _OBJECT.findall(data):
        if b"/Subtype /Type0" in body and b"/BaseFont /STSong-Light" in body:
            names.update(re.findall(rb"/Name /(F\d+)", body))
    return names


def pdf_text(data: bytes) -> str:
    """Every string shown on the pages; strings in the CID font are UCS-2 (UTF-16BE)."""
    cid = cid_fonts(data)
    texts = []
    for head, body in _STREAM.findall(data):
        if b"/Type /XObject" in head or b"/Subtype /Image" in head:
            continue
        if b"ASCII85Decode" in head:
            body = base64.a85decode(b"<~" + body.strip(), adobe=True)
        if b"FlateDecode" in head:
            body = zlib.decompress(body)
        font = None
        for name, literal in _TOKEN.findall(body):
            if name:
                font = name
                continue
            raw = _unescape(literal)
            texts.append(raw.decode("utf-16-be") if font in cid else raw.decode("latin-1"))
    return "".join(texts)


def xlsx_rows(data: bytes, sheet: str) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return [list(row) for row in wb[sheet].iter_rows(values_only=True)]


def money(value) -> Decimal:
    """A cell read back: a number becomes the Decimal it stands for (shortest repr); text stays exact."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
