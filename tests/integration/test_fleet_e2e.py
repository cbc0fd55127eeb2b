"""Managed compute environments end to end (issue 6).

SpotFleetTest: on `barge dev`, a MANAGED SPOT environment scaled by the local provider with a
high interruption rate and a short notice runs 200 jobs under a `Host EC2*` retry rule: every
job SUCCEEDED, some after more than one attempt (their first ended "Host EC2 (instance ...)
terminated."), reclaimed instances say so, and the cost report adds up.

CommandProviderTest: `barge server` with a --command-provider whose launch program starts each
instance's agent in one of two network namespaces this test creates (the way a provider starts
agents on other hosts); jobs run on both, each seeing its namespace's address.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import time
import unittest

from barge_harness import BARGE_BIN, ENDED, BargeServer, wait_for_job
from test_boto3 import batch_client, raw_request
from test_jobs_e2e import BargeDev

HOST_LOST = re.compile(r"Host EC2 \(instance i-[0-9a-f]+\) terminated\.")


def barge_call(server, operation, body):
    """A barge extension call (POST /v1/<operation>), SigV4-signed like the AWS clients."""
    status, _, data = raw_request(server, "POST", "/v1/" + operation, json.dumps(body).encode())
    if status != 200:
        raise AssertionError(f"{operation}: HTTP {status}: {data!r}")
    return json.loads(data)


def wait_until_valid(batch, name, timeout=30):
    deadline = time.time() + timeout
    while True:
        [ce] = batch.describe_compute_environments(computeEnvironments=[name])["computeEnvironments"]
        if ce["status"] == "VALID":
            return ce
        if time.time() > deadline:
            raise AssertionError(f"compute environment {name} is {ce['status']}")
        time.sleep(0.1)


def wait_all(batch, job_ids, timeout):
    """Polls DescribeJobs (100 ids a call) until every job ended; returns them by id."""
    deadline = time.time() + timeout
    pending = list(job_ids)
    ended = {}
    while pending:
        still = []
        for i in range(0, len(pending), 100):
            for job in batch.describe_jobs(jobs=pending[i:i + 100])["jobs"]:
                if job["status"] in ENDED:
                    ended[job["jobId"]] = job
                else:
                    still.append(job["jobId"])
        pending = still
        if pending and time.time() > deadline:
            raise AssertionError(f"{len(pending)} jobs still not ended after {timeout}s")
        if pending:
            time.sleep(0.5)
    return ended


class DevServer:
    """What raw_request needs of `barge dev`: its URL and port."""

    def __init__(self, dev):
        self.url = dev.url
        self.port = int(dev.url.rsplit(":", 1)[1])


class SpotFleetTest(unittest.TestCase):
    JOBS = 200

    @classmethod
    def setUpClass(cls):
        cls.dev = BargeDev(extra_args=("--kill-grace", "1"))
        cls.server = DevServer(cls.dev)
        cls.batch = batch_client(cls.dev)
        cls.batch.create_compute_environment(
            computeEnvironmentName="spot", type="MANAGED", state="ENABLED",
            computeResources={"type": "SPOT", "minvCpus": 0, "maxvCpus": 8,
                              "instanceTypes": ["c5.large"], "subnets": ["subnet-1"],
                              "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED",
                              "bidPercentage": 100},
            # barge dev's default provider is `local`; a notice every 10 s per instance on
            # average, each reclaimed 1 s later.
            tags={"barge:executor": "process", "barge:spot-interruptions-per-hour": "360",
                  "barge:spot-notice-seconds": "1"})
        wait_until_valid(cls.batch, "spot")
        cls.batch.create_job_queue(jobQueueName="spot", priority=10, state="ENABLED",
                                   computeEnvironmentOrder=[{"order": 1,
                                                             "computeEnvironment": "spot"}])
        cls.batch.register_job_definition(
            jobDefinitionName="spot-work", type="container",
            containerProperties={
                "image": "busybox",
                # Longer than the notice, so that a reclaim catches some jobs mid-run.
                "command": ["sh", "-c", 'test -n "$BARGE_SPOT_INSTANCE_ACTION_FILE" || exit 7; '
                                        "sleep 2"],
                "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                         {"type": "MEMORY", "value": "64"}]},
            retryStrategy={"attempts": 10, "evaluateOnExit": [
                {"onStatusReason": "Host EC2*", "action": "RETRY"},
                {"onReason": "*", "action": "EXIT"}]})

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()

    def test_spot_jobs_all_succeed_through_interruptions_and_the_cost_adds_up(self):
        since = int(time.time() * 1000) - 1000
        ids = [self.batch.submit_job(jobName=f"spot-{i}", jobQueue="spot",
                                     jobDefinition="spot-work")["jobId"]
               for i in range(self.JOBS)]

        jobs = wait_all(self.batch, ids, timeout=240)

        statuses = {job["status"] for job in jobs.values()}
        self.assertEqual(statuses, {"SUCCEEDED"},
                         [j for j in jobs.values() if j["status"] != "SUCCEEDED"][:2])
        retried = [job for job in jobs.values() if len(job["attempts"]) > 1]
        self.assertTrue(retried, "no job was interrupted: the interruption model did not act")
        for job in retried:
            for attempt in job["attempts"][:-1]:
                self.assertRegex(attempt["statusReason"], HOST_LOST, json.dumps(job))

        instances = barge_call(self.server, "listinstances",
                               {"computeEnvironment": "spot"})["instances"]
        self.assertTrue(all(i["capacityType"] == "SPOT" for i in instances), instances)
        self.assertTrue(all(i["instanceType"]["name"] == "c5.large" for i in instances))
        reclaimed = [i for i in instances if i.get("stateReason") == "Spot instance reclaimed"]
        self.assertGreaterEqual(len(reclaimed), 1)
        for instance in reclaimed:
            self.assertEqual(instance["state"], "TERMINATED")
            self.assertIn("interruptionNoticeAt", instance)
            self.assertEqual(instance["reclaimAt"] - instance["interruptionNoticeAt"], 1000)
        # Never more than maxvCpus (8) of c5.large at once: at most 4 alive at any moment.
        events = sorted([(i["launchedAt"], 1) for i in instances] +
                        [(i["terminatedAt"], -1) for i in instances if "terminatedAt" in i])
        alive = peak = 0
        for _, step in events:
            alive += step
            peak = max(peak, alive)
        self.assertLessEqual(peak, 4)

        report = barge_call(self.server, "getcostreport",
                            {"since": since, "computeEnvironment": "spot"})
        job_cost = sum(j["cost"] for j in report["jobs"])
        self.assertGreater(report["totalCost"], 0)
        self.assertAlmostEqual(report["totalCost"], job_cost + report["idleCost"], places=6)
        [env] = report["computeEnvironments"]
        self.assertAlmostEqual(env["cost"], report["totalCost"], places=6)
        self.assertAlmostEqual(sum(i["cost"] for i in report["instances"]), report["totalCost"],
                               places=6)
        # Spot c5.large costs less than on-demand.
        self.assertLess(report["totalCost"], report["onDemandCost"])
        self.assertEqual({j["jobId"] for j in report["jobs"]}, set(ids))


def run(*cmd, check=True):
    return subprocess.run(cmd, check=check, capture_output=True, text=True)


LAUNCH = textwrap.dedent("""\
    #!/usr/bin/env python3
    # Test launch program: starts each instance's agent in one of the test's network
    # namespaces, in turn, and says which in providerData.
    import json, os, subprocess, sys
    request = json.load(sys.stdin)
    state = os.path.join(os.environ["FLEET_STATE"], "next")
    namespaces = os.environ["FLEET_NAMESPACES"].split(",")
    port = request["serverUrl"].rsplit(":", 1)[1]
    out = []
    for instance in request["instances"]:
        n = int(open(state).read()) if os.path.exists(state) else 0
        open(state, "w").write(str(n + 1))
        ns = namespaces[n % len(namespaces)]
        host = os.environ["FLEET_HOST_" + ns.replace("-", "_")]
        argv = list(instance["agentCommand"])
        argv[argv.index("--server") + 1] = "http://%s:%s" % (host, port)
        work = os.path.join(os.environ["FLEET_STATE"], instance["instanceId"])
        argv += ["--work-dir", work, "--log-level", "warn"]
        log = open(work + ".log", "w")
        env = dict(os.environ, BARGE_AGENT_TOKEN=request["token"])
        p = subprocess.Popen(["ip", "netns", "exec", ns, os.environ["BARGE_BIN"]] + argv,
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                             start_new_session=True)
        out.append({"instanceId": instance["instanceId"], "providerData": "%s %d" % (ns, p.pid)})
    json.dump({"instances": out}, sys.stdout)
    """)

TERMINATE = textwrap.dedent("""\
    #!/usr/bin/env python3
    import json, os, signal, sys
    for instance in json.load(sys.stdin)["instances"]:
        pid = int(instance["providerData"].split()[1])
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    """)


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("ip"),
                     "network namespaces need root and iproute2")
class CommandProviderTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.state = tempfile.mkdtemp(prefix="barge-fleet-")
        os.chmod(cls.state, 0o755)
        tag = str(os.getpid() % 10000)
        cls.namespaces = []
        env = {"FLEET_STATE": cls.state, "BARGE_BIN": os.path.abspath(BARGE_BIN)}
        for index in (1, 2):
            ns = f"barge-it-{tag}-{index}"
            subnet = f"10.{200 + index}.{int(tag) % 250}"
            host_if, ns_if = f"bh{tag}x{index}", f"bn{tag}x{index}"
            run("ip", "netns", "add", ns)
            cls.namespaces.append(ns)
            run("ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if)
            run("ip", "link", "set", ns_if, "netns", ns)
            run("ip", "addr", "add", f"{subnet}.1/24", "dev", host_if)
            run("ip", "link", "set", host_if, "up")
            run("ip", "netns", "exec", ns, "ip", "addr", "add", f"{subnet}.2/24", "dev", ns_if)
            run("ip", "netns", "exec", ns, "ip", "link", "set", ns_if, "up")
            run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
            env["FLEET_HOST_" + ns.replace("-", "_")] = f"{subnet}.1"
            setattr(cls, f"subnet{index}", subnet)
        env["FLEET_NAMESPACES"] = ",".join(cls.namespaces)
        for name, text in (("launch", LAUNCH), ("terminate", TERMINATE)):
            path = os.path.join(cls.state, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        os.environ.update(env)  # The server runs the programs with its environment.
        # Agents in the namespaces reach the server through their veth: it listens on every
        # address of this (test) host.
        cls.server = BargeServer(listen="0.0.0.0:0", extra_args=[
            "--command-provider",
            f"rack={cls.state}/launch,{cls.state}/terminate"]).start()
        cls.server.url = cls.server.url.replace("0.0.0.0", "127.0.0.1")
        cls.batch = batch_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        subprocess.run(["pkill", "-f", "--", f"--work-dir {cls.state}/"], check=False)
        time.sleep(0.5)
        for ns in cls.namespaces:
            subprocess.run(["ip", "netns", "del", ns], check=False)
        cls.server.cleanup()
        shutil.rmtree(cls.state, ignore_errors=True)

    def test_instances_launch_in_both_namespaces_and_run_jobs_there(self):
        self.batch.create_compute_environment(
            computeEnvironmentName="rack", type="MANAGED", state="ENABLED",
            computeResources={"type": "EC2", "minvCpus": 4, "maxvCpus": 4,
                              "instanceTypes": ["c5.large"], "subnets": ["subnet-1"]},
            tags={"barge:executor": "process", "barge:provider": "rack"})
        wait_until_valid(self.batch, "rack")
        self.batch.create_job_queue(jobQueueName="rack", priority=1, state="ENABLED",
                                    computeEnvironmentOrder=[{"order": 1,
                                                              "computeEnvironment": "rack"}])
        self.batch.register_job_definition(
            jobDefinitionName="where", type="container",
            containerProperties={"image": "busybox",
                                 "command": ["sh", "-c", "hostname -I; sleep 1"],
                                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                          {"type": "MEMORY", "value": "64"}]})

        ids = [self.batch.submit_job(jobName=f"where-{i}", jobQueue="rack",
                                     jobDefinition="where")["jobId"] for i in range(8)]
        jobs = wait_all(self.batch, ids, timeout=120)

        self.assertEqual({j["status"] for j in jobs.values()}, {"SUCCEEDED"},
                         [j for j in jobs.values() if j["status"] != "SUCCEEDED"][:1])
        instances = barge_call(self.server, "listinstances",
                               {"computeEnvironment": "rack"})["instances"]
        running = [i for i in instances if i["state"] == "RUNNING"]
        self.assertEqual(len(running), 2, instances)  # minvCpus 4 = two c5.large
        self.assertEqual({i["providerData"].split()[0] for i in running}, set(self.namespaces))
        self.assertEqual({i["provider"] for i in running}, {"rack"})
        seen = set()
        logs = boto3_logs(self.server)
        for job in jobs.values():
            stream = job["container"]["logStreamName"]
            events = logs.get_log_events(logGroupName="/aws/batch/job", logStreamName=stream,
                                         startFromHead=True)["events"]
            text = "\n".join(e["message"] for e in events)
            for subnet in (self.subnet1, self.subnet2):
                if f"{subnet}.2" in text.split():
                    seen.add(subnet)
        self.assertEqual(seen, {self.subnet1, self.subnet2})


def boto3_logs(server):
    import boto3
    from botocore.config import Config
    return boto3.client("logs", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


if __name__ == "__main__":
    unittest.main()
