"""Billing: see the billing issue."""
