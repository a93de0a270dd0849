"""Typical cases for tests: a case call of the tracking world's programme (six pilots of county
A), a filled and submitted case of the first pilot, and published cases."""

from __future__ import annotations

import io

from tests.conftest import make_user
from tests.tracking_world import pilot_world

CALL = "2026年典型案例征集"
TEXT = {
    "title": "试点学校的智慧课堂实践",
    "summary": "本校作为智慧校园试点，推进课堂教学改革，形成可推广的做法。",
    "body": "一、背景\n\n我校在课堂教学中引入平板与互动系统。\n\n二、做法\n\n教研组每周集体备课。",
    "subject": "maths",
    "theme": "teaching",
}


def call(tree):
    from shidian.apps.cases.services import case_call_open
    from shidian.apps.submissions.models import Round

    w = pilot_world(tree)
    found = Round.objects.filter(
        programme=w.programme, kind="typical_case"
    ).first()  # scoping: ok test
    return found or case_call_open(by=w.office, programme=w.programme, name=CALL)


def sheet(tree, unit=None):
    from shidian.apps.submissions.models import Submission

    round_obj = call(tree)
    return Submission.objects.get(round=round_obj, unit=unit or tree.school)  # scoping: ok test


def coordinator_of(tree, unit=None):
    w = pilot_world(tree)
    return w.coordinators[(unit or tree.school).pk]


def submitted(tree, unit=None, **answers):
    from shidian.apps.cases import services

    s = sheet(tree, unit)
    user = coordinator_of(tree, unit)
    s = services.case_save(
        submission=s, user=user, answers={**TEXT, **answers}, base_version=s.version
    )
    return services.case_submit(submission=s, user=user)


def published(tree, unit=None, **answers):
    from shidian.apps.cases import services

    s = submitted(tree, unit, **answers)
    return services.case_accept(submission=s, user=pilot_world(tree).office)


def expert(tree, name="case-expert"):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username=name).first()  # scoping: ok test
    return found or make_user(name, tree.county, "expert", full_name="评审专家赵老师")


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def png_upload(name="photo.png", data=PNG):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def image_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(out, "PNG")
    return out.getvalue()
