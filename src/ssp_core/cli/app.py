"""The ``ssp`` click group, its global options, and its commands, each loaded when it runs.

``ssp --help`` imports nothing but click and this module: the commands are listed
from :data:`COMMANDS` (their module and one-line summary) and a command's module is
imported only when it is invoked (or its own ``--help`` is asked for). A test keeps
the summaries equal to the commands' own.
"""

from __future__ import annotations

import contextvars
import importlib
import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import click

from ssp_core.settings import (
    AUTOLOAD_ENV,
    BLOCK_ENV,
    DEFAULT_STORE_URL,
    KEY_DIR_ENV,
    KEY_ENV,
    KEY_FILE_ENV,
    LANG_ENV,
    LOG_LEVEL_ENV,
    STORE_ENV,
)

if TYPE_CHECKING:
    from ssp_core.application.casework import Casework
    from ssp_core.clock import Clock
    from ssp_core.plugins.registry import Registry
    from ssp_core.privacy.keys import MunicipalKeys

__all__ = [
    "CHOSEN_LANGUAGE",
    "COMMANDS",
    "LOG_LEVELS",
    "CommandGroup",
    "Context",
    "HelpContext",
    "LazyGroup",
    "cli",
    "log_level",
    "log_to_stderr",
    "preload_registry",
]

Language = Literal["da", "en"]

COMMANDS: Mapping[str, tuple[str, str, str]] = {
    "advice": (
        "ssp_core.cli.advice",
        "advice",
        "Advice requests to the INFO house: a situation described without naming anyone.",
    ),
    "audit": (
        "ssp_core.cli.audit",
        "audit",
        "Query the audit log by case, actor or period (reading it is audited too).",
    ),
    "case": (
        "ssp_core.cli.case",
        "case",
        "Open, move, read and list cases in the store (--store, default the embedded file).",
    ),
    "decision-shares": (
        "ssp_core.cli.decisions",
        "decision_shares",
        "Fit a scenario's decision shares from the transitions of --from to --to.",
    ),
    "demo": (
        "ssp_core.cli.demo",
        "demo",
        "Walk through Aalborg's action cards and a mentor track, writing to the store.",
    ),
    "disclose": (
        "ssp_core.cli.disclosure",
        "disclose",
        "Record that CASE_ID's information is disclosed to a partner, on a legal basis.",
    ),
    "consent": (
        "ssp_core.cli.disclosure",
        "consent",
        "Record a person's consent to disclosure on a case, or its withdrawal.",
    ),
    "disclosures": (
        "ssp_core.cli.disclosure",
        "disclosures",
        "List disclosures, oldest first: what went to whom, when, and on what basis (audited).",
    ),
    "evaluate": (
        "ssp_core.cli.evaluate",
        "evaluate",
        "Evaluate an initiative, or make the overall evaluation of a council term.",
    ),
    "export": (
        "ssp_core.cli.export",
        "export",
        "Write a research export: KIND is events (fresh ids, weeks, age bands) or tables.",
    ),
    "guide": (
        "ssp_core.cli.guide",
        "guide",
        "Show the help tool: worry signs, definitions, INFO house, corps, partners, strategy.",
    ),
    "identity": (
        "ssp_core.cli.identity",
        "identity",
        "Re-identify the person behind a case from the identity vault, or correct it (audited).",
    ),
    "index": (
        "ssp_core.cli.index",
        "index",
        "Estimate, compare and plot the safety index from survey microdata; crime rates.",
    ),
    "initiative": (
        "ssp_core.cli.initiative",
        "initiative",
        "Log what an initiative did (its activities), list them and count them.",
    ),
    "key": (
        "ssp_core.cli.key",
        "key",
        "Make municipal key files, and show which key each municipality uses.",
    ),
    "plugin": (
        "ssp_core.cli.plugin",
        "plugin",
        "Make a municipality's plugin.",
    ),
    "plugins": (
        "ssp_core.cli.plugins",
        "plugins_command",
        "List the loaded plugins, their versions and what they contribute.",
    ),
    "simulate": (
        "ssp_core.cli.simulate",
        "simulate",
        "Run the scenario SCENARIO (TOML): its arms, replicated, with confidence intervals.",
    ),
    "retention": (
        "ssp_core.cli.retention",
        "retention",
        "Erase closed cases due under the retention rules (plan first with --dry-run).",
    ),
    "server": (
        "ssp_core.cli.server",
        "server",
        "A resident ssp process, so each command starts in a fraction of the time.",
    ),
    "store": (
        "ssp_core.cli.store",
        "store",
        "Inspect and upgrade the case store (--store, default the embedded file).",
    ),
    "walk": (
        "ssp_core.cli.walk",
        "walk",
        "Safety walks: plan them, record findings, follow them up, report.",
    ),
    "workflows": (
        "ssp_core.cli.workflows",
        "workflows",
        "Workflow definitions: action cards, prevention tracks and others.",
    ),
}
"""Each command: the module it is defined in, its name there, and its one-line summary."""


_WHOLE = 10_000
"""A summary limit no summary reaches: ``--help`` shows each one whole, wrapped to the width."""


class CommandGroup(click.Group):
    """A click group whose ``--help`` lists every command with its whole summary.

    click cuts summaries to fit one line (45 characters in the default layout, whatever
    the terminal's width); here a long one wraps instead.
    """

    group_class = type  # a group made with @group.group() is a CommandGroup too

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands with their whole summaries."""
        rows = []
        for name in self.list_commands(ctx):
            command = self._listed(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(_WHOLE)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _listed(self, ctx: click.Context, name: str) -> click.Command | None:
        """Return the command to list as ``name`` (a subclass may list it without loading it)."""
        return self.get_command(ctx, name)


class HelpContext(click.Context):
    """A click context whose help pages are written in the chosen language.

    The formatter (:class:`~ssp_core.cli.helptext.TranslatedHelp`) is loaded only
    when a help page is written.
    """

    def make_formatter(self) -> click.HelpFormatter:
        """Return the formatter that translates every help text it writes."""
        from ssp_core.cli.helptext import TranslatedHelp  # noqa: PLC0415 (for --help only)

        return TranslatedHelp(width=self.terminal_width, max_width=self.max_content_width)


def _help_in_language(command: click.Command) -> None:
    """Give ``command`` and every command under it help pages in the chosen language."""
    command.context_class = HelpContext
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _help_in_language(sub)


class LazyGroup(CommandGroup):
    """A click group whose commands are imported when they run, listed from a table until then."""

    def __init__(self, *args: Any, lazy: Mapping[str, tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command's name, loaded or not, in order."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, importing its module on first use."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, name, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), name)
            _help_in_language(command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def _listed(self, ctx: click.Context, name: str) -> click.Command | None:  # noqa: ARG002
        """Return the loaded command, or a stand-in with its summary (nothing imported)."""
        return self.commands.get(name) or click.Command(name, help=self.lazy[name][2])


CHOSEN_LANGUAGE: contextvars.ContextVar[Language] = contextvars.ContextVar(
    "ssp_cli_language", default="en"
)
"""The language the last command chose, for what :func:`ssp_core.cli.entry.main` prints after it.

The command itself runs in that language (``ssp_core.i18n.language``, undone when it
ends); ``main`` runs each command in a copy of its context, so this choice ends
with the command too.
"""

_HANDLER: list[logging.Handler] = []
"""The handler ``--verbose`` added to the ``ssp_core`` logger, if any (one at a time)."""


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
"""The levels ``SSP_LOG_LEVEL`` may name."""


def log_level(verbosity: int, named: str | None = None) -> int | None:
    """Return the level to show the log at: ``-vv`` DEBUG, ``-v`` INFO, else ``named``, or None.

    ``named`` is ``SSP_LOG_LEVEL``'s value (any case); an unknown name is a usage error
    that lists the allowed ones.
    """
    if verbosity >= 2:
        return logging.DEBUG
    if verbosity == 1:
        return logging.INFO
    if not named:
        return None
    if named.upper() not in LOG_LEVELS:
        raise click.UsageError(
            f"{LOG_LEVEL_ENV}={named[:20]!r} is not a log level; allowed: {', '.join(LOG_LEVELS)}"
        )
    return int(logging.getLevelName(named.upper()))


def log_to_stderr(level: int | None) -> None:
    """Show ssp_core's log from ``level`` on (``logging.INFO``, ...) on standard error; None: none.

    Called for every command, so a resident server shows one command's log, on that
    command's standard error, and the next command's only if it asks too.
    """
    logger = logging.getLogger("ssp_core")
    for handler in _HANDLER:
        logger.removeHandler(handler)
    _HANDLER.clear()
    if level is None:
        logger.setLevel(logging.NOTSET)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ssp: %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    _HANDLER.append(handler)


class Context:
    """What every command gets: how to load plugins, the language of labels, the store, the key.

    The registry, the key and :class:`~ssp_core.application.casework.Casework` are
    made on first use, unless given (to run commands over an existing ``casework``);
    ``clock`` (default: the system clock) stamps everything a command writes.
    """

    def __init__(
        self,
        *,
        autoload: bool | None,
        block: tuple[str, ...],
        language: Language,
        store_url: str = DEFAULT_STORE_URL,
        key_file: str | None = None,
        key_dir: str | None = None,
        clock: Clock | None = None,
        registry: Registry | None = None,
        casework: Casework | None = None,
    ) -> None:
        self.autoload = autoload
        self.block = block
        self.language: Language = language
        self.store_url = store_url
        self.key_file = key_file
        self.key_dir = key_dir
        self._clock = clock if clock is not None or casework is None else casework.clock
        self._registry = registry if registry is not None or casework is None else casework.registry
        self._casework = casework

    @property
    def clock(self) -> Clock:
        """Return the clock commands stamp what they write with."""
        if self._clock is None:
            from ssp_core.clock import SystemClock  # noqa: PLC0415 (loaded when used)

            self._clock = SystemClock()
        return self._clock

    def key(self) -> MunicipalKeys | None:
        """Return the municipal keys, or None if none is given.

        The default key is ``--key-file`` (or ``SSP_KEY_FILE``) or ``SSP_KEY``; the
        municipalities' own keys are the ``<municipality>.key`` files of ``--key-dir``
        (or ``SSP_KEY_DIR``). A key file that is missing, unreadable or readable by
        other users is a :class:`~ssp_core.exceptions.ConfigError`; no key at all is
        not (yet): the commands that seal or open personal data then fail with the
        library's "no municipal key is set" message.
        """
        from ssp_core.privacy.keys import MunicipalKey, MunicipalKeys  # noqa: PLC0415

        default = None
        if self.key_file:
            default = MunicipalKey.from_file(self.key_file)
        elif os.environ.get(KEY_FILE_ENV) or os.environ.get(KEY_ENV):
            default = MunicipalKey.from_env()
        own = MunicipalKeys.from_folder(self.key_dir) if self.key_dir else {}
        if default is None and not own:
            return None
        retired = MunicipalKeys.retired_from_folder(self.key_dir) if self.key_dir else {}
        return MunicipalKeys(default, own, retired)

    def casework(self, *, create: bool = False) -> Casework:
        """Open the store on first use and return casework over it (closed when the CLI ends).

        Only a command that writes a first case passes ``create=True``: for any other,
        a store that does not exist (a mistyped ``--store``) is an error, not a new
        empty store.
        """
        if self._casework is None:
            from ssp_core.application.casework import Casework  # noqa: PLC0415

            self._casework = Casework(
                self.registry,
                store=self.store_url,
                key=self.key(),
                clock=self.clock,
                create=create,
            )
            click.get_current_context().call_on_close(self._casework.close)
        return self._casework

    @property
    def registry(self) -> Registry:
        """Load the plugins on first use and return the registry."""
        if self._registry is None:
            from ssp_core.plugins.manager import create_plugin_host  # noqa: PLC0415
            from ssp_core.plugins.registry import Registry  # noqa: PLC0415

            if _PRELOADED and self.autoload is None and not self.block and _default_plugins():
                self._registry = _PRELOADED[0]
            else:
                host = create_plugin_host(autoload=self.autoload, block=self.block)
                self._registry = Registry.build(host)
        return self._registry


_PRELOADED: list[Registry] = []


def _default_plugins() -> bool:
    return not os.environ.get(AUTOLOAD_ENV) and not os.environ.get(BLOCK_ENV)


def preload_registry() -> Registry | None:
    """Build the registry of the default plugins now, for every later command of this process.

    ``ssp server`` calls it once, before it forks a child per command; a command
    given ``--no-autoload`` or ``--block`` (or their environment variables) builds its
    own. Returns None, and keeps nothing, if this process's environment is not the
    default one.
    """
    from ssp_core.plugins.manager import create_plugin_host  # noqa: PLC0415
    from ssp_core.plugins.registry import Registry  # noqa: PLC0415

    if not _default_plugins():
        return None
    _PRELOADED[:] = [Registry.build(create_plugin_host())]
    return _PRELOADED[0]


def _choose_language(ctx: click.Context, _param: click.Parameter, lang: Language) -> Language:
    """Speak ``lang`` from the moment the option is read until the command ends."""
    from ssp_core.i18n import language  # noqa: PLC0415 (light, but not needed for --help)

    ctx.with_resource(language(lang))
    CHOSEN_LANGUAGE.set(lang)
    return lang


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)
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
    is_eager=True,  # before --help, so `ssp --lang da --help` is Danish
    callback=_choose_language,
    envvar=LANG_ENV,
    type=click.Choice(["da", "en"]),
    default="en",
    show_default=True,
    help="Language of all output: messages, tables, reports, plots (also: SSP_LANG).",
)
@click.option(
    "--store",
    "store_url",
    envvar=STORE_ENV,
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
@click.option(
    "--key-dir",
    envvar=KEY_DIR_ENV,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="The folder of municipalities' own keys, <municipality>.key (also: SSP_KEY_DIR); "
    "a municipality without one uses the key of --key-file.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Say on standard error what ssp_core does: -v the steps (plugins, store, "
    "refusals), -vv also each case's events stored (also: SSP_LOG_LEVEL=INFO or DEBUG). "
    "Ids and kinds only, never personal data.",
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
    key_dir: str | None,
    verbose: int,
) -> None:
    """Case work for Danish municipal crime prevention: SSP, safety and radicalisation."""
    log_to_stderr(log_level(verbose, os.environ.get(LOG_LEVEL_ENV)))
    ctx.obj = Context(
        autoload=False if no_autoload else None,
        block=block,
        language=lang,
        store_url=store_url,
        key_file=key_file,
        key_dir=key_dir,
    )


cli.context_class = HelpContext  # ssp's own --help, in the chosen language too
