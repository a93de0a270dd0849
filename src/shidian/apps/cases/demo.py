"""Demo typical cases: one case call of the county's programme and three pilots' cases filed,
accepted and published, a fourth submitted and waiting for the office, so the library has
something to search (试点, 课堂, 作业) and the office has a case to decide. Idempotent."""

from __future__ import annotations

from typing import Any

from shidian.apps.cases.services import case_accept, case_call_open, case_save, case_submit
from shidian.apps.submissions.models import Round, Submission

CALL_NAME = "2026年智慧校园典型案例征集（演示）"
CASES = (
    {
        "title": "“双减”背景下的分层作业设计：试点学校的一学期实践",
        "summary": "以智慧作业平台为依托，按学情把作业分为基础、提升、拓展三层，"
        "教师用课堂数据调整作业量，学生书面作业时间平均减少四分之一。",
        "body": "学校作为第一批试点，在三至六年级语文、数学两科试行分层作业。\n\n"
        "每节课后，教师根据课堂练习的正确率把学生分入三层，平台推送不同的作业；"
        "家长在手机上看到作业用时，超时可以反馈。\n\n"
        "一学期后，书面作业平均用时由每天 78 分钟降到 58 分钟，期末学业质量保持稳定。",
        "subject": "maths",
        "theme": "teaching",
    },
    {
        "title": "用课堂观察数据改进教研：同课异构的新做法",
        "summary": "教研组借助录播教室与课堂观察量表，把“听评课”变成基于数据的研讨，"
        "青年教师的课堂提问质量明显提高。",
        "body": "过去的评课多凭印象。试点以来，教研组约定每次同课异构都用同一张课堂观察量表，"
        "记录提问层次、学生发言人数和小组合作时长。\n\n"
        "研讨时先看数据，再谈改进。一学年里，青年教师高阶提问的比例从 18% 提高到 35%。",
        "subject": "chinese",
        "theme": "teachers",
    },
    {
        "title": "共同体内的资源共享：中心校带动村小开齐英语课",
        "summary": "中心校通过同步课堂为三所村小开设英语课，村小教师跟岗学习，"
        "一年后村小能独立承担三年级英语教学。",
        "body": "三所村小长期缺少英语教师。中心校在试点中开通同步课堂，每周四节英语课"
        "由中心校教师主讲，村小教师在本地辅导。\n\n"
        "村小教师每月到中心校跟岗两天，参与集体备课。第二学期起，三年级英语改由村小教师主讲，"
        "中心校教师线上指导。",
        "subject": "english",
        "theme": "resources",
    },
    {
        "title": "家校协同的智慧作业反馈机制",
        "summary": "家长通过平台查看作业完成情况并反馈用时，班主任每周汇总调整。",
        "body": "学校建立作业用时反馈制度，家长每天在平台上标注孩子完成作业的时间。\n\n"
        "班主任每周汇总，超时较多的学科在教研会上调整作业量。",
        "subject": "general",
        "theme": "homeschool",
    },
)
PUBLISHED = 3


def load_demo(*, programme: Any, office: Any) -> dict[str, int]:
    """Open the call (once), file the cases of the first pilots, accept the first three."""
    if programme is None:
        return {"cases": 0}
    call = Round.objects.filter(programme=programme, name=CALL_NAME).first()  # scoping: ok demo
    if call is not None:
        return {"cases": 0}
    try:
        call = case_call_open(by=office, programme=programme, name=CALL_NAME)
    except Exception:  # a programme without pilots yet: no call in the demo
        return {"cases": 0}
    rows = Submission.objects.filter(round=call).select_related("unit").order_by("unit__code")
    published = 0
    for number, (row, answers) in enumerate(zip(rows, CASES, strict=False)):
        case_save(submission=row, user=None, answers=answers, base_version=row.version)
        row.refresh_from_db()
        case_submit(submission=row, user=None)
        if number < PUBLISHED:
            row.refresh_from_db()
            case_accept(submission=row, user=office)
            published += 1
    return {"cases": published}
