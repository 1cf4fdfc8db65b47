"""The demo content `make demo` loads: enough, varied, original, and with exact counters."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from social.counters import find_drift
from social.models import Comment, Read, Vote
from stories.models import Part, PartStatus, Story


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
    assert dialogue.word_count >= 800 and dialogue.body_html.count("<p>") >= 60
    assert Story.objects.filter(reads_count__gte=1000).exists()  # a compact "K" number
    assert Read.objects.exists() and Vote.objects.exists()
    assert Comment.objects.filter(depth__gte=2).exists()  # threaded replies
    assert all(story.cover and story.cover_thumb for story in public)
    assert find_drift() == []

    call_command("load_demo")  # a second run changes nothing
    assert "already loaded" in capsys.readouterr().out
    assert Part.objects.filter(status=PartStatus.PUBLISHED).count() == published.count()
