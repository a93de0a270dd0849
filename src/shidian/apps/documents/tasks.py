"""Background tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from django_tasks import task

from shidian.apps.documents import jobs


@task()
def convert_pdf(document_id: int) -> None:
    jobs.document_convert_pdf(document_id=document_id)


@task()
def build_booklet(document_id: int) -> None:
    jobs.booklet_build(document_id=document_id)
