"""Build the statistics data package for the Istanbul 2017 conference report.

Reads the compiled figures in ``../shared/data/figures.csv`` (one row a figure, each with its
source and a confidence label; see ``../shared/data/SOURCES.md``) and writes a Frictionless
Data Package (v1) into ``data/stats/``:

* ``sources.csv``      one row per distinct (source_org, source_title, source_url)
* ``geographies.csv``  one row per geography, with a stable ``geo_id`` slug
* ``arrivals.csv``, ``detections.csv``, ``dead_missing.csv``, ``turkey_enforcement.csv``
  tidy datasets with identical columns, split by theme
* ``datapackage.yaml`` the package descriptor (hand-readable YAML, written without PyYAML)

Numbers are copied as printed: nothing is rounded, summed, interpolated or dropped. Every row
keeps its source and its confidence label (verified / derived / recalled). Rows marked
DISAGREES in their note are kept side by side; choosing one source per chart series is left
to the chart. The script is deterministic and can be re-run at any time:

    python tools/build_stats.py
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT.parent / "shared" / "data" / "figures.csv"
OUT = ROOT / "data" / "stats"

INPUT_COLUMNS = [
    "indicator",
    "geography",
    "year",
    "month",
    "value",
    "unit",
    "source_org",
    "source_title",
    "source_url",
    "confidence",
    "note",
]
COLUMNS = [
    "indicator",
    "geo_id",
    "year",
    "month",
    "value",
    "unit",
    "source_id",
    "confidence",
    "note",
]
PRIMARY_KEY = ["indicator", "geo_id", "year", "month", "source_id"]
CONFIDENCE = ["verified", "derived", "recalled"]

# --------------------------------------------------------------------------------------------
# Geographies: every label used in figures.csv maps to exactly one geo_id.
# Two labels ("Mediterranean (all routes)", "Mediterranean (all)") mean the same thing and share
# one geo_id; they are used by different indicators, so no key collides.
# --------------------------------------------------------------------------------------------
GEOGRAPHIES: dict[str, tuple[str, str, str]] = {
    # label in figures.csv: (geo_id, name, kind)
    "CYP": ("cyp", "Cyprus", "country"),
    "ESP": ("esp", "Spain", "country"),
    "GRC": ("grc", "Greece", "country"),
    "HUN": ("hun", "Hungary", "country"),
    "ITA": ("ita", "Italy", "country"),
    "MLT": ("mlt", "Malta", "country"),
    "TUR": ("tur", "Turkey", "country"),
    "Central Mediterranean route": ("central-med", "Central Mediterranean route", "route"),
    "Eastern Mediterranean route": ("eastern-med", "Eastern Mediterranean route", "route"),
    "Eastern Mediterranean route (land)": (
        "eastern-med-land",
        "Eastern Mediterranean route (land border)",
        "route",
    ),
    "Eastern Mediterranean route (sea)": (
        "eastern-med-sea",
        "Eastern Mediterranean route (sea border)",
        "route",
    ),
    "Western Mediterranean route": ("western-med", "Western Mediterranean route", "route"),
    "Western Balkan route": ("western-balkans", "Western Balkan route", "route"),
    "EU external borders (all routes)": (
        "eu-external",
        "EU external borders (all routes)",
        "aggregate",
    ),
    "Mediterranean (all routes)": ("med-all", "Mediterranean (all routes)", "aggregate"),
    "Mediterranean (all)": ("med-all", "Mediterranean (all routes)", "aggregate"),
    "Mediterranean (GRC+ITA+ESP)": (
        "med-grc-ita-esp",
        "Mediterranean: Greece, Italy and Spain",
        "aggregate",
    ),
    "Mediterranean (GRC+ITA+ESP+MLT)": (
        "med-grc-ita-esp-mlt",
        "Mediterranean: Greece, Italy, Spain and Malta",
        "aggregate",
    ),
    "Mediterranean (GRC+ITA+ESP+CYP)": (
        "med-grc-ita-esp-cyp",
        "Mediterranean: Greece, Italy, Spain and Cyprus",
        "aggregate",
    ),
    "TUR (Aegean Sea)": ("tur-aegean", "Aegean Sea (Turkey)", "region"),
    "TUR (Turkish search-and-rescue region)": (
        "tur-sar",
        "Turkish search-and-rescue region",
        "region",
    ),
}
# Declared so that no reader has to guess the separator (notes contain "; ").
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True}
GEO_KINDS = ["country", "route", "aggregate", "region"]

# --------------------------------------------------------------------------------------------
# Source ids: the first rule whose pattern matches the title gives a prefix; a date found in
# the title (ISO date, "2 Jan 2020", "Dec 2015", or a bare year) is appended. Rules with a
# fixed id take no date. Anything unmatched falls back to a slug of organisation + title.
# --------------------------------------------------------------------------------------------
SOURCE_RULES: list[tuple[str, str, bool]] = [
    # (regex on source_title, prefix or fixed id, append date?)
    (r"^Frontex (Annual )?Risk Analysis", "frontex-ara", True),
    (r"data workbook .*EUROPE_SUMMARY", "unhcr-med-workbook-2019-summary", False),
    (r"data workbook .*\"Source\" sheet", "unhcr-med-workbook-2019-monthly", False),
    (r"^Missing Migrants Project", "iom-mmp", True),
    (r"^IOM press release", "iom-press", True),
    (r"^IOM DTM", "iom-dtm", True),
    (r"Sea Arrivals in Europe.*monthly data update", "unhcr-sea-update", True),
    (r"^UNHCR Europe Monthly Report", "unhcr-europe-monthly", True),
    (r"^UNHCR Regional Bureau Europe: Weekly Report", "unhcr-rbe-weekly", True),
    (r"^Hamodia", "hamodia", True),
    (r"^Yeni Safak", "yenisafak", True),
    (r"^Sofia Globe", "sofiaglobe", True),
    (r"^The Fifth Column", "fifthcolumn", True),
    (r"^Hurriyet Daily News", "hdn", True),
    (r"^Daily Sabah", "dailysabah", True),
    (r"^Ekonomim", "ekonomim", True),
    (r"^DGMM irregular migration statistics", "dgmm-stats-not-retrieved", False),
    (r"^Anadolu Agency", "aa", True),
    (r"^Risale Haber", "risalehaber", True),
    (r"^Maras Gundem", "marasgundem", True),
    (r"^World Bulletin", "worldbulletin", True),
    (r"^Sondakika", "sondakika", True),
    (r"^Daily News Hungary", "dnh", True),
    (r"^Istanbul Regional Conference", "istanbul-conference-report", True),
]
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))

# --------------------------------------------------------------------------------------------
# Themes and indicator descriptions.
# --------------------------------------------------------------------------------------------
THEMES: dict[str, dict[str, str]] = {
    "arrivals": {
        "sea_arrivals": "Refugees and migrants arriving by sea, as counted by the cited source "
        "(UNHCR, IOM, or press reports quoting them). Country rows count arrivals in that "
        "country; aggregate rows are totals printed by the source.",
        "land_arrivals": "Refugees and migrants arriving by land (Greece, Spain), UNHCR.",
        "sea_and_land_arrivals": "Sea and land arrivals as totalled by the source (UNHCR "
        "workbook: Greece sea+land, Spain sea+land, Italy sea, Cyprus sea; Malta not included).",
        "arrivals_registered": "New arrivals registered by national authorities, as reported "
        "by IOM; land/sea coverage not stated by the source.",
        "arrivals_western_med_route": "Monthly arrivals to Spain on the Western Mediterranean "
        "route, UNHCR Europe Monthly Reports; sea/land coverage not stated by the source.",
    },
    "detections": {
        "illegal_border_crossing_detections": "Frontex (FRAN) detections of illegal "
        "border-crossing between border-crossing points, by route. Counts detections, not "
        "persons: one person can be detected more than once. Editions revise earlier years.",
        "irregular_border_crossers_apprehended": "Foreigners apprehended after illegally "
        "entering Hungary (Hungarian National Police).",
    },
    "dead_missing": {
        "dead_and_missing": "Migrants dead or missing in the Mediterranean, by route, as "
        "stated by UNHCR or IOM or summed from the IOM Missing Migrants Project incident data "
        "(confidence 'derived'; method in the note).",
        "migrant_deaths": "Migrant deaths in the Aegean Sea, per an unnamed Turkish security "
        "source (World Bulletin).",
        "migrant_deaths_at_sea": "Migrants who died at sea in Turkish waters (Turkish Coast "
        "Guard, via Anadolu Agency) or bodies found in search-and-rescue incidents in the "
        "Turkish SAR region (Ministry of Transport).",
        "migrants_missing_at_sea": "Migrants missing in search-and-rescue incidents in the "
        "Turkish SAR region (Ministry of Transport).",
    },
    "turkey_enforcement": {
        "irregular_migrants_apprehended": "Irregular migrants apprehended in Turkey, all "
        "agencies (Directorate General of Migration Management, DGMM).",
        "irregular_migrants_apprehended_at_sea": "Irregular migrants apprehended at sea by the "
        "Turkish Coast Guard Command.",
        "irregular_migrants_rescued_apprehended": "Irregular migrants rescued or apprehended "
        "by the Turkish Coast Guard Command in the Aegean.",
        "migrant_smugglers_apprehended": "Migrant smugglers apprehended in Turkey, all agencies.",
        "migrant_smugglers_apprehended_at_sea": "Migrant smugglers ('organisers') caught by "
        "the Turkish Coast Guard Command.",
        "migrant_smugglers_arrested": "Migrant smugglers arrested (Hungary, 2015). Recalled "
        "from the conference report; not verified in any retrieved source.",
    },
}
THEME_TITLES = {
    "arrivals": "Sea and land arrivals",
    "detections": "Detections and apprehensions at EU and Schengen external borders",
    "dead_missing": "Dead and missing migrants",
    "turkey_enforcement": "Apprehensions of migrants and smugglers (Turkey; one Hungary row)",
}

PACKAGE_DESCRIPTION = (
    "Migration statistics cited in, or used to chart, the report of the 2017 Istanbul Regional "
    "Conference on Counter Migrant Smuggling. Every row names its source (source_id, see "
    "sources.csv) and a confidence label: 'verified' = seen as a printed number in a retrieved "
    "source; 'derived' = computed by summing a retrieved raw data set (method in the row "
    "note); 'recalled' = NOT seen in any retrieved source - flag visibly or leave out of "
    "published charts. Where sources or editions disagree, all values are kept side by side "
    "(notes say DISAGREES); pick one source per chart series. Numbers are as printed: none "
    "rounded, interpolated or summed here. Built by tools/build_stats.py from "
    "shared/data/figures.csv (see shared/data/SOURCES.md)."
)
LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": (
        "Creative Commons Attribution 4.0 - covers only this package's own compilation "
        "(selection, arrangement, identifiers, descriptions). The figures are facts reported "
        "by the cited sources; each row names its source, and the sources' own terms apply to "
        "their documents, tables and charts (e.g. Frontex: reproduction authorised provided "
        "the source is acknowledged; charts not to be copied)."
    ),
}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def title_date(title: str) -> str:
    """Return the first date in a source title as yyyy-mm-dd, yyyy-mm or yyyy ('' if none)."""
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", title)
    if m:
        return "-".join(m.groups())
    m = re.search(rf"\b(\d{{1,2}}) ({_MONTH_RE})\.? ((?:19|20)\d\d)\b", title, re.IGNORECASE)
    if m:
        return f"{m[3]}-{MONTHS[m[2].lower()]:02d}-{int(m[1]):02d}"
    m = re.search(rf"\b({_MONTH_RE})\.? ((?:19|20)\d\d)\b", title, re.IGNORECASE)
    if m:
        return f"{m[2]}-{MONTHS[m[1].lower()]:02d}"
    m = re.search(r"\b((?:19|20)\d\d)\b", title)
    return m[1] if m else ""


def source_id(org: str, title: str) -> str:
    for pattern, prefix, dated in SOURCE_RULES:
        if re.search(pattern, title, re.IGNORECASE):
            date = title_date(title) if dated else ""
            return f"{prefix}-{date}" if date else prefix
    return f"{slugify(org)[:24].strip('-')}-{slugify(title)[:40].strip('-')}"


def read_figures() -> pd.DataFrame:
    df = pd.read_csv(FIGURES, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(df.columns) != INPUT_COLUMNS:
        sys.exit(f"unexpected columns in {FIGURES}: {list(df.columns)}")
    df = df.apply(lambda col: col.str.strip())
    bad = df[~df["value"].str.fullmatch(r"0|[1-9]\d*")]
    if len(bad):
        sys.exit(f"non-integer values (need plain integers as printed):\n{bad}")
    bad = df[~df["year"].str.fullmatch(r"(19|20)\d\d")]
    if len(bad):
        sys.exit(f"bad years:\n{bad}")
    bad = df[~df["month"].isin([""] + [str(m) for m in range(1, 13)])]
    if len(bad):
        sys.exit(f"bad months:\n{bad}")
    bad = df[~df["confidence"].isin(CONFIDENCE)]
    if len(bad):
        sys.exit(f"unknown confidence labels:\n{bad}")
    unknown = sorted(set(df["geography"]) - set(GEOGRAPHIES))
    if unknown:
        sys.exit(f"geographies without a geo_id: {unknown}")
    themed = {ind for inds in THEMES.values() for ind in inds}
    unknown = sorted(set(df["indicator"]) - themed)
    if unknown:
        sys.exit(f"indicators not assigned to a theme: {unknown}")
    units = df.groupby("indicator")["unit"].nunique()
    if (units > 1).any():
        sys.exit(f"indicators with more than one unit: {list(units[units > 1].index)}")
    return df


def build_sources(df: pd.DataFrame) -> pd.DataFrame:
    keys = ["source_org", "source_title", "source_url"]
    src = df[keys].drop_duplicates().copy()
    src["source_id"] = [
        source_id(org, title) for org, title in zip(src.source_org, src.source_title, strict=True)
    ]
    dup = src[src.duplicated("source_id", keep=False)]
    if len(dup):
        sys.exit(f"source_id not unique; add a rule to SOURCE_RULES:\n{dup}")
    src = src.rename(columns={"source_org": "organisation", "source_title": "title"})
    src = src.rename(columns={"source_url": "url"})
    return src[["source_id", "organisation", "title", "url"]].sort_values("source_id")


def build_geographies(df: pd.DataFrame) -> pd.DataFrame:
    rows = {GEOGRAPHIES[g] for g in df["geography"].unique()}
    geo = pd.DataFrame(sorted(rows), columns=["geo_id", "name", "kind"])
    if geo["geo_id"].duplicated().any():
        sys.exit("one geo_id has two names or kinds in GEOGRAPHIES")
    return geo


def sort_key(col: pd.Series) -> pd.Series:
    if col.name in ("year", "month"):
        return col.replace("", "0").astype(int)  # annual rows (empty month) sort first
    return col


def build_tables(df: pd.DataFrame, sources: pd.DataFrame) -> dict[str, pd.DataFrame]:
    ids = {(r.organisation, r.title, r.url): r.source_id for r in sources.itertuples(index=False)}
    tidy = df.copy()
    tidy["geo_id"] = tidy["geography"].map(lambda g: GEOGRAPHIES[g][0])
    tidy["source_id"] = [
        ids[k] for k in zip(tidy.source_org, tidy.source_title, tidy.source_url, strict=True)
    ]
    tidy = tidy[COLUMNS]

    dup = tidy[tidy.duplicated(PRIMARY_KEY, keep=False)]
    if len(dup):
        # Exact duplicates (every column equal) may be collapsed; anything else is a
        # genuine conflict that must be resolved in figures.csv, not silently here.
        exact = dup.duplicated(COLUMNS, keep=False).all()
        if not exact:
            sys.exit(f"primary key {PRIMARY_KEY} not unique:\n{dup.to_string()}")
        print(f"NOTE: collapsing {len(dup)} exact duplicate rows:\n{dup.to_string()}")
        tidy = tidy.drop_duplicates(PRIMARY_KEY)

    tables = {}
    for theme, indicators in THEMES.items():
        part = tidy[tidy["indicator"].isin(indicators)]
        tables[theme] = part.sort_values(PRIMARY_KEY, key=sort_key).reset_index(drop=True)
    out_rows = sum(len(t) for t in tables.values())
    assert out_rows == len(tidy), f"rows in {len(tidy)} != rows out {out_rows}"
    return tables


# --------------------------------------------------------------------------------------------
# Data Package descriptor
# --------------------------------------------------------------------------------------------
def field(name: str, ftype: str, description: str, **extra) -> dict:
    spec = {"name": name, "type": ftype, "description": description}
    constraints = {k: v for k, v in extra.items() if v is not None}
    if constraints:
        spec["constraints"] = constraints
    return spec


def foreign_key(name: str, resource: str) -> dict:
    return {"fields": name, "reference": {"resource": resource, "fields": name}}


def tidy_resource(theme: str, table: pd.DataFrame) -> dict:
    indicators = sorted(table["indicator"].unique())
    units = sorted(table["unit"].unique())
    unit_of = table.groupby("indicator")["unit"].first().to_dict()
    return {
        "name": theme,
        "title": THEME_TITLES[theme],
        "path": f"{theme}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": DIALECT,
        "schema": {
            "fields": [
                field(
                    "indicator",
                    "string",
                    "What is counted; see x-indicators.",
                    required=True,
                    enum=indicators,
                ),
                field("geo_id", "string", "Geography; see geographies.csv.", required=True),
                field(
                    "year",
                    "integer",
                    "Calendar year the figure refers to.",
                    required=True,
                    minimum=1990,
                    maximum=2100,
                ),
                field(
                    "month",
                    "integer",
                    "Month (1-12) for monthly figures; empty for annual figures.",
                    minimum=1,
                    maximum=12,
                ),
                field(
                    "value",
                    "integer",
                    "The figure exactly as printed by the source "
                    "(or as summed, for 'derived' rows).",
                    required=True,
                    minimum=0,
                ),
                field("unit", "string", "Unit of value.", required=True, enum=units),
                field(
                    "source_id", "string", "Source of the figure; see sources.csv.", required=True
                ),
                field(
                    "confidence",
                    "string",
                    "verified = seen as a printed number in a "
                    "retrieved source; derived = summed from a retrieved raw data set "
                    "(method in note); recalled = not seen in any retrieved source: flag "
                    "visibly or leave out of published charts.",
                    required=True,
                    enum=CONFIDENCE,
                ),
                field(
                    "note",
                    "string",
                    "Compiler's note: where in the source, caveats, and "
                    "DISAGREES when another source or edition gives a different value.",
                ),
            ],
            "missingValues": [""],
            "primaryKey": PRIMARY_KEY,
            "foreignKeys": [
                foreign_key("geo_id", "geographies"),
                foreign_key("source_id", "sources"),
            ],
        },
        "x-indicators": {
            ind: {"unit": unit_of[ind], "description": THEMES[theme][ind]} for ind in indicators
        },
    }


def descriptor(sources: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> dict:
    pkg_sources = []
    for s in sources.itertuples(index=False):
        entry = {"title": f"{s.organisation}: {s.title}"}
        if s.url:
            entry["path"] = s.url
        entry["x-source-id"] = s.source_id
        pkg_sources.append(entry)
    resources = [
        {
            "name": "sources",
            "title": "Sources cited by the figures",
            "path": "sources.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": DIALECT,
            "schema": {
                "fields": [
                    field("source_id", "string", "Stable slug.", required=True, unique=True),
                    field(
                        "organisation",
                        "string",
                        "Organisation the figure is "
                        "attributed to, and the channel it came through.",
                        required=True,
                    ),
                    field("title", "string", "Document, data set or article.", required=True),
                    field("url", "string", "Where it was read; empty if not retrieved."),
                ],
                "missingValues": [""],
                "primaryKey": ["source_id"],
            },
        },
        {
            "name": "geographies",
            "title": "Countries, routes and aggregates",
            "path": "geographies.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": DIALECT,
            "schema": {
                "fields": [
                    field(
                        "geo_id",
                        "string",
                        "ISO 3166-1 alpha-3 (lower case) for countries; slug otherwise.",
                        required=True,
                        unique=True,
                    ),
                    field("name", "string", "Human-readable label.", required=True),
                    field(
                        "kind",
                        "string",
                        "country, route (a migration route as defined "
                        "by the source), aggregate (sum over countries or routes), or "
                        "region (part of a country's waters).",
                        required=True,
                        enum=GEO_KINDS,
                    ),
                ],
                "missingValues": [""],
                "primaryKey": ["geo_id"],
            },
        },
    ]
    resources += [tidy_resource(theme, table) for theme, table in tables.items()]
    return {
        "profile": "tabular-data-package",
        "name": "istanbul-2017-statistics",
        "title": "Istanbul 2017 conference report: migration statistics",
        "description": PACKAGE_DESCRIPTION,
        "licenses": [LICENSE],
        "sources": pkg_sources,
        "resources": resources,
    }


# --------------------------------------------------------------------------------------------
# Minimal YAML writer (block style; JSON-quoted strings where a plain scalar is unsafe)
# --------------------------------------------------------------------------------------------
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}


def _scalar(value: object, flow: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = r"[A-Za-z][A-Za-z0-9_ ./-]*" if flow else r"[A-Za-z][A-Za-z0-9_ .,/()'+-]*"
    if re.fullmatch(plain, text) and not text.endswith(" ") and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def to_yaml(obj: object, indent: int = 0) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(obj, dict):
        for key, val in obj.items():
            k = _scalar(key)
            if isinstance(val, dict | list) and val:
                flow = _flow_list(val)
                if flow and len(pad) + len(k) + len(flow) < 98:
                    lines.append(f"{pad}{k}: {flow}")
                else:
                    lines.append(f"{pad}{k}:")
                    lines += to_yaml(val, indent + 2)
            else:
                lines.append(f"{pad}{k}: {_scalar(val)}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, dict | list) and item:
                sub = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {sub[0].lstrip()}")
                lines += sub[1:]
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(f"{pad}{_scalar(obj)}")
    return lines


def _flow_list(val: object) -> str | None:
    if isinstance(val, list) and all(isinstance(v, str | int) for v in val):
        return "[" + ", ".join(_scalar(v, flow=True) for v in val) + "]"
    return None


# --------------------------------------------------------------------------------------------
def write_csv(table: pd.DataFrame, name: str) -> None:
    table.to_csv(OUT / name, index=False, encoding="utf-8", lineterminator="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Rebuild data/stats/ (a Frictionless data package) from "
        "../shared/data/figures.csv. Deterministic; overwrites the package's CSVs and "
        "datapackage.yaml.",
    )
    parser.parse_args(argv)
    df = read_figures()
    sources = build_sources(df)
    geographies = build_geographies(df)
    tables = build_tables(df, sources)

    OUT.mkdir(parents=True, exist_ok=True)
    write_csv(sources, "sources.csv")
    write_csv(geographies, "geographies.csv")
    for theme, table in tables.items():
        write_csv(table, f"{theme}.csv")
    header = (
        "# Built by tools/build_stats.py from ../shared/data/figures.csv: change that file and\n"
        "# run the tool again (edits made here are replaced on its next run).\n"
    )
    yaml_text = "\n".join(to_yaml(descriptor(sources, tables))) + "\n"
    (OUT / "datapackage.yaml").write_text(header + yaml_text, encoding="utf-8")

    print(f"read {len(df)} rows from {FIGURES}")
    print(f"sources.csv: {len(sources)} rows; geographies.csv: {len(geographies)} rows")
    for theme, table in tables.items():
        counts = table["confidence"].value_counts().to_dict()
        print(f"{theme}.csv: {len(table)} rows {counts}")

    # Same indicator, place and period from more than one source: choose one per chart series.
    all_rows = pd.concat(tables.values())
    groups = all_rows.groupby(["indicator", "geo_id", "year", "month"], sort=True)
    print("\nfigures with more than one source (value source_id):")
    for key, grp in groups:
        if len(grp) > 1:
            period = f"{key[2]}-{int(key[3]):02d}" if key[3] else key[2]
            vals = "; ".join(f"{v} {s}" for v, s in zip(grp.value, grp.source_id, strict=True))
            flag = "" if grp.value.nunique() > 1 else "  (values agree)"
            print(f"  {key[0]} {key[1]} {period}: {vals}{flag}")


if __name__ == "__main__":
    main()
