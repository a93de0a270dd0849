"""Larger trees for indicator tests: the prefecture's coverage figures, built in bulk."""

from __future__ import annotations


def prefecture(tree):
    """Under county A's zone: 548 primary schools (371 with fibre), 136 junior high schools
    (129 with fibre), 21 senior high (21), 506 teaching points (50); classrooms 9,891 of which
    7,188 multimedia. Inserted with bulk_create and paths computed like orgs.services does."""
    from shidian.apps.orgs import paths
    from shidian.apps.orgs.models import Level, OrgUnit

    base = OrgUnit.objects.filter(parent=tree.zone).count() + 1  # scoping: ok test
    plan = [
        ("primary", 548, 371),
        ("junior_high", 136, 129),
        ("senior_high", 21, 21),
        ("teaching_point", 506, 50),
    ]
    rows = []
    n = base
    for school_type, total, fibre in plan:
        for i in range(total):
            rows.append(
                OrgUnit(
                    code=f"PF-{n}",
                    name=f"地区学校{n}",
                    level=Level.SCHOOL,
                    parent=tree.zone,
                    zone=tree.zone,
                    path=paths.child_path(tree.zone.path, n),
                    depth=tree.zone.depth + 1,
                    school_type=school_type,
                    locality="rural",
                    has_fibre=i < fibre,
                )
            )
            n += 1
    # 9,891 classrooms, 7,188 multimedia, spread over the first 1,000 new schools.
    for k, unit in enumerate(rows[:1000]):
        unit.classrooms = 9 + (1 if k < 891 else 0)  # 891*10 + 109*9 = 9,891
        unit.multimedia_classrooms = 7 + (1 if k < 188 else 0)  # 188*8 + 812*7 = 7,188
    OrgUnit.objects.bulk_create(rows)
    # The fixture tree's schools under the zone have no fibre or classroom data (not counted).
    return rows
