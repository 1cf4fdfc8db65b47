from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_COMMENT_DEPTH = 4  # a top-level comment is depth 0: four levels of replies below it


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

    def __str__(self) -> str:
        return f"vote {self.user_id}->{self.part_id}"


class Comment(models.Model):
    part = models.ForeignKey("stories.Part", on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of this thread (itself for a top-level comment): one query loads a
    # page of threads whatever their depth.
    thread_root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="thread_comments"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("comment"), max_length=10000)
    # `body` escaped, with line breaks and links, made once on write (see render_comment_html).
    body_html = models.TextField(blank=True, default="")
    is_deleted = models.BooleanField(default=False)
    client_token = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["part", "depth", "created_at"]),
            models.Index(fields=["thread_root", "created_at"]),
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
        ]

    def __str__(self) -> str:
        return f"read {self.reader_key}->{self.part_id}"
