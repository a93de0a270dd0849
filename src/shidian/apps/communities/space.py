"""Writes for a community's shared space: resources and board posts.

Members (FILL) add; the author, the lead school or the office (MANAGE) remove.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shidian.apps.communities.models import Community, Post, Resource
from shidian.apps.core.access import FILL, MANAGE, can, require
from shidian.apps.core.services import audit_record


def _may_remove(by: Any, community: Community, author_id: int | None) -> None:
    if author_id is not None and author_id == by.pk and can(by, FILL, community):
        return
    require(by, MANAGE, community)


@transaction.atomic
def resource_add(
    *, by: Any, community: Community, title: str, url: str = "", upload: Any = None
) -> Resource:
    require(by, FILL, community)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写资源标题。"), code="resource_title")
    if upload is not None:
        from shidian.apps.evidence.files import check_upload

        name, _kind = check_upload(upload)
        res = Resource(community=community, title=title[:200], kind=Resource.Kind.FILE)
        res.file_name = name[:200]
        res.file.save(name, upload, save=False)
    else:
        url = (url or "").strip()
        if not url.startswith(("http://", "https://")):
            raise ValidationError(
                _("请上传文件或填写以 http(s):// 开头的链接。"), code="resource_url"
            )
        res = Resource(community=community, title=title[:200], kind=Resource.Kind.LINK, url=url)
    res.uploaded_by = by
    res.unit_id = getattr(by, "unit_id", None)
    res.save()
    audit_record(
        actor=by,
        action="communities.resource",
        target=community,
        unit=community.owner_unit,
        summary=res.title,
    )
    return res


@transaction.atomic
def resource_remove(*, by: Any, resource: Resource) -> None:
    _may_remove(by, resource.community, resource.uploaded_by_id)
    audit_record(
        actor=by,
        action="communities.resource",
        target=resource.community,
        unit=resource.community.owner_unit,
        summary=resource.title,
    )
    if resource.file:
        resource.file.delete(save=False)
    resource.delete()


@transaction.atomic
def post_add(*, by: Any, community: Community, body: str, parent: Post | None = None) -> Post:
    require(by, FILL, community)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("留言内容不能为空。"), code="post_empty")
    if len(body) > 4000:
        raise ValidationError(_("留言不能超过 4000 字。"), code="post_long")
    if parent is not None and (parent.community_id != community.pk or parent.deleted):
        raise ValidationError(_("要回复的留言不存在。"), code="post_parent")
    if parent is not None and parent.parent_id:
        parent = parent.parent
    post = Post.objects.create(
        community=community,
        author=by,
        unit_id=getattr(by, "unit_id", None),
        body=body,
        parent=parent,
    )
    audit_record(
        actor=by,
        action="communities.post",
        target=community,
        unit=community.owner_unit,
        summary=body[:60],
    )
    return post


@transaction.atomic
def post_remove(*, by: Any, post: Post) -> None:
    _may_remove(by, post.community, post.author_id)
    post.deleted = True
    post.save(update_fields=["deleted"])
    audit_record(
        actor=by,
        action="communities.post",
        target=post.community,
        unit=post.community.owner_unit,
        summary=_("删除留言"),
    )


def register() -> None:
    """Audit labels and the home card (call from CommunitiesConfig.ready)."""
    from django.utils.translation import gettext_lazy

    from shidian.apps.core.audit import register_actions
    from shidian.apps.core.home_sections import register_home_section

    register_actions(
        {
            "communities.resource": gettext_lazy("共同体资源变更"),
            "communities.post": gettext_lazy("共同体留言变更"),
        }
    )
    register_home_section("communities/_home_card.html", home_card, order=45)


def home_card(user: Any) -> dict[str, Any] | None:
    from shidian.apps.communities.access import communities_of_unit

    if getattr(user, "unit_id", None) is None or not user.is_authenticated:
        return None
    mine = list(communities_of_unit(user.unit))
    if not mine:
        return None
    return {"my_communities": mine}
