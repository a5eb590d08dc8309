"""The console's index grouped by what staff do, with human labels.

Each registered model belongs to one section: by its own entry in MODEL_SECTIONS, else
by its app in APP_SECTIONS, else System (the plumbing: lockout records, tokens, the
sandbox, ledger internals, periodic-task internals, authenticators, Paystack calls and
events). A section lists only the models the staff member may see, so the System
section, whose tables no role but Superadmins is given, is hidden from everyone else.
"""

from __future__ import annotations

from typing import Any

SECTIONS: list[tuple[str, str, str]] = [
    ("review", "Review", "Campaigns and comments waiting for a decision"),
    ("money", "Money", "Donations, refunds, withdrawals and payouts"),
    ("people", "People", "Donors, organisers and staff"),
    ("platform", "Platform", "Settings, currencies, categories and the audit log"),
    ("system", "System", "Plumbing: records kept by the platform's machinery"),
]
SYSTEM = "system"

# "app_label.modelname" -> section; listed in the order they appear in their section.
MODEL_SECTIONS: dict[str, str] = {
    "campaigns.campaign": "review",
    "campaigns.comment": "review",
    "donations.donation": "money",
    "donations.donationrefund": "money",
    "withdrawals.withdrawal": "money",
    "withdrawals.bankaccount": "money",
    "users.user": "people",
    "auth.group": "people",
    "platform_settings.platformsettings": "platform",
    "platform_settings.settingschangelog": "platform",
    "platform_settings.campaignwithdrawalcap": "platform",
    "currency.currency": "platform",
    "currency.exchangerate": "platform",
    "campaigns.category": "platform",
    "audit.adminlog": "platform",
    # Plumbing, though its app has a section of its own.
    "donations.donoraggregate": SYSTEM,
    "currency.raterefresh": SYSTEM,
}
# Models not named above (a new model, another helper's page) go by their app.
APP_SECTIONS: dict[str, str] = {
    "campaigns": "review",
    "donations": "money",
    "withdrawals": "money",
    "payouts": "money",
    "users": "people",
    "platform_settings": "platform",
    "currency": "platform",
}

# Names of models whose own verbose names are not what staff should read.
MODEL_LABELS: dict[str, str] = {
    "auth.group": "Staff roles (groups)",
    "audit.adminlog": "Audit log",
    "platform_settings.settingschangelog": "Settings change log",
    "donations.donoraggregate": "Donor totals",
    "currency.raterefresh": "Exchange-rate refreshes",
    "otp_totp.totpdevice": "Staff authenticators (TOTP)",
    "token_blacklist.outstandingtoken": "API tokens issued",
    "token_blacklist.blacklistedtoken": "API tokens revoked",
    "axes.accessattempt": "Sign-in lockout: failed attempts",
    "axes.accessfailurelog": "Sign-in lockout: failure log",
    "axes.accesslog": "Sign-in lockout: sign-in log",
    "django_celery_beat.periodictask": "Scheduled jobs",
    "django_celery_beat.clockedschedule": "Scheduled jobs: one-off times",
    "django_celery_beat.crontabschedule": "Scheduled jobs: cron timings",
    "django_celery_beat.intervalschedule": "Scheduled jobs: intervals",
    "django_celery_beat.solarschedule": "Scheduled jobs: solar events",
    "payments.paystackcall": "Paystack API calls",
    "payments.paystackevent": "Paystack webhook events",
    "ledger.account": "Ledger accounts",
    "ledger.ledgertransaction": "Ledger transactions",
    "notifications.notification": "Emails and SMS sent",
    "paystack_sandbox.sandboxtransaction": "Paystack sandbox: transactions",
    "paystack_sandbox.sandboxrefund": "Paystack sandbox: refunds",
    "paystack_sandbox.sandboxrecipient": "Paystack sandbox: transfer recipients",
    "paystack_sandbox.sandboxtransfer": "Paystack sandbox: transfers",
}

# Third-party apps' names in breadcrumbs and page titles.
APP_VERBOSE_NAMES: dict[str, str] = {
    "auth": "Staff roles",
    "axes": "Sign-in lockout",
    "otp_totp": "Staff authenticators",
    "token_blacklist": "API tokens",
    "django_celery_beat": "Scheduled jobs",
}


def model_key(app_label: str, object_name: str) -> str:
    return f"{app_label}.{object_name.lower()}"


def section_of(key: str) -> str:
    if key in MODEL_SECTIONS:
        return MODEL_SECTIONS[key]
    return APP_SECTIONS.get(key.split(".")[0], SYSTEM)


def _position(key: str) -> tuple[int, str]:
    keys = list(MODEL_SECTIONS) + list(MODEL_LABELS)
    return (keys.index(key) if key in keys else len(keys), key)


def console_sections(app_dict: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The admin's app dict (AdminSite._build_app_dict) regrouped into SECTIONS, shaped
    like the app list Django's templates expect; empty sections are left out."""
    grouped: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in SECTIONS}
    for app_label, app in app_dict.items():
        for model in app["models"]:
            key = model_key(app_label, model["object_name"])
            model = dict(model, name=MODEL_LABELS.get(key, model["name"]), console_key=key)
            grouped[section_of(key)].append(model)
    sections = []
    for key, name, description in SECTIONS:
        models = sorted(grouped[key], key=lambda m: _position(m["console_key"]))
        if models:
            sections.append(
                {
                    "name": name,
                    "app_label": f"section-{key}",
                    "app_url": f"#section-{key}",
                    "has_module_perms": True,
                    "models": models,
                    "description": description,
                    "section": key,
                }
            )
    return sections
