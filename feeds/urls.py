from __future__ import annotations

from django.urls import path

from feeds import opds, views

app_name = "feeds"

urlpatterns = [
    # Atom feeds, linked from the story, writer and tag pages.
    path("feeds/stories/<int:pk>/", views.story_feed, name="story"),
    path("feeds/writers/<str:username>/", views.writer_feed, name="writer"),
    path("feeds/tags/<str:kind>/<str:slug>/", views.tag_feed, name="tag"),
    # The OPDS catalog, for e-reader apps.
    path("opds/", opds.catalog, name="opds_root"),
    path("opds/new/", opds.new_works, name="opds_new"),
    path("opds/updated/", opds.updated_works, name="opds_updated"),
    path("opds/popular/", opds.popular_works, name="opds_popular"),
    path("opds/tags/<str:kind>/", opds.tags, name="opds_tags"),
    path("opds/tags/<str:kind>/<str:slug>/", opds.tag_works, name="opds_tag"),
    path("opds/search/", opds.search_works, name="opds_search"),
    path("opds/opensearch.xml", opds.opensearch, name="opensearch"),
]
