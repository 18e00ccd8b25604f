"""What the boto3 scripts (dynamodb_boto3.py, dynamodb_streams_boto3.py) share: how one call becomes an observation."""
import zlib

from botocore.exceptions import ClientError


def observation(fn, plain):
    """Calls fn: {"ok": True, "value": plain(result)}, or the error it raised (a ClientError with the service's code,
    message and status; anything else, such as a waiter failure or a client-side validation error, by its name)."""
    try:
        return {"ok": True, "value": plain(fn())}
    except ClientError as e:
        err = e.response.get("Error", {})
        return {"ok": False, "error": {
            "name": type(e).__name__, "code": err.get("Code"), "message": err.get("Message"),
            "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")}}
    except Exception as e:
        return {"ok": False, "error": {"name": type(e).__name__, "code": None, "message": str(e), "status": None}}


def count_call(stats, http_response, parsed):
    """Counts a call (an after-call hook's arguments) in stats: retried, and without or with a wrong x-amz-crc32 (which
    the scripts check themselves, as botocore verifies it only in its legacy retry mode)."""
    stats["calls"] += 1
    if parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0) > 0:
        stats["retried_calls"] += 1
    header = http_response.headers.get("x-amz-crc32")
    if header is None:
        stats["missing_crc32"] += 1
    elif int(header) != zlib.crc32(http_response.content) & 0xFFFFFFFF:
        stats["crc_mismatches"] += 1
