"""Logging setup: loguru to stderr, human or JSON, always through the secret mask."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from loguru import logger

from dancescrape.ops.secrets import mask_secrets

if TYPE_CHECKING:
    from loguru import Message, Record

__all__ = ["configure_logging"]


def _mask(record: Record) -> None:
    record["message"] = mask_secrets(record["message"])
    for key, value in list(record["extra"].items()):
        if isinstance(value, str):
            record["extra"][key] = mask_secrets(value)


def _json_sink(message: Message) -> None:
    record = message.record
    payload: dict[str, Any] = {
        "time": record["time"].isoformat(),
        "level": record["level"].name,
        "message": record["message"],
        "logger": record["name"],
        **{k: v for k, v in record["extra"].items() if isinstance(v, str | int | float | bool)},
    }
    if record["exception"] is not None:
        payload["exception"] = mask_secrets(str(record["exception"].value))
    sys.stderr.write(json.dumps(payload) + "\n")


def configure_logging(level: str = "INFO", *, json_logs: bool = False) -> None:
    """Replace loguru's default handler; safe to call more than once."""
    logger.remove()
    logger.configure(patcher=_mask)
    if json_logs:
        logger.add(_json_sink, level=level)
    else:
        logger.add(
            sys.stderr,
            level=level,
            format="<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> {message}",
            colorize=None,
        )
