from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from social.models import MAX_GUEST_NAME


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before posting.")},
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4().hex)


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before saving.")},
    )


class GuestCommentForm(CommentForm):
    """A guest's comment, where the writer lets guests comment: signed with a name. `website`
    is a trap for bots (hidden from people and screen readers alike): filled in, the comment
    is refused."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=MAX_GUEST_NAME,
        error_messages={"required": _("Give a name to sign your comment with.")},
    )
    website = forms.CharField(required=False)

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This comment looks automated and was not posted."))
        return ""
