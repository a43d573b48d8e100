"""Interface text in Danish and English: a gettext message catalogue, chosen per context.

Every sentence ssp_core shows a person (command output, error and refusal
messages, reports, plots, maps, the demo) is written in English in the code,
marked with :func:`gettext` (imported as ``_``), and translated into Danish in a
standard gettext catalogue (``ssp_core/i18n/da/**.po``, compiled into
``da/LC_MESSAGES/ssp_core.mo``; see ``docs/translation.md``)::

    from ssp_core.i18n import _, ngettext

    print(_("Case {case} is closed.").format(case=case_id))
    print(ngettext("{n} case", "{n} cases", n).format(n=n))

The language is a context variable: English unless chosen, per thread and per
asyncio task, so two requests of a server can run in two languages at once::

    from ssp_core.i18n import language

    with language("da"):
        casework.fire(...)  # a refusal is raised with its reason in Danish

``ssp --lang da`` (or ``SSP_LANG=da``) chooses Danish for one command. Labels that
plugins contribute are data in both languages (:class:`~ssp_core.domain.labels.Labels`)
and need no catalogue; :func:`label` picks the current language's text of one.

This module imports nothing of ssp_core, so any module may use it. Only the
standard library's :mod:`gettext` is used at run time; English needs no
catalogue at all, so choosing no language costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext as _gettext
import os.path
from collections.abc import Iterator
from typing import Literal, Protocol

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "N_",
    "Language",
    "Translated",
    "_",
    "current_language",
    "gettext",
    "label",
    "language",
    "ngettext",
    "set_language",
    "translation",
]

Language = Literal["da", "en"]
"""A language ssp_core speaks: Danish (``da``) or English (``en``)."""

LANGUAGES: tuple[Language, ...] = ("da", "en")
"""Every :data:`Language`, Danish first."""

DOMAIN = "ssp_core"
"""The gettext domain of ssp_core's catalogue (``<lang>/LC_MESSAGES/ssp_core.mo``)."""

_LANGUAGE: contextvars.ContextVar[Language] = contextvars.ContextVar(
    "ssp_core_language", default="en"
)


def current_language() -> Language:
    """Return the language of this context: ``"en"`` unless :func:`language` chose another."""
    return _LANGUAGE.get()


def _checked(lang: str) -> Language:
    if lang not in LANGUAGES:
        allowed = ", ".join(LANGUAGES)
        raise ValueError(f"unknown language {lang!r}; allowed: {allowed}")
    return lang


def set_language(lang: str) -> contextvars.Token[Language]:
    """Choose ``lang`` for this context from now on; return the token that undoes it.

    Prefer :func:`language`, which undoes the choice by itself.
    """
    return _LANGUAGE.set(_checked(lang))


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Use ``lang`` (``"da"`` or ``"en"``) for the text made inside the ``with`` block."""
    token = set_language(lang)
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


@functools.cache
def translation(lang: Language) -> _gettext.NullTranslations:
    """Return the catalogue of ``lang`` (loaded once); English is the identity."""
    if lang == "en":
        return _gettext.NullTranslations()
    folder = os.path.dirname(__file__)  # noqa: PTH120 (pathlib costs start-up time here)
    compiled_file = os.path.join(folder, lang, "LC_MESSAGES", f"{DOMAIN}.mo")  # noqa: PTH118
    with open(compiled_file, "rb") as compiled:  # noqa: PTH123
        return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """Return ``message`` (English, as written in the code) in the current language."""
    lang = _LANGUAGE.get()
    if lang == "en":
        return message
    return translation(lang).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for ``n``, in the current language."""
    lang = _LANGUAGE.get()
    if lang == "en":
        return singular if n == 1 else plural
    return translation(lang).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (the conventional name of gettext_noop)
    """Mark ``message`` for the catalogue without translating it now (``gettext_noop``).

    For text defined before a language is chosen (module constants, option help):
    translate it where it is shown, with ``_(constant)``.
    """
    return message


class Translated(Protocol):
    """A text in every language, such as :class:`~ssp_core.domain.labels.Labels`."""

    def get(self, language: Language = "en", /) -> str:
        """Return the text in ``language``."""
        ...


def label(labels: Translated) -> str:
    """Return the text of ``labels`` (e.g. :class:`~ssp_core.domain.labels.Labels`) now."""
    return labels.get(_LANGUAGE.get())
