"""Name normalisation: from a raw organisation name to the parts matching compares.

``Huawei Technologies Co., Ltd.`` and ``HUAWEI TECH. CO LTD`` both become the distinctive key
``huawei``; ``华为技术有限公司`` becomes ``华为`` with the transliteration ``huawei``. Legal forms
(from rigour's org_types list), generic words and locations come from data files; see
``derisk/data/names/vocabulary.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from anyascii import anyascii
from pypinyin import lazy_pinyin
from rapidfuzz.distance import OSA

__all__ = ["NameKey", "Vocabulary", "default_vocabulary", "fold", "name_key"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "names"
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3200-\u32ff"
_CJK_RE = re.compile(f"[{_CJK}]+")
_SPLIT_SCRIPT_RE = re.compile(f"([{_CJK}]+)")
_DROP_RE = re.compile(r"[.'’`´]")  # joined: "Co." -> "co", "S.A." -> "sa", "Int'l" -> "intl"
_PUNCT_RE = re.compile(r"[^\w&]+")  # everything else that is not a letter/digit becomes a space


def _strip_latin_accents(text: str) -> str:
    """'Düsseldorf' -> 'dusseldorf', but keep Cyrillic 'й' and other scripts' letters whole."""
    out = []
    for ch in text:
        if ord(ch) < 0x250:  # Latin-1 Supplement and Latin Extended-A/B
            base = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
        else:
            out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """NFKC, case-fold, drop Latin accents, '&' -> 'and', punctuation -> spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _strip_latin_accents(text)
    text = _DROP_RE.sub("", text)
    text = text.replace("&", " and ").replace("_", " ")
    text = _PUNCT_RE.sub(" ", text)
    text = _SPLIT_SCRIPT_RE.sub(r" \1 ", text)
    return " ".join(text.split())


# Words glued together, recognised by the case change: "HikvisionDigital", "SiemensAG",
# "VSECorporation". Splitting is safe for names like "HiSilicon" too: the joined form of the
# distinctive words is compared as well, so "Hi Silicon" still equals "Hisilicon".
_MIXED_CASE_FORMS = re.compile(r"GmbH|KGaA|mbH|eG\b|eV\b|SpA\b|SpZoo|BV\b")  # not case changes
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2,})")


@dataclass(frozen=True)
class Vocabulary:
    legal_forms: frozenset[tuple[str, ...]]
    legal_class: dict[str, str]  # folded legal form -> generic class (LLC, JSC, ...)
    legal_max_len: int
    generic: frozenset[str]
    locations: frozenset[tuple[str, ...]]
    generic_near: dict[str, str]  # one-deletion variants of long generic words -> the word
    place_near: dict[str, str]  # one-deletion variants of one-word places -> the place
    cjk_legal: tuple[str, ...]  # longest first
    cjk_generic: tuple[str, ...]
    cjk_locations: tuple[str, ...]
    abbreviations: dict[str, str]
    # Look-ups of words one typo from a generic word or a place, memoised (words repeat).
    near_memo: dict[tuple[str, bool], str | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def from_files(
        cls, org_types: Path, vocabulary: Path, places: Path | None = None
    ) -> Vocabulary:
        with org_types.open(encoding="utf-8") as fh:
            types = yaml.safe_load(fh)["types"]
        with vocabulary.open(encoding="utf-8") as fh:
            vocab = yaml.safe_load(fh)
        place_names = list(vocab.get("locations", []))
        if places is not None:
            with places.open(encoding="utf-8") as fh:
                for group in (yaml.safe_load(fh) or {}).values():
                    place_names.extend(group)
        forms: set[tuple[str, ...]] = set()
        legal_class: dict[str, str] = {}
        for entry in types:
            generic = entry.get("generic")
            for alias in [*entry.get("aliases", []), entry.get("display"), entry.get("compare")]:
                if not alias:
                    continue
                folded_alias = fold(str(alias))
                if generic and folded_alias:
                    legal_class.setdefault(folded_alias, str(generic))
                if not _CJK_RE.search(alias):
                    toks = tuple(folded_alias.split())
                    if toks:
                        forms.add(toks)
        cjk_legal = {a for e in types for a in e.get("aliases", []) if _CJK_RE.fullmatch(a)}
        cjk_legal.update(vocab.get("cjk_legal_suffixes", []))
        abbreviations = {fold(k): fold(v) for k, v in vocab.get("abbreviations", {}).items()}
        generic = frozenset(fold(w) for w in vocab.get("generic", []) if fold(w))
        return cls(
            legal_forms=frozenset(forms),
            legal_class=legal_class,
            legal_max_len=max((len(f) for f in forms), default=1),
            generic=generic,
            generic_near=_near_variants(w for w in generic if len(w) >= 5),
            place_near=_near_variants(
                " ".join(p)
                for p in {tuple(fold(str(w)).split()) for w in place_names}
                if len(p) == 1 and len(p[0]) >= 5
            ),
            locations=frozenset(tuple(fold(str(w)).split()) for w in place_names if fold(str(w))),
            cjk_legal=tuple(sorted(cjk_legal, key=len, reverse=True)),
            cjk_generic=tuple(sorted(vocab.get("cjk_generic", []), key=len, reverse=True)),
            cjk_locations=tuple(sorted(vocab.get("cjk_locations", []), key=len, reverse=True)),
            abbreviations=abbreviations,
        )


def _one_deletion(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def _near_variants(words: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for word in words:
        for variant in _one_deletion(word):
            out.setdefault(variant, word)
    return out


def _near(token: str, table: dict[str, str]) -> str | None:
    """The word of ``table`` one typo away from ``token`` (five letters or more), if any."""
    if len(token) < 5 or not token.isascii():
        return None
    for variant in _one_deletion(token):
        word = table.get(variant)
        if word is not None and OSA.distance(token, word) <= 1:
            return word
    return None


def _near_memo(token: str, vocab: Vocabulary, places: bool) -> str | None:
    key = (token, places)
    memo = vocab.near_memo
    if key not in memo:
        if len(memo) > 200_000:
            memo.clear()
        memo[key] = _near(token, vocab.place_near if places else vocab.generic_near)
    return memo[key]


def _is_generic(token: str, vocab: Vocabulary) -> bool:
    """A generic word, or one with a single typo ("Corporaton", "Geoup", "Technolgies")."""
    return token in vocab.generic or _near_memo(token, vocab, False) is not None


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
    """The bundled vocabulary (read once, on first use)."""
    return Vocabulary.from_files(
        _DATA / "org_types.yaml", _DATA / "vocabulary.yaml", _DATA / "places.yaml"
    )


@dataclass(frozen=True)
class NameKey:
    """The parts of a name that matching compares."""

    folded: str  # the whole name, folded
    tokens: tuple[str, ...]  # without legal forms, abbreviations expanded
    distinctive: tuple[str, ...]  # without generic words and locations (never empty)
    locations: frozenset[str]
    legal_forms: tuple[str, ...]
    latin: str  # distinctive part, transliterated to Latin and joined without spaces
    generic_only: bool = False  # the name has nothing but generic words and places
    legal_classes: frozenset[str] = frozenset()  # generic classes of its legal forms
    generic: frozenset[str] = frozenset()  # its generic words, singular
    # Derived once (matching reads them millions of times):
    key: str = field(init=False)  # distinctive words, sorted, space-joined
    compact: str = field(init=False)  # distinctive words joined, in order
    spelled: str = field(init=False)  # every word but legal forms, joined without spaces
    digits: str = field(init=False)  # numbers must agree exactly: "Trust 2005" vs "2006"

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", " ".join(sorted(self.distinctive)))
        object.__setattr__(self, "compact", "".join(self.distinctive))
        object.__setattr__(self, "spelled", "".join(self.tokens))
        digits = "".join(c for c in "".join(self.tokens) if c.isdigit())
        object.__setattr__(self, "digits", digits)


def _strip_legal(tokens: list[str], vocab: Vocabulary) -> tuple[list[str], list[str]]:
    removed: list[str] = []
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for n in range(min(vocab.legal_max_len, len(tokens) - 1), 0, -1):
            if tuple(tokens[-n:]) in vocab.legal_forms:
                removed.insert(0, " ".join(tokens[-n:]))
                tokens = tokens[:-n]
                changed = True
                break
            if tuple(tokens[:n]) in vocab.legal_forms:
                removed.append(" ".join(tokens[:n]))
                tokens = tokens[n:]
                changed = True
                break
    return tokens, removed


def _strip_cjk(token: str, vocab: Vocabulary) -> tuple[str, list[str], list[str]]:
    """Strip legal suffixes, generic words and place names around a CJK token."""
    places: list[str] = []
    legal: list[str] = []
    changed = True
    while changed:
        changed = False
        for word in vocab.cjk_legal:
            if token.endswith(word) and len(token) > len(word):
                token, changed = token[: -len(word)], True
                legal.append(word)
            if token.startswith(word) and len(token) > len(word):
                token, changed = token[len(word) :], True
                legal.append(word)
        for word in vocab.cjk_generic:
            if token.endswith(word) and len(token) > len(word):
                token, changed = token[: -len(word)], True
            if token.startswith(word) and len(token) > len(word):
                token, changed = token[len(word) :], True
        for word in vocab.cjk_locations:
            if token.startswith(word) and len(token) > len(word):
                token, changed = token[len(word) :], True
                places.append(word)
    return token, places, legal


def _take_locations(tokens: list[str], vocab: Vocabulary) -> tuple[list[str], set[str]]:
    rest: list[str] = []
    places: set[str] = set()
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            if tuple(tokens[i : i + n]) in vocab.locations:
                places.add(" ".join(tokens[i : i + n]))
                i += n
                break
        else:
            near = _near_memo(tokens[i], vocab, True)  # "Shagnhai", "Hngzhou"
            if near is not None:
                places.add(near)
            else:
                rest.append(tokens[i])
            i += 1
    return rest, places


def _transliterate(tokens: tuple[str, ...]) -> str:
    out = []
    for tok in tokens:
        if _CJK_RE.search(tok):
            out.append("".join(lazy_pinyin(tok)))
        elif tok.isascii():
            out.append(tok)
        else:
            out.append(fold(anyascii(tok)).replace(" ", ""))
    return "".join(out)


def name_key(name: str, vocab: Vocabulary | None = None) -> NameKey:
    """Normalise one organisation name."""
    vocab = vocab or default_vocabulary()
    folded = fold(name)
    unglued = _GLUED.sub(" ", _MIXED_CASE_FORMS.sub(lambda m: m.group(0).upper(), name))
    tokens, legal = _strip_legal((fold(unglued) if unglued != name else folded).split(), vocab)
    tokens = [t for tok in tokens for t in vocab.abbreviations.get(tok, tok).split()]
    cleaned: list[str] = []
    cjk_places: list[str] = []
    for tok in tokens:
        if _CJK_RE.fullmatch(tok):
            tok, found, cjk_legal = _strip_cjk(tok, vocab)
            cjk_places.extend(found)
            legal.extend(cjk_legal)
        cleaned.append(tok)
    rest, places = _take_locations(cleaned, vocab)
    places.update(cjk_places)
    distinctive = [t for t in rest if not _is_generic(t, vocab)]
    generic_words = frozenset(t.removesuffix("s") for t in rest if t not in distinctive)
    generic_only = not distinctive
    if generic_only:  # "Global Technology Group": nothing distinctive, keep what there is
        distinctive = rest or cleaned or folded.split()
    return NameKey(
        folded=folded,
        tokens=tuple(cleaned),
        distinctive=tuple(distinctive),
        locations=frozenset(places),
        legal_forms=tuple(legal),
        latin=_transliterate(tuple(distinctive)),
        generic_only=generic_only,
        legal_classes=frozenset(vocab.legal_class[f] for f in legal if f in vocab.legal_class),
        generic=generic_words,
    )
