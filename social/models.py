from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stories.models import Part, mark_checked

if TYPE_CHECKING:
    from accounts.models import Viewer

MAX_COMMENT_DEPTH = 4  # a top-level comment is depth 0: four levels of replies below it
MAX_COMMENT_BODY = 10000
# A paragraph comment keeps the words it was about, cut to this many characters.
MAX_PARAGRAPH_QUOTE = 300
MAX_GUEST_NAME = 40


class Vote(models.Model):
    # A deleted account's votes stay, anonymised, like its comments and reads: the counters
    # count rows, and no row disappears behind their back.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "part"], name="vote_one_per_reader_per_part")
        ]
        # The rankings read the last 30 days of votes, reads and comments (discover.rankings).
        indexes = [models.Index(fields=["created_at"], name="vote_recent")]

    def __str__(self) -> str:
        return f"vote {self.user_id}->{self.part_id}"


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, user: Viewer) -> CommentQuerySet:
        """Comments on published parts the viewer may read (deleted ones keep their place in
        threads; filter `is_deleted` where only live comments are wanted)."""
        return mark_checked(self.filter(part__in=Part.objects.visible_to(user).published()))

    def unchecked(self, reason: str) -> CommentQuerySet:
        return mark_checked(self, reason)


class Comment(models.Model):
    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    # A guest's comment (on a story whose writer lets guests comment) has no user: the name
    # the guest gave is shown instead, marked as a guest's.
    guest_name = models.CharField(max_length=MAX_GUEST_NAME, blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of this thread (itself for a top-level comment): one query loads a
    # page of threads whatever their depth.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread_comments"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("comment"), max_length=MAX_COMMENT_BODY)
    # `body` escaped, with line breaks and links, made once on write (see render_comment_html).
    body_html = models.TextField(blank=True, default="")
    is_deleted = models.BooleanField(default=False)
    # The paragraph (its `data-pid`, stories/paragraphs.py) a thread is about, or "" for an
    # ordinary thread. Set on the top-level comment and copied to its replies, so a paragraph's
    # threads and its count are one indexed lookup. The quote, on the top-level comment only,
    # keeps the words the reader saw: an edited paragraph gets a new id, and its comments
    # stay, shown with their quote "on an earlier version of this part".
    paragraph_id = models.CharField(max_length=16, blank=True, default="")
    paragraph_quote = models.CharField(max_length=MAX_PARAGRAPH_QUOTE, blank=True, default="")
    # On a top-level comment: the story's writer closed the thread to new replies.
    frozen = models.BooleanField(default=False)
    client_token = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["part", "depth", "created_at"]),
            models.Index(fields=["thread_root", "created_at"]),
            models.Index(fields=["created_at"], name="comment_recent"),
            models.Index(
                fields=["part", "paragraph_id", "depth", "created_at"],
                condition=~Q(paragraph_id=""),
                name="comment_paragraph_threads",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_token"],
                condition=~Q(client_token=""),
                name="comment_unique_client_token",
            )
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on part {self.part_id}"

    @property
    def can_have_replies(self) -> bool:
        return not self.is_deleted and self.depth < MAX_COMMENT_DEPTH

    @property
    def is_by_guest(self) -> bool:
        return self.user_id is None and bool(self.guest_name)

    @property
    def is_on_paragraph(self) -> bool:
        return bool(self.paragraph_id)


class PendingRead(models.Model):
    """A read beacon, queued. Written by the beacon endpoint and nothing else.

    It has no foreign keys on purpose: the endpoint must not touch the story tables. The
    worker validates the part (published, not the author's own) when it applies the batch.
    """

    part_id = models.BigIntegerField()
    reader_key = models.CharField(max_length=80)
    user_id = models.BigIntegerField(null=True)
    # A salted hash of the reader's address: caps how many anonymous reads one address adds.
    address_key = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"pending read {self.reader_key}->{self.part_id}"


class Read(models.Model):
    """A counted read: the source rows that the reads counters are recomputed from."""

    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="reads")
    reader_key = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    address_key = models.CharField(max_length=40, blank=True, default="")
    counted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["part", "reader_key", "-counted_at"]),
            models.Index(fields=["part", "address_key", "-counted_at"]),
            models.Index(fields=["counted_at"], name="read_recent"),
            # "Readers of this also read" (discover.similar): what one reader read.
            models.Index(fields=["reader_key", "part"], name="read_by_reader"),
        ]

    def __str__(self) -> str:
        return f"read {self.reader_key}->{self.part_id}"
