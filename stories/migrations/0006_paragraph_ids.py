"""Give every stored paragraph its stable id (stories/paragraphs.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def add_paragraph_ids(apps: Any, schema_editor: Any) -> None:
    from stories.paragraphs import with_paragraph_ids

    Part = apps.get_model("stories", "Part")
    for part in Part.objects.only("pk", "body_html").iterator():
        body = with_paragraph_ids(part.body_html, part.body_html)
        if body != part.body_html:
            Part.objects.filter(pk=part.pk).update(body_html=body)


class Migration(migrations.Migration):
    dependencies = [("stories", "0005_story_content_version")]

    operations = [migrations.RunPython(add_paragraph_ids, migrations.RunPython.noop)]
