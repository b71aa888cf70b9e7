"""docker-compose.yml's five services, started from built images, with a document through them.

A fresh project with its own volumes and `.env` (written by scripts/lib/env-from-example.sh,
production mode) is started with the images deploy/tests/images.sh built, and used only
through its one published port, as a browser would: the sign-in page, the API through the
front door, an upload of a text PDF and of a scanned page, both analysed by the worker (OCR
for the scan), search by meaning (the backend's embedding model). Then what the file
promises: only the front door is published, every Lucidity process runs as uid 1000, the
originals land on the shared storage volume owned by that user, the data survives the
project being taken down and started again, and a backup taken as docs/deploy/backup.md says
restores into the project after its volumes were deleted. The project and its volumes are
removed at the end.

Settings, from the environment:
    COMPOSE                  the Compose command (default `docker compose`), e.g.
                             docker-compose for Debian 12's Compose 1.29
    DOCKER                   the Docker client (default docker)
    LUCIDITY_IMAGE_TAG       the tag of cl-backend, cl-worker and cl-frontend to run
    LUCIDITY_POSTGRES_IMAGE, LUCIDITY_REDIS_IMAGE
                             passed on to docker-compose.yml (stand-ins on a closed network)

Run by deploy/tests/images.sh:
    python3 -m unittest deploy/tests/test_compose.py -v
"""

import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "crates" / "extract" / "tests" / "fixtures"
# A born-digital PDF and a scanned page (fixtures with their licences in NOTICE.md there).
UPLOADS = [
    (FIXTURES / "bonterms_mutual_nda_v1.pdf", "application/pdf"),
    (FIXTURES / "scan-page1.png", "image/png"),
]
PROJECT = f"lucidity-compose-test-{os.getpid()}"
LUCIDITY_SERVICES = ["backend", "worker", "frontend"]
# A first start: the database initialises, the API migrates, then the others follow it.
START_SECONDS = 600
PIPELINE_SECONDS = 600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ComposeProject(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.docker = os.environ.get("DOCKER", "docker")
        cls.compose_command = shlex.split(os.environ.get("COMPOSE", "docker compose"))
        cls.directory = Path(tempfile.mkdtemp(prefix="lucidity-compose-"))
        cls.port = free_port()
        cls.base = f"http://127.0.0.1:{cls.port}"
        shutil.copy(REPO / "docker-compose.yml", cls.directory / "docker-compose.yml")
        subprocess.run(
            [
                str(REPO / "scripts" / "lib" / "env-from-example.sh"),
                "--output", str(cls.directory / ".env"),
                "--public-url", f"http://localhost:{cls.port}",
                "--admin-email", "admin@compose.example.com",
            ],
            check=True,
        )
        cls.settings = read_env(cls.directory / ".env")
        cls.environment = os.environ | {
            "COMPOSE_PROJECT_NAME": PROJECT,
            "LUCIDITY_HTTP_PORT": str(cls.port),
        }
        cls.token = None
        cls.password = cls.settings["DEFAULT_ADMIN_PASSWORD"]
        cls.documents = {}
        try:
            cls.compose("up", "-d", "--no-build")
            cls.wait_until_healthy()
        except BaseException:
            cls.print_logs()
            cls.compose("down", "-v", "--remove-orphans", check=False)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.failed:
            cls.print_logs()
        cls.compose("down", "-v", "--remove-orphans", check=False)
        shutil.rmtree(cls.directory, ignore_errors=True)

    failed = False

    def run(self, result=None):
        before = len(result.failures) + len(result.errors) if result else 0
        result = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            type(self).failed = True
        return result

    # --- Compose and Docker -----------------------------------------------------------------

    @classmethod
    def compose(cls, *arguments, check=True, capture=False):
        completed = subprocess.run(
            cls.compose_command + list(arguments),
            cwd=cls.directory,
            env=cls.environment,
            check=check,
            text=True,
            stdout=subprocess.PIPE if capture else None,
        )
        return completed.stdout if capture else completed.returncode

    @classmethod
    def container(cls, service):
        identifier = cls.compose("ps", "-q", service, capture=True).strip()
        if not identifier:
            raise AssertionError(f"no container for {service}")
        return identifier

    @classmethod
    def inspect(cls, service):
        output = subprocess.run(
            [cls.docker, "inspect", cls.container(service)],
            check=True, text=True, stdout=subprocess.PIPE,
        ).stdout
        return json.loads(output)[0]

    @classmethod
    def wait_until_healthy(cls, services=None):
        deadline = time.monotonic() + START_SECONDS
        states = {}
        while time.monotonic() < deadline:
            states = {}
            for service in services or LUCIDITY_SERVICES + ["postgres", "redis"]:
                try:
                    state = cls.inspect(service)["State"]
                except (AssertionError, subprocess.CalledProcessError):
                    states[service] = "absent"
                    continue
                states[service] = state.get("Health", {}).get("Status", state["Status"])
            if all(status == "healthy" for status in states.values()):
                return
            if any(status in ("exited", "dead") for status in states.values()):
                break
            time.sleep(3)
        raise AssertionError(f"the services did not all become healthy: {states}")

    @classmethod
    def print_logs(cls):
        # The processes log no contract text, so their logs can be shown.
        cls.compose("logs", "--no-color", "--tail", "80", check=False)

    def exec(self, service, *command):
        return self.compose("exec", "-T", service, *command, capture=True)

    @classmethod
    def compose_bytes(cls, *arguments, given=None):
        """Runs Compose with GIVEN bytes on its input; returns what it wrote, as bytes."""
        return subprocess.run(
            cls.compose_command + list(arguments),
            cwd=cls.directory,
            env=cls.environment,
            check=True,
            input=given,
            stdout=subprocess.PIPE,
        ).stdout

    # --- HTTP through the front door --------------------------------------------------------

    def request(self, method, path, body=None, content_type=None, expect=200):
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.base + path, body, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, data = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, data = error.code, error.read()
        self.assertEqual(status, expect, f"{method} {path}: {data[:500]!r}")
        return json.loads(data) if data else None

    def sign_in(self):
        """Signs in as the first administrator, choosing a new password on the first time."""
        if type(self).token:
            return
        email = self.settings["DEFAULT_ADMIN_EMAIL"]
        credentials = {"email": email, "password": self.password}
        tokens = self.request("POST", "/api/v1/auth/login", credentials)
        type(self).token = tokens["access_token"]
        if tokens["must_change_password"]:
            chosen = secrets.token_urlsafe(18)
            change = {"current_password": self.password, "new_password": chosen}
            self.request("POST", "/api/v1/auth/change-password", change, expect=204)
            type(self).password = chosen
            type(self).token = None
            self.sign_in()

    def start_and_sign_in(self):
        """Starts the whole project again and signs in anew."""
        self.compose("up", "-d", "--no-build")
        self.wait_until_healthy()
        type(self).token = None
        self.sign_in()

    def assert_every_document_is_back(self, with_findings=False):
        """Each document of test 4 is complete (with its findings) and its original intact."""
        for name, identifier in self.documents.items():
            with self.subTest(document=name):
                document = self.request("GET", f"/api/v1/documents/{identifier}")
                self.assertEqual(document["status"], "complete")
                if with_findings:
                    findings = self.request("GET", f"/api/v1/documents/{identifier}/findings")
                    self.assertIsNotNone(findings)
                original = urllib.request.Request(
                    f"{self.base}/api/v1/documents/{identifier}/download",
                    headers={"Authorization": f"Bearer {self.token}"},
                )
                with urllib.request.urlopen(original, timeout=60) as answer:
                    self.assertEqual(answer.read(), (FIXTURES / name).read_bytes())

    # --- The tests, in order ----------------------------------------------------------------

    def test_1_the_front_door_answers_the_load_balancers_check_with_the_sign_in_page(self):
        with urllib.request.urlopen(self.base + "/", timeout=30) as answer:
            page = answer.read().decode()
            self.assertEqual(answer.status, 200)
        self.assertIn("Sign in", page)
        health = self.request("GET", "/api/health")
        self.assertEqual(health.get("status"), "healthy", health)

    def test_2_only_the_front_door_is_published(self):
        for service in ["backend", "worker", "postgres", "redis"]:
            with self.subTest(service=service):
                ports = self.inspect(service)["NetworkSettings"]["Ports"] or {}
                published = {port: bound for port, bound in ports.items() if bound}
                self.assertEqual(published, {})
        ports = self.inspect("frontend")["NetworkSettings"]["Ports"]
        bound = ports["3000/tcp"]
        self.assertEqual([(b["HostIp"], b["HostPort"]) for b in bound],
                         [("127.0.0.1", str(self.port))])

    def test_3_every_lucidity_process_runs_as_uid_and_gid_1000(self):
        for service in LUCIDITY_SERVICES:
            with self.subTest(service=service):
                self.assertEqual(self.exec(service, "id", "-u").strip(), "1000")
                self.assertEqual(self.exec(service, "id", "-g").strip(), "1000")
                config = self.inspect(service)["HostConfig"]
                self.assertEqual(config["CapDrop"], ["ALL"])
                self.assertIn("no-new-privileges:true", config["SecurityOpt"])

    def test_4_a_pdf_and_a_scan_are_analysed_and_searchable(self):
        self.sign_in()
        project = self.request(
            "POST", "/api/v1/projects", {"name": f"Compose {uuid.uuid4().hex[:8]}"},
            expect=201,
        )
        body, content_type = multipart(project["id"], UPLOADS)
        upload = self.request("POST", "/api/v1/documents", body, content_type, expect=202)
        accepted = {entry["filename"]: entry["id"] for entry in upload["documents"]}
        self.assertEqual(sorted(accepted), sorted(path.name for path, _ in UPLOADS))
        type(self).documents = accepted

        deadline = time.monotonic() + PIPELINE_SECONDS
        statuses = {}
        while time.monotonic() < deadline:
            statuses = {
                name: self.request("GET", f"/api/v1/documents/{identifier}")["status"]
                for name, identifier in accepted.items()
            }
            if all(status in ("complete", "failed") for status in statuses.values()):
                break
            time.sleep(3)
        self.assertEqual(statuses, {name: "complete" for name in accepted})

        scan = accepted["scan-page1.png"]
        report = self.request("GET", f"/api/v1/documents/{scan}/report")
        self.assertTrue(report, "the scan has a report")
        results = self.request(
            "GET", f"/api/v1/search?mode=semantic&q=confidential+information"
                   f"&project_id={project['id']}",
        )["results"]
        found = {result["document_id"] for result in results}
        self.assertIn(accepted["bonterms_mutual_nda_v1.pdf"], found)

    def test_5_the_originals_are_on_the_shared_storage_volume_owned_by_uid_1000(self):
        self.assertTrue(self.documents, "test 4 uploaded the documents")
        for service in ["backend", "worker"]:
            with self.subTest(service=service):
                listing = self.exec(
                    service, "find", "/data/storage", "-type", "f", "-printf", "%U %s\n"
                ).split("\n")
                files = [line.split() for line in listing if line.strip()]
                self.assertGreaterEqual(len(files), len(UPLOADS))
                self.assertEqual({owner for owner, _ in files}, {"1000"})

    def test_6_the_data_survives_taking_the_project_down_and_up_again(self):
        self.assertTrue(self.documents, "test 4 uploaded the documents")
        self.compose("down")
        self.start_and_sign_in()
        self.assert_every_document_is_back()

    def test_7_a_backup_taken_as_backup_md_says_restores_into_an_emptied_project(self):
        # docs/deploy/backup.md, "Single host with Docker Compose": the database with the
        # postgres service's own pg_dump, then the originals from the storage volume; the
        # volumes deleted; the database restored before the API starts, then the originals.
        self.assertTrue(self.documents, "test 4 uploaded the documents")
        user, database = self.settings["POSTGRES_USER"], self.settings["POSTGRES_DB"]
        dump = self.compose_bytes(
            "exec", "-T", "postgres", "pg_dump", "-U", user, "-d", database, "--format=custom"
        )
        originals = self.compose_bytes(
            "exec", "-T", "backend", "tar", "-C", "/data/storage", "-cf", "-", "."
        )
        self.compose("down", "-v")
        self.compose("up", "-d", "postgres")
        self.wait_until_healthy(["postgres"])
        self.compose_bytes(
            "exec", "-T", "postgres", "pg_restore", "-U", user, "-d", database, "--no-owner",
            "--no-privileges", "--no-comments", "--single-transaction", given=dump,
        )
        self.compose_bytes(
            "run", "--rm", "--no-deps", "-T", "--entrypoint", "tar", "backend",
            "-C", "/data/storage", "-xf", "-", given=originals,
        )
        self.start_and_sign_in()
        self.assert_every_document_is_back(with_findings=True)
        results = self.request(
            "GET", "/api/v1/search?mode=semantic&q=confidential+information"
        )["results"]
        self.assertIn(
            self.documents["bonterms_mutual_nda_v1.pdf"],
            {result["document_id"] for result in results},
        )


def read_env(path):
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value
    return values


def multipart(project_id, files):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="project_id"\r\n\r\n'
        f"{project_id}\r\n".encode()
    ]
    for path, content_type in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{path.name}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


if __name__ == "__main__":
    sys.exit(unittest.main())
