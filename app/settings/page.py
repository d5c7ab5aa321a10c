"""The page at /app: the shell the store admin frames, and the content drawn for one shop.

Shop data is drawn only for a verified session token: the `id_token` of the first load,
or (under App Bridge, or on a language switch) a Bearer token on `/api/page`.
"""

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from app import clock
from app.automations import settings as automation_settings
from app.automations.registry import AUTOMATIONS
from app.customers import data_requests
from app.extensions import db
from app.pages import plain
from app.settings import activity, chart, imports, results, session_tokens, shop_settings
from app.settings.i18n import LANGUAGES, Words, language
from app.shops import app_config, grants, install
from app.shops import settings as shop_defaults
from app.shops.domains import store_url, valid_shop
from app.shops.models import Shop

bp = Blueprint("settings_page", __name__, static_folder="static", static_url_path="/settings/static")

#: Shopify's own App Bridge; the one script the page loads from elsewhere.
APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js"
#: Messages the page's script shows after an action.
SCRIPT_WORDS = (
    "saving",
    "saved",
    "error",
    "test_queued",
    "session_expired",
    "import_running",
    "import_done",
    "import_queued",
    "import_failed",
    "period_days",
    "period_day",
    "period_never",
    "scope_granted_toast",
    "scope_declined",
    "save_failed",
)


def _uses_app_bridge() -> bool:
    """Only a real Shopify admin has App Bridge; a sandbox store (another SHOPIFY_STORE_URL) does not."""
    return current_app.config["SHOPIFY_STORE_URL"] == "https://{shop}"


def _reopen_url(domain: str, locale: str) -> str:
    """The store's link to this app: the admin opens our App URL with a signed query and a fresh
    id_token (or, for a shop without the app, the install)."""
    return f"{store_url(current_app.config, domain)}/admin/apps/{current_app.config['SHOPIFY_API_KEY']}?" + urlencode(
        {"locale": locale}
    )


#: The App Bridge navigation menu (and, outside the admin, the page's own tabs): (words key, path).
#: A section whose page is not served by this app (yet) is left out rather than linked to a 404.
NAV = (("nav_automations", "/app"), ("nav_retention", "/app/retention"), ("nav_settings", "/app/settings"))


def _nav(section: str) -> list[dict]:
    served = {rule.rule for rule in current_app.url_map.iter_rules()}
    query = urlencode({k: v for k, v in request.args.items() if k in ("shop", "host", "locale", "embedded")})
    return [
        {"label": label, "path": path, "href": f"{path}?{query}", "current": path.rsplit("/", 1)[-1] == section}
        for label, path in NAV
        if path in served
    ]


@bp.get("/app/settings")
def settings_section():
    """The Settings entry of the navigation menu: the same page, opened at the shop-wide settings."""
    return app_page(section="settings")


@bp.get("/app/retention")
def retention_section():
    """The Retention entry of the navigation menu: the same page, opened on its retention panel."""
    return app_page(section="retention")


@bp.get("/app")
def app_page(section: str = "app"):
    domain = request.args.get("shop", "")
    if not valid_shop(domain):
        return plain("The shop parameter must be a *.myshopify.com domain.", 400)
    shop = db.session.scalar(db.select(Shop).where(Shop.domain == domain))
    locale = language(request.args.get("locale"), shop.locale if shop else None)
    words = Words(locale)
    token = request.args.get("id_token")
    if (shop is None or not shop.installed) and token:
        return _install_by_token_exchange(domain, token, locale)
    if shop is None or not shop.installed:
        # The store's own link to the app: it calls our App URL with a signed query, which starts
        # the install (we cannot: /auth/install needs the store's HMAC). Never a redirect we build.
        return _install_page(domain, locale)
    if not token:  # App Bridge (or the script's bounce through the store) brings a token
        return _shell(shop, locale, message=words("open_from_admin"), section=section)
    try:
        verified = session_tokens.shop_domain(token) == shop.domain  # the shop, installed, is loaded above
    except session_tokens.InvalidSession:
        verified = False
    if not verified:
        return _refused(shop, locale)
    return _shell(shop, locale, content=Markup(body(shop, locale)), token=token, section=section)


def _install_page(domain: str, locale: str, message: str | None = None) -> str:
    return render_template(
        "settings/install.html",
        words=Words(locale),
        locale=locale,
        domain=domain,
        install_url=_reopen_url(domain, locale),
        message=message,
    )


def _refused(shop: Shop | None, locale: str, status: int = 401):
    """A page for a session token we cannot take: it offers only to reopen the app from the store."""
    words = Words(locale)
    if shop is None:
        html = _install_page(request.args.get("shop", ""), locale, words("invalid_session"))
    else:
        html = _shell(shop, locale, message=words("invalid_session"), scripted=False)
    response = current_app.make_response((html, status))
    response.headers[session_tokens.RETRY_HEADER] = "1"
    return response


def _install_by_token_exchange(domain: str, token: str, locale: str):
    """Shopify-managed installation: Shopify installed the app and opens it with a session token,
    which we exchange for an expiring offline token; then the install goes on exactly as after the
    code grant. A token that is not Shopify's, or one the store refuses, stores nothing."""
    shop = db.session.scalar(db.select(Shop).where(Shop.domain == domain))
    try:
        if session_tokens.shop_domain(token) != domain:
            raise session_tokens.InvalidSession("the token is for another shop")
        grant = install.exchange_session_token(domain, token)
    except (session_tokens.InvalidSession, grants.TokenRefused):
        return _refused(shop, locale)
    except grants.InstallError:
        return _install_page(domain, locale, Words(locale)("install_unreachable")), 502
    shop = install.complete(domain, grant)
    return _shell(shop, locale, content=Markup(body(shop, locale)), token=token)


def _shell(
    shop: Shop,
    locale: str,
    *,
    content: Markup | None = None,
    message: str | None = None,
    token: str | None = None,
    scripted: bool = True,
    section: str = "app",
) -> str:
    """The document around the content. A page for a refused token gets no script: it only
    offers to reopen the app from the store."""
    words, bridge = Words(locale), _uses_app_bridge()
    script = {
        "shop": shop.domain,
        "locale": locale,
        "idToken": token,
        "reopenUrl": _reopen_url(shop.domain, locale),
        "appBridge": bridge,
        # Templates with {placeholders}: the script fills them in.
        "words": {key: words.messages[key] for key in SCRIPT_WORDS},
    }
    return render_template(
        "settings/page.html",
        words=words,
        locale=locale,
        content=content,
        message=message,
        config_json=script if scripted else None,
        reopen_url=script["reopenUrl"],
        app_bridge=APP_BRIDGE if bridge else None,
        nav=_nav(section),
        section=section,
    )


def _form_order(fields: list[dict]) -> list[dict]:
    """Timing first, then subject and discount, as a merchant reads the card; the switch is apart."""
    common = ("subject", "discount_percent")
    own = [f for f in fields if f["name"] not in common and f["name"] != "enabled"]
    return own[:1] + [f for f in fields if f["name"] in common] + own[1:]


def _chart(shop: Shop, words: Words, color: str) -> Markup | None:
    """The daily bars, or None before the first email: an empty chart says less than no chart."""
    days = results.daily_sent(shop.id)
    return chart.bars(days, words("chart_label"), color) if any(sent for _, sent in days) else None


def _panel(automation, shop: Shop, locale: str) -> dict | None:
    """An automation's own block on its card (`Automation.panel_template`), or None."""
    if not automation.panel_template:
        return None
    values = automation.panel(shop, locale)
    return None if values is None else {"template": automation.panel_template, "values": values}


def body(shop: Shop, locale: str) -> str:
    """Everything the merchant sees for `shop`, in `locale`, as an HTML fragment."""
    words = Words(locale)
    cards = [
        {
            "key": key,
            "title": AUTOMATIONS[key].title.get(locale) or key,
            "values": automation_settings.as_json(shop, key),
            "fields": _form_order(automation_settings.fields(key, shop)),
            "steps": automation_settings.steps(key),
            "panel": _panel(AUTOMATIONS[key], shop, locale),
        }
        for key in AUTOMATIONS
    ]
    rows = results.per_automation(shop.id, list(AUTOMATIONS))
    settings = shop_defaults.effective(shop)
    return render_template(
        "settings/body.html",
        words=words,
        locale=locale,
        languages=LANGUAGES,
        shop=shop,
        cards=cards,
        results=rows,
        titles={card["key"]: card["title"] for card in cards},
        chart=_chart(shop, words, settings["accent_color"]),
        activity=activity.recent(shop.id, words, limit=20, zone=shop.timezone),
        progress=imports.progress(shop.id),
        settings=settings,
        profiles=shop_settings.PROFILES,
        iso=clock.iso,
        data_requests=data_requests.listed(shop.id, limit=50),
        access=_access(shop),
    )


def _access(shop: Shop) -> list[dict]:
    """The optional scopes of shopify.app.toml, granted or not, each with the link that asks for it
    outside App Bridge (the store's grant page; inside the admin the script asks App Bridge)."""
    granted = set((shop.scopes or "").split(","))
    store = store_url(current_app.config, shop.domain)
    return [
        {
            "name": scope,
            "granted": scope in granted,
            "request_url": f"{store}/admin/oauth/request_scopes?"
            + urlencode({"client_id": current_app.config["SHOPIFY_API_KEY"], "scope": scope}),
        }
        for scope in app_config.current(current_app.config).optional_scopes
    ]
