from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import ProseEditorWidget

from stories.actions import Cover, StoryData, check_cover, check_part_html
from stories.models import LANGUAGE_CHOICES, Rating, Story, StoryStatus, Warning
from tags.models import TagKind

TAG_FIELDS = {
    TagKind.FANDOM: "fandoms",
    TagKind.RELATIONSHIP: "relationships",
    TagKind.CHARACTER: "characters",
    TagKind.ADDITIONAL: "additional_tags",
}
MAX_TAGS_PER_KIND = 75

EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HorizontalRule": True,
        "HardBreak": True,
        "Link": {"enableTarget": False},
        "History": True,
        "SpecialCharacters": True,
    }
}


def split_tags(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class StoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, strip=True)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, initial=Rating.NOT_RATED)
    warnings = forms.MultipleChoiceField(
        label=_("Archive warnings"),
        choices=Warning.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("Choose at least one warning, or “No Archive Warnings”.")},
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="en")
    status = forms.ChoiceField(
        label=_("Status"), choices=StoryStatus.choices, initial=StoryStatus.IN_PROGRESS
    )
    fandoms = forms.CharField(
        label=_("Fandoms"),
        required=False,
        max_length=5000,
        help_text=_("Separate tags with commas. “Original Work” for original fiction."),
    )
    relationships = forms.CharField(
        label=_("Relationships"),
        required=False,
        max_length=5000,
        help_text=_("For example: Bellamy Blake/Clarke Griffin"),
    )
    characters = forms.CharField(label=_("Characters"), required=False, max_length=5000)
    additional_tags = forms.CharField(label=_("Additional tags"), required=False, max_length=5000)
    restricted = forms.BooleanField(
        label=_("Only show this story to signed-in readers"), required=False
    )
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("client_token"):
            self.initial["client_token"] = uuid.uuid4().hex
        self.cleaned_cover: Cover | None = None

    @classmethod
    def initial_for(cls, story: Story) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": story.title,
            "summary": story.summary,
            "rating": story.rating,
            "warnings": story.warnings,
            "language": story.language,
            "status": story.status,
            "restricted": story.restricted,
        }
        for kind, field_name in TAG_FIELDS.items():
            names = [t.name for t in story.tags.all() if t.kind == kind]
            initial[field_name] = ", ".join(names)
        return initial

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError(_("Give your story a title."))
        return title

    def clean_warnings(self) -> list[str]:
        warnings: list[str] = self.cleaned_data["warnings"]
        if Warning.NO_WARNINGS in warnings and len(warnings) > 1:
            raise ValidationError(
                _("“No Archive Warnings Apply” cannot be combined with other warnings.")
            )
        return warnings

    def clean_cover(self) -> Any:
        upload = self.cleaned_data.get("cover")
        if upload:
            self.cleaned_cover = check_cover(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field_name in TAG_FIELDS.values():
            names = split_tags(cleaned.get(field_name, "") or "")
            if len(names) > MAX_TAGS_PER_KIND:
                self.add_error(field_name, _("At most 75 tags of each kind."))
            if any(len(name) > 150 for name in names):
                self.add_error(field_name, _("Each tag can be at most 150 characters."))
        return cleaned

    def story_data(self) -> StoryData:
        data = self.cleaned_data
        return StoryData(
            title=data["title"],
            summary=data.get("summary", "").strip(),
            rating=data["rating"],
            warnings=data["warnings"],
            language=data["language"],
            status=data["status"],
            restricted=data.get("restricted", False),
            tags={kind: split_tags(data.get(name, "")) for kind, name in TAG_FIELDS.items()},
        )


class PartForm(forms.Form):
    title = forms.CharField(label=_("Part title"), max_length=200, strip=True)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=ProseEditorWidget(config=EDITOR_CONFIG),
    )
    notes_before = forms.CharField(
        label=_("Notes before the part"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes_after = forms.CharField(
        label=_("Notes after the part"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.initial.get("client_token"):
            self.initial["client_token"] = uuid.uuid4().hex

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError(_("Give this part a title."))
        return title

    def clean_body(self) -> str:
        return check_part_html(self.cleaned_data.get("body", ""))


def max_body_bytes() -> int:
    return int(settings.TALEHOUSE_MAX_PART_HTML_BYTES)
