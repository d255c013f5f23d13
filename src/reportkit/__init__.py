"""reportkit: conference reports as data plus Markdown, rendered to HTML and PDF."""

__version__ = "0.1.0"
