#!/bin/sh
# Creates bench/peers/.venv (gitignored) with the pinned peer baselines:
# scikit-learn (TF-IDF + LinearSVC) and fastText (fasttext-wheel, numpy<2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -c 'import sklearn, fasttext, numpy; print("peers ready: scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'
