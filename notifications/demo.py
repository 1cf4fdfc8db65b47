"""The demo's readers coming back: follows, subscriptions, an announcement, inline comments and
a scheduled part. Called by stories.demo.load_demo once the stories are in."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from notifications.actions import do_post_announcement
from notifications.models import Follow, Subscription
from social.actions.comments import do_add_comment
from social.actions.moderation import do_set_comment_policy
from stories.actions import do_schedule_part
from stories.models import CommentPolicy, Part, PartStatus, Story
from stories.paragraphs import paragraphs

# Written for the demo: what readers say beside a line of dialogue.
PARAGRAPH_REMARKS = [
    "This line! I read it three times.",
    "Oh, she knows exactly what she is doing here.",
    "The pause before this says everything.",
    "I laughed out loud on the bus.",
    "Calling it now: this comes back later.",
]
GUEST_REMARK = "No account, just had to say: this exchange is perfect."
ANNOUNCEMENT = (
    "Thank you for reading! The next part is written and scheduled: it comes out later this "
    "week. After that, a short break while I plan the last act."
)


def add_readers_coming_back(
    writers: dict[str, User], readers: list[User], rng: random.Random
) -> None:
    stories = list(
        Story.objects.unchecked("the demo's own stories").filter(published_parts_count__gt=0)
    )
    # Followed and subscribed before the parts came out, so the worker's first runs tell them.
    since = timezone.now() - timedelta(days=130)
    follows, subscriptions = [], []
    for reader in readers:
        for writer in rng.sample(sorted(writers.values(), key=lambda w: w.pk), k=rng.randint(1, 2)):
            follows.append(Follow(follower=reader, writer=writer))
        for story in rng.sample(stories, k=min(len(stories), rng.randint(1, 3))):
            subscriptions.append(Subscription(reader=reader, story=story))
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    Subscription.objects.bulk_create(subscriptions, ignore_conflicts=True)
    Follow.objects.update(created_at=since)
    Subscription.objects.update(created_at=since)

    _comment_on_dialogue(readers, rng)
    scheduled = _schedule_a_draft()
    if scheduled is not None:
        do_post_announcement(scheduled.story, ANNOUNCEMENT)


def _comment_on_dialogue(readers: list[User], rng: random.Random) -> None:
    """Inline comments on the most dialogue-heavy part."""
    parts = Part.objects.unchecked("the demo's own parts").filter(status=PartStatus.PUBLISHED)
    dialogue = max(parts, key=lambda part: part.body_html.count("\u201c"), default=None)
    if dialogue is None:
        return
    found = paragraphs(dialogue.body_html)
    for pid, _text in rng.sample(found, k=min(6, len(found))):
        for reader in rng.sample(readers, k=rng.randint(1, 3)):
            do_add_comment(reader, dialogue, rng.choice(PARAGRAPH_REMARKS), paragraph_id=pid)
    # Its writer lets guests comment too; one passer-by did, beside a line.
    do_set_comment_policy(dialogue.story, CommentPolicy.OPEN)
    pid = rng.choice(found)[0]
    do_add_comment(None, dialogue, GUEST_REMARK, paragraph_id=pid, guest_name="Passing Gull")


def _schedule_a_draft() -> Part | None:
    draft = (
        Part.objects.unchecked("the demo's own parts")
        .filter(status=PartStatus.DRAFT, story__published_parts_count__gt=0)
        .exclude(body_html="")
        .select_related("story")
        .order_by("pk")
        .first()
    )
    if draft is not None:
        do_schedule_part(draft, timezone.now() + timedelta(days=3))
    return draft
