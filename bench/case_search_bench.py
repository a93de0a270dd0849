"""Case library search over 10,000 published cases, on SQLite or PostgreSQL.

    python bench/case_search_bench.py [--database-url URL] [--workdir DIR] [--runs 15]

Builds once per database (reused on the next run): a county with 40 schools, a programme, and
10,000 cases of generated Chinese text (title, summary, a body of about 500 characters, made of
an education vocabulary drawn with a Zipf law so that some words are in most cases and others
in few), indexed with jieba as a published case is (``text.weighted_terms``), then the word
counts. Times ``selectors.search`` (what the library page calls: words, intersection, ranking,
access, the page's 20 cases) for a county office account and for a school's account, over
single- and multi-word queries (common, middling and rare words), printing the median and p95.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

N_CASES = 10_000
COUNTY = "CSB-A"
NAME = "案例检索基准项目"
WORDS = [
    "试点",
    "课堂",
    "教学",
    "学校",
    "教师",
    "学生",
    "评价",
    "改革",
    "智慧",
    "校园",
    "信息技术",
    "融合",
    "创新",
    "实践",
    "探索",
    "资源",
    "共享",
    "课程",
    "建设",
    "管理",
    "家长",
    "家校",
    "协同",
    "阅读",
    "写作",
    "数学",
    "思维",
    "科学",
    "实验",
    "劳动",
    "教育",
    "体育",
    "艺术",
    "心理",
    "健康",
    "作业",
    "设计",
    "分层",
    "项目式",
    "学习",
    "小组",
    "合作",
    "教研",
    "备课",
    "听课",
    "评课",
    "名师",
    "工作室",
    "青年",
    "培养",
    "乡村",
    "城区",
    "集团化",
    "办学",
    "共同体",
    "帮扶",
    "均衡",
    "发展",
    "质量",
    "提升",
    "数据",
    "分析",
    "平台",
    "应用",
    "数字化",
    "转型",
    "人工智能",
    "编程",
    "机器人",
    "创客",
    "空间",
    "图书馆",
    "社团",
    "活动",
    "课后",
    "服务",
    "延时",
    "托管",
    "安全",
    "文化",
    "德育",
    "班主任",
    "班级",
    "成长",
    "档案",
    "素养",
    "核心",
    "目标",
    "任务",
    "情境",
    "问题",
    "驱动",
    "跨学科",
    "主题",
    "单元",
    "整体",
    "大概念",
    "评价量表",
    "过程性",
    "增值",
    "诊断",
    "反馈",
    "改进",
    "机制",
    "制度",
    "保障",
    "经费",
    "设备",
    "网络",
    "终端",
    "录播",
    "直播",
    "双师",
    "同步",
    "专递",
    "课堂观察",
    "教学模式",
]  # noqa: SIM905
TAIL = "为 的 在 和 与 了 通过 围绕 推进 形成 开展 聚焦 依托 构建".split()  # noqa: SIM905
QUERIES = {
    "one common word (试点)": "试点",
    "one common word (课堂)": "课堂",
    "one middling word (项目式)": "项目式",
    "one rare word (专递)": "专递",
    "two common words": "课堂 教学",
    "two words, common + rare": "试点 录播",
    "three words": "智慧 课堂 评价",
    "four words": "学校 教师 学生 发展",
    "a phrase cut by jieba": "信息技术与课堂教学融合",
}


def setup(workdir: Path, database_url: str | None) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shidian.config.settings"
    os.environ["SHIDIAN_DATA_DIR"] = str(workdir)
    os.environ["SECRET_KEY"] = "shidian-case-bench-not-secret"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _sentence(rng: random.Random, weights: list[float], n: int) -> str:
    words = rng.choices(WORDS, weights=weights, k=n)
    glue = [w + (rng.choice(TAIL) if rng.random() < 0.3 else "") for w in words]
    return "".join(glue) + "。"


def ensure_world():
    from shidian.apps.accounts.models import User
    from shidian.apps.cases.models import Case, CaseTerm
    from shidian.apps.cases.services import case_fields, stats_rebuild
    from shidian.apps.cases.text import weighted_terms
    from shidian.apps.orgs.models import Level, OrgUnit, SchoolType
    from shidian.apps.orgs.services import unit_create
    from shidian.apps.programmes.models import Programme
    from shidian.apps.programmes.services import CycleInput, programme_create

    county = OrgUnit.objects.filter(code=COUNTY).first()
    if county is None:
        county = unit_create(code=COUNTY, name="基准县", level=Level.COUNTY)
        kinds = [SchoolType.PRIMARY, SchoolType.JUNIOR_HIGH, SchoolType.NINE_YEAR]
        for i in range(40):
            unit_create(
                code=f"{COUNTY}-{i:02d}", name=f"基准县第{i + 1}学校", level=Level.SCHOOL,
                parent=county, school_type=kinds[i % 3],
            )  # fmt: skip
    schools = list(OrgUnit.objects.filter(parent=county).order_by("code"))
    programme = Programme.objects.filter(unit=county, name=NAME).first()
    if programme is None:
        programme = programme_create(
            by=None, unit=county, name=NAME, start_year=2026, end_year=2028, scope_root=county,
            scope_levels=[Level.SCHOOL], cycles=[CycleInput(2026, 10)],
        )  # fmt: skip
    office = User.objects.filter(username="csb-office").first()
    if office is None:
        office = User.objects.create_user("csb-office", password="x", unit=county, role="office")
        User.objects.create_user("csb-school", password="x", unit=schools[0], role="coordinator")
    school_user = User.objects.get(username="csb-school")
    have = Case.objects.filter(programme=programme).count()
    if have < N_CASES:
        from django.db import transaction
        from django.utils import timezone

        rng = random.Random(14 + have)
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(WORDS))]
        rng.shuffle(weights)
        started = time.perf_counter()
        segment = 0.0
        subjects = ["maths", "chinese", "science", "it", "general"]
        themes = ["teaching", "management", "teachers", "evaluation", "resources"]
        for start in range(have, N_CASES, 500):
            batch = []
            for i in range(start, min(start + 500, N_CASES)):
                school = schools[i % len(schools)]
                batch.append(
                    Case(
                        programme=programme, unit=school,
                        title=_sentence(rng, weights, 4)[:-1],
                        summary=_sentence(rng, weights, 12) + _sentence(rng, weights, 10),
                        body="\n\n".join(
                            "".join(_sentence(rng, weights, rng.randint(8, 14)) for _ in range(4))
                            for _p in range(3)
                        ),
                        subject=subjects[i % 5], theme=themes[(i // 5) % 5],
                        school_type=school.school_type, published_at=timezone.now(),
                    )
                )  # fmt: skip
            with transaction.atomic():
                Case.objects.bulk_create(batch)
                rows = []
                for case in batch:
                    t0 = time.perf_counter()
                    words = weighted_terms(case_fields(case))
                    segment += time.perf_counter() - t0
                    rows += [CaseTerm(term=t, case=case, weight=w) for t, w in words.items()]
                CaseTerm.objects.bulk_create(rows, batch_size=5000)
        stats_rebuild()
        print(
            f"built {N_CASES - have} cases in {time.perf_counter() - started:.1f} s "
            f"(jieba {segment:.1f} s), {CaseTerm.objects.count()} index rows"
        )
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does on a live server: the visibility map lets the index
            # (term, case, weight) answer without reading the table.
            cursor.execute("VACUUM ANALYZE cases_caseterm")
            cursor.execute("VACUUM ANALYZE cases_case")
        else:
            cursor.execute("ANALYZE")
    return programme, office, school_user


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", default="/tmp/shidian-case-bench")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    setup(Path(args.workdir), args.database_url)
    from django.db import connection

    from shidian.apps.cases.models import CaseTermStat
    from shidian.apps.cases.selectors import search
    from shidian.apps.cases.text import query_terms

    programme, office, school_user = ensure_world()
    counts = dict(CaseTermStat.objects.values_list("term", "cases"))
    print(f"database: {connection.vendor}; cases: {N_CASES}")
    all_times = []
    for who, user in (("office", office), ("school", school_user)):
        for label, q in QUERIES.items():
            search(user, q)  # warm
            times = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                result = search(user, q)
                times.append((time.perf_counter() - t0) * 1000)
            all_times += times
            df = ", ".join(f"{t}:{counts.get(t, 0)}" for t in query_terms(q))
            print(
                f"{who:6} {label:28} hits {result.total:5}  median "
                f"{statistics.median(times):6.1f} ms  p95 "
                f"{sorted(times)[int(len(times) * 0.95) - 1]:6.1f} ms  [{df}]"
            )
    print(f"overall median {statistics.median(all_times):.1f} ms, max {max(all_times):.1f} ms")


if __name__ == "__main__":
    main()
