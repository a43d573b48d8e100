"""The ``ssp`` click group and its global options."""

from __future__ import annotations

import os

import attrs
import click

from ssp_core.domain.labels import Language
from ssp_core.plugins.manager import create_plugin_host
from ssp_core.plugins.registry import Registry
from ssp_core.privacy.keys import KEY_ENV, KEY_FILE_ENV, MunicipalKey
from ssp_core.service import Casework
from ssp_core.store.url import DEFAULT_STORE_URL

__all__ = ["Context", "cli"]


@attrs.define
class Context:
    """What every command gets: how to load plugins, the language of labels, the store, the key."""

    autoload: bool | None
    block: tuple[str, ...]
    language: Language
    store_url: str = DEFAULT_STORE_URL
    key_file: str | None = None
    _registry: Registry | None = None
    _casework: Casework | None = None

    def key(self) -> MunicipalKey | None:
        """Return the municipal key: ``--key-file`` (or ``SSP_KEY_FILE``), ``SSP_KEY``, or None.

        A key file that is missing, unreadable or readable by other users is a
        :class:`~ssp_core.exceptions.ConfigError`; no key at all is not (yet): the
        commands that seal or open personal data then fail with the library's
        "no municipal key is set" message.
        """
        if self.key_file:
            return MunicipalKey.from_file(self.key_file)
        if os.environ.get(KEY_FILE_ENV) or os.environ.get(KEY_ENV):
            return MunicipalKey.from_env()
        return None

    def casework(self) -> Casework:
        """Open the store on first use and return casework over it (closed when the CLI ends)."""
        if self._casework is None:
            self._casework = Casework(self.registry, store=self.store_url, key=self.key())
            click.get_current_context().call_on_close(self._casework.close)
        return self._casework

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
@click.option(
    "--store",
    "store_url",
    envvar="SSP_STORE",
    default=DEFAULT_STORE_URL,
    show_default=True,
    metavar="URL",
    help="Case store: sqlite:///file.db, postgresql://user@host/db or memory:// (also: SSP_STORE).",
)
@click.option(
    "--key-file",
    envvar=KEY_FILE_ENV,
    type=click.Path(dir_okay=False),
    metavar="PATH",
    help="The municipal key file (also: SSP_KEY_FILE; or SSP_KEY, the key as base64 text). "
    "Make one with `ssp key new FILE`.",
)
@click.version_option(package_name="ssp-core", prog_name="ssp")
@click.pass_context
def cli(
    ctx: click.Context,
    no_autoload: bool,
    block: tuple[str, ...],
    lang: Language,
    store_url: str,
    key_file: str | None,
) -> None:
    """Case work for Danish municipal crime prevention: SSP, safety and radicalisation."""
    ctx.obj = Context(
        autoload=False if no_autoload else None,
        block=block,
        language=lang,
        store_url=store_url,
        key_file=key_file,
    )


def _register_commands() -> None:
    from ssp_core.cli import (  # noqa: PLC0415 (commands import this module)
        audit,
        case,
        demo,
        disclosure,
        evaluate,
        export,
        identity,
        index,
        key,
        plugins,
        retention,
        store,
        walk,
        workflows,
    )

    cli.add_command(plugins.plugins_command)
    cli.add_command(workflows.workflows)
    cli.add_command(demo.demo)
    cli.add_command(case.case)
    cli.add_command(audit.audit)
    cli.add_command(store.store)
    cli.add_command(key.key)
    cli.add_command(identity.identity)
    cli.add_command(disclosure.disclose)
    cli.add_command(disclosure.disclosures)
    cli.add_command(retention.retention)
    cli.add_command(export.export)
    cli.add_command(index.index)
    cli.add_command(evaluate.evaluate)
    cli.add_command(walk.walk)


_register_commands()
