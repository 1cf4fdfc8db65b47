from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe
from django.views.static import serve

from discover.views import home
from talehouse.sitemaps import SITEMAPS
from talehouse.views import robots_txt

urlpatterns = [
    path("", home, name="home"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        require_safe(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("stories.urls")),
    path("", include("tags.urls")),
    path("", include("social.urls")),
    path("", include("notifications.urls")),
    path("", include("library.urls")),
    path("", include("discover.urls")),
    path("", include("formats.urls")),
    path("", include("imports.urls")),
    path("", include("feeds.urls")),
]

if settings.SERVE_MEDIA:
    # The demo and small installs serve covers from Django; larger ones let the proxy do it.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler403 = "talehouse.views.error_403"
handler404 = "talehouse.views.error_404"
handler500 = "talehouse.views.error_500"
