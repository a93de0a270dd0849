"""The annual self-evaluation report (年度自评报告) of a programme: the figures of one year
(``content``), the event-study chart drawn with Pillow (``chart``), the booklet data for the
documents app (``document``) and the Run that makes it (``jobs``). See docs/evaluation.md."""
