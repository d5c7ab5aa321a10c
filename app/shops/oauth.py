"""Install: Shopify's authorization code grant, from the signed install link to the token."""

import secrets
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from itsdangerous import BadSignature

from app.extensions import db
from app.pages import plain
from app.security import same, timed_serializer
from app.shops import install
from app.shops.domains import store_url, valid_shop
from app.shops.models import Shop
from app.shops.verify import fresh, valid_query

bp = Blueprint("auth", __name__)

STATE_COOKIE = "comeback_oauth_state"
STATE_MAX_AGE = 600


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _checked_query() -> tuple[dict | None, tuple[str, int] | None]:
    """The install/callback query if its signature, age and shop are right; else an error response."""
    params = request.args.to_dict()
    if not valid_query(params, current_app.config["SHOPIFY_API_SECRET"]):
        return None, ("The request's signature is not valid.", 401)
    if not fresh(params.get("timestamp")):
        return None, ("The request has expired; open the app again from your Shopify admin.", 401)
    if not valid_shop(params.get("shop")):
        return None, ("That is not a Shopify store domain.", 400)
    return params, None


@bp.get("/")
def landing():
    """The App URL. With an `id_token` it is an app load (Shopify-managed installation opens the
    app this way, installed or not): the settings page answers it here, no redirect, since the
    token lives a minute. With `hmac` and no `id_token` it is the code-grant install; a bare
    visit gets the landing page."""
    if "shop" in request.args and "id_token" in request.args:
        return current_app.view_functions["settings_page.app_page"]()
    if "shop" in request.args and "hmac" in request.args:
        params, error = _checked_query()
        if error:
            return plain(*error)
        shop = db.session.scalar(db.select(Shop).where(Shop.domain == params["shop"]))
        if shop is not None and shop.installed:
            forwarded = {k: v for k, v in params.items() if k in ("shop", "host", "embedded", "id_token", "locale")}
            return redirect("/app?" + urlencode(forwarded))
        return _authorize(params)
    return render_template("pages/landing.html")


@bp.get("/auth/install")
def install_start():
    params, error = _checked_query()
    if error:
        return plain(*error)
    return _authorize(params)


def _authorize(params: dict):
    """Send the merchant to the store's consent screen; the state nonce rides in a signed cookie."""
    config = current_app.config
    nonce = secrets.token_urlsafe(24)
    query = urlencode(
        {
            "client_id": config["SHOPIFY_API_KEY"],
            "scope": ",".join(config["SHOPIFY_SCOPES"]),
            "redirect_uri": f"{config['APP_URL']}/auth/callback",
            "state": nonce,
        }
    )
    response = redirect(f"{store_url(config, params['shop'])}/admin/oauth/authorize?{query}")
    cookie = timed_serializer("oauth-state").dumps({"nonce": nonce, "shop": params["shop"]})
    response.set_cookie(
        STATE_COOKIE,
        cookie,
        max_age=STATE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=config["APP_URL"].startswith("https://"),
    )
    return response


@bp.get("/auth/callback")
def callback():
    params, error = _checked_query()
    if error:
        return plain(*error)
    try:
        state = timed_serializer("oauth-state").loads(request.cookies.get(STATE_COOKIE, ""), max_age=STATE_MAX_AGE)
    except BadSignature:
        return plain("The install session is missing or expired; start the install again.", 401)
    if not (same(state.get("nonce", ""), params.get("state", "")) and state.get("shop") == params["shop"]):
        return plain("The install session does not match this request; start the install again.", 401)
    try:
        grant = install.exchange_code(params["shop"], params.get("code", ""))
    except install.InstallError as failure:
        return plain(str(failure), 400)
    install.complete(params["shop"], grant)
    response = redirect("/app?" + urlencode({"shop": params["shop"], "host": params.get("host", "")}))
    response.delete_cookie(STATE_COOKIE)
    return response
