"""``quicksetup import``: the account's console Quick Setup configurations, as a CDK app.

- :mod:`.console` reads them: configuration managers (``ssm-quicksetup``) and the State
  Manager associations the older console left behind;
- :mod:`.translate` maps each configuration definition to a construct and its props;
- :mod:`.source` writes the CDK Python app;
- :mod:`.cutover` writes the plan that moves from the console to the app.
"""
