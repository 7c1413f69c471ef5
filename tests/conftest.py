import os

from hypothesis import settings

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

# Hypothesis: in CI (`.ci/run` exports CI=1; most CI services set CI=true) every run draws the
# same examples, so that a red build can be re-run and a green one means the same thing twice:
# derandomized (examples seeded from each test), no deadline (a shared runner's timing is not
# the code's), and no example database (nothing to carry from one run to the next). Locally,
# Hypothesis' default profile draws new examples on every run.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.load_profile(
    "ci" if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no") else "default"
)
