"""URLs built by substitution from one reverse(): for pages that link to hundreds of objects."""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.urls import reverse

# What reverse() leaves unquoted in a path segment (RFC 3986 sub-delims, ":", "@", "~").
_PATH_SAFE = "!$&'()*+,;=~:@"


class UrlTemplate:
    """`UrlTemplate("stories:part", 1, "x")(pk, slug)` equals `reverse("stories:part", ...)`.

    reverse() costs tens of microseconds; a table of contents or a comment thread needs
    hundreds of URLs per page. The sample arguments must satisfy the URL's converters and
    must not occur elsewhere in its pattern.
    """

    def __init__(self, name: str, *sample_args: str | int) -> None:
        self.name = name
        self.sample_args = [str(arg) for arg in sample_args]

    @functools.cached_property
    def _pieces(self) -> list[str]:
        # Reversed on first use, not at import: the URLconf imports the modules that use this.
        rest = reverse(self.name, args=self.sample_args)
        pieces = []
        for sample in self.sample_args:
            before, rest = rest.split(quote(sample, safe=_PATH_SAFE), 1)
            pieces.append(before)
        return [*pieces, rest]

    def __call__(self, *args: str | int) -> str:
        parts = [self._pieces[0]]
        for arg, literal in zip(args, self._pieces[1:], strict=True):
            parts += [quote(str(arg), safe=_PATH_SAFE), literal]
        return "".join(parts)
