"""The local image store through `barge image`, with a test image built on the spot:
tests/images/make_busybox_image.sh makes a reproducible busybox OCI layout from Debian's
busybox-static (no registry, no image binary in the repository). It is imported as a layout,
as an OCI archive made with tar, and (when skopeo is installed) as a docker-archive."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from barge_harness import BARGE_BIN

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_IMAGE = os.path.join(HERE, "..", "images", "make_busybox_image.sh")


def tree_digest(root):
    """sha256 over every file's relative path and bytes, in sorted order."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


@unittest.skipUnless(os.path.exists("/bin/busybox"), "busybox-static is not installed")
class ImageStoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="barge-images-")
        cls.layout = os.path.join(cls.work, "layout")
        out = subprocess.run([MAKE_IMAGE, cls.layout], capture_output=True, text=True,
                             check=True, timeout=60)
        cls.manifest_digest = out.stdout.strip()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def setUp(self):
        self.store = tempfile.mkdtemp(prefix="store-", dir=self.work)

    def barge(self, *args, check=True):
        env = dict(os.environ, BARGE_IMAGE_STORE=self.store)
        env.pop("BARGE_OUTPUT", None)
        result = subprocess.run([BARGE_BIN, "image", *args], capture_output=True, text=True,
                                env=env, timeout=120)
        if check:
            self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def images(self):
        return json.loads(self.barge("ls", "--output", "json").stdout)["images"]

    def test_the_script_is_reproducible(self):
        again = os.path.join(self.work, "again")
        out = subprocess.run([MAKE_IMAGE, again], capture_output=True, text=True, check=True,
                             timeout=60)

        self.assertEqual(out.stdout.strip(), self.manifest_digest)
        self.assertEqual(tree_digest(again), tree_digest(self.layout))
        self.assertEqual(sorted(os.listdir(again)), ["blobs", "index.json", "oci-layout"])

    def test_import_a_layout_then_ls_shows_it(self):
        imported = json.loads(self.barge("import", self.layout, "--output", "json").stdout)

        self.assertEqual(imported["imported"][0]["digest"], self.manifest_digest)
        images = self.images()
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0]["references"], ["docker.io/library/busybox:latest"])
        self.assertEqual(images[0]["digest"], self.manifest_digest)
        table = self.barge("ls", "--output", "table").stdout
        self.assertIn("REFERENCE", table)
        self.assertIn("busybox:latest", table)
        self.assertIn(self.manifest_digest[7:19], table)

    def test_import_an_oci_archive_made_with_tar(self):
        archive = os.path.join(self.work, "busybox-oci.tar")
        subprocess.run(["tar", "-C", self.layout, "-cf", archive, "."], check=True)

        self.barge("import", archive, "--tag", "registry.example/team/busybox:1.35")

        images = self.images()
        self.assertEqual(images[0]["digest"], self.manifest_digest)
        self.assertEqual(images[0]["references"], ["registry.example/team/busybox:1.35"])
        self.assertEqual(os.listdir(os.path.join(self.store, "tmp")), [])

    @unittest.skipUnless(shutil.which("skopeo"), "skopeo is not installed")
    def test_import_a_docker_archive_written_by_skopeo(self):
        archive = os.path.join(self.work, "busybox-docker.tar")
        if os.path.exists(archive):
            os.unlink(archive)
        subprocess.run(["skopeo", "copy", "-q", f"oci:{self.layout}:busybox:latest",
                        f"docker-archive:{archive}:busybox:docker"], check=True, timeout=120)

        self.barge("import", archive)

        images = self.images()
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0]["references"], ["docker.io/library/busybox:docker"])

    def test_a_corrupt_layer_is_refused(self):
        bad = os.path.join(self.work, "bad-layout")
        shutil.rmtree(bad, ignore_errors=True)
        shutil.copytree(self.layout, bad)
        blobs = os.path.join(bad, "blobs", "sha256")
        layer = max(os.listdir(blobs), key=lambda b: os.path.getsize(os.path.join(blobs, b)))
        with open(os.path.join(blobs, layer), "r+b") as f:
            f.seek(1000)
            byte = f.read(1)
            f.seek(1000)
            f.write(bytes([byte[0] ^ 1]))

        result = self.barge("import", bad, check=False)

        self.assertEqual(result.returncode, 1)
        self.assertIn("does not match its digest", result.stderr)
        self.assertEqual(self.images(), [])

    def test_rm_removes_the_name_then_the_image(self):
        self.barge("import", self.layout)
        self.barge("import", self.layout, "--tag", "bb:two")

        self.barge("rm", "busybox")
        self.assertEqual(self.images()[0]["references"], ["docker.io/library/bb:two"])
        removed = json.loads(self.barge("rm", "docker.io/library/bb:two", "--output", "json").stdout)

        self.assertEqual(removed["deleted"], [self.manifest_digest])
        self.assertEqual(self.images(), [])
        self.assertEqual(os.listdir(os.path.join(self.store, "blobs", "sha256")), [])
        missing = self.barge("rm", "busybox", check=False)
        self.assertEqual(missing.returncode, 1)


if __name__ == "__main__":
    unittest.main()
