"""Each stack under its own prefix, with a `me/` route that answers who the credential belongs to."""
from django.contrib.auth.models import User
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from knox import views as knox_views
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import generics, serializers
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.throttling import UserRateThrottle
from rest_framework.response import Response
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView


def me_view(*classes):
    @api_view(["GET"])
    @authentication_classes(list(classes))
    def me(request):
        user = request.user
        return Response({"id": user.id, "username": user.username, "email": user.email})
    return me


@api_view(["GET"])
@authentication_classes([OAuth2Authentication])
@permission_classes([AllowAny])
def dot_me(request):
    """Who an OAuth 2.0 token belongs to: its user, or only its client for client credentials."""
    if request.auth is None:
        return Response({"detail": "Authentication credentials were not provided."}, status=401)
    user = request.auth.user
    return Response({"username": user.username if user else None, "client_id": request.auth.application.client_id,
                     "scope": request.auth.scope})


class OncePerHour(UserRateThrottle):
    rate = "1/hour"


@api_view(["GET"])
@authentication_classes([TokenAuthentication])
@throttle_classes([OncePerHour])
def throttled(request):
    """DRF's own throttling: the second call in an hour is a 429 with Retry-After."""
    return Response({"ok": True})


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class OnePerPage(PageNumberPagination):
    page_size = 1


class Users(generics.ListAPIView):
    """DRF's own page-number pagination: {"count", "next", "previous", "results"}, next a full URL."""
    authentication_classes = [TokenAuthentication]
    queryset = User.objects.order_by("id")
    serializer_class = UserSerializer
    pagination_class = OnePerPage


class KnoxLoginView(knox_views.LoginView):
    """knox's docs: a LoginView may take any authentication; here an existing token or a password buys a new one."""
    authentication_classes = [KnoxTokenAuthentication, BasicAuthentication]


urlpatterns = [
    # Django REST framework: Authorization: Token KEY
    path("drf/api-token-auth/", obtain_auth_token),
    path("drf/me/", me_view(TokenAuthentication)),
    path("drf/throttled/", throttled),
    path("drf/users/", Users.as_view()),
    # django-rest-knox: logout revokes the token that calls it
    path("knox/login/", KnoxLoginView.as_view()),
    path("knox/logout/", knox_views.LogoutView.as_view()),
    path("knox/me/", me_view(KnoxTokenAuthentication)),
    # djangorestframework-simplejwt: {"username","password"} -> {"access","refresh"}
    path("jwt/token/", TokenObtainPairView.as_view()),
    path("jwt/token/refresh/", TokenRefreshView.as_view()),
    path("jwt/me/", me_view(JWTAuthentication)),
    # django-oauth-toolkit: /o/authorize/, /o/token/, /o/revoke_token/, /o/device-authorization/
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("dot/me/", dot_me),
    # drf-spectacular: the OpenAPI 3.0 description of the DRF routes above, as YAML
    path("schema/", SpectacularAPIView.as_view()),
]
