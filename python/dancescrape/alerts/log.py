"""`log`: alerts written to the log, the channel that always works."""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger

from dancescrape.alerts.base import Alert, AlertChannel
from dancescrape.hookspecs import hookimpl

__all__ = ["LogChannel"]

_LEVELS = {"info": "INFO", "warning": "WARNING", "error": "ERROR", "critical": "CRITICAL"}


class LogChannel(AlertChannel):
    name = "log"

    def send(self, alert: Alert) -> None:
        details = "".join(f"\n  {k}: {v}" for k, v in alert.details.items())
        logger.log(_LEVELS[alert.severity], "ALERT {}: {}{}", alert.title, alert.message, details)


@hookimpl
def register_alert_channels(register: Callable[[type[AlertChannel]], None]) -> None:
    register(LogChannel)
