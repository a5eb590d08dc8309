"""The donations console: find, read, refund, export and import donations.

Donations change only through their services (settlement, refunds, the offline
import); every page here calls one and shows its refusals as messages.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.campaigns.models import Campaign
from apps.core.admin import ReadOnlyAdmin, TimelineInline
from apps.core.errors import ApplicationError
from apps.currency.admin_display import money_column
from apps.currency.money import format_money, parse_money
from apps.users.admin import register_user_inline

from .exports import donation_csv_response
from .models import Donation, DonationEvent, DonationRefund, DonationStatus, DonorAggregate
from .services import donation_refund, donations_import_offline, offline_rows_from_csv
from .services.offline import IMPORT_PERMISSION, MAX_FILE_BYTES

REFUND_PERMISSION = "donations.refund_donation"
VIEW_PERMISSION = "donations.view_donation"


class DonationEventInline(TimelineInline):
    model = DonationEvent
    parent_permission = VIEW_PERMISSION


class DateRangeFilter(admin.FieldListFilter):
    """From / to dates (inclusive, UTC days) on a date-time field, as a plain GET form:
    `?<field>__from=2025-01-01&<field>__to=2025-01-31`."""

    template = "admin/donations/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.key_from = f"{field_path}__from"
        self.key_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = f"{field.verbose_name} (date range)"
        self.request_params = request.GET

    def expected_parameters(self):
        return [self.key_from, self.key_to]

    def _day(self, key: str):
        value = self.used_parameters.get(key)
        if isinstance(value, list):
            value = value[-1] if value else ""
        if not value:
            return None
        day = parse_date(str(value))
        if day is None:
            raise IncorrectLookupParameters(f"{key}: not a date (YYYY-MM-DD).")
        return day

    def queryset(self, request, queryset):
        start, end = self._day(self.key_from), self._day(self.key_to)
        tz = timezone.get_current_timezone()
        if start:
            queryset = queryset.filter(
                **{f"{self.field_path}__gte": datetime.combine(start, time.min, tzinfo=tz)}
            )
        if end:
            queryset = queryset.filter(
                **{
                    f"{self.field_path}__lt": datetime.combine(
                        end + timedelta(days=1), time.min, tzinfo=tz
                    )
                }
            )
        return queryset

    def has_output(self) -> bool:
        return True

    def choices(self, changelist):
        values = {}
        for key in (self.key_from, self.key_to):
            value = self.used_parameters.get(key, "")
            values[key] = value[-1] if isinstance(value, list) and value else value or ""
        hidden = [
            (key, value)
            for key, items in self.request_params.lists()
            if key not in (self.key_from, self.key_to, "p")
            for value in items
        ]
        yield {
            "key_from": self.key_from,
            "key_to": self.key_to,
            "value_from": values[self.key_from],
            "value_to": values[self.key_to],
            "hidden": hidden,
            "clear_url": changelist.get_query_string(remove=[self.key_from, self.key_to]),
            "selected": any(values.values()),
        }


class RefundForm(forms.Form):
    amount = forms.CharField(
        required=False,
        max_length=40,
        label="Amount",
        help_text="In the donation's currency, e.g. 2,500.00. Leave empty to refund all that "
        "is left.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file")
    dry_run = forms.BooleanField(
        required=False, initial=True, label="Dry run (check only, import nothing)"
    )


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "campaign",
        "email",
        "name",
        "status",
        "charged",
        "gift_in_campaign_currency",
        "needs_review",
        "channel",
        "created_at",
        "paid_at",
    )
    list_filter = (
        "status",
        "currency",
        "needs_review",
        "settled_via",
        ("created_at", DateRangeFilter),
        ("paid_at", DateRangeFilter),
    )
    search_fields = ("reference", "email", "name", "campaign__title")
    list_select_related = ("campaign",)
    raw_id_fields = ("campaign", "donor")
    inlines = (DonationEventInline,)
    date_hierarchy = "created_at"
    actions = ("export_selected_csv",)
    change_list_template = "admin/donations/donation/change_list.html"
    change_form_template = "admin/donations/donation/change_form.html"
    readonly_fields = (
        "reference",
        "status",
        "campaign",
        "donor",
        "email",
        "name",
        "anonymous",
        "message",
        "charged",
        "gift",
        "fee",
        "tip",
        "cover_fee",
        "refunded",
        "gift_in_campaign_currency",
        "net_to_campaign",
        "fee_in_campaign_currency",
        "tip_in_campaign_currency",
        "fx_rate",
        "fx_source",
        "channel",
        "settled_via",
        "paid_at",
        "needs_review",
        "review_reason",
        "failure_reason",
        "created_at",
        "status_changed_at",
    )
    fields = readonly_fields

    charged = money_column("charged_amount", label="Charged")
    gift = money_column("amount", label="Gift")
    fee = money_column("fee_amount", label="Platform fee")
    tip = money_column("tip_amount", label="Tip")
    refunded = money_column("refunded_amount", label="Refunded")
    gift_in_campaign_currency = money_column(
        "gift_campaign", "campaign_currency_id", label="Gift (campaign currency)"
    )
    net_to_campaign = money_column("net_campaign", "campaign_currency_id", label="Net to campaign")
    fee_in_campaign_currency = money_column(
        "fee_campaign", "campaign_currency_id", label="Fee (campaign currency)"
    )
    tip_in_campaign_currency = money_column(
        "tip_campaign", "campaign_currency_id", label="Tip (campaign currency)"
    )

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name=f"{prefix}_export"),
            path("import/", wrap(self.import_view), name=f"{prefix}_import"),
            path("<uuid:object_id>/refund/", wrap(self.refund_view), name=f"{prefix}_refund"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": request.user.has_perm(IMPORT_PERMISSION),
            "export_query": request.GET.urlencode(),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        donation = Donation.objects.filter(pk=object_id).first()
        extra_context = {
            **(extra_context or {}),
            "can_refund": donation is not None
            and donation.status == DonationStatus.SUCCEEDED
            and request.user.has_perm(REFUND_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # --- CSV export ---------------------------------------------------------------------

    def export_view(self, request):
        """The list's current filter and search, every row, streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return donation_csv_response(changelist.get_queryset(request))

    @admin.action(description="Export selected donations as CSV", permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return donation_csv_response(queryset)

    # --- refund -------------------------------------------------------------------------

    def refund_view(self, request, object_id):
        """A confirmation page: amount (empty: all that is left) and reason, then the
        refund service; its refusals are shown as messages."""
        if not request.user.has_perm(REFUND_PERMISSION):
            raise PermissionDenied
        donation = get_object_or_404(Donation.objects.select_related("campaign"), pk=object_id)
        change_url = reverse("admin:donations_donation_change", args=[donation.pk])
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            amount_text = form.cleaned_data["amount"].strip()
            try:
                amount = parse_money(amount_text, donation.currency_id) if amount_text else None
                refund = donation_refund(
                    donation=donation,
                    actor=request.user,
                    amount=amount,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Refund of {format_money(refund.amount, refund.currency_id)} asked of "
                    "Paystack; it settles when Paystack reports it processed.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        left = donation.charged_amount - donation.refunded_amount
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund donation {donation.reference}",
            "opts": self.opts,
            "donation": donation,
            "form": form,
            "charged": format_money(donation.charged_amount, donation.currency_id),
            "refunded": format_money(donation.refunded_amount, donation.currency_id),
            "left": format_money(max(left, 0), donation.currency_id),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/donations/donation/refund.html", context)

    # --- offline import -----------------------------------------------------------------

    def import_view(self, request):
        """Upload a CSV of offline donations: a dry run lists each row's outcome and errors
        by line number; an apply imports all rows or none."""
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            try:
                if upload.size > MAX_FILE_BYTES:
                    raise ApplicationError("file: too large.")
                rows = offline_rows_from_csv(upload.read())
                result = donations_import_offline(
                    rows=rows,
                    actor=request.user,
                    dry_run=dry_run,
                    file_name=upload.name,
                    request=request,
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                counts = result.counts
                if result.errors:
                    self.message_user(
                        request,
                        f"{counts['error']} row(s) have errors; nothing was imported. Fix "
                        "the file and upload it again.",
                        messages.ERROR,
                    )
                elif dry_run:
                    self.message_user(
                        request,
                        f"Dry run: {counts['would_import']} row(s) would be imported, "
                        f"{counts['already_imported']} already were. Nothing was written.",
                        messages.INFO,
                    )
                else:
                    self.message_user(
                        request,
                        f"Imported {counts['imported']} donation(s); "
                        f"{counts['already_imported']} were already imported.",
                        messages.SUCCESS,
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import offline donations",
            "opts": self.opts,
            "form": form,
            "result": result,
            "rows": [
                {
                    "row": row,
                    "amount": format_money(row.amount, row.currency)
                    if row.amount is not None and row.currency
                    else "",
                    "fee": format_money(row.fee, row.currency)
                    if row.fee is not None and row.currency
                    else "",
                }
                for row in (result.rows if result else [])
            ],
        }
        return TemplateResponse(request, "admin/donations/donation/import.html", context)


@admin.register(DonationRefund)
class DonationRefundAdmin(ReadOnlyAdmin):
    list_display = ("donation", "refund_amount", "status", "requested_by", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("donation__reference", "donation__email")
    raw_id_fields = ("donation", "requested_by")
    refund_amount = money_column("amount", label="Amount")


@admin.register(DonorAggregate)
class DonorAggregateAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "display_name", "anonymous", "given", "donation_count")
    raw_id_fields = ("campaign",)
    list_select_related = ("campaign",)

    @admin.display(description="Total given", ordering="total")
    def given(self, obj: DonorAggregate) -> str:
        return format_money(obj.total, obj.campaign.currency_id)


# --- a user's campaigns and donations, on the user's console page ---------------------------


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class UserDonationsInline(_ReadOnlyInline):
    model = Donation
    fk_name = "donor"
    verbose_name = "donation"
    verbose_name_plural = "Donations given (signed in)"
    fields = ("reference", "campaign", "status", "charged", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    charged = money_column("charged_amount", label="Charged")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign")


class UserCampaignsInline(_ReadOnlyInline):
    model = Campaign
    fk_name = "organizer"
    verbose_name = "campaign"
    verbose_name_plural = "Campaigns organised"
    fields = ("title", "status", "goal", "raised", "donor_count", "created_at")
    readonly_fields = fields
    ordering = ("-created_at",)
    goal = money_column("goal_amount", label="Goal")
    raised = money_column("raised_amount", label="Raised")


register_user_inline(UserCampaignsInline, permission="campaigns.view_campaign")
register_user_inline(UserDonationsInline, permission=VIEW_PERMISSION)
