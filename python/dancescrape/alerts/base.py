"""The alert contract: a run's problems go out through channels."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Literal

__all__ = ["Alert", "AlertChannel", "Severity"]

Severity = Literal["info", "warning", "error", "critical"]


@dataclass(slots=True, frozen=True)
class Alert:
    """One thing worth telling an operator."""

    severity: Severity
    title: str
    message: str
    details: dict[str, str] = field(default_factory=dict)


class AlertChannel(ABC):
    """Delivers alerts somewhere: the log, Slack, PagerDuty, a webhook.

    Subclass it and register the class from a plugin::

        from dancescrape import Alert, AlertChannel, hookimpl

        class StdoutChannel(AlertChannel):
            name = "stdout"

            def send(self, alert: Alert) -> None:
                print(f"[{alert.severity}] {alert.title}: {alert.message}")

        @hookimpl
        def register_alert_channels(register):
            register(StdoutChannel)
    """

    name: ClassVar[str]

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver one alert. Raise on failure; the run records it and goes on."""
