"""Main and background relationships: the writer says which pairings are the story's focus;
background ones are shown folded after them, and a filter can ask for a pairing as main."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from stories.models import Story, StoryTag
from tests.factories import make_part, make_story

WORKS = reverse("discover:works")
FORM = {
    "title": "Two Ships",
    "rating": "teen",
    "warnings": ["none"],
    "language": "en",
    "status": "in_progress",
    "fandoms": "The 100",
    "relationships": "Clarke Griffin/Lexa",
    "background_relationships": "Raven Reyes/Anya, Clarke Griffin/Lexa",
}


def test_the_writer_marks_background_pairings_and_readers_see_them_folded(
    author: User, author_client: Client, client: Client
) -> None:
    story = make_story(author, "Two Ships")
    make_part(story, "One", "<p>Text.</p>")
    url = reverse("stories:story_edit", args=[story.pk])
    assert author_client.post(url, FORM).status_code == 302
    rows = {st.tag.name: st.background for st in StoryTag.objects.filter(story=story)}
    # Named as both, a pairing is main; the other is background.
    assert rows["Clarke Griffin/Lexa"] is False and rows["Raven Reyes/Anya"] is True
    form = author_client.get(url).content.decode()
    assert 'value="Raven Reyes/Anya"' in form and 'value="Clarke Griffin/Lexa"' in form

    page = client.get(story.get_absolute_url()).content.decode()
    main_at, folded_at = page.index("Clarke Griffin/Lexa"), page.index("Show 1 background pairing")
    assert main_at < folded_at < page.index("Raven Reyes/Anya")
    blurb = client.get(WORKS).content.decode()
    assert "1 background pairing" in blurb


def test_a_pairing_can_be_asked_for_as_the_main_one_only(author: User, client: Client) -> None:
    main = make_story(author, "Main", tags={"relationship": ["Raven Reyes/Anya"]})
    make_part(main, "One", "<p>Text.</p>")
    from stories.actions import StoryData, do_create_story

    side = do_create_story(
        author,
        StoryData(title="Side", warnings=["none"], background_relationships=["Raven Reyes/Anya"]),
    )
    make_part(side, "One", "<p>Text.</p>")

    def titles(**query: str) -> list[str]:
        listed = client.get(WORKS, query).context["page"].object_list
        return sorted(story.title for story in listed)

    assert titles(tag="Raven Reyes/Anya") == ["Main", "Side"]
    assert titles(main="Raven Reyes/Anya") == ["Main"]
    html = client.get(WORKS, {"main": "Raven Reyes/Anya"}).content.decode()
    assert 'name="main" value="relationship:' in html and "as the main pairing" in html
    assert client.get(WORKS, {"main": "Nobody/Nothing"}).status_code == 400
    assert Story.objects.count() == 2
