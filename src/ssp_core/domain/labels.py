"""Labels: every user-facing text is data in Danish (``da``) and English (``en``)."""

from __future__ import annotations

import attrs

from ssp_core.domain.validators import non_empty_text
from ssp_core.i18n import LANGUAGES, Language

__all__ = ["LANGUAGES", "Labels", "Language"]


@attrs.frozen
class Labels:
    """A text in Danish and English; both are required and non-empty.

    In TOML a ``Labels`` is a table of two keys, e.g.
    ``labels = { da = "Mentor", en = "Mentor" }`` or ``labels.da = ...`` and ``labels.en = ...``.

    :ivar da: the text in Danish; required, and not empty or only spaces.
    :ivar en: the text in English; required, and not empty or only spaces. It is the
        text shown where no language is chosen.
    """

    da: str = attrs.field(validator=non_empty_text)
    en: str = attrs.field(validator=non_empty_text)

    def get(self, language: Language = "en") -> str:
        """Return the text in ``language`` (``"da"`` or ``"en"``)."""
        return self.da if language == "da" else self.en

    def __str__(self) -> str:
        return self.en
