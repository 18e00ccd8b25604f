"""model_audit.py's own test: answers that are wrong in each way it checks must each be reported, and right ones not.

Usage: python3 model_audit_selftest.py. Feeds hand-made response dicts (as botocore's before-parse event has them)
through audit_response with botocore's DynamoDB, Lambda and CloudWatch Logs models. Prints one JSON object on the last
line: {"cases": N, "wrong": [...]}, where "wrong" names each case whose violations were not the expected ones.
"""
import json

import botocore.session

import model_audit

session = botocore.session.get_session()
models = {name: session.get_service_model(name) for name in ("dynamodb", "lambda", "logs")}
cases = []
wrong = []


def case(name, service, operation, status, body, expected, headers=None):
    """expected: substrings, one per violation the audit must report (and no more)."""
    model = models[service]
    violations = []
    response = {"status_code": status, "body": body.encode() if isinstance(body, str) else body, "headers": headers or {}}
    model_audit.audit_response(model, model.operation_model(operation), response, violations)
    cases.append(name)
    if len(violations) != len(expected) or not all(any(e in v for v in violations) for e in expected):
        wrong.append(f"{name}: expected {expected}, got {violations}")


item = '{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}'
case("a right GetItem", "dynamodb", "GetItem", 200, item, [])
case("an unknown member", "dynamodb", "GetItem", 200, '{"Item":{},"Extra":1}', ["GetItem.Extra: not a member"])
case("a union with two members", "dynamodb", "GetItem", 200, '{"Item":{"a":{"S":"x","N":"1"}}}', ["union AttributeValue with 2"])
case("a number as a JSON number", "dynamodb", "GetItem", 200, '{"Item":{"a":{"N":1}}}', ["not a string"])
case("a null", "dynamodb", "GetItem", 200, '{"Item":null}', ["GetItem.Item: null"])
case("an enum value the model lacks", "dynamodb", "DescribeTable", 200, '{"Table":{"TableStatus":"READY"}}',
     ["is not in the enum TableStatus"])
case("a timestamp as a string", "dynamodb", "DescribeTable", 200, '{"Table":{"CreationDateTime":"2026-01-01"}}',
     ["not epoch seconds"])
case("an integer as a string", "dynamodb", "DescribeTable", 200, '{"Table":{"ItemCount":"3"}}', ["not an integer"])
case("a boolean as a number", "dynamodb", "DescribeTable", 200, '{"Table":{"DeletionProtectionEnabled":1}}',
     ["not a boolean"])
case("a list as an object", "dynamodb", "ListTables", 200, '{"TableNames":{}}', ["not a list"])
case("a body that is not JSON", "dynamodb", "ListTables", 200, "<html>", ["not JSON"])
case("a right DynamoDB error", "dynamodb", "GetItem", 400,
     '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}', [])
case("an error code the operation does not answer", "dynamodb", "ListTables", 400,
     '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"x"}',
     ["code ConditionalCheckFailedException is not one the model names"])
case("an error without a code", "dynamodb", "GetItem", 400, '{"message":"x"}', ["no error code"])
case("a right Lambda configuration", "lambda", "GetFunctionConfiguration", 200,
     '{"FunctionName":"f","MemorySize":128,"LastModified":"2026-01-01T00:00:00.000+0000","State":"Active"}', [])
case("a Lambda enum value the model lacks", "lambda", "GetFunctionConfiguration", 200, '{"State":"Ready"}',
     ["not in the enum State"])
case("a Lambda string too long", "lambda", "GetFunctionConfiguration", 200, '{"Description":"' + "d" * 257 + '"}',
     ["above the model's max 256"])
case("a Lambda member bound to a header in the body", "lambda", "Invoke", 200, b"\x00raw", [])
case("a right Lambda error", "lambda", "GetFunction", 404,
     '{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:f"}', [],
     {"x-amzn-errortype": "ResourceNotFoundException"})
case("a Lambda error member the shape lacks", "lambda", "GetFunction", 404, '{"Type":"User","Message":"m","Detail":1}',
     ["ResourceNotFoundException.Detail: not a member"], {"x-amzn-errortype": "ResourceNotFoundException"})
case("a right Logs answer", "logs", "DescribeLogGroups", 200, '{"logGroups":[{"logGroupName":"/aws/lambda/f","storedBytes":0}]}', [])
case("a Logs integer as a string", "logs", "GetLogEvents", 200, '{"events":[{"timestamp":"x"}]}', ["not an integer"])

print(json.dumps({"cases": len(cases), "wrong": wrong}))
