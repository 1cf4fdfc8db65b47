"""A file's words for ratings, warnings and languages, mapped onto ours."""

from __future__ import annotations

from stories.models import LANGUAGE_CHOICES, ArchiveWarning, Rating

# AO3's tag names (its config.yml), which are also our labels.
RATINGS = {
    "general audiences": Rating.GENERAL,
    "teen and up audiences": Rating.TEEN,
    "mature": Rating.MATURE,
    "explicit": Rating.EXPLICIT,
    "not rated": Rating.NOT_RATED,
}
WARNINGS = {
    "no archive warnings apply": ArchiveWarning.NO_WARNINGS,
    "creator chose not to use archive warnings": ArchiveWarning.CHOSE_NOT_TO_WARN,
    "choose not to use archive warnings": ArchiveWarning.CHOSE_NOT_TO_WARN,
    "graphic depictions of violence": ArchiveWarning.VIOLENCE,
    "major character death": ArchiveWarning.DEATH,
    "rape/non-con": ArchiveWarning.NONCON,
    "underage sex": ArchiveWarning.UNDERAGE,
    "underage": ArchiveWarning.UNDERAGE,  # its name before 2023
}
# Languages as archives name them (AO3 in the language itself), for the ones we offer.
_LANGUAGE_NAMES = {
    "english": "en",
    "español": "es",
    "spanish": "es",
    "français": "fr",
    "french": "fr",
    "deutsch": "de",
    "german": "de",
    "português": "pt",
    "português brasileiro": "pt",
    "português europeu": "pt",
    "portuguese": "pt",
    "italiano": "it",
    "italian": "it",
    "bahasa indonesia": "id",
    "indonesian": "id",
    "tagalog": "tl",
    "filipino": "tl",
    "日本語": "ja",
    "japanese": "ja",
    "中文-普通话 國語": "zh",
    "中文": "zh",
    "chinese": "zh",
}
OUR_LANGUAGES = {code for code, _label in LANGUAGE_CHOICES}


def rating_code(label: str) -> str | None:
    return RATINGS.get(" ".join(label.split()).lower())


def warning_codes(labels: list[str]) -> list[str]:
    codes = [WARNINGS.get(" ".join(label.split()).lower()) for label in labels]
    return list(dict.fromkeys(code for code in codes if code))


def language_code(value: str) -> str:
    """Ours for a code ("en", "pt-BR") or a name ("Español"); "" for a language we do not
    offer yet (the story keeps the default, and the preview says so)."""
    value = " ".join(value.split()).lower()
    if value in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[value]
    code = value.replace("_", "-").split("-")[0]
    return code if code in OUR_LANGUAGES else ""
