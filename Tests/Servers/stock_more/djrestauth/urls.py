"""dj-rest-auth under /auth/ (login/, logout/, user/, token/refresh/); simplejwt's views under /jwt/."""
from django.urls import include, path
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

urlpatterns = [
    path("auth/", include("dj_rest_auth.urls")),
    path("jwt/token/", TokenObtainPairView.as_view()),
    path("jwt/token/refresh/", TokenRefreshView.as_view()),
    path("jwt/token/blacklist/", TokenBlacklistView.as_view()),
]
