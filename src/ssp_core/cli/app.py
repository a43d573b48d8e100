"""The ``ssp`` click group and its global options."""

from __future__ import annotations

import attrs
import click

from ssp_core.domain.labels import Language
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry

__all__ = ["Context", "cli"]


@attrs.define
class Context:
    """What every command gets: how to load plugins, and the language of labels."""

    autoload: bool | None
    block: tuple[str, ...]
    language: Language
    _registry: Registry | None = None

    @property
    def registry(self) -> Registry:
        """Load the plugins on first use and return the registry."""
        if self._registry is None:
            host = create_plugin_host(autoload=self.autoload, block=self.block)
            self._registry = Registry.build(host)
        return self._registry


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--no-autoload",
    is_flag=True,
    help="Load no plugins from entry points (also: SSP_DISABLE_PLUGIN_AUTOLOAD=1).",
)
@click.option(
    "--block",
    "block",
    multiple=True,
    metavar="NAME",
    help="Do not load the plugin NAME (repeatable; also: SSP_BLOCK_PLUGINS=a,b).",
)
@click.option(
    "--lang",
    type=click.Choice(["da", "en"]),
    default="en",
    show_default=True,
    help="Language of labels.",
)
@click.version_option(package_name="ssp-core", prog_name="ssp")
@click.pass_context
def cli(ctx: click.Context, no_autoload: bool, block: tuple[str, ...], lang: Language) -> None:
    """Case work for Danish municipal crime prevention: SSP, safety and radicalisation."""
    ctx.obj = Context(autoload=False if no_autoload else None, block=block, language=lang)


def _register_commands() -> None:
    from ssp_core.cli import demo, plugins, workflows  # noqa: PLC0415 (commands import this module)

    cli.add_command(plugins.plugins_command)
    cli.add_command(workflows.workflows)
    cli.add_command(demo.demo)


_register_commands()
