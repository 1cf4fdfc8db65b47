from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import DEFAULT_READER_SETTINGS


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    member = user is not None and user.is_authenticated

    def reader_settings() -> dict[str, str]:
        # Lazy: a shared page never reads the member's profile (it names nobody).
        if user is not None and member:
            return user.profile.effective_reader_settings  # type: ignore[no-any-return]
        return DEFAULT_READER_SETTINGS

    return {
        "SITE_NAME": settings.SITE_NAME,
        "reader_settings": SimpleLazyObject(reader_settings),
        "reader_settings_from_account": member,
    }
