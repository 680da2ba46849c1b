"""The organisation tree, memberships and roles, and access.py: the one place scopes are checked."""
