"""boto3's logs client against the write side of CloudWatch Logs that `handshake up` serves: CreateLogStream,
PutLogEvents and DeleteLogStream, on a created group and on a function's own group, read back with DescribeLogStreams,
GetLogEvents and FilterLogEvents.

Usage: python3 logs_write_boto3.py <endpoint-url> <function-name>. Prints one JSON object on the last line of stdout:
named observations (values derived from what boto3 returned, or {"error": {"code", "message", "status"}} for what it
raised), and "modelViolations" (model_audit.py: every answer checked against botocore's model).
"""
import functools
import json
import sys
import time

import boto3
from botocore.config import Config

import model_audit
import observed

endpoint, function = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=endpoint)
# boto3 refuses an empty list or message itself; this client sends them, to see the service's own validation.
raw = boto3.client("logs", endpoint_url=endpoint, config=Config(parameter_validation=False))
lam = boto3.client("lambda", endpoint_url=endpoint)
observations = {}
model_violations = []
for client in (logs, raw, lam):
    model_audit.install(client, model_violations)

GROUP = "/app/writes"
FUNCTION_GROUP = "/aws/lambda/" + function
DAY = 86_400_000
HOUR = 3_600_000


def now():
    return int(time.time() * 1000)


observe = functools.partial(observed.observe, observations)
answer = observed.answer


def put(group, stream, events, client=logs, **extra):
    return answer(client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events, **extra))


def streams(group):
    return {s["logStreamName"]: s for page in logs.get_paginator("describe_log_streams").paginate(logGroupName=group)
            for s in page["logStreams"]}


def stream_messages(group, stream):
    """A stream's messages, oldest first, read forward from the head until the forward token repeats (as the CLI does)."""
    found, token = [], None
    for _ in range(50):
        kwargs = {"nextToken": token} if token else {"startFromHead": True}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, **kwargs)
        found += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    return found


def filtered(group, **kwargs):
    return [(e["logStreamName"], e["message"]) for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, **kwargs)
            for e in page["events"]]


def invoke(name):
    lam.invoke(FunctionName=name, Payload=b"{}")


logs.create_log_group(logGroupName=GROUP)

# CreateLogStream: {} answered; the stream is described at once, empty, with CloudWatch's members for an empty stream.
observe("create", lambda: answer(logs.create_log_stream(logGroupName=GROUP, logStreamName="s1")))
observe("emptyStream", lambda: streams(GROUP)["s1"])
observe("emptyEvents", lambda: answer(logs.get_log_events(logGroupName=GROUP, logStreamName="s1"))["events"])
observe("createDuplicate", lambda: logs.create_log_stream(logGroupName=GROUP, logStreamName="s1"))
observe("createMissingGroup", lambda: logs.create_log_stream(logGroupName="/app/none", logStreamName="s1"))
observe("createColon", lambda: logs.create_log_stream(logGroupName=GROUP, logStreamName="a:b"))
observe("createStar", lambda: logs.create_log_stream(logGroupName=GROUP, logStreamName="a*b"))
observe("createLong", lambda: logs.create_log_stream(logGroupName=GROUP, logStreamName="x" * 513))

# PutLogEvents: a round trip through every reader; the sequence token is ignored, nextSequenceToken still answered.
t = now()
observe("put", lambda: put(GROUP, "s1", [{"timestamp": t - 2000, "message": "one"}, {"timestamp": t - 1000, "message": "two 🙀"},
                                         {"timestamp": t - 1000, "message": "three"}]))
observe("putWithToken", lambda: put(GROUP, "s1", [{"timestamp": t, "message": "four"}], sequenceToken="not-a-token"))
observe("messages", lambda: stream_messages(GROUP, "s1"))
observe("filtered", lambda: filtered(GROUP, filterPattern="t"))
observe("streamAfterPut", lambda: streams(GROUP)["s1"])
observe("putTimestamps", lambda: [t - 2000, t])

# The batch's constraints.
observe("wrongOrder", lambda: put(GROUP, "s1", [{"timestamp": t, "message": "b"}, {"timestamp": t - 1, "message": "a"}]))
observe("tooLarge", lambda: put(GROUP, "s1", [{"timestamp": t, "message": "x" * (1_048_576 - 26 + 1)}]))
observe("atLimit", lambda: "nextSequenceToken" in put(GROUP, "s1", [{"timestamp": t, "message": "y" * (1_048_576 - 26 - 2 - 26)},
                                                                  {"timestamp": t, "message": "zz"}]))
observe("tooMany", lambda: put(GROUP, "s1", [{"timestamp": t, "message": "m"}] * 10_001))
observe("empty", lambda: put(GROUP, "s1", [], client=raw))
observe("emptyMessage", lambda: put(GROUP, "s1", [{"timestamp": t, "message": "ok"}, {"timestamp": t, "message": ""}], client=raw))
observe("negativeTimestamp", lambda: put(GROUP, "s1", [{"timestamp": -1, "message": "m"}], client=raw))
observe("span", lambda: put(GROUP, "s1", [{"timestamp": t - 2 * DAY, "message": "a"}, {"timestamp": t, "message": "b"}]))
observe("missingStream", lambda: put(GROUP, "none", [{"timestamp": t, "message": "m"}]))
observe("missingGroup", lambda: put("/app/none", "s1", [{"timestamp": t, "message": "m"}]))

# Too old (more than 14 days), too new (more than 2 hours ahead): accepted, reported by index, not kept.
logs.create_log_group(logGroupName="/app/ages")
logs.create_log_stream(logGroupName="/app/ages", logStreamName="s")
observe("rejected", lambda: put("/app/ages", "s", [{"timestamp": t - 20 * DAY, "message": "too old"},
                                                   {"timestamp": t - 15 * DAY, "message": "too old too"},
                                                   {"timestamp": t - HOUR, "message": "kept"},
                                                   {"timestamp": t + 3 * HOUR, "message": "too new"}]))
# The 24 hours are the accepted events' span: a too-old event a week before does not count.
observe("spanOfAccepted", lambda: put("/app/ages", "s", [{"timestamp": t - 20 * DAY, "message": "too old"},
                                                         {"timestamp": t - 2 * HOUR, "message": "kept 2"}]))
observe("allRejected", lambda: put("/app/ages", "s", [{"timestamp": t + 5 * HOUR, "message": "too new"}]))
logs.put_retention_policy(logGroupName="/app/ages", retentionInDays=1)
observe("expired", lambda: put("/app/ages", "s", [{"timestamp": t - 3 * DAY, "message": "expired"}, {"timestamp": t, "message": "kept 3"}]))
observe("agesMessages", lambda: stream_messages("/app/ages", "s"))

# 10,000 events, the most a batch holds: every one kept, in order.
logs.create_log_group(logGroupName="/app/many")
logs.create_log_stream(logGroupName="/app/many", logStreamName="s")
observe("many", lambda: "rejectedLogEventsInfo" in put("/app/many", "s", [{"timestamp": t + i // 100, "message": f"m{i}"} for i in range(10_000)]))
observe("manyMessages", lambda: (lambda m: [len(m), m[0], m[-1]])(stream_messages("/app/many", "s")))

# A function's group: a created stream and the environment's own stream take events beside the function's lines.
invoke(function)
environment_stream = next(iter(streams(FUNCTION_GROUP)))
observe("functionCreate", lambda: answer(logs.create_log_stream(logGroupName=FUNCTION_GROUP, logStreamName="custom")))
observe("functionCreateEnvironmentStream", lambda: logs.create_log_stream(logGroupName=FUNCTION_GROUP, logStreamName=environment_stream))
observe("functionPut", lambda: "nextSequenceToken" in put(FUNCTION_GROUP, "custom", [{"timestamp": now(), "message": "from put"}]))
observe("functionPutEnvironment", lambda: "nextSequenceToken" in put(FUNCTION_GROUP, environment_stream, [{"timestamp": now(), "message": "into the environment's stream"}]))
observe("functionStreams", lambda: sorted(streams(FUNCTION_GROUP)))
observe("functionFiltered", lambda: [m for s, m in filtered(FUNCTION_GROUP) if not m.startswith(("START", "END", "REPORT", "INIT_START"))])
observe("environmentStream", lambda: environment_stream)

# DeleteLogStream: a created stream and its events go; then it is not found; the group's other streams stay.
observe("delete", lambda: answer(logs.delete_log_stream(logGroupName=GROUP, logStreamName="s1")))
observe("streamsAfterDelete", lambda: sorted(streams(GROUP)))
observe("eventsAfterDelete", lambda: logs.get_log_events(logGroupName=GROUP, logStreamName="s1"))
observe("filteredAfterDelete", lambda: filtered(GROUP))
observe("putAfterDelete", lambda: put(GROUP, "s1", [{"timestamp": now(), "message": "m"}]))
observe("deleteAgain", lambda: logs.delete_log_stream(logGroupName=GROUP, logStreamName="s1"))
observe("deleteMissingGroup", lambda: logs.delete_log_stream(logGroupName="/app/none", logStreamName="s1"))
observe("recreate", lambda: answer(logs.create_log_stream(logGroupName=GROUP, logStreamName="s1")))
observe("recreatedMessages", lambda: stream_messages(GROUP, "s1"))

# A function environment's stream deleted: its events go, and the warm environment writes its next invocation's lines
# to a stream of that name again (the host is not hurt).
observe("deleteEnvironmentStream", lambda: answer(logs.delete_log_stream(logGroupName=FUNCTION_GROUP, logStreamName=environment_stream)))
observe("environmentAfterDelete", lambda: environment_stream in streams(FUNCTION_GROUP))
invoke(function)
observe("environmentAgain", lambda: [m.split(" ")[0] for m in stream_messages(FUNCTION_GROUP, environment_stream)])
observe("customKept", lambda: stream_messages(FUNCTION_GROUP, "custom"))

# DeleteLogGroup takes the created streams with it: a group made again under the name has none.
logs.delete_log_group(logGroupName=GROUP)
logs.create_log_group(logGroupName=GROUP)
observe("streamsOfRecreatedGroup", lambda: sorted(streams(GROUP)))
observe("filteredOfRecreatedGroup", lambda: filtered(GROUP))

observations["modelViolations"] = model_violations
print(json.dumps(observations))
