"""The donor registry: people who give blood."""
