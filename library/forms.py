from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from library.actions import check_bookmark_tags
from library.models import (
    MAX_BOOKMARK_NOTE,
    MAX_BOOKMARK_TAG,
    MAX_BOOKMARK_TAGS,
    MAX_ENTRY_NOTE,
    MAX_LIST_DESCRIPTION,
    MAX_LIST_TITLE,
    MAX_NOTE,
    ReadingList,
    Shelf,
)


class ShelfForm(forms.Form):
    shelf = forms.ChoiceField(
        label=_("Shelf"),
        choices=Shelf.choices,
        help_text=_("Reading and Caught up follow your reading: new parts move you back."),
    )
    note = forms.CharField(
        label=_("Private note"),
        max_length=MAX_NOTE,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only you can see it."),
    )


class HistoryPauseForm(forms.Form):
    paused = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


# --- reading lists ---------------------------------------------------------------------------


class ReadingListForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_LIST_TITLE, strip=True)
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_LIST_DESCRIPTION,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Anyone can see a public list, on its page and on your profile."),
    )


class AddToListForm(forms.Form):
    """Add a story to one of the reader's lists, or to a new one named here."""

    reading_list = forms.TypedChoiceField(
        label=_("List"), coerce=int, empty_value=None, required=False
    )
    new_title = forms.CharField(
        label=_("Or a new list named"), max_length=MAX_LIST_TITLE, required=False, strip=True
    )
    note = forms.CharField(
        label=_("Note on this story"),
        max_length=MAX_ENTRY_NOTE,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the story on the list."),
    )

    def __init__(self, *args: Any, lists: list[ReadingList], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reading_list"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("A new list…"))] + [(str(x.pk), x.title) for x in lists]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("reading_list") and not cleaned.get("new_title"):
            self.add_error("new_title", _("Name the new list, or choose one of yours."))
        return cleaned


class EntryNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note on this story"),
        max_length=MAX_ENTRY_NOTE,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown with the story on the list."),
    )


class EntryMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


# --- bookmarks -------------------------------------------------------------------------------


class BookmarkForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_BOOKMARK_NOTE,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = forms.CharField(
        label=_("Your tags"),
        required=False,
        # Generous for the raw text: each tag and their number are checked in clean_tags.
        max_length=(MAX_BOOKMARK_TAG + 2) * MAX_BOOKMARK_TAGS,
        help_text=format_lazy(
            _("Separated by commas: at most {n}, of {length} characters each."),
            n=MAX_BOOKMARK_TAGS,
            length=MAX_BOOKMARK_TAG,
        ),
    )
    is_public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("A public bookmark shows on your profile."),
    )

    def clean_tags(self) -> list[str]:
        return check_bookmark_tags(self.cleaned_data["tags"])
