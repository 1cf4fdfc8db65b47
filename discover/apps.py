from django.apps import AppConfig


class DiscoverConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "discover"
    verbose_name = "Discover"

    def ready(self) -> None:
        import discover.similar  # noqa: F401 - "more like this" follows story changes
