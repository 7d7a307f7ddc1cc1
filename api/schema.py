"""What drf-spectacular needs to describe the API: the key as a bearer token."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.framework.KeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key the owner made (API keys page): "
            "Authorization: Bearer jxc_<prefix>_<secret>.",
        }
