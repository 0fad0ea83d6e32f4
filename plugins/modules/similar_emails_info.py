#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: similar_emails_info
short_description: List the e-mails similar to a reference e-mail in GravityZone
version_added: 0.1.0
description:
  - Reads every page of C(getSimilarEmails) for a reference e-mail and returns the similar e-mails with snake_case
    keys, ready to choose the O(bitdefender.gravityzone.response_action#module:targets) of a
    C(delete_similar_emails_m365) action.
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
  email_id:
    description:
      - ID of the reference e-mail, as a string. A value that YAML reads as a number is rejected, not converted.
    type: raw
    required: true
  per_page:
    description:
      - E-mails asked for per request, from 1 to 1000. Larger pages mean fewer requests.
    type: int
    default: 1000
  max_emails:
    description:
      - Stop reading after this many e-mails; V(0) reads them all. RV(total) still reports how many exist.
    type: int
    default: 0
notes:
  - The task fails only when a page cannot be read. Each page is one request, paced with the other requests of the
    task at 9 per second.
seealso:
  - module: bitdefender.gravityzone.response_action
"""

EXAMPLES = r"""
- name: List the copies of a phishing e-mail
  bitdefender.gravityzone.similar_emails_info:
    email_id: "6912739a88df334ddbfb7d41"
  register: similar

- name: Show how many there are
  ansible.builtin.debug:
    msg: "{{ similar.total }} similar e-mails, {{ similar.emails | map(attribute='user_email') | unique | length }} mailboxes"
"""

RETURN = r"""
emails:
  description:
    - The similar e-mails, in the order the API returned them. Each API field is kept with its name in snake_case
      (C(_id) becomes C(id), C(similarityHash) becomes C(similarity_hash)).
  returned: success
  type: list
  elements: dict
  sample: [{"id": "6912739a88df334ddbfb7d42", "company_id": "64b7d2f0c9e1a30012f4b6d8", "similarity_hash": "9f2c"}]
total:
  description: How many similar e-mails the API reports.
  returned: success
  type: int
  sample: 2345
pages:
  description: How many pages were read.
  returned: success
  type: int
  sample: 3
"""

import math
import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.bitdefender.gravityzone.plugins.module_utils.client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR, GravityZoneError
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.module_support import CONNECTION_ARGUMENT_SPEC, client_from_module
from ansible_collections.bitdefender.gravityzone.plugins.module_utils.reader import INCIDENTS_AREA

SIMILAR_METHOD = "getSimilarEmails"
MAX_PER_PAGE = 1000

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name):
    """Return name in snake_case; _id becomes id."""
    return _CAMEL_BOUNDARY.sub("_", name.lstrip("_")).lower()


def snake_case_keys(item):
    if not isinstance(item, dict):
        return item
    return dict((snake_case(key), value) for key, value in item.items())


def read_all_pages(client, email_id, per_page, max_emails):
    """Return (emails, total, pages), reading page after page until all are read.

    The page count is bounded by the total the first page reports, so that a
    server that keeps sending full pages cannot keep the task running.
    """
    emails = []
    total = 0
    last_page = 1
    page = 1
    while True:
        result = client.call(INCIDENTS_AREA, SIMILAR_METHOD, {"emailId": email_id, "page": page, "perPage": per_page})
        if not isinstance(result, dict) or not isinstance(result.get("emails"), list):
            raise GravityZoneError("%s for %r returned no list of e-mails on page %d; the API reply is malformed." % (SIMILAR_METHOD, email_id, page),
                                   retryable=True)
        if page == 1:
            reported = result.get("total")
            total = reported if isinstance(reported, int) and not isinstance(reported, bool) else len(result["emails"])
            last_page = max(1, int(math.ceil(total / float(per_page))))
        emails.extend(snake_case_keys(item) for item in result["emails"])
        if not result["emails"] or len(emails) >= total or page >= last_page or (max_emails and len(emails) >= max_emails):
            break
        page += 1
    if max_emails:
        emails = emails[:max_emails]
    return emails, total, page


def main():
    argument_spec = dict(
        email_id=dict(type="raw", required=True),
        per_page=dict(type="int", default=MAX_PER_PAGE),
        max_emails=dict(type="int", default=0),
    )
    argument_spec.update(CONNECTION_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)

    params = module.params
    if isinstance(params["email_id"], bool) or not isinstance(params["email_id"], str):
        module.fail_json(msg="email_id is %r, of type %s, not a string. Quote it in YAML." % (params["email_id"], type(params["email_id"]).__name__))
    if not params["email_id"].strip() or params["email_id"] != params["email_id"].strip():
        module.fail_json(msg="email_id %r is empty or has surrounding whitespace. Give the ID of the reference e-mail." % params["email_id"])
    if not 1 <= params["per_page"] <= MAX_PER_PAGE:
        module.fail_json(msg="per_page must be from 1 to %d, got %d." % (MAX_PER_PAGE, params["per_page"]))
    if params["max_emails"] < 0:
        module.fail_json(msg="max_emails must be 0 (all) or more, got %d." % params["max_emails"])

    client = client_from_module(module)
    problem = None
    try:
        emails, total, pages = read_all_pages(client, params["email_id"], params["per_page"], params["max_emails"])
    except GravityZoneError as error:
        problem = "Listing the e-mails similar to %r failed: %s" % (params["email_id"], error.message)
    client.close()
    if problem is not None:
        module.fail_json(msg=problem)
    module.exit_json(changed=False, emails=emails, total=total, pages=pages)


if __name__ == "__main__":
    main()
