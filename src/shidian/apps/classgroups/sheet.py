"""Whether the stored seating PDF still shows the class's groups.

The PDF is made by a Run (jobs.make_sheet) and may lag behind the groups: a pupil moved or a
regroup after it was made. Rather than remember to clear it in every write that changes groups,
the sheet keeps a fingerprint of the groups it was drawn from; the page and the download compare
it with the groups now, so a sheet that no longer matches is never served.
"""

from __future__ import annotations

import hashlib
import json

from shidian.apps.classgroups.models import ClassList


def groups_fingerprint(class_list: ClassList) -> str:
    """A short hash of everything the seating sheet prints: name, and each pupil's seat."""
    rows = list(
        class_list.pupils.order_by("pk").values_list("pk", "name", "gender", "group", "seat")
    )
    data = json.dumps([class_list.name, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def sheet_is_fresh(class_list: ClassList) -> bool:
    return bool(class_list.sheet_pdf) and class_list.sheet_groups == groups_fingerprint(class_list)
