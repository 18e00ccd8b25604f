"""boto3's logs client on the read order of CloudWatch Logs that `handshake up` serves: events put out of timestamp
order (a later PutLogEvents call with older timestamps, two streams interleaved) read back in timestamp order by
GetLogEvents (both directions, paged by limit) and FilterLogEvents (paged by limit and nextToken), and paging tokens
that stay right when events arrive between pages.

Usage: python3 logs_order_boto3.py <endpoint-url>. Prints one JSON object on the last line of stdout: named
observations (lists of messages, pages of messages) and "modelViolations" (model_audit.py: every answer checked
against botocore's model).
"""
import json
import sys
import time

import boto3

import model_audit

endpoint = sys.argv[1]
logs = boto3.client("logs", endpoint_url=endpoint)
observations = {}
model_violations = []
model_audit.install(logs, model_violations)

t = int(time.time() * 1000)


def put(group, stream, events):
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t + offset, "message": message} for offset, message in events])


def messages(page):
    return [e["message"] for e in page["events"]]


def get_pages(group, stream, start_from_head, limit, token_name):
    """Pages of a stream read one way (forward: nextForwardToken; backward: nextBackwardToken) until the token repeats."""
    pages, token = [], None
    for _ in range(20):
        kwargs = {"nextToken": token} if token else {"startFromHead": start_from_head}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=limit, **kwargs)
        pages.append(messages(page))
        if page[token_name] == token:
            break
        token = page[token_name]
    return pages


def filter_pages(group, limit, **kwargs):
    pages, token = [], None
    for _ in range(20):
        page = logs.filter_log_events(logGroupName=group, limit=limit, **({"nextToken": token} if token else {}), **kwargs)
        pages.append([(e["logStreamName"], e["message"]) for e in page["events"]])
        token = page.get("nextToken")
        if token is None:
            break
    return pages


GROUP = "/app/order"
logs.create_log_group(logGroupName=GROUP)
for name in ("a", "b"):
    logs.create_log_stream(logGroupName=GROUP, logStreamName=name)

# Stream a: the second call's events are older than the first call's last one; b interleaves with a, and b3 shares
# a5's millisecond (put later, so read after it).
put(GROUP, "a", [(-5000, "a1"), (-1000, "a5")])
put(GROUP, "a", [(-4000, "a2"), (-3000, "a3"), (-2000, "a4")])
put(GROUP, "b", [(-4500, "b1"), (-2500, "b2")])
put(GROUP, "b", [(-1000, "b3")])

observations["headAll"] = messages(logs.get_log_events(logGroupName=GROUP, logStreamName="a", startFromHead=True))
observations["tailAll"] = messages(logs.get_log_events(logGroupName=GROUP, logStreamName="a"))
observations["timestamps"] = [e["timestamp"] - t for e in logs.get_log_events(logGroupName=GROUP, logStreamName="a")["events"]]
observations["forwardPages"] = get_pages(GROUP, "a", True, 2, "nextForwardToken")
observations["backwardPages"] = get_pages(GROUP, "a", False, 2, "nextBackwardToken")
# The newest page, then forward from it: nothing newer, the token repeats.
newest = logs.get_log_events(logGroupName=GROUP, logStreamName="a", limit=2)
after_newest = logs.get_log_events(logGroupName=GROUP, logStreamName="a", limit=2, nextToken=newest["nextForwardToken"])
observations["afterNewest"] = [messages(newest), messages(after_newest), after_newest["nextForwardToken"] == newest["nextForwardToken"]]
# A window: startTime inclusive, endTime exclusive, still in timestamp order.
observations["window"] = messages(logs.get_log_events(logGroupName=GROUP, logStreamName="a", startFromHead=True,
                                                      startTime=t - 4000, endTime=t - 1000))

observations["filterAll"] = [(e["logStreamName"], e["message"]) for page in logs.get_paginator("filter_log_events").paginate(logGroupName=GROUP)
                             for e in page["events"]]
observations["filterPages"] = filter_pages(GROUP, 3)
observations["filterStreamB"] = filter_pages(GROUP, 2, logStreamNames=["b"])
observations["filterPattern"] = filter_pages(GROUP, 1, filterPattern="?a2 ?b2 ?a4")

described = {s["logStreamName"]: s for s in logs.describe_log_streams(logGroupName=GROUP)["logStreams"]}
observations["describeA"] = [described["a"]["firstEventTimestamp"] - t, described["a"]["lastEventTimestamp"] - t,
                             described["a"]["lastIngestionTime"] - t]

# LastEventTime is the newest timestamp, not the last put: c's last call put its oldest event.
ORDERED = "/app/order-streams"
logs.create_log_group(logGroupName=ORDERED)
for name in ("c", "d"):
    logs.create_log_stream(logGroupName=ORDERED, logStreamName=name)
put(ORDERED, "c", [(-100, "c newest")])
put(ORDERED, "d", [(-300, "d")])
put(ORDERED, "c", [(-6000, "c oldest")])
observations["byLastEventTime"] = [s["logStreamName"] for s in
                                   logs.describe_log_streams(logGroupName=ORDERED, orderBy="LastEventTime", descending=True)["logStreams"]]
c = {s["logStreamName"]: s for s in logs.describe_log_streams(logGroupName=ORDERED)["logStreams"]}["c"]
observations["describeC"] = [c["firstEventTimestamp"] - t, c["lastEventTimestamp"] - t]

# Tokens hold a place, not an index: events put between pages, one behind the place and one ahead of it.
STABLE = "/app/order-paging"
logs.create_log_group(logGroupName=STABLE)
for name in ("x", "y"):
    logs.create_log_stream(logGroupName=STABLE, logStreamName=name)
put(STABLE, "x", [(-5000, "x1"), (-4000, "x2"), (-3000, "x3"), (-2000, "x4")])
put(STABLE, "y", [(-4500, "y1"), (-2500, "y2")])
first = logs.get_log_events(logGroupName=STABLE, logStreamName="x", startFromHead=True, limit=2)
first_filter = logs.filter_log_events(logGroupName=STABLE, limit=3)
put(STABLE, "x", [(-4800, "x behind"), (-3500, "x ahead")])
put(STABLE, "y", [(-4200, "y behind"), (-1500, "y ahead")])
pages, token = [messages(first)], first["nextForwardToken"]
for _ in range(10):
    page = logs.get_log_events(logGroupName=STABLE, logStreamName="x", limit=2, nextToken=token)
    pages.append(messages(page))
    if page["nextForwardToken"] == token:
        break
    token = page["nextForwardToken"]
observations["stableForward"] = pages
# Backward from the first page's backward token: nothing older than x1 was read before, and "x behind" is newer.
observations["stableBackward"] = messages(logs.get_log_events(logGroupName=STABLE, logStreamName="x", limit=2,
                                                              nextToken=first["nextBackwardToken"]))
pages, token = [[(e["logStreamName"], e["message"]) for e in first_filter["events"]]], first_filter.get("nextToken")
for _ in range(10):
    if token is None:
        break
    page = logs.filter_log_events(logGroupName=STABLE, limit=3, nextToken=token)
    pages.append([(e["logStreamName"], e["message"]) for e in page["events"]])
    token = page.get("nextToken")
observations["stableFilter"] = pages
observations["stableAfter"] = messages(logs.get_log_events(logGroupName=STABLE, logStreamName="x", startFromHead=True))

observations["modelViolations"] = model_violations
print(json.dumps(observations))
