"""A formation of county A's eight community-world schools (two communities, 30 km)."""

from tests.community_world import community_world


def formation(tree, **params):
    from shidian.apps.formations.inputs import clean_params
    from shidian.apps.formations.models import Formation

    cw = community_world(tree)
    p = {
        "n_groups": 2,
        "features": ["students", "teachers"],
        "lead_codes": ["A1-1", "A1-5"],
        "max_km": 30,
        "categories": ["locality"],
    }
    p.update(params)
    found = Formation.objects.filter(owner_unit=tree.county, name="测试组建").first()  # scoping: ok
    if found is not None and not params:
        return found
    return Formation.objects.create(  # scoping: ok test data
        owner_unit=tree.county, name="测试组建", params=clean_params(p), created_by=cw.office
    )


def proposed(tree):
    from shidian.apps.formations import services

    f = formation(tree)
    if not f.versions.exists():
        services.propose(f)
        f.refresh_from_db()
    return f
