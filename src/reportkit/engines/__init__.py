"""Engines turn the project's Markdown into report.html: embedded (pandoc) or quarto."""
