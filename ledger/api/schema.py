"""The OpenAPI generator: drf-spectacular's, plus the error envelope on every operation.

Any operation can answer with the envelope of SPEC §4 (a bad parameter, a missing token, another
tenant's id, a conflicting state), so the schema says so everywhere instead of relying on each
view to remember; clients and schemathesis then know every status the API can give.
"""

from drf_spectacular.openapi import AutoSchema

from ledger.api.base import ERRORS, ErrorOutput


class LedgerAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction)
        codes = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            codes[415] = ErrorOutput  # a body in a media type (or a multipart body) it cannot parse
        for code, serializer in codes.items():
            bodies.setdefault(
                str(code), self._get_response_for_code(serializer, str(code), ["application/json"], direction)
            )
        return bodies
