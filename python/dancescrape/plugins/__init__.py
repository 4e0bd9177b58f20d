"""Plugin loading and the typed facade over the hooks."""

from dancescrape.plugins.host import ENV_LOAD_PLUGINS, PluginHost, PluginInfo, Registered

__all__ = ["ENV_LOAD_PLUGINS", "PluginHost", "PluginInfo", "Registered"]
