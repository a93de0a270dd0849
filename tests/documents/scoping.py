"""URL kwargs of the documents app, for tests/core/test_url_scoping.py."""


def _template(tree):
    from shidian.apps.documents.models import DocumentTemplate
    from shidian.apps.documents.services import template_create

    existing = DocumentTemplate.objects.filter(unit=tree.county, name="甲县通知").first()
    return existing or template_create(
        unit=tree.county, kind="notice", name="甲县通知", data=None, filename="t.docx", user=None
    )


def _document(tree):
    from shidian.apps.documents.models import Document, Status

    return Document.objects.create(
        unit=tree.county, kind="notice", title="甲县的通知", inputs={}, status=Status.DONE
    )


URL_KWARG_FACTORIES = {
    "document_id": lambda tree: _document(tree).pk,
    "template_id": lambda tree: _template(tree).pk,
    "version_id": lambda tree: _template(tree).current_id,
}
PUBLIC_URL_NAMES: set = set()
