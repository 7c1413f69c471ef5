"""Every option of QuickSetupLocal: its document, parameters, schedule and targets."""

import inspect

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from aws_cdk.assertions import Match

from quicksetup_constructs import (
    InstanceTargets,
    InventoryFilePath,
    InventoryRegistryKey,
    InventorySettings,
    InventorySync,
    QuickSetupLocal,
    QuickSetupOrganization,
    QuickSetupValidationError,
    ScanBaseline,
)
from quicksetup_constructs.options import CATALOGUE

from .apps import FLAG_SET_NAMES, arn_partition, joined, new_app
from .support import ENV, association, local_stack, local_template

TAG_TARGET = [{"Key": "tag:Env", "Values": ["prod"]}]


@pytest.fixture(scope="module", params=FLAG_SET_NAMES)
def flag_set(request: pytest.FixtureRequest) -> str:
    """Each feature flag set in turn (tests/apps.py), for the module's fixtures."""
    return request.param


@pytest.fixture(scope="module")
def everything(flag_set):
    return local_template(
        flag_set=flag_set,
        targets=InstanceTargets.tag("Env", "prod"),
        install_cloudwatch_agent=True,
        update_cloudwatch_agent=True,
        update_ec2_launch_agent=True,
        configuration_id="web",
    )


@pytest.fixture(scope="module")
def defaults(flag_set):
    return local_template(flag_set=flag_set)


def test_defaults_match_quick_setup(defaults):
    names = sorted(
        r["Properties"]["AssociationName"].split("-")[1]
        for r in defaults.find_resources("AWS::SSM::Association").values()
    )
    assert names == [
        "AttachInstanceProfile",
        "CollectInventory",
        "EnableExplorer",
        "ScanForPatches",
        "UpdateSSMAgent",
    ]
    for properties in defaults.find_resources("AWS::SSM::Association").values():
        if properties["Properties"]["Name"] != "AWS-EnableExplorer":
            assert properties["Properties"]["Targets"] == [{"Key": "InstanceIds", "Values": ["*"]}]


def test_update_ssm_agent(everything):
    assert association(everything, "QuickSetup-UpdateSSMAgent-web") == {
        "AssociationName": "QuickSetup-UpdateSSMAgent-web",
        "Name": "AWS-UpdateSSMAgent",
        "ScheduleExpression": "rate(14 days)",
        "Targets": TAG_TARGET,
    }


def test_collect_inventory(everything):
    properties = association(everything, "QuickSetup-CollectInventory-")
    assert properties["Name"] == "AWS-GatherSoftwareInventory"
    assert properties["ScheduleExpression"] == "rate(30 minutes)"
    assert properties["Targets"] == TAG_TARGET
    assert properties["Parameters"] == {
        name: ["Enabled"]
        for name in (
            "applications",
            "awsComponents",
            "networkConfig",
            "instanceDetailedInformation",
            "windowsUpdates",
            "services",
            "windowsRoles",
            "customInventory",
        )
    }


def test_scan_for_patches(everything):
    properties = association(everything, "QuickSetup-ScanForPatches-")
    assert properties["Name"] == "AWS-RunPatchBaselineAssociation"
    assert properties["Parameters"] == {"Operation": ["Scan"]}
    assert properties["ScheduleExpression"] == "rate(1 day)"
    assert properties["SyncCompliance"] == "MANUAL"
    assert properties["Targets"] == TAG_TARGET


def test_scan_for_patches_against_the_baselines_with_a_tag():
    template = local_template(scan_baseline=ScanBaseline.tagged("PatchBaseline", ["web", "db"]))
    assert association(template, "QuickSetup-ScanForPatches-")["Parameters"] == {
        "Operation": ["Scan"],
        "BaselineTags": ["Key=PatchBaseline,Values=web,db"],
    }


def test_scan_for_patches_against_a_baseline_of_the_app_tags_that_baseline():
    stack = cdk.Stack(new_app(), "Stack")
    baseline = ssm.CfnPatchBaseline(stack, "Web", name="web", operating_system="AMAZON_LINUX_2023")
    QuickSetupLocal(stack, "QuickSetup", scan_baseline=ScanBaseline.of(baseline))
    template = assertions.Template.from_stack(stack)
    [tags] = association(template, "QuickSetup-ScanForPatches-")["Parameters"]["BaselineTags"]
    key, value = tags.removeprefix("Key=").split(",Values=")
    template.has_resource_properties(
        "AWS::SSM::PatchBaseline", {"Tags": [{"Key": key, "Value": value}]}
    )
    assert key == "QuickSetupScanBaseline" and len(value) == 8


def test_a_failed_configuration_leaves_the_baseline_untagged():
    stack = cdk.Stack(new_app(), "Stack")
    baseline = ssm.CfnPatchBaseline(stack, "Web", name="web", operating_system="WINDOWS")
    with pytest.raises(QuickSetupValidationError):
        QuickSetupLocal(
            stack, "QuickSetup", scan_baseline=ScanBaseline.of(baseline), configuration_id="bad id"
        )
    assert (
        "Tags"
        not in assertions.Template.from_stack(stack).to_json()["Resources"]["Web"]["Properties"]
    )


def _document(template, association_properties):
    ref = association_properties["Name"]["Ref"]
    return template.to_json()["Resources"][ref]["Properties"]


def test_install_cloudwatch_agent_runs_once_with_our_command_document(everything):
    properties = association(everything, "QuickSetup-InstallCloudWatchAgent-")
    assert "ScheduleExpression" not in properties
    assert properties["Parameters"] == {"ConfigurationSource": ["default"]}
    assert properties["Targets"] == TAG_TARGET
    document = _document(everything, properties)
    assert document["DocumentType"] == "Command"
    steps = document["Content"]["mainSteps"]
    assert [step["inputs"]["documentPath"] for step in steps] == [
        "AWS-ConfigureAWSPackage",
        "AmazonCloudWatch-ManageAgent",
    ]
    assert (
        '"action":"Install","name":"AmazonCloudWatchAgent"'
        in steps[0]["inputs"]["documentParameters"]
    )
    configure = steps[1]["inputs"]["documentParameters"]
    assert '"action":"configure","mode":"ec2"' in configure
    assert '"optionalConfigurationSource":"{{ ConfigurationSource }}"' in configure


def test_install_cloudwatch_agent_reads_the_users_configuration_parameter():
    template = local_template(
        install_cloudwatch_agent=True, cloudwatch_agent_config_parameter="/cw/agent-config"
    )
    assert association(template, "QuickSetup-InstallCloudWatchAgent-")["Parameters"] == {
        "ConfigurationSource": ["ssm"],
        "ConfigurationLocation": ["/cw/agent-config"],
    }


def test_update_cloudwatch_agent_waits_for_a_first_install(everything):
    properties = association(everything, "QuickSetup-UpdateCloudWatchAgent-")
    assert properties["ScheduleExpression"] == "rate(30 days)"
    assert properties["Parameters"] == {"WaitSeconds": ["1800"]}
    steps = _document(everything, properties)["Content"]["mainSteps"]
    assert steps[-1]["inputs"]["documentPath"] == "AWS-ConfigureAWSPackage"
    assert (
        '"action":"Install","name":"AmazonCloudWatchAgent"'
        in steps[-1]["inputs"]["documentParameters"]
    )


def test_update_cloudwatch_agent_alone_does_not_wait():
    template = local_template(update_cloudwatch_agent=True)
    assert association(template, "QuickSetup-UpdateCloudWatchAgent-")["Parameters"] == {
        "WaitSeconds": ["0"]
    }


def test_cloudwatch_options_add_the_agent_policy_to_the_instance_role(everything, defaults):
    agent_policy = Match.object_like(
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/CloudWatchAgentServerPolicy"],
            ]
        }
    )
    everything.has_resource_properties(
        "AWS::IAM::Role", {"ManagedPolicyArns": Match.array_with([agent_policy])}
    )
    for role in defaults.find_resources("AWS::IAM::Role").values():
        assert "CloudWatchAgentServerPolicy" not in str(role)


def test_update_ec2_launch_agent_installs_the_launch_agent_package_on_windows_only(everything):
    properties = association(everything, "QuickSetup-UpdateEC2LaunchAgent-web")
    assert properties["ScheduleExpression"] == "rate(30 days)"
    assert properties["Targets"] == TAG_TARGET
    assert "Parameters" not in properties
    document = _document(everything, properties)
    assert document["DocumentType"] == "Command"
    [step] = document["Content"]["mainSteps"]
    assert step["action"] == "aws:runDocument"
    assert step["precondition"] == {"StringEquals": ["platformType", "Windows"]}
    assert step["inputs"]["documentPath"] == "AWS-ConfigureAWSPackage"
    assert (
        step["inputs"]["documentParameters"] == '{"action":"Install","name":"AWSEC2Launch-Agent"}'
    )


def test_update_ec2_launch_agent_is_off_by_default(defaults):
    names = [
        r["Properties"]["AssociationName"]
        for r in defaults.find_resources("AWS::SSM::Association").values()
    ]
    assert not any("UpdateEC2LaunchAgent" in name for name in names)
    defaults.resource_count_is("AWS::SSM::Document", 1)  # the instance profile runbook only


def test_enable_explorer_runs_once_for_the_account_with_its_own_role(everything):
    properties = association(everything, "QuickSetup-EnableExplorer-web")
    assert properties["Name"] == "AWS-EnableExplorer"
    assert "Targets" not in properties, "Explorer is enabled for the account and Region"
    assert "ScheduleExpression" not in properties, "it runs once, when created"
    [role_arn] = properties["Parameters"]["AutomationAssumeRole"]
    role = everything.to_json()["Resources"][role_arn["Fn::GetAtt"][0]]["Properties"]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":iam::aws:policy/AWSSystemsManagerEnableExplorerExecutionPolicy",
                ],
            ]
        }
    ]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ssm.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {
        "aws:SourceAccount": {"Ref": "AWS::AccountId"}
    }
    assert (
        statement["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Join"][1][-1]
        == ":automation-execution/*"
    )


def test_enable_explorer_off_creates_no_explorer_role():
    template = local_template(enable_explorer=False)
    assert "AWSSystemsManagerEnableExplorerExecutionPolicy" not in str(template.to_json())
    names = [
        r["Properties"]["AssociationName"]
        for r in template.find_resources("AWS::SSM::Association").values()
    ]
    assert not any("EnableExplorer" in name for name in names)


def test_default_host_management_registers_its_own_role_for_the_account_and_region():
    stack, quick_setup = local_stack(default_host_management=True, configuration_id="web")
    template = assertions.Template.from_stack(stack)
    [setting] = template.find_resources("AWS::SSM::ServiceSetting").values()
    assert (
        setting["Properties"]["SettingId"]
        == "/ssm/managed-instance/default-ec2-instance-management-role"
    )
    role_id = setting["Properties"]["SettingValue"]["Ref"]
    assert setting["Metadata"]["QuickSetupConfigurationId"] == "web"
    role = template.to_json()["Resources"][role_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "ssm.amazonaws.com"},
        }
    ]
    assert role["ManagedPolicyArns"] == [
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":iam::aws:policy/AmazonSSMManagedEC2InstanceDefaultPolicy",
                ],
            ]
        }
    ]
    assert quick_setup.default_host_management is not None
    assert stack.resolve(quick_setup.default_host_management_role.role_name) == {"Ref": role_id}


def test_default_host_management_is_off_by_default(defaults):
    defaults.resource_count_is("AWS::SSM::ServiceSetting", 0)
    assert "AmazonSSMManagedEC2InstanceDefaultPolicy" not in str(defaults.to_json())


def test_inventory_sync_to_a_new_bucket_that_only_this_account_may_deliver_to():
    stack, quick_setup = local_stack(
        env=ENV,
        inventory_sync=InventorySync.to_new_bucket(prefix="inventory"),
        configuration_id="web",
    )
    template = assertions.Template.from_stack(stack)
    resources = template.to_json()["Resources"]
    [(bucket_id, bucket)] = template.find_resources("AWS::S3::Bucket").items()
    assert bucket["DeletionPolicy"] == "Retain", "the inventory history is kept"
    properties = bucket["Properties"]
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    [(policy_id, policy)] = template.find_resources("AWS::S3::BucketPolicy").items()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    [tls] = [s for s in statements if s["Effect"] == "Deny"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    delivery = next(s for s in statements if s.get("Sid") == "SSMBucketDelivery")
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"]["Fn::Join"][1][-1] == "/inventory/*/accountid=111111111111/*"
    assert delivery["Condition"]["StringEquals"] == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SourceAccount": "111111111111",
    }
    assert joined(delivery["Condition"]["ArnLike"]["aws:SourceArn"]) == (
        f"arn:{arn_partition('recommended')}:ssm:*:111111111111:resource-data-sync/*"
    )
    assert "SSMBucketDeliveryTagging" not in str(statements), "only the organization form tags"
    [(_sync_id, sync)] = template.find_resources("AWS::SSM::ResourceDataSync").items()
    assert sync["Properties"] == {
        "SyncName": "QuickSetup-Inventory-web",
        "BucketName": {"Ref": bucket_id},
        "BucketRegion": "us-east-1",
        "BucketPrefix": "inventory",
        "SyncFormat": "JsonSerDe",
    }
    assert sync["DependsOn"] == [policy_id], (
        "Systems Manager checks the bucket when the sync is created"
    )
    assert quick_setup.inventory_bucket is not None and quick_setup.inventory_sync is not None
    assert resources[bucket_id]["Type"] == "AWS::S3::Bucket"


def test_inventory_sync_to_your_bucket_creates_no_bucket():
    template = local_template(
        inventory_sync=InventorySync.to_bucket("central-inventory", "eu-west-1", prefix="fleet/a")
    )
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.has_resource_properties(
        "AWS::SSM::ResourceDataSync",
        {
            "BucketName": "central-inventory",
            "BucketRegion": "eu-west-1",
            "BucketPrefix": "fleet/a",
            "KMSKeyArn": Match.absent(),
        },
    )


def test_the_new_bucket_can_log_its_access():
    stack = cdk.Stack(new_app(), "Stack")
    logs = s3.Bucket.from_bucket_name(stack, "Logs", "access-logs")
    QuickSetupLocal(
        stack,
        "QuickSetup",
        inventory_sync=InventorySync.to_new_bucket(server_access_logs_bucket=logs),
    )
    assertions.Template.from_stack(stack).has_resource_properties(
        "AWS::S3::Bucket",
        {
            "LoggingConfiguration": {"DestinationBucketName": "access-logs"},
        },
    )


def test_inventory_stays_in_systems_manager_by_default(defaults):
    defaults.resource_count_is("AWS::SSM::ResourceDataSync", 0)
    defaults.resource_count_is("AWS::S3::Bucket", 0)


def test_attach_instance_profile_is_an_automation_that_never_replaces(everything):
    properties = association(everything, "QuickSetup-AttachInstanceProfile-")
    assert properties["ScheduleExpression"] == "rate(30 days)"
    assert properties["AutomationTargetParameterName"] == "InstanceId"
    assert properties["Targets"] == TAG_TARGET
    assert properties["Parameters"]["AllowPolicyAttach"] == ["false"]
    resources = everything.to_json()["Resources"]
    profile_ref = properties["Parameters"]["InstanceProfileName"][0]["Ref"]
    assert resources[profile_ref]["Type"] == "AWS::IAM::InstanceProfile"
    role_arn = properties["Parameters"]["AutomationAssumeRole"][0]["Fn::GetAtt"]
    assert resources[role_arn[0]]["Type"] == "AWS::IAM::Role"
    document = _document(everything, properties)
    assert document["DocumentType"] == "Automation"
    assert document["Content"]["assumeRole"] == "{{ AutomationAssumeRole }}"
    step = document["Content"]["mainSteps"][0]
    assert step["action"] == "aws:executeScript"
    assert [s["action"] for s in document["Content"]["mainSteps"]] == ["aws:executeScript"]
    assert "def attach_profile_if_missing(" in step["inputs"]["Script"]


def test_default_instance_role_and_profile(defaults):
    defaults.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    Match.object_like(
                        {"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    )
                ]
            },
            "ManagedPolicyArns": [
                {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::aws:policy/{name}"]]}
                for name in ("AmazonSSMManagedInstanceCore", "AmazonSSMPatchAssociation")
            ],
        },
    )
    defaults.resource_count_is("AWS::IAM::InstanceProfile", 1)


def _automation_policy_actions(template):
    [policy] = template.find_resources("AWS::IAM::ManagedPolicy").values()
    actions = set()
    for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions, policy["Properties"]["PolicyDocument"]["Statement"]


def test_default_service_role_has_the_eight_quick_setup_permissions(defaults):
    defaults.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "ssm.amazonaws.com"},
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                        },
                    }
                ]
            },
        },
    )
    actions, statements = _automation_policy_actions(defaults)
    assert actions == {
        "iam:CreateInstanceProfile",
        "iam:ListInstanceProfilesForRole",
        "iam:PassRole",
        "ec2:DescribeIamInstanceProfileAssociations",
        "iam:GetInstanceProfile",
        "ec2:DisassociateIamInstanceProfile",
        "ec2:AssociateIamInstanceProfile",
        "iam:AddRoleToInstanceProfile",
    }
    [associate] = [s for s in statements if s["Action"] == "ec2:AssociateIamInstanceProfile"]
    assert associate["Condition"]["Null"] == {"ec2:InstanceProfile": "true"}
    [pass_role] = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}


def test_allow_policy_attach_lets_the_automation_attach_only_the_ssm_policies():
    template = local_template(allow_policy_attach=True)
    assert association(template, "QuickSetup-AttachInstanceProfile-")["Parameters"][
        "AllowPolicyAttach"
    ] == ["true"]
    actions, statements = _automation_policy_actions(template)
    assert "iam:AttachRolePolicy" in actions
    [attach] = [s for s in statements if s["Action"] == "iam:AttachRolePolicy"]
    allowed = attach["Condition"]["ArnEquals"]["iam:PolicyARN"]
    assert [arn["Fn::Join"][1][-1] for arn in allowed] == [
        ":iam::aws:policy/AmazonSSMManagedInstanceCore",
        ":iam::aws:policy/AmazonSSMPatchAssociation",
    ]


def test_schedules_can_be_overridden():
    template = local_template(
        schedules={"scan_for_patches": "cron(0 3 ? * SUN *)", "update_ssm_agent": "rate(7 days)"}
    )
    assert (
        association(template, "QuickSetup-ScanForPatches-")["ScheduleExpression"]
        == "cron(0 3 ? * SUN *)"
    )
    assert (
        association(template, "QuickSetup-UpdateSSMAgent-")["ScheduleExpression"] == "rate(7 days)"
    )
    assert (
        association(template, "QuickSetup-CollectInventory-")["ScheduleExpression"]
        == "rate(30 minutes)"
    )


def test_inventory_extra_types_are_opt_in():
    template = local_template(
        inventory=InventorySettings(
            files=[InventoryFilePath("/etc", ["*.conf"], recursive=True, dir_scan_limit=100)],
            windows_registry=[
                InventoryRegistryKey(
                    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Amazon", value_names=["Version"]
                )
            ],
            billing_info=False,
        )
    )
    parameters = association(template, "QuickSetup-CollectInventory-")["Parameters"]
    assert parameters["files"] == [
        '[{"Path":"/etc","Pattern":["*.conf"],"Recursive":true,"DirScanLimit":100}]'
    ]
    assert parameters["windowsRegistry"] == [
        '[{"Path":"HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Amazon","Recursive":false,"ValueNames":["Version"]}]'
    ]
    assert parameters["billingInfo"] == ["Disabled"]
    assert parameters["applications"] == ["Enabled"]


def test_options_switched_off_create_nothing():
    template = local_template(
        update_ssm_agent=False,
        collect_inventory=False,
        scan_for_patches=False,
        attach_instance_profile=False,
        enable_explorer=False,
    )
    template.resource_count_is("AWS::SSM::Association", 0)
    template.resource_count_is("AWS::SSM::Document", 0)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    template.resource_count_is("AWS::IAM::Role", 1)  # the instance role stays


def test_configuration_id_is_derived_from_the_construct_path_and_stable():
    first = association(local_template(), "QuickSetup-UpdateSSMAgent-")["AssociationName"]
    second = association(local_template(), "QuickSetup-UpdateSSMAgent-")["AssociationName"]
    assert first == second
    assert first.removeprefix("QuickSetup-UpdateSSMAgent-").isalnum()
    assert len(first.removeprefix("QuickSetup-UpdateSSMAgent-")) == 8


@pytest.mark.parametrize("construct", [QuickSetupLocal, QuickSetupOrganization])
def test_props_defaults_match_the_catalogue(construct):
    parameters = inspect.signature(construct.__init__).parameters
    for option in CATALOGUE:
        assert parameters[option.key].default is option.enabled_by_default, option.key
        assert parameters[option.key].kind is inspect.Parameter.KEYWORD_ONLY


def test_every_option_has_a_distinct_association_name_and_prop():
    assert len({option.association_name for option in CATALOGUE}) == len(CATALOGUE)
    assert len({option.key for option in CATALOGUE}) == len(CATALOGUE)
