# Sphinx configuration of the collection's docsite, which scripts/build-docs.sh
# builds. It started from the conf.py that `antsibull-docs sphinx-init`
# (antsibull-docs 2.28.0) writes, with two changes:
#
# - intersphinx reads no inventory from the internet, so the build works
#   offline. The generated plugin pages link to two labels of the Ansible
#   documentation (common_return_values and ansible_configuration_settings),
#   and scripts/build-docs.sh writes a local inventory with just those labels
#   to ansible_devel.inv in the build folder.
# - The project name and titles name this collection.

project = 'bitdefender.gravityzone'
copyright = 'bitdefender.gravityzone contributors'

title = 'bitdefender.gravityzone collection documentation'
html_short_title = 'bitdefender.gravityzone'

extensions = ['sphinx.ext.intersphinx', 'sphinx_antsibull_ext']

pygments_style = 'ansible'

highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False

display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

# The second element of each entry is the local inventory file, relative to
# the source folder that scripts/build-docs.sh passes to sphinx-build.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}

default_role = 'any'

nitpicky = True
