"""The demo's help requests and class list: small, deterministic, made once."""

from __future__ import annotations

import pytest

from shidian.apps.classgroups import demo as class_demo
from shidian.apps.classgroups.models import ClassList
from shidian.apps.helprequests import demo as help_demo
from shidian.apps.helprequests.models import HelpRequest, Status
from tests.community_world import community_world

pytestmark = pytest.mark.django_db


def test_demo_help_requests_one_answered_by_the_expert(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cw = community_world(tree)
    school = cw.coordinators["A1-2"]
    args = {"community": cw.first, "requester": school, "router": cw.lead_user, "expert": cw.expert}
    assert help_demo.load_demo(**args) == {"help_requests": 3}
    rows = HelpRequest.objects.filter(community=cw.first)  # scoping: ok test
    assert sorted(rows.values_list("status", flat=True)) == sorted(
        [Status.ANSWERED, Status.ROUTED, Status.OPEN]
    )
    answered = rows.get(status=Status.ANSWERED)
    assert answered.expert == cw.expert and answered.messages.filter(kind="answer").exists()
    assert answered.attachments.count() == 2
    assert answered.attachments.first().file.read().startswith(b"%PDF-1.4")
    assert help_demo.load_demo(**args) == {"help_requests": 0}  # a second load: nothing


def test_demo_class_list_for_a_teacher(tree):
    cw = community_world(tree)
    teacher = cw.coordinators["A1-2"]
    assert class_demo.load_demo(teacher=teacher) == {"class_lists": 1}
    cl = ClassList.objects.get(unit=teacher.unit)  # scoping: ok test
    assert cl.pupils.count() == 45 and cl.apart_pairs.count() == 2
    first = list(cl.pupils.values_list("name", "group", "seat"))
    assert class_demo.load_demo(teacher=teacher) == {"class_lists": 0}
    # Deterministic: the same CSV and seed give the same groups.
    assert class_demo.class_csv() == class_demo.class_csv()
    assert len({n for n, _g, _s in first}) == 45
