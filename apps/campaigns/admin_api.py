"""Staff endpoints under /v1/admin/ for campaigns: comment moderation."""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import NotFound
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .models import Comment
from .services import comment_hide


class AdminCommentHideView(APIView):
    """Hide a comment from the public list; the reason is kept for the record."""

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["campaigns.change_comment"]

    @extend_schema(request=s.CommentHideInput, responses={200: s.AdminCommentOutput})
    def post(self, request, comment_id: uuid.UUID):
        comment = Comment.objects.select_related("author").filter(pk=comment_id).first()
        if comment is None:
            raise NotFound("No such comment.")
        data = s.CommentHideInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_hide(
            comment=comment, actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(s.AdminCommentOutput(comment).data)
