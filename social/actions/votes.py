"""Votes: one per reader per part, idempotent, counted in the same transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User, Viewer
from social.counters import move_counter
from social.models import Vote
from stories.models import Part


@transaction.atomic
def do_set_vote(user: User, part: Part, voted: bool) -> bool:
    """Make the reader's vote on `part` be `voted`; idempotent, so a double post is harmless."""
    if not part.is_published:
        raise ValidationError(_("You can only vote on published parts."), code="draft")
    if voted:
        try:
            with transaction.atomic():
                Vote.objects.create(user=user, part=part)
        except IntegrityError:
            return True  # already voted: the unique constraint keeps it one vote
        move_counter(part, "votes_count", +1)
        return True
    deleted, _detail = Vote.objects.filter(user=user, part=part).delete()
    if deleted:
        move_counter(part, "votes_count", -1)
    return False


def has_voted(user: Viewer, part: Part) -> bool:
    return bool(user.is_authenticated and Vote.objects.filter(user=user, part=part).exists())
