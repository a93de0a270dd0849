"""URL kwargs of the orgs app, for tests/core/test_url_scoping.py."""


def _batch_in_county_a(tree):
    from shidian.apps.orgs.models import ImportBatch

    return ImportBatch.objects.create(unit=tree.county, filename="甲县.xlsx", sha256="0" * 64).pk


URL_KWARG_FACTORIES = {
    "unit_id": lambda tree: tree.school.pk,
    "batch_id": _batch_in_county_a,
}
PUBLIC_URL_NAMES: set = set()
