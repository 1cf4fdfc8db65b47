"""Writes on accounts. Every user has a profile: it is made here, with the user, whatever
created the user (sign-up, the admin, `createsuperuser`, the demo, the tests)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Profile, User, clean_reader_settings
from stories.changes import account_changed


# A receiver, not a call in each place that creates users: several of those places are
# Django's and allauth's own code, which we do not call.
@receiver(post_save, sender=User, dispatch_uid="accounts.profile_for_every_user")
def _every_user_has_a_profile(sender: type[User], instance: User, created: bool, **kw: Any) -> None:
    if created and not kw.get("raw", False):
        Profile.objects.create(user=instance)


@transaction.atomic
def do_update_profile(user: User, display_name: str, bio: str) -> Profile:
    # Compared with the row, not `user.profile`: a ModelForm may already have set the new name
    # on that instance.
    profile = Profile.objects.select_for_update().get(user=user)
    name_changed = profile.display_name != display_name
    profile.display_name = display_name
    profile.bio = bio
    profile.save(update_fields=["display_name", "bio"])
    if name_changed:
        account_changed(user.pk)  # bylines, story cards and comment threads show the name
    return profile


def do_set_reader_settings(user: User, raw: dict[str, Any]) -> dict[str, str]:
    profile = user.profile
    profile.reader_settings = clean_reader_settings(raw)
    profile.save(update_fields=["reader_settings"])
    return profile.reader_settings


def do_set_time_zone(user: User, zone: str) -> None:
    """Remember the writer's zone (checked against the zone database by the form)."""
    Profile.objects.filter(user=user).update(time_zone=zone)
