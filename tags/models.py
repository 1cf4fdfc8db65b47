from __future__ import annotations

import hashlib
import re

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Characters slugify drops that still tell two names apart (spaces, hyphens, apostrophes and
# full stops do not: "Slow Burn" and "slow-burn" are one tag).
_LOSSY = re.compile(r"[^\w\s'’.,\-]", re.UNICODE)


class TagKind(models.TextChoices):
    FANDOM = "fandom", _("Fandom")
    RELATIONSHIP = "relationship", _("Relationship")
    CHARACTER = "character", _("Character")
    ADDITIONAL = "additional", _("Additional tag")


class Tag(models.Model):
    """A typed tag. `canonical` and `parent` exist now so tag gardening needs no migration later."""

    kind = models.CharField(_("kind"), max_length=20, choices=TagKind.choices)
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=170, allow_unicode=True)
    canonical = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="synonyms"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # Reviewed by a tag gardener as the name to use (AO3's canonical tags). A synonym points
    # at its canonical tag through `canonical`; a tag that is neither is not reviewed yet.
    is_canonical = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Tag gardeners (a staff role: staff members in the "Tag gardeners" group, which
        # migration 0003 made with this permission) review tags.
        permissions = [("garden_tags", "Can garden tags: canonical names, synonyms, parents")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_kind_slug"),
        ]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tags:detail", args=[self.kind, self.slug])

    def with_synonyms(self) -> models.QuerySet[Tag]:
        """This tag and every tag that names it canonical: filtering by a canonical tag finds
        works tagged with any of its synonyms."""
        return Tag.objects.filter(models.Q(pk=self.pk) | models.Q(canonical=self))

    @staticmethod
    def slug_for(name: str) -> str:
        """A URL slug that identifies the name: different names never share a slug.

        Keep "/" and "&" meaningful in relationship tags ("A/B" and "A & B" are different
        ships). Where slugify drops characters that carry meaning ("C#" and "C++", "♥"), a
        short hash of the name keeps the tags apart.
        """
        text = name.replace("/", " slash ").replace("&", " and ")
        slug = slugify(text, allow_unicode=True)[:150]
        if not slug or _LOSSY.search(text):
            digest = hashlib.sha256(" ".join(name.casefold().split()).encode()).hexdigest()[:8]
            slug = f"{slug}-{digest}" if slug else digest
        return slug


def get_or_create_tags(kind: str, names: list[str]) -> list[Tag]:
    """Find or create tags of one kind by name; the same slug means the same tag."""
    tags: list[Tag] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())[:150]
        if not name:
            continue
        slug = Tag.slug_for(name)
        if slug in seen:
            continue
        seen.add(slug)
        tag, _created = Tag.objects.get_or_create(kind=kind, slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags
