"""The download counter's audit, run by `manage.py recount_counters` with the others
(social/counters.py): `StoryFile.downloads_count` recomputed from its `Download` rows."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from formats.models import Download, StoryFile
from social.counters import Drift


def find_download_drift(fix: bool = False) -> list[Drift]:
    actual = dict(Download.objects.values_list("file_id").annotate(n=Count("id")).order_by())
    suspects = [
        file.pk
        for file in StoryFile.objects.only("pk", "downloads_count").iterator()
        if file.downloads_count != actual.get(file.pk, 0)
    ]
    return [drift for pk in suspects if (drift := _recount(pk, fix)) is not None]


def _recount(file_id: int, fix: bool) -> Drift | None:
    """One file's count again, under its row's lock: a download counted between the two
    reads above is not drift (its row and its count commit together, after the lock)."""
    with transaction.atomic():
        file = StoryFile.objects.select_for_update().only("downloads_count").get(pk=file_id)
        value = Download.objects.filter(file_id=file_id).count()
        if file.downloads_count == value:
            return None
        if fix:
            StoryFile.objects.filter(pk=file_id).update(downloads_count=value)
        return Drift("story file", file_id, "downloads_count", file.downloads_count, value)
