#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: response_action_info
short_description: Read the status of GravityZone response actions, and optionally wait for them
version_added: 0.1.0
description:
  - Reads the status of one or more GravityZone response actions with the C(getResponseActionStatus) API method and
    returns normalised facts for each, such as the status name, whether it is final, whether it succeeded, the error
    details and the outcome of a C(delete_similar_emails_m365) action.
  - With O(wait=true) it polls inside one task until every action is final, reading only the actions still open in
    each round, at most 9 requests per second per task.
  - Without O(wait), a pending or failed action is data, not a task failure. The task fails only when a status could
    not be read.
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
    details: The module only reads, so check mode reads as usual.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  action_group:
    description: Use C(group/bitdefender.gravityzone.gravityzone) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - bitdefender.gravityzone.gravityzone
options:
  action_id:
    description:
      - ID of one response action, as returned by C(createResponseAction).
      - Any non-empty string without surrounding whitespace. Quote it in YAML, because an unquoted ID such as
        C(0123456701234567) is read as a number; numbers are rejected.
      - Exactly one of O(action_id) and O(action_ids) is required.
    type: raw
  action_ids:
    description:
      - IDs of several response actions. RV(actions) keeps this order.
      - At most 1000 IDs, each given once. Split longer lists, for example with the C(batch) filter.
    type: list
    elements: raw
  wait:
    description:
      - Whether to poll until every action is final.
      - The task fails when O(wait_timeout) passes, naming the actions still open, and when an action ends without
        succeeding, naming it with its status and error description. All return values are set in both cases.
      - Transient faults (timeouts, HTTP 429 and 5xx, dropped connections) are absorbed until the deadline; a permanent
        error (authentication, permission, an action ID the API rejects) fails at once.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait in total with O(wait=true), request retries included.
    type: float
    default: 600
  wait_sleep:
    description:
      - Seconds from the start of one polling round to the start of the next with O(wait=true).
      - When a round takes longer (many actions at 9 requests per second), the next one starts at once.
    type: float
    default: 5
  wait_on_external_action:
    description:
      - With O(wait=true), whether to keep waiting while an action has status C(external_action_needed), until it is
        C(done_externally) or otherwise final.
      - When V(false), C(external_action_needed) ends the wait, and the task fails because the action did not succeed.
    type: bool
    default: false
notes:
  - Status C(external_action_needed) (7) counts as final, because GravityZone cannot go on without someone acting
    outside it. It may later turn into C(done_externally) (8).
  - RV(retryable) lets an C(until) loop stop on permanent errors, see the examples. The module never returns
    C(attempts); that key belongs to C(until).
  - The API allows 10 requests per second per key, shared by every task and playbook that uses the key.
seealso:
  - plugin: bitdefender.gravityzone.response_action
    plugin_type: lookup
    description: The same read from templates and C(until) conditions.
"""

EXAMPLES = r"""
- name: Read one response action
  bitdefender.gravityzone.response_action_info:
    base_url: "{{ gravityzone_base_url }}"
    api_key: "{{ gravityzone_api_key }}"
    action_id: "6912758f88df334ddbfb7e1a"
  register: status

- name: Report it
  ansible.builtin.debug:
    msg: "{{ status.action.type_name }} is {{ status.action.status_name }}"

- name: Wait with until, stopping at once on a permanent error
  bitdefender.gravityzone.response_action_info:
    action_id: "6912758f88df334ddbfb7e1a"
  register: status
  until: status.terminal or not status.retryable
  retries: 60
  delay: 5

- name: Wait for several actions in one task, polling only those still open
  bitdefender.gravityzone.response_action_info:
    action_ids:
      - "6912758f88df334ddbfb7e1a"
      - "65a1f0c2e4b0a1b2c3d4e5f6"
    wait: true
    wait_timeout: 900
    wait_sleep: 10
  register: containment

- name: Branch on the outcome without failing the play
  bitdefender.gravityzone.response_action_info:
    action_ids: "{{ containment_action_ids }}"
  register: check

- name: Escalate the actions that need someone outside GravityZone
  ansible.builtin.debug:
    msg: "Escalate {{ check.needs_attention_ids | join(', ') }}"
  when: check.needs_attention

- name: Set the connection once for every module of the collection
  module_defaults:
    group/bitdefender.gravityzone.gravityzone:
      base_url: "{{ gravityzone_base_url }}"
      api_key: "{{ gravityzone_api_key }}"
  block:
    - name: Read in check mode too, because the module only reads
      bitdefender.gravityzone.response_action_info:
        action_id: "6912758f88df334ddbfb7e1a"
      check_mode: true
"""

RETURN = r"""
actions:
  description:
    - One dict per action that was read, in the order asked for.
    - When a read fails, the actions read before it.
  returned: always
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
      description:
        - Name of the action type, or C(unknown) for a value this collection does not know (with a warning).
        - One of C(reset_credentials_m365) (1), C(reset_credentials_ad) (2), C(disable_user_m365) (3),
          C(disable_user_ad) (4), C(mark_compromised_m365) (5), C(delete_email_m365) (6), C(disable_user_google) (8),
          C(reset_credentials_google) (9), C(delete_file_m365) (10), C(delete_similar_emails_m365) (11),
          C(disable_user_aws) (12), C(unknown).
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
          or C(unknown) for a value this collection does not know (with a warning).
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
      description: When the action was created, as the API sent it (no time zone).
      type: str
      sample: "2023-08-06T23:43:27"
    generated_on_utc:
      description: RV(actions[].generated_on) as ISO 8601 in UTC with an explicit offset; null when the API value cannot be parsed.
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
        - Only for C(delete_similar_emails_m365) (type 11) actions; null otherwise.
        - A list missing from the API reply reads as an empty list.
      type: dict
      contains:
        succeeded_ids:
          description: E-mails deleted.
          type: list
          elements: str
        failed_retriable_ids:
          description: E-mails not deleted for a reason that a new action may overcome, such as missing permissions.
          type: list
          elements: str
        failed_permanent_ids:
          description: E-mails not deleted for a permanent reason, such as the e-mail no longer existing.
          type: list
          elements: str
        errors:
          description: One entry per error, with C(error_code), C(error_message) and C(count) (number of e-mails).
          type: list
          elements: dict
      sample:
        succeeded_ids: ["AAMkAGI2TG93AAB=", "AAMkAGI2TG93AAC="]
        failed_retriable_ids: []
        failed_permanent_ids: ["AAMkAGI2TG93AAD="]
        errors: [{"error_code": 404, "error_message": "Message not found", "count": 1}]
    raw:
      description: The API's result object unchanged, so that fields added to the API later are not lost.
      type: dict
      sample: {"type": 3, "status": 4, "generatedOn": "2023-08-06T23:43:27"}
action:
  description:
    - The single dict of RV(actions) when O(action_id) was used; null when it could not be read.
  returned: when O(action_id) is set
  type: dict
  sample: {"id": "6912758f88df334ddbfb7e1a", "status": 4, "status_name": "execution_success", "terminal": true, "succeeded": true}
terminal:
  description: Whether every action was read and is final. False when any read failed.
  returned: always
  type: bool
  sample: true
succeeded:
  description: Whether every action was read and succeeded. False when any read failed.
  returned: always
  type: bool
  sample: true
needs_attention:
  description: Whether any action needs someone to act outside GravityZone. False when any read failed.
  returned: always
  type: bool
  sample: false
open_ids:
  description: IDs of the actions not known to be final, unread ones included, in the order asked for.
  returned: always
  type: list
  elements: str
  sample: ["65a1f0c2e4b0a1b2c3d4e5f6"]
unsuccessful_ids:
  description: IDs of the actions that are final but did not succeed (statuses 5, 6 and 7).
  returned: always
  type: list
  elements: str
  sample: []
needs_attention_ids:
  description: IDs of the actions with status C(external_action_needed).
  returned: always
  type: list
  elements: str
  sample: []
retryable:
  description:
    - Whether reading again could change the result. True after a successful read, a timeout, HTTP 429 or 5xx and
      connection errors. False after a permanent error such as a rejected key, a missing permission, an action ID the
      API rejects or a console without response actions.
    - Use it in C(until) so that retries stop at once on a permanent error.
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.module_support import (
    CONNECTION_ARGUMENT_SPEC,
    WAIT_ARGUMENT_SPEC,
    client_from_module,
)
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import (
    ActionIdError,
    StatusReader,
    validate_action_ids,
    validate_wait_options,
)


def unread_result(module):
    """Return the result keys of a task that failed before reading anything.

    They are all present so that an until: condition such as
    "status.terminal or not status.retryable" can be evaluated. retryable is
    false because the same arguments fail the same way.
    """
    result = dict(changed=False, retryable=False, actions=[], terminal=False, succeeded=False, needs_attention=False,
                  open_ids=[], unsuccessful_ids=[], needs_attention_ids=[])
    if module.params["action_id"] is not None:
        result["action"] = None
    return result


def validated_ids(module):
    """Return the action IDs as a list, or fail the task before any request."""
    single = module.params["action_id"] is not None
    problem = None
    try:
        if single:
            action_ids = validate_action_ids([module.params["action_id"]], option="action_id")
        else:
            action_ids = validate_action_ids(module.params["action_ids"], option="action_ids")
        if module.params["wait"]:
            validate_wait_options(module.params["wait_timeout"], module.params["wait_sleep"])
    except ActionIdError as exc:
        problem = str(exc)
    if problem is not None:
        module.fail_json(msg=problem, **unread_result(module))
    return action_ids


def main():
    argument_spec = dict(
        action_id=dict(type="raw"),
        action_ids=dict(type="list", elements="raw"),
    )
    argument_spec.update(CONNECTION_ARGUMENT_SPEC)
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    module = AnsibleModule(
        argument_spec=argument_spec,
        mutually_exclusive=[("action_id", "action_ids")],
        required_one_of=[("action_id", "action_ids")],
        supports_check_mode=True,
    )
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    action_ids = validated_ids(module)
    client = client_from_module(module, failure_result=unread_result(module))
    reader = StatusReader(client)

    params = module.params
    if params["wait"]:
        outcome = reader.wait(action_ids, wait_timeout=params["wait_timeout"], wait_sleep=params["wait_sleep"],
                              wait_on_external_action=params["wait_on_external_action"])
    else:
        outcome = reader.read(action_ids)
    client.close()

    result = dict(changed=False, retryable=outcome.retryable)
    result.update(outcome.summary())
    if params["action_id"] is not None:
        result["action"] = outcome.actions.get(action_ids[0])
    for warning in outcome.warnings:
        module.warn(warning)

    failure = outcome.failure_message()
    if failure is not None:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
