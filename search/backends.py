"""The two full-text backends behind one interface, chosen by the database: SQLite FTS5 and
PostgreSQL's tsvector with a GIN index. Both read the text from SearchDocument rows."""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection
from django.utils.html import escape

from search.models import SearchDocument
from search.query import SearchText

# Marks around matched words in snippets: control characters no story text contains, turned
# into <mark> after the text around them is escaped.
START, STOP = "\x02", "\x03"

# PostgreSQL text-search configurations for the story languages we offer; others are split on
# spaces and punctuation without stemming ("simple"), as are Japanese and Chinese for now.
CONFIGS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "pt": "portuguese",
    "it": "italian",
    "id": "indonesian",
}


def config_for(language: str) -> str:
    return CONFIGS.get(language, "simple")


class Backend(Protocol):
    def written(self, document: SearchDocument, old: SearchDocument | None) -> None: ...
    def removed(self, old: SearchDocument) -> None: ...
    def matches(self, query: SearchText) -> tuple[str, list[object]]: ...
    def best(self, query: SearchText, limit: int) -> list[tuple[int, float]]: ...
    def snippets(self, query: SearchText, story_ids: list[int]) -> dict[int, str]: ...


def marked(text: str) -> str:
    """A snippet with its matches marked: escaped text, then <mark> for our markers."""
    return escape(text).replace(START, "<mark>").replace(STOP, "</mark>")


class SQLiteBackend:
    COLUMNS = "title, summary, tags, body"

    def written(self, document: SearchDocument, old: SearchDocument | None) -> None:
        # An external-content FTS5 table is told what it indexed before, to forget it.
        with connection.cursor() as cursor:
            if old is not None:
                self._forget(cursor, old)
            cursor.execute(
                f"INSERT INTO search_fts(rowid, {self.COLUMNS}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [document.story_id, document.title, document.summary, document.tags, document.body],
            )

    def removed(self, old: SearchDocument) -> None:
        with connection.cursor() as cursor:
            self._forget(cursor, old)

    def _forget(self, cursor: object, old: SearchDocument) -> None:
        cursor.execute(  # type: ignore[attr-defined]
            f"INSERT INTO search_fts(search_fts, rowid, {self.COLUMNS}) "  # noqa: S608
            "VALUES ('delete', %s, %s, %s, %s, %s)",
            [old.story_id, old.title, old.summary, old.tags, old.body],
        )

    def matches(self, query: SearchText) -> tuple[str, list[object]]:
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [query.fts5()]

    def best(self, query: SearchText, limit: int) -> list[tuple[int, float]]:
        # bm25 is lower for a better match: negated, so that higher ranks first everywhere.
        # Title counts most, then tags, then the summary, then the text.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, -bm25(search_fts, 10.0, 3.0, 5.0, 1.0) AS score FROM search_fts "
                "WHERE search_fts MATCH %s ORDER BY score DESC LIMIT %s",
                [query.fts5(), limit],
            )
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]

    def snippets(self, query: SearchText, story_ids: list[int]) -> dict[int, str]:
        if not story_ids:
            return {}
        places = ", ".join(["%s"] * len(story_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, snippet(search_fts, -1, %s, %s, '…', 24) FROM search_fts "  # noqa: S608
                f"WHERE search_fts MATCH %s AND rowid IN ({places})",
                [START, STOP, query.fts5(), *story_ids],
            )
            return {story_id: marked(text) for story_id, text in cursor.fetchall()}


class PostgreSQLBackend:
    # One tsquery per configuration in use, each tested only against documents in its
    # language: every branch can use the GIN index.
    def _per_config(self, query: SearchText, template: str) -> tuple[str, list[object]]:
        configs = sorted(set(CONFIGS.values()) | {"simple"})
        parts: list[str] = []
        params: list[object] = []
        for config in configs:
            parts.append(template.format(config=config))
            params += [query.raw]
        return " OR ".join(parts), params

    # The weighted vectors of a row, from its own text and language: `vector` has everything
    # (title first, then tags and summary, then the text); `head` has all but the text.
    _HEAD = (
        "setweight(to_tsvector(config::regconfig, title), 'A') || "
        "setweight(to_tsvector(config::regconfig, tags), 'B') || "
        "setweight(to_tsvector(config::regconfig, summary), 'B')"
    )
    SET_VECTOR = (
        f"UPDATE search_searchdocument SET head = {_HEAD}, vector = {_HEAD} || "  # noqa: S608 - our own SQL
        "setweight(to_tsvector(config::regconfig, body), 'D')"
    )

    def written(self, document: SearchDocument, old: SearchDocument | None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"{self.SET_VECTOR} WHERE story_id = %s", [document.story_id])

    def removed(self, old: SearchDocument) -> None:
        """The row is deleted with its vector: nothing else to forget."""

    def _matching(self, query: SearchText, column: str = "vector") -> tuple[str, list[object]]:
        return self._per_config(
            query,
            f"(config = '{{config}}' AND {column} @@ websearch_to_tsquery('{{config}}', %s))",
        )

    def _query_of_row(self, query: SearchText) -> tuple[str, list[object]]:
        """The row's tsquery as one CASE of constants, parsed once per query, not per row."""
        configs = sorted(set(CONFIGS.values()) | {"simple"})
        whens = " ".join(
            f"WHEN '{config}' THEN websearch_to_tsquery('{config}', %s)" for config in configs
        )
        return f"CASE config {whens} END", [query.raw] * len(configs)

    def matches(self, query: SearchText) -> tuple[str, list[object]]:
        where, params = self._matching(query)
        return f"SELECT story_id FROM search_searchdocument WHERE {where}", params  # noqa: S608

    def best(self, query: SearchText, limit: int) -> list[tuple[int, float]]:
        """Works matching in their title, tags or summary, ranked; then, to fill `limit`, the
        newest works that match only in their text (ranked below, unranked among themselves).
        One statement. Ranking the full vector of every match of a common word meant reading
        every row's text from the table's out-of-line storage (0.5 s at 100,000 works)."""
        head_where, head_params = self._matching(query, column="head")
        where, params = self._matching(query)
        row_query, row_params = self._query_of_row(query)
        # A word left out may sit in the text: then a head match must match in full too.
        exact, exact_params = (f"AND ({where})", params) if query.excluded else ("", [])
        args: list[Any] = [*row_params, *head_params, *exact_params, limit]
        args += [*params, *head_params, limit]
        with connection.cursor() as cursor:
            cursor.execute(
                f"(SELECT story_id, ts_rank_cd(head, {row_query}) AS score, 1 AS tier "  # noqa: S608
                f"FROM search_searchdocument WHERE ({head_where}) {exact} "
                "ORDER BY score DESC, story_id LIMIT %s) "
                "UNION ALL "
                "(SELECT story_id, 0.0, 2 FROM search_searchdocument "
                f"WHERE ({where}) AND NOT COALESCE(({head_where}), false) "
                "ORDER BY story_id DESC LIMIT %s)",
                args,
            )
            rows = cursor.fetchall()
        ranked = sorted(rows, key=lambda r: (r[2], -r[1], r[0] if r[2] == 1 else -r[0]))
        return [(int(pk), float(score)) for pk, score, _tier in ranked[:limit]]

    def snippets(self, query: SearchText, story_ids: list[int]) -> dict[int, str]:
        if not story_ids:
            return {}
        options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT story_id, ts_headline(config::regconfig, "
                "summary || ' … ' || left(body, 20000), "
                "websearch_to_tsquery(config::regconfig, %s), %s) "
                "FROM search_searchdocument WHERE story_id = ANY(%s)",
                [query.raw, options, story_ids],
            )
            return {story_id: marked(text) for story_id, text in cursor.fetchall()}


def backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    return SQLiteBackend()
