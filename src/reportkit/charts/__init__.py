"""Charts: a declarative catalogue (data/charts.yml) → Altair → Vega-Lite JSON and SVG."""
