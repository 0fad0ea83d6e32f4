# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX credential type, and jobs run through ansible-runner as AWX runs them.

AWX renders a credential type's injectors into the job's environment, writes
it to env/envvars of a private data directory and starts ansible-runner on
it. These tests do the same with the emulator as the API server: the
injectors come from extensions/awx/credential_type.yml, rendered by a copy of
AWX's own rules (inject_credential in src/awx_plugins/credentials/injectors.py
of ansible/awx-plugins, and CredentialTypeInjectorField in awx/main/fields.py
of ansible/awx).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
import uuid

import certifi
import pytest
import requests
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conftest import API_KEY, REPO, SECRETS

try:
    import ansible_runner
except ImportError:
    ansible_runner = None

needs_runner = pytest.mark.skipif(
    ansible_runner is None,
    reason="ansible-runner is not installed: pip install -r tests/integration/requirements.txt")

CREDENTIAL_TYPE_PATH = os.path.join(REPO, "extensions", "awx", "credential_type.yml")
AWX_DOC_PATH = os.path.join(REPO, "docs", "awx.md")
DEMO_PLAYBOOK = os.path.join(REPO, "playbooks", "demo.yml")

# Environment names that AWX rejects in a credential type, besides the
# ANSIBLE_ prefix (ENV_BLOCKLIST in ansible/awx-plugins).
AWX_ENV_BLOCKLIST = frozenset((
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
))
# Key patterns of the injectors schema in AWX's CredentialTypeInjectorField.
FILE_INJECTOR_KEY = re.compile(r"^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$")
ENV_NAME = re.compile(r"^[a-zA-Z_]+[a-zA-Z0-9_]*$")

REGION_ACCESS_URLS = (
    "https://cloud.gravityzone.bitdefender.com/api",
    "https://cloudgz.gravityzone.bitdefender.com/api",
    "https://cloudap.gravityzone.bitdefender.com/api",
)

# Start of the warning that the modules and the lookup give when validate_certs
# is false (insecure_tls_warning in plugins/module_utils/client.py).
INSECURE_TLS_WARNING = "validate_certs is false: the TLS certificate of"

# One ansible-runner job may not take longer than this; a hang fails the test.
JOB_TIMEOUT = 300


def load_credential_type():
    with open(CREDENTIAL_TYPE_PATH) as handle:
        return yaml.safe_load(handle)


def input_fields(credential_type):
    return {field["id"]: field for field in credential_type["inputs"]["fields"]}


def doc_yaml_blocks():
    with open(AWX_DOC_PATH) as handle:
        return re.findall(r"```yaml\n(.*?)```", handle.read(), re.S)


def doc_bash_blocks():
    with open(AWX_DOC_PATH) as handle:
        return re.findall(r"```bash\n(.*?)```", handle.read(), re.S)


def render_injectors(credential_type, credential_inputs, private_data_dir):
    """Render the env injectors into a dict, writing file injectors as AWX does.

    The namespace follows AWX: empty strings are left out (so they are
    undefined in templates), and a boolean input that the credential does not
    store is False. Files go to private_data_dir/env with mode 0600. AWX
    passes their path as seen inside the execution environment container;
    these jobs run without a container, so the host path is the same one.
    """
    namespace = {}
    for field_id, field in input_fields(credential_type).items():
        value = credential_inputs.get(field_id)
        if field.get("type") == "boolean":
            namespace[field_id] = bool(value) if field_id in credential_inputs else False
        elif value:
            namespace[field_id] = value

    sandbox = ImmutableSandboxedEnvironment()
    injectors = credential_type["injectors"]
    files = {}
    for label, template in injectors.get("file", {}).items():
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, "env"))
        with os.fdopen(handle, "w") as file_handle:
            file_handle.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        files[label.split(".", 1)[1]] = path
    namespace["tower"] = types.SimpleNamespace(filename=types.SimpleNamespace(**files))

    return {name: sandbox.from_string(template).render(**namespace) for name, template in injectors.get("env", {}).items()}


def write_private_data_dir(root, playbook_path, envvars, extravars=None):
    """Lay out a private data directory the way AWX hands it to ansible-runner."""
    project = root / "project"
    project.mkdir()
    shutil.copy(playbook_path, str(project / os.path.basename(playbook_path)))
    # AWX runs from the project directory, so its ansible.cfg applies. The
    # collection comes from the tree that the test run names.
    (project / "ansible.cfg").write_text(
        "[defaults]\n"
        "collections_path = %s\n"
        "retry_files_enabled = false\n" % os.environ["ANSIBLE_COLLECTIONS_PATH"])

    inventory = root / "inventory"
    inventory.mkdir()
    (inventory / "hosts").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)

    env = root / "env"
    (env / "envvars").write_text(json.dumps(envvars))
    (env / "extravars").write_text(json.dumps(extravars or {}))
    (env / "settings").write_text(json.dumps({"job_timeout": JOB_TIMEOUT, "pexpect_timeout": 5, "suppress_ansible_output": True}))


class Job:
    """The artifacts of one ansible-runner job: status, rc, events and stdout."""

    def __init__(self, artifact_dir, completed):
        self.completed = completed
        with open(os.path.join(artifact_dir, "status")) as handle:
            self.status = handle.read().strip()
        with open(os.path.join(artifact_dir, "rc")) as handle:
            self.rc = int(handle.read())
        with open(os.path.join(artifact_dir, "stdout")) as handle:
            self.stdout = handle.read()
        events_dir = os.path.join(artifact_dir, "job_events")
        self.events = []
        for name in os.listdir(events_dir):
            with open(os.path.join(events_dir, name)) as handle:
                self.events.append(json.load(handle))
        self.events.sort(key=lambda event: event["counter"])

    def results(self, task_name, event_name="runner_on_ok"):
        """Return the task results of the events of that type for the task."""
        return [event["event_data"]["res"] for event in self.events
                if event["event"] == event_name and event["event_data"].get("task") == task_name]


def run_job(private_data_dir, playbook_name):
    """Run the playbook with the ansible-runner CLI, as AWX does, and return a Job.

    The CLI runs in a child process because the emulator serves from a
    thread of this one, and forking a multi-threaded process can deadlock.
    """
    command = [sys.executable, "-m", "ansible_runner", "run", str(private_data_dir), "-p", playbook_name, "--ident", "job"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=JOB_TIMEOUT + 60, check=False)
    artifact_dir = os.path.join(str(private_data_dir), "artifacts", "job")
    assert os.path.exists(os.path.join(artifact_dir, "rc")), completed.stdout + completed.stderr
    return Job(artifact_dir, completed)


def assert_job_leaks_nothing(job):
    """AWX stores the job events and stdout, so neither may contain the key or a traceback."""
    events = json.dumps(job.events)
    output = job.completed.stdout + job.completed.stderr
    for secret in SECRETS:
        assert secret not in job.stdout, "the API key leaked into the job stdout"
        assert secret not in events, "the API key leaked into a job event"
        assert secret not in output, "the API key leaked into the output of ansible-runner"
    assert "Traceback" not in job.stdout, job.stdout
    assert "Traceback" not in events
    assert "Traceback" not in output, output


@pytest.fixture
def awx_environment(monkeypatch):
    """Leave the job only the connection settings that the credential injects.

    ansible-runner starts ansible-playbook with this process's environment
    plus env/envvars, so stray GRAVITYZONE_* variables or ANSIBLE_CONFIG would
    decide the test instead of the credential.
    """
    for name in list(os.environ):
        if name.startswith("GRAVITYZONE_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("ANSIBLE_CONFIG", raising=False)
    return monkeypatch


def emulator_credential(gz, **overrides):
    with open(gz.ca_path) as handle:
        ca_pem = handle.read()
    inputs = {"base_url": gz.url, "api_key": API_KEY, "ca_bundle": ca_pem}
    inputs.update(overrides)
    return inputs


# The credential type file


def test_credential_type_metadata():
    credential_type = load_credential_type()
    assert credential_type["name"]
    assert credential_type["description"]
    assert credential_type["kind"] == "cloud"
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}


def test_credential_type_inputs():
    credential_type = load_credential_type()
    fields = input_fields(credential_type)
    assert list(fields) == ["base_url", "api_key", "skip_tls_verify", "ca_bundle"]
    assert credential_type["inputs"]["required"] == ["base_url", "api_key"]

    assert fields["api_key"]["secret"] is True
    assert fields["skip_tls_verify"]["type"] == "boolean"
    assert fields["skip_tls_verify"]["default"] is False
    assert "tests only" in fields["skip_tls_verify"]["label"]
    assert "CA bundle" in fields["skip_tls_verify"]["help_text"]
    assert fields["ca_bundle"]["multiline"] is True
    assert "ca_bundle" not in credential_type["inputs"]["required"]

    base_url_help = fields["base_url"]["help_text"]
    for url in REGION_ACCESS_URLS:
        assert url in base_url_help
    assert "My Account > Control Center API" in base_url_help


def test_credential_type_inputs_pass_awx_schema():
    """Apply the checks of AWX's CredentialTypeInputField."""
    credential_type = load_credential_type()
    fields = credential_type["inputs"]["fields"]
    assert len({field["id"] for field in fields}) == len(fields), "field ids must be unique"
    for field in fields:
        assert field["label"], field["id"]
        field_type = field.get("type", "string")
        assert field_type in ("string", "boolean"), field["id"]
        if "default" in field:
            assert isinstance(field["default"], {"string": str, "boolean": bool}[field_type]), field["id"]
        if field_type != "string":
            for key in ("choices", "multiline", "format", "secret"):
                assert key not in field, "%s is not allowed on the boolean field %s" % (key, field["id"])
    assert set(credential_type["inputs"]["required"]) <= {field["id"] for field in fields}


def test_injector_env_names():
    env = load_credential_type()["injectors"]["env"]
    assert set(env) == {"GRAVITYZONE_BASE_URL", "GRAVITYZONE_API_KEY", "GRAVITYZONE_VALIDATE_CERTS", "GRAVITYZONE_CA_PATH"}
    for name, template in env.items():
        assert name.startswith("GRAVITYZONE_"), name
        assert not name.startswith("ANSIBLE_"), name
        assert name not in AWX_ENV_BLOCKLIST, name
        assert ENV_NAME.match(name), name
        assert template.isascii(), name


def test_injectors_pass_awx_validation():
    """Render every injector the way AWX validates a credential type on save."""
    credential_type = load_credential_type()
    injectors = credential_type["injectors"]
    assert set(injectors) <= {"file", "env", "extra_vars"}
    file_keys = list(injectors["file"])
    for key in file_keys:
        assert FILE_INJECTOR_KEY.match(key), key
    assert "template" not in file_keys, "AWX rejects mixing the single-file and the multi-file syntax"

    namespace = {field_id: "EXAMPLE" for field_id in input_fields(credential_type)}
    filenames = types.SimpleNamespace(**{key.split(".", 1)[1]: "EXAMPLE_FILENAME" for key in file_keys})
    namespace["tower"] = types.SimpleNamespace(filename=filenames)
    sandbox = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for section in injectors.values():
        for key, template in section.items():
            sandbox.from_string(template).render(namespace)


def test_injected_env_with_ca_bundle(tmp_path):
    (tmp_path / "env").mkdir()
    inputs = {"base_url": REGION_ACCESS_URLS[0], "api_key": "example-key", "skip_tls_verify": False, "ca_bundle": "PEM TEXT\n"}
    env = render_injectors(load_credential_type(), inputs, str(tmp_path))
    assert env["GRAVITYZONE_BASE_URL"] == REGION_ACCESS_URLS[0]
    assert env["GRAVITYZONE_API_KEY"] == "example-key"
    assert env["GRAVITYZONE_VALIDATE_CERTS"] == "true"
    assert os.path.dirname(env["GRAVITYZONE_CA_PATH"]) == str(tmp_path / "env")
    with open(env["GRAVITYZONE_CA_PATH"]) as handle:
        assert handle.read() == "PEM TEXT\n"


def test_injected_env_without_ca_bundle(tmp_path):
    """No bundle: AWX still writes an empty file, but GRAVITYZONE_CA_PATH stays empty."""
    (tmp_path / "env").mkdir()
    inputs = {"base_url": REGION_ACCESS_URLS[0], "api_key": "example-key", "ca_bundle": ""}
    env = render_injectors(load_credential_type(), inputs, str(tmp_path))
    assert env["GRAVITYZONE_CA_PATH"] == ""
    assert env["GRAVITYZONE_VALIDATE_CERTS"] == "true"


@pytest.mark.parametrize("stored, expected", [
    ({}, "true"),
    ({"skip_tls_verify": False}, "true"),
    ({"skip_tls_verify": True}, "false"),
], ids=["absent", "false", "true"])
def test_injected_validate_certs(tmp_path, stored, expected):
    """A credential that does not store skip_tls_verify (API, CLI, module) keeps verification on."""
    (tmp_path / "env").mkdir()
    inputs = {"base_url": REGION_ACCESS_URLS[0], "api_key": "example-key"}
    inputs.update(stored)
    env = render_injectors(load_credential_type(), inputs, str(tmp_path))
    assert env["GRAVITYZONE_VALIDATE_CERTS"] == expected


def test_validate_certs_template_undefined_input():
    """An input missing from the namespace is undefined in AWX's sandbox, and that also means 'true'."""
    template = load_credential_type()["injectors"]["env"]["GRAVITYZONE_VALIDATE_CERTS"]
    sandbox = ImmutableSandboxedEnvironment()
    assert sandbox.from_string(template).render() == "true"
    assert sandbox.from_string(template).render(skip_tls_verify=False) == "true"
    assert sandbox.from_string(template).render(skip_tls_verify=True) == "false"


def test_doc_cli_sends_file_contents(tmp_path):
    """The awx CLI command in docs/awx.md sends exactly what the file contains."""
    blocks = [block for block in doc_bash_blocks() if "credential_types create" in block]
    assert len(blocks) == 1
    arguments_path = tmp_path / "awx-arguments.json"
    # A stand-in for the awx command records its arguments.
    script = ("awx() { python3 -c 'import json, sys; json.dump(sys.argv[1:], open(sys.argv[1], \"w\"))' %s \"$@\"; }\n%s"
              % (arguments_path, blocks[0]))
    completed = subprocess.run(["bash", "-euc", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr

    arguments = json.loads(arguments_path.read_text())[1:]
    assert arguments[:2] == ["credential_types", "create"]
    options = dict(zip(arguments[2::2], arguments[3::2]))
    credential_type = load_credential_type()
    assert options["--name"] == credential_type["name"]
    assert options["--description"] == credential_type["description"]
    assert options["--kind"] == credential_type["kind"]
    assert json.loads(options["--inputs"]) == credential_type["inputs"]
    assert json.loads(options["--injectors"]) == credential_type["injectors"]


# Jobs through ansible-runner


@needs_runner
def test_runner_job_with_ca_bundle(gz, awx_environment, tmp_path):
    """The documented playbook runs with the injected CA, which wins over REQUESTS_CA_BUNDLE."""
    blocks = doc_yaml_blocks()
    assert len(blocks) == 1, "every YAML block in docs/awx.md must be run by a test"
    playbook = tmp_path / "awx_job.yml"
    playbook.write_text(blocks[0])
    action_id = gz.new_action([3, 4])
    # A trust store that lacks the emulator's CA: only the injected bundle makes TLS work.
    awx_environment.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    awx_environment.setenv("CURL_CA_BUNDLE", certifi.where())

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    envvars = render_injectors(load_credential_type(), emulator_credential(gz), str(private))
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": action_id})
    requests_before = gz.stats()["requests"]
    job = run_job(private, "awx_job.yml")

    assert job.status == "successful", job.stdout
    assert job.rc == 0
    waited = job.results("Wait until the response action is final")
    assert len(waited) == 1, job.stdout
    assert waited[0]["action"]["id"] == action_id
    assert waited[0]["action"]["status_name"] == "execution_success"
    assert waited[0]["succeeded"] is True
    looked_up = job.results("Read the same action through the lookup")
    assert looked_up[0]["ansible_facts"]["looked_up"]["status_name"] == "execution_success"
    report = job.results("Report the result")
    assert report[0]["msg"] == "%s ended as execution_success (lookup: execution_success)" % action_id
    assert gz.stats()["requests"] > requests_before, "the job did not reach the emulator"
    assert_job_leaks_nothing(job)


@needs_runner
def test_runner_job_without_ca_bundle(gz, awx_environment, tmp_path):
    """No CA bundle: the execution environment's trust store applies."""
    blocks = doc_yaml_blocks()
    playbook = tmp_path / "awx_job.yml"
    playbook.write_text(blocks[0])
    action_id = gz.new_action([4])
    # The execution environment trusts the emulator's CA on its own.
    awx_environment.setenv("REQUESTS_CA_BUNDLE", gz.ca_path)
    awx_environment.delenv("CURL_CA_BUNDLE", raising=False)

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    envvars = render_injectors(load_credential_type(), emulator_credential(gz, ca_bundle=""), str(private))
    assert envvars["GRAVITYZONE_CA_PATH"] == ""
    assert envvars["GRAVITYZONE_VALIDATE_CERTS"] == "true"
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": action_id})
    requests_before = gz.stats()["requests"]
    job = run_job(private, "awx_job.yml")

    assert_job_leaks_nothing(job)
    assert job.status == "successful", job.stdout
    assert job.rc == 0
    report = job.results("Report the result")
    assert report[0]["msg"] == "%s ended as execution_success (lookup: execution_success)" % action_id
    assert gz.stats()["requests"] > requests_before, "the job did not reach the emulator"
    assert INSECURE_TLS_WARNING not in job.stdout
    assert INSECURE_TLS_WARNING not in json.dumps(job.events)


@needs_runner
def test_runner_job_skip_tls_verify(gz, awx_environment, tmp_path):
    """With skip_tls_verify the job reaches a server that no trust store accepts, and the module warns."""
    blocks = doc_yaml_blocks()
    playbook = tmp_path / "awx_job.yml"
    playbook.write_text(blocks[0])
    action_id = gz.new_action([4])
    # A trust store that lacks the emulator's CA, and no CA bundle in the credential.
    awx_environment.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    awx_environment.setenv("CURL_CA_BUNDLE", certifi.where())

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    credential = emulator_credential(gz, ca_bundle="", skip_tls_verify=True)
    envvars = render_injectors(load_credential_type(), credential, str(private))
    assert envvars["GRAVITYZONE_VALIDATE_CERTS"] == "false"
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": action_id})
    job = run_job(private, "awx_job.yml")

    assert_job_leaks_nothing(job)
    assert job.status == "successful", job.stdout
    assert job.rc == 0
    report = job.results("Report the result")
    assert report[0]["msg"] == "%s ended as execution_success (lookup: execution_success)" % action_id
    waited = job.results("Wait until the response action is final")
    module_warnings = waited[0].get("warnings", [])
    assert any(INSECURE_TLS_WARNING in warning for warning in module_warnings), module_warnings
    assert INSECURE_TLS_WARNING in job.stdout


@needs_runner
def test_runner_lookup_skip_tls_verify(gz, awx_environment, tmp_path):
    """The lookup gives its own warning when skip_tls_verify is set.

    ansible-core prints each warning text once per run, so the module's
    identical warning would hide the lookup's. This job runs the lookup alone.
    """
    playbook = tmp_path / "lookup_job.yml"
    playbook.write_text(yaml.safe_dump([{
        "name": "Read a response action through the lookup",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{
            "name": "Read the action",
            "ansible.builtin.set_fact": {"looked_up": "{{ lookup('bitdefender.gravityzone.response_action', response_action_id) }}"},
        }],
    }]))
    action_id = gz.new_action([4])
    awx_environment.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    awx_environment.setenv("CURL_CA_BUNDLE", certifi.where())

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    credential = emulator_credential(gz, ca_bundle="", skip_tls_verify=True)
    envvars = render_injectors(load_credential_type(), credential, str(private))
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": action_id})
    job = run_job(private, "lookup_job.yml")

    assert_job_leaks_nothing(job)
    assert job.status == "successful", job.stdout
    looked_up = job.results("Read the action")
    assert looked_up[0]["ansible_facts"]["looked_up"]["id"] == action_id
    assert INSECURE_TLS_WARNING in job.stdout, job.stdout


@needs_runner
def test_runner_job_untrusted_certificate(gz, awx_environment, tmp_path):
    """A credential without skip_tls_verify checks the certificate, so an untrusted server fails the job."""
    blocks = doc_yaml_blocks()
    playbook = tmp_path / "awx_job.yml"
    playbook.write_text(blocks[0])
    action_id = gz.new_action([4])
    awx_environment.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    awx_environment.setenv("CURL_CA_BUNDLE", certifi.where())

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    credential = emulator_credential(gz, ca_bundle="")
    assert "skip_tls_verify" not in credential
    envvars = render_injectors(load_credential_type(), credential, str(private))
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": action_id})
    job = run_job(private, "awx_job.yml")

    assert_job_leaks_nothing(job)
    assert job.status == "failed", job.stdout
    assert job.rc != 0
    failed = job.results("Wait until the response action is final", "runner_on_failed")
    assert len(failed) == 1, job.stdout
    assert "CERTIFICATE_VERIFY_FAILED" in failed[0]["msg"], failed[0]["msg"]
    assert INSECURE_TLS_WARNING not in job.stdout


@needs_runner
def test_runner_job_rejected_key(gz, awx_environment, tmp_path):
    """A wrong key fails the job with a 401 message and without the key in any event."""
    blocks = doc_yaml_blocks()
    playbook = tmp_path / "awx_job.yml"
    playbook.write_text(blocks[0])
    wrong_key = "gz-wrong-key-%s" % uuid.uuid4().hex

    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    envvars = render_injectors(load_credential_type(), emulator_credential(gz, api_key=wrong_key), str(private))
    write_private_data_dir(private, str(playbook), envvars, {"response_action_id": "6912758f88df334ddbfb7e1a"})
    job = run_job(private, "awx_job.yml")

    assert job.status == "failed", job.stdout
    assert job.rc != 0
    failed = job.results("Wait until the response action is final", "runner_on_failed")
    assert len(failed) == 1, job.stdout
    assert "401" in failed[0]["msg"], failed[0]["msg"]
    assert wrong_key not in job.stdout
    assert wrong_key not in json.dumps(job.events)
    assert_job_leaks_nothing(job)


@needs_runner
def test_runner_demo_playbook(gz, awx_environment, tmp_path):
    """playbooks/demo.yml runs as an AWX job with nothing but the credential."""
    gz.reset()
    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    envvars = render_injectors(load_credential_type(), emulator_credential(gz), str(private))
    write_private_data_dir(private, DEMO_PLAYBOOK, envvars)
    job = run_job(private, "demo.yml")

    assert job.status == "successful", job.stdout
    assert job.rc == 0
    final = job.results("Wait for every action in one task")
    assert len(final) == 1, job.stdout
    assert final[0]["terminal"] is True
    # In per-read mode the wait ends for 6912785288df334ddbfb7e77 at status 7
    # (external action needed), one read before it would turn into 8.
    escalate = ["691276b488df334ddbfb7e3f", "6912773e88df334ddbfb7e51", "6912785288df334ddbfb7e77"]
    assert final[0]["unsuccessful_ids"] == escalate
    summary = job.results("Summarise")
    assert summary[0]["msg"][1] == "To escalate: " + ", ".join(escalate)
    stats = [event for event in job.events if event["event"] == "playbook_on_stats"]
    assert stats[0]["event_data"]["failures"] == {}
    assert_job_leaks_nothing(job)


def run_example_job(gz, tmp_path, playbook_name, extravars):
    """Run playbooks/<playbook_name> as an AWX job with the emulator credential."""
    private = tmp_path / "private"
    (private / "env").mkdir(parents=True)
    envvars = render_injectors(load_credential_type(), emulator_credential(gz), str(private))
    write_private_data_dir(private, os.path.join(REPO, "playbooks", playbook_name), envvars, extravars)
    job = run_job(private, playbook_name)
    assert_job_leaks_nothing(job)
    return job


def test_runner_contain_example(gz, awx_environment, tmp_path):
    job = run_example_job(gz, tmp_path, "contain_compromised_account.yml",
                          {"target_user": "jane.doe@example.com", "incident_id": "6912740188df334ddbfb7d90"})
    assert job.status == "successful", job.stdout
    waited = job.results("Wait until GravityZone has carried out both")
    assert waited[0]["succeeded"] is True


def test_runner_remove_phishing_example(gz, awx_environment, tmp_path):
    requests.post(gz.admin + "/similar_emails", json={"emailId": "runner-phish", "count": 3}, verify=gz.ca_path, timeout=10).raise_for_status()
    job = run_example_job(gz, tmp_path, "remove_phishing_email.yml",
                          {"reference_email_id": "runner-phish", "incident_id": "6912740188df334ddbfb7d90"})
    assert job.status == "successful", job.stdout
    assert job.results("Report the outcome counts")[0]["msg"][0] == "Similar e-mails found: 3"


def test_runner_escalate_example(gz, awx_environment, tmp_path):
    job = run_example_job(gz, tmp_path, "escalate_on_failure.yml",
                          {"target_user": "jane.doe@example.com", "incident_id": "6912740188df334ddbfb7d90"})
    assert job.status == "successful", job.stdout
    assert "is disabled" in job.results("Close the case")[0]["msg"]
