"""The "Tag gardeners" group, holding the permission to garden tags: making someone a tag
gardener is adding them to it (in the admin, or `manage.py shell`)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

GROUP = "Tag gardeners"
CODENAME = "garden_tags"


def add_group(apps: Any, schema_editor: Any) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # On a new database the permission is not there yet: Django creates permissions after the
    # last migration. Made here with the name Meta.permissions gives it, it is found then.
    content_type, _ = ContentType.objects.get_or_create(app_label="tags", model="tag")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=CODENAME,
        defaults={"name": "Can garden tags: canonical names, synonyms, parents"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_group(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0002_tag_gardening"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_group, remove_group)]
