"""The wage page link the bot hands a worker (issue 17).

A 微信客服 customer has no WeCom userid, so they cannot sign in by OAuth2: they get a signed,
expiring, single-use link (bot/web_tokens.py; its single use is recorded by web/auth.py).
A WeCom member gets the plain page address, which signs them in inside WeCom.
"""

from __future__ import annotations

from bot.context import HandlerContext
from bot.web_tokens import LINK_SECONDS, base_url, make_wage_link
from models import KF_PREFIX, Worker

LINK_HOURS = LINK_SECONDS // 3600


def is_kf_account(userid: str) -> bool:
    return userid.startswith(KF_PREFIX)


def wage_link_text(ctx: HandlerContext, worker: Worker) -> str:
    """The line that gives this worker their wage page, worded for their channel."""
    if is_kf_account(ctx.user.userid):
        link = make_wage_link(ctx.settings, worker.id)  # the wall clock, as the page checks it
        return (
            f"在网页上看您的出工和工资明细（{LINK_HOURS}小时内有效，只能打开一次，请勿转发）：\n"
            f"{link}"
        )
    return f"在企业微信里打开工资明细网页：{base_url(ctx.settings)}/web/wages"
