"""A class of pupils as CSV bytes, and a class list made from it."""

from __future__ import annotations

import random

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def class_csv(n: int = 45, *, apart: dict[int, int] | None = None, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    apart = apart or {}
    lines = ["姓名,性别,语文,数学,排斥"]
    for i in range(n):
        other = f"生{apart[i]:02d}{SURNAMES[apart[i] % 30]}" if i in apart else ""
        lines.append(
            f"生{i:02d}{SURNAMES[i % 30]},{'男' if i % 2 else '女'},"
            f"{rng.randint(50, 100)},{rng.randint(40, 100)},{other}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_class_list(user, n: int = 45, apart: dict[int, int] | None = None, size: int = 6):
    from shidian.apps.classgroups import services

    parsed = services.parse_upload(class_csv(n, apart=apart), "class.csv")
    return services.class_list_create(by=user, name="七年级一班", group_size=size, parsed=parsed)
