"""Job output end to end on `barge dev`: CloudWatch Logs' GetLogEvents through the AWS CLI and
boto3 (paging both ways, the repeating end token, errors), `barge logs [-f]` and `barge run`."""
import json
import os
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from barge_harness import AWS_CLI, BARGE_BIN, ENDED, BargeServer, client_env, wait_for_job
from test_boto3 import batch_client
from test_jobs_e2e import BargeDev

GROUP = "/aws/batch/job"


def logs_client(server, key="test", secret="test"):
    return boto3.client("logs", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def aws_logs(server, *args, env=None):
    cmd = [AWS_CLI, "--endpoint-url", server.url, "--output", "json", "logs", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env or client_env(), timeout=60)


def barge(server, *args, timeout=60):
    cmd = [BARGE_BIN, *args[:1], "--endpoint-url", server.url, *args[1:]]
    return subprocess.run(cmd, capture_output=True, text=True, env=client_env(), timeout=timeout)


class LogsEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev()
        cls.batch = batch_client(cls.dev)
        cls.logs = logs_client(cls.dev)
        cls.register("logs-lines", ["sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done"])
        cls.job_id = cls.submit("logs-lines")
        job = cls.wait(cls.job_id)
        assert job["status"] == "SUCCEEDED", job
        cls.stream = job["container"]["logStreamName"]

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    @classmethod
    def register(cls, name, command):
        cls.batch.register_job_definition(
            jobDefinitionName=name, type="container",
            containerProperties={"image": "busybox", "command": command,
                                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                          {"type": "MEMORY", "value": "64"}]})

    @classmethod
    def submit(cls, definition):
        return cls.batch.submit_job(jobName="logs", jobQueue="default",
                                    jobDefinition=definition)["jobId"]

    @classmethod
    def wait(cls, job_id, statuses=ENDED, timeout=60):
        return wait_for_job(cls.batch, job_id, statuses, timeout)

    def messages(self, reply):
        return [e["message"] for e in reply["events"]]

    def test_aws_cli_reads_the_stream_from_head(self):
        p = aws_logs(self.dev, "get-log-events", "--log-group-name", GROUP,
                     "--log-stream-name", self.stream, "--start-from-head")
        self.assertEqual(p.returncode, 0, p.stderr)
        reply = json.loads(p.stdout)
        self.assertEqual(self.messages(reply), [f"line {i}" for i in range(1, 6)])
        for event in reply["events"]:
            self.assertGreaterEqual(event["ingestionTime"], event["timestamp"])

    def test_boto3_forward_pages_end_with_the_same_token(self):
        pages = []
        token = None
        for _ in range(10):
            args = dict(logGroupName=GROUP, logStreamName=self.stream, startFromHead=True, limit=2)
            if token:
                args["nextToken"] = token
            reply = self.logs.get_log_events(**args)
            pages.append(self.messages(reply))
            if reply["nextForwardToken"] == token:
                break
            token = reply["nextForwardToken"]
        self.assertEqual(pages, [["line 1", "line 2"], ["line 3", "line 4"], ["line 5"], []])

    def test_boto3_backward_pages_from_the_latest_lines(self):
        reply = self.logs.get_log_events(logGroupName=GROUP, logStreamName=self.stream, limit=2)
        self.assertEqual(self.messages(reply), ["line 4", "line 5"])
        pages = [self.messages(reply)]
        token = reply["nextBackwardToken"]
        for _ in range(10):
            reply = self.logs.get_log_events(logGroupName=GROUP, logStreamName=self.stream,
                                             limit=2, nextToken=token)
            pages.append(self.messages(reply))
            if reply["nextBackwardToken"] == token:
                break
            token = reply["nextBackwardToken"]
        self.assertEqual(pages, [["line 4", "line 5"], ["line 2", "line 3"], ["line 1"], []])

    def test_unknown_stream_or_group_is_resource_not_found(self):
        with self.assertRaises(ClientError) as caught:
            self.logs.get_log_events(logGroupName=GROUP, logStreamName="logs-lines/default/nope")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ResourceNotFoundException")
        self.assertEqual(caught.exception.response["Error"]["Message"],
                         "The specified log stream does not exist.")
        with self.assertRaises(ClientError) as caught:
            self.logs.get_log_events(logGroupName="/aws/lambda/x", logStreamName=self.stream)
        self.assertEqual(caught.exception.response["Error"]["Code"], "ResourceNotFoundException")
        p = aws_logs(self.dev, "get-log-events", "--log-group-name", GROUP,
                     "--log-stream-name", "nope")
        self.assertEqual(p.returncode, 254)
        self.assertIn("ResourceNotFoundException", p.stderr)

    def test_barge_logs_prints_the_lines(self):
        p = barge(self.dev, "logs", self.job_id)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "".join(f"line {i}\n" for i in range(1, 6)))

    def test_barge_logs_of_an_unknown_job_fails(self):
        p = barge(self.dev, "logs", "no-such-job")
        self.assertEqual(p.returncode, 254)
        self.assertIn("job no-such-job does not exist", p.stderr)

    def test_barge_logs_follow_ends_when_the_job_ends(self):
        self.register("logs-slow", ["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 1; done"])
        job_id = self.submit("logs-slow")
        self.wait(job_id, statuses=("RUNNING", "SUCCEEDED", "FAILED"))
        started = time.time()
        p = barge(self.dev, "logs", job_id, "--follow", timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "tick 1\ntick 2\ntick 3\n")
        self.assertEqual(self.batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"], "SUCCEEDED")
        self.assertLess(time.time() - started, 30)

    def test_barge_run_prints_output_and_exits_with_the_job_code(self):
        p = barge(self.dev, "run", "--", "sh", "-c", "echo hi; exit 7")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(p.stdout, "hi\n")
        self.assertIn("FAILED", p.stderr)
        self.assertIn("(exit 7)", p.stderr)

    def test_barge_run_true_exits_zero_and_reuses_its_definition(self):
        first = barge(self.dev, "run", "--memory", "128", "--", "true")
        second = barge(self.dev, "run", "--memory", "128", "--", "true")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(second.returncode, 0, second.stderr)
        definitions = [d for d in self.batch.describe_job_definitions(status="ACTIVE")
                       ["jobDefinitions"] if d["jobDefinitionName"].startswith("barge-run-")
                       and d["containerProperties"]["resourceRequirements"][1]["value"] == "128"]
        self.assertEqual(len(definitions), 1, definitions)


class LogsSignedTest(unittest.TestCase):
    """A server that checks SigV4: GetLogEvents signed for service `logs` gets through."""

    @classmethod
    def setUpClass(cls):
        cls.creds = tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False)
        cls.creds.write("[default]\naws_access_key_id = AKIDBARGE\n"
                        "aws_secret_access_key = s3cr3t/KEY\n")
        cls.creds.close()
        cls.server = BargeServer(extra_args=["--credentials", cls.creds.name]).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        os.unlink(cls.creds.name)

    def test_signed_calls_reach_the_service(self):
        env = client_env("AKIDBARGE", "s3cr3t/KEY")
        p = aws_logs(self.server, "get-log-events", "--log-group-name", GROUP,
                     "--log-stream-name", "x/default/y", env=env)
        self.assertEqual(p.returncode, 254)
        self.assertIn("ResourceNotFoundException", p.stderr)
        with self.assertRaises(ClientError) as caught:
            logs_client(self.server, "AKIDBARGE", "s3cr3t/KEY").get_log_events(
                logGroupName=GROUP, logStreamName="x/default/y")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ResourceNotFoundException")
        cmd = [BARGE_BIN, "logs", "--endpoint-url", self.server.url, "nope"]
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 254)
        self.assertIn("job nope does not exist", p.stderr)

    def test_a_wrong_secret_is_refused(self):
        with self.assertRaises(ClientError) as caught:
            logs_client(self.server, "AKIDBARGE", "wrong").get_log_events(
                logGroupName=GROUP, logStreamName="x/default/y")
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidSignatureException")


if __name__ == "__main__":
    unittest.main()
