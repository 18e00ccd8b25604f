"""Every Lambda operation the host serves, called through boto3 with model_audit installed.

Usage: python3 lambda_model_audit_boto3.py <endpoint-url> <zip-file> <test-marker>. The endpoint serves the store
and the function host together, as `handshake up` does (an event source mapping needs a table's stream). Each
operation is called at least once to succeed and, where the host refuses bad input, once to fail, and every answer
(success or error) is checked against botocore's Lambda model. Prints one JSON object on the last line of stdout:
{"responses": N, "violations": [...], "failed": {call: error}}, where "failed" lists the calls expected to succeed
that did not and the calls expected to be refused that succeeded.
"""
import sys

import boto3
from botocore.config import Config

import model_audit

endpoint, zip_path, marker = sys.argv[1], sys.argv[2], sys.argv[3]
session = boto3.session.Session(aws_access_key_id="AKIDAUDIT", aws_secret_access_key="secret", region_name="us-east-1")
config = Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=30, parameter_validation=False)
lam = session.client("lambda", endpoint_url=endpoint, config=config)
ddb = session.client("dynamodb", endpoint_url=endpoint, config=config)
run = model_audit.Run(lam, ddb)
ok, refused = run.ok, run.refused
role = "arn:aws:iam::000000000000:role/lambda"
with open(zip_path, "rb") as f:
    code = f.read()

fn = "audit"
arn = f"arn:aws:lambda:us-east-1:000000000000:function:{fn}"

# Functions and code.
ok("CreateFunction", lambda: lam.create_function(
    FunctionName=fn, Runtime="provided.al2023", Role=role, Handler="function.handler", Code={"ZipFile": code},
    Description="audit", Timeout=10, MemorySize=256, Environment={"Variables": {"AA": "1", "HANDSHAKE_TEST_MARKER": marker}}, Tags={"team": "a"},
    Architectures=["x86_64"], EphemeralStorage={"Size": 512}, TracingConfig={"Mode": "PassThrough"},
    LoggingConfig={"LogFormat": "Text"}))
ok("CreateFunction (image-less second)", lambda: lam.create_function(
    FunctionName="audit-two", Runtime="provided.al2023", Role=role, Handler="h", Code={"ZipFile": code}, Publish=True,
    Environment={"Variables": {"HANDSHAKE_TEST_MARKER": marker}}))
refused("CreateFunction (exists)", lambda: lam.create_function(
    FunctionName=fn, Runtime="provided.al2023", Role=role, Handler="h", Code={"ZipFile": code}))
refused("CreateFunction (bad runtime)", lambda: lam.create_function(
    FunctionName="bad", Runtime="cobol9", Role=role, Handler="h", Code={"ZipFile": code}))
refused("CreateFunction (bad zip)", lambda: lam.create_function(
    FunctionName="bad", Runtime="provided.al2023", Role=role, Handler="h", Code={"ZipFile": b"not a zip"}))
refused("CreateFunction (bad role)", lambda: lam.create_function(
    FunctionName="bad", Runtime="provided.al2023", Role="not-a-role", Handler="h", Code={"ZipFile": code}))
refused("CreateFunction (timeout 0)", lambda: lam.create_function(
    FunctionName="bad", Runtime="provided.al2023", Role=role, Handler="h", Code={"ZipFile": code}, Timeout=0))
ok("GetFunction", lambda: lam.get_function(FunctionName=fn))
ok("GetFunction (ARN)", lambda: lam.get_function(FunctionName=arn))
refused("GetFunction (missing)", lambda: lam.get_function(FunctionName="missing"))
refused("GetFunction (bad name)", lambda: lam.get_function(FunctionName="bad name!"))
ok("GetFunctionConfiguration", lambda: lam.get_function_configuration(FunctionName=fn))
ok("ListFunctions", lambda: lam.list_functions())
ok("ListFunctions (all versions, paged)", lambda: lam.list_functions(FunctionVersion="ALL", MaxItems=1))
ok("UpdateFunctionConfiguration", lambda: lam.update_function_configuration(
    FunctionName=fn, Description="updated", Timeout=12, Environment={"Variables": {"AA": "2", "HANDSHAKE_TEST_MARKER": marker}}))
refused("UpdateFunctionConfiguration (memory)", lambda: lam.update_function_configuration(FunctionName=fn, MemorySize=1))
ok("UpdateFunctionCode", lambda: lam.update_function_code(FunctionName=fn, ZipFile=code))
ok("UpdateFunctionCode (dry run)", lambda: lam.update_function_code(FunctionName=fn, ZipFile=code, DryRun=True))
refused("UpdateFunctionCode (missing)", lambda: lam.update_function_code(FunctionName="missing", ZipFile=code))

# Versions and aliases.
ok("PublishVersion", lambda: lam.publish_version(FunctionName=fn, Description="v1"))
ok("ListVersionsByFunction", lambda: lam.list_versions_by_function(FunctionName=fn))
ok("GetFunction (version)", lambda: lam.get_function(FunctionName=fn, Qualifier="1"))
refused("GetFunction (missing version)", lambda: lam.get_function(FunctionName=fn, Qualifier="9"))
ok("CreateAlias", lambda: lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1", Description="live"))
refused("CreateAlias (exists)", lambda: lam.create_alias(FunctionName=fn, Name="live", FunctionVersion="1"))
refused("CreateAlias (missing version)", lambda: lam.create_alias(FunctionName=fn, Name="gone", FunctionVersion="7"))
ok("GetAlias", lambda: lam.get_alias(FunctionName=fn, Name="live"))
ok("UpdateAlias", lambda: lam.update_alias(FunctionName=fn, Name="live", Description="still live"))
ok("ListAliases", lambda: lam.list_aliases(FunctionName=fn))
ok("GetFunction (alias)", lambda: lam.get_function(FunctionName=fn, Qualifier="live"))

# Concurrency.
ok("PutFunctionConcurrency", lambda: lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=2))
ok("GetFunctionConcurrency", lambda: lam.get_function_concurrency(FunctionName=fn))
refused("PutFunctionConcurrency (too many)", lambda: lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=100000))
ok("GetAccountSettings", lambda: lam.get_account_settings())

# Invocations.
ok("Invoke", lambda: lam.invoke(FunctionName=fn, Payload=b'{"a":1}', LogType="Tail"))
ok("Invoke (alias)", lambda: lam.invoke(FunctionName=fn, Qualifier="live", Payload=b"{}"))
ok("Invoke (event)", lambda: lam.invoke(FunctionName=fn, InvocationType="Event", Payload=b"{}"))
ok("Invoke (dry run)", lambda: lam.invoke(FunctionName=fn, InvocationType="DryRun"))
refused("Invoke (missing)", lambda: lam.invoke(FunctionName="missing", Payload=b"{}"))
refused("Invoke (bad JSON)", lambda: lam.invoke(FunctionName=fn, Payload=b"{nope"))
refused("Invoke (too large)", lambda: lam.invoke(FunctionName=fn, Payload=b'"' + b"x" * (6 * 1024 * 1024) + b'"'))
ok("InvokeAsync", lambda: lam.invoke_async(FunctionName=fn, InvokeArgs=b"{}"))

# Asynchronous invocation settings.
destination = {"OnFailure": {"Destination": "arn:aws:lambda:us-east-1:000000000000:function:audit-two"}}
ok("PutFunctionEventInvokeConfig", lambda: lam.put_function_event_invoke_config(
    FunctionName=fn, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120, DestinationConfig=destination))
ok("UpdateFunctionEventInvokeConfig", lambda: lam.update_function_event_invoke_config(FunctionName=fn, MaximumRetryAttempts=0))
ok("GetFunctionEventInvokeConfig", lambda: lam.get_function_event_invoke_config(FunctionName=fn))
ok("ListFunctionEventInvokeConfigs", lambda: lam.list_function_event_invoke_configs(FunctionName=fn))
refused("GetFunctionEventInvokeConfig (none)", lambda: lam.get_function_event_invoke_config(FunctionName="audit-two"))
ok("DeleteFunctionEventInvokeConfig", lambda: lam.delete_function_event_invoke_config(FunctionName=fn))

# Function URLs.
cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60}
ok("CreateFunctionUrlConfig", lambda: lam.create_function_url_config(FunctionName=fn, AuthType="NONE", Cors=cors))
refused("CreateFunctionUrlConfig (exists)", lambda: lam.create_function_url_config(FunctionName=fn, AuthType="NONE"))
ok("GetFunctionUrlConfig", lambda: lam.get_function_url_config(FunctionName=fn))
ok("UpdateFunctionUrlConfig", lambda: lam.update_function_url_config(FunctionName=fn, AuthType="AWS_IAM"))
ok("ListFunctionUrlConfigs", lambda: lam.list_function_url_configs(FunctionName=fn))
ok("DeleteFunctionUrlConfig", lambda: lam.delete_function_url_config(FunctionName=fn))
refused("GetFunctionUrlConfig (none)", lambda: lam.get_function_url_config(FunctionName=fn))

# Permissions.
ok("AddPermission", lambda: lam.add_permission(
    FunctionName=fn, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
    SourceArn="arn:aws:s3:::bucket"))
refused("AddPermission (same id)", lambda: lam.add_permission(
    FunctionName=fn, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"))
ok("GetPolicy", lambda: lam.get_policy(FunctionName=fn))
ok("RemovePermission", lambda: lam.remove_permission(FunctionName=fn, StatementId="s3"))
refused("GetPolicy (none)", lambda: lam.get_policy(FunctionName=fn))

# Code signing (none can exist here).
ok("GetFunctionCodeSigningConfig", lambda: lam.get_function_code_signing_config(FunctionName=fn))
refused("PutFunctionCodeSigningConfig", lambda: lam.put_function_code_signing_config(
    FunctionName=fn, CodeSigningConfigArn="arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdefg"))
ok("DeleteFunctionCodeSigningConfig", lambda: lam.delete_function_code_signing_config(FunctionName=fn))
refused("GetFunctionCodeSigningConfig (missing)", lambda: lam.get_function_code_signing_config(FunctionName="missing"))

# Tags.
ok("TagResource", lambda: lam.tag_resource(Resource=arn, Tags={"stage": "test"}))
ok("ListTags", lambda: lam.list_tags(Resource=arn))
ok("UntagResource", lambda: lam.untag_resource(Resource=arn, TagKeys=["stage"]))
refused("ListTags (missing)", lambda: lam.list_tags(Resource=arn + "-missing"))

# Event source mappings, on a table's stream.
ok("CreateTable", lambda: ddb.create_table(
    TableName="audit-events", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}))
table = ok("DescribeTable", lambda: ddb.describe_table(TableName="audit-events"))
stream_arn = table["Table"]["LatestStreamArn"] if table else "arn:aws:dynamodb:us-east-1:000000000000:table/none/stream/x"
mapping = ok("CreateEventSourceMapping", lambda: lam.create_event_source_mapping(
    FunctionName=fn, EventSourceArn=stream_arn, StartingPosition="LATEST", BatchSize=10, Enabled=False,
    FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]}, Tags={"team": "a"}))
uuid = mapping["UUID"] if mapping else "00000000-0000-0000-0000-000000000000"
mapping_arn = f"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}"
ok("TagResource (mapping)", lambda: lam.tag_resource(Resource=mapping_arn, Tags={"stage": "test"}))
ok("ListTags (mapping)", lambda: lam.list_tags(Resource=mapping_arn))
ok("UntagResource (mapping)", lambda: lam.untag_resource(Resource=mapping_arn, TagKeys=["team"]))
ok("GetEventSourceMapping", lambda: lam.get_event_source_mapping(UUID=uuid))
ok("UpdateEventSourceMapping", lambda: lam.update_event_source_mapping(UUID=uuid, BatchSize=5))
ok("ListEventSourceMappings", lambda: lam.list_event_source_mappings(FunctionName=fn))
refused("GetEventSourceMapping (missing)", lambda: lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000"))
refused("CreateEventSourceMapping (no position)", lambda: lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=stream_arn))
ok("DeleteEventSourceMapping", lambda: lam.delete_event_source_mapping(UUID=uuid))

# Deletions.
ok("DeleteAlias", lambda: lam.delete_alias(FunctionName=fn, Name="live"))
ok("DeleteFunctionConcurrency", lambda: lam.delete_function_concurrency(FunctionName=fn))
ok("DeleteFunction (version)", lambda: lam.delete_function(FunctionName=fn, Qualifier="1"))
ok("DeleteFunction", lambda: lam.delete_function(FunctionName=fn))
refused("DeleteFunction (missing)", lambda: lam.delete_function(FunctionName=fn))
ok("DeleteFunction (second)", lambda: lam.delete_function(FunctionName="audit-two"))

print(run.report())
