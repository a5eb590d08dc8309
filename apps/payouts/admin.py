"""The payouts console: the withdrawal queue and the staff steps on it.

The queue lists requested withdrawals first, oldest first, each with its campaign's
available balance (read from the ledger for the whole page at once). Approving is a
page of its own that asks for the approver's authenticator code: one fresh code for the
batch, checked by `payouts_approve`, which also refuses a staff member's own withdrawal
(maker-checker), approves each id in its own transaction with its audit row and sends
the transfer after the commit. Rejecting asks for a reason; a transfer Paystack holds
for an OTP is finalized from the withdrawal's page. Every step goes through
apps.payouts.services; a refusal is shown as a message, never raised.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from apps.core.errors import ApplicationError
from apps.currency.money import format_money
from apps.withdrawals.admin import WithdrawalAdmin
from apps.withdrawals.models import Withdrawal, WithdrawalStatus
from apps.withdrawals.selectors import campaign_money

from .services import (
    APPROVE_PERMISSION,
    MAX_BATCH,
    REASON_MAX_LENGTH,
    payout_finalize,
    payouts_approve,
    withdrawal_reject,
)

W = WithdrawalStatus


def _available(withdrawals: list[Withdrawal]) -> None:
    """Each withdrawal's `campaign_available`: one ledger read for all of them."""
    money = campaign_money({w.campaign_id: w.campaign for w in withdrawals}.values())
    for withdrawal in withdrawals:
        found = money.get(withdrawal.campaign_id)
        withdrawal.campaign_available = found["available"] if found else None  # type: ignore[attr-defined]


class QueueChangeList(ChangeList):
    def get_results(self, request) -> None:
        super().get_results(request)
        _available(list(self.result_list))


def _ids(values: list[str]) -> list[str]:
    """The well-formed ids, in order, once each (the services report unknown ones)."""
    found: list[str] = []
    for value in values:
        for part in str(value).split(","):
            try:
                pk = str(uuid.UUID(part.strip()))
            except ValueError:
                continue
            if pk not in found:
                found.append(pk)
    return found


@admin.register(Withdrawal)
class PayoutQueueAdmin(WithdrawalAdmin):
    """Withdrawals: `withdrawals.view_withdrawal` to see, `approve_withdrawal` to act."""

    list_display = (
        "reference",
        "campaign",
        "amount_display",
        "available_display",
        "status",
        "transfer_status",
        "needs_review",
        "requested_by",
        "created_at",
    )
    list_select_related = ("campaign", "requested_by")
    actions = ("approve_selected", "reject_selected")
    fields = (*WithdrawalAdmin.fields[:5], "available_display", *WithdrawalAdmin.fields[5:])
    readonly_fields = fields
    change_form_template = "admin/payouts/withdrawal_change_form.html"

    # --- the queue ------------------------------------------------------------------------

    def get_queryset(self, request):
        # Not super(): ModelAdmin orders before the rank the ordering names exists.
        rank = Case(
            When(status=W.REQUESTED, then=Value(0)),
            When(status__in=[W.APPROVED, W.PROCESSING], then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return (
            Withdrawal.objects.select_related("campaign", "requested_by", "bank_account")
            .annotate(queue_rank=rank)
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ("queue_rank", "created_at")

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    @admin.display(description="Campaign available")
    def available_display(self, obj: Withdrawal) -> str:
        if not hasattr(obj, "campaign_available"):  # the withdrawal's own page
            _available([obj])
        amount = getattr(obj, "campaign_available", None)
        return "—" if amount is None else format_money(int(amount), obj.currency_id)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)

    def _require_approver(self, request) -> None:
        if not (self.has_view_permission(request) and self.has_approve_permission(request)):
            raise PermissionDenied

    def _step_url(self, name: str, ids: list[str]) -> str:
        url = reverse(f"admin:withdrawals_withdrawal_{name}")
        return f"{url}?{urlencode({'ids': ','.join(ids)})}"

    @admin.action(
        description="Approve selected withdrawals (authenticator code)", permissions=["approve"]
    )
    def approve_selected(self, request, queryset):
        ids = [str(pk) for pk in queryset.order_by("created_at").values_list("pk", flat=True)]
        if len(ids) > MAX_BATCH:
            self.message_user(request, f"Approve at most {MAX_BATCH} at once.", messages.ERROR)
            return None
        return HttpResponseRedirect(self._step_url("approve", ids))

    @admin.action(
        description="Reject selected withdrawals (give a reason)", permissions=["approve"]
    )
    def reject_selected(self, request, queryset):
        ids = [str(pk) for pk in queryset.order_by("created_at").values_list("pk", flat=True)]
        if len(ids) > MAX_BATCH:
            self.message_user(request, f"Reject at most {MAX_BATCH} at once.", messages.ERROR)
            return None
        return HttpResponseRedirect(self._step_url("reject", ids))

    # --- the steps ------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("approve/", view(self.approve_view), name="withdrawals_withdrawal_approve"),
            path("reject/", view(self.reject_view), name="withdrawals_withdrawal_reject"),
            path(
                "<path:object_id>/finalize/",
                view(self.finalize_view),
                name="withdrawals_withdrawal_finalize",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, title: str, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "changelist_url": reverse("admin:withdrawals_withdrawal_changelist"),
            **extra,
        }

    def _selected(self, request) -> tuple[list[str], list[Withdrawal]]:
        source = request.POST if request.method == "POST" else request.GET
        ids = _ids(source.getlist("ids"))
        found = {str(w.pk): w for w in self.get_queryset(request).filter(pk__in=ids)}
        withdrawals = [found[pk] for pk in ids if pk in found]
        _available(withdrawals)
        for w in withdrawals:
            w.amount_display_text = format_money(w.amount, w.currency_id)
            w.available_display_text = self.available_display(w)
        return ids, withdrawals

    def approve_view(self, request):
        """One authenticator code approves the batch; each id's result is shown."""
        self._require_approver(request)
        ids, withdrawals = self._selected(request)
        if not ids:
            self.message_user(request, "Select the withdrawals to approve.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:withdrawals_withdrawal_changelist"))
        error = ""
        if request.method == "POST":
            try:
                results = payouts_approve(
                    actor=request.user,
                    withdrawal_ids=ids,
                    otp=request.POST.get("otp", ""),
                    request=request,
                )
            except ApplicationError as exc:
                error = exc.message.removeprefix("otp: ")
            else:
                return self._approve_results(request, ids, results)
        context = self._context(
            request,
            "Approve payouts",
            withdrawals=withdrawals,
            ids=",".join(ids),
            missing=len(ids) - len(withdrawals),
            error=error,
        )
        return TemplateResponse(request, "admin/payouts/approve.html", context)

    def _approve_results(self, request, ids: list[str], results: list[dict[str, Any]]):
        now = {str(w.pk): w for w in self.get_queryset(request).filter(pk__in=ids)}
        rows = []
        for result in results:
            withdrawal = now.get(result["id"])
            rows.append(
                {
                    "id": result["id"],
                    "withdrawal": withdrawal,
                    "amount": format_money(withdrawal.amount, withdrawal.currency_id)
                    if withdrawal
                    else "—",
                    "approved": "error" not in result,
                    "code": result.get("code", ""),
                    "message": result.get("error", "Approved; the transfer goes to Paystack."),
                    "status": withdrawal.status if withdrawal else result["status"],
                }
            )
        approved = sum(1 for row in rows if row["approved"])
        refused = len(rows) - approved
        if approved:
            self.message_user(request, f"Approved {approved} withdrawal(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, f"{refused} withdrawal(s) not approved.", messages.WARNING)
        context = self._context(request, "Payout approval: results", rows=rows)
        return TemplateResponse(request, "admin/payouts/approve_results.html", context)

    def reject_view(self, request):
        """Reject the withdrawals listed, with one reason; each hold is released."""
        self._require_approver(request)
        ids, withdrawals = self._selected(request)
        if not ids:
            self.message_user(request, "Select the withdrawals to reject.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:withdrawals_withdrawal_changelist"))
        error = ""
        reason = ""
        if request.method == "POST":
            reason = (request.POST.get("reason") or "").strip()
            if not reason:
                error = "A reason is needed: the organiser is told it."
            elif len(reason) > REASON_MAX_LENGTH:
                error = f"The reason can be at most {REASON_MAX_LENGTH} characters."
            else:
                return self._reject(request, ids, withdrawals, reason)
        context = self._context(
            request,
            "Reject payouts",
            withdrawals=withdrawals,
            ids=",".join(ids),
            missing=len(ids) - len(withdrawals),
            error=error,
            reason=reason,
            reason_max=REASON_MAX_LENGTH,
        )
        return TemplateResponse(request, "admin/payouts/reject.html", context)

    def _reject(self, request, ids: list[str], withdrawals: list[Withdrawal], reason: str):
        references = {str(w.pk): w.reference for w in withdrawals}
        rejected = 0
        for pk in ids:
            try:
                withdrawal_reject(
                    actor=request.user, withdrawal_id=pk, reason=reason, request=request
                )
            except ApplicationError as exc:
                self.message_user(
                    request, f"{references.get(pk, pk)}: {exc.message}", messages.ERROR
                )
            else:
                rejected += 1
        if rejected:
            self.message_user(
                request,
                f"Rejected {rejected} withdrawal(s); the held funds are available again.",
                messages.SUCCESS,
            )
        if len(ids) == 1 and withdrawals:
            return HttpResponseRedirect(
                reverse("admin:withdrawals_withdrawal_change", args=[withdrawals[0].pk])
            )
        return HttpResponseRedirect(reverse("admin:withdrawals_withdrawal_changelist"))

    def finalize_view(self, request, object_id: str):
        """Give Paystack the OTP it asked for to release a transfer."""
        self._require_approver(request)
        withdrawal = self.get_object(request, unquote(object_id))
        if withdrawal is None:
            raise Http404("No such withdrawal.")
        change_url = reverse("admin:withdrawals_withdrawal_change", args=[withdrawal.pk])
        error = ""
        if request.method == "POST":
            try:
                done = payout_finalize(
                    actor=request.user,
                    withdrawal_id=withdrawal.pk,
                    otp=request.POST.get("otp", ""),
                    request=request,
                )
            except ApplicationError as exc:
                error = exc.message.removeprefix("otp: ")
            else:
                self.message_user(
                    request,
                    f"Transfer OTP given; the withdrawal is {done.status} "
                    f"(Paystack: {done.transfer_status or 'no status'}).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = self._context(
            request,
            "Finalize transfer",
            withdrawal=withdrawal,
            amount=format_money(withdrawal.amount, withdrawal.currency_id),
            error=error,
            change_url=change_url,
        )
        return TemplateResponse(request, "admin/payouts/finalize.html", context)

    # --- the withdrawal's page --------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        withdrawal = self.get_object(request, unquote(object_id))
        steps: list[tuple[str, str, str]] = []
        if withdrawal is not None and self.has_approve_permission(request):
            pk = str(withdrawal.pk)
            if withdrawal.status == W.REQUESTED:
                steps.append(("approve", "Approve", self._step_url("approve", [pk])))
                steps.append(("reject", "Reject", self._step_url("reject", [pk])))
            if withdrawal.status == W.PROCESSING and withdrawal.transfer_status == "otp":
                url = reverse("admin:withdrawals_withdrawal_finalize", args=[pk])
                steps.append(("finalize", "Finalize transfer (Paystack OTP)", url))
        extra_context["payout_steps"] = steps
        return super().change_view(request, object_id, form_url, extra_context)
