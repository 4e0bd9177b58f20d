"""Alerts beside the pipeline: channels that tell operators about a run's problems."""

from dancescrape.alerts.base import Alert, AlertChannel

__all__ = ["Alert", "AlertChannel"]
