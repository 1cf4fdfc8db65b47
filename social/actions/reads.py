"""The read beacon's side of read counting: who is reading, and queueing the read.

Nothing here touches the story tables; the queued reads are counted by a job (social/jobs.py).
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.utils import timezone

from accounts.models import Viewer
from social.models import PendingRead

BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|scrap|fetch|curl|wget|python-|httpx|aiohttp|java/|go-http|"
    r"libwww|okhttp|axios|node-fetch|headlesschrome|phantomjs|lighthouse|preview|monitor",
    re.IGNORECASE,
)
VISITOR_COOKIE = "th_visitor"
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def visitor_id_for(visitor_cookie: str, ip: str, user_agent: str) -> str:
    """An anonymous reader's id: their first-party cookie, else a salted hash of IP and user
    agent. The beacon's response hands that hash back as the cookie, so a reader keeps one
    id from their first read on (and a client that drops cookies keeps the same hash)."""
    if visitor_cookie and _VISITOR_ID.match(visitor_cookie):
        return visitor_cookie
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{ip}|{user_agent}".encode()).hexdigest()
    return digest[:40]


def reader_key_for(user: Viewer | None, visitor_cookie: str, ip: str, user_agent: str) -> str:
    """Who is reading: the account, else the anonymous visitor's id."""
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    return f"v:{visitor_id_for(visitor_cookie, ip, user_agent)}"


def address_key_for(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}|address|{ip}".encode()).hexdigest()[:40]


def do_queue_read(
    part_id: int, reader_key: str, user_id: int | None, address_key: str = ""
) -> None:
    """The beacon's only write: one row in the queue table, nothing on the story tables."""
    PendingRead.objects.create(
        part_id=part_id,
        reader_key=reader_key,
        user_id=user_id,
        address_key=address_key,
        created_at=timezone.now(),
    )
