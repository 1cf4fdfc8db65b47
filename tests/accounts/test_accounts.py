from __future__ import annotations

import json
import re

from django.core import mail
from django.test import Client

from accounts.models import Profile, User
from tests.factories import PASSWORD


def test_a_visitor_signs_up_confirms_their_email_and_is_signed_in(client: Client, db: None) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nia@example.com",
            "username": "nia",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "display_name": "Nia Okafor",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nia")
    assert user.profile.display_name == "Nia Okafor"
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[-1].body))
    assert link
    confirm = client.post(link.group(0))
    assert confirm.status_code == 302
    assert client.get("/write/").status_code == 200  # signed in after confirming


def test_an_unconfirmed_account_cannot_sign_in(client: Client, db: None) -> None:
    client.post(
        "/accounts/signup/",
        {"email": "x@example.com", "username": "x", "password1": PASSWORD, "password2": PASSWORD},
    )
    client.logout()
    client.post("/accounts/login/", {"login": "x", "password": PASSWORD})
    assert client.get("/write/").status_code == 302


def test_password_reset_sends_a_link(client: Client, reader: User) -> None:
    response = client.post("/accounts/password/reset/", {"email": reader.email})
    assert response.status_code == 302
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_a_profile_shows_display_name_bio_and_public_stories(
    client: Client, author: User, part: object, draft_part: object
) -> None:
    Profile.objects.filter(user=author).update(bio="I write about harbours.")
    html = client.get(f"/@{author.username}/").content.decode()
    assert "Author" in html and "I write about harbours." in html
    assert "The Quiet Harbour" in html


def test_a_profile_of_someone_unknown_is_404(client: Client, db: None) -> None:
    assert client.get("/@nobody/").status_code == 404


def test_a_member_edits_their_profile(reader_client: Client, reader: User) -> None:
    response = reader_client.post(
        "/settings/profile/", {"display_name": "Night Reader", "bio": "Hello"}
    )
    assert response.status_code == 302
    reader.profile.refresh_from_db()
    assert reader.profile.display_name == "Night Reader"


def test_a_too_long_display_name_is_refused_and_kept(reader_client: Client) -> None:
    response = reader_client.post("/settings/profile/", {"display_name": "n" * 81, "bio": "Bio"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 80 characters" in html and "Bio</textarea>" in html


def test_reader_settings_are_remembered_on_the_account(reader_client: Client, reader: User) -> None:
    response = reader_client.post(
        "/settings/reader/",
        json.dumps(
            {"theme": "dark", "font": "sans", "size": "xl", "spacing": "evil", "stats": "hidden"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    reader.profile.refresh_from_db()
    assert reader.profile.reader_settings == {
        "theme": "dark",
        "font": "sans",
        "size": "xl",
        "spacing": "normal",  # unknown values fall back to the default
        "stats": "hidden",
    }
    html = reader_client.get("/").content.decode()
    assert 'data-theme="dark"' in html and 'data-reader-account="1"' in html
    assert 'data-stats="hidden"' in html


def test_reader_settings_work_without_javascript(reader_client: Client, reader: User) -> None:
    response = reader_client.post(
        "/settings/reader/", {"theme": "sepia", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    reader.profile.refresh_from_db()
    assert reader.profile.reader_settings["theme"] == "sepia"


def test_reader_settings_reject_bad_json_and_anonymous_posts(
    client: Client, reader_client: Client
) -> None:
    bad = reader_client.post("/settings/reader/", "{", content_type="application/json")
    assert bad.status_code == 400
    assert client.post("/settings/reader/", {"theme": "dark"}).status_code == 302
    assert reader_client.get("/settings/reader/").status_code == 405


def test_profile_links_match_the_url_router_for_unusual_usernames(db: None) -> None:
    from django.urls import reverse

    for name in ["plain", "dot.name", "a+b", "mail@home", "under_score-dash"]:
        user = User(username=name)
        assert user.profile_url == reverse("accounts:profile", args=[name])


def test_every_user_has_a_profile_however_it_was_created(db: None) -> None:
    from django.core.management import call_command

    made_in_code = User.objects.create_user("coded", "coded@example.com", PASSWORD)
    call_command("createsuperuser", "--noinput", username="admin", email="admin@example.com")
    for user in (made_in_code, User.objects.get(username="admin")):
        assert Profile.objects.filter(user=user).exists()
        assert user.display_name == user.username


def test_the_suite_has_its_own_data_directory() -> None:
    """A `make demo` beside `make test` must not change the files the tests read."""
    from django.conf import settings

    assert settings.DATA_DIR != settings.BASE_DIR / "data"
    assert settings.STATIC_ROOT.is_relative_to(settings.DATA_DIR)
    assert settings.MEDIA_ROOT != settings.BASE_DIR / "data" / "media"
