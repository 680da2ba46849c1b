"""Donation days: drives, their time slots, requests from units, and registrations."""
