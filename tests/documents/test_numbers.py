"""Document numbers: per issuing unit and year, no gaps or duplicates under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from shidian.apps.documents.services import number_allocate


@pytest.mark.django_db
def test_sequence_per_unit_prefix_and_year(tree):
    with transaction.atomic():
        a = [number_allocate(unit=tree.county, prefix="蒲教发", year=2021) for _ in range(3)]
        b = number_allocate(unit=tree.county, prefix="蒲教发", year=2022)
        c = number_allocate(unit=tree.other_county, prefix="蒲教发", year=2021)
    assert a == [1, 2, 3] and b == 1 and c == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_is_refused(tree):
    with pytest.raises(RuntimeError):
        number_allocate(unit=tree.county, prefix="x", year=2021)


@pytest.mark.django_db(transaction=True)
def test_two_threads_get_distinct_consecutive_numbers(tree):
    if connection.vendor != "postgresql":
        # SQLite has no row locks: every write transaction starts with BEGIN IMMEDIATE, which
        # takes the database's write lock, so two allocations can never interleave.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
        return
    got: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait()
            for _ in range(10):
                with transaction.atomic():
                    got.append(number_allocate(unit=tree.county, prefix="蒲教发", year=2021))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == list(range(1, 21))
