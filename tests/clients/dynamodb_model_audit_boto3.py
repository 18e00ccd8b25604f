"""Every DynamoDB operation the store serves, called through boto3 with model_audit installed.

Usage: python3 dynamodb_model_audit_boto3.py <endpoint-url>. Each operation is called to succeed with the members that
shape its answer (ReturnValues, ReturnConsumedCapacity INDEXES, ReturnItemCollectionMetrics, projections, paging) and,
where the store refuses bad input, to fail (a condition that fails with the old item returned, a cancelled transaction
with its reasons, a missing table, a validation error), and every answer is checked against botocore's DynamoDB model.
Prints one JSON object on the last line of stdout: {"responses": N, "violations": [...], "failed": {call: error}},
where "failed" lists the calls expected to succeed that did not and the calls expected to be refused that succeeded.
"""
import sys

import boto3
from botocore.config import Config

import model_audit

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="AKIDAUDIT", aws_secret_access_key="secret", region_name="us-east-1")
config = Config(retries={"mode": "standard", "max_attempts": 1}, read_timeout=30, parameter_validation=False)
ddb = session.client("dynamodb", endpoint_url=endpoint, config=config)
streams = session.client("dynamodbstreams", endpoint_url=endpoint, config=config)
run = model_audit.Run(ddb, streams)
ok, refused = run.ok, run.refused

S = lambda v: {"S": v}
N = lambda v: {"N": str(v)}
table = "audit"
total = {"ReturnConsumedCapacity": "INDEXES"}

# Tables.
ok("CreateTable", lambda: ddb.create_table(
    TableName=table, BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in (("pk", "S"), ("sk", "N"), ("g", "S"))],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    LocalSecondaryIndexes=[{"IndexName": "by-g-local", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                      {"AttributeName": "g", "KeyType": "RANGE"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]},
                             "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    SSESpecification={"Enabled": True}, TableClass="STANDARD", DeletionProtectionEnabled=False,
    Tags=[{"Key": "team", "Value": "a"}]))
ok("CreateTable (on demand)", lambda: ddb.create_table(
    TableName="audit-od", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], OnDemandThroughput={"MaxReadRequestUnits": 100},
    WarmThroughput={"ReadUnitsPerSecond": 13000}))
refused("CreateTable (exists)", lambda: ddb.create_table(
    TableName=table, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]))
refused("CreateTable (no key)", lambda: ddb.create_table(TableName="bad", BillingMode="PAY_PER_REQUEST",
                                                         AttributeDefinitions=[], KeySchema=[]))
described = ok("DescribeTable", lambda: ddb.describe_table(TableName=table))
ok("DescribeTable (on demand)", lambda: ddb.describe_table(TableName="audit-od"))
refused("DescribeTable (missing)", lambda: ddb.describe_table(TableName="missing"))
ok("ListTables", lambda: ddb.list_tables(Limit=1))
ok("UpdateTable", lambda: ddb.update_table(
    TableName=table, ProvisionedThroughput={"ReadCapacityUnits": 6, "WriteCapacityUnits": 6}))
ok("UpdateTable (index create)", lambda: ddb.update_table(
    TableName="audit-od", AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "N"}],
    GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by-x", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}}]))
refused("UpdateTable (nothing)", lambda: ddb.update_table(TableName=table))
ok("DescribeLimits", lambda: ddb.describe_limits())
ok("DescribeEndpoints", lambda: ddb.describe_endpoints())
ok("UpdateTimeToLive", lambda: ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}))
ok("DescribeTimeToLive", lambda: ddb.describe_time_to_live(TableName=table))
refused("UpdateTimeToLive (same again)", lambda: ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}))
ok("DescribeContinuousBackups", lambda: ddb.describe_continuous_backups(TableName=table))
ok("UpdateContinuousBackups", lambda: ddb.update_continuous_backups(
    TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}))
ok("DescribeKinesisStreamingDestination", lambda: ddb.describe_kinesis_streaming_destination(TableName=table))
arn = described["Table"]["TableArn"] if described else "arn:aws:dynamodb:us-east-1:000000000000:table/audit"
ok("TagResource", lambda: ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "test"}]))
ok("ListTagsOfResource", lambda: ddb.list_tags_of_resource(ResourceArn=arn))
ok("UntagResource", lambda: ddb.untag_resource(ResourceArn=arn, TagKeys=["stage"]))
refused("ListTagsOfResource (bad ARN)", lambda: ddb.list_tags_of_resource(ResourceArn="nonsense"))

# Items.
item = {"pk": S("a"), "sk": N(1), "g": S("x"), "v": {"L": [N(1), {"M": {"b": {"BOOL": True}}}, {"NULL": True}]},
        "s": {"SS": ["p", "q"]}, "n": {"NS": ["1", "2"]}, "b": {"B": b"\x00\x01"}, "bs": {"BS": [b"\x02"]}}
ok("PutItem", lambda: ddb.put_item(TableName=table, Item=item, ReturnItemCollectionMetrics="SIZE", **total))
ok("PutItem (ALL_OLD)", lambda: ddb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD", **total))
refused("PutItem (condition, old item returned)", lambda: ddb.put_item(
    TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD"))
refused("PutItem (missing key)", lambda: ddb.put_item(TableName=table, Item={"pk": S("a")}))
refused("PutItem (missing table)", lambda: ddb.put_item(TableName="missing", Item=item))
ok("GetItem", lambda: ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": N(1)}, ConsistentRead=True, **total))
ok("GetItem (projection)", lambda: ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": N(1)},
                                                  ProjectionExpression="#v[1].b, s", ExpressionAttributeNames={"#v": "v"}))
ok("GetItem (none)", lambda: ddb.get_item(TableName=table, Key={"pk": S("none"), "sk": N(1)}))
refused("GetItem (bad projection)", lambda: ddb.get_item(TableName=table, Key={"pk": S("a"), "sk": N(1)}, ProjectionExpression="a,,b"))
for rv in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "ALL_OLD", "NONE"):
    ok(f"UpdateItem ({rv})", lambda rv=rv: ddb.update_item(
        TableName=table, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET c = if_not_exists(c, :z) + :one ADD n :ns",
        ExpressionAttributeValues={":z": N(0), ":one": N(1), ":ns": {"NS": ["3"]}}, ReturnValues=rv,
        ReturnItemCollectionMetrics="SIZE", **total))
refused("UpdateItem (condition)", lambda: ddb.update_item(
    TableName=table, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET c = :one", ConditionExpression="c > :big",
    ExpressionAttributeValues={":one": N(1), ":big": N(100)}, ReturnValuesOnConditionCheckFailure="ALL_OLD"))
refused("UpdateItem (key changed)", lambda: ddb.update_item(
    TableName=table, Key={"pk": S("a"), "sk": N(1)}, UpdateExpression="SET pk = :p", ExpressionAttributeValues={":p": S("b")}))
ok("PutItem (second)", lambda: ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": N(2), "g": S("y")}))
ok("DeleteItem (ALL_OLD)", lambda: ddb.delete_item(TableName=table, Key={"pk": S("a"), "sk": N(2)}, ReturnValues="ALL_OLD",
                                                    ReturnItemCollectionMetrics="SIZE", **total))
refused("DeleteItem (condition)", lambda: ddb.delete_item(
    TableName=table, Key={"pk": S("a"), "sk": N(1)}, ConditionExpression="attribute_not_exists(pk)"))

# Reads of many items.
for i in range(3, 8):
    ddb.put_item(TableName=table, Item={"pk": S("a"), "sk": N(i), "g": S("x"), "v": S("p" * 10)})
ok("Query", lambda: ddb.query(TableName=table, KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                              ExpressionAttributeValues={":p": S("a"), ":a": N(1), ":b": N(9)}, Limit=2, **total))
ok("Query (count, filter)", lambda: ddb.query(TableName=table, KeyConditionExpression="pk = :p", Select="COUNT",
                                              FilterExpression="v = :v", ExpressionAttributeValues={":p": S("a"), ":v": S("p" * 10)}))
ok("Query (local index)", lambda: ddb.query(TableName=table, IndexName="by-g-local", KeyConditionExpression="pk = :p AND g = :g",
                                            ExpressionAttributeValues={":p": S("a"), ":g": S("x")}, **total))
ok("Query (global index)", lambda: ddb.query(TableName=table, IndexName="by-g", KeyConditionExpression="g = :g",
                                             ExpressionAttributeValues={":g": S("x")}, ScanIndexForward=False, **total))
refused("Query (no key condition)", lambda: ddb.query(TableName=table))
refused("Query (missing index)", lambda: ddb.query(TableName=table, IndexName="nope", KeyConditionExpression="g = :g",
                                                   ExpressionAttributeValues={":g": S("x")}))
ok("Scan", lambda: ddb.scan(TableName=table, Limit=3, **total))
ok("Scan (segment)", lambda: ddb.scan(TableName=table, Segment=0, TotalSegments=2, Select="ALL_ATTRIBUTES"))
ok("Scan (legacy)", lambda: ddb.scan(TableName=table, ScanFilter={"sk": {"AttributeValueList": [N(2)], "ComparisonOperator": "GT"}},
                                     AttributesToGet=["pk", "sk"]))
refused("Scan (bad segment)", lambda: ddb.scan(TableName=table, Segment=3, TotalSegments=2))
ok("BatchGetItem", lambda: ddb.batch_get_item(RequestItems={
    table: {"Keys": [{"pk": S("a"), "sk": N(i)} for i in (1, 3, 99)], "ProjectionExpression": "pk, sk, v"}}, **total))
refused("BatchGetItem (duplicate keys)", lambda: ddb.batch_get_item(RequestItems={
    table: {"Keys": [{"pk": S("a"), "sk": N(1)}, {"pk": S("a"), "sk": N(1)}]}}))
ok("BatchWriteItem", lambda: ddb.batch_write_item(RequestItems={table: [
    {"PutRequest": {"Item": {"pk": S("b"), "sk": N(1)}}}, {"DeleteRequest": {"Key": {"pk": S("a"), "sk": N(7)}}}]},
    ReturnItemCollectionMetrics="SIZE", **total))
refused("BatchWriteItem (missing table)", lambda: ddb.batch_write_item(RequestItems={"missing": [
    {"PutRequest": {"Item": {"pk": S("b")}}}]}))

# Transactions.
ok("TransactWriteItems", lambda: ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": table, "Item": {"pk": S("t"), "sk": N(1)}}},
    {"Update": {"TableName": table, "Key": {"pk": S("a"), "sk": N(1)}, "UpdateExpression": "SET t = :t",
                "ExpressionAttributeValues": {":t": N(1)}}},
    {"Delete": {"TableName": table, "Key": {"pk": S("a"), "sk": N(6)}}},
    {"ConditionCheck": {"TableName": table, "Key": {"pk": S("a"), "sk": N(5)}, "ConditionExpression": "attribute_exists(pk)"}}],
    ClientRequestToken="audit-token-1", ReturnItemCollectionMetrics="SIZE", **total))
refused("TransactWriteItems (cancelled, old item returned)", lambda: ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": table, "Item": {"pk": S("t"), "sk": N(2)}}},
    {"ConditionCheck": {"TableName": table, "Key": {"pk": S("a"), "sk": N(5)}, "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}]))
refused("TransactWriteItems (same item twice)", lambda: ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": table, "Item": {"pk": S("t"), "sk": N(3)}}},
    {"Delete": {"TableName": table, "Key": {"pk": S("t"), "sk": N(3)}}}]))
ok("TransactGetItems", lambda: ddb.transact_get_items(TransactItems=[
    {"Get": {"TableName": table, "Key": {"pk": S("a"), "sk": N(1)}, "ProjectionExpression": "pk, t"}},
    {"Get": {"TableName": table, "Key": {"pk": S("none"), "sk": N(1)}}}], **total))
refused("TransactGetItems (missing table)", lambda: ddb.transact_get_items(TransactItems=[
    {"Get": {"TableName": "missing", "Key": {"pk": S("a")}}}]))

# PartiQL.
ok("ExecuteStatement (select)", lambda: ddb.execute_statement(
    Statement=f'SELECT * FROM "{table}" WHERE pk = ?', Parameters=[S("a")], Limit=2, ReturnConsumedCapacity="TOTAL"))
ok("ExecuteStatement (insert)", lambda: ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': 1}}"))
refused("ExecuteStatement (duplicate insert)", lambda: ddb.execute_statement(
    Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': 1}}"))
refused("ExecuteStatement (syntax)", lambda: ddb.execute_statement(Statement="SELEC * FROM x"))
ok("BatchExecuteStatement (reads)", lambda: ddb.batch_execute_statement(Statements=[
    {"Statement": f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?', "Parameters": [S("a"), N(1)]},
    {"Statement": f'SELECT * FROM "missing" WHERE pk = ?', "Parameters": [S("a")]}], ReturnConsumedCapacity="TOTAL"))
ok("BatchExecuteStatement (writes)", lambda: ddb.batch_execute_statement(Statements=[
    {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'p', 'sk': 1}}"},
    {"Statement": f'UPDATE "{table}" SET x = 1 WHERE pk = ? AND sk = ? AND t = 5', "Parameters": [S("a"), N(1)],
     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}], ReturnConsumedCapacity="TOTAL"))
ok("ExecuteTransaction", lambda: ddb.execute_transaction(TransactStatements=[
    {"Statement": f'UPDATE "{table}" SET y = 2 WHERE pk = ? AND sk = ?', "Parameters": [S("p"), N(1)]},
    {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'q', 'sk': 1}}"}], ReturnConsumedCapacity="TOTAL"))
refused("ExecuteTransaction (cancelled)", lambda: ddb.execute_transaction(TransactStatements=[
    {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'q', 'sk': 1}}"}]))

# Streams.
stream_arn = described["Table"]["LatestStreamArn"] if described else "arn:aws:dynamodb:us-east-1:000000000000:table/audit/stream/x"
ok("ListStreams", lambda: streams.list_streams(TableName=table))
stream = ok("DescribeStream", lambda: streams.describe_stream(StreamArn=stream_arn))
shard = stream["StreamDescription"]["Shards"][0]["ShardId"] if stream else "shardId-none"
iterator = ok("GetShardIterator", lambda: streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"))
ok("GetRecords", lambda: streams.get_records(ShardIterator=iterator["ShardIterator"] if iterator else "x", Limit=100))
refused("GetShardIterator (missing shard)", lambda: streams.get_shard_iterator(
    StreamArn=stream_arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST"))
refused("GetRecords (bad iterator)", lambda: streams.get_records(ShardIterator="nonsense"))

# Deletions.
refused("DeleteTable (missing)", lambda: ddb.delete_table(TableName="missing"))
ok("UpdateTable (protect)", lambda: ddb.update_table(TableName="audit-od", DeletionProtectionEnabled=True))
refused("DeleteTable (protected)", lambda: ddb.delete_table(TableName="audit-od"))
ok("DeleteTable", lambda: ddb.delete_table(TableName=table))

print(run.report())
