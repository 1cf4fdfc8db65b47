from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from stories.models import Part, Story
from tests.factories import make_part, make_story, make_user


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def author(db: None) -> User:
    return make_user(username="author")


@pytest.fixture
def reader(db: None) -> User:
    return make_user(username="reader")


@pytest.fixture
def stranger(db: None) -> User:
    return make_user(username="stranger")


@pytest.fixture
def story(author: User) -> Story:
    return make_story(author)


@pytest.fixture
def part(story: Story) -> Part:
    return make_part(story, "The First Night", "<p>“Hello,” she said.</p><p>“Hello,” he said.</p>")


@pytest.fixture
def draft_part(story: Story) -> Part:
    return make_part(story, "Unfinished", "<p>Secret draft words.</p>", publish=False)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def author_client(author: User) -> Client:
    return client_for(author)


@pytest.fixture
def reader_client(reader: User) -> Client:
    return client_for(reader)


@pytest.fixture
def stranger_client(stranger: User) -> Client:
    return client_for(stranger)
