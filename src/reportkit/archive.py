"""What a PDF/A-3 report carries (associated files): the data behind its numbers.

The data package (descriptor and its CSV files) and generated sources.csv as /Data, the chart
and fact definitions (charts.yml, facts.yml) as /Source, each under its project path.
"""

from __future__ import annotations

from reportkit.data.package import DESCRIPTOR
from reportkit.pdf import PdfAttachment
from reportkit.prepare import SOURCES_CSV
from reportkit.project import Project
from reportkit.yamlio import load_yaml


def _resource_paths(descriptor: dict) -> list[str]:
    paths = []
    for resource in descriptor.get("resources") or []:
        path = resource.get("path") if isinstance(resource, dict) else None
        for item in path if isinstance(path, list) else [path]:
            if isinstance(item, str) and "://" not in item:
                paths.append(item)
    return paths


def archive_attachments(project: Project) -> tuple[PdfAttachment, ...]:
    settings = project.settings
    root = project.root
    found: list[PdfAttachment] = []

    def add(relative: str, relationship: str, description: str) -> None:
        path = root / relative
        if path.is_file():
            found.append(PdfAttachment(path, relative, relationship, description))

    descriptor_path = f"{settings.stats}/{DESCRIPTOR}"
    if (root / descriptor_path).is_file():
        add(descriptor_path, "Data", "Data package descriptor (Frictionless)")
        descriptor = load_yaml(root / descriptor_path, descriptor_path).data or {}
        for path in _resource_paths(descriptor):
            add(f"{settings.stats}/{path}", "Data", f"Data package resource {path}")
    add(SOURCES_CSV, "Data", "The source of every chart and fact in the report")
    add(settings.charts, "Source", "Chart definitions: the data each chart plots")
    add(settings.facts, "Source", "Fact definitions: the data each quoted figure comes from")
    # A PDF name tree lists its keys in byte order (WeasyPrint writes them as given).
    return tuple(sorted(found, key=lambda attachment: attachment.name.encode()))
