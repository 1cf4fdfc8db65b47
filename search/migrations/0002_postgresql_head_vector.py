"""PostgreSQL: a second, small vector of each story's title, tags and summary, with its own GIN
index. A search by best match ranks these first (cheap: they are stored inline), and fills up
with works that match only in their text; ranking the full vectors of every match of a common
word read the whole table (0.5 s at 100,000 works, bench/archive.py)."""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE search_searchdocument ADD COLUMN head tsvector",
    "UPDATE search_searchdocument SET head = "
    "setweight(to_tsvector(config::regconfig, title), 'A') || "
    "setweight(to_tsvector(config::regconfig, tags), 'B') || "
    "setweight(to_tsvector(config::regconfig, summary), 'B')",
    "CREATE INDEX search_document_head ON search_searchdocument USING GIN (head)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_document_head",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS head",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_REVERSE))]
