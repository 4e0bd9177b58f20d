"""Secret masking for everything that leaves the process: logs, dumps, API answers."""

from __future__ import annotations

import re
import threading

__all__ = ["MASK", "mask_secrets", "register_secret"]

MASK = "***"
_known: set[str] = set()
_lock = threading.Lock()

_PATTERNS = (
    # scheme://user:password@host  ->  scheme://user:***@host
    (
        re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/@\s]+:)[^@\s]+(?P<tail>@)"),
        r"\g<head>***\g<tail>",
    ),
    # password=..., token=..., secret=..., api_key=... in DSNs and query strings
    (
        re.compile(r"(?i)(?P<head>\b(?:password|passwd|pwd|token|secret|api[_-]?key)=)[^&\s;]+"),
        r"\g<head>***",
    ),
    # Authorization: Bearer xyz
    (re.compile(r"(?i)(?P<head>\bbearer\s+)[A-Za-z0-9._~+/=-]+"), r"\g<head>***"),
)


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears from now on (config secrets call this)."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def mask_secrets(text: str) -> str:
    """`text` with every known secret and every credential-shaped substring masked."""
    for value in sorted(_known, key=len, reverse=True):
        text = text.replace(value, MASK)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text
