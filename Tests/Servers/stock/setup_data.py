"""Users and an OAuth 2.0 application for the tests: run with `manage.py shell < setup_data.py`."""
from django.contrib.auth.models import User
from oauth2_provider.models import Application

User.objects.create_user("alice", "alice@example.test", "alice-password-1")
User.objects.create_user("bob", "bob@example.test", "bob-password-2")
Application.objects.create(client_id="stock-cli", name="apictl", client_type=Application.CLIENT_PUBLIC,
                           authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
                           redirect_uris="http://127.0.0.1:53682/callback", algorithm="",
                           user=User.objects.get(username="alice"))
Application.objects.create(client_id="stock-confidential", client_secret="stock-client-secret-9",
                           hash_client_secret=False, name="apictl service",
                           client_type=Application.CLIENT_CONFIDENTIAL,
                           authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
