"""boto3 (Debian's python3-boto3) and raw signed HTTP against a real barge server:
every resource operation, the wire error shapes, bad input that must change nothing,
and SigV4 verification with a credentials file."""
import http.client
import json
import os
import tempfile
import unittest
import urllib.parse

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.config import Config
from botocore.exceptions import ClientError

from barge_harness import BargeServer


def batch_client(server, key="test", secret="test"):
    return boto3.client("batch", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def raw_request(server, method, path, body=b"", key="test", secret="test", sign=True,
                headers=None):
    """Sends `body` as-is (no client-side validation), SigV4-signed like botocore does."""
    url = server.url + path
    hdrs = {"Content-Type": "application/json"} if method == "POST" else {}
    hdrs.update(headers or {})
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=hdrs)
    if sign:
        creds = botocore.credentials.Credentials(key, secret)
        botocore.auth.SigV4Auth(creds, "batch", "us-east-1").add_auth(req)
    prepared = req.prepare()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    split = urllib.parse.urlsplit(prepared.url)
    target = split.path + (("?" + split.query) if split.query else "")
    conn.request(method, target, body=prepared.body, headers=dict(prepared.headers))
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


class Boto3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BargeServer().start()
        cls.batch = batch_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def assert_client_error(self, call, fragment=None):
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], "ClientException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        if fragment:
            self.assertIn(fragment, err["Error"]["Message"])
        return err

    def test_every_resource_operation(self):
        b = self.batch
        ce = b.create_compute_environment(
            computeEnvironmentName="b3-ce", type="MANAGED", state="ENABLED",
            computeResources={"type": "SPOT", "minvCpus": 0, "maxvCpus": 32, "bidPercentage": 60,
                              "instanceTypes": ["c5", "m5.large"],
                              "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED",
                              "subnets": ["subnet-1"], "launchTemplate": {
                                  "launchTemplateName": "lt", "version": "$Latest"}},
            serviceRole="arn:aws:iam::000000000000:role/batch")
        self.assertIn("ResponseMetadata", ce)
        self.assertTrue(ce["ResponseMetadata"]["RequestId"])
        [desc] = b.describe_compute_environments(
            computeEnvironments=["b3-ce"])["computeEnvironments"]
        self.assertEqual(desc["computeResources"]["launchTemplate"],
                         {"launchTemplateName": "lt", "version": "$Latest"})
        self.assertEqual(desc["serviceRole"], "arn:aws:iam::000000000000:role/batch")
        self.assertEqual(desc["status"], "VALID")
        self.assertTrue(desc["uuid"])

        pol = b.create_scheduling_policy(name="b3-pol", fairsharePolicy={
            "shareDecaySeconds": 600, "shareDistribution": [{"shareIdentifier": "a"}]},
            tags={"k": "v"})
        q = b.create_job_queue(jobQueueName="b3-q", priority=3,
                               schedulingPolicyArn=pol["arn"],
                               computeEnvironmentOrder=[{"order": 1,
                                                         "computeEnvironment": ce[
                                                             "computeEnvironmentArn"]}])
        # jobStateTimeLimitActions is newer than Debian's botocore: the JS SDK test covers it.
        [dq] = b.describe_job_queues(jobQueues=[q["jobQueueArn"]])["jobQueues"]
        self.assertEqual(dq["schedulingPolicyArn"], pol["arn"])
        b.update_job_queue(jobQueue="b3-q", priority=7, state="DISABLED")
        [dq] = b.describe_job_queues(jobQueues=["b3-q"])["jobQueues"]
        self.assertEqual((dq["priority"], dq["state"]), (7, "DISABLED"))

        jd = b.register_job_definition(
            jobDefinitionName="b3-jd", type="container", propagateTags=True,
            platformCapabilities=["EC2"], schedulingPriority=5,
            containerProperties={
                "image": "busybox:1.36", "command": ["sh", "-c", "echo hi"],
                "resourceRequirements": [{"type": "VCPU", "value": "2"},
                                         {"type": "MEMORY", "value": "256"}],
                "volumes": [{"name": "data", "host": {"sourcePath": "/tmp"}}],
                "mountPoints": [{"sourceVolume": "data", "containerPath": "/data",
                                 "readOnly": True}],
                "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}],
                "user": "nobody", "readonlyRootFilesystem": True, "privileged": False,
                "linuxParameters": {"initProcessEnabled": True, "sharedMemorySize": 64,
                                    "tmpfs": [{"containerPath": "/scratch", "size": 32}]},
                "logConfiguration": {"logDriver": "json-file"},
                "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:::parameter/x"}],
                "jobRoleArn": "arn:aws:iam::000000000000:role/job"},
            retryStrategy={"attempts": 2, "evaluateOnExit": [
                {"onStatusReason": "Host EC2*", "action": "RETRY"},
                {"onReason": "*", "action": "EXIT"}]},
            timeout={"attemptDurationSeconds": 60}, tags={"owner": "me"})
        self.assertEqual(jd["revision"], 1)
        [djd] = b.describe_job_definitions(jobDefinitions=[jd["jobDefinitionArn"]])[
            "jobDefinitions"]
        cp = djd["containerProperties"]
        self.assertEqual(cp["mountPoints"][0]["readOnly"], True)
        self.assertEqual(cp["ulimits"][0]["hardLimit"], 2048)
        self.assertEqual(cp["linuxParameters"]["tmpfs"][0]["size"], 32)
        self.assertEqual(cp["jobRoleArn"], "arn:aws:iam::000000000000:role/job")
        self.assertEqual(djd["retryStrategy"]["evaluateOnExit"][0]["onStatusReason"], "Host EC2*")
        self.assertEqual(djd["tags"], {"owner": "me"})
        self.assertEqual(djd["type"], "container")

        mnp = b.register_job_definition(
            jobDefinitionName="b3-mnp", type="multinode",
            nodeProperties={"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [
                {"targetNodes": "0:", "container": {"image": "busybox", "vcpus": 1,
                                                    "memory": 64}}]})
        [dm] = b.describe_job_definitions(jobDefinitionName="b3-mnp")["jobDefinitions"]
        self.assertEqual(dm["nodeProperties"]["numNodes"], 3)
        del mnp

        b.tag_resource(resourceArn=jd["jobDefinitionArn"], tags={"x": "y"})
        self.assertEqual(b.list_tags_for_resource(resourceArn=jd["jobDefinitionArn"])["tags"],
                         {"owner": "me", "x": "y"})
        b.untag_resource(resourceArn=jd["jobDefinitionArn"], tagKeys=["owner"])
        self.assertEqual(b.list_tags_for_resource(resourceArn=q["jobQueueArn"])["tags"], {})
        self.assertEqual(b.list_tags_for_resource(resourceArn=pol["arn"])["tags"], {"k": "v"})

        b.update_scheduling_policy(arn=pol["arn"], fairsharePolicy={"computeReservation": 50})
        b.deregister_job_definition(jobDefinition="b3-jd:1")
        b.delete_job_queue(jobQueue="b3-q")
        b.delete_scheduling_policy(arn=pol["arn"])
        b.update_compute_environment(computeEnvironment="b3-ce", state="DISABLED")
        b.delete_compute_environment(computeEnvironment="b3-ce")
        self.assertEqual(b.describe_compute_environments(
            computeEnvironments=["b3-ce"])["computeEnvironments"], [])

    def test_paginators_walk_every_page(self):
        for i in range(7):
            self.batch.register_job_definition(jobDefinitionName="b3-page", type="container",
                                               containerProperties={"image": "busybox"})
        pages = self.batch.get_paginator("describe_job_definitions").paginate(
            jobDefinitionName="b3-page", PaginationConfig={"PageSize": 3})
        revisions = [d["revision"] for page in pages for d in page["jobDefinitions"]]
        self.assertEqual(sorted(revisions), list(range(1, 8)))

    def test_wire_errors_have_aws_shape(self):
        status, headers, body = raw_request(self.server, "POST", "/v1/createcomputeenvironment",
                                            b'{"computeEnvironmentName": "b3-x", "type": ')
        self.assertEqual(status, 400)
        self.assertEqual(headers["x-amzn-errortype"].split(":")[0], "ClientException")
        self.assertTrue(headers["x-amzn-requestid"])
        self.assertEqual(json.loads(body)["__type"], "ClientException")

        status, headers, body = raw_request(
            self.server, "POST", "/v1/createcomputeenvironment",
            json.dumps({"computeEnvironmentName": "b3-x", "type": "MANAGED",
                        "computeResources": {"type": "EC2", "maxvCpus": "lots"}}).encode())
        self.assertEqual(status, 400)
        self.assertIn("maxvCpus", json.loads(body)["message"])

        big = json.dumps({"computeEnvironmentName": "b3-x", "type": "UNMANAGED",
                          "tags": {"pad": "x" * (2 * 1024 * 1024)}}).encode()
        status, headers, body = raw_request(self.server, "POST", "/v1/createcomputeenvironment",
                                            big)
        self.assertIn(status, (400, 413))
        self.assertEqual(headers["x-amzn-errortype"].split(":")[0], "ClientException")

        status, headers, body = raw_request(self.server, "POST", "/v1/nosuchoperation", b"{}")
        self.assertEqual(status, 404)
        self.assertIn("__type", json.loads(body))

        self.assertEqual(self.batch.describe_compute_environments(
            computeEnvironments=["b3-x"])["computeEnvironments"], [])
        # The server is still healthy after all of that.
        self.batch.describe_job_queues()

    def test_unknown_references_are_client_errors(self):
        self.assert_client_error(lambda: self.batch.update_job_queue(jobQueue="nope", priority=1))
        self.assert_client_error(lambda: self.batch.delete_compute_environment(
            computeEnvironment="nope"))
        self.assert_client_error(lambda: self.batch.deregister_job_definition(
            jobDefinition="nope:1"))
        self.assert_client_error(lambda: self.batch.list_tags_for_resource(
            resourceArn="arn:aws:batch:us-east-1:000000000000:job-queue/nope"))
        self.assert_client_error(lambda: self.batch.create_job_queue(
            jobQueueName="b3-orphan", priority=1, schedulingPolicyArn=(
                "arn:aws:batch:us-east-1:000000000000:scheduling-policy/nope"),
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "nope"}]))
        self.assertEqual(self.batch.describe_job_queues(jobQueues=["b3-orphan"])["jobQueues"], [])

    def test_scale_down_delay_outside_aws_range_is_refused(self):
        # Debian's botocore predates scalingPolicy and refuses to send it, so
        # this goes on the wire as a newer SDK would send it.
        def create(name, minutes):
            return raw_request(self.server, "POST", "/v1/createcomputeenvironment", json.dumps({
                "computeEnvironmentName": name, "type": "MANAGED",
                "computeResources": {"type": "EC2", "maxvCpus": 4,
                                     "scalingPolicy": {"minScaleDownDelayMinutes": minutes}},
            }).encode())
        for minutes in (5, 10081):
            status, headers, body = create("b3-delay-bad", minutes)
            self.assertEqual(status, 400, body)
            self.assertEqual(headers["x-amzn-errortype"].split(":")[0], "ClientException")
            self.assertIn("between 20 and 10080", json.loads(body)["message"])
        self.assertEqual(self.batch.describe_compute_environments(
            computeEnvironments=["b3-delay-bad"])["computeEnvironments"], [])
        status, headers, body = create("b3-delay-30", 30)
        self.assertEqual(status, 200, body)
        status, headers, body = raw_request(
            self.server, "POST", "/v1/describecomputeenvironments",
            json.dumps({"computeEnvironments": ["b3-delay-30"]}).encode())
        [ce] = json.loads(body)["computeEnvironments"]
        self.assertEqual(ce["computeResources"]["scalingPolicy"], {"minScaleDownDelayMinutes": 30})

class SigV4Test(unittest.TestCase):
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

    def test_correct_signature_is_accepted(self):
        b = batch_client(self.server, "AKIDBARGE", "s3cr3t/KEY")
        b.create_compute_environment(computeEnvironmentName="sig-ok", type="UNMANAGED")
        arn = b.describe_compute_environments()["computeEnvironments"][0]["computeEnvironmentArn"]
        # Tags put a percent-encoded ARN in the path: the canonical URI is encoded twice.
        b.tag_resource(resourceArn=arn, tags={"a": "b"})
        b.untag_resource(resourceArn=arn, tagKeys=["a", "c"])
        self.assertEqual(b.list_tags_for_resource(resourceArn=arn)["tags"],
                         {"barge:executor": "container"})

    def test_wrong_secret_is_rejected_and_changes_nothing(self):
        b = batch_client(self.server, "AKIDBARGE", "wrong")
        with self.assertRaises(ClientError) as ctx:
            b.create_compute_environment(computeEnvironmentName="sig-bad", type="UNMANAGED")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        good = batch_client(self.server, "AKIDBARGE", "s3cr3t/KEY")
        self.assertEqual(good.describe_compute_environments(
            computeEnvironments=["sig-bad"])["computeEnvironments"], [])

    def test_unknown_key_is_rejected(self):
        b = batch_client(self.server, "AKIDUNKNOWN", "whatever")
        with self.assertRaises(ClientError) as ctx:
            b.describe_job_queues()
        self.assertEqual(ctx.exception.response["Error"]["Code"], "UnrecognizedClientException")
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)

    def test_stale_request_is_rejected(self):
        status, headers, _ = raw_request(
            self.server, "POST", "/v1/describejobqueues", b"{}", key="AKIDBARGE",
            secret="s3cr3t/KEY", sign=False,
            headers={"X-Amz-Date": "20200101T000000Z",
                     "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBARGE/20200101/us-east-1/"
                                      "batch/aws4_request, SignedHeaders=host;x-amz-date, "
                                      "Signature=" + "0" * 64})
        self.assertEqual(status, 403)
        self.assertEqual(headers["x-amzn-errortype"].split(":")[0], "InvalidSignatureException")

    def test_unsigned_request_is_rejected(self):
        status, headers, _ = raw_request(self.server, "POST", "/v1/describejobqueues", b"{}",
                                         sign=False)
        self.assertEqual(status, 403)


if __name__ == "__main__":
    unittest.main()
