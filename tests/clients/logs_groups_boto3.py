"""boto3's logs client against the log groups' write side that `handshake up` serves (CreateLogGroup, DeleteLogGroup,
PutRetentionPolicy, DeleteRetentionPolicy and the tag operations), on created groups and on a function's own group.

Usage: python3 logs_groups_boto3.py <endpoint-url> <function-name> <other-function>. The first function is invoked
(its group exists because it logged); the other's group is created before the function is invoked into it. Prints one
JSON object on the last line of stdout: named observations (values derived from what boto3 returned, or
{"error": {"code", "message", "status"}} for what it raised), and "modelViolations" (model_audit.py).
"""
import functools
import json
import sys

import boto3

import model_audit
import observed

endpoint, function, other = sys.argv[1], sys.argv[2], sys.argv[3]
logs = boto3.client("logs", endpoint_url=endpoint)
lam = boto3.client("lambda", endpoint_url=endpoint)
observations = {}
model_violations = []
for client in (logs, lam):
    model_audit.install(client, model_violations)

ARN = "arn:aws:logs:us-east-1:000000000000:log-group:"
created = "/app/created"
function_group = "/aws/lambda/" + function
other_group = "/aws/lambda/" + other


observe = functools.partial(observed.observe, observations)
answer = observed.answer


def groups():
    """Every group DescribeLogGroups lists, by name, through boto3's paginator."""
    found = {}
    for page in logs.get_paginator("describe_log_groups").paginate():
        for g in page["logGroups"]:
            found[g["logGroupName"]] = g
    return found


def group(name):
    return groups().get(name)


def invoke(name):
    lam.invoke(FunctionName=name, Payload=b"{}")


def messages(name):
    return [e["message"] for page in logs.get_paginator("filter_log_events").paginate(logGroupName=name) for e in page["events"]]


# CreateLogGroup: a group with no events, its class, KMS key and tags as given.
observe("create", lambda: answer(logs.create_log_group(logGroupName=created, tags={"team": "a", "stage": "one"},
                                                       kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k1",
                                                       logGroupClass="INFREQUENT_ACCESS")))
observe("createdGroup", lambda: group(created))
observe("createdStreams", lambda: logs.describe_log_streams(logGroupName=created)["logStreams"])
observe("createdEvents", lambda: messages(created))
observe("createDuplicate", lambda: logs.create_log_group(logGroupName=created))
observe("createBadName", lambda: logs.create_log_group(logGroupName="/app/bad name"))
observe("createLongName", lambda: logs.create_log_group(logGroupName="/" + "a" * 512))
observe("createBadClass", lambda: logs.create_log_group(logGroupName="/app/x", logGroupClass="COLD"))
observe("createdByPrefix", lambda: [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]])

# Retention: one of CloudWatch's values, described; anything else refused; then deleted.
observe("putRetention", lambda: answer(logs.put_retention_policy(logGroupName=created, retentionInDays=14)))
observe("retentionAfterPut", lambda: group(created).get("retentionInDays"))
observe("putRetentionBad", lambda: logs.put_retention_policy(logGroupName=created, retentionInDays=10))
observe("putRetentionMissing", lambda: logs.put_retention_policy(logGroupName="/app/none", retentionInDays=14))
observe("deleteRetention", lambda: answer(logs.delete_retention_policy(logGroupName=created)))
observe("retentionAfterDelete", lambda: "retentionInDays" in group(created))
observe("deleteRetentionMissing", lambda: logs.delete_retention_policy(logGroupName="/app/none"))

# The KMS key id: associated and disassociated (kept and described only).
observe("associateKmsKey", lambda: answer(logs.associate_kms_key(logGroupName=created, kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k2")))
observe("kmsAfterAssociate", lambda: group(created).get("kmsKeyId"))
observe("disassociateKmsKey", lambda: answer(logs.disassociate_kms_key(logGroupName=created)))
observe("kmsAfterDisassociate", lambda: "kmsKeyId" in group(created))
observe("associateKmsKeyMissing", lambda: logs.associate_kms_key(logGroupName="/app/none", kmsKeyId="k"))

# Tags, by ARN and (the older operations) by name: both see the same tags.
observe("tagsAtCreate", lambda: logs.list_tags_for_resource(resourceArn=ARN + created)["tags"])
observe("tagResource", lambda: answer(logs.tag_resource(resourceArn=ARN + created, tags={"team": "b", "owner": "me"})))
observe("untagResource", lambda: answer(logs.untag_resource(resourceArn=ARN + created, tagKeys=["stage", "absent"])))
observe("tagsByArn", lambda: logs.list_tags_for_resource(resourceArn=ARN + created)["tags"])
observe("tagsByStarArn", lambda: logs.list_tags_for_resource(resourceArn=ARN + created + ":*")["tags"])
observe("tagLogGroup", lambda: answer(logs.tag_log_group(logGroupName=created, tags={"old": "api"})))
observe("untagLogGroup", lambda: answer(logs.untag_log_group(logGroupName=created, tags=["owner"])))
observe("tagsLogGroup", lambda: logs.list_tags_log_group(logGroupName=created)["tags"])
observe("tagsMissing", lambda: logs.list_tags_for_resource(resourceArn=ARN + "/app/none"))
observe("tagMissing", lambda: logs.tag_resource(resourceArn=ARN + "/app/none", tags={"a": "b"}))
observe("tagsLogGroupMissing", lambda: logs.list_tags_log_group(logGroupName="/app/none"))
observe("tagsOtherRegion", lambda: logs.list_tags_for_resource(resourceArn="arn:aws:logs:eu-west-1:000000000000:log-group:" + created))

# A function's group that exists because it logged: retention and tags on it; it cannot be created again.
invoke(function)
observe("functionCreate", lambda: logs.create_log_group(logGroupName=function_group))
observe("functionRetention", lambda: answer(logs.put_retention_policy(logGroupName=function_group, retentionInDays=7)))
observe("functionTag", lambda: answer(logs.tag_resource(resourceArn=ARN + function_group, tags={"fn": "yes"})))
observe("functionGroup", lambda: {k: group(function_group).get(k) for k in ("retentionInDays", "logGroupClass", "logGroupArn")}
        | {"storedBytes>0": group(function_group)["storedBytes"] > 0})
observe("functionTags", lambda: logs.list_tags_for_resource(resourceArn=ARN + function_group)["tags"])
observe("functionStarts", lambda: sum(m.startswith("START ") for m in messages(function_group)))

# DeleteLogGroup of the function's group: its events, retention and tags go; the next invocation makes it again.
observe("functionDelete", lambda: answer(logs.delete_log_group(logGroupName=function_group)))
observe("functionListedAfterDelete", lambda: function_group in groups())
observe("functionEventsAfterDelete", lambda: messages(function_group))
observe("functionStreamsAfterDelete", lambda: logs.describe_log_streams(logGroupName=function_group))
observe("functionDeleteAgain", lambda: logs.delete_log_group(logGroupName=function_group))
invoke(function)
observe("functionStartsAgain", lambda: sum(m.startswith("START ") for m in messages(function_group)))
observe("functionGroupAgain", lambda: "retentionInDays" in group(function_group))
observe("functionTagsAgain", lambda: logs.list_tags_for_resource(resourceArn=ARN + function_group)["tags"])

# A function's group created before the function logs: the function's lines go into it, and it keeps its settings.
observe("otherCreate", lambda: answer(logs.create_log_group(logGroupName=other_group)))
observe("otherRetention", lambda: answer(logs.put_retention_policy(logGroupName=other_group, retentionInDays=3653)))
observe("otherCreationTime", lambda: group(other_group)["creationTime"])
invoke(other)
observe("otherAfterInvoke", lambda: {k: group(other_group).get(k) for k in ("creationTime", "retentionInDays")})
observe("otherStarts", lambda: sum(m.startswith("START ") for m in messages(other_group)))

# DeleteLogGroup of the created group; then it is gone.
observe("deleteCreated", lambda: answer(logs.delete_log_group(logGroupName=created)))
observe("createdListedAfterDelete", lambda: created in groups())
observe("deleteCreatedAgain", lambda: logs.delete_log_group(logGroupName=created))
observe("tagsAfterDelete", lambda: logs.list_tags_log_group(logGroupName=created))

observations["modelViolations"] = model_violations
print(json.dumps(observations))
