"""What the boto3 scripts (dynamodb_boto3.py, dynamodb_streams_boto3.py) share: how one call becomes an observation."""
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
