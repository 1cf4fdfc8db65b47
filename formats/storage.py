"""Where built files are kept: TALEHOUSE_DOWNLOADS_ROOT, one folder per story.

Not MEDIA_ROOT: media is served as it is (by Django in the demo, by the proxy in production),
and a download must pass the visibility check on every request. A Storage, so a cluster can
put the files on shared or S3-compatible storage by changing this one function.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage


def downloads_storage() -> Storage:
    # Built per call (cheap): tests point the setting at a temporary folder.
    return FileSystemStorage(location=settings.TALEHOUSE_DOWNLOADS_ROOT)


def save_file(story_id: int, file_format: str, version: int, data: bytes) -> str:
    """Store `data` under a name no other build uses; the name, for the file's row."""
    # Random, so two builds of the same version never write over each other's file: the row
    # decides which one is served and the other is deleted.
    name = f"{story_id}/{file_format}-v{version}-{secrets.token_hex(6)}.{file_format}"
    return downloads_storage().save(name, ContentFile(data))


def delete_files(names: list[str]) -> None:
    storage = downloads_storage()
    for name in names:
        if name:
            storage.delete(name)


def delete_story_folder(story_id: int) -> None:
    """Every file of a deleted story (its rows went with it, by cascade)."""
    storage = downloads_storage()
    folder = str(story_id)
    if not storage.exists(folder):
        return
    _dirs, files = storage.listdir(folder)
    delete_files([f"{folder}/{name}" for name in files])
