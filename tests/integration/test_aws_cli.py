"""The AWS CLI (Debian's aws-cli v2) drives every resource operation of a real barge server."""
import json
import unittest

from barge_harness import BargeServer, aws


class AwsCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BargeServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def ok(self, *args):
        rc, out, err = aws(self.server, *args)
        self.assertEqual(rc, 0, f"aws {' '.join(args)} failed: {err}")
        return out

    def client_error(self, *args):
        rc, out, err = aws(self.server, *args)
        self.assertEqual(rc, 254, f"expected a service error from aws {' '.join(args)}: {out} {err}")
        self.assertIn("(ClientException)", err)
        return err

    def create_ce(self, name, state="ENABLED"):
        return self.ok("create-compute-environment", "--compute-environment-name", name,
                       "--type", "MANAGED", "--state", state, "--compute-resources",
                       json.dumps({"type": "EC2", "minvCpus": 0, "maxvCpus": 8,
                                   "instanceTypes": ["optimal"],
                                   "subnets": ["subnet-0123456789abcdef0"],
                                   "securityGroupIds": ["sg-0123456789abcdef0"],
                                   "instanceRole": "ecsInstanceRole"}),
                       "--tags", "team=barge")

    def describe_ce(self, name):
        out = self.ok("describe-compute-environments", "--compute-environments", name)
        return out["computeEnvironments"]

    def test_compute_environment_lifecycle(self):
        created = self.create_ce("cli-ce")
        self.assertEqual(created["computeEnvironmentName"], "cli-ce")
        self.assertEqual(created["computeEnvironmentArn"],
                         "arn:aws:batch:us-east-1:000000000000:compute-environment/cli-ce")

        [ce] = self.describe_ce("cli-ce")
        self.assertEqual(ce["type"], "MANAGED")
        self.assertEqual(ce["state"], "ENABLED")
        self.assertEqual(ce["status"], "VALID")
        self.assertEqual(ce["computeResources"]["maxvCpus"], 8)
        self.assertEqual(ce["computeResources"]["subnets"], ["subnet-0123456789abcdef0"])
        self.assertEqual(ce["computeResources"]["instanceRole"], "ecsInstanceRole")
        # Without a barge:executor tag an environment runs containers, and says so.
        self.assertEqual(ce["tags"], {"team": "barge", "barge:executor": "container"})

        self.ok("update-compute-environment", "--compute-environment", "cli-ce",
                "--compute-resources", "minvCpus=2,maxvCpus=16,desiredvCpus=4")
        [ce] = self.describe_ce(created["computeEnvironmentArn"])
        self.assertEqual(ce["computeResources"]["maxvCpus"], 16)
        self.assertEqual(ce["computeResources"]["minvCpus"], 2)

        err = self.client_error("delete-compute-environment", "--compute-environment", "cli-ce")
        self.assertIn("DISABLED", err)
        self.assertEqual(len(self.describe_ce("cli-ce")), 1)

        self.ok("update-compute-environment", "--compute-environment", "cli-ce",
                "--state", "DISABLED")
        self.ok("delete-compute-environment", "--compute-environment", "cli-ce")
        self.assertEqual(self.describe_ce("cli-ce"), [])

    def test_unmanaged_environment_and_queue_lifecycle(self):
        self.ok("create-compute-environment", "--compute-environment-name", "cli-unmanaged",
                "--type", "UNMANAGED")
        out = self.ok("create-job-queue", "--job-queue-name", "cli-q", "--priority", "10",
                      "--compute-environment-order", "order=1,computeEnvironment=cli-unmanaged")
        self.assertEqual(out["jobQueueArn"], "arn:aws:batch:us-east-1:000000000000:job-queue/cli-q")

        [q] = self.ok("describe-job-queues", "--job-queues", "cli-q")["jobQueues"]
        self.assertEqual(q["priority"], 10)
        self.assertEqual(q["state"], "ENABLED")
        self.assertEqual(q["status"], "VALID")
        self.assertEqual(q["computeEnvironmentOrder"], [{
            "order": 1,
            "computeEnvironment":
                "arn:aws:batch:us-east-1:000000000000:compute-environment/cli-unmanaged"}])

        self.ok("update-compute-environment", "--compute-environment", "cli-unmanaged",
                "--state", "DISABLED")
        err = self.client_error("delete-compute-environment", "--compute-environment",
                                "cli-unmanaged")
        self.assertIn("JobQueue", err)
        self.assertEqual(len(self.describe_ce("cli-unmanaged")), 1)

    def test_queue_update_and_delete_rules(self):
        self.ok("create-compute-environment", "--compute-environment-name", "cli-q2-ce",
                "--type", "UNMANAGED")
        self.ok("create-job-queue", "--job-queue-name", "cli-q2", "--priority", "1",
                "--compute-environment-order", "order=1,computeEnvironment=cli-q2-ce")

        self.ok("update-job-queue", "--job-queue", "cli-q2", "--priority", "5")
        err = self.client_error("delete-job-queue", "--job-queue", "cli-q2")
        self.assertIn("DISABLED", err)
        err = self.client_error("delete-compute-environment", "--compute-environment", "cli-q2-ce")
        [q] = self.ok("describe-job-queues", "--job-queues", "cli-q2")["jobQueues"]
        self.assertEqual(q["priority"], 5)

        self.ok("update-job-queue", "--job-queue", "cli-q2", "--state", "DISABLED")
        self.ok("delete-job-queue", "--job-queue", "cli-q2")
        self.assertEqual(self.ok("describe-job-queues", "--job-queues", "cli-q2")["jobQueues"], [])

    def test_unknown_compute_environment_in_queue_is_rejected_and_nothing_created(self):
        err = self.client_error("create-job-queue", "--job-queue-name", "cli-bad-q",
                                "--priority", "1", "--compute-environment-order",
                                "order=1,computeEnvironment=does-not-exist")
        self.assertIn("does-not-exist", err)
        self.assertEqual(self.ok("describe-job-queues", "--job-queues", "cli-bad-q")["jobQueues"],
                         [])

    def test_job_definition_revisions(self):
        props = json.dumps({"image": "busybox", "command": ["echo", "Ref::msg"],
                            "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                     {"type": "MEMORY", "value": "128"}],
                            "environment": [{"name": "FOO", "value": "bar"}]})
        r1 = self.ok("register-job-definition", "--job-definition-name", "cli-jd", "--type",
                     "container", "--container-properties", props, "--parameters", "msg=hi",
                     "--retry-strategy", "attempts=3", "--timeout", "attemptDurationSeconds=120")
        r2 = self.ok("register-job-definition", "--job-definition-name", "cli-jd", "--type",
                     "container", "--container-properties", props)
        self.assertEqual((r1["revision"], r2["revision"]), (1, 2))
        self.assertEqual(r1["jobDefinitionArn"],
                         "arn:aws:batch:us-east-1:000000000000:job-definition/cli-jd:1")

        defs = self.ok("describe-job-definitions", "--job-definition-name", "cli-jd")
        self.assertEqual(sorted(d["revision"] for d in defs["jobDefinitions"]), [1, 2])
        [d1] = self.ok("describe-job-definitions", "--job-definitions", "cli-jd:1")["jobDefinitions"]
        self.assertEqual(d1["parameters"], {"msg": "hi"})
        self.assertEqual(d1["retryStrategy"]["attempts"], 3)
        self.assertEqual(d1["timeout"]["attemptDurationSeconds"], 120)
        self.assertEqual(d1["containerProperties"]["image"], "busybox")
        self.assertEqual(d1["status"], "ACTIVE")

        self.ok("deregister-job-definition", "--job-definition", "cli-jd:1")
        [d1] = self.ok("describe-job-definitions", "--job-definitions", "cli-jd:1")["jobDefinitions"]
        self.assertEqual(d1["status"], "INACTIVE")
        active = self.ok("describe-job-definitions", "--job-definition-name", "cli-jd",
                         "--status", "ACTIVE")["jobDefinitions"]
        self.assertEqual([d["revision"] for d in active], [2])
        r3 = self.ok("register-job-definition", "--job-definition-name", "cli-jd", "--type",
                     "container", "--container-properties", props)
        self.assertEqual(r3["revision"], 3)

    def test_job_definition_validation_errors_change_nothing(self):
        def register(props, *extra):
            return self.client_error("register-job-definition", "--job-definition-name",
                                     "cli-bad-jd", "--type", "container",
                                     "--container-properties", json.dumps(props), *extra)

        err = register({"image": "busybox", "environment": [{"name": "AWS_BATCH_X", "value": "1"}]})
        self.assertIn("AWS_BATCH", err)
        err = register({"image": "busybox"}, "--timeout", "attemptDurationSeconds=30")
        self.assertIn("60", err)
        register({"image": "busybox"}, "--retry-strategy", "attempts=11")
        err = register({"image": "busybox", "command": ["x" * 30000]})
        self.assertIn("24", err)
        self.assertEqual(self.ok("describe-job-definitions", "--job-definition-name",
                                 "cli-bad-jd")["jobDefinitions"], [])

    def test_scheduling_policy_lifecycle(self):
        out = self.ok("create-scheduling-policy", "--name", "cli-fair", "--fairshare-policy",
                      json.dumps({"shareDecaySeconds": 3600, "computeReservation": 10,
                                  "shareDistribution": [{"shareIdentifier": "teamA",
                                                         "weightFactor": 0.5},
                                                        {"shareIdentifier": "teamB*"}]}))
        arn = out["arn"]
        self.assertEqual(arn, "arn:aws:batch:us-east-1:000000000000:scheduling-policy/cli-fair")
        [p] = self.ok("describe-scheduling-policies", "--arns", arn)["schedulingPolicies"]
        self.assertEqual(p["fairsharePolicy"]["shareDistribution"][0]["weightFactor"], 0.5)
        listed = self.ok("list-scheduling-policies")["schedulingPolicies"]
        self.assertIn({"arn": arn}, listed)

        self.ok("update-scheduling-policy", "--arn", arn, "--fairshare-policy",
                json.dumps({"shareDecaySeconds": 7200}))
        [p] = self.ok("describe-scheduling-policies", "--arns", arn)["schedulingPolicies"]
        self.assertEqual(p["fairsharePolicy"]["shareDecaySeconds"], 7200)

        self.ok("create-compute-environment", "--compute-environment-name", "cli-fair-ce",
                "--type", "UNMANAGED")
        self.ok("create-job-queue", "--job-queue-name", "cli-fair-q", "--priority", "1",
                "--scheduling-policy-arn", arn, "--compute-environment-order",
                "order=1,computeEnvironment=cli-fair-ce")
        self.client_error("delete-scheduling-policy", "--arn", arn)
        self.ok("update-job-queue", "--job-queue", "cli-fair-q", "--state", "DISABLED")
        self.ok("delete-job-queue", "--job-queue", "cli-fair-q")
        self.ok("delete-scheduling-policy", "--arn", arn)
        self.assertEqual(self.ok("describe-scheduling-policies", "--arns",
                                 arn)["schedulingPolicies"], [])

    def test_tags(self):
        arn = self.create_ce("cli-tagged")["computeEnvironmentArn"]
        self.ok("tag-resource", "--resource-arn", arn, "--tags", "a=1,b=2")
        self.assertEqual(self.ok("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         {"team": "barge", "a": "1", "b": "2", "barge:executor": "container"})
        self.ok("untag-resource", "--resource-arn", arn, "--tag-keys", "a", "team")
        self.assertEqual(self.ok("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         {"b": "2", "barge:executor": "container"})

    def test_executor_tag(self):
        self.ok("create-compute-environment", "--compute-environment-name", "cli-host",
                "--type", "UNMANAGED", "--tags", "barge:executor=process")
        [ce] = self.describe_ce("cli-host")
        self.assertEqual(ce["tags"], {"barge:executor": "process"})
        arn = ce["computeEnvironmentArn"]
        self.ok("tag-resource", "--resource-arn", arn, "--tags", "barge:executor=container")
        self.assertEqual(self.ok("list-tags-for-resource", "--resource-arn", arn)["tags"],
                         {"barge:executor": "container"})

        err = self.client_error("tag-resource", "--resource-arn", arn,
                                "--tags", "barge:executor=docker")
        self.assertIn("must be container", err)
        err = self.client_error("untag-resource", "--resource-arn", arn,
                                "--tag-keys", "barge:executor")
        self.assertIn("cannot be removed", err)
        err = self.client_error("create-compute-environment", "--compute-environment-name",
                                "cli-docker", "--type", "UNMANAGED",
                                "--tags", "barge:executor=docker")
        self.assertIn("it must be container", err)
        self.assertEqual(self.describe_ce("cli-docker"), [])

    def test_pagination_follows_next_token(self):
        for i in range(5):
            self.ok("create-compute-environment", "--compute-environment-name", f"cli-page-{i}",
                    "--type", "UNMANAGED")
        paged = self.ok("describe-compute-environments", "--page-size", "2")
        names = [ce["computeEnvironmentName"] for ce in paged["computeEnvironments"]]
        for i in range(5):
            self.assertIn(f"cli-page-{i}", names)
        self.assertEqual(len(names), len(set(names)))

        one = self.ok("describe-compute-environments", "--max-results", "2", "--no-paginate")
        self.assertEqual(len(one["computeEnvironments"]), 2)
        self.assertIn("nextToken", one)

    def test_invalid_names_and_duplicates(self):
        err = self.client_error("create-compute-environment",
                                "--compute-environment-name=-bad", "--type", "UNMANAGED")
        self.assertIn("-bad", err)
        self.client_error("create-compute-environment", "--compute-environment-name",
                          "x" * 129, "--type", "UNMANAGED")
        self.ok("create-compute-environment", "--compute-environment-name", "cli-dup",
                "--type", "UNMANAGED")
        err = self.client_error("create-compute-environment", "--compute-environment-name",
                                "cli-dup", "--type", "MANAGED", "--compute-resources",
                                "type=EC2,maxvCpus=4,subnets=s")
        [ce] = self.describe_ce("cli-dup")
        self.assertEqual(ce["type"], "UNMANAGED")


if __name__ == "__main__":
    unittest.main()
