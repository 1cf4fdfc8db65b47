from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.actions import check_announcement


class AnnouncementForm(forms.Form):
    """A writer's note to a story's subscribers. Not required at the field level, so an empty
    or blank note gets `check_announcement`'s message, the same one the action gives."""

    text = forms.CharField(label=_("Announcement"), required=False, strip=False)

    def clean_text(self) -> str:
        return check_announcement(self.cleaned_data.get("text", ""))
