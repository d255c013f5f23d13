"""Fonts come from fontpkg registry packages: served (as WOFF2 subsets) next to the HTML and
embedded in the PDF."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import fontpkg

from reportkit.errors import ReportError

# Brands should name static (non-variable) families: WeasyPrint subsets every weight
# separately, and subsetting a variable font's large GPOS table costs about five times as much.
USED_WEIGHTS = (400, 600, 700)


@dataclass(frozen=True)
class FontFace:
    family: str
    path: Path
    style: str
    weight: str  # "400" or a variable range such as "200 900"

    @property
    def filename(self) -> str:
        return self.path.name.replace("[", "-").replace("]", "").replace(",", "-")

    @property
    def web_filename(self) -> str:
        """The name of the WOFF2 subset served with the HTML (webfonts.py)."""
        return Path(self.filename).stem + ".woff2"


def font_faces(family: str, weights: tuple[int, ...] = USED_WEIGHTS) -> list[FontFace]:
    """The files of an installed fontpkg family in the weights the stylesheets use.

    Raises a ReportError naming the package to install when the family is missing.
    """
    try:
        fam = fontpkg.family(family)
    except fontpkg.FamilyNotInstalled:
        slug = fontpkg.slugify(family)
        raise ReportError(
            f"font family '{family}' is not installed",
            hint=f"pip install fontpkg-{slug} (fonts come from fontpkg packages, never the system)",
        ) from None
    faces = []
    for file in fam.files:
        if file.variable:
            weight = f"{file.wght_min or 400} {file.wght_max or 400}"
        elif (file.weight or 400) in weights:
            weight = str(file.weight or 400)
        else:
            continue
        faces.append(FontFace(fam.name, file.path, file.style, weight))
    return sorted(faces, key=lambda f: (f.style, f.weight, f.filename))


@functools.cache
def _regular_metrics(family: str) -> tuple[dict[int, str], dict[str, int], int]:
    from fontTools.ttLib import TTFont

    faces = font_faces(family)
    face = next((f for f in faces if f.style == "normal" and f.weight == "400"), faces[0])
    with TTFont(face.path, lazy=True) as font:
        widths = {name: advance for name, (advance, _) in font["hmtx"].metrics.items()}
        return dict(font.getBestCmap()), widths, font["head"].unitsPerEm


def text_width(text: str, family: str, size: float) -> float:
    """The width of text set in the family's regular face at size px (advance widths, no
    kerning): enough to decide whether a chart's labels fit before it is drawn. family may be
    a font stack ("Fira Sans, Amiri"): its first installed family measures; with none, an
    average width of half the size per character."""
    for name in (n.strip().strip("'\"") for n in family.split(",")):
        try:
            cmap, widths, units = _regular_metrics(name)
        except ReportError:
            continue
        return sum(widths.get(cmap.get(ord(c), ".notdef"), units // 2) for c in text) * size / units
    return len(text) * size / 2
