"""Pytest plugin (loaded with ``-p``) that gives the test run safe defaults.

It runs before pytest-django imports the settings, so ``pytest`` works in a bare shell while
production still refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "dGVzdHMtb25seS1maWVsZC1rZXktbm90LWZvci11c2U=")
os.environ.setdefault("BLIND_INDEX_KEY", "tests-only-blind-index-key-not-for-any-deployment")
# The test client speaks plain HTTP; production redirects it to HTTPS (decision 0031).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# Tests sign in with force_login; the second-factor tests switch it on (decision 0031).
os.environ.setdefault("MFA_REQUIRED", "0")
