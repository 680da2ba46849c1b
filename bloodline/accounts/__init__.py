"""People who sign in: their account, name as written and preferred language."""
