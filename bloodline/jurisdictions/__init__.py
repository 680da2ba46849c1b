"""Jurisdiction rule sets: versioned, sourced data files and the loader that validates them."""
