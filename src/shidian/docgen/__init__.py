"""Official documents (公文) as .docx and .pdf, laid out as GB/T 9704-2012 says.

Django-free: the web app and the command line both call it. Entry points:
``render.render_docx(kind, data, template=None)`` -> .docx bytes,
``convert.docx_to_pdf(docx, pdf)`` and ``convert.update_toc_and_export(...)`` (LibreOffice),
``validate.check_template(bytes, kind=...)`` for uploads, ``shipped.build_template(kind)``.
"""
