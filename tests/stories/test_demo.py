"""The demo content `make demo` loads: enough, varied, original, and with exact counters."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from babel.numbers import format_compact_decimal
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from social.counters import find_drift
from social.models import Comment, Read, Vote
from stories.demo import WRITER_NAMES
from stories.models import Part, PartStatus, Story, StoryTag

JSONLD = r'<script type="application/ld\+json">(.*?)</script>'


@pytest.mark.django_db
def test_the_demo_loads_once_with_everything_the_part_page_needs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "maren" in out and "talehouse-demo" in out

    public = Story.objects.public()
    assert public.count() >= 6
    assert public.values("author").distinct().count() >= 3
    published = Part.objects.filter(status=PartStatus.PUBLISHED)
    assert published.count() >= 25
    assert Part.objects.filter(status=PartStatus.DRAFT).exists()
    assert Story.objects.filter(published_parts_count=0).exists()  # a whole draft story
    assert public.filter(title__icontains="one-shots").exists()
    dialogue = max(published, key=lambda p: p.word_count if "“" in p.body_html else 0)
    assert dialogue.word_count >= 800 and dialogue.body_html.count("<p ") >= 60
    assert Story.objects.filter(reads_count__gte=1000).exists()  # a compact "K" number
    assert Read.objects.exists() and Vote.objects.exists()
    assert Comment.objects.filter(depth__gte=2).exists()  # threaded replies
    guest = Comment.objects.get(user=None)  # a guest's, on a story open to guests
    assert guest.guest_name and guest.paragraph_id and guest.part.story.comments == "open"
    handwritten = public.filter(author__username__in=WRITER_NAMES)
    assert all(story.cover and story.cover_thumb for story in handwritten)
    assert find_drift() == []
    from search.models import SearchDocument

    assert SearchDocument.objects.count() == public.count()  # searchable at once
    from tags.models import Tag

    assert "tansy" in out and Tag.objects.filter(is_canonical=True).count() >= 5
    tansy = User.objects.get(username="tansy")
    assert tansy.is_staff and tansy.groups.filter(name="Tag gardeners").exists()
    assert tansy.has_perm("tags.garden_tags")
    assert Tag.objects.filter(canonical__isnull=False).count() >= 2  # synonyms
    assert Tag.objects.filter(kind="character", parent__isnull=False).exists()
    from discover.models import StoryRanking

    assert StoryRanking.objects.filter(best_rank__isnull=False).exists()  # "#1 in …"
    assert StoryTag.objects.filter(background=True).exists()  # a background pairing
    assert Part.objects.exclude(spoiler_tags=[]).exists()  # a part's own spoiler tags
    # A library to discover in (discover/demo.py): fandoms, synonyms, "more like this".
    assert public.count() >= 60
    assert Tag.objects.filter(kind="fandom", is_canonical=True).count() >= 6
    assert Tag.objects.filter(canonical__isnull=False).count() >= 8
    from discover.models import SimilarReason, SimilarStory

    reasons = set(SimilarStory.objects.values_list("reason", flat=True))
    assert {SimilarReason.TAGS, SimilarReason.READERS} <= reasons
    # Readers come back (notifications/demo.py, library/demo.py): follows, subscriptions,
    # shelves, lists, inline comments on the dialogue part, a scheduled part and its note.
    from django.utils import timezone

    from library.models import Bookmark, ReadingList, ReadingPosition, Shelf, ShelfEntry
    from notifications.models import Announcement, Follow, Subscription

    assert Follow.objects.values("follower").distinct().count() >= 3
    assert Follow.objects.values("writer").distinct().count() >= 2
    assert Subscription.objects.values("story").distinct().count() >= 2
    shelves = set(ShelfEntry.objects.values_list("shelf", flat=True))
    assert Shelf.READING in shelves and shelves & {Shelf.PAUSED, Shelf.FINISHED}
    assert ShelfEntry.objects.exclude(note="").exists() and ReadingPosition.objects.exists()
    assert ReadingList.objects.filter(is_public=True, entries__isnull=False).distinct().count() >= 2
    assert Bookmark.objects.exists()
    inline = Comment.objects.exclude(paragraph_id="").filter(user__isnull=False)
    assert inline.values("paragraph_id").distinct().count() >= 3
    (commented,) = {comment.part for comment in inline}  # one part, and a talkative one
    assert commented.body_html.count("“") >= 20
    scheduled = Part.objects.get(status=PartStatus.DRAFT, publish_at__gt=timezone.now())
    assert scheduled.story.is_public  # readers of a story they know will hear of it
    assert Announcement.objects.filter(story=scheduled.story).exists()

    call_command("load_demo")  # a second run changes nothing
    assert "already loaded" in capsys.readouterr().out
    assert Part.objects.filter(status=PartStatus.PUBLISHED).count() == published.count()


@pytest.mark.django_db
def test_every_demo_page_in_the_sitemap_shows_the_numbers_its_jsonld_states(
    client: Client,
) -> None:
    call_command("load_demo", stdout=StringIO())
    sitemap = client.get("/sitemap.xml").content.decode()
    urls = [u.removeprefix(settings.SITE_URL) for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
    part_urls = [u for u in urls if u.startswith("/parts/")]
    assert len(part_urls) >= 20
    assert (
        len({Part.objects.get(pk=int(u.split("/")[2].split("-")[0])).story_id for u in part_urls})
        >= 5
    )
    for url in urls:
        html = client.get(url).content.decode()
        data = json.loads(re.search(JSONLD, html, re.S).group(1))  # type: ignore[union-attr]
        stated = {
            s["interactionType"].rsplit("/", 1)[1]: s["userInteractionCount"]
            for s in data["interactionStatistic"]
        }
        stats = html[html.index('class="stats-line"') :][:2500]
        shown = dict(re.findall(r'data-stat="(\w+)" data-exact="(\d+)"', stats))
        compact = dict(re.findall(r'data-stat="(\w+)".*?class="stat-value">([^<]+)<', stats))
        for action, kind in (
            ("ReadAction", "reads"),
            ("LikeAction", "votes"),
            ("CommentAction", "comments"),
        ):
            assert int(shown[kind]) == stated[action], (url, kind)
            assert compact[kind] == format_compact_decimal(
                stated[action], fraction_digits=1, locale="en"
            )
