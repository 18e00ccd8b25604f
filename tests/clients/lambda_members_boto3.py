"""boto3's lambda client sending, through each control-plane operation that takes a body, the members the host takes.

Usage: python3 lambda_members_boto3.py <endpoint-url> <zip-file> <test-marker>. boto3 serializes each member with its
model type, so a member the host's request shapes typed wrongly would be refused (400 InvalidRequestContentException).
Prints one JSON object on the last line of stdout: each call's answer (without ResponseMetadata), or
{"error": {"code", "message", "status"}} for what it raised.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

import model_audit

endpoint, zip_path, marker = sys.argv[1], sys.argv[2], sys.argv[3]
lam = boto3.client("lambda", endpoint_url=endpoint)
role = "arn:aws:iam::000000000000:role/lambda"
with open(zip_path, "rb") as f:
    code = f.read()
observations = {}
model_violations = []  # what model_audit finds wrong in any answer, printed as "modelViolations"
model_audit.install(lam, model_violations)


def observe(name, call):
    try:
        answer = call()
        answer.pop("ResponseMetadata", None)
        observations[name] = answer
    except ClientError as e:
        observations[name] = {"error": {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"],
                                        "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}}


observe("created", lambda: lam.create_function(
    FunctionName="members", Runtime="provided.al2023", Role=role, Handler="function.handler", Code={"ZipFile": code},
    Description="every member", Timeout=10, MemorySize=256, Publish=True,
    VpcConfig={"SubnetIds": [], "SecurityGroupIds": []}, DeadLetterConfig={}, TracingConfig={"Mode": "PassThrough"},
    Environment={"Variables": {"HANDSHAKE_TEST_MARKER": marker, "PORT": "8080"}}, Tags={"team": "platform"},
    Architectures=["x86_64"], EphemeralStorage={"Size": 512}, LoggingConfig={"LogFormat": "Text"}))
observe("configured", lambda: lam.update_function_configuration(
    FunctionName="members", Handler="index.handler", Description="updated", Timeout=20, MemorySize=512,
    Environment={"Variables": {"HANDSHAKE_TEST_MARKER": marker}}, EphemeralStorage={"Size": 1024},
    TracingConfig={"Mode": "PassThrough"}, Runtime="provided.al2023", Role=role))
observe("coded", lambda: lam.update_function_code(
    FunctionName="members", ZipFile=code, Publish=True, Architectures=["x86_64"], DryRun=False))
observe("published", lambda: lam.publish_version(FunctionName="members", Description="again"))
observe("alias", lambda: lam.create_alias(
    FunctionName="members", Name="live", FunctionVersion="1", Description="live",
    RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}}))
observe("aliasUpdated", lambda: lam.update_alias(
    FunctionName="members", Name="live", FunctionVersion="1", Description="still live",
    RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}}))
observe("sink", lambda: lam.create_function(FunctionName="sink", Runtime="provided.al2023", Role=role, Handler="h", Code={"ZipFile": code}))
destination = {"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:000000000000:function:sink"}}
observe("eventInvokeConfig", lambda: lam.put_function_event_invoke_config(
    FunctionName="members", MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120, DestinationConfig=destination))
observe("eventInvokeConfigUpdated", lambda: lam.update_function_event_invoke_config(
    FunctionName="members", MaximumRetryAttempts=1, DestinationConfig=destination))
cors = {"AllowCredentials": True, "AllowHeaders": ["content-type"], "AllowMethods": ["GET"],
        "AllowOrigins": ["https://example.com"], "ExposeHeaders": ["x-id"], "MaxAge": 600}
observe("url", lambda: lam.create_function_url_config(FunctionName="members", AuthType="NONE", Cors=cors, InvokeMode="BUFFERED"))
observe("urlUpdated", lambda: lam.update_function_url_config(FunctionName="members", AuthType="NONE", Cors=cors))
observe("permission", lambda: lam.add_permission(
    FunctionName="members", StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
    SourceArn="arn:aws:s3:::bucket", SourceAccount="000000000000", Qualifier="1"))
observe("concurrency", lambda: lam.put_function_concurrency(FunctionName="members", ReservedConcurrentExecutions=3))
function_arn = "arn:aws:lambda:us-east-1:000000000000:function:members"
observe("tagged", lambda: lam.tag_resource(Resource=function_arn, Tags={"stage": "test"}))
observe("tags", lambda: lam.list_tags(Resource=function_arn)["Tags"] | {})
observations["modelViolations"] = model_violations
print(json.dumps(observations, default=str))
