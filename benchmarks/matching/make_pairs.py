"""Build labelled organisation-name pairs for the matching accuracy benchmark.

Reads real organisation names from the shared data extracts (``../shared/data`` beside the
checkout, or ``$DERISK_SHARED_DATA``), groups the names that the data says belong to one
organisation, splits the organisations ~50/50 into a development and a held-out test split (by
organisation *family*, so no base name and no related company is in both), and writes
``pairs_dev.csv`` and ``pairs_test.csv`` with the columns ``name1,name2,schema,label,kind,base``.

``name1`` is the query side (the name as an inventory or ERP system might hold it), ``name2``
the listed name; ``base`` is the real source name the pair was made from (always ``name2``).
Every kind of pair, how it is made and its count are documented in README.md next to this file.

Deterministic: the same data and seed give byte-identical files.

    python benchmarks/matching/make_pairs.py [--seed N] [--out DIR] [--sample N]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

HERE = Path(__file__).resolve().parent
SHARED = Path(
    os.environ.get(
        "DERISK_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"
    )
)
SEED = 20261129
FIELDS = ["name1", "name2", "schema", "label", "kind", "base"]

# --------------------------------------------------------------------------------------------
# Normalisation (independent of derisk's own normaliser on purpose: the benchmark must not
# share its blind spots)
# --------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"'})
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
CJK_RE = re.compile(f"[{_CJK}]")
_TOKEN_RE = re.compile(r"\w+")


def clean(name: str) -> str:
    """Whitespace, quotes and list markers ('*') tidied; the spelling itself is kept."""
    name = unicodedata.normalize("NFC", name).translate(_QUOTES)
    name = name.replace("\u00a0", " ").strip().rstrip("*").strip()
    if name.count('"') == 2 and name.startswith('"') and name.endswith('"'):
        name = name[1:-1]  # a whole name in quotes
    elif name.count('"') % 2 == 1:
        name = name.strip('"')  # a stray quote left by splitting a list
        if name.count('"') % 2 == 1:
            name = name.replace('"', "")
    return " ".join(name.split())


def fold(name: str) -> str:
    """Case-folded, accent-free, punctuation-free form used for keys and comparisons."""
    text = unicodedata.normalize("NFKD", name.translate(_QUOTES).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'", "").replace(".", "").replace("&", " and ")
    return " ".join(_TOKEN_RE.findall(text))


def is_latin(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(ord(c) < 0x250 for c in letters)


def has_cjk(name: str) -> bool:
    return bool(CJK_RE.search(name))


# Legal forms: (class, long surface forms, short surface forms). Surfaces are matched on folded
# tokens; the first long/short form is the canonical one written out.
LEGAL_FORMS: list[tuple[str, list[str], list[str]]] = [
    ("co_ltd", ["Company Limited"], ["Co., Ltd.", "Co. Ltd.", "Co Ltd", "Co., Ltd", "Co.,Ltd."]),
    ("corp_ltd", ["Corporation Limited"], ["Corp. Ltd.", "Corp Ltd", "Corporation Ltd."]),
    ("co_ltd", ["Company Limited"], ["Company Ltd.", "Company Ltd", "Co. Limited", "Co., Limited"]),
    ("pte_ltd", ["Private Limited"], ["Pte. Ltd.", "Pte Ltd"]),
    ("pvt_ltd", ["Private Limited"], ["Pvt. Ltd.", "Pvt Ltd"]),
    ("llc", ["Limited Liability Company"], ["LLC", "L.L.C."]),
    ("plc", ["Public Limited Company"], ["PLC", "plc", "P.L.C."]),
    ("pjsc", ["Public Joint Stock Company"], ["PJSC"]),
    ("ojsc", ["Open Joint Stock Company", "Open Joint-Stock Company"], ["OJSC"]),
    ("cjsc", ["Closed Joint Stock Company", "Closed Joint-Stock Company"], ["CJSC"]),
    ("jsc", ["Joint Stock Company", "Joint-Stock Company"], ["JSC"]),
    ("ooo", ["Obshchestvo s Ogranichennoi Otvetstvennostyu"], ["OOO"]),
    ("oao", ["Otkrytoe Aktsionernoe Obshchestvo"], ["OAO"]),
    ("zao", ["Zakrytoe Aktsionernoe Obshchestvo"], ["ZAO"]),
    ("pao", ["Publichnoe Aktsionernoe Obshchestvo"], ["PAO"]),
    ("ao", ["Aktsionernoe Obshchestvo"], ["AO"]),
    ("gmbh", ["Gesellschaft mit beschränkter Haftung"], ["GmbH"]),
    ("ag", ["Aktiengesellschaft"], ["AG"]),
    ("kk", ["Kabushiki Kaisha"], ["K.K.", "KK"]),
    ("ltd", ["Limited"], ["Ltd.", "Ltd"]),
    ("corp", ["Corporation"], ["Corp.", "Corp"]),
    ("inc", ["Incorporated"], ["Inc.", "Inc"]),
    ("co", ["Company"], ["Co.", "Co"]),
    ("sa", [], ["S.A.", "SA"]),
    ("sarl", [], ["S.A.R.L.", "SARL", "S.a.r.l."]),
    ("srl", [], ["S.R.L.", "SRL", "S.r.l."]),
    ("bv", [], ["B.V.", "BV"]),
    ("nv", [], ["N.V.", "NV"]),
    ("llp", ["Limited Liability Partnership"], ["LLP"]),
    ("fze", ["Free Zone Establishment"], ["FZE"]),
    ("fzc", ["Free Zone Company"], ["FZC"]),
    ("fzco", [], ["FZCO"]),
    ("ab", [], ["AB"]),
    ("as", [], ["A.S.", "AS"]),
    ("spa", [], ["S.p.A.", "SpA"]),
]
# Legal forms that are the same thing in another language or convention ("changed-equivalent").
LEGAL_EQUIVALENT: dict[str, list[str]] = {
    "co_ltd": ["ltd"],
    "ltd": ["co_ltd"],
    "ooo": ["llc"],
    "llc": ["ooo"],
    "ao": ["jsc"],
    "jsc": ["ao"],
    "oao": ["ojsc"],
    "ojsc": ["oao"],
    "zao": ["cjsc"],
    "cjsc": ["zao"],
    "pao": ["pjsc"],
    "pjsc": ["pao"],
    "kk": ["co_ltd"],
}
# Legal forms written before the name (Russian and Eastern-European registers).
PREFIX_FORMS = {"ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "llc"}
CJK_LEGAL = ["股份有限公司", "有限责任公司", "有限公司", "株式会社", "公司"]
CJK_EQUIVALENT = {"有限公司": "有限责任公司", "有限责任公司": "有限公司"}

_SURFACES: list[tuple[tuple[str, ...], str, bool]] = sorted(
    {
        (tuple(fold(s).split()), cls, s in longs)
        for cls, longs, shorts in LEGAL_FORMS
        for s in [*longs, *shorts]
    },
    key=lambda t: (-len(t[0]), t[0], t[1]),
)
LEGAL_TOKENS = {tok for toks, _, _ in _SURFACES for tok in toks}


@dataclass(frozen=True)
class LegalForm:
    cls: str
    is_long: bool
    start: int  # raw character span in the name
    end: int
    prefix: bool


def _token_spans(name: str) -> list[tuple[str, int, int]]:
    """Folded tokens with their raw spans; '.' and "'" are joined ('Co.,Ltd.' -> co, ltd)."""
    spans: list[tuple[str, int, int]] = []
    for m in re.finditer(r"[\w.']+", name):
        tok = fold(m.group())
        if not tok:
            continue
        for i, part in enumerate(tok.split()):
            spans.append((part, m.start(), m.end()) if i == 0 else (part, m.end(), m.end()))
    return spans


def find_legal_form(name: str) -> LegalForm | None:
    """The legal form at the end (or, for prefix-style registers, the start) of a Latin name."""
    spans = _token_spans(name)
    toks = [t for t, _, _ in spans]
    for surface, cls, is_long in _SURFACES:
        n = len(surface)
        if len(toks) > n and tuple(toks[-n:]) == surface:
            start = spans[-n][1]
            # include a comma before the legal form in the span
            while start > 0 and name[start - 1] in " ,":
                start -= 1
            return LegalForm(cls, is_long, start, len(name), prefix=False)
    for surface, cls, is_long in _SURFACES:
        n = len(surface)
        if cls in PREFIX_FORMS and len(toks) > n and tuple(toks[:n]) == surface:
            end = spans[n - 1][2]
            while end < len(name) and name[end] == " ":
                end += 1
            return LegalForm(cls, is_long, 0, end, prefix=True)
    return None


def strip_legal(tokens: list[str]) -> list[str]:
    """Folded tokens without legal forms at either end (repeatedly) and a leading 'the'."""
    changed = True
    while changed and tokens:
        changed = False
        for surface, _, _ in _SURFACES:
            n = len(surface)
            if len(tokens) > n and tuple(tokens[-n:]) == surface:
                tokens = tokens[:-n]
                changed = True
                break
            if (
                len(tokens) > n
                and tuple(tokens[:n]) == surface
                and _SURF_CLS[surface] & PREFIX_FORMS
            ):
                tokens = tokens[n:]
                changed = True
                break
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    out = []
    for tok in tokens:
        if CJK_RE.search(tok):
            for suffix in CJK_LEGAL:
                if tok.endswith(suffix) and len(tok) > len(suffix):
                    tok = tok[: -len(suffix)]
                    break
        out.append(tok)
    return out


_SURF_CLS: dict[tuple[str, ...], set[str]] = defaultdict(set)
for _surf, _cls, _ in _SURFACES:
    _SURF_CLS[_surf].add(_cls)


def core_tokens(name: str) -> list[str]:
    toks = fold(name).split()
    core = strip_legal(toks)
    return core or toks


def core_key(name: str) -> str:
    return " ".join(core_tokens(name))


# --------------------------------------------------------------------------------------------
# Vocabulary used by the generators
# --------------------------------------------------------------------------------------------

# Content-word abbreviations seen in procurement and ERP vendor masters.
ABBREVIATIONS: dict[str, list[str]] = {
    "international": ["Intl", "Int'l", "Intl."],
    "technology": ["Tech", "Tech."],
    "technologies": ["Tech", "Techs", "Technol."],
    "technological": ["Tech"],
    "corporation": ["Corp", "Corp."],
    "manufacturing": ["Mfg", "Mfg."],
    "industries": ["Inds", "Ind."],
    "industry": ["Ind", "Ind."],
    "industrial": ["Indl", "Ind."],
    "electronics": ["Elec", "Electr."],
    "electronic": ["Elec", "Electr."],
    "electric": ["Elec", "Elect."],
    "engineering": ["Eng", "Engg", "Engr."],
    "development": ["Dev", "Devel."],
    "information": ["Info", "Inf."],
    "communications": ["Comms", "Comm.", "Commun."],
    "communication": ["Comm", "Comm."],
    "equipment": ["Equip", "Eqpt"],
    "institute": ["Inst", "Inst."],
    "university": ["Univ", "Univ."],
    "research": ["Res", "Res."],
    "science": ["Sci", "Sci."],
    "sciences": ["Sci", "Sci."],
    "scientific": ["Sci", "Sci."],
    "systems": ["Sys", "Syst."],
    "system": ["Sys", "Syst."],
    "group": ["Grp", "Grp."],
    "holdings": ["Hldgs", "Hldg"],
    "holding": ["Hldg", "Hldg."],
    "national": ["Natl", "Nat'l", "Nat."],
    "aerospace": ["Aero"],
    "semiconductor": ["Semi", "Semicon"],
    "semiconductors": ["Semi", "Semicon"],
    "academy": ["Acad", "Acad."],
    "laboratory": ["Lab", "Lab."],
    "laboratories": ["Labs", "Lab."],
    "association": ["Assn", "Assoc."],
    "department": ["Dept", "Dept."],
    "management": ["Mgmt", "Mgt."],
    "services": ["Svcs", "Serv."],
    "service": ["Svc", "Serv."],
    "trading": ["Trdg"],
    "investment": ["Invest", "Inv."],
    "investments": ["Invest", "Invs."],
    "microelectronics": ["Microelec"],
    "optoelectronics": ["Optoelec"],
    "chemical": ["Chem", "Chem."],
    "chemicals": ["Chems", "Chem."],
    "materials": ["Matls", "Mat."],
    "machinery": ["Mach", "Mach."],
    "instruments": ["Instr", "Instrum."],
    "instrument": ["Instr", "Instrum."],
    "automation": ["Autom"],
    "construction": ["Constr", "Const."],
    "aviation": ["Aviat", "Avn"],
    "shipbuilding": ["Shipbldg"],
    "software": ["S/W", "Sw"],
    "networks": ["Netw", "Ntwks"],
    "network": ["Netw", "Ntwk"],
    "telecommunications": ["Telecom", "Telecomm"],
    "telecommunication": ["Telecom", "Telecomm"],
    "logistics": ["Log.", "Logist"],
    "solutions": ["Sol", "Solns"],
    "center": ["Ctr", "Cntr"],
    "centre": ["Ctr", "Cntr"],
    "federal": ["Fed", "Fed."],
    "state": ["St."],
    "company": ["Co", "Co."],
    "limited": ["Ltd", "Ltd."],
    "brothers": ["Bros", "Bros."],
    "medical": ["Med", "Med."],
    "products": ["Prods", "Prod."],
    "enterprises": ["Ent", "Ents"],
    "enterprise": ["Ent"],
    "navigation": ["Nav"],
    "power": ["Pwr"],
    "energy": ["Enrg"],
}
COMPOUND_PREFIXES = [
    "micro", "opto", "aero", "semi", "tele", "bio", "petro", "nano", "cyber", "info", "geo",
    "hydro", "electro", "thermo", "photo", "radio", "auto", "inter", "multi", "super", "trans",
    "ultra", "space", "sino", "data", "power", "net",
]  # fmt: skip
_PINYIN_INITIALS = "zh|ch|sh|b|p|m|f|d|t|n|l|g|k|h|j|q|x|r|z|c|s|y|w"
_PINYIN_FINALS = (
    "iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|er|ia|ie|in|iu|ou|ua|ue|ui|"
    "un|uo|a|e|i|o|u|v"
)
PINYIN_SYLLABLE = re.compile(f"(?:{_PINYIN_INITIALS})?(?:{_PINYIN_FINALS})")

# Place words: two names that differ only in these are different organisations (a branch or
# subsidiary is not its parent, "Bank of China (Hong Kong)" is not "Bank of China (Singapore)").
# Grouped by kind so that a swap stays realistic (city for city, country for country).
LOCATIONS: dict[str, list[str]] = {
    "cn_city": [
        "Beijing", "Shanghai", "Tianjin", "Chongqing", "Shenzhen", "Guangzhou", "Hangzhou",
        "Nanjing", "Wuhan", "Chengdu", "Xi'an", "Shenyang", "Harbin", "Changchun", "Dalian",
        "Qingdao", "Jinan", "Zhengzhou", "Changsha", "Hefei", "Fuzhou", "Xiamen", "Kunming",
        "Guiyang", "Nanchang", "Taiyuan", "Shijiazhuang", "Lanzhou", "Urumqi", "Hohhot", "Ningbo",
        "Suzhou", "Wuxi", "Changzhou", "Zhuhai", "Dongguan", "Foshan", "Baoding", "Mianyang",
        "Luoyang", "Zhuzhou", "Baotou", "Nanning", "Haikou", "Yantai", "Weihai", "Xiangtan",
        "Hengyang", "Zigong", "Anshan", "Jilin", "Guilin", "Jiangmen", "Wenzhou", "Shaoxing",
        "Nantong", "Yangzhou", "Xuzhou", "Huizhou", "Zhongshan", "Tangshan", "Handan", "Yichang",
    ],
    "cn_province": [
        "Guangdong", "Jiangsu", "Zhejiang", "Shandong", "Henan", "Hebei", "Hubei", "Hunan",
        "Sichuan", "Shaanxi", "Shanxi", "Liaoning", "Heilongjiang", "Anhui", "Fujian", "Jiangxi",
        "Guizhou", "Yunnan", "Gansu", "Qinghai", "Hainan", "Guangxi", "Xinjiang", "Tibet",
        "Ningxia", "Inner Mongolia",
    ],
    "region": ["North China", "South China", "East China", "Northwest", "Southwest"],
    # countries, by neighbourhood (a swap stays plausible: China -> Korea, not -> Armenia)
    "country_east_asia": ["China", "Taiwan", "Japan", "Korea", "Mongolia"],
    "country_southeast_asia": [
        "Singapore", "Malaysia", "Thailand", "Vietnam", "Indonesia", "Philippines", "Myanmar",
        "Cambodia",
    ],
    "country_eastern_europe": [
        "Russia", "Belarus", "Ukraine", "Kazakhstan", "Armenia", "Georgia", "Poland",
    ],
    "country_middle_east": [
        "Iran", "Iraq", "Syria", "Lebanon", "Israel", "Egypt", "Turkey", "Pakistan", "India",
    ],
    "country_europe": [
        "Germany", "France", "Italy", "Spain", "Netherlands", "Switzerland", "Sweden", "Finland",
    ],
    "country_americas": ["Brazil", "Mexico", "Canada", "Argentina", "Chile", "Venezuela", "Cuba"],
    "country_other": ["Australia", "Nigeria", "Kenya", "Ethiopia"],
    "hub": ["Hong Kong", "Macau", "Singapore", "Dubai", "London", "Moscow", "Tehran", "Istanbul"],
    "ru_city": [
        "Moscow", "St. Petersburg", "Novosibirsk", "Yekaterinburg", "Kazan", "Nizhny Novgorod",
        "Samara", "Omsk", "Chelyabinsk", "Rostov", "Ufa", "Volgograd", "Perm", "Krasnoyarsk",
        "Voronezh", "Saratov", "Tula", "Kursk", "Tomsk", "Izhevsk", "Yugorsk", "Sarov",
    ],
}  # fmt: skip
LOC_KIND: dict[tuple[str, ...], str] = {}
for _kind, _places in LOCATIONS.items():
    for _place in _places:
        LOC_KIND.setdefault(tuple(fold(_place).split()), _kind)
_LOC_SORTED = sorted(LOC_KIND, key=lambda t: -len(t))
# Place words that are never swapped (synonyms, or brand-like).
SYNONYM_PLACES = {("america",), ("americas",), ("usa",), ("us",), ("prc",), ("peking",)}

# Words that make a name an organisation (used to tell organisations from people in lists that
# mix both without a type).
ORG_WORDS = {
    "company", "co", "corp", "corporation", "inc", "ltd", "limited", "llc", "gmbh", "group",
    "institute", "university", "academy", "research", "technology", "technologies", "technik",
    "trading", "logistics", "shipping", "industries", "industrial", "industry", "international",
    "aviation", "aerospace", "electronics", "electronic", "bank", "trust", "center", "centre",
    "bureau", "regiment", "division", "directorate", "ministry", "plant", "factory",
    "enterprise", "enterprises", "solutions", "services", "holding", "holdings", "airlines",
    "airline", "engineering", "systems", "laboratory", "lab", "foundation", "agency", "council",
    "committee", "association", "sa", "srl", "bv", "fze", "fzc", "ag", "plc", "jsc", "oao",
    "ooo", "zao", "ao", "commission", "complex", "organization", "organisation", "school",
    "college", "office", "department", "army", "navy", "force", "forces", "guard", "consulting",
    "builders", "development", "investment", "metal", "profiles", "contracting", "cargo",
    "spedition", "marine", "petroleum", "products", "import", "export", "network", "networks",
}  # fmt: skip
_FUNC = {"of", "and", "the", "for", "de", "in", "on", "at", "named", "after"}  # function words
# words whose presence or absence alone does not make another organisation
WEAK_WORDS = {
    "group", "corporation", "corp", "company", "co", "holdings", "holding", "limited", "ltd",
    "inc", "international", "intl", "the", "enterprise", "enterprises",
}  # fmt: skip
SWAPS_PER_NAME = 3  # synthetic place / number swaps tried per real name
GENERIC_MIN_DF = 6  # a token in at least this many distinct organisations counts as generic

# --------------------------------------------------------------------------------------------
# Loading the sources
# --------------------------------------------------------------------------------------------


@dataclass
class Record:
    source: str
    schema: str
    name: str
    aliases: list[str] = field(default_factory=list)
    previous: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)  # other-script names of the same org
    parents: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # same org, but not used as a positive pair

    def all_names(self) -> list[str]:
        return [self.name, *self.aliases, *self.previous, *self.translations, *self.extra]


# Aliases in the data that are not names of the organisation (a bare place or a fragment left
# by splitting a list on ';'). Found in the spot checks; positives from them would be noise.
BAD_ALIASES = {
    "inner monoglia",  # 1260H: a misspelt province given as alias of a machinery group
    # section 1286: a trade union of the listed company's workers, split over two 'aliases'
    "pervichnaya profsoyuznaya organizatsiya rossiskogo profsoyuza rabotnikov promyshlennosti v",
    "pporosprofprom v gosniimash",
    # section 1286: a legal-status description used as a name
    "federal state budgetary educational institution of higher education",
}
# section 1286 gives, for a few institutions, long lists of subordinate institutes and labs in
# its 'aliases' column ("Chinese Academy of Engineering Physics": 19 'aliases' such as
# "Southwest Institute of Fluid Physics"). Those are affiliates, not other names: records with
# more aliases than this keep them for label safety but make no positive pairs from them.
MAX_TRUE_ALIASES = 6
_PAREN = re.compile(r"^(.*\S)\s*\(([^()]{2,40})\)$")
_ACRONYM_PAREN = re.compile(r"^(.*\S)\s*\(([A-Z0-9][A-Z0-9 &\-.]{1,14})\)$")


def split_acronym(name: str) -> tuple[str, str | None]:
    """'Pakistan Atomic Energy Commission (PAEC)' -> (name, 'PAEC'); places in () stay."""
    m = _PAREN.match(name)
    if m and set(fold(m.group(2)).split()) <= set(fold(m.group(1)).split()):
        return m.group(1).strip(" ,"), m.group(2).strip()  # "Huawei Technologies (Huawei)"
    m = _ACRONYM_PAREN.match(name)
    if not m or any(c.islower() for c in m.group(2)):
        return name, None
    if tuple(fold(m.group(2)).split()) in LOC_KIND:
        return name, None
    return m.group(1).strip(" ,"), m.group(2).strip()


def good_name(name: str) -> bool:
    if not name or len(name) < 2 or len(name) > 120:
        return False
    if name.count(",") > 2 or (re.search(r"\d{6}", name) and not re.match(r"^\d{7} ", name)):
        return False
    return fold(name) not in BAD_ALIASES and any(c.isalnum() for c in name)


def _split(value: str, sep: str = ";") -> list[str]:
    out = []
    for part in re.split(sep, value or ""):
        part = clean(part)
        part = re.sub(r"^(and|also known as|a\.k\.a\.?|aka)\s+", "", part, flags=re.I)
        if good_name(part):
            out.append(part)
    return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_cn_sanctions(root: Path) -> Iterator[Record]:
    for row in _read_csv(root / "os-cn-sanctions" / "cn_sanctions.csv"):
        if row["Type"] not in ("Company", "Organization"):
            continue
        name = clean(row["Name"])
        if not good_name(name):
            continue
        zh = [clean(row["Chinese name"])] if clean(row["Chinese name"]) else []
        yield Record("cn_sanctions", row["Type"], name, _split(row["Alias"]), translations=zh)


def load_dod_1260h(root: Path) -> Iterator[Record]:
    path = root / "os-dod-1260h" / "dod_1260h_chinese_military_companies.csv"
    for row in _read_csv(path):
        name = clean(row["Clean Name"]) or clean(row["Name"])
        name, acro = split_acronym(name)
        aliases = _split(row["Alias"], r",(?=\S)|;")
        if acro and acro not in aliases:
            aliases.append(acro)
        parents = []
        for parent in _split(row["Parent Name"]):
            pname, pacro = split_acronym(parent)
            parents.append(pname)
            if pacro:
                yield Record("dod_1260h", "Company", pname, [pacro])
        yield Record(
            "dod_1260h", "Company", name, aliases, previous=_split(row["Previous Name"]),
            parents=parents,
        )  # fmt: skip


def load_special_leg(root: Path) -> Iterator[Record]:
    for fname in ("section_1286", "section_5949", "section_889", "section_154", "inksna"):
        for row in _read_csv(root / "os-us-special-leg" / f"{fname}.csv"):
            if row["schema"] == "Person":
                continue
            name, acro = split_acronym(clean(row["name"]))
            if not good_name(name):
                continue
            aliases = _split(row["aliases"])
            extra: list[str] = []
            if len(aliases) > MAX_TRUE_ALIASES:
                aliases, extra = [], aliases
            if acro:
                aliases.append(acro)
            yield Record(
                f"special_leg/{fname}", row["schema"] or "Company", name, aliases, extra=extra
            )


def load_bis_mieu(root: Path) -> Iterator[Record]:
    for row in _read_csv(root / "os-bis-mieu" / "bis_mieu.csv"):
        yield Record("bis_mieu", row["Type"], clean(row["Name"]), _split(row["Alias"]))


_FCC_RE = re.compile(
    r"(?:produced|provided|supplied, directly or indirectly,) by (.+?)"
    r"(?:,| subject to| or any| and its| to the extent| including)"
)


def load_fcc(root: Path) -> Iterator[Record]:
    for row in _read_csv(root / "os-fcc-covered-list" / "fcc_covered_list_table.csv"):
        text = row["covered_equipment_or_services"]
        m = _FCC_RE.search(text)
        if not m:
            continue
        name = clean(m.group(1))
        if not good_name(name) or name[0].islower():
            continue
        yield Record("fcc_covered_list", "Company", name)
        sub = re.search(r"wholly-owned subsidiary (.+?) subject to", text)
        if sub:
            yield Record("fcc_covered_list", "Company", clean(sub.group(1)), parents=[name])


def _is_org(name: str) -> bool:
    toks = set(fold(name).split())
    if toks & ORG_WORDS:
        return True
    return bool(re.fullmatch(r"[A-Z0-9&\-]{3,8}", name))


def load_csl(root: Path) -> Iterator[Record]:
    for fname in ("csl_fixture_2019.csv", "csl_fixture_2025.csv"):
        for row in _read_csv(root / "watchman-csl" / fname):
            kind = row["type"]
            if kind in ("Individual", "Vessel", "Aircraft"):
                continue
            raw = clean(row["name"].split(";")[0])
            if kind == "" and not _is_org(raw):
                continue
            name, acro = split_acronym(raw)
            if not good_name(name):
                continue
            aliases = _split(row["alt_names"])
            if acro:
                aliases.append(acro)
            # us_trade_csl.yml maps CSL type 'Entity' to Organization, a missing type to
            # LegalEntity (the Entity List and others give no type).
            schema = "Organization" if kind == "Entity" else "LegalEntity"
            yield Record(f"csl/{fname[:-4]}", schema, name, aliases)


def load_csl_lookups(root: Path) -> Iterator[Record]:
    """Names, 'related' (parent) entities and former names from us_trade_csl.yml lookups."""
    doc = yaml.safe_load((root / "os-dataset-defs" / "us_trade_csl.yml").read_text("utf-8"))
    by_match: dict[str, list[str]] = defaultdict(list)

    def walk(node: object) -> Iterator[dict[str, object]]:
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict):
                yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for option in walk(doc):
        props = option["properties"]
        assert isinstance(props, dict)
        name = clean(str(props.get("name", "")))
        if not good_name(name):
            continue
        name, acro = split_acronym(name)
        related = props.get("related")
        previous = props.get("previous_name")
        match = option.get("match")
        key = " ".join(str(match).replace(".", " ").split()).casefold()
        by_match[key].append(name)
        parents = []
        if related:
            pname, pacro = split_acronym(clean(str(related)))
            parents.append(pname)
            if pacro:
                yield Record("csl_lookups", "LegalEntity", pname, [pacro])
        yield Record(
            "csl_lookups", "LegalEntity", name, [acro] if acro else [],
            previous=[clean(str(previous))] if previous else [], parents=parents,
        )  # fmt: skip
    # the same listing given once with the parent's name and once without: one organisation
    for names in by_match.values():
        if len(set(names)) > 1:
            first, *rest = sorted(set(names), key=len, reverse=True)
            yield Record("csl_lookups", "LegalEntity", first, extra=rest)


def load_eto(root: Path) -> Iterator[Record]:
    for row in _read_csv(root / "eto-supply-chain" / "providers.csv"):
        if row["provider_type"] == "organization" and good_name(clean(row["provider_name"])):
            yield Record("eto_providers", "Company", clean(row["provider_name"]))


def load_epoch(root: Path) -> Iterator[Record]:
    seen: set[str] = set()
    for row in _read_csv(root / "epoch-ml-hardware" / "ml_hardware.csv"):
        for value in [row["Manufacturer"], *row["Foundry"].split(",")]:
            name = clean(re.sub(r"\s*\(.*\)", "", value))
            if good_name(name) and name not in seen:
                seen.add(name)
                yield Record("epoch_hardware", "Company", name)


def load_yente(root: Path) -> Iterator[Record]:
    import json

    path = root / "yente-fixtures" / "ftm_sample_entities_t1.ftm.json"
    for line in path.read_text("utf-8").splitlines():
        ent = json.loads(line)
        if ent["schema"] not in ("Organization", "Company", "LegalEntity"):
            continue
        names = [clean(n) for n in ent["properties"].get("name", [])]
        latin = [n for n in names if is_latin(n)]
        other = [n for n in names if not is_latin(n)]
        if not latin:
            continue
        yield Record("yente_ftm", ent["schema"], latin[0], latin[1:], translations=other)


LOADERS: list[Callable[[Path], Iterator[Record]]] = [
    load_cn_sanctions, load_dod_1260h, load_special_leg, load_bis_mieu, load_fcc, load_csl,
    load_csl_lookups, load_eto, load_epoch, load_yente,
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# Identity: which names are one organisation, which organisations are related
# --------------------------------------------------------------------------------------------


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _acronym_tokens(long: str) -> list[list[str]]:
    toks = fold(long).split()
    variants = [toks, strip_legal(toks)]
    variants += [[t for t in v if t not in _FUNC] for v in variants]
    return [v for v in variants if len(v) >= 2]


def acronym_of(short: str, long: str) -> bool:
    """Strict: 'SMIC' is the initials of 'Semiconductor Manufacturing International
    Corporation' (with or without function words and legal form)."""
    s = fold(short).replace(" ", "")
    if not (2 <= len(s) <= 8) or len(fold(short).split()) > 2 or has_cjk(short):
        return False
    return any(s == "".join(t[0] for t in v) for v in _acronym_tokens(long))


def _prefix_cover(s: str, toks: list[str], start: int) -> bool:
    """s is made of 1-3 letter prefixes of toks[start:], in order, skipping tokens freely."""
    if not s:
        return True
    for k in range(start, len(toks)):
        tok = toks[k]
        for n in range(min(3, len(tok), len(s)), 0, -1):
            if s[:n] == tok[:n] and _prefix_cover(s[n:], toks, k + 1):
                return True
    return False


def maybe_acronym(short: str, long: str) -> bool:
    """Lenient, for label safety only: could 'short' abbreviate 'long'? ('AVIC' ~ 'Aviation
    Industry Corporation of China', 'CETC 13' ~ 'China Electronics Technology Group Corporation
    13th Research Institute'). Words of 'short' that 'long' contains are set aside first."""
    if has_cjk(short) or has_cjk(long):
        return False
    long_toks = fold(long).split()
    long_set = set(long_toks) | {re.sub(r"(st|nd|rd|th)$", "", t) for t in long_toks}
    rest = [t for t in fold(short).split() if t not in long_set]
    if len(rest) != 1:
        return False
    s = rest[0]
    if not (2 <= len(s) <= 8) or s in long_set or not s.isalnum():
        return False
    return any(
        (v[0][0] == s[0] and _prefix_cover(s, v, 0))
        or (len(v) > 1 and v[1][0] == s[0] and _prefix_cover(s, v, 1))
        for v in _acronym_tokens(long)
    )


@dataclass
class Inventory:
    records: list[Record]
    uf: UnionFind  # core keys -> organisation
    family: UnionFind  # organisations -> family (parents, subsidiaries, siblings, look-alikes)
    schema_of: dict[str, str]  # name -> schema
    names: list[str]  # every distinct clean name
    group_names: dict[str, list[str]]

    def group(self, name: str) -> str:
        return self.uf.find(core_key(name))

    def fam(self, name: str) -> str:
        return self.family.find(self.group(name))


def build_inventory(root: Path) -> Inventory:
    records = [rec for loader in LOADERS for rec in loader(root)]
    uf = UnionFind()
    schema_of: dict[str, str] = {}
    for rec in records:
        names = rec.all_names()
        for n in names:
            uf.find(core_key(n))
            schema_of.setdefault(n, rec.schema)
        for n in names[1:]:
            uf.union(core_key(rec.name), core_key(n))
        for p in rec.parents:
            uf.find(core_key(p))
            schema_of.setdefault(p, rec.schema)
    all_names = sorted({n for rec in records for n in [*rec.all_names(), *rec.parents]})
    family = UnionFind()
    for rec in records:
        for p in rec.parents:
            family.union(uf.find(core_key(rec.name)), uf.find(core_key(p)))
    # a bare acronym that is the initials of exactly one organisation elsewhere in the data
    # ("CETC" in the ETO list) goes into that organisation's family, so both land in the same
    # split (they are never paired as a negative either: see safe_negative)
    shorts = [n for n in all_names if re.fullmatch(r"[A-Z][A-Z0-9&\-]{2,7}", n)]
    for s in shorts:
        hits = {uf.find(core_key(n)) for n in all_names if n != s and acronym_of(s, n)}
        if len(hits) == 1:
            family.union(uf.find(core_key(s)), hits.pop())
    CHINESE_NAMES.clear()
    for rec in records:
        chinese_source = rec.source in ("dod_1260h", "csl_lookups")
        for n in rec.all_names():
            toks = fold(n).split()
            place = _find_location(toks)
            if chinese_source or (place and LOC_KIND[_loc_at(toks, place)].startswith("cn_")):
                CHINESE_NAMES.add(n)
    group_names: dict[str, list[str]] = defaultdict(list)
    for n in all_names:
        group_names[uf.find(core_key(n))].append(n)
    return Inventory(records, uf, family, schema_of, all_names, dict(group_names))


# --------------------------------------------------------------------------------------------
# Positive generators: each returns a variant of the name (same organisation) or None
# --------------------------------------------------------------------------------------------

Gen = Callable[[str, random.Random], str | None]


def _cased(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like.islower():
        return word.lower()
    return word


def _with_legal(name: str, lf: LegalForm, surface: str) -> str:
    body = (name[: lf.start] if not lf.prefix else name[lf.end :]).strip(" ,")
    if body.isupper() and len(surface) > 4:
        surface = surface.upper()
    if lf.prefix:
        return f"{surface} {body}"
    sep = ", " if name[lf.start : lf.start + 1] == "," else " "
    return f"{body}{sep}{surface}"


def _forms(cls: str) -> tuple[list[str], list[str]]:
    longs: list[str] = []
    shorts: list[str] = []
    for c, lo, sh in LEGAL_FORMS:
        if c == cls:
            longs += [x for x in lo if x not in longs]
            shorts += [x for x in sh if x not in shorts]
    return longs, shorts


def _cjk_legal(name: str) -> str | None:
    return next((s for s in CJK_LEGAL if name.endswith(s) and len(name) > len(s) + 1), None)


def gen_legal_drop(name: str, rng: random.Random) -> str | None:
    if has_cjk(name):
        suffix = _cjk_legal(name)
        return name[: -len(suffix)] if suffix else None
    lf = find_legal_form(name)
    if lf is None:
        return None
    body = (name[: lf.start] if not lf.prefix else name[lf.end :]).strip(" ,")
    return body if sum(c.isalpha() for c in body) >= 2 else None


def gen_legal_abbrev(name: str, rng: random.Random) -> str | None:
    lf = find_legal_form(name) if is_latin(name) else None
    if lf is None or not lf.is_long:
        return None
    _, shorts = _forms(lf.cls)
    return _with_legal(name, lf, rng.choice(shorts)) if shorts else None


def gen_legal_expand(name: str, rng: random.Random) -> str | None:
    lf = find_legal_form(name) if is_latin(name) else None
    if lf is None or lf.is_long:
        return None
    longs, _ = _forms(lf.cls)
    return _with_legal(name, lf, rng.choice(longs)) if longs else None


def gen_legal_equiv(name: str, rng: random.Random) -> str | None:
    if has_cjk(name):
        suffix = _cjk_legal(name)
        if suffix in CJK_EQUIVALENT:
            return name[: -len(suffix)] + CJK_EQUIVALENT[suffix]
        return None
    lf = find_legal_form(name) if is_latin(name) else None
    if lf is None or lf.cls not in LEGAL_EQUIVALENT:
        return None
    target = rng.choice(LEGAL_EQUIVALENT[lf.cls])
    longs, shorts = _forms(target)
    surface = rng.choice(shorts or longs)
    return _with_legal(name, lf, surface)


def gen_case_punct(name: str, rng: random.Random) -> str | None:
    if not is_latin(name):
        return None
    ops: list[Callable[[str], str]] = [
        str.upper,
        str.lower,
        # punctuation dropped ("Co., Ltd." -> "Co Ltd", "A.P." -> "AP"); a comma or dot between
        # two words becomes a space, so no words are joined here (that is pos_join_split)
        lambda s: re.sub(r"[.,]", "", re.sub(r"(?<=\w)[.,](?=\w{2,})", " ", s)),
        lambda s: re.sub(r"[.,()]", " ", s),
        lambda s: s.replace(" & ", " and ") if " & " in s else s.replace(" and ", " & "),
        lambda s: s.replace("-", " ") if "-" in s else s.replace(", ", ","),
        lambda s: re.sub(r"\s*\(([^)]*)\)", r" \1", s),
        lambda s: " ".join(w.capitalize() if w.isupper() and len(w) > 4 else w for w in s.split()),
        lambda s: s.title() if not s.istitle() else s.upper(),
    ]
    for _ in range(6):
        out = name
        for op in rng.sample(ops, rng.choice((1, 2, 2))):
            out = op(out)
        out = " ".join(out.split())
        if out != name:
            return out
    return None


_KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def _neighbour(c: str, rng: random.Random) -> str:
    low = c.lower()
    for row in _KEYS:
        i = row.find(low)
        if i >= 0:
            options = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            out = rng.choice(options)
            return out.upper() if c.isupper() else out
    return c


def _typo_word(word: str, rng: random.Random) -> str:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    op = rng.choice(("sub", "swap", "del", "ins"))
    i = rng.choice(letters[1:] if len(letters) > 1 else letters)  # keep the first letter
    if op == "sub":
        return word[:i] + _neighbour(word[i], rng) + word[i + 1 :]
    if op == "swap":
        j = i + 1 if i + 1 < len(word) and word[i + 1].isalpha() else i - 1
        if j < 1 or word[i] == word[j]:
            return word[:i] + word[i + 1 :]
        a, b = sorted((i, j))
        return word[:a] + word[b] + word[a] + word[b + 1 :]
    if op == "del":
        return word[:i] + word[i + 1 :]
    extra = rng.choice((word[i], _neighbour(word[i], rng)))
    return word[:i] + extra + word[i:]


def _typo(name: str, rng: random.Random, n: int) -> str | None:
    if not is_latin(name) or sum(c.isalpha() for c in name) <= 4:
        return None
    words = name.split(" ")
    # a typo in a short one-word brand easily makes another brand ('Sunway' -> 'Subway')
    min_letters = 7 if len(words) == 1 else 5
    lf_toks = LEGAL_TOKENS
    cand = [
        i
        for i, w in enumerate(words)
        if sum(c.isalpha() for c in w) >= min_letters and not any(c.isdigit() for c in w)
        and fold(w) not in lf_toks
    ]  # fmt: skip
    if not cand:
        return None
    if n == 2 and len(cand) >= 2 and rng.random() < 0.7:
        picks = rng.sample(cand, 2)
    elif n == 2:
        i = rng.choice(cand)
        if sum(c.isalpha() for c in words[i]) < 8:
            return None
        picks = [i, i]
    else:
        picks = [rng.choice(cand)]
    for i in picks:
        words[i] = _typo_word(words[i], rng)
    out = " ".join(words)
    return out if fold(out) != fold(name) else None


def gen_typo1(name: str, rng: random.Random) -> str | None:
    return _typo(name, rng, 1)


def gen_typo2(name: str, rng: random.Random) -> str | None:
    return _typo(name, rng, 2)


def _loc_at(tokens: list[str], span: tuple[int, int]) -> tuple[str, ...]:
    return tuple(tokens[span[0] : span[1]])


def _find_location(tokens: list[str]) -> tuple[int, int] | None:
    for i in range(len(tokens)):
        for loc in _LOC_SORTED:
            if tuple(tokens[i : i + len(loc)]) == loc:
                return i, i + len(loc)
    return None


SUBUNIT_WORDS = {
    "institute", "school", "college", "laboratory", "lab", "center", "centre", "department",
    "branch", "faculty", "division", "bureau", "office", "academy", "factory", "plant",
}  # fmt: skip


def gen_word_order(name: str, rng: random.Random) -> str | None:
    if not is_latin(name) or '"' in name:
        return None
    options: list[str] = []
    lf = find_legal_form(name)
    if lf is not None and lf.cls in PREFIX_FORMS:
        # "GAZPROM TRANSGAZ VOLGOGRAD, OOO" <-> "OOO GAZPROM TRANSGAZ VOLGOGRAD"
        surface = name[lf.start : lf.end].strip(" ,")
        body = (name[: lf.start] if not lf.prefix else name[lf.end :]).strip(" ,")
        options.append(f"{body} {surface}" if lf.prefix else f"{surface} {body}")
    body, tail = name, ""
    if lf is not None and not lf.prefix:
        body, tail = name[: lf.start], name[lf.start :]
    words = body.split()
    # a leading place moved behind the name: "Hangzhou Hikvision Digital Technology Co., Ltd."
    # -> "Hikvision Digital Technology (Hangzhou) Co., Ltd."
    if len(words) >= 3:
        toks = [fold(w) for w in words]
        loc = _find_location(toks)
        kind = LOC_KIND.get(tuple(toks[: loc[1]]), "") if loc else ""
        if loc and loc[0] == 0 and kind in ("cn_city", "cn_province", "ru_city"):
            place = " ".join(words[: loc[1]])
            rest = " ".join(words[loc[1] :])
            options.append(f"{rest} ({place}){tail}")
            options.append(f"{rest} {place}{tail}")
    # a sub-unit written first or last: "Academy of Military Medical Sciences, Institute of
    # Basic Medicine" <-> "Institute of Basic Medicine, Academy of Military Medical Sciences"
    if body.count(",") == 1 and lf is None:
        a, b = (p.strip() for p in body.split(","))
        if len(a.split()) >= 2 and len(b.split()) >= 2 and fold(b).split()[0] in SUBUNIT_WORDS:
            options.append(f"{b}, {a}")
    # a place in brackets moved to the end: "Huawei Terminal (Shenzhen) Co., Ltd." ->
    # "Huawei Terminal Co., Ltd. (Shenzhen)"
    m = re.match(r"^(.+?) \(([^()]+)\) (.+)$", name)
    if m and _find_location(fold(m.group(2)).split()):
        options.append(f"{m.group(1)} {m.group(3)} ({m.group(2)})")
    options = [o for o in options if fold(o) != fold(name)]
    return rng.choice(options) if options else None


def gen_abbrev(name: str, rng: random.Random) -> str | None:
    if not is_latin(name):
        return None
    lf = find_legal_form(name)
    body, tail = (name[: lf.start], name[lf.start :]) if lf and not lf.prefix else (name, "")
    words = body.split(" ")
    cand = [i for i, w in enumerate(words) if fold(w) in ABBREVIATIONS]
    if not cand:
        return None
    for i in rng.sample(cand, min(len(cand), rng.choice((1, 1, 2, 3)))):
        w = words[i]
        trail = w[len(w.rstrip(",")) :]
        words[i] = _cased(rng.choice(ABBREVIATIONS[fold(w)]), w.rstrip(",")) + trail
    return " ".join(words) + tail


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Toneless Hanyu Pinyin syllables (from pypinyin's dictionary), at least two letters."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: set[str] = set()
    for value in pinyin_dict.values():
        for syl in value.split(","):
            syl = unicodedata.normalize("NFKD", syl).replace("\u0308", "v")
            syl = "".join(c for c in syl if not unicodedata.combining(c))
            if len(syl) >= 2 and re.search("[aeiouv]", syl):
                out.add(syl)
    return frozenset(out)


def _pinyin_split(word: str) -> list[str] | None:
    """'Huawei' -> ['Hua', 'wei'] (longest syllables first, backtracking); None if not pinyin."""
    low = word.lower()
    syllables = pinyin_syllables()

    def parse(i: int) -> list[int] | None:
        if i == len(low):
            return []
        for j in range(min(len(low), i + 6), i + 1, -1):
            if low[i:j] in syllables:
                rest = parse(j)
                if rest is not None:
                    return [j, *rest]
        return None

    cuts = parse(0)
    if not cuts or len(cuts) < 2:
        return None
    parts, i = [], 0
    for j in cuts:
        parts.append(word[i:j])
        i = j
    return parts


# Names whose words may be pinyin (Chinese companies): set by build_inventory.
CHINESE_NAMES: set[str] = set()
COMPOUND_RESTS = {
    "electronics", "electronic", "electric", "systems", "system", "space", "conductor",
    "conductors", "com", "communications", "technology", "technologies", "chemical",
    "chemicals", "security", "tech", "net", "network", "networks", "soft", "ware", "vision",
    "data", "power", "energy", "materials", "physics", "dynamics", "engineering", "navigation",
    "mechanical", "solutions", "logic", "link", "star", "wave", "metrics", "optics", "photonics",
}  # fmt: skip


_NO_JOIN = {
    "of", "and", "the", "for", "de", "in", "on", "at", "i", "v", "s", "na", "po", "im", "cu", "z",
    "mit", "du", "la", "le", "des", "del", "di", "da", "y", "e", "et", "und", "an",
}  # fmt: skip


def gen_join_split(name: str, rng: random.Random) -> str | None:
    if not is_latin(name) or '"' in name:
        return None
    words = name.split(" ")
    options: list[str] = []
    # join a word with the next one ("Siemens AG" -> "SiemensAG")
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        bare = b.rstrip(".,")
        joinable = a.isalpha() and bare.isalpha() and len(a) >= 3 and len(bare) >= 2
        if joinable and not {fold(a), fold(b)} & _NO_JOIN and fold(a) not in LEGAL_TOKENS:
            options.append(" ".join([*words[:i], a + b, *words[i + 2 :]]))
    # split a CamelCase word, a compound ("Microelectronics" -> "Micro Electronics") or a
    # pinyin word ("Huawei" -> "Hua Wei")
    for i, w in enumerate(words):
        if not w.isalpha() or len(w) < 5:
            continue
        camel = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", w)
        if camel != w:
            options.append(" ".join([*words[:i], camel, *words[i + 1 :]]))
            continue
        low = w.lower()
        for pre in COMPOUND_PREFIXES:
            if low.startswith(pre) and low[len(pre) :] in COMPOUND_RESTS:
                cut = len(pre)
                rest = w[cut:]
                rest = rest[0].upper() + rest[1:] if w[0].isupper() and not w.isupper() else rest
                options.append(" ".join([*words[:i], w[:cut], rest, *words[i + 1 :]]))
                break
        else:
            pinyin_ok = name in CHINESE_NAMES and (fold(w),) not in LOC_KIND
            syl = _pinyin_split(w) if pinyin_ok else None
            if (
                syl
                and 2 <= len(syl) <= 3
                and fold(w) not in ABBREVIATIONS
                and fold(w) not in ORG_WORDS
            ):
                parts = [
                    s[0].upper() + s[1:] if w[0].isupper() and not w.isupper() else s for s in syl
                ]
                options.append(" ".join([*words[:i], *parts, *words[i + 1 :]]))
    options = [o for o in options if o != name]
    return rng.choice(options) if options else None


POSITIVE_GENERATORS: dict[str, Gen] = {
    "pos_legal_drop": gen_legal_drop,
    "pos_legal_abbrev": gen_legal_abbrev,
    "pos_legal_expand": gen_legal_expand,
    "pos_legal_equiv": gen_legal_equiv,
    "pos_case_punct": gen_case_punct,
    "pos_typo1": gen_typo1,
    "pos_typo2": gen_typo2,
    "pos_word_order": gen_word_order,
    "pos_abbrev": gen_abbrev,
    "pos_join_split": gen_join_split,
}
# maximum pairs per split and kind (fewer when the data has fewer candidates)
CAPS: dict[str, int] = {
    "pos_legal_drop": 230,
    "pos_legal_abbrev": 200,
    "pos_legal_expand": 180,
    "pos_legal_equiv": 150,
    "pos_case_punct": 260,
    "pos_typo1": 280,
    "pos_typo2": 200,
    "pos_word_order": 200,
    "pos_abbrev": 230,
    "pos_join_split": 200,
    "pos_alias": 10_000,
    "pos_alias_acronym": 10_000,
    "pos_previous_name": 10_000,
    "pos_cross_script": 10_000,
    "neg_shared_generic": 1000,
    "neg_location": 380,
    "neg_number": 320,
    "neg_parent_subsidiary": 10_000,
    "neg_sibling": 260,
    "neg_lookalike": 10_000,
    "neg_acronym": 10_000,
    "neg_random": 800,
    "neg_shared_word": 500,
}
# neg_shared_word: real pairs from the data first (at most this many per split), then
# synthetic word swaps in short names fill the cap.
SHARED_WORD_REAL = 300


# --------------------------------------------------------------------------------------------
# Negatives
# --------------------------------------------------------------------------------------------


def content(name: str) -> set[str]:
    return {t for t in core_tokens(name) if t not in _FUNC}


def safe_negative(
    inv: Inventory, a: str, b: str, *, same_family_ok: bool = False, declared: bool = False
) -> bool:
    """Both names are certainly different organisations, as far as the data can tell: not
    names of one organisation anywhere in the data and not equal without legal form and
    spaces. Unless the data itself declares them different (one is the other's parent):
    neither could be an abbreviation of the other, they do not differ only in words such as
    'Group' or 'Corporation', and they are not a letter or two apart (unless in a number, a
    place or a whole short brand)."""
    if inv.group(a) == inv.group(b):
        return False
    if not same_family_ok and inv.fam(a) == inv.fam(b):
        return False
    ka, kb = core_key(a), core_key(b)
    if ka == kb or ka.replace(" ", "") == kb.replace(" ", ""):
        return False
    if declared:
        return True
    # 'China Unicom Group (BVI)' and 'China Unicom Group Corporation (BVI)' are listed in
    # different years and are probably one company
    ca, cb = content(a), content(b)
    if ca ^ cb and ca ^ cb <= WEAK_WORDS:
        return False
    # 'China Communications Constructions USA, Inc.' / '... Construction (USA) Co., Ltd.'
    if Levenshtein.distance(ka.replace(" ", ""), kb.replace(" ", ""), score_cutoff=2) <= 2:
        ta, tb = ka.split(), kb.split()
        intended = _same_but(ta, tb, "num") or _same_but(ta, tb, "loc")
        if not (intended or distinct_lookalike(a, b)):
            return False
    return not (maybe_acronym(a, b) or maybe_acronym(b, a))


def _same_but(ta: list[str], tb: list[str], what: str) -> bool:
    """The token lists are equal except for their numbers (or places)."""
    ma, mb = _mask(ta, what), _mask(tb, what)
    return ma is not None and mb is not None and ma[0] == mb[0] and ma[1] != mb[1]


def distinct_lookalike(a: str, b: str) -> bool:
    """Two real names a letter or two apart are only safe as different organisations when the
    difference is a whole short brand ('Aerosun' / 'Geosun') or an acronym word ('VSE
    Corporation' / 'ZTE Corporation'); 'Chen Du Westone' / 'Cheng Du Westone' is one company
    spelt two ways."""
    ta, tb = a.split(), b.split()
    da = [w for w in ta if fold(w) not in {fold(x) for x in tb}]
    db = [w for w in tb if fold(w) not in {fold(x) for x in ta}]
    if len(fold(a)) <= 9 and len(fold(b)) <= 9 and len(ta) == len(tb) == 1:
        return True
    words = [w.strip(".,()") for w in da + db]
    return bool(words) and all(w.isupper() and len(w) <= 5 for w in words)


def not_subset(a: str, b: str) -> bool:
    ca, cb = content(a), content(b)
    return bool(ca) and bool(cb) and not (ca <= cb or cb <= ca)


def _mask(tokens: list[str], what: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Tokens with places (or numbers) replaced by a placeholder, and the masked values."""
    out: list[str] = []
    vals: list[str] = []
    i = 0
    while i < len(tokens):
        if what == "loc":
            hit = next((loc for loc in _LOC_SORTED if tuple(tokens[i : i + len(loc)]) == loc), None)
            if hit is not None:
                out.append("<LOC>")
                vals.append(" ".join(hit))
                i += len(hit)
                continue
        elif re.fullmatch(r"\d+(st|nd|rd|th)?", tokens[i]):
            out.append("<NUM>")
            vals.append(tokens[i])
            i += 1
            continue
        out.append(tokens[i])
        i += 1
    if not vals:
        return None
    return tuple(out), tuple(vals)


def real_variant_pairs(inv: Inventory, names: list[str], what: str) -> list[tuple[str, str]]:
    """Pairs of real names that are equal except for their places (or numbers)."""
    buckets: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for n in names:
        if not is_latin(n):
            continue
        masked = _mask(core_tokens(n), what)
        if masked and len([t for t in masked[0] if not t.startswith("<")]) >= 1:
            buckets[masked[0]].append((n, masked[1]))
    pairs = []
    for items in buckets.values():
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                (a, va), (b, vb) = items[i], items[j]
                if va != vb and inv.group(a) != inv.group(b):
                    pairs.append((a, b))
    return pairs


def _stem(tok: str) -> str:
    """'talents' -> 'talent', 'technologies' -> 'technologie': plural and singular as one."""
    return tok[:-1] if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss") else tok


def word_profile(name: str, generic: set[str]) -> tuple[set[str], set[str]]:
    """(content words, distinctive words) of a name, as stems.

    Content words: the name without legal form, function words, places, numbers, one-letter
    tokens and WEAK_WORDS (whose presence alone does not make another organisation).
    Distinctive: the content words that are not generic (in fewer than GENERIC_MIN_DF
    organisations of the data)."""
    toks = core_tokens(name)
    masked = _mask(toks, "loc")
    words: set[str] = set()
    distinctive: set[str] = set()
    for t in masked[0] if masked else toks:
        if (
            t.startswith("<")
            or len(t) < 2
            or t in _FUNC
            or t in WEAK_WORDS
            or t in LEGAL_TOKENS
            or re.fullmatch(r"\d+(st|nd|rd|th)?", t)
        ):
            continue
        words.add(_stem(t))
        if t not in generic:
            distinctive.add(_stem(t))
    return words, distinctive


def variant_words(x: str, y: str) -> bool:
    """x and y could be one word written two ways: a typo or transliteration apart
    ('avto' / 'auto', 'tekhnologii' / 'technologie'), or one an abbreviation of the other
    (its letters in order, the first letter the same: 'mgt' / 'management')."""
    if Levenshtein.normalized_similarity(x, y) >= 0.5:
        return True
    short, long = sorted((x, y), key=len)
    if short[0] != long[0]:
        return False
    rest = iter(long)
    return all(c in rest for c in short)


def substituted(a: str, b: str, generic: set[str]) -> tuple[set[str], set[str], set[str]] | None:
    """(shared distinctive words, words only in a, words only in b) when the names share a
    distinctive word and each has a content word the other lacks, at least one of them
    distinctive, and no word on one side could be a variant of a word on the other
    ('Tencent Cloud' / 'Huawei Cloud', 'Moore Threads' / 'Moore Industries'); else None."""
    wa, da = word_profile(a, generic)
    wb, db = word_profile(b, generic)
    shared = da & db
    only_a, only_b = wa - wb, wb - wa
    if not shared or not only_a or not only_b or not (only_a & da or only_b & db):
        return None
    if any(variant_words(x, y) for x in only_a for y in only_b):
        return None
    return shared, only_a, only_b


def swap_word(name: str, rng: random.Random, pool: list[str], generic: set[str]) -> str | None:
    """'Huawei Cloud' -> 'Tencent Cloud': one content word of a short name (2-3 content
    words) replaced by a distinctive word of another organisation in the data, keeping at
    least one distinctive word; never a place, a number, a legal form or a weak word."""
    words, distinctive = word_profile(name, generic)
    if not 2 <= len(words) <= 3:
        return None
    raw = name.split(" ")
    spots = []
    for i, w in enumerate(raw):
        toks = fold(w).split()
        if len(toks) != 1 or not toks[0].isalpha() or len(toks[0]) < 3:
            continue
        t = _stem(toks[0])
        if t in words and distinctive - {t}:
            spots.append(i)
    if not spots:
        return None
    i = rng.choice(spots)
    old = fold(raw[i])
    for _ in range(20):
        new = rng.choice(pool)
        if _stem(new) in words or variant_words(_stem(new), _stem(old)):
            continue
        body = raw[i].strip("()\"',.")
        lead = raw[i][: raw[i].index(body)] if body else ""
        trail = raw[i][len(lead) + len(body) :]
        cased = _cased(new.capitalize(), body)
        return " ".join([*raw[:i], lead + cased + trail, *raw[i + 1 :]])
    return None


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def swap_location(name: str, rng: random.Random) -> str | None:
    words = name.split(" ")
    if len(words) > 10:  # long descriptive names: the place is rarely a qualifier
        return None
    toks = [fold(w) for w in words]
    spans = []
    for i in range(len(toks)):
        for loc in _LOC_SORTED:
            if tuple(toks[i : i + len(loc)]) == loc and loc not in SYNONYM_PLACES:
                spans.append((i, i + len(loc), loc))
                break
    if not spans:
        return None
    i, j, loc = rng.choice(spans)
    kind = LOC_KIND[loc]
    choices = [p for p in LOCATIONS[kind] if tuple(fold(p).split()) != loc]
    new = rng.choice(choices)
    raw = " ".join(words[i:j])
    lead = raw[: len(raw) - len(raw.lstrip("(\"'"))]
    trail = raw[len(raw.rstrip(")\"',.")) :]
    new = _cased(new, raw.strip("()\"',."))
    return " ".join([*words[:i], lead + new + trail, *words[j:]])


def swap_number(name: str, rng: random.Random) -> str | None:
    matches = list(re.finditer(r"\b(\d+)(st|nd|rd|th|ST|ND|RD|TH)?\b", name))
    if not matches:
        return None
    m = rng.choice(matches)
    n = int(m.group(1))
    if len(m.group(1)) >= 4 and 1900 <= n <= 2100:
        new_n = n + rng.choice((-2, -1, 1, 2))
    else:
        new_n = max(1, n + rng.choice((-3, -2, -1, 1, 2, 3, 10)))
        if new_n == n:
            new_n = n + 1
    rep = _ordinal(new_n) if m.group(2) else str(new_n).zfill(len(m.group(1)))
    if m.group(2) and m.group(2).isupper():
        rep = rep.upper()
    return name[: m.start()] + rep + name[m.end() :]


# --------------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------------


@dataclass
class Pair:
    name1: str
    name2: str
    schema: str
    label: int
    kind: str

    def row(self) -> dict[str, str]:
        return {
            "name1": self.name1,
            "name2": self.name2,
            "schema": self.schema,
            "label": str(self.label),
            "kind": self.kind,
            "base": self.name2,
        }


def common_schema(a: str, b: str) -> str:
    if a == b:
        return a
    if "LegalEntity" in (a, b):
        return "LegalEntity"
    return "Organization"


def split_families(inv: Inventory, rng: random.Random) -> dict[str, str]:
    """Family -> 'dev' | 'test', balanced by number of names, seeded."""
    fam_names: dict[str, list[str]] = defaultdict(list)
    for n in inv.names:
        fam_names[inv.fam(n)].append(n)
    fams = sorted(fam_names)
    rng.shuffle(fams)
    fams.sort(key=lambda f: -len(fam_names[f]))  # big families first, random among equals
    sizes = {"dev": 0, "test": 0}
    out: dict[str, str] = {}
    for f in fams:
        side = "dev" if sizes["dev"] <= sizes["test"] else "test"
        out[f] = side
        sizes[side] += len(fam_names[f])
    return out


class PairSet:
    def __init__(self, inv: Inventory, cap: dict[str, int], forbidden: set[str]) -> None:
        self.inv = inv
        self.cap = cap
        self.forbidden = forbidden  # folded names already used by the other split
        self.pairs: list[Pair] = []
        self.seen: set[tuple[str, str]] = set()
        self.count: Counter[str] = Counter()

    def add(self, name1: str, name2: str, label: int, kind: str, schema: str | None = None) -> bool:
        if self.count[kind] >= self.cap[kind] or name1 == name2:
            return False
        key = (fold(name1), fold(name2))
        if key in self.seen or key[::-1] in self.seen:
            return False
        if key[0] in self.forbidden or key[1] in self.forbidden:
            return False
        if label == 1 and key[0] == key[1] and kind != "pos_case_punct":
            return False
        if not fold(name1) or not fold(name2):
            return False
        if schema is None:
            s1 = self.inv.schema_of.get(name1, self.inv.schema_of.get(name2, "Company"))
            s2 = self.inv.schema_of.get(name2, s1)
            schema = common_schema(s1, s2)
        self.seen.add(key)
        self.count[kind] += 1
        self.pairs.append(Pair(name1, name2, schema, label, kind))
        return True


def make_split(
    inv: Inventory, names: list[str], rng: random.Random, forbidden: set[str]
) -> list[Pair]:
    ps = PairSet(inv, CAPS, forbidden)
    name_set = set(names)
    # keys of every real name (any split): a generated variant must not be another org's name
    key_owner = {core_key(n): inv.group(n) for n in inv.names}

    def variant_ok(variant: str, base: str) -> bool:
        owner = key_owner.get(core_key(variant))
        return owner is None or owner == inv.group(base)

    # ---- positives from the data: aliases, acronyms, former names, other scripts
    recs = [r for r in inv.records if r.name in name_set]
    for rec in sorted(recs, key=lambda r: (r.source, r.name)):
        for alias in rec.aliases:
            compact = alias.replace(" ", "")
            if len(compact) < 3:
                continue  # 'CT' for 'Compliance Testing LLC': not a usable name
            is_acro = bool(re.fullmatch(r"[A-Z0-9&\-.]{3,10}", compact)) and len(alias.split()) <= 4
            is_acro = is_acro and all(len(t) <= 6 for t in alias.split())
            if has_cjk(alias) or not is_latin(alias):
                ps.add(alias, rec.name, 1, "pos_cross_script", rec.schema)
            elif is_acro:
                if len(compact) >= 3:
                    ps.add(alias, rec.name, 1, "pos_alias_acronym", rec.schema)
            else:
                ps.add(alias, rec.name, 1, "pos_alias", rec.schema)
        for prev in rec.previous:
            ps.add(prev, rec.name, 1, "pos_previous_name", rec.schema)
        for tr in rec.translations:
            ps.add(tr, rec.name, 1, "pos_cross_script", rec.schema)

    # ---- generated positives
    bases = sorted(names)
    for kind, gen in POSITIVE_GENERATORS.items():
        order = bases[:]
        rng.shuffle(order)
        for base in order:
            if ps.count[kind] >= CAPS[kind]:
                break
            variant = gen(base, rng)
            if variant and variant != base and variant_ok(variant, base):
                ps.add(variant, base, 1, kind)

    # ---- negatives: parent / subsidiary, siblings (same parent in the data)
    children: dict[str, list[str]] = defaultdict(list)
    for rec in sorted(inv.records, key=lambda r: r.name):
        for p in rec.parents:
            if (
                rec.name in name_set
                and p in name_set
                and safe_negative(inv, rec.name, p, same_family_ok=True, declared=True)
            ):
                if rng.random() < 0.5:
                    ps.add(rec.name, p, 0, "neg_parent_subsidiary")
                else:
                    ps.add(p, rec.name, 0, "neg_parent_subsidiary")
                if rec.name not in children[inv.group(p)]:
                    children[inv.group(p)].append(rec.name)
    sib_pairs = [
        (a, b)
        for kids in children.values()
        for i, a in enumerate(kids)
        for b in kids[i + 1 :]
        if safe_negative(inv, a, b, same_family_ok=True)
    ]
    rng.shuffle(sib_pairs)
    for a, b in sib_pairs:
        ps.add(a, b, 0, "neg_sibling")

    # ---- negatives: same name, another place / another number (real pairs first)
    latin = [n for n in bases if is_latin(n)]
    for what, kind, swap in (
        ("loc", "neg_location", swap_location),
        ("num", "neg_number", swap_number),
    ):
        real = real_variant_pairs(inv, latin, what)
        rng.shuffle(real)
        for a, b in real:
            if safe_negative(inv, a, b, same_family_ok=True):
                ps.add(a, b, 0, kind)
        order = [n for n in latin for _ in range(SWAPS_PER_NAME)]
        rng.shuffle(order)
        for base in order:
            if ps.count[kind] >= CAPS[kind]:
                break
            other = swap(base, rng)
            if not other or fold(other) == fold(base):
                continue
            owner = key_owner.get(core_key(other))
            if owner is None:
                ps.add(other, base, 0, kind)
            elif owner != inv.group(base):
                # the swapped name is a real organisation in the data: a real pair
                same = [n for n in inv.group_names[owner] if core_key(n) == core_key(other)]
                real_name = same[0] if same else inv.group_names[owner][0]
                if real_name in name_set and safe_negative(
                    inv, real_name, base, same_family_ok=True
                ):
                    ps.add(real_name, base, 0, kind)

    # ---- negatives: real look-alikes within edit distance 1-2, and short acronym look-alikes
    folded = [(n, fold(n)) for n in latin]
    for i, (a, fa) in enumerate(folded):
        for b, fb in folded[i + 1 :]:
            if abs(len(fa) - len(fb)) > 2:
                continue
            short = min(len(fa), len(fb))
            if short < 3:
                continue
            d = Levenshtein.distance(fa, fb, score_cutoff=2)
            if d > 2 or d == 0:
                continue
            if not safe_negative(inv, a, b):
                continue
            compact_a, compact_b = a.replace(" ", ""), b.replace(" ", "")
            is_short = len(compact_a) <= 6 and len(compact_b) <= 6
            upper = re.compile(r"[A-Z0-9&\-]+")
            if is_short and upper.fullmatch(compact_a) and upper.fullmatch(compact_b):
                if d == 1 or min(len(compact_a), len(compact_b)) >= 4:
                    ps.add(a, b, 0, "neg_acronym")
            elif short >= 6 and distinct_lookalike(a, b):
                ps.add(a, b, 0, "neg_lookalike")

    # ---- negatives: different organisations sharing generic words (hardest first)
    df: Counter[str] = Counter()
    for gnames in inv.group_names.values():
        toks = set().union(*(content(n) for n in gnames))
        df.update(toks)
    generic = {t for t, c in df.items() if c >= GENERIC_MIN_DF and not CJK_RE.search(t)}
    index: dict[str, list[str]] = defaultdict(list)
    for n in latin:
        for t in content(n) & generic:
            index[t].append(n)
    order = latin[:]
    rng.shuffle(order)
    per_name = 3
    for a in order:
        if ps.count["neg_shared_generic"] >= CAPS["neg_shared_generic"]:
            break
        ca = content(a)
        if len(ca) < 2:
            continue
        cand: set[str] = set()
        for t in ca & generic:
            cand.update(index[t])
        scored = []
        for b in sorted(cand):
            cb = content(b)
            shared = ca & cb
            if not shared or not shared <= generic or (ca - generic) & (cb - generic):
                continue
            if not not_subset(a, b) or not safe_negative(inv, a, b):
                continue
            scored.append((fuzz.token_sort_ratio(fold(a), fold(b)), b))
        scored.sort(key=lambda t: (-t[0], t[1]))
        top = [b for _, b in scored[:6]]
        rng.shuffle(top)
        for b in top[:per_name]:
            ps.add(a, b, 0, "neg_shared_generic")

    # ---- negatives: random real-name pairs
    tries = 0
    while ps.count["neg_random"] < CAPS["neg_random"] and tries < 50_000:
        tries += 1
        a, b = rng.sample(bases, 2)
        if safe_negative(inv, a, b) and not_subset(a, b):
            ps.add(a, b, 0, "neg_random")

    # ---- negatives: different organisations sharing a distinctive word, each with a word
    # the other lacks ('ChangXin Memory Technologies' / 'Yangtze Memory Technologies'): a
    # substitution, not an omission. Real pairs first (hardest first, as above), then one
    # word of a short real name swapped for another organisation's distinctive word
    # ('Huawei Cloud' -> 'Tencent Cloud'). A separate random stream, so that the kinds above
    # are the same with or without this one.
    sub_rng = random.Random(rng.getrandbits(64))
    by_word: dict[str, list[str]] = defaultdict(list)
    for n in latin:
        for t in word_profile(n, generic)[1]:
            by_word[t].append(n)
    order = latin[:]
    sub_rng.shuffle(order)
    per_name = 2
    for a in order:
        if ps.count["neg_shared_word"] >= SHARED_WORD_REAL:
            break
        cand = sorted({b for t in word_profile(a, generic)[1] for b in by_word[t] if b != a})
        scored = []
        for b in cand:
            if not substituted(a, b, generic) or not not_subset(a, b):
                continue
            if not safe_negative(inv, a, b):
                continue
            scored.append((fuzz.token_sort_ratio(fold(a), fold(b)), b))
        scored.sort(key=lambda t: (-t[0], t[1]))
        top = [b for _, b in scored[:6]]
        sub_rng.shuffle(top)
        for b in top[:per_name]:
            if ps.count["neg_shared_word"] >= SHARED_WORD_REAL:
                break
            ps.add(a, b, 0, "neg_shared_word")
    pool = sorted(
        {
            t
            for n in latin
            if len(word_profile(n, generic)[0]) <= 4
            for t in word_profile(n, generic)[1]
            if t.isalpha() and 4 <= len(t) <= 12 and (t,) not in LOC_KIND
        }
    )
    order = [n for n in latin for _ in range(SWAPS_PER_NAME)]
    sub_rng.shuffle(order)
    for base in order:
        if ps.count["neg_shared_word"] >= CAPS["neg_shared_word"]:
            break
        other = swap_word(base, sub_rng, pool, generic)
        if not other or fold(other) == fold(base) or not substituted(other, base, generic):
            continue
        owner = key_owner.get(core_key(other))
        if owner is None:
            ps.add(other, base, 0, "neg_shared_word")
        elif owner != inv.group(base):  # the swapped name is a real organisation
            same = [n for n in inv.group_names[owner] if core_key(n) == core_key(other)]
            real_name = same[0] if same else inv.group_names[owner][0]
            if real_name in name_set and safe_negative(inv, real_name, base):
                ps.add(real_name, base, 0, "neg_shared_word")
    return ps.pairs


def write_pairs(path: Path, pairs: Iterable[Pair]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        for p in pairs:
            w.writerow(p.row())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--sample", type=int, default=300, help="pairs in tests/fixtures sample")
    ap.add_argument(
        "--sample-out", type=Path, default=HERE.parents[1] / "tests" / "fixtures" / "matching"
    )
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        print(f"shared data not found at {SHARED} (set DERISK_SHARED_DATA)", file=sys.stderr)
        return 2
    inv = build_inventory(SHARED)
    rng = random.Random(args.seed)
    sides = split_families(inv, rng)
    by_side: dict[str, list[str]] = {"dev": [], "test": []}
    for n in inv.names:
        by_side[sides[inv.fam(n)]].append(n)
    out: dict[str, list[Pair]] = {}
    used: set[str] = set()
    for side in ("dev", "test"):
        pairs = make_split(inv, by_side[side], random.Random(f"{args.seed}-{side}"), used)
        used |= {fold(p.name1) for p in pairs} | {fold(p.name2) for p in pairs}
        random.Random(f"{args.seed}-{side}-order").shuffle(pairs)
        out[side] = pairs
        write_pairs(args.out / f"pairs_{side}.csv", pairs)
    # the held-out property: no organisation (family) in both splits
    dev_fams = {inv.fam(p.name2) for p in out["dev"]}
    test_fams = {inv.fam(p.name2) for p in out["test"]}
    assert not dev_fams & test_fams, "a family is in both splits"
    dev_bases = {fold(p.name2) for p in out["dev"]} | {fold(p.name1) for p in out["dev"]}
    test_bases = {fold(p.name2) for p in out["test"]} | {fold(p.name1) for p in out["test"]}
    overlap = dev_bases & test_bases
    if args.sample:
        sample = sample_pairs(out["dev"], args.sample, random.Random(f"{args.seed}-sample"))
        args.sample_out.mkdir(parents=True, exist_ok=True)
        write_pairs(args.sample_out / "pairs_sample.csv", sample)
    print(
        f"names {len(inv.names)}  organisations {len(inv.group_names)}  "
        f"strings in both splits {len(overlap)}"
    )
    kinds = sorted({p.kind for side in out.values() for p in side})
    print(f"{'kind':24} {'label':>5} {'dev':>6} {'test':>6}")
    for kind in kinds:
        label = next(p.label for side in out.values() for p in side if p.kind == kind)
        counts = [sum(p.kind == kind for p in out[s]) for s in ("dev", "test")]
        print(f"{kind:24} {label:>5} {counts[0]:>6} {counts[1]:>6}")
    for side in ("dev", "test"):
        pos = sum(p.label for p in out[side])
        print(f"{side}: {len(out[side])} pairs, {pos} positive ({pos / len(out[side]):.0%})")
    return 0


def sample_pairs(pairs: list[Pair], n: int, rng: random.Random) -> list[Pair]:
    """About n pairs, every kind represented, proportional otherwise."""
    by_kind: dict[str, list[Pair]] = defaultdict(list)
    for p in pairs:
        by_kind[p.kind].append(p)
    out: list[Pair] = []
    for kind in sorted(by_kind):
        items = by_kind[kind]
        k = max(4, round(n * len(items) / len(pairs)))
        out.extend(rng.sample(items, min(k, len(items))))
    rng.shuffle(out)
    return out[:n] if len(out) > n else out


if __name__ == "__main__":
    sys.exit(main())
