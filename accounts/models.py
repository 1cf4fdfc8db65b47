from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from talehouse.lib.urls import UrlTemplate

# Reader settings a reader can choose; anything else posted is ignored.
READER_SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    "theme": ("light", "sepia", "dark"),
    "font": ("serif", "sans"),
    "size": ("s", "m", "l", "xl"),
    "spacing": ("tight", "normal", "loose"),
    # Stats-blind mode: every count (reads, votes, comments, words…) hidden, site-wide.
    "stats": ("shown", "hidden"),
}
DEFAULT_READER_SETTINGS = {
    "theme": "light",
    "font": "serif",
    "size": "m",
    "spacing": "normal",
    "stats": "shown",
}


def clean_reader_settings(raw: dict[str, Any]) -> dict[str, str]:
    """Keep only known keys with allowed values, filling the rest with defaults."""
    cleaned = dict(DEFAULT_READER_SETTINGS)
    for key, allowed in READER_SETTING_CHOICES.items():
        value = raw.get(key)
        if isinstance(value, str) and value in allowed:
            cleaned[key] = value
    return cleaned


PROFILE_URL = UrlTemplate("accounts:profile", "sample-username")


class User(AbstractUser):
    """A Talehouse account. The public face of a user is their Profile."""

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.username

    @property
    def profile_url(self) -> str:
        # Comment threads link many profiles: no reverse() per link.
        return PROFILE_URL(self.username)

    @property
    def display_name(self) -> str:
        # Every user has a profile (accounts/actions.py creates it with the user).
        return self.profile.display_name or self.username


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("bio"), max_length=5000, blank=True)
    reader_settings = models.JSONField(_("reader settings"), default=dict, blank=True)
    # The writer's zone, as last chosen when scheduling a part: schedules are shown in it.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    def __str__(self) -> str:
        return self.display_name or self.user.username

    @property
    def effective_reader_settings(self) -> dict[str, str]:
        return clean_reader_settings(self.reader_settings or {})


# Whoever is looking at a page: a member or an anonymous visitor (request.user's type).
Viewer = User | AnonymousUser


class AuthenticatedHttpRequest(HttpRequest):
    """The request type of views behind @login_required: `request.user` is a member."""

    user: User  # type: ignore[assignment]
