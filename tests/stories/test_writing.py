from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from stories.models import Part, PartStatus, Story
from tags.models import Tag
from tests.factories import make_part, make_story, make_user, png_bytes, without_pids


def story_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Ash and Orbit",
        "summary": "Ninety-seven days on the ground.",
        "rating": "teen",
        "warnings": ["violence", "death"],
        "language": "en",
        "status": "in_progress",
        "fandoms": "The 100 (TV)",
        "relationships": "Bellamy Blake/Clarke Griffin",
        "characters": "Clarke Griffin, Bellamy Blake, Octavia Blake",
        "additional_tags": "Slow Burn, Found Family",
        "client_token": "",
    }
    data.update(overrides)
    return data


def part_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Landfall",
        "body": "<p>The dropship hit the ground hard.</p>",
        "notes_before": "",
        "notes_after": "",
    }
    data.update(overrides)
    return data


def html_of(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Covers go to a private directory, so this test sees only the files it made."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- creating and editing a story ---------------------------------------------------------


def test_an_author_creates_a_story_with_typed_tags(author_client: Client, author: User) -> None:
    response = author_client.post(reverse("stories:story_create"), story_form())
    story = Story.objects.get(author=author)
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:part_create", args=[story.pk])
    assert story.title == "Ash and Orbit"
    assert story.summary == "Ninety-seven days on the ground."
    assert story.rating == "teen"
    assert story.warnings == ["violence", "death"]
    assert not story.is_public and story.published_at is None
    tags = {(tag.kind, tag.name) for tag in story.tags.all()}
    assert tags == {
        ("fandom", "The 100 (TV)"),
        ("relationship", "Bellamy Blake/Clarke Griffin"),
        ("character", "Clarke Griffin"),
        ("character", "Bellamy Blake"),
        ("character", "Octavia Blake"),
        ("additional", "Slow Burn"),
        ("additional", "Found Family"),
    }


def test_the_same_tag_name_is_one_tag_per_kind_across_stories(
    author_client: Client, author: User
) -> None:
    author_client.post(reverse("stories:story_create"), story_form(title="One"))
    author_client.post(reverse("stories:story_create"), story_form(title="Two"))
    ship = Tag.objects.get(kind="relationship", name="Bellamy Blake/Clarke Griffin")
    assert ship.stories.count() == 2
    assert Tag.objects.filter(name="Clarke Griffin").count() == 1


def test_the_story_form_shows_a_fresh_client_token(author_client: Client) -> None:
    html = html_of(author_client.get(reverse("stories:story_create")))
    assert 'name="client_token"' in html
    assert "Start a new story" in html


def test_a_story_form_posted_twice_creates_one_story(author_client: Client, author: User) -> None:
    data = story_form(client_token="3f1c0e5a9b7d4e2f8a6c1b0d9e8f7a6b")
    first = author_client.post(reverse("stories:story_create"), data)
    second = author_client.post(reverse("stories:story_create"), data)
    assert Story.objects.filter(author=author).count() == 1
    assert first["Location"] == second["Location"]


def test_two_stories_with_different_tokens_are_two_stories(
    author_client: Client, author: User
) -> None:
    author_client.post(reverse("stories:story_create"), story_form(client_token="a" * 32))
    author_client.post(reverse("stories:story_create"), story_form(client_token="b" * 32))
    assert Story.objects.filter(author=author).count() == 2


def test_the_edit_form_is_filled_with_the_story(author_client: Client, story: Story) -> None:
    html = html_of(author_client.get(reverse("stories:story_edit", args=[story.pk])))
    assert 'value="The Quiet Harbour"' in html
    assert 'value="Original Work"' in html
    assert 'value="Slow Burn"' in html


def test_an_author_edits_a_story_and_its_tags(author_client: Client, story: Story) -> None:
    response = author_client.post(
        reverse("stories:story_edit", args=[story.pk]),
        story_form(title="The  Loud   Harbour", fandoms="Original Work", additional_tags="Angst"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("stories:story_manage", args=[story.pk])
    story.refresh_from_db()
    assert story.title == "The Loud Harbour"
    names = {(tag.kind, tag.name) for tag in story.tags.all()}
    assert ("additional", "Angst") in names
    assert ("additional", "Slow Burn") not in names
    assert ("relationship", "Bellamy Blake/Clarke Griffin") in names


# --- bad story input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "This field is required."), ("   ", "This field is required."), ("x" * 500, "200")],
)
def test_a_bad_title_is_explained_and_the_rest_of_the_form_is_kept(
    author_client: Client, author: User, title: str, message: str
) -> None:
    response = author_client.post(reverse("stories:story_create"), story_form(title=title))
    html = html_of(response)
    assert response.status_code == 200
    assert not Story.objects.filter(author=author).exists()
    errors = html[html.index('id="id_title_errors"') :][:400]
    assert message in errors
    assert "Ninety-seven days on the ground." in html
    assert 'value="Bellamy Blake/Clarke Griffin"' in html
    assert 'value="Clarke Griffin, Bellamy Blake, Octavia Blake"' in html
    assert re.search(r'value="violence"[^>]*checked', html)
    assert not re.search(r'value="none"[^>]*checked', html)


def test_warnings_are_required(author_client: Client, author: User) -> None:
    response = author_client.post(reverse("stories:story_create"), story_form(warnings=[]))
    assert "Choose at least one warning" in html_of(response)
    assert not Story.objects.filter(author=author).exists()


def test_no_warnings_cannot_be_combined_with_a_warning(author_client: Client, author: User) -> None:
    response = author_client.post(
        reverse("stories:story_create"), story_form(warnings=["none", "violence"])
    )
    assert "cannot be combined" in html_of(response)
    assert not Story.objects.filter(author=author).exists()


def test_a_bad_edit_changes_nothing(author_client: Client, story: Story) -> None:
    response = author_client.post(
        reverse("stories:story_edit", args=[story.pk]), story_form(title="")
    )
    assert response.status_code == 200
    story.refresh_from_db()
    assert story.title == "The Quiet Harbour"
    assert {tag.name for tag in story.tags.all()} == {"Original Work", "Slow Burn"}


# --- covers -------------------------------------------------------------------------------


def test_a_png_cover_is_saved_with_a_thumbnail(
    author_client: Client, author: User, media_root: Path
) -> None:
    upload = SimpleUploadedFile("cover.png", png_bytes(), content_type="image/png")
    response = author_client.post(reverse("stories:story_create"), story_form(cover=upload))
    assert response.status_code == 302
    story = Story.objects.get(author=author)
    assert story.cover.name.endswith(".png")
    assert Path(story.cover.path).is_relative_to(media_root)
    with Image.open(story.cover_thumb.path) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (256, 384)


def test_replacing_a_cover_removes_the_old_files(
    author_client: Client,
    story: Story,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("stories:story_edit", args=[story.pk])
    first = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    author_client.post(url, story_form(cover=first))
    story.refresh_from_db()
    old_files = {story.cover.path, story.cover_thumb.path}
    second = SimpleUploadedFile("b.png", png_bytes((300, 450)), content_type="image/png")
    # The old files are removed only after the commit (see actions._save_cover).
    with django_capture_on_commit_callbacks(execute=True):
        author_client.post(url, story_form(cover=second))
    story.refresh_from_db()
    remaining = {str(path) for path in files_under(media_root)}
    assert remaining == {story.cover.path, story.cover_thumb.path}
    assert not old_files & remaining


def test_a_text_file_named_png_is_refused_next_to_the_field(
    author_client: Client, author: User, media_root: Path
) -> None:
    upload = SimpleUploadedFile("cover.png", b"just some words\n" * 20, content_type="image/png")
    response = author_client.post(reverse("stories:story_create"), story_form(cover=upload))
    html = html_of(response)
    assert response.status_code == 200
    errors = html[html.index('id="id_cover_errors"') :][:400]
    assert "That file is not an image we can read." in errors
    assert not Story.objects.filter(author=author).exists()
    assert files_under(media_root) == []


@pytest.mark.parametrize("times_the_limit", [2, 1])
def test_a_decompression_bomb_is_refused(
    author_client: Client, author: User, media_root: Path, times_the_limit: int
) -> None:
    # Over twice Pillow's pixel limit (its error) and just over it (only its warning);
    # 1-bit and blank, so the file itself is a few KB.
    limit = Image.MAX_IMAGE_PIXELS
    assert limit is not None, "stories.actions sets Pillow's pixel limit"
    side = math.isqrt(times_the_limit * limit) + 100
    bomb = png_bytes((side, side), mode="1")
    assert len(bomb) < 200_000
    upload = SimpleUploadedFile("huge.png", bomb, content_type="image/png")
    response = author_client.post(reverse("stories:story_create"), story_form(cover=upload))
    html = html_of(response)
    assert response.status_code == 200
    errors = html[html.index('id="id_cover_errors"') :][:400]
    assert "That image is too large to process." in errors
    assert not Story.objects.filter(author=author).exists()
    assert files_under(media_root) == []


def test_a_cover_over_the_size_limit_is_refused(
    author_client: Client, author: User, settings: Any, media_root: Path
) -> None:
    settings.TALEHOUSE_MAX_COVER_BYTES = 1024
    padded = png_bytes() + b"\0" * 2048
    upload = SimpleUploadedFile("cover.png", padded, content_type="image/png")
    response = author_client.post(reverse("stories:story_create"), story_form(cover=upload))
    assert "The cover is too large" in html_of(response)
    assert not Story.objects.filter(author=author).exists()


# --- writing parts ------------------------------------------------------------------------


def test_saving_a_new_part_as_a_draft_keeps_the_story_private(
    author_client: Client, story: Story, client: Client
) -> None:
    response = author_client.post(reverse("stories:part_create", args=[story.pk]), part_form())
    part = Part.objects.get(story=story)
    assert response["Location"] == reverse("stories:part_edit", args=[part.pk])
    assert part.status == PartStatus.DRAFT
    assert part.word_count == 6
    story.refresh_from_db()
    assert story.published_parts_count == 0 and story.word_count == 0
    assert client.get(story.get_absolute_url()).status_code == 404


def test_the_part_body_is_sanitised_on_save(author_client: Client, story: Story) -> None:
    body = '<p onclick="x()">Safe <script>alert(1)</script>words.</p>'
    author_client.post(reverse("stories:part_create", args=[story.pk]), part_form(body=body))
    assert without_pids(Part.objects.get(story=story).body_html) == "<p>Safe words.</p>"


def test_publishing_a_part_makes_the_story_public(
    author_client: Client, story: Story, client: Client
) -> None:
    author_client.post(reverse("stories:part_create", args=[story.pk]), part_form())
    part = Part.objects.get(story=story)
    before = timezone.now()
    response = author_client.post(reverse("stories:part_publish", args=[part.pk]))
    assert response["Location"] == part.get_absolute_url()
    part.refresh_from_db()
    story.refresh_from_db()
    assert part.status == PartStatus.PUBLISHED
    assert part.published_at is not None and part.published_at >= before
    assert story.published_at == part.published_at
    assert story.updated_at == part.published_at
    assert story.published_parts_count == 1
    assert story.word_count == 6
    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get(part.get_absolute_url()).status_code == 200


def test_publish_straight_from_the_new_part_form(author_client: Client, story: Story) -> None:
    data = part_form(publish="")
    response = author_client.post(reverse("stories:part_create", args=[story.pk]), data)
    part = Part.objects.get(story=story)
    assert response["Location"] == part.get_absolute_url()
    assert part.is_published


def test_an_empty_part_cannot_be_published(author_client: Client, story: Story) -> None:
    data = part_form(body="<p> </p>", publish="")
    response = author_client.post(reverse("stories:part_create", args=[story.pk]), data)
    part = Part.objects.get(story=story)
    assert response["Location"] == reverse("stories:part_edit", args=[part.pk])
    assert part.status == PartStatus.DRAFT
    page = author_client.get(response["Location"])
    assert "A part needs some text before it can be published." in html_of(page)


def test_a_second_published_part_adds_words_and_moves_updated(
    author_client: Client, story: Story, part: Part
) -> None:
    story.refresh_from_db()
    first_update = story.updated_at
    assert first_update is not None
    Story.objects.filter(pk=story.pk).update(updated_at=first_update - timedelta(days=3))
    second = make_part(story, "Second", "<p>Four more words here.</p>", publish=False)
    author_client.post(reverse("stories:part_publish", args=[second.pk]))
    story.refresh_from_db()
    assert story.published_parts_count == 2
    assert story.word_count == part.word_count + 4
    assert story.updated_at is not None and story.updated_at >= first_update


def test_editing_a_published_part_does_not_move_updated(
    author_client: Client, story: Story, part: Part
) -> None:
    earlier = timezone.now() - timedelta(days=10)
    Story.objects.filter(pk=story.pk).update(updated_at=earlier, published_at=earlier)
    Part.objects.filter(pk=part.pk).update(published_at=earlier)
    response = author_client.post(
        reverse("stories:part_edit", args=[part.pk]),
        part_form(title="The First Night", body="<p>A typo fixed, and three new words.</p>"),
    )
    assert response.status_code == 302
    part.refresh_from_db()
    story.refresh_from_db()
    assert without_pids(part.body_html) == "<p>A typo fixed, and three new words.</p>"
    assert part.published_at == earlier
    assert story.updated_at == earlier
    assert story.word_count == 7


def test_republishing_an_unpublished_part_does_not_move_updated(
    author_client: Client, story: Story, part: Part
) -> None:
    earlier = timezone.now() - timedelta(days=10)
    Story.objects.filter(pk=story.pk).update(updated_at=earlier)
    Part.objects.filter(pk=part.pk).update(published_at=earlier)
    author_client.post(reverse("stories:part_unpublish", args=[part.pk]))
    author_client.post(reverse("stories:part_publish", args=[part.pk]))
    story.refresh_from_db()
    assert story.updated_at == earlier
    assert story.published_parts_count == 1


def test_unpublishing_the_only_part_hides_the_story_again(
    author_client: Client, story: Story, part: Part, client: Client
) -> None:
    response = author_client.post(reverse("stories:part_unpublish", args=[part.pk]))
    assert response["Location"] == reverse("stories:story_manage", args=[story.pk])
    part.refresh_from_db()
    story.refresh_from_db()
    assert part.status == PartStatus.DRAFT
    assert story.published_parts_count == 0 and story.word_count == 0
    assert client.get(story.get_absolute_url()).status_code == 404
    assert client.get(part.get_absolute_url()).status_code == 404


def test_the_part_editor_is_filled_with_the_draft(author_client: Client, draft_part: Part) -> None:
    html = html_of(author_client.get(reverse("stories:part_edit", args=[draft_part.pk])))
    assert 'value="Unfinished"' in html
    assert "Secret draft words." in html
    assert reverse("stories:part_autosave", args=[draft_part.pk]) in html


def test_a_part_without_a_title_is_not_saved(author_client: Client, draft_part: Part) -> None:
    response = author_client.post(
        reverse("stories:part_edit", args=[draft_part.pk]),
        part_form(title=" ", body="<p>New words.</p>"),
    )
    html = html_of(response)
    assert response.status_code == 400
    assert "This part was not saved." in html
    assert "New words." in html
    draft_part.refresh_from_db()
    assert without_pids(draft_part.body_html) == "<p>Secret draft words.</p>"


def test_a_part_over_one_megabyte_is_refused_and_the_draft_is_kept(
    author_client: Client, draft_part: Part
) -> None:
    limit = django_settings.TALEHOUSE_MAX_PART_HTML_BYTES
    huge = "<p>" + "word " * (limit // 5) + "</p>"
    assert len(huge.encode()) > limit
    response = author_client.post(
        reverse("stories:part_edit", args=[draft_part.pk]), part_form(body=huge)
    )
    html = html_of(response)
    assert response.status_code == 400
    errors = html[html.index('id="id_body_errors"') :][:400]
    assert "This part is too long: at most 1 MB of text." in errors
    draft_part.refresh_from_db()
    assert without_pids(draft_part.body_html) == "<p>Secret draft words.</p>"
    assert draft_part.word_count == 3


def test_a_new_part_over_one_megabyte_creates_nothing(author_client: Client, story: Story) -> None:
    huge = "<p>" + "x" * (django_settings.TALEHOUSE_MAX_PART_HTML_BYTES + 1) + "</p>"
    response = author_client.post(
        reverse("stories:part_create", args=[story.pk]), part_form(body=huge)
    )
    assert response.status_code == 400
    assert "This part is too long" in html_of(response)
    assert not Part.objects.filter(story=story).exists()


# --- autosave -----------------------------------------------------------------------------


def test_autosave_keeps_a_drafts_text(author_client: Client, draft_part: Part) -> None:
    response = author_client.post(
        reverse("stories:part_autosave", args=[draft_part.pk]),
        {"title": "Unfinished, still", "body": "<p>Two words</p><script>x</script>"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["saved"] is True
    assert data["word_count"] == 2
    assert data["word_count_label"] == "2 words"
    assert data["saved_label"].startswith("Draft saved at ")
    draft_part.refresh_from_db()
    assert draft_part.title == "Unfinished, still"
    assert without_pids(draft_part.body_html) == "<p>Two words</p>"
    assert draft_part.status == PartStatus.DRAFT


def test_autosave_without_a_title_keeps_the_old_title(
    author_client: Client, draft_part: Part
) -> None:
    author_client.post(
        reverse("stories:part_autosave", args=[draft_part.pk]), {"body": "<p>Changed.</p>"}
    )
    draft_part.refresh_from_db()
    assert draft_part.title == "Unfinished"
    assert without_pids(draft_part.body_html) == "<p>Changed.</p>"


def test_autosave_refuses_a_published_part_and_changes_nothing(
    author_client: Client, part: Part
) -> None:
    before = Part.objects.get(pk=part.pk)
    response = author_client.post(
        reverse("stories:part_autosave", args=[part.pk]),
        {"title": "Overwritten", "body": "<p>Half-typed sentence</p>"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "saved": False,
        "error": "Published parts are saved with the Save button.",
    }
    after = Part.objects.get(pk=part.pk)
    assert (after.title, after.body_html, after.word_count, after.edited_at) == (
        before.title,
        before.body_html,
        before.word_count,
        before.edited_at,
    )


@pytest.mark.parametrize("blank", ["", "<p></p>", "<p> &nbsp; </p><p><br></p>"])
def test_autosave_never_empties_a_draft_that_has_text(
    author_client: Client, draft_part: Part, blank: str
) -> None:
    before = Part.objects.get(pk=draft_part.pk)
    response = author_client.post(
        reverse("stories:part_autosave", args=[draft_part.pk]), {"title": "T", "body": blank}
    )
    assert response.status_code == 409  # the editor pauses autosave on it (editor.js)
    assert response.json() == {
        "saved": False,
        "error": "Autosave never empties a draft: undo (Ctrl+Z) to get the text back, "
        "or Save draft to keep it empty.",
    }
    after = Part.objects.get(pk=draft_part.pk)
    assert (after.title, after.body_html, after.edited_at) == (
        before.title,
        before.body_html,
        before.edited_at,
    )


def test_autosave_keeps_a_blank_draft_blank_and_a_scene_break_is_text(
    author_client: Client, story: Story
) -> None:
    url = reverse("stories:part_autosave", args=[make_part(story, "Empty", "", False).pk])
    assert author_client.post(url, {"title": "Empty", "body": "<p></p>"}).status_code == 200
    assert author_client.post(url, {"title": "Empty", "body": "<hr>"}).status_code == 200
    assert author_client.post(url, {"title": "Empty", "body": "<p></p>"}).status_code == 409


def test_the_save_button_may_empty_a_draft_the_writer_means_to(
    author_client: Client, draft_part: Part
) -> None:
    response = author_client.post(
        reverse("stories:part_edit", args=[draft_part.pk]), part_form(title="Unfinished", body="")
    )
    assert response.status_code == 302
    draft_part.refresh_from_db()
    assert (draft_part.body_html, draft_part.word_count) == ("", 0)


def test_autosave_refuses_an_oversized_body_and_keeps_the_draft(
    author_client: Client, draft_part: Part
) -> None:
    huge = "<p>" + "y" * (django_settings.TALEHOUSE_MAX_PART_HTML_BYTES + 1) + "</p>"
    response = author_client.post(
        reverse("stories:part_autosave", args=[draft_part.pk]), {"title": "T", "body": huge}
    )
    assert response.status_code == 400
    assert response.json()["saved"] is False
    assert "too long" in response.json()["error"]
    draft_part.refresh_from_db()
    assert without_pids(draft_part.body_html) == "<p>Secret draft words.</p>"


def test_the_first_autosave_of_a_new_part_creates_a_draft(
    author_client: Client, story: Story
) -> None:
    response = author_client.post(
        reverse("stories:part_create", args=[story.pk]),
        {"autosave": "1", "title": "Begun", "body": "<p>Three words typed</p>"},
    )
    assert response.status_code == 200
    data = response.json()
    part = Part.objects.get(story=story)
    assert part.title == "Begun"
    assert part.status == PartStatus.DRAFT
    assert part.word_count == 3
    assert data["saved"] is True
    assert data["autosave_url"] == reverse("stories:part_autosave", args=[part.pk])
    assert data["edit_url"] == reverse("stories:part_edit", args=[part.pk])
    follow_up = author_client.post(
        data["autosave_url"], {"title": "Begun", "body": "<p>Now four words typed</p>"}
    )
    assert follow_up.json()["word_count"] == 4
    assert Part.objects.filter(story=story).count() == 1


def test_the_first_autosave_needs_a_title(author_client: Client, story: Story) -> None:
    response = author_client.post(
        reverse("stories:part_create", args=[story.pk]),
        {"autosave": "1", "title": "  ", "body": "<p>Words</p>"},
    )
    assert response.status_code == 400
    assert response.json() == {"saved": False, "error": "Give this part a title."}
    assert not Part.objects.filter(story=story).exists()


# --- order and deletion -------------------------------------------------------------------


@pytest.fixture
def three_parts(story: Story) -> list[Part]:
    return [make_part(story, title) for title in ("One", "Two", "Three")]


def titles_in_order(story: Story) -> list[str]:
    return list(Part.objects.filter(story=story).values_list("title", flat=True))


def test_moving_a_part_up_and_down(
    author_client: Client, story: Story, three_parts: list[Part]
) -> None:
    one, two, three = three_parts
    response = author_client.post(
        reverse("stories:part_move", args=[three.pk]), {"direction": "up"}
    )
    assert response["Location"] == reverse("stories:story_manage", args=[story.pk])
    assert titles_in_order(story) == ["One", "Three", "Two"]
    author_client.post(reverse("stories:part_move", args=[one.pk]), {"direction": "down"})
    assert titles_in_order(story) == ["Three", "One", "Two"]


def test_moving_past_either_end_changes_nothing(
    author_client: Client, story: Story, three_parts: list[Part]
) -> None:
    one, two, three = three_parts
    author_client.post(reverse("stories:part_move", args=[one.pk]), {"direction": "up"})
    author_client.post(reverse("stories:part_move", args=[three.pk]), {"direction": "down"})
    assert titles_in_order(story) == ["One", "Two", "Three"]


def test_a_move_needs_up_or_down(
    author_client: Client, story: Story, three_parts: list[Part]
) -> None:
    response = author_client.post(
        reverse("stories:part_move", args=[three_parts[1].pk]),
        {"direction": "sideways"},
        follow=True,
    )
    assert "Choose up or down." in html_of(response)
    assert titles_in_order(story) == ["One", "Two", "Three"]


def test_the_new_order_shows_to_readers(
    author_client: Client, story: Story, three_parts: list[Part], client: Client
) -> None:
    author_client.post(reverse("stories:part_move", args=[three_parts[2].pk]), {"direction": "up"})
    html = html_of(client.get(story.get_absolute_url()))
    assert html.index("</span> Three</a>") < html.index("</span> Two</a>")


def test_deleting_a_part_asks_first(author_client: Client, part: Part) -> None:
    response = author_client.get(reverse("stories:part_delete", args=[part.pk]))
    assert response.status_code == 200
    assert "Delete “The First Night”?" in html_of(response)
    assert Part.objects.filter(pk=part.pk).exists()


def test_deleting_a_part_updates_the_story(
    author_client: Client, story: Story, part: Part, client: Client
) -> None:
    response = author_client.post(reverse("stories:part_delete", args=[part.pk]))
    assert response["Location"] == reverse("stories:story_manage", args=[story.pk])
    assert not Part.objects.filter(pk=part.pk).exists()
    story.refresh_from_db()
    assert story.published_parts_count == 0 and story.word_count == 0
    assert client.get(story.get_absolute_url()).status_code == 404


def test_deleting_a_story_needs_its_exact_title(author_client: Client, story: Story) -> None:
    url = reverse("stories:story_delete", args=[story.pk])
    assert "Type the story’s title to confirm" in html_of(author_client.get(url))
    for wrong in ["", "the quiet harbour", "The Quiet Harbou"]:
        response = author_client.post(url, {"confirm_title": wrong})
        assert response.status_code == 400
        assert "Type the story&#x27;s title exactly to delete it." in html_of(response)
        assert Story.objects.filter(pk=story.pk).exists()


def test_deleting_a_story_removes_it_with_its_parts_and_cover(
    author_client: Client,
    story: Story,
    part: Part,
    media_root: Path,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cover = SimpleUploadedFile("c.png", png_bytes(), content_type="image/png")
    author_client.post(
        reverse("stories:story_edit", args=[story.pk]), story_form(title=story.title, cover=cover)
    )
    assert len(files_under(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(
            reverse("stories:story_delete", args=[story.pk]),
            {"confirm_title": " The Quiet Harbour "},
        )
    assert response["Location"] == reverse("stories:my_stories")
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not Part.objects.filter(pk=part.pk).exists()
    assert files_under(media_root) == []
    assert client.get(f"/stories/{story.pk}/").status_code == 404


def test_my_stories_lists_only_my_stories(author_client: Client, author: User) -> None:
    make_story(author, "Mine")
    other = make_story(make_user(username="other"), "Theirs")
    html = html_of(author_client.get(reverse("stories:my_stories")))
    assert "Mine" in html
    assert other.title not in html


def test_a_late_autosave_never_undoes_the_submit_of_the_new_part_page(
    author_client: Client, story: Story
) -> None:
    token = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"
    url = reverse("stories:part_create", args=[story.pk])
    submitted = author_client.post(
        url,
        {
            "title": "Chapter",
            "body": "<p>final text</p>",
            "notes_before": "Hello readers",
            "client_token": token,
            "publish": "1",
        },
    )
    assert submitted.status_code == 302
    late = author_client.post(
        url,
        {"title": "Chapter", "body": "<p>older text</p>", "client_token": token, "autosave": "1"},
    )
    assert late.status_code == 400  # the part is published: autosave does not touch it
    part = Part.objects.get(story=story)
    assert (without_pids(part.body_html), part.notes_before, part.is_published) == (
        "<p>final text</p>",
        "Hello readers",
        True,
    )
