"""URL kwargs of the inspections app, for tests/core/test_url_scoping.py.

The insider persona is an expert of county A who is not an inspector of the visit: they must
get 404 on every inspections page, exactly like an outsider.
"""

from tests.conftest import make_user
from tests.inspections.factories import world


def expert_not_inspector(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="expert-not-inspector").first()  # scoping: ok test
    return found or make_user("expert-not-inspector", tree.county, "expert")


def _photo(tree):
    from django.core.files.base import ContentFile

    from shidian.apps.inspections.models import FindingPhoto

    w = world(tree)
    photo = w.finding.photos.first()
    if photo is None:
        photo = FindingPhoto(finding=w.finding, original_name="a.png", size=4)
        photo.file.save("a.png", ContentFile(b"\x89PNG"), save=True)
    return photo.pk


def _answer_file(tree):
    from django.core.files.base import ContentFile

    from shidian.apps.inspections.models import AnswerFile, RectificationAnswer

    item = world(tree).items[0]
    answer = item.answers.first() or RectificationAnswer.objects.create(item=item, text="已整改")
    found = AnswerFile.objects.filter(answer=answer).first()  # scoping: ok test
    if found is None:
        found = AnswerFile(answer=answer, original_name="a.png", kind="image", size=4)
        found.file.save("a.png", ContentFile(b"\x89PNG"), save=True)
    return found.pk


URL_KWARG_FACTORIES = {
    "visit_id": lambda tree: world(tree).visit.pk,
    "finding_id": lambda tree: world(tree).finding.pk,
    "rect_item_id": lambda tree: world(tree).items[0].pk,
    "finding_photo_id": _photo,
    "rect_file_id": _answer_file,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS = {"expert not an inspector": expert_not_inspector}
