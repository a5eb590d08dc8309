from django.conf import settings
from django.db import models

from apps.core.models import BaseModel


class Category(models.Model):
    slug = models.SlugField(max_length=50, primary_key=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    ACTIVE = "active"
    REJECTED = "rejected"
    ENDED = "ended"
    CLOSED = "closed"
    SUSPENDED = "suspended"


# Anyone may see a campaign in these statuses; the others only its organiser and staff.
PUBLIC_STATUSES = frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED, CampaignStatus.CLOSED})
# Comments may be posted only on these.
COMMENTABLE_STATUSES = frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED})


class Campaign(BaseModel):
    """A fundraising campaign. Amounts are integers in the minor unit of `currency`."""

    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=180, unique=True)
    story = models.TextField(blank=True)
    goal_amount = models.BigIntegerField()
    currency = models.ForeignKey("currency.Currency", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="campaigns")
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, db_index=True
    )
    # Maintained by the donation settlement in the same transaction as its ledger postings.
    raised_amount = models.BigIntegerField(default=0)
    donor_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    suspension_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_campaign", "Can approve or reject campaigns waiting for review")]
        indexes = [
            # The public list: active campaigns in each ordering.
            models.Index(fields=["status", "-published_at"], name="campaign_status_published"),
            models.Index(fields=["status", "-raised_amount"], name="campaign_status_raised"),
            models.Index(fields=["status", "end_date"], name="campaign_status_end_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal_amount__gt=0), name="campaign_goal_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(raised_amount__gte=0), name="campaign_raised_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CampaignSlug(models.Model):
    """Every slug a campaign has had, the current one included; old ones still resolve."""

    slug = models.SlugField(max_length=180, unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="slug_history")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.slug


class MediaKind(models.TextChoices):
    IMAGE = "image"
    VIDEO = "video"


class MediaStatus(models.TextChoices):
    # A presigned direct upload is `pending` until the API has checked the stored object.
    PENDING = "pending"
    READY = "ready"


class CampaignMedia(BaseModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    status = models.CharField(max_length=10, choices=MediaStatus.choices, default=MediaStatus.READY)
    file = models.FileField(upload_to="campaigns/%Y/%m/", max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_cover = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name_plural = "campaign media"

    def __str__(self) -> str:
        return f"{self.kind} {self.file.name}"


class Comment(BaseModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_comments"
    )
    body = models.TextField(max_length=2000)
    is_hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["campaign", "is_hidden", "-created_at"])]

    def __str__(self) -> str:
        return self.body[:40]
