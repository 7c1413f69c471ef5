"""One shape of an AWS Region code, for the library's props and ``quicksetup --region``.

Codes as AWS writes them (General Reference, "AWS Regions"; GovCloud and China partitions), and
the AWS European Sovereign Cloud's first Region, ``eusc-de-east-1``, in its own partition
``aws-eusc`` (launched in Brandenburg on 2026-01-15), whose prefix has four letters.
"""

from __future__ import annotations

import pytest

from quicksetup_constructs.cli.aws import check_region
from quicksetup_constructs.cli.errors import CliError
from quicksetup_constructs.errors import QuickSetupValidationError
from quicksetup_constructs.options import InventorySync
from quicksetup_constructs.organization.regions import check_regions
from quicksetup_constructs.region_code import REGION_CODE

AWS_CODES = [
    "us-east-1",
    "ap-southeast-5",
    "me-central-1",
    "us-gov-west-1",
    "cn-northwest-1",
    "eusc-de-east-1",
]
NOT_CODES = ["us_east_1", "US-EAST-1", "useast1", "us-east-", "u-east-1", "euscx-de-east-1"]


@pytest.mark.parametrize("code", AWS_CODES)
def test_every_kind_of_region_code_is_one(code):
    assert REGION_CODE.fullmatch(code)
    check_region(code)  # quicksetup --region
    check_regions("regions", [code])  # QuickSetupOrganization
    assert InventorySync.to_bucket("inventory-bucket", code).bucket.bucket_region == code


@pytest.mark.parametrize("text", NOT_CODES)
def test_text_of_another_shape_is_no_region_code(text):
    assert not REGION_CODE.fullmatch(text)
    with pytest.raises(CliError):
        check_region(text)
    with pytest.raises(QuickSetupValidationError) as raised:
        InventorySync.to_bucket("inventory-bucket", text)
    assert raised.value.prop == "inventory_sync.bucket_region"
