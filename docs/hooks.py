"""MkDocs hook of this site: the package's docstrings cite names with reST roles
(``:class:`QuickSetupValidationError```), which the API reference shows as code."""

import re

ROLE = re.compile(r":(?:mod|class|meth|func|attr|data|exc|obj):(?=<code>)")


def on_page_content(html, **_):
    return ROLE.sub("", html)
