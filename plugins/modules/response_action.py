#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: response_action
short_description: Create a GravityZone response action, and optionally wait for it
version_added: 0.1.0
description:
  - Creates a response action with the C(createResponseAction) API method, such as disabling a user, resetting
    credentials or deleting e-mails, and returns its ID.
  - With O(wait=true) it then polls the action until it is final, as
    M(bitdefender.gravityzone.response_action_info) does.
  - The parameters each action type needs are checked before any request, and only the parameters that are set are sent.
author:
  - bitdefender.gravityzone contributors (!UNKNOWN)
requirements:
  - Python C(requests) 2.25 or later on the host that runs the task, usually C(localhost).
  - An API key with the B(Incidents API) enabled.
extends_documentation_fragment:
  - bitdefender.gravityzone.connection
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: In check mode nothing is called; the task returns C(changed=true) and C(action_id=null), and skips the wait.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action_group:
    description: Use C(group/bitdefender.gravityzone.gravityzone) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - bitdefender.gravityzone.gravityzone
options:
  action:
    description:
      - The response action to create.
      - C(reset_credentials_m365), C(reset_credentials_ad), C(disable_user_m365), C(disable_user_ad),
        C(mark_compromised_m365), C(disable_user_google), C(reset_credentials_google) and C(disable_user_aws) need
        O(username).
      - C(delete_email_m365) needs O(email_id), and O(username) when O(incident_id) is not set.
      - C(delete_similar_emails_m365) needs O(targets), and O(email_id) (the reference e-mail) when O(incident_id) is set.
      - C(delete_file_m365) needs O(file_url).
      - Every action needs exactly one of O(incident_id) and O(integration_identifiers).
    type: str
    required: true
    choices:
      - reset_credentials_m365
      - reset_credentials_ad
      - disable_user_m365
      - disable_user_ad
      - mark_compromised_m365
      - delete_email_m365
      - disable_user_google
      - reset_credentials_google
      - delete_file_m365
      - delete_similar_emails_m365
      - disable_user_aws
  username:
    description:
      - A string. Like the other string options it is checked, not converted, so that a value that YAML reads as a
        number or a list fails before anything is created.
      - The user to act on. An e-mail address for Microsoft 365, Entra ID and Google users; C(DOMAIN\user) for Active
        Directory users.
    type: raw
  email_id:
    description:
      - ID of the e-mail to delete (C(delete_email_m365)), or of the reference e-mail (C(delete_similar_emails_m365)).
    type: raw
  incident_id:
    description:
      - ID of the GravityZone incident the target belongs to.
      - Mutually exclusive with O(integration_identifiers); one of the two is required.
    type: raw
  integration_identifiers:
    description:
      - Identifies the integration that carries out the action, when there is no incident. Sent to the API as given.
      - For an AWS user it holds the company ID and the AWS access key ID of the integration; the field names for other
        integrations are not published.
    type: dict
  targets:
    description:
      - For C(delete_similar_emails_m365), which similar e-mails to delete, sent to the API as given. Use the e-mails
        that M(bitdefender.gravityzone.similar_emails_info) returns.
    type: raw
  file_url:
    description:
      - For C(delete_file_m365), the URL of the OneDrive or SharePoint file to delete.
    type: raw
  wait:
    description:
      - Whether to poll the new action until it is final. The task fails when O(wait_timeout) passes and when the action
        ends without succeeding; RV(action_id) is returned in both cases.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait in total with O(wait=true), request retries included.
    type: float
    default: 600
  wait_sleep:
    description:
      - Seconds from the start of one status read to the start of the next with O(wait=true).
    type: float
    default: 5
  wait_on_external_action:
    description:
      - With O(wait=true), whether to keep waiting while the action has status C(external_action_needed).
    type: bool
    default: false
notes:
  - The API has no idempotency key. Every run of this task that is not in check mode creates a new action. See the
    examples for a playbook that records the action ID and does not create the action a second time.
  - A create call is retried only when it cannot have reached GravityZone, that is after a refused connection or
    HTTP 429. After a read timeout, a connection dropped after sending, a 5xx or a garbled reply, the task fails at
    once and its message states that the action may already exist, with the action, the target, the UTC time of the
    call and the JSON-RPC request id. Check the console before running the task again.
  - Response actions are a GravityZone Cloud feature.
seealso:
  - module: bitdefender.gravityzone.response_action_info
  - module: bitdefender.gravityzone.similar_emails_info
  - module: bitdefender.gravityzone.api_key_info
"""

EXAMPLES = r"""
- name: Disable a compromised Microsoft 365 account and wait until GravityZone confirms
  bitdefender.gravityzone.response_action:
    action: disable_user_m365
    username: "jane.doe@example.com"
    incident_id: "6912740188df334ddbfb7d90"
    wait: true
    wait_timeout: 300
  register: disabled

- name: Report the action
  ansible.builtin.debug:
    msg: "{{ disabled.action_id }} ended as {{ disabled.action.status_name }}"

# The API has no idempotency key. Record the ID of a created action (here in
# a fact, in AWX with set_stats, or in the ticket). Create only when there is
# none, so that a re-run follows the first action instead of adding one.
- name: Reset the credentials unless this incident already has a reset
  bitdefender.gravityzone.response_action:
    action: reset_credentials_m365
    username: "jane.doe@example.com"
    incident_id: "6912740188df334ddbfb7d90"
  register: reset
  when: recorded_reset_id is not defined

- name: Remember the reset for later runs
  ansible.builtin.set_fact:
    recorded_reset_id: "{{ reset.action_id }}"
  when: recorded_reset_id is not defined

# In check mode the create returns action_id null, so the chain skips the read.
- name: Follow the reset, whichever run created it
  bitdefender.gravityzone.response_action_info:
    action_id: "{{ recorded_reset_id }}"
    wait: true
  when: not ansible_check_mode
"""

RETURN = r"""
action_id:
  description:
    - ID of the new action. Null in check mode.
    - Also returned when the wait that follows fails.
  returned: always
  type: str
  sample: "6560a95884f89d6eca0b61b1"
action:
  description:
    - The status of the action as last read, with the keys that M(bitdefender.gravityzone.response_action_info)
      returns for each action.
  returned: when O(wait=true) and the action was read
  type: dict
  sample: {"id": "6560a95884f89d6eca0b61b1", "status": 4, "status_name": "execution_success", "terminal": true, "succeeded": true}
terminal:
  description: Whether the action is final.
  returned: when O(wait=true)
  type: bool
  sample: true
succeeded:
  description: Whether the action succeeded.
  returned: when O(wait=true)
  type: bool
  sample: true
needs_attention:
  description: Whether the action needs someone to act outside GravityZone.
  returned: when O(wait=true)
  type: bool
  sample: false
open_ids:
  description: The action ID while it is not final, otherwise empty.
  returned: when O(wait=true)
  type: list
  elements: str
  sample: []
unsuccessful_ids:
  description: The action ID when it is final but did not succeed, otherwise empty.
  returned: when O(wait=true)
  type: list
  elements: str
  sample: []
needs_attention_ids:
  description: The action ID when it has status C(external_action_needed), otherwise empty.
  returned: when O(wait=true)
  type: list
  elements: str
  sample: []
actions:
  description: The action of RV(action) in a list, for symmetry with M(bitdefender.gravityzone.response_action_info).
  returned: when O(wait=true)
  type: list
  elements: dict
retryable:
  description:
    - Whether running the wait again could change the result. False when the create itself failed, because a create is
      never repeated blindly.
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.actions import ACTION_TYPES, ParameterError, create_action, create_params
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, GravityZoneError
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.module_support import (
    CONNECTION_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
    client_from_module,
)
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import ActionIdError, StatusReader, validate_wait_options

PARAMETER_OPTIONS = ("username", "email_id", "incident_id", "integration_identifiers", "targets", "file_url")


def checked_params(module):
    """Return the API params for the task, or fail it before any request."""
    problem = None
    try:
        params = create_params(module.params["action"], dict((name, module.params[name]) for name in PARAMETER_OPTIONS))
        if module.params["wait"]:
            validate_wait_options(module.params["wait_timeout"], module.params["wait_sleep"])
    except (ParameterError, ActionIdError) as exc:
        problem = str(exc)
    if problem is not None:
        module.fail_json(msg=problem, changed=False, action_id=None, retryable=False)
    return params


def main():
    argument_spec = dict(
        action=dict(type="str", required=True, choices=sorted(ACTION_TYPES, key=ACTION_TYPES.get)),
        username=dict(type="raw"),
        email_id=dict(type="raw"),
        incident_id=dict(type="raw"),
        integration_identifiers=dict(type="dict"),
        targets=dict(type="raw"),
        file_url=dict(type="raw"),
    )
    argument_spec.update(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    params = checked_params(module)
    client = client_from_module(module, failure_result=dict(changed=False, action_id=None, retryable=False))
    if module.check_mode:
        module.exit_json(changed=True, action_id=None, retryable=True)

    problem = None
    try:
        action_id = create_action(client, module.params["action"], params)
    except GravityZoneError as error:
        problem = error
    if problem is not None:
        client.close()
        module.fail_json(msg=problem.message, changed=False, action_id=None, retryable=False)

    result = dict(changed=True, action_id=action_id, retryable=True)
    if module.params["wait"]:
        outcome = StatusReader(client).wait([action_id], wait_timeout=module.params["wait_timeout"],
                                            wait_sleep=module.params["wait_sleep"],
                                            wait_on_external_action=module.params["wait_on_external_action"])
        result.update(outcome.summary())
        result["action"] = outcome.actions.get(action_id)
        result["retryable"] = outcome.retryable
        for warning in outcome.warnings:
            module.warn(warning)
        failure = outcome.failure_message()
        if failure is not None:
            client.close()
            module.fail_json(msg="Created response action %r, but the wait failed: %s" % (action_id, failure), **result)
    client.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
