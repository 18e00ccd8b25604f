"""boto3's logs client against the CloudWatch Logs API that `handshake up` serves over its functions' logs.

Usage: python3 logs_boto3.py <endpoint-url> <function-name> <invocations> <other-function>. Invokes the function
(boto3's lambda client) that many times and the other function once, then reads the first one's log group as from
CloudWatch. Prints one JSON object on the last line of stdout: named
observations (values derived from what boto3 returned, or {"error": {"code", "message"}} for what it raised).
"""
import functools
import json
import sys

import boto3

import model_audit
import observed

endpoint, function, invocations, other = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
group = "/aws/lambda/" + function
logs = boto3.client("logs", endpoint_url=endpoint)
lam = boto3.client("lambda", endpoint_url=endpoint)
observations = {}
model_violations = []  # what model_audit finds wrong in any answer, printed as "modelViolations"
for client in (logs, lam):
    model_audit.install(client, model_violations)


observe = functools.partial(observed.observe, observations)


request_ids = []
for i in range(invocations):
    answer = lam.invoke(FunctionName=function, Payload=json.dumps({"n": i}).encode())
    request_ids.append(answer["ResponseMetadata"]["RequestId"])
observations["requestIds"] = request_ids
lam.invoke(FunctionName=other, Payload=b"{}")


def describe_groups(**kwargs):
    groups = logs.describe_log_groups(**kwargs)["logGroups"]
    return [{k: v for k, v in g.items() if k != "creationTime" and k != "storedBytes"} | {"hasCreationTime": "creationTime" in g, "storedBytes>0": g.get("storedBytes", 0) > 0} for g in groups]


observe("groups", lambda: describe_groups())
observe("groupsByPrefix", lambda: [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/" + function[:2])["logGroups"]])
observe("groupsByOtherPrefix", lambda: [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/zz-none")["logGroups"]])
observe("groupsByPattern", lambda: [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern=function[1:])["logGroups"]])
observe("groupsByUpperPattern", lambda: [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern=function.upper())["logGroups"]])
observe("groupsPaged", lambda: [[g["logGroupName"] for g in page["logGroups"]]
                                 for page in logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1})])
observe("groupsLimit51", lambda: logs.describe_log_groups(limit=51))
observe("groupsPrefixAndPattern", lambda: logs.describe_log_groups(logGroupNamePrefix="/aws", logGroupNamePattern="x"))

streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
stream = streams[0]["logStreamName"]
observations["streams"] = [{k: v for k, v in s.items() if not k.endswith("Time") and not k.endswith("Timestamp")}
                           | {"ordered": s["firstEventTimestamp"] <= s["lastEventTimestamp"] == s["lastIngestionTime"]} for s in streams]
observe("streamsByTime", lambda: [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True)["logStreams"]])
observe("streamsByPrefix", lambda: [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream[:11])["logStreams"]])
observe("streamsByTimeAndPrefix", lambda: logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="2", orderBy="LastEventTime"))
observe("streamsOfMissingGroup", lambda: logs.describe_log_streams(logGroupName="/aws/lambda/zz-none"))
observe("streamsByIdentifierArn", lambda: [s["logStreamName"] for s in logs.describe_log_streams(
    logGroupIdentifier="arn:aws:logs:us-east-1:000000000000:log-group:" + group)["logStreams"]])


def message_kinds(events):
    kinds = []
    for e in events:
        m = e["message"]
        kinds.append(m.split(" ")[0] if m.startswith(("START ", "END ", "REPORT ")) else "output")
    return kinds


# Forward from the head, 2 events a page, until nextForwardToken repeats (how the SDKs' loops know they are done).
pages = []
token = None
for _ in range(100):
    kwargs = {"logGroupName": group, "logStreamName": stream, "limit": 2, "startFromHead": True}
    if token:
        kwargs["nextToken"] = token
    page = logs.get_log_events(**kwargs)
    pages.append(len(page["events"]))
    observations.setdefault("forwardMessages", []).extend(e["message"] for e in page["events"])
    if page["nextForwardToken"] == token:
        break
    token = page["nextForwardToken"]
observations["forwardPageSizes"] = pages
observations["forwardKinds"] = message_kinds([{"message": m} for m in observations["forwardMessages"]])
observations["forwardTokenRepeatsAgain"] = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=token)["nextForwardToken"] == token

# The default page (startFromHead false) is the newest events; backward tokens then page toward the oldest.
newest = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2)
observations["newestKinds"] = message_kinds(newest["events"])
backward = [e["message"] for e in newest["events"]]
token = newest["nextBackwardToken"]
for _ in range(100):
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3, nextToken=token)
    backward = [e["message"] for e in page["events"]] + backward
    if page["nextBackwardToken"] == token:
        break
    token = page["nextBackwardToken"]
observations["backwardEqualsForward"] = backward == observations["forwardMessages"]
observations["allEventsDefault"] = len(logs.get_log_events(logGroupName=group, logStreamName=stream)["events"])
first = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=1)["events"][0]["timestamp"]
observations["fromFirstTimestamp"] = len(logs.get_log_events(logGroupName=group, logStreamName=stream, startTime=first, startFromHead=True)["events"])
observations["beforeFirstTimestamp"] = len(logs.get_log_events(logGroupName=group, logStreamName=stream, endTime=first, startFromHead=True)["events"])
observe("eventsOfMissingStream", lambda: logs.get_log_events(logGroupName=group, logStreamName="2026/01/01/[$LATEST]nope"))
observe("eventsOfMissingGroup", lambda: logs.get_log_events(logGroupName="/aws/lambda/zz-none", logStreamName=stream))
observe("eventsBadToken", lambda: logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken="not-a-token"))
observe("eventsLimitTooLarge", lambda: logs.get_log_events(logGroupName=group, logStreamName=stream, limit=10001))
observe("eventsNameAndIdentifier", lambda: logs.get_log_events(logGroupName=group, logGroupIdentifier=group, logStreamName=stream))


def filter_pages(**kwargs):
    paginator = logs.get_paginator("filter_log_events")
    result = {"pages": 0, "messages": [], "streams": set(), "lastHasToken": None, "eventIds": set()}
    for page in paginator.paginate(logGroupName=group, **kwargs):
        result["pages"] += 1
        result["messages"] += [e["message"] for e in page["events"]]
        result["streams"] |= {e["logStreamName"] for e in page["events"]}
        result["eventIds"] |= {e["eventId"] for e in page["events"]}
        result["lastHasToken"] = "nextToken" in page
        result["searchedLogStreams"] = page["searchedLogStreams"]
    result["streams"] = sorted(result["streams"])
    result["uniqueEventIds"] = len(result["eventIds"]) == len(result["messages"])
    del result["eventIds"]
    return result


observe("filterReport", lambda: filter_pages(filterPattern="REPORT"))
observe("filterReportPaged", lambda: filter_pages(filterPattern="REPORT", PaginationConfig={"PageSize": 1}))
observe("filterAll", lambda: filter_pages())
observe("filterPhrase", lambda: filter_pages(filterPattern='"RequestId: ' + request_ids[0] + '"'))
observe("filterAlternatives", lambda: filter_pages(filterPattern="?START ?END"))
observe("filterExclusion", lambda: filter_pages(filterPattern="RequestId -REPORT"))
observe("filterAllTerms", lambda: filter_pages(filterPattern="REPORT " + request_ids[-1]))
observe("filterCaseSensitive", lambda: filter_pages(filterPattern="report"))
observe("filterByStreamNames", lambda: filter_pages(logStreamNames=[stream], filterPattern="START"))
observe("filterByStreamPrefix", lambda: filter_pages(logStreamNamePrefix="1999/", filterPattern="START"))
observe("filterJson", lambda: logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" }'))
observe("filterSpaceDelimited", lambda: logs.filter_log_events(logGroupName=group, filterPattern="[ip, user]"))
observe("filterBadToken", lambda: logs.filter_log_events(logGroupName=group, nextToken="bm90LWEtdG9rZW4="))
observe("filterMissingGroup", lambda: logs.filter_log_events(logGroupName="/aws/lambda/zz-none"))
# An operation the host does not serve (metric filters): UnknownOperationException.
observe("putMetricFilter", lambda: logs.put_metric_filter(logGroupName=group, filterName="f", filterPattern="ERROR",
                                                          metricTransformations=[{"metricName": "m", "metricNamespace": "n", "metricValue": "1"}]))

observations["modelViolations"] = model_violations
print(json.dumps(observations))
