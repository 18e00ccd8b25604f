"""boto3's dynamodbstreams client (and the dynamodb client for the writes) against the store's DynamoDB Streams.

Usage: python3 dynamodb_streams_boto3.py <endpoint-url>. Both clients use the one endpoint, as with DynamoDB Local.
Prints one JSON object on the last line of stdout: named observations (the value boto3 returned, reduced where a
test needs only part of it, or the error it raised) and counters, in the form of dynamodb_boto3.py.
"""
import datetime
import decimal
import json
import sys

import boto3
from botocore.config import Config

import model_audit
from boto3_observations import count_call, observation

endpoint = sys.argv[1]
observations = {}
stats = {"calls": 0, "retried_calls": 0, "missing_crc32": 0, "crc_mismatches": 0}
errors = 0


def plain(value):
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$binary": bytes(value).hex()}
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


session = boto3.session.Session(aws_access_key_id="AKIDORACLESTREAMS", aws_secret_access_key="secret", region_name="us-east-1")
config = Config(retries={"mode": "legacy", "max_attempts": 1}, connect_timeout=5, read_timeout=10)
ddb = session.client("dynamodb", endpoint_url=endpoint, config=config)
streams = session.client("dynamodbstreams", endpoint_url=endpoint, config=config)
# Without boto3's own checks, so that the store's answers to what boto3 would refuse are seen too.
unchecked = session.client("dynamodbstreams", endpoint_url=endpoint,
                           config=config.merge(Config(parameter_validation=False)))
model_violations = []
for c, service in ((ddb, "dynamodb"), (streams, "dynamodbstreams"), (unchecked, "dynamodbstreams")):
    c.meta.events.register("after-call." + service, after_call)
    model_audit.install(c, model_violations)


def create(name, view_type, range_key=True):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    spec = {"StreamEnabled": True, "StreamViewType": view_type} if view_type else {"StreamEnabled": False}
    return ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                            BillingMode="PAY_PER_REQUEST", StreamSpecification=spec)


def shard_of(arn):
    return streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]


def read_all(arn, iterator_type="TRIM_HORIZON", limit=None, **extra):
    """Every record from the iterator on, page by page; stops at an empty page or a closed shard."""
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(arn), ShardIteratorType=iterator_type, **extra)["ShardIterator"]
    records, pages = [], 0
    while iterator and pages < 50:
        page = streams.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
        pages += 1
        records.extend(page["Records"])
        iterator = page.get("NextShardIterator")
        if not page["Records"]:
            break
    return {"records": records, "pages": pages, "closed": iterator is None}


def summary(result):
    """What a test compares: per record, the event, keys and images (sequence numbers and ids vary per run)."""
    out = []
    for r in result["records"]:
        d = r["dynamodb"]
        entry = {"eventName": r["eventName"], "Keys": d["Keys"]}
        for image in ("NewImage", "OldImage"):
            if image in d:
                entry[image] = d[image]
        out.append(entry)
    return out


def key(pk, sk=1):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


# --- NEW_AND_OLD_IMAGES: every kind of write -------------------------------------------------------------------------
observe("createTable", lambda: create("st-both", "NEW_AND_OLD_IMAGES"))
observe("describeTable", lambda: ddb.describe_table(TableName="st-both"))
arn = ddb.describe_table(TableName="st-both")["Table"]["LatestStreamArn"]

ddb.put_item(TableName="st-both", Item={**key("a"), "v": {"N": "1"}})                                      # INSERT
ddb.put_item(TableName="st-both", Item={"v": {"N": "1"}, **key("a")})                                      # same item: none
ddb.put_item(TableName="st-both", Item={**key("a"), "v": {"N": "2"}})                                      # MODIFY
ddb.update_item(TableName="st-both", Key=key("b"), UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "x"}})  # INSERT
ddb.update_item(TableName="st-both", Key=key("b"), UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "x"}})  # none
ddb.delete_item(TableName="st-both", Key=key("missing"))                                                    # none
observe("conditionalPutFails", lambda: ddb.put_item(TableName="st-both", Item={**key("a"), "v": {"N": "9"}},
                                                     ConditionExpression="attribute_not_exists(pk)"))  # none
ddb.delete_item(TableName="st-both", Key=key("a"))                                                          # REMOVE
ddb.batch_write_item(RequestItems={"st-both": [
    {"PutRequest": {"Item": {**key("d"), "v": {"N": "4"}}}},
    {"PutRequest": {"Item": {**key("e"), "v": {"N": "5"}}}},
    {"DeleteRequest": {"Key": key("b")}},
    {"DeleteRequest": {"Key": key("nothing")}},
]})                                                                                                         # INSERT, INSERT, REMOVE
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "st-both", "Item": {**key("f"), "v": {"N": "6"}}}},
    {"Update": {"TableName": "st-both", "Key": key("d"), "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "40"}}}},
    {"Delete": {"TableName": "st-both", "Key": key("e")}},
])                                                                                                          # INSERT, MODIFY, REMOVE
observe("cancelledTransaction", lambda: ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "st-both", "Item": {**key("g"), "v": {"N": "7"}}}},
    {"ConditionCheck": {"TableName": "st-both", "Key": key("f"), "ConditionExpression": "attribute_not_exists(pk)"}},
]))                                                                                                         # none

observe("listStreams", lambda: streams.list_streams(TableName="st-both"))
observe("describeStream", lambda: streams.describe_stream(StreamArn=arn))
both = read_all(arn)
observe("bothSummary", lambda: summary(both))
observe("bothRecords", lambda: both["records"])
paged = read_all(arn, limit=2)
observe("bothPagedCount", lambda: {"records": len(paged["records"]), "pages": paged["pages"],
                                    "same": [r["dynamodb"]["SequenceNumber"] for r in paged["records"]]
                                    == [r["dynamodb"]["SequenceNumber"] for r in both["records"]]})

# --- iterator types ---------------------------------------------------------------------------------------------------
seqs = [r["dynamodb"]["SequenceNumber"] for r in both["records"]]
observe("atSequence", lambda: summary(read_all(arn, "AT_SEQUENCE_NUMBER", SequenceNumber=seqs[1]))[:1])
observe("afterSequence", lambda: summary(read_all(arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[1]))[:1])
latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(arn), ShardIteratorType="LATEST")["ShardIterator"]
observe("latestBeforeWrite", lambda: streams.get_records(ShardIterator=latest)["Records"])
ddb.put_item(TableName="st-both", Item={**key("h"), "v": {"N": "8"}})
observe("latestAfterWrite", lambda: summary({"records": streams.get_records(ShardIterator=latest)["Records"]}))

# --- the other view types ---------------------------------------------------------------------------------------------
for view in ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"):
    name = "st-" + view.lower().replace("_", "-")
    create(name, view, range_key=False)
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}})
    view_arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    observe("view-" + view, lambda: [{**e, "StreamViewType": r["dynamodb"]["StreamViewType"], "SizeBytes": r["dynamodb"]["SizeBytes"]}
                                     for e, r in zip(summary(read_all(view_arn)), read_all(view_arn)["records"])])

# --- ListStreams pages ------------------------------------------------------------------------------------------------
def list_pages():
    pages, start = [], None
    while len(pages) < 10:
        page = streams.list_streams(Limit=2, **({"ExclusiveStartStreamArn": start} if start else {}))
        pages.append([s["TableName"] for s in page["Streams"]])
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            break
    return pages
observe("listStreamsPages", list_pages)

# --- disable and re-enable --------------------------------------------------------------------------------------------
create("st-cycle", "KEYS_ONLY", range_key=False)
first = ddb.describe_table(TableName="st-cycle")["Table"]["LatestStreamArn"]
ddb.put_item(TableName="st-cycle", Item={"pk": {"S": "1"}})
observe("enableAgain", lambda: ddb.update_table(TableName="st-cycle", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}))
observe("disable", lambda: ddb.update_table(TableName="st-cycle", StreamSpecification={"StreamEnabled": False}))
observe("describeAfterDisable", lambda: ddb.describe_table(TableName="st-cycle")["Table"])
ddb.put_item(TableName="st-cycle", Item={"pk": {"S": "2"}})  # no stream: no record anywhere
observe("disableAgain", lambda: ddb.update_table(TableName="st-cycle", StreamSpecification={"StreamEnabled": False}))
observe("disabledStream", lambda: streams.describe_stream(StreamArn=first)["StreamDescription"])
observe("disabledRecords", lambda: {**read_all(first), "records": summary(read_all(first))})
observe("reenable", lambda: ddb.update_table(TableName="st-cycle", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}))
second = ddb.describe_table(TableName="st-cycle")["Table"]["LatestStreamArn"]
ddb.put_item(TableName="st-cycle", Item={"pk": {"S": "3"}})
observe("reenabledArns", lambda: {"different": first != second,
                                  "listed": sorted(s["StreamArn"] for s in streams.list_streams(TableName="st-cycle")["Streams"]) == sorted([first, second])})
observe("reenabledRecords", lambda: summary(read_all(second)))
observe("deleteTable", lambda: ddb.delete_table(TableName="st-cycle"))
observe("streamAfterDeleteTable", lambda: streams.describe_stream(StreamArn=second)["StreamDescription"]["StreamStatus"])
observe("recordsAfterDeleteTable", lambda: summary(read_all(second)))

# --- errors -----------------------------------------------------------------------------------------------------------
observe("createWithoutViewType", lambda: ddb.create_table(TableName="st-bad", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                                          BillingMode="PAY_PER_REQUEST", StreamSpecification={"StreamEnabled": True}))
observe("badViewType", lambda: ddb.update_table(TableName="st-both", StreamSpecification={"StreamEnabled": True, "StreamViewType": "ALL"}))
observe("describeShortArn", lambda: unchecked.describe_stream(StreamArn="fake-stream"))
missing = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000"
observe("describeMissing", lambda: streams.describe_stream(StreamArn=missing))
observe("iteratorMissingStream", lambda: streams.get_shard_iterator(StreamArn=missing, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST"))
observe("iteratorWrongShard", lambda: streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST"))
observe("iteratorNoSequence", lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=shard_of(arn), ShardIteratorType="AT_SEQUENCE_NUMBER"))
observe("badIterator", lambda: streams.get_records(ShardIterator="not-an-iterator"))
observe("tamperedIterator", lambda: streams.get_records(ShardIterator=latest[:-6] + ("AAAAAA" if not latest.endswith("AAAAAA") else "BBBBBB")))
observe("limitTooLarge", lambda: streams.get_records(ShardIterator=latest, Limit=1001))

sys.stdout.write("\n" + json.dumps({"observations": observations, "stats": stats, "model_violations": model_violations, "errors": errors,
                                    "fatal": None}) + "\n")
