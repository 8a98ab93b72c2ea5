"""The ``derisk`` command."""

from __future__ import annotations

import typer

from derisk._version import __version__
from derisk.cli.classify_cmd import classify
from derisk.cli.decide_cmd import decide, decisions
from derisk.cli.kb_cmd import kb_app
from derisk.cli.match_cmd import compare, match
from derisk.cli.plan_cmd import plan, scenario
from derisk.cli.screen_cmd import screen
from derisk.cli.serve_cmd import serve, users_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="derisk",
    help=(
        "Screen technology inventories against geopolitical restriction regimes "
        "(EU/DE/UK 5G rules, NDAA 889, FCC Covered List, China's lists), with evidence."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("screen")(screen)
app.command("match")(match)
app.command("compare")(compare)
app.command("classify")(classify)
app.command("plan")(plan)
app.command("scenario")(scenario)
app.add_typer(kb_app, name="kb")
app.command("decide")(decide)
app.command("decisions")(decisions)
app.command("serve")(serve)
app.add_typer(users_app, name="users")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"derisk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """derisk: what in your technology supply chain is restricted, by which rule, until when."""


def main() -> None:
    app()
