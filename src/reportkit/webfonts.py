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

from reportkit.cache import file_sha256, user_cache
from reportkit.fonts import FontFace

# The figure styles the stylesheets ask for (font-variant-numeric), besides fontTools' default
# features (kerning, ligatures, marks, contextual forms).
NUMERAL_FEATURES = ["onum", "lnum", "pnum", "tnum"]
BASE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + list("\u2010\u2011\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021")
    + list("\u2022\u2026\u2030\u2032\u2033\u2039\u203a\u20ac\u2122\u2212\u00a0\u202f")
    # Arrows (pandoc's footnote back-link ↩︎ with its text-style selector), maths signs.
    + list("\u2190\u2191\u2192\u2193\u21a9\ufe0e\u2248\u2260\u2264\u2265")
)


def used_characters(*texts: str) -> str:
    """The base characters plus every character of texts (HTML entities resolved)."""
    found = set(BASE_CHARACTERS)
    for text in texts:
        found.update(html.unescape(text))
    return "".join(sorted(c for c in found if c.isprintable() or c in "\u00a0\u202f"))


def woff2_subset(font: Path, characters: str) -> bytes:
    # Here, not at the top: a render whose subsets are all cached never needs fontTools.
    from fontTools import subset
    from fontTools.ttLib import TTFont

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


def unicode_ranges(characters: str) -> str:
    """A unicode-range descriptor's value: runs of consecutive code points."""
    points = sorted({ord(c) for c in characters})
    runs, start, end = [], None, None
    for point in points:
        if start is not None and point == end + 1:
            end = point
            continue
        if start is not None:
            runs.append((start, end))
        start = end = point
    if start is not None:
        runs.append((start, end))
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def _cut(jobs: list[tuple[Path, str, Path]]) -> None:
    """Cut the subsets not yet cached (in parallel: a second or so a face)."""
    missing = [(font, characters, path) for font, characters, path in jobs if not path.is_file()]
    if not missing:
        return
    workers = min(len(missing), os.cpu_count() or 1)
    if workers > 1:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded process
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            fonts = [font for font, _, _ in missing]
            texts = [characters for _, characters, _ in missing]
            subsets = list(pool.map(woff2_subset, fonts, texts))
    else:
        subsets = [woff2_subset(font, characters) for font, characters, _ in missing]
    for (_, _, path), data in zip(missing, subsets, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


def write_web_fonts(faces: list[FontFace], characters: str, target: Path, cache: Path) -> str:
    """WOFF2 subsets of every face in target/ and the @font-face rules that load them.

    Each face has a base subset (BASE_CHARACTERS: depends on the font only, so it is cut once
    per machine, in the user's cache) and, when the report uses characters beyond it, a small
    subset of those (cached in the project), each declared with its unicode-range: browsers
    and WeasyPrint take a character from the subset that has it.
    """
    target.mkdir(parents=True, exist_ok=True)
    base = "".join(sorted(BASE_CHARACTERS))
    extras = "".join(sorted(set(characters) - BASE_CHARACTERS))
    base_key = hashlib.sha256(base.encode()).hexdigest()[:12]
    extras_key = hashlib.sha256(extras.encode()).hexdigest()[:12]
    shared = user_cache() / "fonts"
    jobs, rules = [], []
    for face in faces:
        font_key = file_sha256(face.path)[:16]
        parts = [(base, shared / f"{font_key}-{base_key}.woff2", face.web_filename)]
        if extras:
            name = Path(face.web_filename).stem + "-extra.woff2"
            parts.append((extras, cache / f"{font_key}-{extras_key}.woff2", name))
        for part_characters, path, name in parts:
            jobs.append((face.path, part_characters, path))
            rules.append((face, name, unicode_ranges(part_characters)))
    try:
        _cut(jobs)
    except OSError:  # an unwritable user cache: cut into the project's instead
        jobs = [(f, c, cache / p.name) for f, c, p in jobs]
        _cut(jobs)
    for (_, _, path), (_, name, _) in zip(jobs, rules, strict=True):
        (target / name).write_bytes(path.read_bytes())
    return (
        "\n".join(
            "@font-face {\n"
            f'  font-family: "{face.family}";\n'
            f'  src: url("fonts/{name}") format("woff2");\n'
            f"  font-style: {face.style};\n"
            f"  font-weight: {face.weight};\n"
            f"  unicode-range: {ranges};\n"
            "  font-display: swap;\n"
            "}"
            for face, name, ranges in rules
        )
        + "\n"
    )
