from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from stories.models import Part, Story


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from TALEHOUSE_SITE_URL, the same base the pages' JSON-LD uses."""

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class StorySitemap(SiteUrlSitemap):
    changefreq = "daily"
    limit = 10000

    def items(self) -> QuerySet[Story]:
        # What an anonymous crawler may see, through the one visibility filter.
        return Story.objects.visible_to(AnonymousUser()).order_by("pk")

    def lastmod(self, item: Story) -> datetime | None:
        return item.updated_at


class PartSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self) -> QuerySet[Part]:
        return (
            Part.objects.visible_to(AnonymousUser()).only("pk", "title", "edited_at").order_by("pk")
        )

    def lastmod(self, item: Part) -> datetime | None:
        return item.edited_at


SITEMAPS = {"stories": StorySitemap, "parts": PartSitemap}
