"""boto3 (client and resource APIs) against the store.

Usage: python3 dynamodb_boto3.py <endpoint-url>. Prints one JSON object on the last line of stdout: named observations
(the value boto3 returned, or the error it raised) and counters. botocore verifies x-amz-crc32 for DynamoDB in its
legacy retry mode and retries on a mismatch, so the script counts retry attempts and also checks each CRC itself.
"""
import base64
import datetime
import decimal
import json
import sys

import boto3
from boto3.dynamodb.conditions import Attr
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import WaiterError

import model_audit
from boto3_observations import count_call, observation

endpoint = sys.argv[1]
observations = {}
stats = {"calls": 0, "retried_calls": 0, "missing_crc32": 0, "crc_mismatches": 0, "missing_request_id": 0}
errors = 0


def plain(value):
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, Binary):
        return {"$binary": base64.b64encode(value.value).decode()}
    if isinstance(value, (bytes, bytearray)):
        return {"$binary": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted((plain(v) for v in value), key=json.dumps)}
    if isinstance(value, datetime.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def observe(name, fn):
    global errors
    assert name not in observations, name
    observations[name] = observation(fn, plain)
    if not observations[name]["ok"]:
        errors += 1


def after_call(http_response, parsed, **kwargs):
    count_call(stats, http_response, parsed)
    if http_response.headers.get("x-amzn-requestid") is None:
        stats["missing_request_id"] += 1


session = boto3.session.Session(aws_access_key_id="AKIDORACLEBOTO3", aws_secret_access_key="secret", region_name="us-east-1")
config = Config(retries={"mode": "legacy", "max_attempts": 3}, connect_timeout=5, read_timeout=10)
client = session.client("dynamodb", endpoint_url=endpoint, config=config)
resource = session.resource("dynamodb", endpoint_url=endpoint, config=config)
model_violations = []
for c in (client, resource.meta.client):
    c.meta.events.register("after-call.dynamodb", after_call)
    model_audit.install(c, model_violations)
waiter_config = {"Delay": 1, "MaxAttempts": 20}


def key_schema(name, attr, attr_type, **extra):
    return dict(TableName=name, AttributeDefinitions=[{"AttributeName": attr, "AttributeType": attr_type}],
                KeySchema=[{"AttributeName": attr, "KeyType": "HASH"}], **extra)


def wait(waiter_name, table):
    client.get_waiter(waiter_name).wait(TableName=table, WaiterConfig=waiter_config)
    return {"waited": True}


# ---- client API: tables ----
observe("createTable", lambda: client.create_table(**key_schema("py-items", "id", "S", BillingMode="PAY_PER_REQUEST")))
observe("waitTableExists", lambda: wait("table_exists", "py-items"))
for name in ("py-a", "py-b"):
    observe("create:" + name, lambda: client.create_table(**key_schema(
        name, "k", "N", ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})))
    observe("wait:" + name, lambda: wait("table_exists", name))
observe("createTableAgain", lambda: client.create_table(**key_schema("py-items", "id", "S", BillingMode="PAY_PER_REQUEST")))
observe("describeMissingTable", lambda: client.describe_table(TableName="py-missing"))
observe("listTablesPaginated", lambda: {"pages": [p["TableNames"] for p in
                                                  client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1})]})
observe("updateTable", lambda: client.update_table(TableName="py-a", ProvisionedThroughput={"ReadCapacityUnits": 9, "WriteCapacityUnits": 4}))
observe("waitAfterUpdate", lambda: wait("table_exists", "py-a"))
observe("describeAfterUpdate", lambda: client.describe_table(TableName="py-a"))

# ---- client API: items ----
observe("putNew", lambda: client.put_item(TableName="py-items", Item={"id": {"S": "a"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD"))
observe("putOverwrite", lambda: client.put_item(TableName="py-items", Item={"id": {"S": "a"}, "v": {"N": "2"}}, ReturnValues="ALL_OLD",
                                                ReturnConsumedCapacity="TOTAL"))
observe("putConditionFailed", lambda: client.put_item(TableName="py-items", Item={"id": {"S": "a"}},
                                                      ConditionExpression="attribute_not_exists(id)"))
observe("getProjected", lambda: client.get_item(TableName="py-items", Key={"id": {"S": "a"}}, ProjectionExpression="v",
                                                ConsistentRead=True, ReturnConsumedCapacity="TOTAL"))
observe("getMissingTable", lambda: client.get_item(TableName="py-missing", Key={"id": {"S": "a"}}))
observe("putMissingKey", lambda: client.put_item(TableName="py-items", Item={"v": {"S": "x"}}))
observe("number39Digits", lambda: client.put_item(TableName="py-a", Item={"k": {"N": "1" * 39}}))
observe("numberKeyPut", lambda: client.put_item(TableName="py-a", Item={"k": {"N": "1e3"}, "v": {"N": "-0.0"}}))
observe("numberKeyGet", lambda: client.get_item(TableName="py-a", Key={"k": {"N": "1000"}}, ConsistentRead=True))
observe("deleteAllOld", lambda: client.delete_item(TableName="py-items", Key={"id": {"S": "a"}}, ReturnValues="ALL_OLD"))
observe("deleteConditionFailed", lambda: client.delete_item(TableName="py-items", Key={"id": {"S": "a"}},
                                                            ConditionExpression="attribute_exists(id)"))

# ---- resource API ----
table = resource.Table("py-items")
observe("resourcePut", lambda: table.put_item(Item={
    "id": "r1", "n": decimal.Decimal("1E+3"), "f": decimal.Decimal("0.10"), "bin": Binary(bytes(range(256))),
    "empty": b"", "ss": {"x", "y"}, "ns": {decimal.Decimal(1), decimal.Decimal("2.5")}, "bs": {b"\x00", b"\xff"},
    "m": {"l": [1, "two", None, True]}}))
observe("resourceGet", lambda: table.get_item(Key={"id": "r1"}, ConsistentRead=True))
observe("resourceGetProjected", lambda: table.get_item(Key={"id": "r1"}, ProjectionExpression="#n, ss",
                                                       ExpressionAttributeNames={"#n": "n"}))
observe("resourceConditionFailed", lambda: table.put_item(Item={"id": "r1"}, ConditionExpression=Attr("id").not_exists()))
observe("resourceConditionOk", lambda: table.put_item(Item={"id": "r2"}, ConditionExpression=Attr("id").not_exists()))
observe("resourceDelete", lambda: table.delete_item(Key={"id": "r2"}, ReturnValues="ALL_OLD"))


def batch_write_60():
    with table.batch_writer() as writer:
        for i in range(60):
            writer.put_item(Item={"id": "bw-%02d" % i, "i": i})
    return {"written": 60}


observe("resourceBatchWriter", batch_write_60)
observe("batchGet100", lambda: {"count": len(resource.batch_get_item(RequestItems={"py-items": {
    "Keys": [{"id": "bw-%02d" % i} for i in range(60)] + [{"id": "none-%02d" % i} for i in range(40)]}})["Responses"]["py-items"])})
observe("batchGet101", lambda: resource.batch_get_item(RequestItems={"py-items": {"Keys": [{"id": "k%d" % i} for i in range(101)]}}))
observe("batchWrite26", lambda: client.batch_write_item(RequestItems={"py-items": [
    {"PutRequest": {"Item": {"id": {"S": "x%d" % i}}}} for i in range(26)]}))
observe("batchWriteDuplicates", lambda: client.batch_write_item(RequestItems={"py-items": [
    {"PutRequest": {"Item": {"id": {"S": "same"}}}}, {"PutRequest": {"Item": {"id": {"S": "same"}}}}]}))


def table_counts():
    t = resource.Table("py-items")
    t.reload()
    return {"status": t.table_status, "arn": t.table_arn, "keys": t.key_schema, "billing": t.billing_mode_summary}


observe("resourceTableAttributes", table_counts)
observe("resourceCreateTable", lambda: {"status": resource.create_table(**key_schema(
    "py-resource", "id", "S", BillingMode="PAY_PER_REQUEST")).table_status})


def resource_wait_and_delete():
    t = resource.Table("py-resource")
    t.wait_until_exists(WaiterConfig=waiter_config)
    t.delete()
    t.wait_until_not_exists(WaiterConfig=waiter_config)
    return {"deleted": True}


observe("resourceWaitAndDelete", resource_wait_and_delete)

# ---- PartiQL ----
def statement(text, **extra):
    return client.execute_statement(Statement=text, **extra)


def sorted_sets(value):
    if isinstance(value, dict):
        return {k: sorted(v) if k in ("SS", "NS") else sorted_sets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sorted_sets(v) for v in value]
    return value


def select_all_pages(text, limit):
    pages, ids, token = 0, [], None
    while True:
        extra = {"NextToken": token} if token else {}
        page = statement(text, Limit=limit, **extra)
        pages += 1
        ids += [item["id"]["S"] for item in page["Items"]]
        token = page.get("NextToken")
        if not token or pages > 50:
            return {"pages": pages, "ids": sorted(ids)}


observe("partiqlInsert", lambda: statement("""INSERT INTO "py-items" VALUE {'id': 'pq-1', 'n': 1, 'tags': <<'a'>>}"""))
observe("partiqlInsertDuplicate", lambda: statement("""INSERT INTO "py-items" VALUE {'id': 'pq-1'}"""))
observe("partiqlUpdateReturning", lambda: sorted_sets(statement("""UPDATE "py-items" SET n = n + ? SET tags = set_add(tags, <<'b'>>) WHERE id = ? RETURNING ALL NEW *""",
                                                    Parameters=[{"N": "4"}, {"S": "pq-1"}])))
observe("partiqlUpdateMissing", lambda: statement("""UPDATE "py-items" SET n = 1 WHERE id = 'pq-missing'"""))
observe("partiqlMalformed", lambda: statement("""SELECT * FROM "py-items" WHERE"""))
observe("partiqlSelectKey", lambda: sorted_sets(statement("""SELECT n, tags FROM "py-items" WHERE id = ?""", Parameters=[{"S": "pq-1"}],
                                              ConsistentRead=True, ReturnConsumedCapacity="TOTAL")))
observe("partiqlScanPages", lambda: select_all_pages("""SELECT id FROM "py-items" WHERE begins_with(id, 'bw-') AND i >= 50""", 25))
observe("partiqlBatch", lambda: client.batch_execute_statement(Statements=[
    {"Statement": """INSERT INTO "py-items" VALUE {'id': 'pq-2'}"""},
    {"Statement": """INSERT INTO "py-items" VALUE {'id': 'pq-1'}"""},
    {"Statement": """UPDATE "py-items" SET n = 1 WHERE id = 'pq-missing'"""}]))
observe("partiqlBatchMixed", lambda: client.batch_execute_statement(Statements=[
    {"Statement": """SELECT * FROM "py-items" WHERE id = 'pq-1'"""}, {"Statement": """DELETE FROM "py-items" WHERE id = 'pq-2'"""}]))
observe("partiqlTransaction", lambda: client.execute_transaction(TransactStatements=[
    {"Statement": """UPDATE "py-items" SET n = 100 WHERE id = 'pq-1'"""},
    {"Statement": """DELETE FROM "py-items" WHERE id = 'pq-2'"""},
    {"Statement": """EXISTS(SELECT * FROM "py-items" WHERE id = 'r1')"""}]))


def transaction_cancelled():
    try:
        client.execute_transaction(TransactStatements=[
            {"Statement": """UPDATE "py-items" SET n = 200 WHERE id = 'pq-1'"""},
            {"Statement": """INSERT INTO "py-items" VALUE {'id': 'r1'}"""}])
    except client.exceptions.TransactionCanceledException as e:
        after = client.get_item(TableName="py-items", Key={"id": {"S": "pq-1"}}, ConsistentRead=True)["Item"]["n"]["N"]
        return {"reasons": e.response["CancellationReasons"], "nAfter": after}
    return {"reasons": None}


observe("partiqlTransactionCancelled", transaction_cancelled)

# ---- service calls ----
arn = client.describe_table(TableName="py-items")["Table"]["TableArn"]


def batch_get_by_arn():
    # A table named by ARN is answered under the ARN (API reference, BatchGetItem Responses: "A map of table name or
    # table ARN to a list of items"), so the lookup by the key the request used must not raise KeyError.
    client.put_item(TableName=arn, Item={"id": {"S": "arn-1"}})
    resp = client.batch_get_item(RequestItems={arn: {"Keys": [{"id": {"S": "arn-1"}}], "ConsistentRead": True}},
                                 ReturnConsumedCapacity="TOTAL")
    client.delete_item(TableName=arn, Key={"id": {"S": "arn-1"}})
    return {"items": resp["Responses"][arn], "tables": [c["TableName"] for c in resp["ConsumedCapacity"]]}


observe("batchGetByArn", batch_get_by_arn)
observe("tagResource", lambda: client.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "oracle"}]))
observe("listTags", lambda: client.list_tags_of_resource(ResourceArn=arn))
observe("untagResource", lambda: client.untag_resource(ResourceArn=arn, TagKeys=["owner"]))
observe("listTagsAfterUntag", lambda: client.list_tags_of_resource(ResourceArn=arn))
observe("updateTtl", lambda: client.update_time_to_live(TableName="py-items",
                                                        TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}))
observe("describeTtl", lambda: client.describe_time_to_live(TableName="py-items"))
observe("describeLimits", lambda: client.describe_limits())
observe("describeEndpoints", lambda: client.describe_endpoints())
observe("deleteTable", lambda: client.delete_table(TableName="py-b"))
observe("waitTableNotExists", lambda: wait("table_not_exists", "py-b"))
observe("deleteMissingTable", lambda: client.delete_table(TableName="py-b"))
observe("listTablesAfterDelete", lambda: client.list_tables())

sys.stdout.write("\n" + json.dumps({"observations": observations, "stats": stats, "model_violations": model_violations, "errors": errors,
                                    "fatal": None}) + "\n")
