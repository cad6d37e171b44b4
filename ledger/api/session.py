"""Sign-in for API clients: an expiring token, with the lockout."""

from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.api.auth import issue_token, sign_in
from ledger.api.base import ERRORS


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    role = serializers.CharField()


# Failed attempts must persist even though the response is an error, so this view manages its
# own transactions instead of the per-request one.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TokenView(APIView):
    manages_own_transactions = True
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=TokenInput,
        responses={200: TokenOutput, 400: ERRORS[400], 429: ERRORS[400]},
        summary="登录并获取有效期令牌",
    )
    def post(self, request):
        ser = TokenInput(data=request.data)
        ser.is_valid(raise_exception=True)
        user = sign_in(request=request, **ser.validated_data)
        key, token = issue_token(user)
        return Response(TokenOutput({"token": key, "expires_at": token.expires_at, "role": user.role}).data)
