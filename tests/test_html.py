"""Rendered pages are valid HTML, checked by the Nu Html Checker (vnu-jar, from npm)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from accounts.models import User
from social.actions.comments import do_add_comment
from social.actions.votes import do_set_vote
from stories.models import Part
from tests.conftest import client_for
from tests.factories import make_part, make_story, make_user

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)


@pytest.mark.skipif(shutil.which("java") is None, reason="the HTML checker needs Java")
def test_pages_are_valid_html(part: Part, reader: User, author: User, tmp_path: Path) -> None:
    assert VNU.exists(), "run `make test` (npm ci installs vnu-jar)"
    reply_to = do_add_comment(reader, part, "Hello\nthere https://example.com")
    do_add_comment(author, part, "Thank you!", parent=reply_to)
    do_set_vote(reader, part, True)
    story = part.story
    reading = {
        "home": "/",
        "story": story.get_absolute_url(),
        "part": part.get_absolute_url(),
        "full": f"/stories/{story.pk}/full/",
        "tag": "/tags/fandom/original-work/",
        "profile": f"/@{author.username}/",
        "not-found": "/no-such-page/",
    }
    writing = {
        "my-stories": "/write/",
        "new-story": "/write/new/",
        "manage": f"/write/stories/{story.pk}/",
        "edit-part": f"/write/parts/{part.pk}/",
        "edit-profile": "/settings/profile/",
        "email-addresses": "/accounts/email/",  # allauth's field element, in our markup
    }
    pages = [(f"anonymous-{n}", Client(), u) for n, u in reading.items()]
    pages += [(f"reader-{n}", client_for(reader), u) for n, u in reading.items()]
    pages += [(f"author-{n}", client_for(author), u) for n, u in writing.items()]
    pages += [("sign-in", Client(), "/accounts/login/"), ("sign-up", Client(), "/accounts/signup/")]
    pages += [
        ("reader-controls", client_for(reader), f"/parts/{part.pk}/reader/"),
        ("reader-reply", client_for(reader), f"/parts/{part.pk}/comments/?parent={reply_to.pk}"),
        ("author-part", client_for(author), part.get_absolute_url()),
    ]
    from library.actions import do_save_position

    do_save_position(reader, part, "i0")
    pages += [
        ("reader-library", client_for(reader), "/library/"),
        ("reader-history", client_for(reader), "/library/history/"),
        ("reader-history-clear", client_for(reader), "/library/history/clear/"),
        ("reader-shelf", client_for(reader), f"/library/shelf/{story.pk}/"),
    ]
    # Reading lists and bookmarks (library/): the reader's public list with an entry and a note,
    # as its owner and as an anonymous visitor; the profile shows it with a public bookmark.
    from library.actions import do_add_to_list, do_bookmark, do_create_list

    shared = do_create_list(reader, "Rainy days", "Cosy reads.", is_public=True)
    entry, _added = do_add_to_list(shared, story, "Start here.")
    do_add_to_list(do_create_list(reader, "Later", "", is_public=False), story, "")
    do_bookmark(reader, story, "The harbour!", ["cosy", "slow burn"], is_public=True)
    pages += [
        ("reader-lists", client_for(reader), "/library/lists/"),
        ("reader-list-new", client_for(reader), "/library/lists/new/"),
        ("reader-list", client_for(reader), f"/library/lists/{shared.pk}/"),
        ("anonymous-list", Client(), f"/library/lists/{shared.pk}/"),
        ("reader-list-edit", client_for(reader), f"/library/lists/{shared.pk}/edit/"),
        ("reader-list-delete", client_for(reader), f"/library/lists/{shared.pk}/delete/"),
        ("reader-list-add", client_for(reader), f"/library/lists/add/{story.pk}/"),
        ("reader-entry", client_for(reader), f"/library/lists/{shared.pk}/entries/{entry.pk}/"),
        ("reader-bookmarks", client_for(reader), "/library/bookmarks/"),
        ("reader-bookmarks-tag", client_for(reader), "/library/bookmarks/?tag=cosy"),
        ("reader-bookmark", client_for(reader), f"/library/bookmarks/{story.pk}/"),
        ("anonymous-profile-library", Client(), f"/@{reader.username}/"),
        ("reader-shelf-lists", client_for(reader), f"/library/shelf/{story.pk}/"),
    ]
    # Inline comments and the writer's moderation (social/): a paragraph's thread as a page,
    # the part page with comment buttons and a quoted paragraph comment, the comments setting.
    from social.actions.moderation import do_freeze_thread
    from stories.paragraphs import paragraphs

    pid = paragraphs(part.body_html)[0][0]
    do_freeze_thread(do_add_comment(reader, part, "This line!", paragraph_id=pid), True)
    pages += [
        ("anonymous-paragraph", Client(), f"/parts/{part.pk}/paragraphs/{pid}/comments/"),
        ("reader-paragraph", client_for(reader), f"/parts/{part.pk}/paragraphs/{pid}/comments/"),
        ("reader-part-paragraphs", client_for(reader), part.get_absolute_url()),
        ("author-part-paragraphs", client_for(author), part.get_absolute_url()),
        ("author-story-edit", client_for(author), f"/write/stories/{story.pk}/edit/"),
    ]
    # Guest comments, where the writer opens the story's comments to everyone: the form as a
    # page and as a reply, the thread with a guest's comment, and the paragraph's guest form.
    from social.actions.moderation import do_set_comment_policy
    from stories.models import CommentPolicy

    guests = make_story(author, "Open House")
    guest_part = make_part(guests, "Visitors", "<p>Come in.</p>")
    do_set_comment_policy(guests, CommentPolicy.OPEN)
    by_guest = do_add_comment(None, guest_part, "Lovely!", guest_name="Kit")
    guest_pid = paragraphs(guest_part.body_html)[0][0]
    pages += [
        ("guest-part", Client(), guest_part.get_absolute_url()),
        ("guest-form", Client(), f"/parts/{guest_part.pk}/comments/"),
        ("guest-reply", Client(), f"/parts/{guest_part.pk}/comments/?parent={by_guest.pk}"),
        ("guest-paragraph", Client(), f"/parts/{guest_part.pk}/paragraphs/{guest_pid}/comments/"),
    ]
    # The works listing with filters and tag counts, and with a filter it refuses.
    pages += [
        ("anonymous-works", Client(), "/works/?tag=Slow+Burn&sort=reads&xwarning=death"),
        ("reader-works", client_for(reader), "/works/"),
        ("anonymous-works-refused", Client(), "/works/?tag=Nothing+Like+It&words_from=x"),
        ("anonymous-search", Client(), "/works/?q=hello+-goodbye"),
    ]
    # The tag gardener's pages, and a tag page with its fandom, synonyms and related tags.
    from django.contrib.auth.models import Permission

    from tags.actions import do_make_canonical, do_make_synonym, do_set_parent
    from tags.models import Tag

    gardener = make_user(username="gardener")
    gardener.user_permissions.add(Permission.objects.get(codename="garden_tags"))
    slow_burn = do_make_canonical(Tag.objects.get(name="Slow Burn"))
    do_make_synonym(
        make_story(author, "Embers", tags={"additional": ["Slowburn"]}).story_tags.get().tag,
        "Slow Burn",
    )
    pages += [
        ("gardener-garden", client_for(gardener), "/tags/garden/"),
        ("gardener-tag", client_for(gardener), f"/tags/garden/{slow_burn.pk}/"),
        ("gardener-tag-page", client_for(gardener), slow_burn.get_absolute_url()),
    ]
    do_set_parent(Tag.objects.get(name="Slowburn"), "Original Work")
    # A reader's filter profile: the page, and listings with works folded away.
    from discover.profile import do_hide_tag, do_set_max_relationships

    do_hide_tag(reader, "Slow*")
    do_set_max_relationships(reader, 3)
    pages += [
        ("reader-filters", client_for(reader), "/works/filters/"),
        ("reader-works-folded", client_for(reader), "/works/"),
        ("reader-home-folded", client_for(reader), "/"),
        ("reader-discover", client_for(reader), "/discover/"),
        ("anonymous-discover", Client(), "/discover/"),
    ]
    # A writer the viewer hid: their profile says so; another reader's list folds their works.
    from discover.profile import do_hide_writer

    picky = make_user(username="picky")
    do_hide_writer(picky, author)
    pages += [
        ("picky-profile-hidden-writer", client_for(picky), f"/@{author.username}/"),
        ("picky-list-folded", client_for(picky), f"/library/lists/{shared.pk}/"),
    ]
    # "More like this": the whole list as a page, for a visitor and for a reader.
    from discover.similar import compute_similar

    compute_similar(story.pk)
    pages += [
        ("anonymous-like-this", Client(), f"/works/{story.pk}/like-this/"),
        ("reader-like-this", client_for(reader), f"/works/{story.pk}/like-this/"),
    ]
    from discover.rankings import compute_rankings

    compute_rankings()
    from search.indexing import rebuild_index

    rebuild_index()
    for name, client, url in pages:
        (tmp_path / f"{name}.html").write_bytes(client.get(url).content)
    result = subprocess.run(  # noqa: S603 - a fixed local command on our own files
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    problems = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert problems == []
