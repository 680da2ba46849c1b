"""Donations: what was collected, from whom, at which drive, and who is credited."""
