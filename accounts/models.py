from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Reader settings a reader can choose; anything else posted is ignored.
READER_SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    "theme": ("light", "sepia", "dark"),
    "font": ("serif", "sans"),
    "size": ("s", "m", "l", "xl"),
    "spacing": ("tight", "normal", "loose"),
}
DEFAULT_READER_SETTINGS = {"theme": "light", "font": "serif", "size": "m", "spacing": "normal"}


def clean_reader_settings(raw: dict[str, Any]) -> dict[str, str]:
    """Keep only known keys with allowed values, filling the rest with defaults."""
    cleaned = dict(DEFAULT_READER_SETTINGS)
    for key, allowed in READER_SETTING_CHOICES.items():
        value = raw.get(key)
        if isinstance(value, str) and value in allowed:
            cleaned[key] = value
    return cleaned


_PLACEHOLDER = "username-placeholder"


@functools.cache
def _profile_url_pattern() -> str:
    return reverse("accounts:profile", args=[_PLACEHOLDER])


class User(AbstractUser):
    """A Talehouse account. The public face of a user is their Profile."""

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.username

    @property
    def profile_url(self) -> str:
        # Built from one reverse() of the pattern: comment threads show many profile links.
        # Quoted as reverse() would quote a path segment.
        username = quote(self.username, safe="!$&'()*+,;=~:@")
        return _profile_url_pattern().replace(_PLACEHOLDER, username)

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return str(profile.display_name)
        return self.username


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("bio"), max_length=5000, blank=True)
    reader_settings = models.JSONField(_("reader settings"), default=dict, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def effective_reader_settings(self) -> dict[str, str]:
        return clean_reader_settings(self.reader_settings or {})
