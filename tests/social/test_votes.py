from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from social.models import Vote
from stories.models import Part, Story
from tests.factories import make_part


def vote_url(part: Part) -> str:
    return reverse("social:vote", args=[part.pk])


def counts(part: Part) -> tuple[int, int]:
    """The part's and its story's votes counters, fresh from the database."""
    part.refresh_from_db()
    story = Story.objects.get(pk=part.story_id)
    return part.votes_count, story.votes_count


def test_a_reader_votes_on_a_part_and_both_counters_move(
    reader_client: Client, reader: User, part: Part
) -> None:
    response = reader_client.post(vote_url(part), {"vote": "1"})
    assert response.status_code == 302
    assert counts(part) == (1, 1)
    assert Vote.objects.filter(user=reader, part=part).exists()


def test_voting_twice_is_still_one_vote(reader_client: Client, part: Part) -> None:
    reader_client.post(vote_url(part), {"vote": "1"})
    reader_client.post(vote_url(part), {"vote": "1"})
    assert counts(part) == (1, 1)
    assert Vote.objects.filter(part=part).count() == 1


def test_vote_zero_takes_the_vote_back(reader_client: Client, part: Part) -> None:
    reader_client.post(vote_url(part), {"vote": "1"})
    reader_client.post(vote_url(part), {"vote": "0"})
    assert counts(part) == (0, 0)
    assert not Vote.objects.filter(part=part).exists()


def test_taking_back_a_vote_never_cast_leaves_the_counters_at_zero(
    reader_client: Client, part: Part
) -> None:
    response = reader_client.post(vote_url(part), {"vote": "0"})
    assert response.status_code == 302
    assert counts(part) == (0, 0)


def test_the_story_counter_adds_up_votes_from_its_parts_and_readers(
    reader_client: Client, stranger_client: Client, story: Story, part: Part
) -> None:
    second = make_part(story, "The Second Night")
    reader_client.post(vote_url(part), {"vote": "1"})
    reader_client.post(vote_url(second), {"vote": "1"})
    stranger_client.post(vote_url(part), {"vote": "1"})
    assert counts(part) == (2, 3)
    assert counts(second) == (1, 3)


def test_an_htmx_vote_answers_with_the_pressed_vote_fragment(
    reader_client: Client, part: Part
) -> None:
    response = reader_client.post(vote_url(part), {"vote": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<form class="vote-form"')
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert 'data-votes="1"' in html
    # The fragment's next click takes the vote back.
    assert '<input type="hidden" name="vote" value="0">' in html


def test_an_htmx_unvote_answers_with_the_unpressed_fragment(
    reader_client: Client, part: Part
) -> None:
    reader_client.post(vote_url(part), {"vote": "1"})
    response = reader_client.post(vote_url(part), {"vote": "0"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'aria-pressed="false"' in html
    assert 'data-votes="0"' in html


def test_a_vote_without_htmx_redirects_back_to_the_part(reader_client: Client, part: Part) -> None:
    response = reader_client.post(vote_url(part), {"vote": "1"})
    assert response.status_code == 302
    assert response["Location"] == part.get_absolute_url()


def test_the_readers_fragment_shows_their_vote_as_pressed(
    reader_client: Client, part: Part
) -> None:
    reader_url = reverse("stories:part_reader", args=[part.pk])
    assert 'aria-pressed="false"' in reader_client.get(reader_url).content.decode()
    reader_client.post(vote_url(part), {"vote": "1"})
    fragment = reader_client.get(reader_url, headers={"HX-Request": "true"}).content.decode()
    assert 'aria-pressed="true"' in fragment
    # The shared page itself names nobody's vote.
    assert "aria-pressed" not in reader_client.get(part.get_absolute_url()).content.decode()


def test_a_vote_by_htmx_updates_the_stats_line_from_the_same_numbers(
    reader_client: Client, part: Part
) -> None:
    for wanted, expected in (("1", 1), ("0", 0)):
        response = reader_client.post(
            vote_url(part), {"vote": wanted}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert f'data-votes="{expected}"' in html
        stats = html[html.index('id="part-stats"') :]
        assert 'data-hx-swap-oob="true"' in stats
        assert f'data-stat="votes" data-exact="{expected}"' in stats


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, part: Part) -> None:
    response = client.post(vote_url(part), {"vote": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert counts(part) == (0, 0)


def test_voting_by_get_is_refused(reader_client: Client, part: Part) -> None:
    response = reader_client.get(vote_url(part), {"vote": "1"})
    assert response.status_code == 405
    assert counts(part) == (0, 0)


def test_a_vote_on_a_draft_part_is_404(
    reader_client: Client, author_client: Client, draft_part: Part
) -> None:
    assert reader_client.post(vote_url(draft_part), {"vote": "1"}).status_code == 404
    # Not even the author can vote on a draft.
    assert author_client.post(vote_url(draft_part), {"vote": "1"}).status_code == 404
    assert counts(draft_part) == (0, 0)


def test_a_vote_on_a_part_of_a_story_the_reader_cannot_see_is_404(
    reader_client: Client, part: Part
) -> None:
    # A story is hidden from readers while it has no published part. Hide this one with the
    # part row left untouched, so only the story's visibility can refuse the vote.
    Story.objects.filter(pk=part.story_id).update(published_parts_count=0)
    assert reader_client.post(vote_url(part), {"vote": "1"}).status_code == 404
    assert not Vote.objects.exists()


def test_a_vote_on_a_part_that_does_not_exist_is_404(reader_client: Client, db: None) -> None:
    response = reader_client.post(reverse("social:vote", args=[999999]), {"vote": "1"})
    assert response.status_code == 404
