"""What the CloudWatch Logs scripts record of each call: its answer, or the error boto3 raised.

observe(observations, name, call) keeps call()'s result under name, or {"error": {"code", "message", "status"}} when
boto3 raised ClientError; answer(response) drops ResponseMetadata, leaving what the operation returned.
"""

from botocore.exceptions import ClientError


def observe(observations, name, call):
    try:
        observations[name] = call()
    except ClientError as e:
        observations[name] = {"error": {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                                        "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}}


def answer(response):
    """An answer without its ResponseMetadata (what the operation returned)."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
