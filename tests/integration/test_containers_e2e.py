"""Jobs in containers, end to end through the AWS CLI against `barge dev` with runc: the busybox
test image (tests/images/make_busybox_image.sh, built here from Debian's busybox-static) is
imported into dev's image store, and jobs go to the `containers` queue, whose environment runs
every job in a runc container from its job definition's image.

Checks what issue 4 lists: AWS_BATCH_* and the definition's environment inside the container, a
host volume (readable; a read-only mount refuses writes), a read-only root filesystem, the user,
ulimits, the OOM kill (137 and the AWS reason), CannotPullContainerError with a retry rule on it,
terminate of a container that ignores SIGTERM (nothing left behind), and kill -9 of the agent
mid-job (the restarted agent still reports the container's true exit status); and `barge run`
with --image (in the container) and without (on the host).

Needs root, runc and busybox-static (scripts/setup.sh installs them); skipped otherwise.
"""
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from barge_harness import BARGE_BIN, aws, client_env
from test_jobs_e2e import BargeDev

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_IMAGE = os.path.join(HERE, "..", "images", "make_busybox_image.sh")
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"
KILL_GRACE_SECONDS = 2


def process_name(pid):
    with open(f"/proc/{pid}/comm") as f:
        return f.read().strip()


def missing_prerequisite():
    if os.geteuid() != 0:
        return "containers need root"
    if shutil.which("runc") is None:
        return "runc is not installed (scripts/setup.sh installs it)"
    if not os.path.exists("/bin/busybox"):
        return "busybox-static is not installed"
    return None


@unittest.skipIf(missing_prerequisite(), missing_prerequisite() or "")
class ContainersEndToEndTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="barge-containers-")
        layout = os.path.join(cls.work, "layout")
        subprocess.run([MAKE_IMAGE, layout], check=True, capture_output=True)
        cls.dev = BargeDev(extra_args=["--kill-grace", str(KILL_GRACE_SECONDS)])
        try:
            if not any("containers" in line and "runc" in line for line in cls.dev.output):
                raise RuntimeError("barge dev set up no container environment:\n"
                                   + "".join(cls.dev.output))
            subprocess.run([BARGE_BIN, "image", "import", layout, "--tag", "busybox:latest",
                            "--store", os.path.join(cls.dev.data_dir, "images")],
                           check=True, capture_output=True, text=True)
        except Exception:
            cls.dev.stop()
            shutil.rmtree(cls.work, ignore_errors=True)
            raise
        cls.host = os.path.join(cls.work, "host")
        os.makedirs(os.path.join(cls.host, "in"))
        os.makedirs(os.path.join(cls.host, "out"))
        os.chmod(os.path.join(cls.host, "out"), 0o777)
        with open(os.path.join(cls.host, "in", "in.txt"), "w") as f:
            f.write("from-host\n")

    @classmethod
    def tearDownClass(cls):
        cls.dev.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    # --- helpers -----------------------------------------------------------------------------

    def cli(self, *args):
        rc, out, err = aws(self.dev, *args)
        self.assertEqual(rc, 0, err)
        return out

    def register(self, name, command, image="busybox", memory="64", **container):
        props = {"image": image, "command": command,
                 "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                          {"type": "MEMORY", "value": memory}],
                 "volumes": [{"name": "in", "host": {"sourcePath": os.path.join(self.host, "in")}},
                             {"name": "out",
                              "host": {"sourcePath": os.path.join(self.host, "out")}}],
                 "mountPoints": [{"sourceVolume": "in", "containerPath": "/in", "readOnly": True},
                                 {"sourceVolume": "out", "containerPath": "/out"}]}
        retry = container.pop("retryStrategy", None)
        props.update(container)
        args = ["register-job-definition", "--job-definition-name", name, "--type", "container",
                "--container-properties", json.dumps(props)]
        if retry:
            args += ["--retry-strategy", json.dumps(retry)]
        self.cli(*args)

    def submit(self, definition, **extra):
        args = ["submit-job", "--job-name", definition, "--job-queue", "containers",
                "--job-definition", definition]
        for key, value in extra.items():
            args += ["--" + key, value]
        return self.cli(*args)["jobId"]

    def describe(self, job_id):
        return self.cli("describe-jobs", "--jobs", job_id)["jobs"][0]

    def wait(self, job_id, statuses=("SUCCEEDED", "FAILED"), timeout=90):
        deadline = time.time() + timeout
        while True:
            job = self.describe(job_id)
            if job["status"] in statuses:
                return job
            if time.time() > deadline:
                self.fail(f"job still {job['status']} after {timeout}s: {json.dumps(job)}")
            time.sleep(0.2)

    def out(self, name):
        with open(os.path.join(self.host, "out", name)) as f:
            return f.read()

    @staticmethod
    def attempt_id(job):
        # The log stream is <definition>/default/<attempt id>.
        return job["container"]["logStreamName"].rsplit("/", 1)[1]

    # --- tests -------------------------------------------------------------------------------

    def test_job_sees_its_aws_batch_variables_and_definition_environment(self):
        self.register("ctr-env", ["sh", "-c",
                                  "env > /out/env-$AWS_BATCH_JOB_ATTEMPT; cat /etc/passwd | "
                                  "head -1 > /out/passwd"],
                      environment=[{"name": "GREETING", "value": "hello"}])
        job_id = self.submit("ctr-env", **{"container-overrides": json.dumps(
            {"environment": [{"name": "FROM_SUBMIT", "value": "yes"}]})})

        job = self.wait(job_id)

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        env = dict(line.split("=", 1) for line in self.out("env-1").splitlines() if "=" in line)
        self.assertEqual(env["AWS_BATCH_JOB_ID"], job_id)
        self.assertEqual(env["AWS_BATCH_JQ_NAME"], "containers")
        self.assertEqual(env["AWS_BATCH_CE_NAME"], "containers")
        self.assertEqual(env["AWS_BATCH_JOB_ATTEMPT"], "1")
        self.assertEqual(env["GREETING"], "hello")
        self.assertEqual(env["FROM_SUBMIT"], "yes")
        self.assertEqual(env["PATH"], "/bin")  # The image's.
        # The root is the image's, not the host's.
        self.assertEqual(self.out("passwd"), "root:x:0:0:root:/root:/bin/sh\n")
        self.assertGreaterEqual(job["stoppedAt"], job["startedAt"])

    def test_host_volume_is_readable_and_a_read_only_mount_refuses_writes(self):
        self.register("ctr-volume", ["sh", "-c",
                                     "cat /in/in.txt > /out/volume; "
                                     "if touch /in/x 2>/dev/null; then echo wrote >> /out/volume; "
                                     "else echo refused >> /out/volume; fi"])

        job = self.wait(self.submit("ctr-volume"))

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(self.out("volume"), "from-host\nrefused\n")
        self.assertFalse(os.path.exists(os.path.join(self.host, "in", "x")))

    def test_read_only_root_filesystem_rejects_writes(self):
        self.register("ctr-readonly", ["sh", "-c", "touch /newfile"], readonlyRootFilesystem=True)
        self.register("ctr-writable", ["sh", "-c", "touch /newfile"])

        readonly = self.wait(self.submit("ctr-readonly"))
        writable = self.wait(self.submit("ctr-writable"))

        self.assertEqual(readonly["status"], "FAILED", json.dumps(readonly))
        self.assertEqual(readonly["container"]["exitCode"], 1)
        self.assertEqual(writable["status"], "SUCCEEDED", json.dumps(writable))

    def test_user_and_ulimits_are_applied(self):
        self.register("ctr-user", ["sh", "-c", "id -u > /out/user; ulimit -n >> /out/user; "
                                               "ulimit -Hn >> /out/user"],
                      user="nobody",
                      ulimits=[{"name": "nofile", "softLimit": 1234, "hardLimit": 1500}])

        job = self.wait(self.submit("ctr-user"))

        self.assertEqual(job["status"], "SUCCEEDED", json.dumps(job))
        self.assertEqual(self.out("user"), "65534\n1234\n1500\n")

    def test_container_over_its_memory_is_oom_killed(self):
        self.register("ctr-oom", ["sh", "-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a)"],
                      memory="32")

        job = self.wait(self.submit("ctr-oom"))

        self.assertEqual(job["status"], "FAILED", json.dumps(job))
        self.assertEqual(job["container"]["exitCode"], 137)
        self.assertEqual(job["container"]["reason"], OOM_REASON)

    def test_missing_image_is_cannot_pull_and_a_retry_rule_on_it_is_honoured(self):
        retry = {"attempts": 3, "evaluateOnExit": [
            {"onReason": "CannotPullContainerError:*", "action": "RETRY"},
            {"onReason": "*", "action": "EXIT"}]}
        self.register("ctr-missing", ["true"], image="registry.example/team/missing:1.0",
                      retryStrategy=retry)
        stop_rule = {"attempts": 3, "evaluateOnExit": [
            {"onReason": "CannotPullContainerError:*", "action": "EXIT"}]}
        self.register("ctr-missing-exit", ["true"], image="registry.example/team/missing:1.0",
                      retryStrategy=stop_rule)

        retried = self.wait(self.submit("ctr-missing"))
        stopped = self.wait(self.submit("ctr-missing-exit"))

        self.assertEqual(retried["status"], "FAILED", json.dumps(retried))
        self.assertEqual(len(retried["attempts"]), 3, json.dumps(retried))
        for attempt in retried["attempts"]:
            self.assertTrue(attempt["container"]["reason"].startswith(
                "CannotPullContainerError: image registry.example/team/missing:1.0 is not in"),
                json.dumps(attempt))
        self.assertEqual(stopped["status"], "FAILED", json.dumps(stopped))
        self.assertEqual(len(stopped["attempts"]), 1, json.dumps(stopped))

    def test_terminate_kills_a_container_that_ignores_sigterm_and_leaves_nothing(self):
        self.register("ctr-stubborn", ["sh", "-c",
                                       "trap '' TERM; touch /out/stubborn-started; sleep 7777"])
        job_id = self.submit("ctr-stubborn")
        running = self.wait(job_id, statuses=("RUNNING",))
        attempt = self.attempt_id(running)
        deadline = time.time() + 30
        while not os.path.exists(os.path.join(self.host, "out", "stubborn-started")):
            self.assertLess(time.time(), deadline, "the job never started its shell")
            time.sleep(0.1)
        self.assertTrue(glob.glob(f"/sys/fs/cgroup/*/*/{attempt}"))
        asked = time.time()

        self.cli("terminate-job", "--job-id", job_id, "--reason", "stop it")
        job = self.wait(job_id)

        self.assertEqual(job["status"], "FAILED", json.dumps(job))
        self.assertEqual(job["statusReason"], "stop it")
        # SIGTERM was ignored: the kill came after the grace period.
        self.assertGreaterEqual(time.time() - asked, KILL_GRACE_SECONDS - 0.5)
        self.assertEqual(job["container"]["exitCode"], 137, json.dumps(job))
        self.assertEqual(subprocess.run(["pgrep", "-f", "sleep 7777"]).returncode, 1,
                         "a process of the container is still there")
        self.assertEqual(glob.glob(f"/sys/fs/cgroup/*/*/{attempt}"), [])

    def test_barge_run_with_an_image_runs_in_the_container_and_without_on_the_host(self):
        def run(*args):
            return subprocess.run([BARGE_BIN, "run", "--endpoint-url", self.dev.url, *args],
                                  capture_output=True, text=True, env=client_env(), timeout=120)
        script = "head -1 /etc/passwd; exit 5"

        in_container = run("--image", "busybox", "--", "sh", "-c", script)
        on_host = run("--", "sh", "-c", script)

        self.assertEqual(in_container.returncode, 5, in_container.stderr)
        self.assertEqual(in_container.stdout, "root:x:0:0:root:/root:/bin/sh\n")
        self.assertEqual(on_host.returncode, 5, on_host.stderr)
        with open("/etc/passwd") as f:
            self.assertEqual(on_host.stdout, f.readline())

    def test_agent_killed_and_restarted_mid_job_still_reports_the_true_exit(self):
        self.register("ctr-survivor", ["sh", "-c",
                                       "while [ ! -e /out/survivor-go ]; do sleep 0.1; done; "
                                       "exit 42"])
        job_id = self.submit("ctr-survivor")
        self.wait(job_id, statuses=("RUNNING",))
        # Attempt monitors are forked from the agent without exec: same command line, but
        # their process name is barge-monitor, and they must survive.
        agents = [pid for pid in subprocess.run(
                      ["pgrep", "-f", f"{BARGE_BIN} agent .*--compute-environment containers"],
                      capture_output=True, text=True).stdout.split()
                  if process_name(pid) != "barge-monitor"]
        self.assertTrue(agents, "no agent process for the containers environment")

        for pid in agents:
            os.kill(int(pid), signal.SIGKILL)
        time.sleep(1)  # barge dev restarts its agents; the container keeps running meanwhile.
        with open(os.path.join(self.host, "out", "survivor-go"), "w"):
            pass
        job = self.wait(job_id)

        self.assertEqual(job["status"], "FAILED", json.dumps(job))
        self.assertEqual(len(job["attempts"]), 1, json.dumps(job))
        self.assertEqual(job["container"].get("exitCode"), 42, json.dumps(job))
        self.assertEqual(job["container"]["reason"], "Essential container in task exited")


if __name__ == "__main__":
    unittest.main()
