"""Checks every answer a botocore client parses against the service model botocore ships (the AWS API model).

botocore's parser is lenient: it drops members it does not know, takes a string where the model says integer, and never
looks at enums, so a wrong answer can still parse. This audit is strict. For each response it walks the body (JSON
protocols: the whole body; rest-json: the members not bound to headers, the status code or a blob payload) against the
operation's output shape, or, for an error, checks the envelope and its error code against the shapes the model names,
and records every departure:
- a member the shape does not have, or a JSON null;
- a value of the wrong JSON type (string, integer, boolean, number, list, map, structure, base64 blob, timestamp in the
  protocol's format);
- a string outside its enum, or a string, list or blob shorter or longer than the model allows (not numbers' ranges:
  DynamoDB itself answers NumberOfDecreasesToday 0 where the model says at least 1);
- a union (such as DynamoDB's AttributeValue) without exactly one member set.
Usage: install(client, violations) registers the check on a client; violations is a list that gets one line each.
Run(*clients) does that for scripts that also check each call's outcome.
"""
import base64
import binascii
import json

from botocore.exceptions import ClientError

# Structures that hold exactly one member although botocore's model does not mark them as unions: DynamoDB's
# AttributeValue (one data type and its value).
UNTAGGED_UNIONS = {"AttributeValue"}


class Run:
    """For the scripts that call every operation of a service (dynamodb_model_audit_boto3.py,
    lambda_model_audit_boto3.py): the audit installed on each client, the answers counted, and each call's expected
    outcome checked: ok() must succeed, refused() must fail with a service error (its answer audited all the same).
    report() is the script's last line: {"responses": N, "violations": [...], "failed": {call: what went otherwise}}."""

    def __init__(self, *clients):
        self.violations = []
        self.responses = 0
        self.failed = {}
        for client in clients:
            install(client, self.violations)
            client.meta.events.register("after-call", self._count)

    def _count(self, **kwargs):
        self.responses += 1

    def ok(self, name, call):
        try:
            return call()
        except ClientError as e:
            self.failed[name] = f"{e.response['Error']['Code']}: {e.response['Error']['Message']}"
            return None

    def refused(self, name, call):
        try:
            call()
            self.failed[name] = "succeeded, but should have been refused"
        except ClientError:
            pass

    def report(self):
        return json.dumps({"responses": self.responses, "violations": self.violations, "failed": self.failed})


def install(client, violations):
    service = client.meta.service_model

    def before_parse(operation_model, response_dict, **kwargs):
        try:
            audit_response(service, operation_model, response_dict, violations)
        except Exception as e:  # a bug in the audit must show, not pass silently
            violations.append(f"{operation_model.name}: audit failed: {type(e).__name__}: {e}")

    client.meta.events.register(f"before-parse.{service.service_id.hyphenize()}", before_parse)


def audit_response(service, operation_model, response_dict, violations):
    name = operation_model.name
    status = response_dict["status_code"]
    body = response_dict["body"]
    protocol = service.metadata["protocol"]
    if status >= 300:
        audit_error(service, operation_model, status, body, response_dict["headers"], violations)
        return
    shape = operation_model.output_shape
    if shape is None:
        return
    if protocol == "json":
        data = parse_json(name, body, violations)
        if data is not None:
            check(shape, data, name, protocol, violations)
        return
    # rest-json: a blob payload member is the raw body; a structure payload is the body; otherwise the members that
    # are not bound to headers or the status code are.
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if member.type_name in ("blob", "string"):
            return
        data = parse_json(name, body, violations)
        if data is not None:
            check(member, data, f"{name}.{payload}", protocol, violations)
        return
    body_members = {k: v for k, v in shape.members.items() if v.serialization.get("location") is None}
    data = parse_json(name, body, violations, allow_empty=not body_members)
    if data is None:
        return
    if not isinstance(data, dict):
        violations.append(f"{name}: body is {type(data).__name__}, not an object")
        return
    check_members(body_members, shape.name, data, name, protocol, violations)


def audit_error(service, operation_model, status, body, headers, violations):
    name = operation_model.name
    data = parse_json(name, body, violations, allow_empty=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        violations.append(f"{name} error: body is {type(data).__name__}, not an object")
        return
    code = headers.get("x-amzn-errortype") or data.get("__type") or data.get("code") or data.get("Code") or ""
    code = code.split(":")[0].split("#")[-1]
    if not code:
        violations.append(f"{name} error {status}: no error code in the body or x-amzn-ErrorType")
        return
    known = {s.error_code if hasattr(s, "error_code") else s.name for s in operation_model.error_shapes}
    known |= {s.name for s in operation_model.error_shapes}
    # Errors every operation of a service may answer, outside each operation's modelled list (the common errors of
    # AWS's protocols: signing, throttling, validation).
    common = {"ValidationException", "SerializationException", "UnrecognizedClientException",
              "MissingAuthenticationTokenException", "AccessDeniedException", "ThrottlingException",
              "InternalServerError", "InternalFailure", "ServiceUnavailable", "InvalidSignatureException",
              "IncompleteSignatureException", "UnknownOperationException", "RequestTimeout"}
    if code not in known and code not in common:
        violations.append(f"{name} error {status}: code {code} is not one the model names for it")
    for key, value in data.items():
        if key in ("__type", "message", "Message", "Type", "code", "Code"):
            if not isinstance(value, str):
                violations.append(f"{name} error.{key}: {type(value).__name__}, not a string")
            continue
        shape = next((s for s in operation_model.error_shapes if s.name == code), None)
        member = shape.members.get(key) if shape is not None else None
        if member is None:
            violations.append(f"{name} error {code}.{key}: not a member of the error shape")
        else:
            check(member, value, f"{name} error {code}.{key}", service.metadata["protocol"], violations)


def parse_json(name, body, violations, allow_empty=False):
    if not body:
        if allow_empty:
            return None
        violations.append(f"{name}: empty body where the model has members")
        return None
    try:
        return json.loads(body)
    except ValueError as e:
        violations.append(f"{name}: body is not JSON: {e}")
        return None


def check(shape, value, path, protocol, violations):
    if value is None:
        violations.append(f"{path}: null")
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            violations.append(f"{path}: {type(value).__name__}, not an object ({shape.name})")
            return
        members = {m.serialization.get("name", k): m for k, m in shape.members.items()}
        check_members(members, shape.name, value, path, protocol, violations)
        if getattr(shape, "is_tagged_union", False) or shape.name in UNTAGGED_UNIONS:
            if len(value) != 1:
                violations.append(f"{path}: union {shape.name} with {len(value)} members set")
    elif kind == "list":
        if not isinstance(value, list):
            violations.append(f"{path}: {type(value).__name__}, not a list ({shape.name})")
            return
        check_length(shape, len(value), path, violations)
        for i, item in enumerate(value):
            check(shape.member, item, f"{path}[{i}]", protocol, violations)
    elif kind == "map":
        if not isinstance(value, dict):
            violations.append(f"{path}: {type(value).__name__}, not a map ({shape.name})")
            return
        for key, item in value.items():
            check(shape.key, key, f"{path} key", protocol, violations)
            check(shape.value, item, f"{path}[{key}]", protocol, violations)
    elif kind == "string":
        if not isinstance(value, str):
            violations.append(f"{path}: {type(value).__name__} {value!r}, not a string ({shape.name})")
            return
        if shape.enum and value not in shape.enum:
            violations.append(f"{path}: {value!r} is not in the enum {shape.name}")
        check_length(shape, len(value), path, violations)
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            violations.append(f"{path}: {type(value).__name__} {value!r}, not an integer ({shape.name})")
            return
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            violations.append(f"{path}: {type(value).__name__} {value!r}, not a number ({shape.name})")
    elif kind == "boolean":
        if not isinstance(value, bool):
            violations.append(f"{path}: {type(value).__name__} {value!r}, not a boolean ({shape.name})")
    elif kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat") or ("unixTimestamp" if protocol in ("json", "rest-json") else "iso8601")
        if fmt == "unixTimestamp" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            violations.append(f"{path}: {value!r}, not epoch seconds ({shape.name})")
        elif fmt != "unixTimestamp" and not isinstance(value, str):
            violations.append(f"{path}: {value!r}, not a {fmt} string ({shape.name})")
    elif kind == "blob":
        if not isinstance(value, str):
            violations.append(f"{path}: {type(value).__name__}, not base64 ({shape.name})")
            return
        try:
            base64.b64decode(value, validate=True)
        except binascii.Error:
            violations.append(f"{path}: not valid base64 ({shape.name})")
        check_length(shape, len(base64.b64decode(value)), path, violations)


def check_members(members, shape_name, value, path, protocol, violations):
    """An object's keys against a structure's members (by their names on the wire)."""
    for key, item in value.items():
        member = members.get(key)
        if member is None:
            violations.append(f"{path}.{key}: not a member of {shape_name}")
        else:
            check(member, item, f"{path}.{key}", protocol, violations)


def check_length(shape, length, path, violations):
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        violations.append(f"{path}: length {length} below the model's min {low} ({shape.name})")
    if high is not None and length > high:
        violations.append(f"{path}: length {length} above the model's max {high} ({shape.name})")

