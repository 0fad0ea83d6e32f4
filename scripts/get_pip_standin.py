"""Offline stand-in for the get-pip.py script that ansible-test downloads.

`ansible-test sanity --local` puts pip into each new linter virtual
environment by running a get-pip.py that it downloads from
ci-files.testing.ansible.com. Only a cached copy at
~/.ansible/test/cache/get_pip_<pip version with underscores>.py avoids the
download. A machine that reaches only the Python package index, or no
network at all (air-gapped users meet the same problem), fails every sanity
test without that copy. scripts/test.sh copies this file to each cache name
the pinned ansible-test versions ask for, unless a file is already there.

ansible-test runs the file as __main__ inside the new virtual environment
with get-pip's arguments, for example
    --disable-pip-version-check pip==23.1.2 setuptools==67.7.2 wheel==0.37.1
    --disable-pip-version-check pip==25.2 --no-setuptools --no-wheel
This stand-in installs the pip bundled with Python through ensurepip, then
installs the requested packages with that pip from the configured package
index (or from a local mirror that pip's own configuration names).
"""

import subprocess
import sys

# get-pip options that `pip install` does not know. Each one only stops
# get-pip from adding a package that was not requested, and this stand-in
# installs only the packages named on the command line anyway.
GET_PIP_ONLY_OPTIONS = frozenset(('--no-setuptools', '--no-wheel'))


def main():
    """Install pip with ensurepip, then pip-install the requested packages."""
    pip_args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    try:
        subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
    except subprocess.CalledProcessError as ex:
        sys.exit('ensurepip failed in %s (exit status %d). On Debian and Ubuntu, install the '
                 'python3-venv package for this Python.' % (sys.executable, ex.returncode))

    try:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + pip_args)
    except subprocess.CalledProcessError as ex:
        sys.exit('pip install %s failed (exit status %d). Check that the package index is '
                 'reachable, or that pip is configured to use a local mirror.' % (' '.join(pip_args), ex.returncode))


if __name__ == '__main__':
    main()
