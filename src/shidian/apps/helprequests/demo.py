"""Demo help requests (援助申请) in the community of the demo ``school`` account's school: one
answered by the ``expert`` account and waiting for the school's confirmation (with a file on
each side), one routed to the expert and waiting for an answer, one waiting to be routed.
Made through the services, so the grants, notifications and audit are the real ones.
Deterministic; a second load changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shidian.apps.helprequests import services
from shidian.apps.helprequests.models import HelpRequest


def tiny_pdf(title: str) -> bytes:
    """A one-page PDF with one line of ASCII text: enough to show an attachment."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def load_demo(*, community: Any, requester: Any, router: Any, expert: Any) -> dict[str, int]:
    if None in (community, requester, router, expert):
        return {"help_requests": 0}
    if HelpRequest.objects.filter(community=community).exists():  # scoping: ok demo
        return {"help_requests": 0}
    answered = services.request_create(
        by=requester,
        community=community,
        title="如何用交互式白板上好小学数学复习课？",
        description=(
            "我校新装了交互式白板，数学组老师反映复习课容易变成“电子黑板”，"
            "学生参与少。请专家指导复习课的设计思路和课堂互动方式。附上我们的一节课例教案。"
        ),
        category="信息化教学",
        uploads=[SimpleUploadedFile("复习课教案.pdf", tiny_pdf("Review lesson plan"))],
    )
    services.request_route(by=router, request=answered, expert=expert)
    services.request_answer(
        by=expert,
        request=answered,
        body=(
            "建议以“问题链”组织复习：课前用白板推送3道诊断题，按作答情况分组；"
            "课中让学生上台拖拽、标注，展示不同解法；课末用白板即时投票做当堂检测。"
            "附件是一份复习课设计模板，可参照修改。"
        ),
        uploads=[SimpleUploadedFile("复习课设计模板.pdf", tiny_pdf("Review lesson template"))],
    )
    routed = services.request_create(
        by=requester,
        community=community,
        title="乡村小规模学校如何开展跨年级阅读活动？",
        description="我校各年级学生人数少，想把三至六年级合在一起开展整本书阅读，请专家给出组织建议。",
        category="课程建设",
    )
    services.request_route(by=router, request=routed, expert=expert)
    services.request_create(
        by=requester,
        community=community,
        title="新教师课堂管理求助",
        description="今年新入职三位教师，课堂纪律管理经验不足，希望共同体内有经验的教师来校指导。",
        category="教师发展",
    )
    return {"help_requests": 3}
