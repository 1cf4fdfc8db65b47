"""Paging without counting more than needed: `page_of` fetches one row more than it shows (that
row says a next page exists, so no COUNT: comment threads, history, lists, bookmarks);
`CappedPaginator` counts a listing no further than 10,000 ("more than 10,000 works")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.utils.functional import cached_property

T = TypeVar("T")


def page_number(raw: object, last: int) -> int:
    """The page asked for (`?page=`, `?comments=`), within 1..`last` whatever was sent."""
    try:
        number = max(1, int(str(raw or 1)))
    except (TypeError, ValueError):
        number = 1
    return min(number, last)


@dataclass
class Page(Generic[T]):
    number: int
    items: list[T]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def is_past_the_end(self) -> bool:
        return self.number > 1 and not self.items


def page_of(rows: Any, number: int, per_page: int) -> Page[Any]:
    """Page `number` of a queryset (or list), in one query."""
    offset = (number - 1) * per_page
    items = list(rows[offset : offset + per_page + 1])
    return Page(number, items[:per_page], len(items) > per_page)


# Listings of the whole archive count this far: counting a million filtered works is not free.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        """The number of works, or COUNT_CAP + 1 if there are more (`is_capped`)."""
        rows: Any = self.object_list
        return int(rows.order_by().values("pk")[: COUNT_CAP + 1].count())

    @property
    def is_capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number: Any) -> Any:
        """A whole page even past the counted works (Django's would stop at the count); the
        pages themselves stop a page past the cap: narrowing the filters goes further."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return DjangoPage(self.object_list[bottom : bottom + self.per_page], number, self)
