"""The AWS CLI for the tests, kept running: each command is run by `awscli.clidriver.main()`, which is all that the
CLI v1's `aws` script runs, with sys.argv, the environment and the working directory the command would have had as
its own `aws` process, and its standard output, standard error and exit code kept apart. Starting the CLI (the pyenv
shim, Python and the CLI's imports) costs about a second and 0.7 s of CPU per `aws` process; a worker pays it once,
and each command still gets a driver and a botocore session of its own, as a process would. Where awscli cannot be
imported (a CLI v2, which is not a Python package), each command runs as its own `aws` process instead.

Protocol: one JSON object per line on standard input, {"arguments": [...without the leading "aws"], "unset": [names
of the worker's own variables to leave out], "environment": {name: value, set over the rest}, "workingDirectory": path
or null}; one JSON object per line on standard
output, {"exitCode", "stdout", "stderr"}, in order. The worker exits when its standard input ends, so it never outlives
the test process that started it.
"""
import contextlib
import io
import json
import os
import subprocess
import sys

try:
    import awscli.clidriver
except ImportError:
    awscli = None

# The protocol keeps the worker's real standard input and output to itself. A command reads an empty standard input,
# as an `aws` process with its input closed does; anything that writes to file descriptor 1 directly (rather than
# through sys.stdout, which each command redirects) lands in the worker's standard error.
requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
sys.stdin = open(os.devnull, encoding="utf-8")
os.dup2(2, 1)
base_environment = dict(os.environ)
base_directory = os.getcwd()


def run(arguments, unset, environment, directory):
    os.environ.clear()
    os.environ.update(base_environment)
    for name in unset:
        os.environ.pop(name, None)
    os.environ.update(environment)
    os.chdir(directory or base_directory)
    if awscli is None:
        done = subprocess.run(["aws", *arguments], capture_output=True, text=True, check=False)
        return done.returncode, done.stdout, done.stderr

    # Text streams over bytes, as a process's are: the CLI writes binary output through sys.stdout.buffer.
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.argv = ["aws", *arguments]
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = awscli.clidriver.main()
        except SystemExit as exit:  # argparse's errors exit, as they would end an `aws` process
            if exit.code is None:
                code = 0
            elif isinstance(exit.code, int):
                code = exit.code
            else:
                print(exit.code, file=sys.stderr)
                code = 1
    return code, decoded(stdout), decoded(stderr)


def decoded(stream):
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", errors="replace")


for line in requests:
    request = json.loads(line)
    code, out, err = run(request["arguments"], request.get("unset") or [], request.get("environment") or {},
                          request.get("workingDirectory"))
    protocol.write(json.dumps({"exitCode": code, "stdout": out, "stderr": err}) + "\n")
    protocol.flush()
