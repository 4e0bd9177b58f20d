"""The plugin host: loads built-in and installed plugins, and calls their hooks safely.

A plugin that fails to import, or raises from a hook, is recorded with its name,
version and reason, and the run goes on without it (unless `strict`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

import pluggy
from loguru import logger

from dancescrape import hookspecs
from dancescrape.alerts.base import AlertChannel
from dancescrape.errors import PluginError
from dancescrape.extract.base import Extractor
from dancescrape.plugins.builtins import BUILTIN_PLUGINS
from dancescrape.sinks.base import Sink
from dancescrape.sources.base import Source

__all__ = ["ENV_LOAD_PLUGINS", "PluginHost", "PluginInfo", "Registered"]

ENV_LOAD_PLUGINS = "DANCESCRAPE_LOAD_PLUGINS"
C = TypeVar("C")

# hook name -> (component kind shown to users, base class, attribute that names it)
_REGISTER_HOOKS: dict[str, tuple[str, type, str]] = {
    "register_sources": ("source", Source, "name"),
    "register_extractors": ("extractor", Extractor, "name"),
    "register_sinks": ("sink", Sink, "kind"),
    "register_alert_channels": ("alert", AlertChannel, "name"),
}


@dataclass(slots=True)
class PluginInfo:
    """What `dancescrape plugins` shows about one plugin."""

    name: str
    version: str | None
    builtin: bool
    hooks: list[str] = field(default_factory=list)
    components: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "builtin": self.builtin,
            "hooks": sorted(self.hooks),
            "components": {k: sorted(v) for k, v in sorted(self.components.items())},
            "error": self.error,
        }


@dataclass(slots=True, frozen=True)
class Registered(Generic[C]):
    """A component class and the plugin that registered it."""

    component: type[C]
    plugin: str

    @property
    def label(self) -> str:
        return f"{self.component.__name__} from plugin {self.plugin!r}"


def parse_selection(value: str | None) -> list[str] | None:
    """`None` loads every installed plugin; an empty string loads built-ins only."""
    if value is None:
        return None
    return [name.strip() for name in value.split(",") if name.strip()]


class PluginHost:
    """Typed facade over pluggy: core code asks it for components, never for raw hooks."""

    def __init__(self, selection: Iterable[str] | None = None, *, strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self.selection = None if selection is None else list(selection)
        self.infos: dict[str, PluginInfo] = {}
        self.failures: list[PluginError] = []
        self._components: dict[str, dict[str, Registered[Any]]] = {}

    @classmethod
    def from_environment(cls, plugins: str | None = None, *, strict: bool = False) -> PluginHost:
        """Build and load a host; `plugins` (from `--plugins`) beats `DANCESCRAPE_LOAD_PLUGINS`."""
        raw = plugins if plugins is not None else os.environ.get(ENV_LOAD_PLUGINS)
        host = cls(parse_selection(raw), strict=strict)
        host.load()
        return host

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        from dancescrape import __version__

        for module_name in BUILTIN_PLUGINS:
            module = importlib.import_module(module_name)
            self._register(module, module_name.removeprefix("dancescrape."), __version__, True)
        self._load_installed()
        self._collect_components()

    def _load_installed(self) -> None:
        wanted = None if self.selection is None else set(self.selection)
        found: set[str] = set()
        for ep in entry_points(group=hookspecs.PROJECT):
            dist_name = ep.dist.name if ep.dist is not None else None
            if wanted is not None and ep.name not in wanted and dist_name not in wanted:
                continue
            found.update({ep.name, dist_name or ep.name})
            self._load_entry_point(ep)
        for name in sorted((wanted or set()) - found):
            self._fail(name, None, "load", "requested but no installed plugin has that name")

    def _load_entry_point(self, ep: EntryPoint) -> None:
        version = ep.dist.version if ep.dist is not None else None
        try:
            plugin = ep.load()
        except Exception as exc:  # any import-time failure is the plugin's, not ours
            self._fail(ep.name, version, "import", f"{type(exc).__name__}: {exc}")
            return
        self._register(plugin, ep.name, version, False)

    def _register(self, plugin: object, name: str, version: str | None, builtin: bool) -> None:
        info = PluginInfo(name=name, version=version, builtin=builtin)
        self.infos[name] = info
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy rejects unknown hooks or bad signatures
            self._fail(name, version, "register", f"{type(exc).__name__}: {exc}")
            return
        info.hooks = [impl.name for impl in self.pm.get_hookcallers(plugin) or []]

    def _fail(self, name: str, version: str | None, hook: str, reason: str) -> None:
        error = PluginError(name, version, hook, reason)
        info = self.infos.setdefault(name, PluginInfo(name=name, version=version, builtin=False))
        info.error = str(error)
        self.failures.append(error)
        if self.strict:
            raise error
        logger.warning("{}; going on without it", error)

    def _collect_components(self) -> None:
        for hook_name, (kind, base, attr) in _REGISTER_HOOKS.items():
            table: dict[str, Registered[Any]] = {}
            self._components[kind] = table
            caller = getattr(self.pm.hook, hook_name)
            # get_hookimpls() lists in registration order: built-ins claim their names first.
            for impl in caller.get_hookimpls():
                self._call_register(impl, hook_name, kind, base, attr, table)

    def _call_register(
        self,
        impl: pluggy.HookImpl,
        hook_name: str,
        kind: str,
        base: type,
        attr: str,
        table: dict[str, Registered[Any]],
    ) -> None:
        plugin = impl.plugin_name
        info = self.infos[plugin]
        staged: dict[str, Registered[Any]] = {}

        def register(component: type) -> None:
            if not (isinstance(component, type) and issubclass(component, base)):
                raise TypeError(f"{component!r} is not a subclass of {base.__name__}")
            name = getattr(component, attr, None)
            if not isinstance(name, str) or not name:
                raise TypeError(f"{component.__name__}.{attr} must be a non-empty string")
            if name in table or name in staged:
                owner = (table.get(name) or staged[name]).plugin
                raise ValueError(f"{kind} {name!r} is already registered by plugin {owner!r}")
            staged[name] = Registered(component, plugin)

        try:
            impl.function(register=register)
        except Exception as exc:
            self._fail(plugin, info.version, hook_name, f"{type(exc).__name__}: {exc}")
            return
        table.update(staged)
        if staged:
            info.components.setdefault(kind, []).extend(staged)

    # -- the typed facade ------------------------------------------------------------------

    def sources(self) -> dict[str, Registered[Source]]:
        return dict(self._components.get("source", {}))

    def extractors(self) -> dict[str, Registered[Extractor]]:
        return dict(self._components.get("extractor", {}))

    def sinks(self) -> dict[str, Registered[Sink]]:
        return dict(self._components.get("sink", {}))

    def alert_channels(self) -> dict[str, Registered[AlertChannel]]:
        return dict(self._components.get("alert", {}))

    def plugins(self) -> list[PluginInfo]:
        return sorted(self.infos.values(), key=lambda i: (not i.builtin, i.name))

    def notify(self, hook_name: str, **kwargs: Any) -> None:
        """Call a lifecycle hook on every plugin; one that raises is recorded and skipped."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in caller.get_hookimpls():
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as exc:
                info = self.infos.get(impl.plugin_name)
                self._fail(
                    impl.plugin_name,
                    info.version if info else None,
                    hook_name,
                    f"{type(exc).__name__}: {exc}",
                )

    def guard(
        self, registered: Registered[Any], what: str
    ) -> Callable[[BaseException], PluginError]:
        """Build the error for a component that raised at run time, naming it and its plugin."""
        info = self.infos.get(registered.plugin)

        def wrap(exc: BaseException) -> PluginError:
            return PluginError(
                registered.plugin,
                info.version if info else None,
                f"{registered.component.__name__}.{what}",
                f"{type(exc).__name__}: {exc}",
            )

        return wrap
