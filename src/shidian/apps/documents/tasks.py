"""Background tasks of documents. The work now runs as Run kinds (runkinds.py, jobs.py); these
two names stay so tasks queued before the upgrade still run: each starts the matching Run."""

from __future__ import annotations

from django_tasks import task


@task()
def convert_pdf(document_id: int) -> None:
    from shidian.apps.documents import jobs
    from shidian.apps.documents.models import Document

    document = Document.objects.filter(pk=document_id).first()  # scoping: ok task by id
    if document is not None:
        jobs.pdf_start(document=document, by=None)


@task()
def build_booklet(document_id: int) -> None:
    from shidian.apps.documents import jobs
    from shidian.apps.documents.models import Document

    document = Document.objects.filter(pk=document_id).first()  # scoping: ok task by id
    if document is not None:
        jobs.booklet_start(document=document, by=None)
