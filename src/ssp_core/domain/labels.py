"""Labels: every user-facing text is data in Danish (``da``) and English (``en``)."""

from __future__ import annotations

from typing import Literal

import attrs

from ssp_core.domain.validators import non_empty_text

__all__ = ["LANGUAGES", "Labels", "Language"]

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")


@attrs.frozen
class Labels:
    """A text in Danish and English; both are required and non-empty."""

    da: str = attrs.field(validator=non_empty_text)
    en: str = attrs.field(validator=non_empty_text)

    def get(self, language: Language = "en") -> str:
        """Return the text in ``language`` (``"da"`` or ``"en"``)."""
        return self.da if language == "da" else self.en

    def __str__(self) -> str:
        return self.en
