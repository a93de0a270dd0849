"""Importing 10,000 units from XLSX: time of the dry run (read, check, plan) and of the apply,
then the re-import of the same file (must plan 0 created, 0 changed).

    SHIDIAN_DATA_DIR=/tmp/orgs-import-bench python bench/orgs_import_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shidian_import_bench python bench/...

Starts from an empty tree each run (the county and everything below it are deleted first).
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from shidian.apps.accounts.models import User  # noqa: E402
from shidian.apps.orgs.imports import import_apply, import_preview  # noqa: E402
from shidian.apps.orgs.models import ImportBatch, Level, OrgUnit  # noqa: E402
from shidian.apps.orgs.services import unit_create  # noqa: E402

ROWS = 10_000
HEADER = ["代码", "名称", "上级代码", "层级", "学校类型", "城乡", "片区", "地址", "纬度", "经度"]
HEADER += ["学生数", "教师数", "班级数", "教室数"]


def workbook(county: str) -> bytes:
    rng = random.Random(3)
    book = Workbook(write_only=True)
    ws = book.create_sheet("单位")
    ws.append(HEADER)
    zones = [f"BZ{z:02d}" for z in range(40)]
    rows = [[z, f"片区{z}", county, "片区", "", "", "", "", "", "", "", "", "", ""] for z in zones]
    types = ["小学", "教学点", "初中", "高中", "幼儿园", "九年制"]
    for i in range(ROWS - len(zones)):
        zone = zones[i % len(zones)]
        students = rng.randint(10, 2500)
        rows.append(
            [
                f"BS{i:05d}",
                f"学校{i:05d}",
                zone,
                "学校",
                rng.choice(types),
                rng.choice(["城区", "镇区", "乡村"]),
                zone,
                f"某路{i}号",
                round(29 + rng.random(), 6),
                round(104 + rng.random(), 6),
                students,
                max(1, students // 14),
                max(1, students // 40),
                max(1, students // 38),
            ]
        )
    rng.shuffle(rows)  # parents after children in places: the import orders them itself
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    print(f"{label:40s} {time.perf_counter() - start:7.2f} s", flush=True)
    return value


def main() -> None:
    call_command("migrate", verbosity=0)
    old = OrgUnit.objects.filter(code="BENCH-C").first()
    if old:
        ImportBatch.objects.all().delete()
        User.objects.filter(username="bench-office").delete()
        for depth in range(8, old.depth - 1, -1):
            OrgUnit.objects.subtree(old).filter(depth=depth).delete()
    province = OrgUnit.objects.filter(code="BENCH-P").first() or unit_create(
        code="BENCH-P", name="基准省", level=Level.PROVINCE
    )
    county = unit_create(code="BENCH-C", name="基准县", level=Level.COUNTY, parent=province)
    user = User.objects.create_user(username="bench-office", unit=county, role="office")
    data = workbook(county.code)
    print(f"database: {connection.vendor}; file: {ROWS:,} rows, {len(data) / 2**20:.2f} MB")
    batch = timed(
        "dry run (read + check + plan)",
        lambda: import_preview(actor=user, filename="bench.xlsx", data=data),
    )
    print(f"  plan: {batch.notes['counts']}")
    result = timed("apply (one transaction)", lambda: import_apply(batch=batch, actor=user))
    print(f"  result: {result}")
    again = timed(
        "re-import dry run", lambda: import_preview(actor=user, filename="bench.xlsx", data=data)
    )
    print(f"  plan: {again.notes['counts']}")


if __name__ == "__main__":
    main()
