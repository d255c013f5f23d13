"""Datasets (a Frictionless data package) and the facts computed from them."""
