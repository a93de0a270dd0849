"""Creation plans (创建方案) and their task breakdown (任务分解表)."""

from django.db import models  # noqa: F401
