"""OpenAPI: describe our JWT authentication as simplejwt's Bearer scheme."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTScheme(SimpleJWTScheme):
    target_class = "apps.users.authentication.JWTAuthentication"
    name = "jwtAuth"
