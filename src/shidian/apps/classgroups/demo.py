"""A demo class for the class tool: 七年级（1）班, 45 fictional pupils with Chinese and maths
scores and two pairs kept apart, grouped in sixes for one teacher. Deterministic (a fixed seed);
a second load changes nothing."""

from __future__ import annotations

import random
from typing import Any

from shidian.apps.classgroups import services
from shidian.apps.classgroups.models import ClassList

CLASS_NAME = "七年级（1）班"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = "子涵浩然欣怡宇轩梓萱俊杰雨桐思远佳琪明轩诗雨博文若曦一诺嘉怡天佑语嫣"


def class_csv(n: int = 45, seed: int = 2021) -> bytes:
    rng = random.Random(seed)
    lines = ["姓名,性别,语文,数学,排斥"]
    names = []
    for i in range(n):
        given = GIVEN[(2 * i) % len(GIVEN)] + GIVEN[(7 * i + 3) % len(GIVEN)]
        names.append(SURNAMES[i % len(SURNAMES)] + given)
    # Two pairs the teacher keeps apart (the last column names the other pupil).
    apart = {3: names[17], 10: names[29]}
    for i, name in enumerate(names):
        gender = "男" if rng.random() < 0.5 else "女"
        lines.append(
            f"{name},{gender},{rng.randint(58, 99)},{rng.randint(45, 100)},{apart.get(i, '')}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def load_demo(*, teacher: Any) -> dict[str, int]:
    if teacher is None or teacher.unit_id is None:
        return {"class_lists": 0}
    if ClassList.objects.filter(unit_id=teacher.unit_id).exists():  # scoping: ok demo
        return {"class_lists": 0}
    parsed = services.parse_upload(class_csv(), "七年级1班.csv")
    services.class_list_create(by=teacher, name=CLASS_NAME, group_size=6, parsed=parsed, seed=2021)
    return {"class_lists": 1}
