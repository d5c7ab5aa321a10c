"""The app's installation (its granted scopes) and external marketing activities.

Shopify's Marketing page lists an app's activities (`marketingActivityUpsertExternal`, keyed by
the app's own `remoteId`) with the engagement figures the app reports per day
(`marketingEngagementCreate`, non-cumulative since `isCumulative` was deprecated). Both need
`write_marketing_events`. The sandbox keeps one engagement per activity and day, the latest.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .oauth import implied
from .resolvers import field, require

UTC_OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@field("Query", "currentAppInstallation")
def current_app_installation(_, info):
    ctx = info.context
    granted = sorted(implied(ctx.shop.installed_scope))
    return {
        "id": f"gid://shopify/AppInstallation/{ctx.shop.id}",
        "accessScopes": [{"handle": h, "description": h.replace("_", " ")} for h in granted],
    }


def _activity_gid(activity: dict) -> str:
    return f"gid://shopify/MarketingActivity/{activity['number']}"


@field("Query", "marketingActivity")
def marketing_activity(_, info, id):
    require(info, "read_marketing_events")
    return next((a for a in info.context.shop.marketing_activities.values() if _activity_gid(a) == id), None)


@field("Mutation", "marketingActivityUpsertExternal")
def marketing_activity_upsert_external(_, info, input):
    require(info, "write_marketing_events")
    ctx = info.context
    shop, now = ctx.shop, ctx.store.now()
    if not (input.get("utm") or input.get("urlParameterValue")):
        return _activity_error(["input"], "Either the UTM parameters or the URL parameter value must be provided")
    if not input["title"].strip():
        return _activity_error(["input", "title"], "Title can't be blank")
    with ctx.store.lock:
        activity = shop.marketing_activities.get(input["remoteId"])
        if activity is not None and input.get("utm") and activity["utmParameters"] != input["utm"]:
            return _activity_error(["input", "utm"], "UTM parameters cannot be modified")
        if activity is None:
            activity = {"number": ctx.store.next_id(), "createdAt": now, "isExternal": True, "engagements": {}}
            shop.marketing_activities[input["remoteId"]] = activity
        activity.update(
            {
                "title": input["title"],
                "status": input["status"],
                "tactic": input["tactic"],
                "marketingChannelType": input["marketingChannelType"],
                "utmParameters": input.get("utm") or activity.get("utmParameters"),
                "urlParameterValue": input.get("urlParameterValue"),
                "remoteUrl": input["remoteUrl"],
                "updatedAt": now,
            }
        )
        activity["id"] = _activity_gid(activity)
    return {"marketingActivity": activity, "userErrors": []}


def _activity_error(path, message):
    return {"marketingActivity": None, "userErrors": [{"field": path, "message": message}]}


@field("Mutation", "marketingEngagementCreate")
def marketing_engagement_create(
    _, info, marketingEngagement, marketingActivityId=None, remoteId=None, channelHandle=None
):
    require(info, "write_marketing_events")
    ctx, given = info.context, marketingEngagement
    if sum(x is not None for x in (marketingActivityId, remoteId, channelHandle)) != 1:
        return _engagement_error(None, "Exactly one of marketingActivityId, remoteId or channelHandle must be provided")
    if channelHandle is not None:
        return _engagement_error(["channelHandle"], "Channel handle is not recognized")
    activities = ctx.shop.marketing_activities
    if remoteId is not None:
        activity = activities.get(remoteId)
    else:
        activity = next((a for a in activities.values() if _activity_gid(a) == marketingActivityId), None)
    if activity is None:
        return _engagement_error(
            ["marketingActivityId" if remoteId is None else "remoteId"], "Marketing activity does not exist"
        )
    if not DATE.match(str(given["occurredOn"])) or not UTC_OFFSET.match(str(given["utcOffset"])):
        return _engagement_error(["marketingEngagement"], "occurredOn must be a date and utcOffset like +07:00")
    try:
        sales = given.get("sales")
        sales = {"amount": Decimal(str(sales["amount"])), "currencyCode": sales["currencyCode"]} if sales else None
    except (InvalidOperation, KeyError):
        return _engagement_error(["marketingEngagement", "sales"], "Sales amount is invalid")
    engagement = {**given, "isCumulative": bool(given.get("isCumulative")), "sales": sales}
    with ctx.store.lock:
        activity["engagements"][given["occurredOn"]] = engagement
    return {"marketingEngagement": {**engagement, "marketingActivity": activity}, "userErrors": []}


def _engagement_error(path, message):
    return {"marketingEngagement": None, "userErrors": [{"field": path, "message": message}]}
