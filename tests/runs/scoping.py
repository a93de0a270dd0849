"""URL kwargs of the runs app, for tests/core/test_url_scoping.py: a run of county A (started
by nobody the outsider knows) with one output file."""


def _run(tree):
    from shidian.apps.runs.models import Run, RunFile

    run = Run.objects.filter(unit=tree.county, kind="orgs.export").first()
    if run is None:
        run = Run.objects.create(unit=tree.county, kind="orgs.export", status="succeeded")
        RunFile.objects.create(run=run, name="甲县.xlsx", file="runs/x/甲县.xlsx")
    return run


URL_KWARG_FACTORIES = {
    "run_id": lambda tree: _run(tree).pk,
    "file_id": lambda tree: _run(tree).files.first().pk,
}
PUBLIC_URL_NAMES: set = set()
