#!/usr/bin/env bash
# Installs what building, testing, the demo and the benchmark need, and only
# what is missing, so a second run costs a second. Debian packages and PyPI only.
set -euo pipefail

APT_PACKAGES=(libcurl4-openssl-dev libssl-dev libonig-dev jq less gnome-keyring libsecret-tools dbus keyutils curl zsh tmux hyperfine httpie python3-pip pass gnupg dpkg-dev lintian bash-completion man-db tinyproxy strace util-linux fish python3-dbus python3-gi acl libyaml-dev)
# Stock servers nobody here wrote (Tests/Servers/stock): DRF token auth, knox, simplejwt, django-oauth-toolkit;
# (Tests/Servers/stock_more): Flask-JWT-Extended with Flask-Limiter, Litestar, dj-rest-auth.
# django-oauth-toolkit 3.4's device endpoint fails with oauthlib 4 (PLATFORM-NOTES).
PIP_PACKAGES=(pytest pytest-xdist httpbin gunicorn oidc-provider-mock cryptography "moto[server]" awscli
              "django<6" djangorestframework django-rest-knox djangorestframework-simplejwt django-oauth-toolkit "oauthlib<4" jsonschema drf-spectacular fastapi uvicorn
              flask flask-jwt-extended flask-limiter litestar dj-rest-auth hypercorn)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# python3-pip is only needed when no pip comes with the python3 on PATH.
if python3 -m pip --version >/dev/null 2>&1; then
  missing=("${missing[@]/python3-pip}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

read -r -a pip_missing <<<"$(python3 - "${PIP_PACKAGES[@]}" <<'PY'
import importlib.metadata, re, sys
missing = []
for name in sys.argv[1:]:
    try:
        importlib.metadata.version(re.split(r"[\[<>=]", name)[0])
    except importlib.metadata.PackageNotFoundError:
        missing.append(name)
print(" ".join(missing))
PY
)"
if ((${#pip_missing[@]})); then
  echo "install-deps: pip install ${pip_missing[*]}" >&2
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${pip_missing[@]}"
fi
