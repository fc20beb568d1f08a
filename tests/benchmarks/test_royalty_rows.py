"""royalty_run's bulk loader fills tables by column name, whatever columns a migration adds."""

from __future__ import annotations

import pytest
from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, false

from benchmarks.royalty_run import SMOKE, Rows, catalog_rows, completed, named


def test_rows_are_built_by_column_name() -> None:
    rows = named("work", [{"title": "T", "id": "w1", "iswc": "T-1"}])
    assert rows.columns == ("title", "id", "iswc")
    assert list(rows.rows) == [("T", "w1", "T-1")]


def test_every_catalog_table_is_complete_as_built() -> None:
    for rows in catalog_rows(SMOKE):
        assert completed(rows).columns == rows.columns, rows.table


def test_a_column_it_does_not_fill_gets_its_default_or_null_or_stops_the_load() -> None:
    schema = MetaData()
    Table("thing", schema, Column("id", String, primary_key=True), Column("note", String, nullable=True),
          Column("flag", Boolean, nullable=False, server_default=false()),
          Column("weight", Integer, nullable=False, default=7),
          Column("serial", Integer, nullable=False, server_default="0"))
    rows = completed(Rows("thing", ("id",), [("a",), ("b",)]), schema)
    assert rows.columns == ("id", "weight")  # note: NULL; flag and serial: the database's defaults
    assert list(rows.rows) == [("a", 7), ("b", 7)]

    Table("strict", schema, Column("id", String, primary_key=True), Column("size", Integer, nullable=False))
    with pytest.raises(SystemExit, match=r"strict\.size is NOT NULL"):
        completed(Rows("strict", ("id",), [("a",)]), schema)
    with pytest.raises(SystemExit, match="strict has no column colour"):
        completed(Rows("strict", ("id", "size", "colour"), [("a", 1, "red")]), schema)
