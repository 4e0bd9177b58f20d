"""Configuration: the embedded default, per-environment files, a --config file,
then `SCRAPER_*` environment variables, then command-line flags, each over the last.

pydantic-settings does the typing, validation and environment parsing; we only
decide which YAML layers come first.
"""

from __future__ import annotations

import os
import re
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, SettingsConfigDict

from dancescrape.errors import ConfigError
from dancescrape.ops.secrets import mask_secrets, register_secret

__all__ = [
    "CrawlSettings",
    "DedupSettings",
    "FetchSettings",
    "HostSettings",
    "RenderSettings",
    "RunSettings",
    "Settings",
    "SourceSettings",
    "load_settings",
    "sanitised",
]

ENV_CONFIG_DIR = "SCRAPER_CONFIG_DIR"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CrawlSettings(_Section):
    """Link following within one source. Patterns are regular expressions searched in URLs."""

    #: Follow only links matching one of these (empty: any link on the seed's host).
    follow: list[str] = Field(default_factory=list)
    #: Never follow links matching one of these; beats `follow`.
    deny: list[str] = Field(default_factory=list)
    max_depth: int = Field(default=2, ge=0, le=50)
    max_pages: int = Field(default=200, ge=1)
    #: Follow rel="next" and "next page" links whatever the patterns say (depth still counts).
    pagination: bool = True
    #: Read sitemaps: the seed itself when it is one, and those robots.txt lists.
    sitemaps: bool = True
    #: Stay on the seed's host (and port).
    same_host: bool = True

    @field_validator("follow", "deny")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value


class SourceSettings(_Section):
    """One source: a URL, a file or a folder, with optional per-source settings."""

    url: str
    name: str | None = None
    timezone: str | None = None
    extractor: str | None = None
    #: static: never a browser; js: always render; auto: render a script-built page with no events.
    render: Literal["auto", "static", "js"] = "auto"
    crawl: CrawlSettings | None = None
    #: False exempts this source from robots.txt (only with the site owner's permission).
    robots: bool = True

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _check_zone(value) if value is not None else None


class HostSettings(_Section):
    """Limits for one host (key: "example.org" or "example.org:8080")."""

    concurrency: int = Field(default=2, ge=1, le=256)
    delay_seconds: float = Field(default=0.5, ge=0)


class RenderSettings(_Section):
    """The browser for JavaScript pages: Debian's Chromium unless `executable` says otherwise."""

    executable: str | None = None
    max_pages: int = Field(default=4, ge=1, le=64)
    timeout_seconds: float = Field(default=20.0, gt=0)


class FetchSettings(_Section):
    timeout_seconds: float = Field(default=20.0, gt=0)
    #: The whole document, retries and slow bodies included.
    deadline_seconds: float = Field(default=60.0, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    concurrency: int = Field(default=8, ge=1, le=256)
    #: `{version}` and `{contact}` are filled in.
    user_agent: str = "dancescrape/{version} (+{contact})"
    contact_url: str = "https://github.com/dancescrape/dancescrape"
    per_host_concurrency: int = Field(default=2, ge=1, le=256)
    per_host_delay_seconds: float = Field(default=0.5, ge=0)
    hosts: dict[str, HostSettings] = Field(default_factory=dict)
    retries: int = Field(default=3, ge=0, le=20)
    backoff_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_seconds: float = Field(default=60.0, ge=0)
    obey_robots: bool = True
    #: ETag/Last-Modified store for conditional GET; unset: no conditional GET, every page extracted.
    state_path: str | None = None
    render: RenderSettings = Field(default_factory=RenderSettings)


class RunSettings(_Section):
    timezone: str = "UTC"
    horizon_days: int = Field(default=120, ge=1, le=3660)
    batch_size: int = Field(default=1000, ge=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)


class DedupSettings(_Section):
    """Cross-source dedup (see `dancescrape.dedup.DedupOptions` for the meaning of each)."""

    window_minutes: float = Field(default=90.0, ge=0)
    accept: float = Field(default=0.85, ge=0, le=1)
    review: float = Field(default=0.70, ge=0, le=1)
    venue_reject: float = Field(default=0.5, ge=0, le=1)
    #: The hash cache that stamps first_seen/last_seen across runs. Unset: beside the first
    #: sqlite sink's database (DB + ".hashcache"); "" turns it off.
    cache_path: str | None = None


class ApiSettings(_Section):
    token: SecretStr | None = None


class Settings(BaseSettings):
    """The whole configuration. `SCRAPER_RUN__TIMEZONE=Europe/Berlin` sets `run.timezone`."""

    model_config = SettingsConfigDict(
        env_prefix="SCRAPER_", env_nested_delimiter="__", extra="forbid"
    )

    env: str = "default"
    sources: list[SourceSettings] = Field(default_factory=list)
    sinks: list[str] = Field(default_factory=lambda: ["sqlite:./dancescrape.db"])
    alerts: list[str] = Field(default_factory=lambda: ["log"])
    plugins: str | None = None
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    dedup: DedupSettings = Field(default_factory=DedupSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @field_validator("sinks")
    @classmethod
    def _sink_specs(cls, value: list[str]) -> list[str]:
        for spec in value:
            kind, sep, target = spec.partition(":")
            if not sep or not kind or not target:
                raise ValueError(f"sink {mask_secrets(spec)!r} must look like KIND:TARGET")
        return value


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. America/Vancouver)") from exc
    return value


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the top level must be a mapping, got {type(data).__name__}")
    return data


def _config_dir() -> Path:
    return Path(os.environ.get(ENV_CONFIG_DIR, "config"))


def load_settings(
    config_file: str | Path | None = None,
    env: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Layer the configuration and validate it, or raise `ConfigError` naming the files."""
    default_text = files("dancescrape").joinpath("defaults/default.yaml").read_text("utf-8")
    layers = [("embedded default", _read_yaml(default_text, "embedded default"))]
    env = env or os.environ.get("SCRAPER_ENV")
    if env:
        path = _config_dir() / f"{env}.yaml"
        if not path.is_file():
            raise ConfigError(f"environment {env!r}: no config file at {path}")
        layers.append((str(path), _read_yaml(path.read_text("utf-8"), str(path))))
    if config_file is not None:
        path = Path(config_file)
        try:
            text = path.read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
        layers.append((str(path), _read_yaml(text, str(path))))
    merged: dict[str, Any] = {}
    for _, data in layers:
        merged = _deep_merge(merged, data)
    if env:
        merged["env"] = env

    init = dict(overrides or {})

    class _Layered(Settings):
        @classmethod
        def settings_customise_sources(  # type: ignore[no-untyped-def]
            cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
        ):
            return (
                InitSettingsSource(settings_cls, init),
                env_settings,
                InitSettingsSource(settings_cls, merged),
            )

    try:
        layered = _Layered()
    except ValidationError as exc:
        origins = ", ".join(name for name, _ in layers)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"invalid configuration (from {origins} and SCRAPER_*): {problems}"
        ) from None
    settings: Settings = layered
    if settings.api.token is not None:
        register_secret(settings.api.token.get_secret_value())
    return settings


def sanitised(settings: Settings) -> dict[str, Any]:
    """The config as it may be shown: secrets masked, credentials in DSNs masked."""

    def clean(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return "***"
        if isinstance(value, str):
            return mask_secrets(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    raw = {name: getattr(settings, name) for name in Settings.model_fields}
    dumped = {k: (v.model_dump() if isinstance(v, BaseModel) else v) for k, v in raw.items()}
    for section in ("api",):
        section_model = getattr(settings, section)
        dumped[section] = {n: getattr(section_model, n) for n in type(section_model).model_fields}
    dumped["sources"] = [s.model_dump() for s in settings.sources]
    return clean(dumped)  # type: ignore[no-any-return]
