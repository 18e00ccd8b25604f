"""Several AWS CLI commands in one Python process, one after another: each is run by the CLI's own driver
(awscli.clidriver, which is all the `aws` script of the CLI v1 runs), a new driver for each, with its standard output,
standard error and exit code kept apart. Starting the CLI (Python and the CLI's imports) costs about 0.7 s of CPU; a
batch pays it once. Where awscli cannot be imported (a CLI v2, which is not a Python package), each command runs as
its own `aws` process instead, with the same result.

Usage: python3 aws_cli_batch.py '<JSON array of argument arrays, without the leading "aws">'. Prints a JSON array of
{"exitCode", "stdout", "stderr"}, one per command, in order.
"""
import contextlib
import io
import json
import subprocess
import sys

commands = json.loads(sys.argv[1])
results = []
try:
    import awscli.clidriver
except ImportError:
    awscli = None

for arguments in commands:
    if awscli is None:
        run = subprocess.run(["aws", *arguments], capture_output=True, text=True, check=False)
        results.append({"exitCode": run.returncode, "stdout": run.stdout, "stderr": run.stderr})
        continue
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = awscli.clidriver.create_clidriver().main(arguments)
        except SystemExit as exit:  # argparse's errors exit, as they would end an `aws` process
            code = exit.code if isinstance(exit.code, int) else 1
    results.append({"exitCode": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()})

print(json.dumps(results))
