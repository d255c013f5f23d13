"""The brand's fonts as WOFF2 subsets, served next to the HTML (and printed from by WeasyPrint).

A face keeps the characters the report uses plus a fixed base (Latin-1, Latin Extended-A and
common punctuation), so that typing a new word seldom changes the subset; subsets are cached
by the font's bytes and the character set. Layout features are fontTools' defaults plus the
figure styles the stylesheets use; hinting is dropped. The font's own head timestamp is
kept (recalcTimestamp off), so the same font and text always give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from reportkit.fonts import FontFace

# The figure styles the stylesheets ask for (font-variant-numeric), besides fontTools' default
# features (kerning, ligatures, marks, contextual forms).
NUMERAL_FEATURES = ["onum", "lnum", "pnum", "tnum"]
BASE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + list("\u2010\u2011\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021")
    + list("\u2022\u2026\u2030\u2032\u2033\u2039\u203a\u20ac\u2122\u2212\u00a0\u202f")
)


def used_characters(*texts: str) -> str:
    """The base characters plus every character of texts (HTML entities resolved)."""
    found = set(BASE_CHARACTERS)
    for text in texts:
        found.update(html.unescape(text))
    return "".join(sorted(c for c in found if c.isprintable() or c in "\u00a0\u202f"))


def woff2_subset(font: Path, characters: str) -> bytes:
    options = subset.Options()
    options.layout_features += NUMERAL_FEATURES
    options.hinting = False
    options.drop_tables += ["meta"]
    ttfont = TTFont(font, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(ttfont)
    ttfont.flavor = "woff2"
    buffer = io.BytesIO()
    ttfont.save(buffer)
    return buffer.getvalue()


def write_web_fonts(faces: list[FontFace], characters: str, target: Path, cache: Path) -> None:
    """target/<face>.woff2 for every face, from the cache when this font and text were seen.

    Subsetting takes a second or two a face: missing subsets are cut in parallel.
    """
    target.mkdir(parents=True, exist_ok=True)
    text_key = hashlib.sha256(characters.encode()).hexdigest()[:16]
    cached = {
        face: cache / f"{hashlib.sha256(face.path.read_bytes()).hexdigest()[:16]}-{text_key}.woff2"
        for face in faces
    }
    missing = [face for face, path in cached.items() if not path.is_file()]
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        workers = min(len(missing), os.cpu_count() or 1)
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            subsets = pool.map(woff2_subset, [f.path for f in missing], [characters] * len(missing))
            for face, data in zip(missing, subsets, strict=True):
                tmp = cached[face].with_suffix(".tmp")
                tmp.write_bytes(data)
                tmp.replace(cached[face])
    for face, path in cached.items():
        (target / face.web_filename).write_bytes(path.read_bytes())
