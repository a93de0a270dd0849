"""The demo loads the seed's programme: 5/5/4 cycles, three phases, the campaign in the
preparation phase, six batch-1 pilots (the notice's five and the demo school), a closed
campaign with late units; the demo office sees its cockpit from its home page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shidian.apps.accounts.models import User
from shidian.apps.campaigns.models import Campaign
from shidian.apps.core.demo import load_demo
from shidian.apps.programmes.models import Participation, Programme


@pytest.mark.django_db
def test_demo_programme(settings, tmp_path, client):
    settings.DATA_DIR = tmp_path
    load_demo(seed=2021)
    p = Programme.objects.get()
    year = timezone.localdate().year
    assert (p.start_year, p.end_year) == (year, year + 2)
    assert [c.target for c in p.cycles.order_by("number")] == [5, 5, 4]
    assert [ph.name for ph in p.phases.order_by("order")] == ["准备阶段", "正式实施", "总结推广"]
    preparation = p.phases.order_by("order").first()
    # The two self-assessments of the preparation phase, and the mid-term round's campaign
    # (the evaluation demo's yearly history rounds aside, checked in tests/core/test_demo.py).
    campaigns = Campaign.objects.filter(programme=p, midterm__isnull=True).exclude(
        name__contains="效果评估演示"
    )
    assert campaigns.count() == 2 and all(c.phase == preparation for c in campaigns)
    assert campaigns.filter(deadline__lt=timezone.now()).exists()
    assert Campaign.objects.filter(programme=p, midterm__isnull=False).count() == 1
    # The notice's five pilots, and the demo `school` account's school so it sees tracking; the
    # acceptance demo has since confirmed them: passes and conditional passes.
    first = Participation.objects.filter(programme=p, batch__number=1)  # scoping: ok test
    assert first.filter(state__in=["accepted", "conditional"]).count() == 6
    assert first.filter(state="conditional").exists() and first.filter(state="accepted").exists()
    assert Participation.objects.filter(programme=p).count() > 400
    assert p.documents.exists()  # the notice is about batch 1

    client.force_login(User.objects.get(username="office"))
    home = client.get(reverse("core:home")).content.decode()
    assert p.name in home
    cockpit = client.get(reverse("programmes:detail", kwargs={"programme_id": p.pk}))
    text = cockpit.content.decode()
    assert 'id="today-marker"' in text
    assert "没有逾期未交的单位" not in text
