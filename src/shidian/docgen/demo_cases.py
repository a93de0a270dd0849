"""Generated demo cases (典型案例) with photos, for the demo booklet and the benchmark.

Deterministic: the same ``n`` gives the same text and the same images."""

from __future__ import annotations

import io
import random
from typing import Any

SCHOOLS = [
    "蒲阳县实验小学", "蒲阳县鹤山小学", "蒲阳县寿安中学", "蒲阳县大兴学校", "蒲阳县蒲阳中学",
    "蒲阳县西来小学", "蒲阳县成佳学校", "蒲阳县甘溪小学", "蒲阳县朝阳湖小学", "蒲阳县光明学校",
]  # fmt: skip
THEMES = [
    ("智慧课堂", "以数据驱动精准教学"), ("专递课堂", "让村小开齐开好国家课程"),
    ("教研共同体", "片区联动促进教师成长"), ("创客教育", "在项目中培养学生创新能力"),
    ("数字校园管理", "让数据多跑路、教师少跑腿"), ("家校共育", "用平台架起沟通的桥梁"),
]  # fmt: skip
SENTENCES = [
    "学校把智慧校园创建作为“一把手”工程，成立由校长任组长的工作小组，明确分工、责任到人。",
    "依托县级资源平台，教师每周开展一次基于数据的集体备课，课堂教学的针对性明显增强。",
    "学校建成录播教室和创新实验室，每学期面向片区学校开放展示课不少于十节。",
    "通过专递课堂，村小学生同步参加中心校的音乐、美术和英语课程，开课率达到百分之百。",
    "教师信息技术应用能力提升工程2.0培训全员参与，合格率达到百分之九十八。",
    "学校将学生成长数据纳入综合素质评价，家长可以随时了解孩子在校的学习和活动情况。",
    "在推进过程中也遇到了网络带宽不足、部分教师应用意愿不强等问题，学校通过分层培训逐步解决。",
    "下一步，学校将总结形成可复制的经验做法，通过结对帮扶带动片区内薄弱学校共同发展。",
]


def photo(seed: int, *, size: tuple[int, int] = (1200, 800)) -> bytes:
    """A JPEG "photo": a sky, a ground and a few buildings, varied by ``seed``."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    w, h = size
    img = Image.new("RGB", size, (120 + rng.randint(0, 60), 170, 220))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, int(h * 0.65), w, h], fill=(90, 140 + rng.randint(0, 40), 80))
    for _ in range(6):
        x = rng.randint(0, w - 200)
        bw, bh = rng.randint(120, 260), rng.randint(150, 380)
        top = int(h * 0.65) - bh
        colour = (rng.randint(150, 230), rng.randint(120, 200), rng.randint(100, 180))
        draw.rectangle([x, top, x + bw, int(h * 0.65)], fill=colour)
        for wx in range(x + 15, x + bw - 20, 40):
            for wy in range(top + 15, int(h * 0.65) - 25, 45):
                draw.rectangle([wx, wy, wx + 18, wy + 22], fill=(250, 250, 210))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def booklet_data(
    n_cases: int,
    *,
    photos_per_case: int = 2,
    paragraphs: int = 8,
    schools: list[str] | None = None,
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """(data, images) for a booklet of ``n_cases`` cases, each with text and photos. The cases
    come from ``schools`` in turn (the demo passes its county's units; default: SCHOOLS)."""
    schools = schools or SCHOOLS
    rng = random.Random(n_cases)
    chapters = []
    images: list[tuple[str, bytes]] = []
    for i in range(n_cases):
        school = schools[i % len(schools)]
        theme, motto = THEMES[i % len(THEMES)]
        body: list[Any] = []
        for section, heading in enumerate(["基本情况", "主要做法", "成效与经验"]):
            body.append({"heading": heading, "level": 1})
            for _ in range(max(1, paragraphs // 3)):
                body.append("".join(rng.sample(SENTENCES, 3)))
            if section < photos_per_case:
                name = f"case{i + 1:03d}-{section + 1}.jpg"
                images.append((name, photo(i * 10 + section)))
                body.append({"image": name, "caption": f"{school}{theme}活动", "width_mm": 110})
        for extra in range(3, photos_per_case):
            name = f"case{i + 1:03d}-{extra + 1}.jpg"
            images.append((name, photo(i * 10 + extra)))
            body.append({"image": name, "caption": f"{school}{theme}成果展示", "width_mm": 110})
        chapters.append({"title": f"{motto}——{school}{theme}案例", "author": school, "body": body})
    data = {
        "issuer": "蒲阳县教育局",
        "title": "蒲阳县智慧校园创建典型案例汇编",
        "subtitle": "（2021—2023年）",
        "date": "2023-06-30",
        "chapters": chapters,
    }
    return data, images
