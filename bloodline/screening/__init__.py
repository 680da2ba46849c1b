"""Donor screening: the eligibility engine driven by the jurisdiction rule sets."""
