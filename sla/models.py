"""SLA data (calendars, policies, targets, priority matrix) — see the SLA issue."""
