"""Expiring API tokens and the sign-in lockout (SPEC §4)."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework import authentication, exceptions

from ledger import clock
from ledger.errors import DomainError, ValidationFailed
from ledger.models import AccessLog, ApiToken, LoginFailure, User


class LockedOut(DomainError):
    status = 429
    code = "locked_out"
    default_detail = "登录失败次数过多，账号已临时锁定，请稍后再试"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_locked_out(username: str) -> bool:
    since = clock.now() - settings.LEDGER_LOCKOUT_WINDOW
    return LoginFailure.objects.filter(username=username, at__gte=since).count() >= settings.LEDGER_LOCKOUT_FAILURES


def sign_in(*, request, username: str, password: str) -> User:
    """Check credentials with the lockout; record failures outside the request transaction."""
    if not username or not password:
        fields = {}
        if not username:
            fields["username"] = ["必填"]
        if not password:
            fields["password"] = ["必填"]
        raise ValidationFailed("用户名和密码必填", fields=fields)
    if is_locked_out(username):
        raise LockedOut()
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username)
        raise DomainError("用户名或密码错误", code="invalid_credentials")
    LoginFailure.objects.filter(username=username).delete()
    AccessLog.objects.create(user=user, action="login", target="api-token")
    return user


def issue_token(user: User) -> tuple[str, ApiToken]:
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(key_hash=_hash(key), user=user, expires_at=clock.now() + settings.LEDGER_TOKEN_TTL)
    return key, token


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = ApiToken.objects.select_related("user").get(key_hash=_hash(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("令牌无效") from None
        if token.expires_at <= clock.now():
            raise exceptions.AuthenticationFailed("令牌已过期，请重新登录")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("账号已停用")
        return (token.user, token)
