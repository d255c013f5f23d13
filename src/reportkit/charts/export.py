"""Vega-Lite spec → SVG (and PNG for Word) through vl-convert, cached by a hash of the spec."""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import vl_convert as vlc
from babel import Locale
from babel.dates import get_day_names, get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol

from reportkit import __version__
from reportkit.fonts import font_faces

_registered_fonts: set[Path] = set()


class ChartDrawError(Exception):
    """vl-convert could not draw a spec; the message is its one meaningful line."""


def vega_message(error: Exception) -> str:
    """The reason inside a Vega or vl-convert failure, without the JavaScript stack trace."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reasons = [
        line for line in lines if not line.startswith("at ") and "conversion failed" not in line
    ]
    reason = (reasons or lines or [type(error).__name__])[-1]
    reason = reason.removeprefix("Error: ").removeprefix("TypeError: ")
    return reason if len(reason) <= 200 else reason[:199] + "…"


def _draw(convert, spec: dict, **options):
    try:
        return convert(spec, allowed_base_urls=[], **options)
    except Exception as error:  # vl-convert raises bare exceptions carrying a JS stack
        raise ChartDrawError(vega_message(error)) from None


PNG_SCALE = 2  # PNG pixels per SVG pixel


def register_fonts(families: tuple[str, ...]) -> None:
    """Let vl-convert measure and name text in the brand fonts (never system fonts)."""
    for family in families:
        for face in font_faces(family):
            directory = face.path.parent
            if directory not in _registered_fonts:
                vlc.register_font_directory(str(directory))
                _registered_fonts.add(directory)


def spec_json(spec: dict) -> str:
    """Canonical JSON: the same chart always serialises to the same bytes."""
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def spec_hash(spec: dict, locale: dict, time_locale: dict | None = None) -> str:
    versions = f"{__version__}|{vlc.get_vegalite_versions()[-1]}|{spec_json(locale)}|"
    if time_locale:
        versions += spec_json(time_locale) + "|"
    return hashlib.sha256((versions + spec_json(spec)).encode()).hexdigest()[:20]


def d3_format_locale(language: str) -> dict:
    """d3-format's number locale for the report's language, from Babel's CLDR data."""
    locale = language.replace("-", "_")
    return {
        "decimal": get_decimal_symbol(locale),
        "thousands": get_group_symbol(locale),
        "grouping": [3],
        "currency": ["", ""],
    }


def d3_time_locale(language: str) -> dict | None:
    """d3-time-format's locale (month and day names) for the report's language, from Babel's
    CLDR data; None for English, whose names Vega has built in."""
    locale = language.replace("-", "_")
    if locale.split("_")[0] == "en":
        return None
    months = [get_month_names("wide", "stand-alone", locale)[m] for m in range(1, 13)]
    short_months = [get_month_names("abbreviated", "stand-alone", locale)[m] for m in range(1, 13)]
    # Babel counts days from Monday (0), d3 from Sunday.
    order = [6, 0, 1, 2, 3, 4, 5]
    days = [get_day_names("wide", "stand-alone", locale)[d] for d in order]
    short_days = [get_day_names("abbreviated", "stand-alone", locale)[d] for d in order]
    periods = Locale.parse(locale).day_periods["format"]["abbreviated"]
    return {
        "dateTime": "%x %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": [periods["am"], periods["pm"]],
        "days": days,
        "shortDays": short_days,
        "months": months,
        "shortMonths": short_months,
    }


def prefix_ids(svg: str, prefix: str) -> str:
    """Make the SVG's ids unique in a page holding several charts."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for ident in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{ident}"', f'id="{prefix}-{ident}"')
        svg = svg.replace(f"url(#{ident})", f"url(#{prefix}-{ident})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{prefix}-{ident}"')
    return svg


@dataclass
class ChartCache:
    directory: Path
    fonts: tuple[str, ...]
    built: int = 0
    reused: int = 0

    def svg(self, spec: dict, locale: dict, time_locale: dict | None = None) -> str:
        """The SVG for spec: from the cache when this exact spec was drawn before."""
        path = self.directory / f"{spec_hash(spec, locale, time_locale)}.svg"
        if path.is_file():
            self.reused += 1
            return path.read_text(encoding="utf-8")
        register_fonts(self.fonts)
        svg = _draw(vlc.vegalite_to_svg, spec, format_locale=locale, time_format_locale=time_locale)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(svg, encoding="utf-8")
        tmp.replace(path)
        self.built += 1
        return svg

    def png(self, spec: dict, locale: dict, time_locale: dict | None = None) -> bytes:
        """The PNG for spec (for Word, which cannot be relied on to show SVG), cached like svg().

        Drawn at twice the size with its resolution stamped at 2 × 96 dpi, so Word shows the
        chart as large as the SVG appears in the HTML, and sharp.
        """
        path = self.directory / f"{spec_hash(spec, locale, time_locale)}.png"
        if path.is_file():
            self.reused += 1
            return path.read_bytes()
        register_fonts(self.fonts)
        png = _draw(
            vlc.vegalite_to_png,
            spec,
            scale=PNG_SCALE,
            format_locale=locale,
            time_format_locale=time_locale,
        )
        png = set_png_dpi(png, PNG_SCALE * 96)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(png)
        tmp.replace(path)
        self.built += 1
        return png


def set_png_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with its pHYs chunk (physical pixel size) set to dpi; added when missing."""
    signature, rest = png[:8], png[8:]
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    chunks, offset, inserted = [], 0, False
    while offset < len(rest):
        (length,) = struct.unpack(">I", rest[offset : offset + 4])
        kind = rest[offset + 4 : offset + 8]
        end = offset + 12 + length
        if kind == b"pHYs":
            chunks.append(phys)
            inserted = True
        else:
            if kind == b"IDAT" and not inserted:
                chunks.append(phys)
                inserted = True
            chunks.append(rest[offset:end])
        offset = end
    return signature + b"".join(chunks)


def svg_width(svg: str) -> float:
    """The drawn width of an SVG from vl-convert (its root width attribute), in CSS px."""
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg[:2000])
    return float(match.group(1)) if match else 0.0


def narrowed(spec: dict, drawn: float, width: int) -> dict | None:
    """A small-multiples spec whose cells are narrowed so that the whole is `width` wide, or
    None when the spec is not a facet or already fits. Vega-Lite cannot fit a facet itself."""
    inner = spec.get("spec")
    if "facet" not in spec or not isinstance(inner, dict) or drawn <= width:
        return None
    columns = max(1, int(spec.get("columns") or 1))
    shrink = int(-(-(drawn - width) // columns))  # ceiling division
    views = inner.get("layer") or [inner]
    if not all(isinstance(v.get("width", inner.get("width")), int) for v in views):
        return None
    result = json.loads(json.dumps(spec))
    for view in [result["spec"], *result["spec"].get("layer", [])]:
        if isinstance(view.get("width"), int):
            view["width"] -= shrink
    return result


def fitted_svg(cache: ChartCache, spec: dict, width: int, locale, time_locale) -> tuple:
    """The chart drawn (spec, svg): a small-multiples one drawn again narrowed to `width`."""
    svg = cache.svg(spec, locale, time_locale)
    narrower = narrowed(spec, svg_width(svg), width)
    if narrower is not None:
        spec, svg = narrower, cache.svg(narrower, locale, time_locale)
    return spec, svg


def start_vl_convert() -> None:
    """vl-convert's JavaScript engine started (half a second), by drawing nothing much; a
    warm process's spare helper (warm.py) does it before it knows the project's fonts."""
    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]}})


def draw_charts_when_told(cache: ChartCache):
    """In a helper process (workers.Helper), as soon as the charts are known to need drawing:
    vl-convert started (its JavaScript engine takes half a second) while the parent builds
    the specs; then each job drawn as it is told (draw_charts), until told None."""
    from reportkit.workers import told

    register_fonts(cache.fonts)
    start_vl_convert()
    results = []
    while (job := told()) is not None:
        results += draw_charts(cache, [job])[0]
    return results, cache.built, cache.reused


def draw_charts(cache: ChartCache, jobs: list[tuple]) -> tuple[list, int, int]:
    """Each job (spec, width, locale, time locale) drawn: (spec, svg), or the ChartDrawError's
    text; and how many drawings were made and reused. Runs in a printer's worker while the
    report's text is converted (statistics.py)."""
    results = []
    for spec, width, locale, time_locale in jobs:
        try:
            results.append(fitted_svg(cache, spec, width, locale, time_locale))
        except ChartDrawError as error:
            results.append(str(error))
    return results, cache.built, cache.reused
