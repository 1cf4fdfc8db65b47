from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import DEFAULT_READER_SETTINGS


def site(request: HttpRequest) -> dict[str, Any]:
    reader = DEFAULT_READER_SETTINGS
    user = getattr(request, "user", None)
    from_account = False
    if user is not None and user.is_authenticated:
        profile = getattr(user, "profile", None)
        if profile is not None:
            reader = profile.effective_reader_settings
            from_account = True
    return {
        "SITE_NAME": settings.SITE_NAME,
        "reader_settings": reader,
        "reader_settings_from_account": from_account,
    }
