"""One chart theme: the report's fonts and palette, baked into every Vega-Lite spec."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

# Colour-blind-safe categorical palette (Okabe & Ito), led by the brand colours.
DEFAULT_PALETTE = ["#0b3d6e", "#e69f00", "#56b4e9", "#009e73", "#c8102e", "#cc79a7", "#f0e442"]


# Graphical objects a reader needs must stand out from their background (WCAG 2.2, 1.4.11).
MIN_CONTRAST = 3.0

# Every chart is drawn this wide (CSS px) and printed at its own size, never scaled to fit:
# so chart text is one size in every figure (11 px = 8.2 pt). 536 px is the A4 text block
# (142 mm); Letter's is wider.
CHART_WIDTH = 536
MIN_FONT_SIZE = 11
# Long series names wrap into rows of at most this many (fewer when they are too wide).
LEGEND_COLUMNS = 3
RECALLED_NOTE = "Pale marks are recalled figures, not verified against a retrieved source."


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def with_contrast(colour: str, background: str = "#ffffff", ratio: float = MIN_CONTRAST) -> str:
    """The colour, darkened in steps of lightness (hue kept) until it reaches the ratio."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    candidate = colour.lower()
    while contrast(candidate, background) < ratio and lightness > 0:
        lightness = max(0.0, lightness - 0.02)
        rgb = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
    return candidate


@dataclass(frozen=True)
class ChartTheme:
    """Defaults match the built-in Harbour brand; `from_brand` is what builds use."""

    font: str = "Fira Sans"
    text_colour: str = "#1d2229"
    muted_colour: str = "#5b6570"
    palette: tuple[str, ...] = tuple(DEFAULT_PALETTE)

    @classmethod
    def from_brand(cls, brand) -> ChartTheme:
        okabe_ito = [c for c in DEFAULT_PALETTE[1:] if c not in brand.palette]
        # Every series colour reaches 3:1 against the white chart background.
        palette = dict.fromkeys(with_contrast(c) for c in (*brand.palette, *okabe_ito))
        return cls(
            font=brand.heading_font,
            text_colour=brand.text,
            muted_colour=brand.muted,
            palette=tuple(palette),
        )

    def config(self) -> dict:
        """Vega-Lite `config` block."""
        return {
            "font": self.font,
            "background": "#ffffff",
            "view": {"stroke": None},
            "range": {"category": list(self.palette)},
            # A single series takes the brand's first colour, not Vega's default blue.
            "mark": {"color": self.palette[0]},
            "title": {
                "font": self.font,
                "fontSize": 13,
                "anchor": "start",
                "color": self.text_colour,
            },
            "axis": {
                "labelFont": self.font,
                "titleFont": self.font,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "labelColor": self.muted_colour,
                "titleColor": self.muted_colour,
                "gridColor": "#e3e7ec",
                "domainColor": "#9aa4ae",
                "tickColor": "#9aa4ae",
                "titleFontWeight": "normal",
            },
            "legend": {
                "labelFont": self.font,
                "titleFont": self.font,
                "labelFontSize": 11,
                "titleFontSize": 11,
                "orient": "bottom",
                "direction": "horizontal",
                # Long series names wrap into rows instead of widening the chart.
                "columns": LEGEND_COLUMNS,
                "labelLimit": 0,
                "titleColor": self.muted_colour,
                "labelColor": self.text_colour,
            },
            "header": {"labelFont": self.font, "titleFont": self.font, "labelFontSize": 11},
            "text": {"font": self.font},
            "line": {"strokeWidth": 2.2},
            "point": {"size": 36, "filled": True},
            # No cornerRadiusEnd: with it, Vega-Lite 5 draws time-unit bars as hairlines.
        }
