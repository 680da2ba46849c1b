"""JSON API of this app under /api/v1/."""

from ninja import Router

router = Router()
