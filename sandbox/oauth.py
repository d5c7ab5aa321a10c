"""Install: the authorization code grant, the consent page, token exchange and refresh.

Like Shopify, a granted scope drops `read_x` when `write_x` is granted (it is implied), and
the merchant may have edited the scope, so apps must check what they got.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, g, jsonify, redirect, render_template, request

from .models import ApiCall, AuthCode, Grant
from .web import load_shop, store

bp = Blueprint("oauth", __name__, url_prefix="/<shop>/admin/oauth")
bp.url_value_preprocessor(load_shop)

RESOURCES = (
    "orders",
    "all_orders",
    "customers",
    "products",
    "discounts",
    "content",
    "themes",
    "inventory",
    "fulfillments",
    "marketing_events",
    "price_rules",
    "script_tags",
    "checkouts",
    "locales",
)
KNOWN_SCOPES = {f"{mode}_{r}" for r in RESOURCES for mode in ("read", "write")} - {"write_all_orders"}
ACCESS_TOKEN_LIFETIME = timedelta(seconds=3600)
REFRESH_TOKEN_LIFETIME = timedelta(seconds=7776000)
CODE_LIFETIME = timedelta(minutes=10)
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


def query_hmac(params: dict, secret: str) -> str:
    """Hex HMAC-SHA256 of the sorted `k=v&...` query without `hmac`, as Shopify signs redirects."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def admin_host(shop) -> str:
    """The `host` parameter: base64 (no padding) of the shop's admin address."""
    return base64.b64encode(f"admin.shopify.com/store/{shop.shopname}".encode()).decode().rstrip("=")


def normalize_scope(scope: str) -> str:
    scopes = [s.strip() for s in scope.split(",") if s.strip()]
    return ",".join(dict.fromkeys(s for s in scopes if not (s.startswith("read_") and "write_" + s[5:] in scopes)))


def implied(scope: str | None) -> set[str]:
    """Every scope a grant allows, with the `read_x` implied by each `write_x`."""
    granted = {s for s in (scope or "").split(",") if s}
    return granted | {"read_" + s[6:] for s in granted if s.startswith("write_")}


def _refuse(message: str, status: int = 400):
    return render_template("oauth_error.html", shop=g.shop, message=message), status


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    """GET shows the consent page (or redirects at once when already granted); POST is the Install button."""
    s, shop, args = store(), g.shop, request.values
    if args.get("client_id") != s.api_key:
        return _refuse(
            "Oauth error invalid_request: Invalid API key or access token (unrecognized login or wrong password)"
        )
    redirect_uri = args.get("redirect_uri", "")
    if urlsplit(redirect_uri)[:2] != urlsplit(s.app_url)[:2]:
        return _refuse("Oauth error invalid_request: The redirect_uri is not whitelisted")
    scope = normalize_scope(args.get("scope", ""))
    unknown = [x for x in scope.split(",") if x and x not in KNOWN_SCOPES]
    if unknown:
        return _refuse(f"Oauth error invalid_scope: The access scope is invalid: {', '.join(unknown)}")
    already = shop.installed_scope is not None and implied(scope) <= implied(shop.installed_scope)
    if request.method == "GET" and not already:
        return render_template("authorize.html", shop=shop, scopes=scope.split(",") if scope else [])
    if request.method == "POST":
        scope = normalize_scope(args.get("scope_override", scope))
        shop.installed_scope = scope
    return redirect(_callback_url(shop, redirect_uri, scope, args.get("state", "")))


@bp.route("/request_scopes", methods=["GET", "POST"])
def request_scopes():
    """What App Bridge's `shopify.scopes.request([...])` opens: the merchant grants (or declines)
    optional scopes of the toml; a grant reaches every live token at once and the app hears of it
    by `app/scopes_update`. Then the admin opens the app again."""
    s, shop = store(), g.shop
    if s.app_config is None or shop.installed_scope is None:
        return _refuse("Oauth error invalid_request: The app is not installed with managed installation")
    if request.values.get("client_id") != s.api_key:
        return _refuse("Oauth error invalid_request: Invalid API key")
    asked = [x.strip() for x in request.values.get("scope", "").split(",") if x.strip()]
    not_optional = [x for x in asked if x not in s.app_config.optional_scopes]
    if not asked or not_optional:
        return _refuse(f"Oauth error invalid_scope: Not an optional scope of the app: {', '.join(not_optional) or '-'}")
    if request.method == "GET":
        return render_template("authorize.html", shop=shop, scopes=asked, optional=True)
    if request.form.get("decision") == "grant":
        grant_optional_scopes(shop, asked)
    return redirect(app_url_for(shop))


def grant_optional_scopes(shop, scopes: list[str]) -> None:
    s = store()
    with s.lock:
        previous = shop.installed_scope or ""
        current = normalize_scope(",".join([previous, *scopes]))
        shop.installed_scope = current
        s.set_scope(shop.domain, current)
    if current != previous:
        body = {
            "id": shop.id,
            "shop_id": shop.id,
            "previous": [x for x in previous.split(",") if x],
            "current": current.split(","),
            "updated_at": s.now().isoformat(timespec="seconds"),
        }
        shop.deliver("app/scopes_update", body)


def _callback_url(shop, redirect_uri: str, scope: str, state: str) -> str:
    s = store()
    code = secrets.token_hex(16)
    with s.lock:
        s.codes[code] = AuthCode(code, shop.domain, scope, s.now() + CODE_LIFETIME)
    params = {
        "code": code,
        "host": admin_host(shop),
        "shop": shop.domain,
        "state": state,
        "timestamp": str(int(s.now().timestamp())),
    }
    params["hmac"] = query_hmac(params, s.api_secret)
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{urlencode(sorted(params.items()))}"


@bp.post("/access_token")
def access_token():
    """Exchange a code, or a refresh token, for an access token. JSON or form bodies."""
    s, shop = store(), g.shop
    body = request.get_json(silent=True) or request.form.to_dict()
    grant_type = body.get("grant_type", "authorization_code")
    fault = shop.fault("access_token")
    if fault == "timeout":
        time.sleep(s.fault_sleep)
        return _answer(shop, grant_type, {"errors": "Gateway Timeout"}, 504)
    if fault == "500":
        return _answer(shop, grant_type, {"errors": "Internal Server Error"}, 500)
    if body.get("client_id") != s.api_key or body.get("client_secret") != s.api_secret:
        return _error(shop, grant_type, "Client authentication failed: unknown client_id or wrong client_secret.")
    with s.lock:
        if grant_type == "refresh_token":
            answer = _refresh(s, shop, body.get("refresh_token"))
        elif grant_type == TOKEN_EXCHANGE:
            answer = _token_exchange(s, shop, body)
            if isinstance(answer, tuple):  # (error, description): RFC 8693 names its own errors
                return _answer(shop, grant_type, {"error": answer[0], "error_description": answer[1]}, 400)
        else:
            answer = _exchange(s, shop, body.get("code"), str(body.get("expiring", "")).lower() in ("1", "true"))
    if isinstance(answer, str):
        return _error(shop, grant_type, answer)
    if fault == "bad_scope":  # the merchant's admin granted less than was asked
        answer["scope"] = ",".join(answer["scope"].split(",")[:-1])
        s.grants[answer["access_token"]].scope = answer["scope"]
    return _answer(shop, grant_type, answer, 200)


def _exchange(s, shop, code: str | None, expiring: bool) -> dict | str:
    c = s.codes.get(code or "")
    if c is None or c.used or c.shop != shop.domain or c.expires_at <= s.now():
        return "The authorization code was not found or was already used"
    c.used = True
    return _issue(s, shop, c.scope, expiring)


def _token_exchange(s, shop, body: dict) -> dict | tuple[str, str]:
    """Shopify-managed installation: a session token of an installed app becomes an offline token
    with the scopes the merchant granted (online tokens are not offered here)."""
    if body.get("subject_token_type") != ID_TOKEN_TYPE:
        return "invalid_request", "subject_token_type must be urn:ietf:params:oauth:token-type:id_token"
    if body.get("requested_token_type", OFFLINE_TOKEN_TYPE) != OFFLINE_TOKEN_TYPE:
        return "invalid_request", "Only offline access tokens are available in this sandbox"
    if not body.get("subject_token"):
        return "missing_subject_token", "The subject_token parameter is missing"
    claims = verify_session_token(s, body["subject_token"])
    if claims is None or claims.get("dest") != f"https://{shop.domain}":
        return "invalid_subject_token", "The session token is invalid, expired or for another shop"
    if shop.installed_scope is None:
        return "invalid_subject_token", "The app is not installed on this shop"
    return _issue(s, shop, shop.installed_scope, str(body.get("expiring", "")).lower() in ("1", "true"))


def _refresh(s, shop, refresh_token: str | None) -> dict | str:
    old = s.refresh_tokens.pop(refresh_token or "", None)
    if old is None or old.shop != shop.domain or old.refresh_expires_at <= s.now():
        return "The refresh token is invalid, expired or already used"
    grace = s.now() + timedelta(seconds=s.refresh_grace)
    old.expires_at = min(old.expires_at, grace) if old.expires_at else grace
    return _issue(s, shop, old.scope, expiring=True)


def _issue(s, shop, scope: str, expiring: bool) -> dict:
    grant = Grant(shop.domain, "shpat_" + secrets.token_hex(16), scope, None)
    s.grants[grant.access_token] = grant
    if not expiring:
        return {"access_token": grant.access_token, "scope": scope}
    grant.expires_at = s.now() + ACCESS_TOKEN_LIFETIME
    grant.refresh_token = "shprt_" + secrets.token_hex(16)
    grant.refresh_expires_at = s.now() + REFRESH_TOKEN_LIFETIME
    s.refresh_tokens[grant.refresh_token] = grant
    return {
        "access_token": grant.access_token,
        "scope": scope,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_in": int(REFRESH_TOKEN_LIFETIME.total_seconds()),
    }


def _error(shop, grant_type: str, description: str):
    return _answer(shop, grant_type, {"error": "invalid_request", "error_description": description}, 400)


def _answer(shop, grant_type: str, body: dict, status: int):
    with store().lock:
        shop.api_calls.append(
            ApiCall(
                store().now(),
                "oauth",
                f"access_token ({grant_type})",
                status,
                detail=body.get("error_description", body.get("scope", "")),
            )
        )
    return jsonify(body), status


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def session_token(shop) -> str:
    """The `id_token` App Bridge hands an embedded app: a 60-second HS256 JWT signed with the secret."""
    s = store()
    now = int(s.now().timestamp())
    claims = {
        "iss": f"https://{shop.domain}/admin",
        "dest": f"https://{shop.domain}",
        "aud": s.api_key,
        "sub": "1",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": secrets.token_hex(16),
        "sid": secrets.token_hex(16),
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in ({"alg": "HS256", "typ": "JWT"}, claims)
    )
    signature = hmac.new(s.api_secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_session_token(s, token: str) -> dict | None:
    """The claims of a session token this store signed for the app, or None (bad signature,
    wrong audience, expired or not yet valid; a few seconds of leeway, as Shopify allows)."""
    try:
        head, claims_part, signature = token.split(".")
        expected = hmac.new(s.api_secret.encode(), f"{head}.{claims_part}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            return None
        if json.loads(_b64url_decode(head)).get("alg") != "HS256":
            return None
        claims = json.loads(_b64url_decode(claims_part))
    except (ValueError, AttributeError):
        return None
    now = s.now().timestamp()
    if not isinstance(claims, dict) or claims.get("aud") != s.api_key:
        return None
    if not (claims.get("nbf", 0) - 10 <= now < claims.get("exp", 0) + 10):
        return None
    return claims


def managed_install(shop) -> None:
    """Shopify-managed installation: the store installs the app with the toml's scopes itself,
    "without making any calls to the app"; the app learns of it when it is opened."""
    s = store()
    with s.lock:
        if shop.installed_scope is None:
            shop.installed_scope = normalize_scope(s.app_config.scopes)


def app_url_for(shop) -> str:
    """Where the admin sends a merchant who opens the app: the App URL with a signed query."""
    s = store()
    params = {
        "embedded": "1",
        "host": admin_host(shop),
        "locale": shop.locale,
        "shop": shop.domain,
        "timestamp": str(int(s.now().timestamp())),
    }
    if shop.installed_scope is not None:
        params["id_token"] = session_token(shop)
    params["hmac"] = query_hmac(params, s.api_secret)
    return f"{s.app_url}/?{urlencode(sorted(params.items()))}"
