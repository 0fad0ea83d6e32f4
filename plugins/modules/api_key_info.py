#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: api_key_info
short_description: Check a GravityZone API key before any remediation
version_added: 0.1.0
description:
  - Calls C(getApiKeyDetails) and returns the API areas that the key may use, when it was created, and whether the
    Incidents API, which response actions need, is one of them.
  - Run it first in an incident-response playbook, so that a wrong key, a wrong Access URL or a missing permission stops
    the run before anything is changed.
author:
  - bitdefender.gravityzone contributors (!UNKNOWN)
requirements:
  - Python C(requests) 2.25 or later on the host that runs the task, usually C(localhost).
  - Any valid API key; C(getApiKeyDetails) belongs to the General API area.
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
  required_apis:
    description:
      - API areas that the key must have, for example V(Incidents). The task fails naming the missing ones.
      - Compared without regard to case.
    type: list
    elements: str
    default: []
notes:
  - The task fails only when the key cannot be checked (rejected key, wrong Access URL, network or TLS error) or when
    O(required_apis) names an area the key lacks.
seealso:
  - module: bitdefender.gravityzone.response_action
  - module: bitdefender.gravityzone.response_action_info
"""

EXAMPLES = r"""
- name: Stop before any remediation unless the key may use the Incidents API
  bitdefender.gravityzone.api_key_info:
    required_apis:
      - Incidents
  register: key

- name: Show what the key may do
  ansible.builtin.debug:
    msg: "Key created {{ key.created_at_utc }}; API areas: {{ key.enabled_apis | join(', ') }}"
"""

RETURN = r"""
enabled_apis:
  description: The API areas the key may use, as the API names them.
  returned: success
  type: list
  elements: str
  sample: ["Incidents", "Network", "Companies"]
incidents_api_enabled:
  description: Whether the Incidents API, which response actions need, is among RV(enabled_apis).
  returned: success
  type: bool
  sample: true
missing_apis:
  description: The entries of O(required_apis) that the key lacks.
  returned: success
  type: list
  elements: str
  sample: []
created_at:
  description: When the key was created, as the API sent it.
  returned: success
  type: str
  sample: "2024-03-05T10:11:12+00:00"
created_at_utc:
  description: RV(created_at) as ISO 8601 in UTC; null when it cannot be parsed.
  returned: success
  type: str
  sample: "2024-03-05T10:11:12+00:00"
raw:
  description: The API's result object unchanged.
  returned: success
  type: dict
  sample: {"enabledApis": ["Incidents"], "createdAt": "2024-03-05T10:11:12+00:00"}
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, GravityZoneError
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.module_support import CONNECTION_ARGUMENT_SPEC, client_from_module
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.status import parse_timestamp_utc

GENERAL_AREA = "general"
KEY_DETAILS_METHOD = "getApiKeyDetails"
INCIDENTS_API = "incidents"


def key_facts(details, required_apis):
    """Return the module result for a getApiKeyDetails result object."""
    enabled = details.get("enabledApis")
    enabled = [str(name) for name in enabled] if isinstance(enabled, list) else []
    enabled_lower = set(name.lower() for name in enabled)
    return dict(
        enabled_apis=enabled,
        incidents_api_enabled=INCIDENTS_API in enabled_lower,
        missing_apis=[name for name in required_apis if name.lower() not in enabled_lower],
        created_at=details.get("createdAt"),
        created_at_utc=parse_timestamp_utc(details.get("createdAt")),
        raw=details,
    )


def main():
    argument_spec = dict(required_apis=dict(type="list", elements="str", default=[]))
    argument_spec.update(CONNECTION_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    if any(not isinstance(name, str) or not name.strip() for name in module.params["required_apis"]):
        module.fail_json(msg="required_apis %r has an empty entry. Name each API area, for example Incidents." % (module.params["required_apis"],))

    client = client_from_module(module)
    problem = None
    try:
        details = client.call(GENERAL_AREA, KEY_DETAILS_METHOD, {})
    except GravityZoneError as error:
        problem = "Checking the API key failed: %s" % error.message
    client.close()
    if problem is not None:
        module.fail_json(msg=problem)
    if not isinstance(details, dict):
        module.fail_json(msg="%s returned %s instead of an object; the API reply is malformed." % (KEY_DETAILS_METHOD, type(details).__name__))

    result = key_facts(details, module.params["required_apis"])
    if result["missing_apis"]:
        module.fail_json(msg="The API key lacks the API area(s) %s; it has %s. Enable them for the key in the GravityZone "
                             "console (My Account > Control Center API), or use another key."
                             % (", ".join(result["missing_apis"]), ", ".join(result["enabled_apis"]) or "none"), **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
