from __future__ import annotations

import pytest
from django.urls import reverse

from talehouse.lib.urls import UrlTemplate


@pytest.mark.parametrize(
    ("name", "samples", "args"),
    [
        ("stories:part", (918273645, "sample-slug"), (1, "part")),
        ("stories:part", (918273645, "sample-slug"), (918273645, "sample-slug-2")),
        ("stories:detail", (918273645, "sample-slug"), (42, "the-quiet-harbour")),
        ("accounts:profile", ("sample-username",), ("mail@home",)),
        ("accounts:profile", ("sample-username",), ("a+b.c_d-e",)),
    ],
)
def test_a_url_template_builds_what_reverse_builds(
    name: str, samples: tuple[str | int, ...], args: tuple[str | int, ...]
) -> None:
    assert UrlTemplate(name, *samples)(*args) == reverse(name, args=args)
