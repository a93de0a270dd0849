"""Programme set-up and participation services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shidian.apps.programmes import services, states
from shidian.apps.programmes.members import MemberRole, members_of
from shidian.apps.programmes.models import (
    Participation,
    ParticipationEvent,
    Programme,
)
from shidian.apps.programmes.services import CycleInput, PhaseInput
from tests.conftest import make_user
from tests.programmes.factories import CYCLES, programme

pytestmark = pytest.mark.django_db


def _create(tree, by, **extra):
    fields = {
        "name": "试点",
        "start_year": 2021,
        "end_year": 2023,
        "scope_root": tree.county,
        "cycles": CYCLES,
    }
    fields.update(extra)
    return services.programme_create(by=by, unit=tree.county, **fields)


def test_create_with_default_phases_cycles_and_participants(tree, office_user):
    p = _create(tree, office_user)
    phases = list(p.phases.order_by("order"))
    assert [ph.name for ph in phases] == ["准备阶段", "正式实施", "总结推广"]
    assert phases[0].starts_on == date(2021, 1, 1) and phases[-1].ends_on == date(2023, 12, 31)
    assert [(c.number, c.year, c.target) for c in p.cycles.all()] == [
        (1, 2021, 5),
        (2, 2022, 5),
        (3, 2023, 4),
    ]
    # Every school of county A (not county B's) is eligible.
    units = set(Participation.objects.filter(programme=p).values_list("unit__code", flat=True))
    assert units == {"A1-1", "A1-2"}
    from shidian.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="programmes.create", target_id=str(p.pk)).exists()


def test_scope_filters_school_type(tree, office_user):
    p = _create(tree, office_user, scope_school_types=["primary"])
    assert list(Participation.objects.filter(programme=p).values_list("unit__code", flat=True)) == [
        "A1-1"
    ]


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"end_year": 2020}, "结束年份不能早于起始年份"),
        ({"name": "  "}, "请填写项目名称"),
        ({"cycles": []}, "至少需要一个批次"),
        ({"cycles": [CycleInput(2025, 5)]}, "不在项目年份"),
        ({"cycles": [CycleInput(2021, 5), CycleInput(2021, 3)]}, "批次重复"),
        (
            {
                "phases": [
                    PhaseInput("准备", date(2021, 1, 1), date(2021, 6, 30), 1),
                    PhaseInput("实施", date(2021, 6, 1), date(2022, 12, 31), 2),
                ]
            },
            "不能重叠",
        ),
        (
            {"phases": [PhaseInput("准备", date(2020, 1, 1), date(2021, 6, 30), 1)]},
            "须在 2021 至 2023 年之内",
        ),
        (
            {"phases": [PhaseInput("准备", date(2021, 5, 1), date(2021, 4, 1), 1)]},
            "结束日期早于开始日期",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(tree, office_user, extra, message):
    with pytest.raises(ValidationError) as exc:
        _create(tree, office_user, **extra)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    assert not Programme.objects.exists()


def test_scope_outside_the_running_unit_is_refused(tree, office_user):
    with pytest.raises(ValidationError):
        _create(tree, office_user, scope_root=tree.other_county)


def test_school_and_zone_cannot_create(tree, coordinator, zone_user):
    for user in (coordinator, zone_user):
        with pytest.raises(PermissionDenied):
            _create(tree, user)


def test_members_from_the_running_unit_only(tree, office_user, outsider):
    leader = make_user("leader", tree.county, "leading_group")
    p = _create(tree, office_user, leading_group=[leader], office_members=[office_user])
    assert members_of(programme=p, role=MemberRole.LEADING_GROUP) == [leader]
    assert members_of(programme=p, role=MemberRole.OFFICE) == [office_user]
    with pytest.raises(ValidationError) as exc:
        services.programme_update(
            by=office_user,
            programme=p,
            name=p.name,
            start_year=2021,
            end_year=2023,
            scope_root=tree.county,
            cycles=CYCLES,
            phases=[],
            office_members=[outsider],
        )
    assert "不属于牵头单位" in exc.value.messages[-1]


def test_update_renames_redates_reorders_and_edits_cycles(tree, office_user):
    p = _create(tree, office_user)
    prep, impl, promo = p.phases.order_by("order")
    c1, c2, c3 = p.cycles.order_by("number")
    services.programme_update(
        by=office_user,
        programme=p,
        name="改名",
        start_year=2021,
        end_year=2023,
        scope_root=tree.county,
        phases=[
            PhaseInput("启动", date(2021, 1, 1), date(2021, 2, 28), 1, prep.pk),
            PhaseInput("试点", date(2021, 3, 1), date(2023, 6, 30), 2, impl.pk),
            PhaseInput("推广", date(2023, 7, 1), date(2023, 12, 31), 3, promo.pk),
            PhaseInput("新增", None, None, 4),
        ][:3],
        cycles=[CycleInput(2021, 6, c1.pk), CycleInput(2023, 4, c3.pk)],
    )
    p.refresh_from_db()
    assert p.name == "改名"
    assert [ph.name for ph in p.phases.order_by("order")] == ["启动", "试点", "推广"]
    assert [(c.number, c.year, c.target) for c in p.cycles.order_by("number")] == [
        (1, 2021, 6),
        (2, 2023, 4),
    ]


def test_a_cycle_with_pilots_cannot_be_deleted(tree, office_user):
    p = _create(tree, office_user)
    row = Participation.objects.get(programme=p, unit=tree.school)
    c1 = p.cycles.get(number=1)
    for to in ("recommended", "shortlisted"):
        services.participation_move(by=office_user, participation=row, to=to)
    services.participation_move(by=office_user, participation=row, to="pilot", batch=c1)
    with pytest.raises(ValidationError) as exc:
        services.programme_update(
            by=office_user,
            programme=p,
            name=p.name,
            start_year=2021,
            end_year=2023,
            scope_root=tree.county,
            phases=[
                PhaseInput(ph.name, ph.starts_on, ph.ends_on, ph.order, ph.pk)
                for ph in p.phases.all()
            ],
            cycles=[CycleInput(2022, 5)],
        )
    assert "已有试点单位" in exc.value.messages[0]
    assert p.cycles.count() == 3


def test_move_records_history_that_replays(tree, office_user):
    p = _create(tree, office_user)
    row = Participation.objects.get(programme=p, unit=tree.school)
    c2 = p.cycles.get(number=2)
    services.participation_move(by=office_user, participation=row, to="recommended", reason="申报")
    services.participation_move(by=office_user, participation=row, to="shortlisted")
    services.participation_move(by=office_user, participation=row, to="pilot", batch=c2)
    row = services.participation_move(
        by=office_user, participation=row, to="conditional", reason="整改后复验"
    )
    assert row.state == "conditional" and row.batch == c2
    events = list(ParticipationEvent.objects.filter(participation=row))
    assert [e.to_state for e in events] == ["recommended", "shortlisted", "pilot", "conditional"]
    assert events[0].by == office_user and events[0].reason == "申报"
    replayed = states.replay([(e.to_state, e.to_batch) for e in events])
    assert replayed == states.Position(states.State.CONDITIONAL, 2)


def test_illegal_move_is_refused_in_chinese(tree, office_user):
    p = _create(tree, office_user)
    row = Participation.objects.get(programme=p, unit=tree.school)
    with pytest.raises(ValidationError) as exc:
        services.participation_move(by=office_user, participation=row, to="accepted")
    assert "不能从“可参与”改为“通过验收”" in exc.value.messages[0]
    assert not ParticipationEvent.objects.exists()


def test_only_managers_move(tree, office_user, zone_user, coordinator):
    p = _create(tree, office_user)
    row = Participation.objects.get(programme=p, unit=tree.school)
    for user in (zone_user, coordinator):
        with pytest.raises(PermissionDenied):
            services.participation_move(by=user, participation=row, to="recommended")


def test_a_batch_of_another_programme_is_refused(tree, office_user):
    p = _create(tree, office_user)
    other = _create(tree, office_user, name="另一个")
    row = Participation.objects.get(programme=p, unit=tree.school)
    for to in ("recommended", "shortlisted"):
        services.participation_move(by=office_user, participation=row, to=to)
    with pytest.raises(ValidationError):
        services.participation_move(
            by=office_user, participation=row, to="pilot", batch=other.cycles.first()
        )


def test_bulk_move_is_atomic_and_names_the_bad_unit(tree, office_user):
    p = _create(tree, office_user)
    rows = list(Participation.objects.filter(programme=p).order_by("unit__path"))
    services.participation_move(by=office_user, participation=rows[1], to="recommended")
    # rows[1] is already recommended: moving both to recommended fails on it, and rows[0]
    # must not have moved either.
    with pytest.raises(ValidationError) as exc:
        services.participation_move_bulk(
            by=office_user, programme=p, participations=rows, to="recommended"
        )
    assert rows[1].unit.name in exc.value.messages[0]
    assert Participation.objects.get(pk=rows[0].pk).state == "eligible"
    assert (
        services.participation_move_bulk(
            by=office_user, programme=p, participations=[rows[0]], to="recommended"
        )
        == 1
    )
    assert ParticipationEvent.objects.count() == 2


def test_sync_adds_units_entering_scope(tree, office_user):
    from shidian.apps.orgs.models import Level, SchoolType
    from shidian.apps.orgs.services import unit_create

    p = _create(tree, office_user)
    unit_create(
        code="A1-3",
        name="甲县新学校",
        level=Level.SCHOOL,
        parent=tree.zone,
        school_type=SchoolType.PRIMARY,
    )
    assert services.participation_sync(programme=p, by=office_user) == 1
    assert services.participation_sync(programme=p, by=office_user) == 0
    assert Participation.objects.filter(programme=p).count() == 3


def test_factory_programme_is_reused(tree):
    assert programme(tree).pk == programme(tree).pk


def test_a_batch_with_pilots_keeps_its_number(tree, office_user):
    """The history records batch numbers: adding an earlier year may not renumber batch 1."""
    p = _create(tree, office_user)
    row = Participation.objects.get(programme=p, unit=tree.school)
    c1, c2, c3 = p.cycles.order_by("number")
    for to in ("recommended", "shortlisted"):
        services.participation_move(by=office_user, participation=row, to=to)
    services.participation_move(by=office_user, participation=row, to="pilot", batch=c1)
    phases = [
        PhaseInput(ph.name, ph.starts_on, ph.ends_on, ph.order, ph.pk) for ph in p.phases.all()
    ]
    with pytest.raises(ValidationError) as exc:
        services.programme_update(
            by=office_user,
            programme=p,
            name=p.name,
            start_year=2020,
            end_year=2023,
            scope_root=tree.county,
            phases=phases,
            cycles=[
                CycleInput(2020, 1),
                CycleInput(c1.year, c1.target, c1.pk),
                CycleInput(c2.year, c2.target, c2.pk),
                CycleInput(c3.year, c3.target, c3.pk),
            ],
        )
    assert "批次号不能改变" in exc.value.messages[0]
    assert [c.number for c in p.cycles.order_by("year")] == [1, 2, 3]


def test_a_rounds_programme_follows_its_phase(tree, office_user):
    from tests.campaigns.factories import campaign

    p = _create(tree, office_user)
    other = _create(tree, office_user, name="另一个项目")
    run = campaign(tree)
    run.phase, run.programme = p.phases.first(), other
    run.save()
    run.refresh_from_db()
    assert run.programme_id == p.pk


def test_a_move_made_for_someone_records_them(tree, office_user, zone_user):
    """A step that checked its own permission (a zone recommending) moves as the system on the
    zone's behalf: the history names the zone's account, not 系统."""
    from shidian.apps.programmes.services import participation_move
    from tests.programmes.factories import participation, programme

    programme(tree, by=office_user)
    row = participation_move(
        by=None, actor=zone_user, participation=participation(tree), to="recommended", reason="r"
    )
    assert row.events.get().by == zone_user
