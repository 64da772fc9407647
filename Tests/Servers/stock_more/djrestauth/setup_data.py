"""The tests' users: run with `manage.py shell < setup_data.py`."""
from django.contrib.auth.models import User

User.objects.create_user("alice", "alice@example.test", "alice-password-1")
