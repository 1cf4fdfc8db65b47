from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import factory
from allauth.account.models import EmailAddress
from PIL import Image

from accounts.models import Profile, User
from stories.actions import StoryData, do_create_part, do_create_story, do_publish_part
from stories.models import Part, Story

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def profile(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            user: User = self  # type: ignore[assignment]
            Profile.objects.filter(user=user).update(display_name=user.username.capitalize())
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def make_user(**kwargs: Any) -> User:
    user: User = UserFactory(**kwargs)  # type: ignore[assignment]  # factory-boy is untyped
    return user


def make_story(author: User, title: str = "The Quiet Harbour", **data: Any) -> Story:
    """A story through the real action, so counters and tags are what the site would make."""
    tags = data.pop("tags", {"fandom": ["Original Work"], "additional": ["Slow Burn"]})
    return do_create_story(
        author, StoryData(title=title, warnings=["none"], rating="teen", tags=tags, **data)
    )


def make_part(
    story: Story,
    title: str = "Chapter",
    body: str = "<p>Once upon a time.</p>",
    publish: bool = True,
) -> Part:
    part = do_create_part(story, title, body)
    if publish:
        do_publish_part(part)
    return part


def png_bytes(size: tuple[int, int] = (600, 900), mode: str = "RGB") -> bytes:
    """A real PNG image, for cover uploads."""
    out = BytesIO()
    Image.new(mode, size, "navy" if mode == "RGB" else 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def without_pids(html: str) -> str:
    """Stored prose without its paragraph ids (stories/paragraphs.py), to compare with input."""
    return re.sub(r' data-pid="[0-9a-f]+"', "", html)


def run_task_worker() -> None:
    """What `manage.py db_worker` does, until the queue is empty (needs a transactional test:
    the worker opens and closes its own transactions, as in production)."""
    from django.core.management import call_command

    call_command("db_worker", batch=True, interval=0, no_startup_delay=True, verbosity=0)
