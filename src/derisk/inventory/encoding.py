"""Decode the bytes of a text inventory (CSV, JSON lines).

Order: an ``encoding=`` the user forces; else a byte-order mark (UTF-8, UTF-16, UTF-32); else
strict UTF-8; else a legacy code page, accepted only when unambiguous (see :func:`_legacy`).
A wrong guess garbles vendor names and silently loses matches, so derisk refuses rather than
guesses: the error says the file is not UTF-8 and suggests ``--encoding``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

from charset_normalizer import from_bytes

from derisk.errors import DeriskError, ErrorCode

__all__ = ["Decoded", "check_encoding", "decode"]

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy code pages considered when a file is not UTF-8, in order of preference when two of
# them decode a file to the same text (cp1252 is a superset of Latin-1's printable range;
# gb18030 of GBK; cp932 is Windows Shift-JIS; cp949 is Windows EUC-KR).
_LEGACY = ("cp1252", "cp1250", "cp1251", "gb18030", "big5", "cp932", "cp949")
# A candidate is as plausible as the best one when its "chaos" (charset-normalizer's measure
# of how garbled the decoded text looks, 0..1) is at most this much higher.
_CHAOS_MARGIN = 0.05
# C0 controls other than tab/CR/LF, and C1 controls: never in a real inventory.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_ASCII_BYTES = bytes(range(128, 256))
# GBK or Big5 bytes read as Shift-JIS turn into runs of half-width katakana (U+FF61-FF9F).
_HALF_WIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_CHINESE_OR_KOREAN = ("gb18030", "big5", "cp949")
_HINT = "pass --encoding with the file's encoding (e.g. cp1252, gb18030, big5, shift_jis)"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # codec name as Python spells it: "utf-8", "utf-16", "gb18030", ...


def check_encoding(name: str) -> str:
    """Python's name for a text encoding the user named; DR202 when there is none."""
    try:
        "".encode(name)  # also rejects codecs that are not text encodings (base64, ...)
        return codecs.lookup(name).name
    except LookupError:
        raise DeriskError(
            ErrorCode.ARGUMENT_INVALID, f"unknown text encoding '{name}' (--encoding)"
        ) from None


def decode(
    data: bytes, *, file: str, forced: str | None, header_ok: Callable[[str], bool]
) -> Decoded:
    """Decode ``data``; ``header_ok`` tells whether text has a recognisable vendor column."""
    if forced is not None:
        name = check_encoding(forced)
        if name == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        result = Decoded(_strict(data, name, file, _HINT), name)
    elif bom := next((codec for mark, codec in _BOMS if data.startswith(mark)), None):
        result = Decoded(_strict(data, bom, file, "the byte-order mark says " + bom), bom)
    else:
        try:
            result = Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError as exc:
            result = _legacy(data, exc, file, header_ok)
    text = result.text.removeprefix("\ufeff")
    if (nul := text.find("\x00")) >= 0:
        raise DeriskError(
            ErrorCode.INPUT_ENCODING,
            f"the text contains NUL characters (decoded as {result.encoding}): the file is "
            "binary, or UTF-16/UTF-32 without a byte-order mark (try --encoding utf-16-le)",
            file=file,
            row=text.count("\n", 0, nul) + 1,
        )
    return Decoded(text, result.encoding)


def _line_of(data: bytes, offset: int, codec: str) -> int:
    return data[:offset].decode(codec, errors="replace").count("\n") + 1


def _strict(data: bytes, codec: str, file: str, hint: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.end].hex(" ")
        raise DeriskError(
            ErrorCode.INPUT_ENCODING,
            f"cannot decode as {codec}: bytes {bad} at byte offset {exc.start} ({hint})",
            file=file,
            row=_line_of(data, exc.start, codec),
        ) from None


def _legacy(
    data: bytes, error: UnicodeDecodeError, file: str, header_ok: Callable[[str], bool]
) -> Decoded:
    """The one legacy decoding that charset-normalizer and the header agree on, else DR103.

    A file that is mostly valid UTF-8 is refused first: it mixes encodings, and any single
    code page would garble its UTF-8 part. Otherwise every candidate about as plausible as
    charset-normalizer's best is decoded in full; those that fail, produce control characters
    or lose the vendor column are dropped, and so is a Shift-JIS reading that is half-width
    katakana garble of Chinese. The file is accepted only when all survivors give the same
    text (cp1252 and cp1250 agree on "é", not on "ñ").
    """
    if _mostly_utf8(data):
        raise DeriskError(
            ErrorCode.INPUT_ENCODING,
            f"mostly UTF-8 text, but the bytes {data[error.start : error.end].hex(' ')} at byte "
            f"offset {error.start} are not UTF-8: the file mixes encodings; correct that line "
            "or save the file again as UTF-8",
            file=file,
            row=_line_of(data, error.start, "utf-8"),
        )
    matches = from_bytes(data, cp_isolation=list(_LEGACY))
    best = matches.best()
    plausible = [m for m in matches if best and m.chaos <= best.chaos + _CHAOS_MARGIN]
    names = {n for m in plausible for n in (m.encoding, *m.could_be_from_charset)}
    texts: dict[str, list[str]] = {}
    for name in sorted(names & set(_LEGACY), key=_LEGACY.index):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if header_ok(text) and not _CONTROLS.search(text):
            texts.setdefault(text, []).append(name)
    texts = _without_kana_misreading(texts)
    if len(texts) == 1:
        ((text, agreeing),) = texts.items()
        return Decoded(text, agreeing[0])
    bad = data[error.start : error.end].hex(" ")
    if texts:
        options = [group[0] for group in texts.values()]
        guess = f"it could be {' or '.join(options)}, which read it differently"
        hint = f"pass --encoding {' or --encoding '.join(options)}, whichever it was saved in"
    else:
        guess = "no common encoding reads it with a recognisable vendor column"
        hint = _HINT
    raise DeriskError(
        ErrorCode.INPUT_ENCODING,
        f"not UTF-8 text (bytes {bad} at byte offset {error.start} are not valid UTF-8) and "
        f"{guess}; {hint}",
        file=file,
        row=_line_of(data, error.start, "utf-8"),
    )


def _mostly_utf8(data: bytes) -> bool:
    """More valid UTF-8 non-ASCII characters than invalid bytes: UTF-8 with a foreign patch.

    A file really in a legacy encoding forms valid UTF-8 sequences only by accident (GBK does
    now and then), so its invalid bytes far outnumber them.
    """
    valid_text = data.decode("utf-8", errors="ignore")  # drops each invalid byte
    invalid = len(data.decode("utf-8", errors="surrogateescape")) - len(valid_text)
    ascii_bytes = len(data.translate(None, _NON_ASCII_BYTES))
    return len(valid_text) - ascii_bytes > invalid


def _without_kana_misreading(texts: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop a cp932 reading made mostly of half-width katakana when GBK, Big5 or cp949 fits.

    Modern Japanese text rarely uses half-width katakana, while Chinese text misread as
    Shift-JIS is full of it; charset-normalizer rates that garble nearly as plausible.
    """
    if not any(name in _CHINESE_OR_KOREAN for names in texts.values() for name in names):
        return texts
    return {t: names for t, names in texts.items() if "cp932" not in names or not _kana(t)}


def _kana(text: str, sample: int = 1 << 20) -> bool:
    """Whether half-width katakana are most of the non-ASCII characters (in the first MiB)."""
    text = text[:sample]
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    return len(_HALF_WIDTH_KANA.findall(text)) * 2 > non_ascii
