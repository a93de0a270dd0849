"""Objects for the standards tests (and the campaigns tests that build on them)."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "standards"
INFO = EXAMPLES / "school-informatization.yaml"
SMART = EXAMPLES / "smart-campus.yaml"


def example(path: Path = INFO):
    from shidian.engine.scoring import load_yaml

    standard, problems, _ = load_yaml(path.read_text(encoding="utf-8"))
    assert not problems, problems
    return standard


def published_version(unit, path: Path = INFO):
    """A published version of an example standard owned by ``unit`` (reused if it exists)."""
    from shidian.apps.standards import services
    from shidian.apps.standards.models import StandardVersion

    parsed = example(path)
    found = StandardVersion.objects.filter(  # scoping: ok test factory
        standard__unit=unit, standard__code=parsed.code, status="published"
    ).first()
    if found:
        return found
    version = services.standard_import(unit=unit, user=None, parsed=parsed)
    return services.version_publish(version=version, user=None)
