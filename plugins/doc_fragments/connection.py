# -*- coding: utf-8 -*-
# Copyright (c) bitdefender.gravityzone contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every module and plugin of the collection.

    Modules use DOCUMENTATION, which names the GRAVITYZONE_* fallbacks in
    prose, because validate-modules rejects env, vars and ini keys in module
    docs. Lookup plugins use PLUGINS, which declares those sources.
    """

    DOCUMENTATION = r"""
options:
  base_url:
    description:
      - Access URL of the API key, as shown in the GravityZone console under B(My Account > Control Center API),
        for example V(https://cloud.gravityzone.bitdefender.com/api).
      - V(https://HOST), V(https://HOST/api), V(https://HOST/api/) and the full endpoint
        V(https://HOST/api/v1.0/jsonrpc/incidents) all reach the same API.
      - Plain V(http://) is rejected unless the host is a loopback address, because the key would cross the network in clear text.
      - Required. If not set, the value of the E(GRAVITYZONE_BASE_URL) environment variable is used.
    type: str
  api_key:
    description:
      - GravityZone API key. The key must have the B(Incidents API) enabled.
      - It is sent with HTTP Basic authentication and never appears in results, warnings or error messages.
      - Required. If not set, the value of the E(GRAVITYZONE_API_KEY) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to check the TLS certificate of the API server.
      - Set O(ca_path) for a private CA instead of turning this off. V(false) is for tests only and gives a warning.
      - If not set, the value of the E(GRAVITYZONE_VALIDATE_CERTS) environment variable is used, then V(true).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file or directory of CA certificates used to verify the API server, for example a TLS-inspecting proxy's CA.
        A directory needs the OpenSSL hash links that C(openssl rehash) or C(c_rehash) creates.
      - When set, it wins over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE). When not set and O(validate_certs=true),
        those variables are honoured as in every requests-based tool, and otherwise the CA bundle of C(certifi) is used.
      - If not set, the value of the E(GRAVITYZONE_CA_PATH) environment variable is used. An empty value counts as not set.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request (connect and read) before it counts as timed out.
      - If not set, the value of the E(GRAVITYZONE_TIMEOUT) environment variable is used, then V(30).
    type: float
    default: 30
  request_retries:
    description:
      - Extra attempts for one request after a transient fault on a read. HTTP 429 waits as its C(Retry-After) header says,
        never past the deadline of a running wait; HTTP 502, 503, 504, connection errors and read timeouts back off
        exponentially (0, 1, 2, 4 seconds, and so on).
      - V(0) turns retries off.
      - If not set, the value of the E(GRAVITYZONE_REQUEST_RETRIES) environment variable is used, then V(3).
    type: int
    default: 3
notes:
  - Proxies come from the standard E(HTTPS_PROXY) and E(NO_PROXY) environment variables of the process that runs the task.
  - Response actions are a GravityZone Cloud feature. An on-premises console does not offer them and answers
    C(Method not found).
  - Where settings reach. C(module_defaults) and a task's C(environment) reach modules only. The controller's environment,
    which is where AWX and Automation Platform inject credentials, reaches modules that run on C(localhost) too.
"""

    PLUGINS = r"""
options:
  base_url:
    description:
      - Access URL of the API key, as shown in the GravityZone console under B(My Account > Control Center API),
        for example V(https://cloud.gravityzone.bitdefender.com/api).
      - V(https://HOST), V(https://HOST/api), V(https://HOST/api/) and the full endpoint
        V(https://HOST/api/v1.0/jsonrpc/incidents) all reach the same API.
      - Plain V(http://) is rejected unless the host is a loopback address, because the key would cross the network in clear text.
      - Required.
    type: str
    env:
      - name: GRAVITYZONE_BASE_URL
    vars:
      - name: gravityzone_base_url
    ini:
      - section: gravityzone
        key: base_url
  api_key:
    description:
      - GravityZone API key. The key must have the B(Incidents API) enabled.
      - It is sent with HTTP Basic authentication and never appears in results, warnings or error messages.
      - Required.
    type: str
    env:
      - name: GRAVITYZONE_API_KEY
    vars:
      - name: gravityzone_api_key
    ini:
      - section: gravityzone
        key: api_key
  validate_certs:
    description:
      - Whether to check the TLS certificate of the API server.
      - Set O(ca_path) for a private CA instead of turning this off. V(false) is for tests only and gives a warning.
      - V(true), V(false), or their usual string forms (V(yes), V(no), V(on), V(off), V(1), V(0)). Any other value is
        rejected rather than read as V(false).
    type: raw
    default: true
    env:
      - name: GRAVITYZONE_VALIDATE_CERTS
    vars:
      - name: gravityzone_validate_certs
    ini:
      - section: gravityzone
        key: validate_certs
  ca_path:
    description:
      - PEM file or directory of CA certificates used to verify the API server, for example a TLS-inspecting proxy's CA.
        A directory needs the OpenSSL hash links that C(openssl rehash) or C(c_rehash) creates.
      - When set, it wins over E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE). When not set and O(validate_certs=true),
        those variables are honoured as in every requests-based tool, and otherwise the CA bundle of C(certifi) is used.
      - C(~) and environment variables in the path are expanded. An empty value counts as not set.
    type: str
    env:
      - name: GRAVITYZONE_CA_PATH
    vars:
      - name: gravityzone_ca_path
    ini:
      - section: gravityzone
        key: ca_path
  timeout:
    description:
      - Seconds to wait for each HTTP request (connect and read) before it counts as timed out.
    type: float
    default: 30
    env:
      - name: GRAVITYZONE_TIMEOUT
    vars:
      - name: gravityzone_timeout
    ini:
      - section: gravityzone
        key: timeout
  request_retries:
    description:
      - Extra attempts for one request after a transient fault. HTTP 429 waits as its C(Retry-After) header says,
        never past the deadline of a running wait; HTTP 502, 503, 504, connection errors and read timeouts back off
        exponentially (0, 1, 2, 4 seconds, and so on).
      - V(0) turns retries off.
    type: int
    default: 3
    env:
      - name: GRAVITYZONE_REQUEST_RETRIES
    vars:
      - name: gravityzone_request_retries
    ini:
      - section: gravityzone
        key: request_retries
notes:
  - Proxies come from the standard E(HTTPS_PROXY) and E(NO_PROXY) environment variables of the controller process.
  - Response actions are a GravityZone Cloud feature. An on-premises console does not offer them and answers
    C(Method not found).
  - Where settings reach. C(gravityzone_*) variables reach the lookup only; the controller's environment, which is where
    AWX and Automation Platform inject credentials, reaches both the lookup and modules that run on C(localhost).
"""
