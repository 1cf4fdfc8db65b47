from __future__ import annotations

import uuid
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorFormField

from stories.actions import (
    Cover,
    PartSpoilers,
    StoryData,
    check_cover,
    check_part_html_size,
    check_schedule_time,
)
from stories.models import LANGUAGE_CHOICES, ArchiveWarning, Rating, Story, StoryStatus
from tags.models import TagKind
from talehouse.lib.sanitize import PROSE_EDITOR_CONFIG

TAG_FIELDS = {
    TagKind.FANDOM: "fandoms",
    TagKind.RELATIONSHIP: "relationships",
    TagKind.CHARACTER: "characters",
    TagKind.ADDITIONAL: "additional_tags",
}
MAX_TAGS_PER_KIND = 75
MAX_SPOILER_TAGS = 20
# What a single part may warn of beyond its story's warnings.
PART_WARNINGS = [
    (code, label)
    for code, label in ArchiveWarning.choices
    if code not in {ArchiveWarning.NO_WARNINGS, ArchiveWarning.CHOSE_NOT_TO_WARN}
]


def split_tags(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def tags_input(kind: str) -> forms.TextInput:
    """A box of comma-separated tags that suggests existing tags of `kind` while one is typed
    (tags/static/tags/tag-suggest.js; without JavaScript it is a plain text box)."""
    url = format_lazy("{}?kind={}", reverse_lazy("tags:suggest"), kind)
    return forms.TextInput(attrs={"data-tag-suggest": url, "autocomplete": "off"})


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
        choices=ArchiveWarning.choices,
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
        widget=tags_input(TagKind.FANDOM),
        help_text=_("Separate tags with commas. “Original Work” for original fiction."),
    )
    relationships = forms.CharField(
        label=_("Relationships"),
        required=False,
        max_length=5000,
        widget=tags_input(TagKind.RELATIONSHIP),
        help_text=_("For example: Bellamy Blake/Clarke Griffin"),
    )
    background_relationships = forms.CharField(
        label=_("Background relationships"),
        required=False,
        max_length=5000,
        widget=tags_input(TagKind.RELATIONSHIP),
        help_text=_(
            "Pairings that are there but not the story's focus: shown folded, after the main ones."
        ),
    )
    characters = forms.CharField(
        label=_("Characters"),
        required=False,
        max_length=5000,
        widget=tags_input(TagKind.CHARACTER),
    )
    additional_tags = forms.CharField(
        label=_("Additional tags"),
        required=False,
        max_length=5000,
        widget=tags_input(TagKind.ADDITIONAL),
    )
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
        story_tags = list(story.story_tags.select_related("tag"))
        for kind, field_name in TAG_FIELDS.items():
            names = [st.tag.name for st in story_tags if st.tag.kind == kind and not st.background]
            initial[field_name] = ", ".join(names)
        background = [st.tag.name for st in story_tags if st.background]
        initial["background_relationships"] = ", ".join(background)
        return initial

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise ValidationError(_("Give your story a title."))
        return title

    def clean_warnings(self) -> list[str]:
        warnings: list[str] = self.cleaned_data["warnings"]
        if ArchiveWarning.NO_WARNINGS in warnings and len(warnings) > 1:
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
        for field_name in [*TAG_FIELDS.values(), "background_relationships"]:
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
            background_relationships=split_tags(data.get("background_relationships", "")),
        )


class PartForm(forms.Form):
    title = forms.CharField(label=_("Part title"), max_length=200, strip=True)
    client_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # With a config, the field's widget uses the "configurable" preset, which loads exactly
    # these extensions (a bare ProseEditorWidget would load its default set and ignore them).
    # It does not sanitise: the action that saves the body does, once.
    body = ProseEditorFormField(label=_("Text"), required=False, config=PROSE_EDITOR_CONFIG)
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
    part_warnings = forms.MultipleChoiceField(
        label=_("Warnings for this part only"),
        required=False,
        choices=PART_WARNINGS,
        widget=forms.CheckboxSelectMultiple,
    )
    spoiler_tags = forms.CharField(
        label=_("Spoiler tags for this part"),
        required=False,
        max_length=2000,
        help_text=_("Separate tags with commas. Readers see them only when they ask."),
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

    def clean_spoiler_tags(self) -> list[str]:
        tags = list(dict.fromkeys(split_tags(self.cleaned_data.get("spoiler_tags", "") or "")))
        if len(tags) > MAX_SPOILER_TAGS:
            raise ValidationError(_("At most %(n)d spoiler tags.") % {"n": MAX_SPOILER_TAGS})
        if any(len(tag) > 100 for tag in tags):
            raise ValidationError(_("Each spoiler tag can be at most 100 characters."))
        return tags

    def spoilers(self) -> PartSpoilers:
        data = self.cleaned_data
        return PartSpoilers(list(data.get("part_warnings") or []), data.get("spoiler_tags", []))

    def clean_body(self) -> str:
        """Refuse an oversized body here, so the page can say so; saving sanitises it."""
        return check_part_html_size(self.cleaned_data.get("body", ""))


TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class ScheduleForm(forms.Form):
    """When to publish a draft, in the writer's own time zone."""

    publish_at = forms.DateTimeField(
        label=_("Publish on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        local, zone = data.get("publish_at"), data.get("time_zone")
        if local is not None and zone:
            # The field read the wall-clock time as the server's zone: read it as the writer's.
            wall_clock = timezone.make_naive(local, timezone.get_current_timezone())
            at = wall_clock.replace(tzinfo=zoneinfo.ZoneInfo(zone))
            try:
                data["publish_at"] = check_schedule_time(at)
            except ValidationError as error:
                self.add_error("publish_at", error)
        return data
