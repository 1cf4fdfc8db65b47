"""Generated cover images for the demo stories: a colour field, the title and the author."""

from __future__ import annotations

import hashlib
import textwrap
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

SIZE = (600, 900)
PALETTES = [
    ((31, 58, 96), (216, 164, 93)),
    ((84, 38, 58), (238, 196, 170)),
    ((24, 72, 64), (226, 220, 170)),
    ((46, 40, 76), (196, 206, 240)),
    ((110, 52, 28), (250, 226, 190)),
    ((20, 20, 28), (232, 120, 96)),
    ((58, 82, 44), (236, 232, 206)),
]


def make_cover(title: str, author: str) -> SimpleUploadedFile:
    """A PNG cover, as a writer would upload it (it then goes through check_cover)."""
    digest = hashlib.sha256(title.encode()).digest()
    background, ink = PALETTES[digest[0] % len(PALETTES)]
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    # A soft band and a rule, placed by the title's hash so covers differ.
    band_top = 120 + digest[1] % 200
    draw.rectangle((0, band_top, SIZE[0], band_top + 12), fill=ink)
    draw.rectangle((48, SIZE[1] - 160, SIZE[0] - 48, SIZE[1] - 156), fill=ink)
    title_font = ImageFont.load_default(size=56)
    author_font = ImageFont.load_default(size=30)
    y = band_top + 60
    for line in textwrap.wrap(title, width=16)[:6]:
        draw.text((48, y), line, font=title_font, fill=ink)
        y += 70
    draw.text((48, SIZE[1] - 130), author, font=author_font, fill=ink)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return SimpleUploadedFile("cover.png", out.getvalue(), content_type="image/png")
