"""Inventory of every configured account and Region, delivered to one S3 bucket.

A resource data sync (``AWS::SSM::ResourceDataSync``) sends the inventory of its own account
and Region to a bucket, and keeps it current as new inventory is collected; the configuration
creates one in each account and Region it configures, all writing to the same bucket, under
``<prefix>/.../accountid=<account>/...``. Systems Manager allows 5 syncs per account and Region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..errors import QuickSetupValidationError
from ..region_code import REGION_CODE
from ..validation import check_pattern, is_unresolved

KEY = "inventory_sync"
"""The prop that delivers the inventory to a bucket."""
TITLE = "Deliver the inventory to one S3 bucket"
SYNC_NAME_PREFIX = "QuickSetup-Inventory-"
"""Every sync is named ``QuickSetup-Inventory-<configuration id>``."""
MAX_SYNC_NAME = 64
DEFAULT_BYTES_SCANNED_CUTOFF = 10_000_000_000
"""With ``athena=True``, the most one query may scan: 10 GB, a few cents at Athena's price per
TB scanned, and far more than a query of the CLI reads (each instance's files are small)."""
MIN_BYTES_SCANNED_CUTOFF = 10_000_000
"""Athena's minimum (API reference, WorkGroupConfiguration: BytesScannedCutoffPerQuery "Valid
Range: Minimum value of 10000000")."""

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*")
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key/[A-Za-z0-9-]+")
_PREFIX_ALLOWED = (
    "None or 1-64 characters of letters, digits and !_.*'()- in parts separated by '/' "
    "(no '/' at either end)"
)


@dataclass(frozen=True)
class BucketReference:
    """Where a sync writes: the bucket's name and Region (either may be a token)."""

    bucket_name: str
    bucket_region: str
    organization: bool = False
    """The bucket receives the inventory of an organization's accounts: each account's sync is
    created with Organization data sharing (``DestinationDataSharingType: Organization``), the
    way AWS documents delivery from the accounts of an organization to one bucket."""

    def in_organization(self) -> BucketReference:
        """This bucket, for the syncs of an organization's accounts."""
        return replace(self, organization=True)


class InventorySync:
    """The bucket that receives the inventory of every configured account and Region. Build one
    with a factory:

    ``InventorySync.to_new_bucket()`` (a bucket the construct creates: S3-managed encryption,
    public access blocked, TLS only, versioned, kept when the stack is deleted, and a bucket
    policy that lets Systems Manager of the configured accounts write) or
    ``InventorySync.to_bucket("inventory-bucket", "us-east-1")`` (your bucket, whose policy you
    manage; the guide's "Inventory in one S3 bucket" gives the statements it needs).
    """

    def __init__(
        self,
        *,
        _bucket: BucketReference | None,
        _prefix: str | None,
        _kms_key_arn: str | None,
        _server_access_logs_bucket: Any = None,
        _athena: bool = False,
        _bytes_scanned_cutoff: int = DEFAULT_BYTES_SCANNED_CUTOFF,
    ) -> None:
        self._bucket = _bucket
        self._prefix = _prefix
        self._kms_key_arn = _kms_key_arn
        self._server_access_logs_bucket = _server_access_logs_bucket
        self._athena = _athena
        self._bytes_scanned_cutoff = _bytes_scanned_cutoff

    @staticmethod
    def to_new_bucket(
        *,
        prefix: str | None = None,
        server_access_logs_bucket: Any = None,
        athena: bool = False,
        athena_bytes_scanned_cutoff: int | None = None,
    ) -> InventorySync:
        """A bucket created with the configuration, in its stack's account and Region.

        :param prefix: Key prefix of the inventory. Default: none (the bucket's root).
        :param server_access_logs_bucket: An ``s3.IBucket`` for the bucket's S3 server access
            logs. Default: none (no access logs).
        :param athena: Make the inventory queryable with Amazon Athena: a Glue database and
            tables, a crawler that keeps their partitions, and an Athena workgroup with its
            results bucket (docs/organization.md). Default: False.
        :param athena_bytes_scanned_cutoff: With ``athena``, the most bytes one query may scan
            (at least 10,000,000). Default: 10 GB.
        """
        _check_prefix(prefix)
        cutoff = _check_athena(athena, athena_bytes_scanned_cutoff)
        if server_access_logs_bucket is not None and not hasattr(
            server_access_logs_bucket, "bucket_arn"
        ):
            raise QuickSetupValidationError(
                "inventory_sync.server_access_logs_bucket",
                server_access_logs_bucket,
                "None or an aws_s3.IBucket",
            )
        return InventorySync(
            _bucket=None,
            _prefix=prefix,
            _kms_key_arn=None,
            _server_access_logs_bucket=server_access_logs_bucket,
            _athena=athena,
            _bytes_scanned_cutoff=cutoff,
        )

    @staticmethod
    def to_bucket(
        bucket_name: str,
        bucket_region: str,
        *,
        prefix: str | None = None,
        kms_key_arn: str | None = None,
        athena: bool = False,
        athena_bytes_scanned_cutoff: int | None = None,
    ) -> InventorySync:
        """Your bucket ``bucket_name`` in ``bucket_region``; its bucket policy must let Systems
        Manager of every configured account write (the guide's "Inventory in one S3 bucket").

        :param prefix: Key prefix of the inventory. Default: none (the bucket's root).
        :param kms_key_arn: A KMS key, in the bucket's Region, that Systems Manager encrypts the
            inventory with (its key policy must allow ``kms:GenerateDataKey`` to
            ``ssm.amazonaws.com``). Default: the bucket's own encryption.
        :param athena: Make the inventory queryable with Amazon Athena, as with
            ``to_new_bucket``; the resources are created in the configuration's stack, and the
            bucket's policy must let Glue's crawler and your readers read it. Default: False.
        :param athena_bytes_scanned_cutoff: With ``athena``, the most bytes one query may scan
            (at least 10,000,000). Default: 10 GB.
        """
        check_pattern(
            "inventory_sync.bucket_name",
            bucket_name,
            _BUCKET_NAME,
            "an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'",
        )
        check_pattern(
            "inventory_sync.bucket_region",
            bucket_region,
            REGION_CODE,
            "an AWS Region such as us-east-1",
        )
        _check_prefix(prefix)
        if kms_key_arn is not None:
            check_pattern(
                "inventory_sync.kms_key_arn",
                kms_key_arn,
                _KMS_KEY_ARN,
                "None or a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>",
            )
            match = _KMS_KEY_ARN.fullmatch(kms_key_arn)
            if match and not is_unresolved(bucket_region) and match[1] != bucket_region:
                raise QuickSetupValidationError(
                    "inventory_sync.kms_key_arn",
                    kms_key_arn,
                    f"a KMS key in the bucket's Region, {bucket_region}",
                )
        cutoff = _check_athena(athena, athena_bytes_scanned_cutoff)
        return InventorySync(
            _bucket=BucketReference(bucket_name, bucket_region),
            _prefix=prefix,
            _kms_key_arn=kms_key_arn,
            _athena=athena,
            _bytes_scanned_cutoff=cutoff,
        )

    @property
    def creates_bucket(self) -> bool:
        return self._bucket is None

    @property
    def bucket(self) -> BucketReference | None:
        """Your bucket (None for a new one)."""
        return self._bucket

    @property
    def prefix(self) -> str | None:
        return self._prefix

    @property
    def kms_key_arn(self) -> str | None:
        return self._kms_key_arn

    @property
    def server_access_logs_bucket(self) -> Any:
        return self._server_access_logs_bucket

    @property
    def athena(self) -> bool:
        """Whether the inventory is made queryable with Amazon Athena."""
        return self._athena

    @property
    def athena_bytes_scanned_cutoff(self) -> int:
        """The most bytes one Athena query of the inventory may scan."""
        return self._bytes_scanned_cutoff

    @staticmethod
    def sync_name(configuration_id: str) -> str:
        return SYNC_NAME_PREFIX + configuration_id

    def describe(self) -> str:
        where = "a new bucket" if self._bucket is None else f"bucket {self._bucket.bucket_name}"
        where += f", prefix {self._prefix}" if self._prefix else ""
        return where + (", queryable with Athena" if self._athena else "")

    def __repr__(self) -> str:
        return f"InventorySync({self.describe()})"


def _check_prefix(prefix: str | None) -> None:
    if prefix is None:
        return
    check_pattern("inventory_sync.prefix", prefix, _PREFIX, _PREFIX_ALLOWED)
    if not is_unresolved(prefix) and len(prefix) > 64:
        raise QuickSetupValidationError("inventory_sync.prefix", prefix, _PREFIX_ALLOWED)


def _check_athena(athena: Any, cutoff: Any) -> int:
    """The bytes-scanned cutoff of valid ``athena`` props (its default when not given)."""
    if not isinstance(athena, bool):
        raise QuickSetupValidationError("inventory_sync.athena", athena, "True or False")
    if cutoff is None:
        return DEFAULT_BYTES_SCANNED_CUTOFF
    allowed = f"None or a whole number of bytes, at least {MIN_BYTES_SCANNED_CUTOFF:,}"
    if not athena:
        raise QuickSetupValidationError(
            "inventory_sync.athena_bytes_scanned_cutoff", cutoff, "None without athena=True"
        )
    if is_unresolved(cutoff):
        return cutoff
    if isinstance(cutoff, bool) or not isinstance(cutoff, int) or cutoff < MIN_BYTES_SCANNED_CUTOFF:
        raise QuickSetupValidationError(
            "inventory_sync.athena_bytes_scanned_cutoff", cutoff, allowed
        )
    return cutoff
