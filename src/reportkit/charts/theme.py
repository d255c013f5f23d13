"""One chart theme: the report's fonts and palette, baked into every Vega-Lite spec."""

from __future__ import annotations

from dataclasses import dataclass

# Colour-blind-safe categorical palette (Okabe & Ito), led by the brand colours.
DEFAULT_PALETTE = ["#0b3d6e", "#e69f00", "#56b4e9", "#009e73", "#c8102e", "#cc79a7", "#f0e442"]


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
        return cls(
            font=brand.heading_font,
            text_colour=brand.text,
            muted_colour=brand.muted,
            palette=tuple(brand.palette) + tuple(okabe_ito),
        )

    def config(self) -> dict:
        """Vega-Lite `config` block."""
        return {
            "font": self.font,
            "background": "white",
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
                "titleColor": self.muted_colour,
                "labelColor": self.text_colour,
            },
            "header": {"labelFont": self.font, "titleFont": self.font, "labelFontSize": 11},
            "text": {"font": self.font},
            "line": {"strokeWidth": 2.2},
            "point": {"size": 36, "filled": True},
            "bar": {"cornerRadiusEnd": 1},
        }
