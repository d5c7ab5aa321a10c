"""Expiring offline tokens are refreshed before they lapse, by the client and by the worker."""

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app import clock, jobs
from app.extensions import db
from app.jobs.models import Job
from app.shops.graphql import Client
from app.shops.models import Shop

SHOP = "demo-shop.myshopify.com"


def installed(install):
    install(SHOP)
    return db.session.scalar(select(Shop).where(Shop.domain == SHOP))


def test_a_call_near_expiry_refreshes_the_token_first(install, sandbox):
    shop = installed(install)
    first = shop.access_token
    with time_machine.travel(clock.now() + timedelta(minutes=56), tick=False):
        name = Client.for_shop(shop).execute("{ shop { name } }")["shop"]["name"]
    assert name == sandbox.shop(SHOP).name
    db.session.expire_all()
    assert shop.access_token != first
    assert shop.token_expires_at > clock.now() + timedelta(minutes=50)


def test_the_worker_refreshes_an_idle_shop_token_ahead_of_expiry(install, sandbox):
    shop = installed(install)
    first = shop.access_token
    job = db.session.scalar(select(Job).where(Job.shop_id == shop.id, Job.kind == "refresh_token"))
    assert job.run_at < shop.token_expires_at
    with time_machine.travel(job.run_at + timedelta(seconds=1), tick=False):
        jobs.run_due()
    db.session.expire_all()
    assert shop.access_token != first
    assert job.state == "queued" and job.run_at > clock.now() + timedelta(minutes=40)


def test_a_shop_whose_refresh_is_refused_is_not_called_with_a_dead_token(install, sandbox):
    shop = installed(install)
    sandbox.refresh_tokens.clear()  # the store forgot the refresh token (revoked)
    with time_machine.travel(clock.now() + timedelta(minutes=58), tick=False):
        try:
            Client.for_shop(shop)
        except Exception as error:  # noqa: BLE001
            assert "refresh failed" in str(error)
        else:
            raise AssertionError("a dead token was handed out")
