# Stand-in for the get-pip bootstrap script ansible-test downloads from a host that a
# closed network does not reach. It seeds pip from the interpreter's own ensurepip, then
# installs the pip version ansible-test asked for from the configured package index.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
