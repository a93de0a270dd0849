"""Documents record what they are about: set in the generate form, shown and filtered in the
list, refused when the batch is another programme's or the unit is outside the user's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shidian.apps.documents.models import Document
from tests.documents.test_generate_form import notice_post
from tests.programmes.factories import programme

pytestmark = pytest.mark.django_db


def test_generate_about_a_programme_batch_and_unit(office_client, tree):
    p = programme(tree)
    batch = p.cycles.get(number=1)
    page = office_client.get(reverse("documents:generate"), {"programme": p.pk})
    assert page.context["about"]["programme"].value() == p.pk
    post = notice_post(
        **{"about-programme": str(p.pk), "about-cycle": str(batch.pk), "about-subject_unit": "A1-1"}
    )
    response = office_client.post(reverse("documents:generate"), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = Document.objects.get()
    assert (document.programme, document.cycle, document.subject_unit) == (p, batch, tree.school)
    listing = office_client.get(reverse("documents:list"), {"programme": p.pk}).content.decode()
    assert document.title in listing and "第1批（2021年）" in listing
    cockpit = office_client.get(reverse("programmes:detail", kwargs={"programme_id": p.pk}))
    assert document.title in cockpit.content.decode()


def test_bad_subject_is_refused(office_client, tree):
    p = programme(tree)
    other = programme(tree, name="另一个项目")
    post = notice_post(
        **{
            "about-programme": str(p.pk),
            "about-cycle": str(other.cycles.first().pk),
            "about-subject_unit": "B-1",  # county B's school: outside the office's subtree
        }
    )
    response = office_client.post(reverse("documents:generate"), post)
    text = response.content.decode()
    assert "所选批次不属于所选试点项目" in text
    assert "在您的权限范围内找不到代码为 B-1 的单位" in text
    assert not Document.objects.exists()
