# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: response_action
short_description: Read the status of GravityZone response actions from a template
version_added: 0.1.0
description:
  - Reads the status of each response action ID given as a term with the C(getResponseActionStatus) API method and
    returns one dict per action, with the same keys as the C(actions) items of
    M(bitdefender.gravityzone.response_action_info).
  - C(lookup) with one ID returns that dict. C(query) returns a list of dicts in the order of the terms.
  - An action that failed, was dismissed or is still open is data, not an error. The lookup raises an error only when a
    status could not be read and, with O(wait=true), when O(wait_timeout) passes.
  - With O(wait=true) it polls until every action is final, reading only the actions still open in each round, at most
    9 requests per second per lookup call.
  - The connection options come from keyword arguments, then C(gravityzone_*) variables, then C(GRAVITYZONE_*)
    environment variables of the controller, then the C([gravityzone]) section of C(ansible.cfg).
    C(module_defaults) and a task's C(environment) do not reach a lookup.
author:
  - bitdefender.gravityzone contributors (!UNKNOWN)
requirements:
  - Python C(requests) 2.25 or later on the controller.
  - An API key with the B(Incidents API) enabled.
extends_documentation_fragment:
  - bitdefender.gravityzone.connection.plugins
options:
  _terms:
    description:
      - IDs of the response actions, as returned by C(createResponseAction).
      - A list given as one term is flattened one level, so O(_terms) can be a list variable.
      - Each ID is a non-empty string without surrounding whitespace, given once. Quote IDs in YAML, because an
        unquoted ID such as C(0123456701234567) is read as a number; numbers are rejected.
      - At most 1000 IDs per lookup call. Split longer lists, for example with the C(batch) filter.
    type: list
    elements: str
    required: true
  wait:
    description:
      - Whether to poll until every action is final before returning.
      - Transient faults (timeouts, HTTP 429 and 5xx, dropped connections) are absorbed until O(wait_timeout) passes; a
        permanent error (authentication, permission, an action ID the API rejects) raises at once.
      - An action that ends without succeeding is returned, not raised. Branch on its C(succeeded) key.
      - The task that templates the lookup is blocked while it waits, and a lookup runs once per host.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait in total with O(wait=true), request retries included. When they pass, the lookup raises an error
        naming the actions still open.
    type: float
    default: 600
  wait_sleep:
    description:
      - Seconds from the start of one polling round to the start of the next with O(wait=true).
    type: float
    default: 5
  wait_on_external_action:
    description:
      - With O(wait=true), whether to keep waiting while an action has status C(external_action_needed), until it is
        C(done_externally) or otherwise final.
    type: bool
    default: false
notes:
  - The lookup runs on the controller, once per host that templates it, and again at each reference to a lazily
    templated variable that contains it, such as a play or task C(vars) entry. Every host and every playbook using the
    key share its limit of 10 requests per second. To keep a large play cheap, read once with C(run_once) and
    C(set_fact), or read all IDs in one M(bitdefender.gravityzone.response_action_info) task with its C(action_ids) option.
  - ansible-core templates a task's arguments once, before the retries of C(until), so a lookup in module arguments,
    C(set_fact) or C(debug) is not run again by C(until). A lookup in the C(until) expression itself, or in a task
    C(vars) entry that the C(until) expression reads, or in an C(assert) condition written without C({{ }}), runs again
    on every attempt. The examples show these forms; the collection's C(docs/waiting.md) compares them with the module.
  - Status C(external_action_needed) (7) counts as final, because GravityZone cannot go on without someone acting
    outside it. It may later turn into C(done_externally) (8).
  - With C(errors='warn') a failed read gives a warning and the lookup returns nothing; with C(errors='ignore') it
    returns nothing without a message.
seealso:
  - module: bitdefender.gravityzone.response_action_info
    description: Reads the same statuses in a task, with aggregates such as C(open_ids) and C(retryable).
"""

EXAMPLES = r"""
- name: Read one action with the connection from GRAVITYZONE_* or gravityzone_* variables
  ansible.builtin.debug:
    msg: "{{ lookup('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a').status_name }}"

- name: Read several actions; query returns a list in the order of the IDs
  ansible.builtin.set_fact:
    containment: "{{ query('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a', '65a1f0c2e4b0a1b2c3d4e5f6') }}"
  run_once: true

- name: Escalate when an action did not succeed
  ansible.builtin.debug:
    msg: "Escalate {{ item.id }}: {{ item.status_name }} {{ item.error_description }}"
  loop: "{{ containment }}"
  when: item.terminal and not item.succeeded

- name: Wait inside the lookup until the action is final, then branch on the result
  ansible.builtin.set_fact:
    disable_user: "{{ lookup('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a', wait=true, wait_timeout=300, wait_sleep=2) }}"

- name: Close the ticket only when the account was really disabled
  ansible.builtin.debug:
    msg: "Account disabled at {{ disable_user.generated_on_utc }}"
  when: disable_user.succeeded

- name: Poll with until, calling the lookup in the until expression so that every attempt reads again
  ansible.builtin.assert:
    that: lookup('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a').terminal
    quiet: true
  register: polled
  until: polled is succeeded
  retries: 60
  delay: 5

- name: Poll with until through a task variable, which until templates again on every attempt
  ansible.builtin.debug:
    msg: Waiting for the action to finish
  vars:
    current: "{{ lookup('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a') }}"
  until: current.terminal
  retries: 60
  delay: 5

- name: Pass the connection as keyword arguments, and keep going when the API cannot be reached
  ansible.builtin.debug:
    msg: "{{ lookup('bitdefender.gravityzone.response_action', '6912758f88df334ddbfb7e1a',
             base_url=gravityzone_base_url, api_key=gravityzone_api_key, errors='warn') | default('unknown', true) }}"
"""

RETURN = r"""
_raw:
  description:
    - One dict per action ID, in the order of the terms. C(lookup) with one ID returns the dict itself.
    - The keys are those of the C(actions) items of M(bitdefender.gravityzone.response_action_info), where each is
      described in full.
  type: list
  elements: dict
  contains:
    id:
      description: The action ID that was asked for.
      type: str
      sample: "6912758f88df334ddbfb7e1a"
    type:
      description: The action type number as the API sent it.
      type: int
      sample: 3
    type_name:
      description: Name of the action type, such as C(disable_user_m365), or C(unknown) (with a warning).
      type: str
      sample: disable_user_m365
    status:
      description: The status number as the API sent it.
      type: int
      sample: 4
    status_name:
      description:
        - C(not_started) (0), C(to_be_executed) (1), C(pending) (2), C(in_execution) (3), C(execution_success) (4),
          C(execution_failed) (5), C(dismissed) (6), C(external_action_needed) (7), C(done_externally) (8),
          or C(unknown) (with a warning).
      type: str
      sample: execution_success
    terminal:
      description: Whether GravityZone will not move the action on by itself any more (statuses 4 to 8).
      type: bool
      sample: true
    succeeded:
      description: Whether the action succeeded (statuses 4 and 8).
      type: bool
      sample: true
    needs_attention:
      description: Whether the action needs someone to act outside GravityZone (status 7).
      type: bool
      sample: false
    generated_on:
      description: When the action was created, as the API sent it.
      type: str
      sample: "2023-08-06T23:43:27"
    generated_on_utc:
      description: C(generated_on) as ISO 8601 in UTC with an explicit offset; null when it cannot be parsed.
      type: str
      sample: "2023-08-06T23:43:27+00:00"
    error_id:
      description: Error code when the action failed, as the API sent it.
      type: int
      sample: 1002
    error_description:
      description: Error text when the action failed, as the API sent it.
      type: str
      sample: "The user could not be found in Microsoft Entra ID."
    incident_id:
      description: Incident the target belongs to, when there is one.
      type: str
      sample: "65a1f0c2e4b0a1b2c3d40001"
    company_id:
      description: Company in which the action runs.
      type: str
      sample: "5d1a2b3c4d5e6f7a8b9c0d1e"
    user_id:
      description: ID of the console user who requested the action.
      type: str
      sample: "5d1a2b3c4d5e6f7a8b9c0d1f"
    user_name:
      description: Name of the console user who requested the action.
      type: str
      sample: "soc.analyst@example.com"
    target_user_id:
      description: ID of the user the action was applied to.
      type: str
      sample: "8f14e45fceea167a5a36dedd"
    target_user_name:
      description: Name of the user the action was applied to, when available.
      type: str
      sample: "jane.doe@example.com"
    target_email_id:
      description: ID of the e-mail the action was taken on, when relevant.
      type: str
      sample: "AAMkAGI2TG93AAA="
    outcome:
      description:
        - For C(delete_similar_emails_m365) (type 11) actions, C(succeeded_ids), C(failed_retriable_ids),
          C(failed_permanent_ids) and C(errors); null for other types.
      type: dict
      sample: {"succeeded_ids": ["AAMkAGI2TG93AAB="], "failed_retriable_ids": [], "failed_permanent_ids": [], "errors": []}
    raw:
      description: The API's result object unchanged.
      type: dict
      sample: {"type": 3, "status": 4, "generatedOn": "2023-08-06T23:43:27"}
"""

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleLookupError
from ansible.module_utils.basic import missing_required_lib
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import (
    HAS_REQUESTS,
    ConnectionOptionError,
    GravityZoneClient,
    GravityZoneError,
    insecure_tls_warning,
    redact,
    validate_connection_options,
)
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import (
    ActionIdError,
    StatusReader,
    validate_action_ids,
    validate_wait_options,
)

display = Display()

CONNECTION_OPTIONS = ("base_url", "api_key", "validate_certs", "ca_path", "timeout", "request_retries")


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        api_key = None
        try:
            self._set_templated_options(variables, kwargs)
            api_key = self.get_option("api_key")
            return self._read(terms)
        except AnsibleLookupError:
            raise
        except (ActionIdError, ConnectionOptionError, GravityZoneError) as exc:
            problem = str(exc)
        except AnsibleError as exc:
            problem = "Invalid option for the bitdefender.gravityzone.response_action lookup: %s" % exc.message
        except Exception as exc:  # pylint: disable=broad-except
            # Anything else is a bug in this collection. It is still raised as
            # AnsibleLookupError so that errors= applies and ansible-core shows
            # the message instead of a traceback.
            problem = "The bitdefender.gravityzone.response_action lookup failed unexpectedly: %s: %s" % (type(exc).__name__, exc)
        raise AnsibleLookupError(redact(problem, api_key if isinstance(api_key, str) else None))

    def _set_templated_options(self, variables, kwargs):
        """Set the plugin options, templating the gravityzone_* variables they read first.

        ansible-core 2.19 and later hand a lookup its variables untemplated, so
        a value such as "{{ vault_gravityzone_key }}" would reach the option
        as written, and fail the type check of a bool or number option.
        Templating them on older versions changes nothing.
        """
        definitions = C.config.get_configuration_definitions(plugin_type="lookup", name=self._load_name)
        unknown = sorted(name for name in kwargs if name not in definitions)
        if unknown:
            # ansible-core ignores unknown keyword arguments, so a misspelled
            # wait=true would silently not wait.
            raise AnsibleLookupError("The bitdefender.gravityzone.response_action lookup has no option %s. Valid options: %s."
                                     % (", ".join(unknown), ", ".join(sorted(name for name in definitions if not name.startswith("_")))))
        variables = variables or {}
        templated = {}
        for name in self._option_variable_names():
            if name in variables:
                templated[name] = self._templar.template(variables[name])
        self.set_options(var_options=templated, direct=kwargs)

    def _option_variable_names(self):
        definitions = C.config.get_configuration_definitions(plugin_type="lookup", name=self._load_name)
        return [entry["name"] for definition in definitions.values() for entry in definition.get("vars") or []]

    def _read(self, terms):
        if not HAS_REQUESTS:
            raise AnsibleLookupError(missing_required_lib("requests"))

        action_ids = validate_action_ids(self._flatten(terms), option="terms")
        wait = self.get_option("wait")
        if wait:
            validate_wait_options(self.get_option("wait_timeout"), self.get_option("wait_sleep"))
        options = validate_connection_options(**dict((name, self.get_option(name)) for name in CONNECTION_OPTIONS))
        if not options["validate_certs"]:
            display.warning(insecure_tls_warning(options["access_url"]))

        client = GravityZoneClient.from_options(options)
        try:
            reader = StatusReader(client)
            if wait:
                outcome = reader.wait(action_ids, wait_timeout=self.get_option("wait_timeout"),
                                      wait_sleep=self.get_option("wait_sleep"),
                                      wait_on_external_action=self.get_option("wait_on_external_action"))
            else:
                outcome = reader.read(action_ids)
        finally:
            client.close()

        for warning in outcome.warnings:
            display.warning(warning)
        # Only read errors and a passed deadline raise: an action that ended
        # without succeeding is returned for the playbook to branch on.
        if outcome.errors or outcome.timed_out:
            raise AnsibleLookupError(outcome.failure_message())
        return [outcome.actions[action_id] for action_id in action_ids]
