"""The 微信客服 (kf/*) endpoints on the self-built app's access token, and their errcodes.

Errcodes checked against WeCom's documentation and issue trackers: 95000 invalid open_kfid,
95001 send limit reached (5 messages per customer message / 48-hour window), 95007 invalid
msg token, 95013 session already ended, 95016 state change not allowed, 95018 the session's
state does not allow the API to send (a person serves it, or it waits in the queue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.wecom_api import WeComClient, _json

KF_TEXT_LIMIT = 2048  # text content, UTF-8 bytes
KF_MENU_TEXT_LIMIT = 1024  # head_content / tail_content of msgmenu
KF_SYNC_LIMIT = 1000  # kf/sync_msg `limit` at most
KF_BUDGET = 5  # messages per customer message
KF_WINDOW_HOURS = 48
WELCOME_SECONDS = 20  # an enter_session welcome_code is valid this long

INVALID_OPEN_KFID = 95000
SEND_LIMIT = 95001
INVALID_MSG_TOKEN = 95007
SESSION_ENDED = 95013
BAD_STATE_CHANGE = 95016
SESSION_STATE_INVALID = 95018

# service_state values of kf/service_state/get
STATE_NEW, STATE_BOT, STATE_QUEUED, STATE_HUMAN, STATE_ENDED = 0, 1, 2, 3, 4


class KfApi:
    """kf/* calls through a WeComClient (same token, timeout and refresh-once logic)."""

    def __init__(self, client: WeComClient) -> None:
        self.client = client

    def _post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return _json(self.client._authorized("POST", path, json=dict(body)), path)

    def sync_msg(
        self, open_kfid: str, cursor: str = "", token: str = "", limit: int = KF_SYNC_LIMIT
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"open_kfid": open_kfid, "limit": limit}
        if cursor:
            body["cursor"] = cursor
        if token:
            body["token"] = token
        return self._post("kf/sync_msg", body)

    def send_msg(
        self, touser: str, open_kfid: str, msgtype: str, part: Mapping[str, Any], msgid: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "touser": touser,
            "open_kfid": open_kfid,
            "msgtype": msgtype,
            msgtype: dict(part),
        }
        if msgid:
            body["msgid"] = msgid
        return self._post("kf/send_msg", body)

    def send_msg_on_event(
        self, code: str, msgtype: str, part: Mapping[str, Any], msgid: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"code": code, "msgtype": msgtype, msgtype: dict(part)}
        if msgid:
            body["msgid"] = msgid
        return self._post("kf/send_msg_on_event", body)

    def service_state(self, open_kfid: str, external_userid: str) -> tuple[int, str]:
        data = self._post(
            "kf/service_state/get", {"open_kfid": open_kfid, "external_userid": external_userid}
        )
        return int(data.get("service_state", 0)), str(data.get("servicer_userid", ""))

    def trans(
        self, open_kfid: str, external_userid: str, state: int, servicer: str = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "open_kfid": open_kfid,
            "external_userid": external_userid,
            "service_state": state,
        }
        if servicer:
            body["servicer_userid"] = servicer
        return self._post("kf/service_state/trans", body)

    def servicers(self, open_kfid: str) -> dict[str, int]:
        """userid → status (0 接待中, 1 停止接待) of the account's 接待人员."""
        response = self.client._authorized(
            "GET", "kf/servicer/list", params={"open_kfid": open_kfid}
        )
        data = _json(response, "kf/servicer/list")
        return {
            str(s.get("userid", "")): int(s.get("status", 0))
            for s in data.get("servicer_list", [])
            if s.get("userid")
        }

    def add_contact_way(self, open_kfid: str, scene: str) -> str:
        return str(
            self._post("kf/add_contact_way", {"open_kfid": open_kfid, "scene": scene})["url"]
        )

    def accounts(self) -> list[dict[str, Any]]:
        data = self._post("kf/account/list", {"offset": 0, "limit": 100})
        return list(data.get("account_list", []))
