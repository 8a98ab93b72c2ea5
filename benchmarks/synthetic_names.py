"""Synthetic organisation names for throughput benchmarks (seeded, reproducible).

List names look like real registry names: an optional place, one or two coined distinctive
words, an optional industry word and a legal form, in several languages' conventions.
Queries are list names with realistic damage (typos, dropped or changed legal forms, case,
word order) or names of organisations not on the list.
"""

from __future__ import annotations

import random

__all__ = ["list_names", "query_names"]

_SYLLABLES = (
    "ka",
    "ro",
    "ti",
    "ma",
    "zen",
    "vo",
    "lu",
    "tek",
    "sar",
    "ni",
    "qua",
    "bel",
    "dor",
    "fin",
    "gra",
    "hel",
    "jo",
    "kor",
    "lin",
    "mer",
    "nor",
    "pal",
    "ril",
    "sol",
    "tur",
    "val",
    "wei",
    "xin",
    "yan",
    "zhu",
    "an",
    "hua",
    "tai",
    "shen",
    "long",
    "feng",
    "cor",
    "dex",
    "lex",
    "mor",
)
_PLACES = (
    "",
    "",
    "",
    "Shenzhen",
    "Hangzhou",
    "Beijing",
    "Berlin",
    "Munich",
    "Texas",
    "Singapore",
    "Hong Kong",
    "Nordic",
    "Pacific",
    "Atlantic",
)
_INDUSTRY = (
    "",
    "",
    "Technology",
    "Electronics",
    "Systems",
    "Trading",
    "Logistics",
    "Semiconductor",
    "Communications",
    "Industries",
    "Holdings",
    "Energy",
)
_LEGAL = (
    "Co., Ltd.",
    "Ltd",
    "GmbH",
    "AG",
    "Inc.",
    "LLC",
    "S.A.",
    "Corporation",
    "PLC",
    "JSC",
    "OOO",
    "Limited",
    "",
)
_SWAP_LEGAL = {
    "Co., Ltd.": "Company Limited",
    "Ltd": "Limited",
    "Inc.": "Incorporated",
    "Corporation": "Corp.",
    "Limited": "Ltd.",
}


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def list_names(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out: dict[str, None] = {}
    while len(out) < n:
        words = [_word(rng) for _ in range(rng.choice((1, 1, 2)))]
        parts = [rng.choice(_PLACES), *words, rng.choice(_INDUSTRY), rng.choice(_LEGAL)]
        out[" ".join(p for p in parts if p)] = None
    return list(out)


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(len(text))
    op = rng.randrange(3)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1 and i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeioustnr") + text[i + 1 :]


def query_names(names: list[str], n: int, seed: int = 12) -> list[str]:
    """``n`` queries: 60% damaged list names, 40% names of unlisted organisations."""
    rng = random.Random(seed)
    outsiders = list_names(max(1000, n // 10), seed=seed + 1)
    out = []
    for _ in range(n):
        if rng.random() < 0.4:
            out.append(rng.choice(outsiders))
            continue
        name = rng.choice(names)
        damage = rng.randrange(5)
        if damage == 0:
            name = name.upper()
        elif damage == 1:
            for legal, other in _SWAP_LEGAL.items():
                if name.endswith(legal):
                    name = name[: -len(legal)] + other
                    break
        elif damage == 2 and len(name) > 8:
            name = _typo(rng, name)
        elif damage == 3:
            name = " ".join(reversed(name.split()))
        out.append(name)
    return out
