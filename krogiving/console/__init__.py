"""The KROGiving staff console: Django's admin made into a platform console.

The site class (`site.ConsoleSite`) signs staff in with password and TOTP in one step,
walks a staff member without an authenticator through enrolment, groups the index by
what staff do (`sections.py`) and opens on a dashboard (`dashboard.py`, `chart.py`).
It lives in the project package because the dashboard reads several apps.
"""
