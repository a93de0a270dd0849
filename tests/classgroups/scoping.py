"""URL walker declarations for classgroups (see tests/core/test_url_scoping.py)."""


def _class_list(tree):
    from tests.classgroups.helpers import make_class_list
    from tests.conftest import make_user

    teacher = make_user("cg_teacher", tree.school, "coordinator")
    return make_class_list(teacher, n=12).pk


URL_KWARG_FACTORIES = {"class_list_id": _class_list}
PUBLIC_URL_NAMES: set[str] = set()
