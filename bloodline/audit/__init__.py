"""Append-only audit events: who changed what, from what to what, when and why."""
