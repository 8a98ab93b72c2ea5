"""Header recognition and the synonym data file."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from derisk.errors import DeriskError, ErrorCode
from derisk.inventory.columns import map_headers, normalise_label, parse_vocabulary


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (" Part-No. ", "partno"),
        ("Asset_ID", "assetid"),
        ("VENDOR NAME", "vendorname"),
        ("\ufeffVendor", "vendor"),
        ("Ｖｅｎｄｏｒ", "vendor"),  # full-width letters
        ("供应商", "供应商"),
        ("HERSTELLER", "hersteller"),
    ],
)
def test_normalise_label(header: str, expected: str) -> None:
    assert normalise_label(header) == expected


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Vendor", "vendor"),
        ("manufacturer", "vendor"),
        ("Supplier", "vendor"),
        ("Make", "vendor"),
        ("Brand", "vendor"),
        ("OEM", "vendor"),
        ("Vendor Name", "vendor"),
        ("Manufacturer_Name", "vendor"),
        ("供应商", "vendor"),
        ("厂商", "vendor"),
        ("制造商", "vendor"),
        ("Hersteller", "vendor"),
        ("Lieferant", "vendor"),
        ("Part Number", "model"),
        ("Part No", "model"),
        ("PN", "model"),
        ("SKU", "model"),
        ("Model Number", "model"),
        ("型号", "model"),
        ("Desc", "description"),
        ("Item Description", "description"),
        ("Details", "description"),
        ("Asset ID", "record_id"),
        ("asset-tag", "record_id"),
        ("Record ID", "record_id"),
        ("Inventory ID", "record_id"),
        ("Qty", "quantity"),
        ("Site ID", "site"),
        ("Facility", "site"),
        ("Country Code", "country"),
        ("ISO Country", "country"),
        ("Network Domain", "domain"),
        ("Install Date", "installed"),
        ("Installation Date", "installed"),
        ("Unit Cost", "unit_cost"),
        ("unit_price", "unit_cost"),
        ("CCY", "currency"),
        ("Tech", "technology"),
        ("RAT", "technology"),
        ("Item Type", "kind"),
    ],
)
def test_synonyms(header: str, column: str) -> None:
    mapped = map_headers(["Vendor", header] if column != "vendor" else [header], file="f")
    assert mapped.names[column] == header


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Name", "vendor"),
        ("Company", "vendor"),
        ("Product", "model"),
        ("Item", "description"),
        ("Serial Number", "record_id"),
        ("Line", "record_id"),
        ("Count", "quantity"),
        ("Units", "quantity"),
        ("Location", "site"),
        ("Layer", "domain"),
        ("Segment", "domain"),
        ("Deployed", "installed"),
        ("Commissioned", "installed"),
        ("Cost", "unit_cost"),
        ("Price", "unit_cost"),
        ("Generation", "technology"),
        ("Type", "kind"),
        ("Category", "kind"),
    ],
)
def test_weak_synonyms_apply_alone(header: str, column: str) -> None:
    headers = ["Vendor", header] if column != "vendor" else [header]
    assert map_headers(headers, file="f").names[column] == header


def test_weak_synonym_is_ignored_next_to_a_name() -> None:
    mapped = map_headers(["Serial Number", "Asset ID", "Vendor", "Price", "Unit Cost"], file="f")
    assert mapped.positions == {"record_id": 1, "vendor": 2, "unit_cost": 4}
    assert mapped.ignored == ["Serial Number", "Price"]


def test_two_weak_synonyms_conflict() -> None:
    with pytest.raises(DeriskError) as caught:
        map_headers(["Vendor", "Type", "Category"], file="f", row=3)
    assert caught.value.code is ErrorCode.INPUT_DUPLICATE_COLUMN
    assert caught.value.row == 3
    assert "'Type' and 'Category'" in caught.value.message


def test_empty_headers_are_not_listed_as_ignored() -> None:
    mapped = map_headers(["Vendor", "", "  ", "Notes"], file="f")
    assert mapped.ignored == ["Notes"]


def bundled() -> dict[str, Any]:
    text = (resources.files("derisk") / "data" / "inventory_columns.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_bundled_vocabulary_is_valid() -> None:
    voc = parse_vocabulary(bundled(), source="inventory_columns.yaml")
    assert voc.names["vendor"] == "vendor"
    assert voc.weak["name"] == "vendor"
    assert voc.values["domain"]["ran"] == "ran"
    assert voc.values["technology"]["lte"] == "4g"


def invalid(data: dict[str, Any]) -> str:
    with pytest.raises(DeriskError) as caught:
        parse_vocabulary(data, source="x.yaml")
    assert caught.value.code is ErrorCode.KB_INVALID
    return caught.value.message


def test_synonym_under_two_columns_is_rejected() -> None:
    data = bundled()
    data["columns"]["model"]["names"].append("Manufacturer")
    assert "'Manufacturer' is listed twice" in invalid(data)


def test_missing_column_is_rejected() -> None:
    data = bundled()
    del data["columns"]["currency"]
    assert "columns" in invalid(data)


def test_value_spelling_for_two_values_is_rejected() -> None:
    data = bundled()
    data["values"]["domain"]["core"].append("radio")
    assert "'radio'" in invalid(data)


def test_unknown_domain_value_is_rejected() -> None:
    data = bundled()
    data["values"]["domain"]["space"] = []
    assert "values.domain" in invalid(data)


def test_unknown_key_is_rejected() -> None:
    data = bundled()
    data["columns"]["vendor"]["strong"] = ["x"]
    invalid(data)
