"""The Jinja2 environment every HTML report starts from: the package's templates, autoescape
on for every template and string (so inventory text is always escaped), and undefined names an
error rather than an empty string."""

from __future__ import annotations

import jinja2

__all__ = ["new_environment"]


def new_environment() -> jinja2.Environment:
    """A fresh environment; each report adds its own filters and globals."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("derisk", "report/templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
