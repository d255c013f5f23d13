"""Turn pydantic validation errors into ReportErrors that point at the YAML line."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportkit.errors import ReportError, did_you_mean
from reportkit.yamlio import YamlDocument

Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], doc: YamlDocument, data: Any, base: tuple = ()) -> Model:
    """Validate data (at key path `base` of doc) against model; raise at the first error."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        key_path = (*base, *loc)
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "document")
        kind = first["type"]
        hint = None
        if kind == "missing":
            message = f"required field '{loc[-1]}' is missing"
            hint = f"add '{loc[-1]}:' here"
            key_path = key_path[:-1]
        elif kind == "extra_forbidden":
            parent = model
            for part in loc[:-1]:
                parent = _submodel(parent, part)
            known = _aliases(parent) if parent else []
            message = f"unknown field '{loc[-1]}'"
            hint = did_you_mean(str(loc[-1]), known) or (
                f"known fields: {', '.join(known)}" if known else None
            )
        else:
            message = f"{field}: {first['msg']}"
        raise doc.error(key_path, message, hint) from None


def _aliases(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _submodel(model: type[BaseModel] | None, part: Any) -> type[BaseModel] | None:
    """Follow a field (or list index) from model to the nested model, when there is one."""
    if model is None or isinstance(part, int):
        return model
    for name, info in model.model_fields.items():
        if part in (name, info.alias):
            annotation = info.annotation
            for candidate in (annotation, *getattr(annotation, "__args__", ())):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    return candidate
    return None


class StrictModel(BaseModel):
    """Base for data files: unknown keys are typos until proven otherwise; kebab-case keys."""

    # Docstrings under fields become their descriptions: in the JSON Schemas editors show on
    # hover, and in README's field reference.
    model_config = {
        "extra": "forbid",
        "populate_by_name": True,
        "frozen": True,
        "use_attribute_docstrings": True,
    }


def kebab(name: str) -> str:
    return name.replace("_", "-")


def require(condition: bool, error: ReportError) -> None:
    if not condition:
        raise error
