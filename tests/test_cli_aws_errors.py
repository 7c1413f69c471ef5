"""How an AWS error reads: one line that names the call, where it was made, and why.

The errors are botocore's own ``ClientError``, built from the response botocore parses (the
``Error`` code and message, the HTTP status). The codes are those AWS documents:
``AccessDenied`` (query protocol services, e.g. STS and CloudFormation) and
``AccessDeniedException`` (JSON protocol services, e.g. Systems Manager), EC2's
``UnauthorizedOperation``, ``ExpiredToken`` (STS), ``ExpiredTokenException``,
``RequestExpired`` (EC2), ``UnrecognizedClientException``, ``InvalidClientTokenId``,
``SignatureDoesNotMatch``, ``Throttling`` (query protocol), ``ThrottlingException`` and
``TooManyRequestsException`` (JSON protocol): AWS's "Common Errors" pages of the API
references (e.g. https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from quicksetup_constructs.cli.aws import ATTEMPTS, describe_client_error, error_code, one_line

WHERE = " in 111122223333/eu-west-1"


def client_error(code: str, message: str = "why", status: int = 400, operation: str = "Op"):
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        operation,
    )


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_expired_credentials_say_to_refresh_them(code):
    assert describe_client_error(client_error(code, operation="ListAssociations"), WHERE) == (
        "the AWS credentials have expired (ListAssociations in 111122223333/eu-west-1): "
        "refresh them and try again"
    )


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"])
def test_a_denied_call_names_the_call_and_aws_reason(code):
    error = client_error(
        code, "User: arn:aws:iam::1:user/x is not authorized", operation="AssumeRole"
    )
    assert describe_client_error(error, WHERE) == (
        "AWS denied AssumeRole in 111122223333/eu-west-1: User: arn:aws:iam::1:user/x is not "
        "authorized"
    )


@pytest.mark.parametrize(
    "code", ["UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"]
)
def test_rejected_credentials_say_so(code):
    error = client_error(code, "The security token included in the request is invalid.")
    assert describe_client_error(error) == (
        "the AWS credentials were rejected (Op): The security token included in the request is "
        "invalid."
    )


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "TooManyRequestsException"])
def test_throttling_says_how_many_tries_were_made(code):
    assert ATTEMPTS == 3  # the AWS CLI's standard retry mode
    assert describe_client_error(client_error(code, "Rate exceeded"), WHERE) == (
        "Op in 111122223333/eu-west-1 was throttled after 3 tries: Rate exceeded; try again later"
    )


@pytest.mark.parametrize("status", [500, 502, 503, 599])
def test_a_server_error_names_the_http_status(status):
    error = client_error("InternalFailure", "oops", status=status)
    assert describe_client_error(error) == (f"Op failed: the service answered HTTP {status}: oops")


def test_a_numeric_code_is_an_http_status_without_a_code():
    """botocore gives the HTTP status as the code when the body names none (an HTML page)."""
    error = client_error("404", "Not Found", status=0)
    assert describe_client_error(error) == "Op failed: the service answered HTTP 404: Not Found"


@pytest.mark.parametrize("status", [400, 499])
def test_any_other_client_error_names_its_code(status):
    error = client_error("ValidationException", "1 validation error", status=status)
    assert describe_client_error(error, WHERE) == (
        "Op in 111122223333/eu-west-1 failed: ValidationException: 1 validation error"
    )


def test_an_error_without_code_or_message_still_reads():
    error = ClientError({}, "DescribeStacks")
    assert describe_client_error(error) == (
        "DescribeStacks failed: Error: An error occurred (Unknown) when calling the "
        "DescribeStacks operation: Unknown"
    )


def test_an_error_without_an_operation_names_the_request():
    error = client_error("ValidationException", "bad")
    del error.operation_name
    assert describe_client_error(error) == "the request failed: ValidationException: bad"


def test_a_multi_line_message_is_one_line():
    error = client_error("AccessDenied", "<html><body>\n  Denied\n\n  here </body></html>")
    assert describe_client_error(error) == "AWS denied Op: Denied here"


def test_one_line_cuts_at_its_limit_with_an_ellipsis():
    assert one_line("a" * 200) == "a" * 200
    assert one_line("a" * 201) == "a" * 199 + "…"
    # White space folds first: "word word word" is 14 characters.
    assert one_line("word " * 3, limit=14) == "word word word"
    assert one_line("word " * 3, limit=13) == "word word wo…"


def test_error_code_reads_the_code_or_none():
    assert error_code(client_error("Throttling")) == "Throttling"
    assert error_code(ClientError({}, "Op")) is None
    assert error_code(ValueError("no response")) is None
