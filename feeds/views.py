"""Atom feeds of a story's new parts, a writer's new parts and a tag's new works, built with
Django's syndication framework (the Atom is written by feeds/generators.py). Every feed is
the anonymous reader's, shared and cached (feeds/cache.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import User
from feeds.cache import shared_feed
from feeds.entries import absolute, part_entry, story_entry
from feeds.generators import AtomFeed
from feeds.queries import (
    TagGroup,
    for_entries,
    new_parts,
    public_stories,
    sorted_by,
    story_for_feed,
    tag_group,
)
from stories.models import Story

FEED_ENTRIES = 20
# What AtomFeed takes beyond Django's own item fields (feeds/generators.py).
EXTRA_FIELDS = ("links", "tags", "identifier", "language", "issued", "summary", "summary_type")

Entry = dict[str, Any]


class EntryFeed(Feed[Entry, Any]):
    """A feed whose items are entries made by feeds/entries.py."""

    feed_type = AtomFeed

    def item_title(self, item: Entry) -> str:
        return str(item["title"])  # Atom titles are text: not escaped twice, as for RSS

    def item_link(self, item: Entry) -> str:
        return str(item["link"])

    def item_description(self, item: Entry) -> str:
        return ""  # unused: the entry's `summary` says it, with its type

    def item_guid(self, item: Entry) -> str:
        return str(item["unique_id"])

    def item_pubdate(self, item: Entry) -> Any:
        return item["pubdate"]

    def item_updateddate(self, item: Entry) -> Any:
        return item["updateddate"]

    def item_author_name(self, item: Entry) -> str:
        return str(item["author_name"])

    def item_author_link(self, item: Entry) -> str:
        return str(item["author_link"])

    def item_extra_kwargs(self, item: Entry) -> dict[str, Any]:
        return {field: item[field] for field in EXTRA_FIELDS if field in item}


class StoryFeed(EntryFeed):
    def get_object(self, request: HttpRequest, pk: int) -> Story:  # type: ignore[override]
        return story_for_feed(pk)

    def title(self, story: Story) -> str:
        return _("%(story)s: new parts") % {"story": story.title}

    def subtitle(self, story: Story) -> str:
        return _("New parts of “%(story)s” by %(writer)s") % {
            "story": story.title,
            "writer": story.author.display_name,
        }

    def link(self, story: Story) -> str:
        return absolute(story.get_absolute_url())

    def feed_url(self, story: Story) -> str:
        return absolute(reverse("feeds:story", args=[story.pk]))

    def feed_guid(self, story: Story) -> str:
        return self.feed_url(story)

    def author_name(self, story: Story) -> str:
        return story.author.display_name

    def author_link(self, story: Story) -> str:
        return absolute(story.author.profile_url)

    def items(self, story: Story) -> list[Entry]:
        parts = new_parts().filter(story=story)[:FEED_ENTRIES]
        return [part_entry(part, with_story_title=False) for part in parts]


class WriterFeed(EntryFeed):
    def get_object(self, request: HttpRequest, username: str) -> User:  # type: ignore[override]
        try:
            return User.objects.select_related("profile").get(username=username, is_active=True)
        except User.DoesNotExist:
            raise Http404 from None

    def title(self, writer: User) -> str:
        return _("New parts by %(writer)s") % {"writer": writer.display_name}

    def link(self, writer: User) -> str:
        return absolute(writer.profile_url)

    def feed_url(self, writer: User) -> str:
        return absolute(reverse("feeds:writer", args=[writer.username]))

    def feed_guid(self, writer: User) -> str:
        return self.feed_url(writer)

    def author_name(self, writer: User) -> str:
        return writer.display_name

    def author_link(self, writer: User) -> str:
        return absolute(writer.profile_url)

    def items(self, writer: User) -> list[Entry]:
        parts = new_parts().filter(story__author=writer)[:FEED_ENTRIES]
        return [part_entry(part, with_story_title=True) for part in parts]


class TagFeed(EntryFeed):
    def get_object(self, request: HttpRequest, group: TagGroup) -> TagGroup:  # type: ignore[override]
        return group

    def title(self, group: TagGroup) -> str:
        return _("New works in %(tag)s") % {"tag": group.tag.name}

    def link(self, group: TagGroup) -> str:
        return absolute(group.tag.get_absolute_url())

    def feed_url(self, group: TagGroup) -> str:
        return absolute(reverse("feeds:tag", args=[group.tag.kind, group.tag.slug]))

    def feed_guid(self, group: TagGroup) -> str:
        return self.feed_url(group)

    def items(self, group: TagGroup) -> list[Entry]:
        stories = for_entries(sorted_by(group.stories(public_stories()), "published"))
        return [story_entry(story, catalog=False) for story in stories[:FEED_ENTRIES]]


story_feed = require_safe(shared_feed()(StoryFeed()))
writer_feed = require_safe(shared_feed()(WriterFeed()))


@require_safe
@shared_feed()
def tag_feed(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """New works with a tag or any of its synonyms; a synonym's feed is its canonical tag's,
    as its page is."""
    group = tag_group(kind, slug)
    if not group.ids:
        return redirect("feeds:tag", group.tag.kind, group.tag.slug)
    return TagFeed()(request, group=group)
