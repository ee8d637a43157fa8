"""Reporting for admins: reporting periods, statistics and their summary, charts and
exports."""
