"""How a CDK token looks inside a string, known without importing the CDK."""

from __future__ import annotations

TOKEN_MARKER = "Token["
"""In every string that CDK encodes a token in (``${Token[...]}``, ``#{Token[...]}``)."""
