"""Bytes to text: the declared charset, else a BOM, else a <meta> charset, else strict UTF-8."""

from __future__ import annotations

import codecs
import re

from dancescrape.errors import FetchError

__all__ = ["declared_charset", "decode_text"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def declared_charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def decode_text(url: str, content: bytes, content_type: str) -> str:
    """Decode `content`, or raise `FetchError` naming the URL and the reason."""
    charset = declared_charset(content_type)
    origin = "Content-Type header"
    if charset is None:
        for bom, name in _BOMS:
            if content.startswith(bom):
                charset, origin = name, "byte-order mark"
                break
    if charset is None:
        match = _META_CHARSET.search(content[:4096])
        if match:
            charset, origin = match.group(1).decode("ascii"), "<meta charset>"
    try:
        codec = codecs.lookup(charset or "utf-8")
    except (LookupError, ValueError):  # ValueError: a NUL or other junk in the name
        raise FetchError(url, f"unknown charset {charset!r} declared in the {origin}") from None
    if not getattr(codec, "_is_text_encoding", True):  # base64, zlib, rot13: not charsets
        raise FetchError(url, f"{charset!r} declared in the {origin} is not a text encoding")
    try:
        return content.decode(codec.name)
    except UnicodeDecodeError as exc:
        bad = content[exc.start : exc.start + 1].hex()
        where = f"byte 0x{bad} at offset {exc.start}"
        if charset is None:
            raise FetchError(url, f"not valid UTF-8 ({where}) and no charset is declared") from None
        raise FetchError(
            url, f"not valid {codec.name} as declared in the {origin} ({where})"
        ) from None
    except UnicodeError as exc:  # codecs such as punycode raise the base class
        raise FetchError(
            url, f"not valid {codec.name} as declared in the {origin} ({exc})"
        ) from None
