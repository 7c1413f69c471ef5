"""Default Host Management Configuration (DHMC): Systems Manager manages every EC2 instance of
the account and Region, with or without an instance profile.

With DHMC on, the SSM Agent of an instance that has no instance profile (or one without
``ssm:UpdateInstanceInformation``) gets credentials from Systems Manager, which assumes a role
registered for the account and Region. The registration is the service setting
:data:`SETTING_ID`; an ``AWS::SSM::ServiceSetting`` sets it to the role's name when created and
resets it (DHMC off) when deleted, so switching the option off really turns DHMC off.

Trade-offs against the instance profile that ``attach_instance_profile`` gives instances:

- DHMC needs IMDSv2 on the instance and SSM Agent 3.2.582.0 or later; a profile works with both
  metadata versions and older agents.
- DHMC acts on every instance of the account and Region, whatever the configuration's
  ``targets``; the profile only on targeted instances, and only every 30 days.
- The DHMC role carries AmazonSSMManagedEC2InstanceDefaultPolicy, for the agent only: it does not
  give the CloudWatch agent permission to publish, nor the scan the patch-baseline reads that
  ``ScanBaseline`` needs, and software on the instance gets no credentials from it.
- An instance profile wins when it allows ``ssm:UpdateInstanceInformation``: instances with one
  keep using it.
- An instance may take up to 30 minutes to pick the role up.
- It is one setting per account and Region: two configurations that both set it are rejected at
  synth time (see :mod:`quicksetup_constructs.conflicts`).
"""

KEY = "default_host_management"
"""The prop that switches DHMC on."""
TITLE = "Turn on Default Host Management Configuration"
SETTING_ID = "/ssm/managed-instance/default-ec2-instance-management-role"
"""The service setting that holds the name of the DHMC role."""
ENABLED_BY_DEFAULT = False
"""Host Management leaves DHMC alone (it is a Quick Setup configuration type of its own)."""
