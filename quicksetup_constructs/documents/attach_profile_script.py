"""The script of the instance-profile runbook (run by ``aws:executeScript``).

It gives an instance our instance profile only when the instance has none: an existing
profile is never replaced (``AWS-AttachIAMToInstance`` would replace it by default). With
``AllowPolicyAttach`` the Systems Manager policies are attached to the existing profile's role
instead: the AWS managed policies named in ``PolicyNames`` (those the configuration's options
need, which the service role may attach and no others). An instance that keeps its profile ends
in Success, not Failed.

This file is the script's source as Systems Manager receives it: standard library and boto3
only, nothing imported from this package.
"""

import time

ATTACHED, KEPT, POLICIES_ATTACHED = "Attached", "KeptExistingProfile", "AttachedPoliciesToExistingRole"
_RETRIES = 6
_RETRY_SECONDS = 10


def handler(events, context):
    import boto3

    return attach_profile_if_missing(
        boto3.client("ec2"),
        boto3.client("iam"),
        instance_id=events["InstanceId"],
        profile_name=events["InstanceProfileName"],
        allow_policy_attach=events["AllowPolicyAttach"] == "true",
        policy_names=events["PolicyNames"],
    )


def attach_profile_if_missing(
    ec2, iam, instance_id, profile_name, allow_policy_attach, policy_names=(), sleep=time.sleep
):
    current = ec2.describe_iam_instance_profile_associations(
        Filters=[
            {"Name": "instance-id", "Values": [instance_id]},
            {"Name": "state", "Values": ["associating", "associated"]},
        ]
    )["IamInstanceProfileAssociations"]
    if not current:
        _associate(ec2, instance_id, profile_name, sleep)
        return {"Action": ATTACHED, "InstanceProfile": profile_name}
    existing_arn = current[0]["IamInstanceProfile"]["Arn"]
    if not allow_policy_attach:
        return {"Action": KEPT, "InstanceProfile": existing_arn}
    partition = existing_arn.split(":")[1]
    existing_name = existing_arn.rsplit("/", 1)[1]
    roles = iam.get_instance_profile(InstanceProfileName=existing_name)["InstanceProfile"]["Roles"]
    for role in roles:
        for policy in policy_names:
            iam.attach_role_policy(
                RoleName=role["RoleName"], PolicyArn=f"arn:{partition}:iam::aws:policy/{policy}"
            )
    return {"Action": POLICIES_ATTACHED, "InstanceProfile": existing_arn}


def _associate(ec2, instance_id, profile_name, sleep):
    """A new profile can take a few seconds to be usable by EC2 (IAM is eventually consistent)."""
    for attempt in range(_RETRIES):
        try:
            ec2.associate_iam_instance_profile(
                InstanceId=instance_id, IamInstanceProfile={"Name": profile_name}
            )
            return
        except ec2.exceptions.ClientError as error:
            code = error.response["Error"]["Code"]
            if code != "InvalidParameterValue" or attempt == _RETRIES - 1:
                raise
            sleep(_RETRY_SECONDS)
