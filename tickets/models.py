"""Tickets: see the tickets issue."""
