"""How an AWS Region code is written, for the library and the ``quicksetup`` command alike.

A Region code is a prefix of two letters (``us``, ``ap``, ``eu``…) or, for the AWS European
Sovereign Cloud's partition (``aws-eusc``), four (``eusc``), one or more words, and a number:
``us-east-1``, ``us-gov-west-1``, ``ap-southeast-5``, ``eusc-de-east-1``. Whether a Region
exists is AWS's to say; only the shape is checked here.
"""

from __future__ import annotations

import re

REGION_CODE = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}")
"""An AWS Region code's shape (to ``fullmatch``)."""
