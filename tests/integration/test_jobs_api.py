"""The job operations through the real clients against a real barge server:
SubmitJob (definition by name, name:revision and ARN; Ref:: substitution;
overrides), DescribeJobs, ListJobs (default RUNNING, filters, pagination),
CancelJob / TerminateJob of RUNNABLE jobs, the bulk CancelJobs / TerminateJobs
(raw signed requests: botocore 1.29 has no model for them), and the errors.
No agents run here, so submitted jobs stay RUNNABLE."""
import http.client
import json
import time
import unittest
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

from barge_harness import BargeServer, aws

ARN_PREFIX = "arn:aws:batch:us-east-1:000000000000:"


def raw_post(server, op, body):
    """POSTs `body` to /v1/<op>, SigV4-signed like botocore, without client-side
    validation; returns (status, parsed JSON)."""
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    req = botocore.awsrequest.AWSRequest(method="POST", url=server.url + "/v1/" + op, data=data,
                                         headers={"Content-Type": "application/json"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "batch",
                            "us-east-1").add_auth(req)
    prepared = req.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", urllib.parse.urlsplit(prepared.url).path, body=prepared.body,
                 headers=dict(prepared.headers))
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, json.loads(payload) if payload else None


class JobsApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BargeServer().start()
        cls.batch = boto3.client("batch", endpoint_url=cls.server.url, region_name="us-east-1",
                                 aws_access_key_id="test", aws_secret_access_key="test",
                                 config=Config(retries={"max_attempts": 1}))
        cls.batch.create_compute_environment(computeEnvironmentName="jobs-ce", type="UNMANAGED")
        container = {"image": "busybox", "command": ["echo", "Ref::greeting", "to=Ref::who"],
                     "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                     "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                              {"type": "MEMORY", "value": "128"}]}
        for _ in range(2):  # jd:1 and jd:2
            cls.batch.register_job_definition(
                jobDefinitionName="jobs-jd", type="container",
                parameters={"greeting": "hello", "who": "world"},
                containerProperties=container, retryStrategy={"attempts": 2})
        cls.queues = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def new_queue(self):
        """A queue of its own, so listings in one test see only its jobs."""
        JobsApiTest.queues += 1
        name = "jobs-q%d" % JobsApiTest.queues
        self.batch.create_job_queue(jobQueueName=name, priority=1, computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "jobs-ce"}])
        return name

    def submit(self, queue, name, **kwargs):
        kwargs.setdefault("jobDefinition", "jobs-jd")
        job_id = self.batch.submit_job(jobName=name, jobQueue=queue, **kwargs)["jobId"]
        # createdAt has millisecond precision and ties are ordered by the
        # random job id; keep the listings' order predictable.
        time.sleep(0.003)
        return job_id

    def describe(self, job_id):
        [job] = self.batch.describe_jobs(jobs=[job_id])["jobs"]
        return job

    def assert_client_error(self, call, fragment=None):
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], "ClientException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        if fragment:
            self.assertIn(fragment, err["Error"]["Message"])

    def test_submit_by_name_revision_and_arn(self):
        q = self.new_queue()
        reply = self.batch.submit_job(jobName="by-name", jobQueue=q, jobDefinition="jobs-jd")
        by_rev = self.submit(q, "by-rev", jobDefinition="jobs-jd:1")
        by_arn = self.submit(q, "by-arn", jobDefinition=ARN_PREFIX + "job-definition/jobs-jd:1")

        self.assertEqual(reply["jobName"], "by-name")
        self.assertEqual(reply["jobArn"], ARN_PREFIX + "job/" + reply["jobId"])
        job = self.describe(reply["jobId"])
        self.assertEqual(job["jobDefinition"], ARN_PREFIX + "job-definition/jobs-jd:2")
        self.assertEqual(job["jobQueue"], ARN_PREFIX + "job-queue/" + q)
        self.assertEqual(job["status"], "RUNNABLE")
        self.assertIsInstance(job["createdAt"], int)
        self.assertGreater(job["createdAt"], 1_600_000_000_000)
        self.assertEqual(job["retryStrategy"]["attempts"], 2)
        self.assertEqual(self.describe(by_rev)["jobDefinition"],
                         ARN_PREFIX + "job-definition/jobs-jd:1")
        self.assertEqual(self.describe(by_arn)["jobDefinition"],
                         ARN_PREFIX + "job-definition/jobs-jd:1")

    def test_parameters_and_overrides_show_in_describe(self):
        q = self.new_queue()
        job_id = self.submit(
            q, "overrides", parameters={"who": "barge"},
            containerOverrides={
                "environment": [{"name": "B", "value": "override"}, {"name": "C", "value": "3"}],
                "resourceRequirements": [{"type": "MEMORY", "value": "256"}]},
            retryStrategy={"attempts": 3}, timeout={"attemptDurationSeconds": 120},
            tags={"team": "barge"})
        command_job = self.submit(q, "command", parameters={"greeting": "hi"},
                                  containerOverrides={"command": ["sh", "-c", "echo Ref::greeting"]})

        job = self.describe(job_id)
        self.assertEqual(job["container"]["command"], ["echo", "hello", "to=barge"])
        self.assertEqual(job["parameters"], {"greeting": "hello", "who": "barge"})
        env = {e["name"]: e["value"] for e in job["container"]["environment"]}
        self.assertEqual(env, {"A": "1", "B": "override", "C": "3"})
        reqs = {r["type"]: r["value"] for r in job["container"]["resourceRequirements"]}
        self.assertEqual(reqs, {"VCPU": "1", "MEMORY": "256"})
        self.assertEqual(job["retryStrategy"]["attempts"], 3)
        self.assertEqual(job["timeout"], {"attemptDurationSeconds": 120})
        self.assertEqual(job["tags"], {"team": "barge"})
        self.assertEqual(self.describe(command_job)["container"]["command"],
                         ["sh", "-c", "echo hi"])

    def test_reserved_environment_names_are_rejected(self):
        q = self.new_queue()
        self.assert_client_error(lambda: self.submit(
            q, "reserved", containerOverrides={"environment": [
                {"name": "AWS_BATCH_JOB_ID", "value": "x"}]}), "AWS_BATCH")

    def test_describe_leaves_unknown_ids_out(self):
        q = self.new_queue()
        job_id = self.submit(q, "known")

        jobs = self.batch.describe_jobs(jobs=["no-such-job", job_id, "other:0"])["jobs"]

        self.assertEqual([j["jobId"] for j in jobs], [job_id])
        self.assertEqual(self.batch.describe_jobs(jobs=["no-such-job"])["jobs"], [])

    def test_list_jobs_defaults_to_running(self):
        q = self.new_queue()
        job_id = self.submit(q, "waiting")

        self.assertEqual(self.batch.list_jobs(jobQueue=q)["jobSummaryList"], [])
        runnable = self.batch.list_jobs(jobQueue=q, jobStatus="RUNNABLE")["jobSummaryList"]
        self.assertEqual([s["jobId"] for s in runnable], [job_id])
        self.assertEqual(runnable[0]["status"], "RUNNABLE")
        self.assertEqual(runnable[0]["jobName"], "waiting")
        by_arn = self.batch.list_jobs(jobQueue=ARN_PREFIX + "job-queue/" + q,
                                      jobStatus="RUNNABLE")["jobSummaryList"]
        self.assertEqual(len(by_arn), 1)

    def test_list_jobs_filters(self):
        q = self.new_queue()
        first = self.submit(q, "pg-first", jobDefinition="jobs-jd:1")
        other = self.submit(q, "other")
        second = self.submit(q, "PG-second")
        self.batch.cancel_job(jobId=other, reason="done with it")

        def names(filters):
            listed = self.batch.list_jobs(jobQueue=q, jobStatus="RUNNING", filters=filters)
            return [s["jobName"] for s in listed["jobSummaryList"]]

        self.assertEqual(names([{"name": "JOB_NAME", "values": ["pg-*"]}]),
                         ["PG-second", "pg-first"])
        self.assertEqual(names([{"name": "JOB_NAME", "values": ["OTHER"]}]), ["other"])
        self.assertEqual(names([{"name": "JOB_DEFINITION", "values": ["jobs-jd:1"]}]),
                         ["pg-first"])
        self.assertEqual(names([{"name": "JOB_DEFINITION", "values": ["jobs-*"]}]),
                         ["PG-second", "other", "pg-first"])
        created = self.describe(second)["createdAt"]
        self.assertIn("PG-second",
                      names([{"name": "AFTER_CREATED_AT", "values": [str(created)]}]))
        self.assertNotIn("PG-second",
                         names([{"name": "BEFORE_CREATED_AT", "values": [str(created - 1)]}]))
        self.assertIn("pg-first",
                      names([{"name": "BEFORE_CREATED_AT",
                              "values": [str(self.describe(first)["createdAt"])]}]))
        self.assert_client_error(lambda: self.batch.list_jobs(jobQueue=q, filters=[
            {"name": "JOB_NAME", "values": ["a"]},
            {"name": "JOB_DEFINITION", "values": ["b"]}]), "one filter")

    def test_pagination_with_boto3_and_the_cli(self):
        q = self.new_queue()
        ids = [self.submit(q, "page-%d" % i) for i in range(5)]

        first = self.batch.list_jobs(jobQueue=q, jobStatus="RUNNABLE", maxResults=2)
        self.assertEqual(len(first["jobSummaryList"]), 2)
        self.assertIn("nextToken", first)
        pages = self.batch.get_paginator("list_jobs").paginate(
            jobQueue=q, jobStatus="RUNNABLE", PaginationConfig={"PageSize": 2})
        listed = [s["jobId"] for page in pages for s in page["jobSummaryList"]]
        self.assertEqual(listed, ids)

        code, out, err = aws(self.server, "list-jobs", "--job-queue", q, "--job-status",
                             "RUNNABLE", "--page-size", "2")
        self.assertEqual(code, 0, err)
        self.assertEqual([s["jobId"] for s in out["jobSummaryList"]], ids)

        self.assert_client_error(lambda: self.batch.list_jobs(
            jobQueue=q, jobStatus="RUNNABLE", nextToken="not-a-token"), "nextToken")

    def test_cancel_of_a_runnable_job(self):
        q = self.new_queue()
        job_id = self.submit(q, "to-cancel")

        reply = self.batch.cancel_job(jobId=job_id, reason="no longer needed")

        self.assertEqual({k: v for k, v in reply.items() if k != "ResponseMetadata"}, {})
        status, body = raw_post(self.server, "describejobs", {"jobs": [job_id]})
        self.assertEqual(status, 200)
        [job] = body["jobs"]
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["statusReason"], "no longer needed")
        self.assertTrue(job["isCancelled"])
        self.assertIsInstance(job["stoppedAt"], int)
        failed = self.batch.list_jobs(jobQueue=q, jobStatus="FAILED")["jobSummaryList"]
        self.assertEqual([s["jobId"] for s in failed], [job_id])
        # Again: a finished job is left alone and the call still succeeds.
        self.batch.cancel_job(jobId=job_id, reason="again")
        self.assertEqual(self.describe(job_id)["statusReason"], "no longer needed")

    def test_terminate_of_a_runnable_job(self):
        q = self.new_queue()
        job_id = self.submit(q, "to-terminate")

        self.batch.terminate_job(jobId=job_id, reason="terminated by test")

        job = self.describe(job_id)
        self.assertEqual(job["status"], "FAILED")
        self.assertEqual(job["statusReason"], "terminated by test")

    def test_cancel_and_terminate_need_a_known_job(self):
        self.assert_client_error(
            lambda: self.batch.cancel_job(jobId="no-such-job", reason="r"), "no-such-job")
        self.assert_client_error(
            lambda: self.batch.terminate_job(jobId="no-such-job", reason="r"), "no-such-job")
        status, body = raw_post(self.server, "canceljob", {"jobId": "x"})
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "ClientException")

    def test_bulk_cancel_and_terminate(self):
        q = self.new_queue()
        a = self.submit(q, "bulk-a")
        b = self.submit(q, "bulk-b")

        status, cancelled = raw_post(self.server, "canceljobs",
                                     {"jobs": [a, "no-such-job"], "reason": "bulk"})
        self.assertEqual(status, 200)
        self.assertEqual(cancelled["successful"], [a])
        self.assertEqual(len(cancelled["errors"]), 1)
        self.assertEqual(cancelled["errors"][0]["job"], "no-such-job")
        self.assertEqual(cancelled["errors"][0]["code"], "ClientException")
        status, terminated = raw_post(self.server, "terminatejobs", {"jobs": [b], "reason": "bulk"})
        self.assertEqual(status, 200)
        self.assertEqual(terminated, {"successful": [b], "errors": []})
        self.assertEqual(self.describe(a)["status"], "FAILED")
        self.assertEqual(self.describe(b)["status"], "FAILED")
        status, body = raw_post(self.server, "canceljobs", {"jobs": [a] * 51, "reason": "r"})
        self.assertEqual(status, 400)

    def test_unknown_queue_is_a_client_error_and_creates_nothing(self):
        q = self.new_queue()
        self.assert_client_error(
            lambda: self.batch.submit_job(jobName="lost", jobQueue="no-such-queue",
                                          jobDefinition="jobs-jd"), "no-such-queue")
        self.assert_client_error(
            lambda: self.batch.submit_job(jobName="lost", jobQueue=q, jobDefinition="nope"))
        listed = self.batch.list_jobs(jobQueue=q, filters=[{"name": "JOB_NAME",
                                                            "values": ["lost"]}])
        self.assertEqual(listed["jobSummaryList"], [])

    def test_payload_over_30_kib_is_rejected(self):
        q = self.new_queue()
        self.assert_client_error(
            lambda: self.submit(q, "big", parameters={"blob": "x" * (31 * 1024)}), "30 KiB")
        listed = self.batch.list_jobs(jobQueue=q, filters=[{"name": "JOB_NAME",
                                                            "values": ["big"]}])
        self.assertEqual(listed["jobSummaryList"], [])

    def test_array_size_is_bounded_and_dependencies_must_exist(self):
        q = self.new_queue()
        self.assert_client_error(
            lambda: self.submit(q, "array", arrayProperties={"size": 10001}),
            "between 2 and 10000")
        self.assert_client_error(
            lambda: self.submit(q, "dep", dependsOn=[{"jobId": "x"}]), "job x does not exist")

    def test_aws_cli_submit_describe_and_cancel(self):
        q = self.new_queue()
        code, out, err = aws(self.server, "submit-job", "--job-name", "cli-job", "--job-queue", q,
                             "--job-definition", "jobs-jd:2", "--parameters", "who=cli",
                             "--container-overrides",
                             '{"command":["echo","Ref::who"]}', "--retry-strategy", "attempts=2")
        self.assertEqual(code, 0, err)
        job_id = out["jobId"]
        self.assertEqual(out["jobName"], "cli-job")

        code, out, err = aws(self.server, "describe-jobs", "--jobs", job_id)
        self.assertEqual(code, 0, err)
        self.assertEqual(out["jobs"][0]["container"]["command"], ["echo", "cli"])

        code, out, err = aws(self.server, "cancel-job", "--job-id", job_id, "--reason", "cli")
        self.assertEqual(code, 0, err)
        self.assertIsNone(out)
        self.assertEqual(self.describe(job_id)["status"], "FAILED")

        code, _, err = aws(self.server, "submit-job", "--job-name", "x", "--job-queue", "nope",
                           "--job-definition", "jobs-jd")
        self.assertEqual(code, 254)
        self.assertIn("ClientException", err)


if __name__ == "__main__":
    unittest.main()
