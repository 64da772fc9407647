"""A Flask app made of Flask-JWT-Extended and Flask-Limiter, configured as their docs show.

Flask-JWT-Extended has no login view of its own: its "Basic Usage" page has the app check
the password and call create_access_token, and "Refreshing Tokens" adds a refresh token
and a refresh route that takes the refresh token as the Bearer credential
(`@jwt_required(refresh=True)`). "JWT Revoking / Blocklist" keeps revoked token ids (here
in memory: one process) and `DELETE /logout` revokes whichever token calls it
(`verify_type=False`): the answer to a revoked token is 401 "Token has been revoked".
Flask-Limiter (`RATELIMIT_HEADERS_ENABLED`) adds X-RateLimit-Limit/-Remaining/-Reset to
every limited answer and Retry-After to its 429, whose body is Flask's own HTML page.
Run: gunicorn -w 1 flask_jwt_app:app (one worker: the blocklist and counters are in memory)."""
import hmac
import os
from datetime import timedelta

from flask import Flask, jsonify, request
from flask_jwt_extended import (JWTManager, create_access_token, create_refresh_token, get_jwt, get_jwt_identity,
                                jwt_required)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "stock-more-test-only-not-a-secret-0123456789"
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(seconds=int(os.environ.get("FLASK_JWT_ACCESS_SECONDS", "300")))
app.config["RATELIMIT_HEADERS_ENABLED"] = True
jwt = JWTManager(app)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")

USERS = {"alice": "alice-password-1", "bob": "bob-password-2"}
BLOCKLIST = set()


@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header, jwt_payload):
    return jwt_payload["jti"] in BLOCKLIST


@app.route("/login", methods=["POST"])
def login():
    username = request.json.get("username", None)
    password = request.json.get("password", None)
    if username not in USERS or not hmac.compare_digest(USERS[username], password or ""):
        return jsonify({"msg": "Bad username or password"}), 401
    return jsonify(access_token=create_access_token(identity=username),
                   refresh_token=create_refresh_token(identity=username))


@app.route("/refresh", methods=["POST"])
@jwt_required(refresh=True)
def refresh():
    return jsonify(access_token=create_access_token(identity=get_jwt_identity()))


@app.route("/logout", methods=["DELETE"])
@jwt_required(verify_type=False)
def logout():
    token = get_jwt()
    BLOCKLIST.add(token["jti"])
    return jsonify(msg=f"{token['type'].capitalize()} token successfully revoked")


@app.route("/me")
@jwt_required()
@limiter.limit("100 per hour")
def me():
    return jsonify(username=get_jwt_identity())


@app.route("/limited")
@jwt_required()
@limiter.limit("1 per hour")
def limited():
    return jsonify(ok=True)
