from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_HIDE_RULES = 200
MAX_PATTERN = 150


class HideRule(models.Model):
    """One line of a reader's personal filter profile: a tag pattern (`*` matches anything,
    case does not matter), a writer, or a single work. Hidden works stay in listings, folded,
    saying which rule hid them, with "show anyway" one click away."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hide_rules"
    )
    tag_pattern = models.CharField(max_length=MAX_PATTERN, blank=True, default="")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(tag_pattern__gt="", writer__isnull=True, story__isnull=True)
                    | Q(tag_pattern="", writer__isnull=False, story__isnull=True)
                    | Q(tag_pattern="", writer__isnull=True, story__isnull=False)
                ),
                name="hiderule_one_target",
            ),
            models.UniqueConstraint(
                fields=["reader", "tag_pattern"],
                condition=Q(tag_pattern__gt=""),
                name="hiderule_unique_tag",
            ),
            models.UniqueConstraint(fields=["reader", "writer"], name="hiderule_unique_writer"),
            models.UniqueConstraint(fields=["reader", "story"], name="hiderule_unique_story"),
        ]

    def __str__(self) -> str:
        return f"hide rule {self.pk} of reader {self.reader_id}"


class FilterSettings(models.Model):
    """The rest of the profile: the most relationship tags a work may carry to be shown."""

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    max_relationships = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"filter settings of reader {self.reader_id}"


class StoryRanking(models.Model):
    """A story's standing, computed periodically by discover.rankings (never on a request):
    its "hot" score (recent reads, votes and comments, the recent ones weighing more) and its
    best place among the works of one of its tags ("#3 in Slow Burn")."""

    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="ranking"
    )
    hot = models.FloatField(default=0, db_index=True)
    best_rank = models.PositiveIntegerField(null=True, blank=True)
    best_tag = models.ForeignKey(
        "tags.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ranking of story {self.story_id}"


class TagRank(models.Model):
    """A story's place among the ranked works of a tag (a canonical tag counts its synonyms'
    works), the top RANKS_PER_TAG of each tag."""

    tag = models.ForeignKey("tags.Tag", on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tag", "story"], name="tagrank_unique")]
        indexes = [models.Index(fields=["tag", "rank"])]

    def __str__(self) -> str:
        return f"#{self.rank} in tag {self.tag_id}"


class SimilarReason(models.TextChoices):
    TAGS = "tags", _("Shares its tags")
    READERS = "readers", _("Its readers also read this")
    TEXT = "text", _("Reads like it")


class SimilarStory(models.Model):
    """One line of a story's "more like this", computed by discover.similar in the background
    (never on a request), best first."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    # From the similar story's side: the lists it is on (stories.queries.more_like_this).
    similar = models.ForeignKey(
        "stories.Story", on_delete=models.CASCADE, related_name="similar_lines"
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=10, choices=SimilarReason.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "similar"], name="similar_unique"),
        ]
        indexes = [models.Index(fields=["story", "rank"])]

    def __str__(self) -> str:
        return f"story {self.similar_id} like story {self.story_id}"


class SimilarityState(models.Model):
    """When a story's "more like this" was last computed, and from which signals, so the
    periodic refresh takes the stalest first and a story without any match is not redone on
    every run."""

    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    computed_at = models.DateTimeField(db_index=True)
    signals = models.CharField(max_length=40, blank=True, default="")

    def __str__(self) -> str:
        return f"similarity of story {self.story_id}"


class StoryEmbedding(models.Model):
    """A story's text as a vector (its title, summary and opening, through a small sentence
    embedding model), for "reads like it". Only kept when the model package is installed."""

    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    model = models.CharField(max_length=80)
    language = models.CharField(max_length=10, db_index=True)
    vector = models.BinaryField()  # float32, unit length
    source_hash = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"embedding of story {self.story_id}"
