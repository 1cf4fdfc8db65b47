from django.db import migrations, models

# ArchiveWarning's values in declaration order, as they were when this migration was written.
WARNINGS = ["none", "chose_not", "violence", "death", "noncon", "underage"]


def fill_warning_bits(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    for story in Story.objects.only("pk", "warnings").iterator(chunk_size=2000):
        bits = sum(1 << WARNINGS.index(code) for code in set(story.warnings or []) if code in WARNINGS)
        if bits:
            Story.objects.filter(pk=story.pk).update(warning_bits=bits)


class Migration(migrations.Migration):

    dependencies = [
        ('stories', '0008_guest_comments'),
    ]

    operations = [
        migrations.AddField(
            model_name='story',
            name='warning_bits',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(fill_warning_bits, migrations.RunPython.noop),
    ]
