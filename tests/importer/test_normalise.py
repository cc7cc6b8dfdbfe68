"""Normalising legacy values: dates in several notations, synonyms, commodity lists, columns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cadastre.importer import normalise as norm
from cadastre.importer.mapping import resolve

SYN = norm.load_synonyms()
TYPES = ("reconnaissance", "exploration", "artisanal", "small_scale", "large_scale")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-05-12", date(2023, 5, 12)),
        ("12/05/2023", date(2023, 5, 12)),
        ("12.05.2023", date(2023, 5, 12)),
        ("12 May 2023", date(2023, 5, 12)),
        ("12-May-2023", date(2023, 5, 12)),
        ("May 12, 2023", date(2023, 5, 12)),
        ("12th September 2021", date(2021, 9, 12)),
        (45058, date(2023, 5, 12)),
        ("45058", date(2023, 5, 12)),
        (45058.0, date(2023, 5, 12)),
        (datetime(2023, 5, 12, 9, 30), date(2023, 5, 12)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_notation(value, expected):
    assert norm.parse_date(value) == expected


@pytest.mark.parametrize(
    "value, words",
    [
        ("31/02/2023", "not a real date"),
        ("12 Mya 2023", "“Mya” is not a month name"),
        ("next week", "not a date in a known format"),
        (12, "falls outside 1950–2100"),
    ],
)
def test_bad_dates_are_named(value, words):
    with pytest.raises(ValueError, match=words):
        norm.parse_date(value)


def test_timestamps_keep_their_time_and_zone():
    assert norm.parse_timestamp("2021-01-10T08:15:00+00:00") == datetime(
        2021, 1, 10, 8, 15, tzinfo=UTC
    )
    assert norm.parse_timestamp("10/01/2021") == datetime(2021, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("EL", "exploration"),
        ("Exploration Licence", "exploration"),
        ("Artisanal Mining Licence", "artisanal"),
        ("small-scale", "small_scale"),
        ("SML", "small_scale"),
        ("Large-Scale Mining License", "large_scale"),
        ("large_scale", "large_scale"),
    ],
)
def test_licence_type_synonyms(value, expected):
    assert norm.licence_type(value, SYN, TYPES) == expected


def test_unknown_type_and_status_say_what_is_allowed():
    with pytest.raises(ValueError, match="“Quarry Permit” is not known; use one of reconnaissance"):
        norm.licence_type("Quarry Permit", SYN, TYPES)
    with pytest.raises(ValueError, match="“Zombie” is not known"):
        norm.status("Zombie", SYN, ("granted", "expired"))
    assert norm.status("Lapsed", SYN, ("granted", "expired")) == "expired"
    assert norm.status("in force", SYN, ("granted", "expired")) == "granted"


def test_commodities_split_and_normalised():
    assert norm.commodities("Diamonds, Gold & Iron Ore", SYN) == ["diamond", "gold", "iron_ore"]
    assert norm.commodities("Columbite-Tantalite; au", SYN) == ["coltan", "gold"]
    assert norm.commodities("", SYN) == []


def test_holder_kind_given_or_guessed():
    assert norm.holder_kind("Co-operative", "X", SYN) == ("cooperative", False)
    assert norm.holder_kind(None, "Tongo Diamonds Ltd", SYN) == ("company", True)
    assert norm.holder_kind(None, "Kono Miners Cooperative 4", SYN) == ("cooperative", True)
    assert norm.holder_kind(None, "Fatmata Kamara", SYN) == ("individual", True)
    with pytest.raises(ValueError, match="holder kind “trust” is not known"):
        norm.holder_kind("trust", "X", SYN)


def test_columns_matched_by_usual_names_and_shapefile_truncation():
    cols = ["Licence No.", "Company Name", "Reg. No", "Licence Type", "STATUS", "Minerals",
            "Date_of_ap", "Date Granted", "Expiry_Dat", "lon_1", "lat_1", "lon_2", "lat_2",
            "lon_3", "lat_3", "Remarks"]  # fmt: skip
    m = resolve(cols)
    assert m.columns["code"] == "Licence No."
    assert m.columns["holder"] == "Company Name"
    assert m.columns["holder_registration"] == "Reg. No"
    assert m.columns["received_at"] == "Date_of_ap"
    assert m.columns["granted_at"] == "Date Granted"
    assert m.columns["expires_at"] == "Expiry_Dat"
    assert m.corner_pairs == [("lon_1", "lat_1"), ("lon_2", "lat_2"), ("lon_3", "lat_3")]
    assert m.corner_notation == "dd"
    assert m.unused == ["Remarks"]
