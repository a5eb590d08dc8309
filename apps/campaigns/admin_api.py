"""Staff endpoints under /v1/admin/ for campaigns: the review queue and moderation."""

import uuid

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import InvalidInput, NotFound
from apps.core.pagination import paginated, paginated_response
from apps.core.query import KnownQueryParameters
from apps.users.permissions import ADMIN_PERMISSION_CLASSES

from . import serializers as s
from .models import Campaign, CampaignStatus, Comment
from .selectors import campaign_list_admin, campaign_money_for
from .services import (
    campaign_approve,
    campaign_reject,
    campaign_suspend,
    campaign_unsuspend,
    comment_hide,
)


class AdminCampaignListView(KnownQueryParameters, APIView):
    """Every campaign, any status; `?status=pending_review` is the review queue."""

    query_parameters = ("q", "status")

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["campaigns.view_campaign"]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CampaignStatus.values),
            OpenApiParameter("q", str, description="Title, slug or organiser email"),
        ],
        responses={200: paginated(s.AdminCampaignOutput)},
    )
    def get(self, request):
        status = request.query_params.get("status", "")
        if status and status not in CampaignStatus.values:
            raise InvalidInput(
                f"status: Choose one of {', '.join(CampaignStatus.values)}.",
                fields={"status": [f"Choose one of {', '.join(CampaignStatus.values)}."]},
            )
        campaigns = campaign_list_admin(
            status=status, query=request.query_params.get("q", "").strip()[:100]
        )
        return paginated_response(
            request,
            self,
            campaigns,
            s.AdminCampaignOutput,
            context=lambda page: {"money": campaign_money_for(page)},
        )


_ACTIONS = {
    "approve": lambda campaign, actor, reason: campaign_approve(campaign=campaign, actor=actor),
    "reject": lambda campaign, actor, reason: campaign_reject(
        campaign=campaign, actor=actor, reason=reason
    ),
    "suspend": lambda campaign, actor, reason: campaign_suspend(
        campaign=campaign, actor=actor, reason=reason
    ),
    "unsuspend": lambda campaign, actor, reason: campaign_unsuspend(campaign=campaign, actor=actor),
}


class AdminCampaignStatusView(APIView):
    """`{action: "approve"}`, `{action: "reject", reason}`, suspend (reason), unsuspend.

    The services check the finer permission: approve and reject need
    `campaigns.review_campaign`, suspend and unsuspend `campaigns.change_campaign`.
    """

    permission_classes = ADMIN_PERMISSION_CLASSES
    required_permissions = ["campaigns.view_campaign"]

    @extend_schema(request=s.AdminCampaignStatusInput, responses={200: s.AdminCampaignOutput})
    def patch(self, request, campaign_id: uuid.UUID):
        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound("No such campaign.")
        data = s.AdminCampaignStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        campaign = _ACTIONS[action](
            campaign, request.user, data.validated_data.get("reason", "").strip()
        )
        campaign = campaign_list_admin().get(pk=campaign.pk)
        return Response(s.AdminCampaignOutput(campaign).data)


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
