"""Compare two names directly: the pair score with its feature contributions."""

from __future__ import annotations

from functools import lru_cache

from derisk.resolve.normalize import NameKey, name_key
from derisk.resolve.score import MatchModel, PairScore, score_pair

__all__ = ["compare_names"]

ORGANISATION_SCHEMAS = frozenset({"Company", "Organization", "LegalEntity", "PublicBody"})


@lru_cache(maxsize=65536)
def _key(name: str) -> NameKey:
    return name_key(name)


def compare_names(
    name1: str,
    name2: str,
    *,
    schema: str | None = None,
    country1: str | None = None,
    country2: str | None = None,
    model: MatchModel | None = None,
) -> PairScore:
    """Score ``name1`` against ``name2`` as organisation names (symmetric).

    ``schema`` is a FollowTheMoney schema name (Company, Organization, LegalEntity...); the
    model is built for organisations, and person names are compared as if they were ones.
    """
    del schema  # accepted for the pairs format; organisation names only for now
    return score_pair(_key(name1), _key(name2), model, q_country=country1, c_country=country2)
