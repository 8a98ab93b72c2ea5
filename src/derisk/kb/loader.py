"""Load and validate the knowledge-base data files.

Layout of a knowledge-base directory (the bundled one is ``derisk/data``)::

    sources/*.yaml        the source registry every fact cites (ids unique across files)
    countries.yaml        country groups (EU, ...)
    products.yaml         product lines that name their maker
    entities/*.yaml       curated organisations and ownership edges, one file per group
    lists/*.yaml          restricted-party lists with dated entries
    regimes/*.yaml        one regime per file
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from derisk.errors import DeriskError, ErrorCode
from derisk.kb.knowledge import KnowledgeBase
from derisk.kb.model import EntityFile, ListFile, Regime, SourceFile
from derisk.kb.products import ProductFile

__all__ = ["bundled_data_dir", "load_bundled", "load_directory", "read_yaml"]

_M = TypeVar("_M", bound=BaseModel)


def bundled_data_dir() -> Path:
    return Path(str(resources.files("derisk") / "data"))


def read_yaml(path: Path, root: Path | None = None, code: ErrorCode = ErrorCode.KB_INVALID) -> Any:
    shown = path.relative_to(root) if root else path
    try:
        with path.open("r", encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise DeriskError(code, f"not valid YAML: {exc}", file=shown, row=row) from exc
    except UnicodeDecodeError as exc:
        raise DeriskError(code, "not UTF-8 text", file=shown) from exc


def read_model(path: Path, model: type[_M], code: ErrorCode = ErrorCode.KB_INVALID) -> _M:
    """A YAML file validated against ``model``; ``code`` (DR301 for bundled data, DR203 for a
    user's configuration file) naming the file and field if not."""
    return _validate(model, read_yaml(path, code=code), path, None, code)


def _validate(
    model: type[_M],
    data: Any,
    path: Path,
    root: Path | None,
    code: ErrorCode = ErrorCode.KB_INVALID,
) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise DeriskError(
            code,
            f"schema error at '{loc}': {first['msg']}{more}",
            file=path.relative_to(root) if root else path,
        ) from exc


def load_directory(root: Path) -> KnowledgeBase:
    """Read, validate and cross-check every data file under ``root``."""
    if not root.is_dir():
        raise DeriskError(ErrorCode.KB_INVALID, "knowledge-base directory not found", file=root)

    def files(sub: str) -> list[Path]:
        return sorted((root / sub).glob("*.yaml")) if (root / sub).is_dir() else []

    source_files = [_validate(SourceFile, read_yaml(p, root), p, root) for p in files("sources")]
    groups_doc = (
        read_yaml(root / "countries.yaml", root) if (root / "countries.yaml").exists() else {}
    )
    groups = {str(k): [str(c) for c in v] for k, v in (groups_doc or {}).get("groups", {}).items()}
    products = (
        _validate(
            ProductFile, read_yaml(root / "products.yaml", root), root / "products.yaml", root
        )
        if (root / "products.yaml").exists()
        else ProductFile(products=[])
    )
    entity_files = [_validate(EntityFile, read_yaml(p, root), p, root) for p in files("entities")]
    list_files = [_validate(ListFile, read_yaml(p, root), p, root) for p in files("lists")]
    regimes = [_validate(Regime, read_yaml(p, root), p, root) for p in files("regimes")]
    for path, regime in zip(files("regimes"), regimes, strict=True):
        if path.stem != regime.id:
            raise DeriskError(
                ErrorCode.KB_INVALID,
                f"regime id '{regime.id}' does not match its file name",
                file=path.relative_to(root),
            )
    return KnowledgeBase(
        sources=[s for f in source_files for s in f.sources],
        entities=[e for f in entity_files for e in f.entities],
        ownership=[o for f in entity_files for o in f.ownership],
        lists=[x for f in list_files for x in f.lists],
        regimes=regimes,
        products=products.products,
        country_groups=groups,
    )


def load_bundled() -> KnowledgeBase:
    """The knowledge base shipped with the package."""
    return load_directory(bundled_data_dir())
