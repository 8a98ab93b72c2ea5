"""Text encodings: byte-order marks, UTF-8, legacy code pages, forced encodings."""

from __future__ import annotations

from pathlib import Path

import pytest

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory import read_inventory

FIXTURES = Path(__file__).parent.parent / "fixtures" / "inventory"


def fail(path: Path, **kwargs: str) -> DeriskError:
    with pytest.raises(DeriskError) as caught:
        read_inventory(path, **kwargs)
    return caught.value


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_bom_is_not_part_of_the_first_header() -> None:
    inv = read_inventory(FIXTURES / "utf8_bom.csv")
    assert inv.encoding == "utf-8-sig"
    assert inv.columns["vendor"] == "Vendor"
    assert inv.table.column("vendor").to_pylist() == ["Huawei", "ZTE"]


def test_utf16_with_bom_tab_separated() -> None:
    inv = read_inventory(FIXTURES / "utf16.txt")
    assert inv.encoding == "utf-16"
    assert inv.table.column("vendor").to_pylist() == ["Huawei", "中兴通讯"]
    assert inv.table.column("site").to_pylist() == ["São Paulo", "Shenzhen"]


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-32-le", "utf-32-be"])
def test_other_byte_order_marks(tmp_path: Path, codec: str) -> None:
    path = put(tmp_path, "a.csv", "\ufeffvendor,site\nHuawei,Zürich\n".encode(codec))
    inv = read_inventory(path)
    assert inv.encoding == codec[:6]
    assert inv.table.column("site").to_pylist() == ["Zürich"]


def test_gbk_detected() -> None:
    inv = read_inventory(FIXTURES / "gbk.csv")
    assert inv.encoding == "gb18030"
    assert inv.columns == {"record_id": "编号", "vendor": "供应商", "model": "型号", "site": "站点"}
    assert inv.table.column("vendor").to_pylist() == [
        "华为技术有限公司",
        "中兴通讯股份有限公司",
        "烽火通信科技股份有限公司",
    ]
    assert inv.table.column("site").to_pylist() == ["北京", "上海", "武汉"]


def test_latin1_detected_as_cp1252() -> None:
    inv = read_inventory(FIXTURES / "latin1.csv")
    assert inv.encoding == "cp1252"
    assert inv.table.column("vendor").to_pylist() == ["Télécom Équipement", "Ericsson"]
    assert inv.table.column("site").to_pylist() == ["Paris", "Göteborg"]
    assert inv.table.column("description").to_pylist() == ["Commutateur réseau", "Radio"]


def test_forced_latin1() -> None:
    inv = read_inventory(FIXTURES / "latin1.csv", encoding="latin-1")
    assert inv.encoding == "iso8859-1"
    assert inv.table.column("vendor").to_pylist() == ["Télécom Équipement", "Ericsson"]


def test_forced_gbk() -> None:
    inv = read_inventory(FIXTURES / "gbk.csv", encoding="GBK")
    assert inv.encoding == "gbk"
    assert inv.table.column("vendor").to_pylist()[0] == "华为技术有限公司"


def test_ambiguous_legacy_encoding_is_refused() -> None:
    err = fail(FIXTURES / "spanish_ambiguous.csv")
    assert err.code is ErrorCode.INPUT_ENCODING
    assert err.row == 2
    assert "not UTF-8" in err.message
    assert "--encoding cp1252 or --encoding cp1250" in err.message


def test_ambiguous_file_reads_with_forced_encoding() -> None:
    inv = read_inventory(FIXTURES / "spanish_ambiguous.csv", encoding="cp1252")
    assert inv.table.column("vendor").to_pylist() == ["Telefónica España", "Huawei"]
    assert inv.table.column("site").to_pylist() == ["Madrid", "A Coruña"]


def test_utf8_with_a_patch_of_cp1252_is_refused(tmp_path: Path) -> None:
    data = "vendor,site\nTélécom,Zürich\nHuawei,Düsseldorf\n".encode() + "ZTE,Sèvres\n".encode(
        "cp1252"
    )
    err = fail(put(tmp_path, "a.csv", data))
    assert err.code is ErrorCode.INPUT_ENCODING
    assert err.row == 4
    assert "mixes encodings" in err.message


def test_forced_encoding_that_does_not_fit(tmp_path: Path) -> None:
    data = b"vendor\nHuawei\nZTE\xff\xfe\n"
    err = fail(put(tmp_path, "a.csv", data), encoding="utf-8")
    assert err.code is ErrorCode.INPUT_ENCODING
    assert err.row == 3
    assert "bytes ff at byte offset 17" in err.message


def test_unknown_encoding_name(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.csv", b"vendor\nX\n"), encoding="klingon-8")
    assert err.code is ErrorCode.ARGUMENT_INVALID
    assert "klingon-8" in err.message


def test_codec_that_is_not_a_text_encoding(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.csv", b"vendor\nX\n"), encoding="base64")
    assert err.code is ErrorCode.ARGUMENT_INVALID


def test_utf16_without_bom_is_reported_as_nul_bytes(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.csv", "vendor\nHuawei\n".encode("utf-16-le")))
    assert err.code is ErrorCode.INPUT_ENCODING
    assert "NUL" in err.message and "utf-16-le" in err.message


def test_utf16_without_bom_reads_when_forced(tmp_path: Path) -> None:
    path = put(tmp_path, "a.csv", "vendor\nHuawei\n".encode("utf-16-le"))
    assert read_inventory(path, encoding="utf-16-le").table.column("vendor").to_pylist() == [
        "Huawei"
    ]


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.csv", bytes(range(256)) * 4))
    assert err.code is ErrorCode.INPUT_ENCODING


def test_undecodable_without_vendor_header(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.csv", "Gerät,Standort\nX,Köln\n".encode("cp1252")))
    assert err.code is ErrorCode.INPUT_ENCODING
    assert "recognisable vendor column" in err.message


def test_encoding_argument_on_xlsx(tmp_path: Path) -> None:
    err = fail(put(tmp_path, "a.xlsx", b"whatever"), encoding="utf-8")
    assert err.code is ErrorCode.ARGUMENT_INVALID


def test_big5_detected(tmp_path: Path) -> None:
    path = put(tmp_path, "a.csv", "vendor,model\n華為技術有限公司,X\n中興通訊,Y\n".encode("big5"))
    inv = read_inventory(path)
    assert inv.encoding == "big5"
    assert inv.table.column("vendor").to_pylist() == ["華為技術有限公司", "中興通訊"]


def test_shift_jis_detected(tmp_path: Path) -> None:
    text = "vendor,model\n富士通株式会社,X\n日本電気株式会社,Y\n"
    inv = read_inventory(put(tmp_path, "a.csv", text.encode("shift_jis")))
    assert inv.encoding == "cp932"
    assert inv.table.column("vendor").to_pylist() == ["富士通株式会社", "日本電気株式会社"]


def test_gbk_with_two_repeated_names_is_not_read_as_shift_jis(tmp_path: Path) -> None:
    # Read as Shift-JIS these bytes are half-width katakana, which charset-normalizer rates
    # almost as plausible as the Chinese.
    rows = [
        f"{i},{'华为技术有限公司' if i % 2 else '中兴通讯股份有限公司'},M{i}" for i in range(300)
    ]
    path = put(tmp_path, "a.csv", "\n".join(["id,vendor,model", *rows]).encode("gbk"))
    inv = read_inventory(path)
    assert inv.encoding == "gb18030"
    assert inv.table.column("vendor").to_pylist()[:2] == [
        "中兴通讯股份有限公司",
        "华为技术有限公司",
    ]
