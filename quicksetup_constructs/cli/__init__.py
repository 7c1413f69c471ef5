"""The ``quicksetup`` command: plan, status, troubleshoot and compliance of Quick Setup
configurations, in a terminal.

Nothing here is imported by the library; the command needs the ``cli`` extra
(``pip install "quicksetup-constructs[cli]"``).
"""
