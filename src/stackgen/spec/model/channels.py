"""Channels: the receivers Alertmanager notifies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from stackgen.spec.model.base import Model
from stackgen.spec.types import (
    Email,
    FilePath,
    HostPort,
    OneLine,
    PagerDutyUrl,
    Slug,
    Url,
    WebhookUrl,
)


class ChannelBase(Model):
    name: Slug
    send_resolved: bool = True


class SlackChannel(ChannelBase):
    type: Literal["slack"]
    api_url_file: FilePath
    channel: str = Field(pattern=r"^[#@]?[A-Za-z0-9._-]+$", examples=["#alerts"])


class PagerDutyChannel(ChannelBase):
    type: Literal["pagerduty"]
    routing_key_file: FilePath
    url: PagerDutyUrl | None = Field(None, description="Events API address; default PagerDuty's.")


class EmailChannel(ChannelBase):
    type: Literal["email"]
    send_resolved: bool = False
    to: list[Email] = Field(min_length=1)
    from_: Email = Field(alias="from")
    smarthost: HostPort
    auth_username: OneLine | None = None
    auth_password_file: FilePath | None = None
    require_tls: bool = True


class WebhookChannel(ChannelBase):
    type: Literal["webhook"]
    url: WebhookUrl | None = Field(None, description="For an address that holds no secret.")
    url_file: FilePath | None = Field(
        None, description="A file holding the address (Alertmanager 0.26 or newer)."
    )
    bearer_token_file: FilePath | None = None
    max_alerts: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _one_address(self) -> WebhookChannel:
        if (self.url is None) == (self.url_file is None):
            raise ValueError("give exactly one of `url` and `url_file`")
        return self


class OpsgenieResponder(Model):
    type: Literal["team", "user", "escalation", "schedule"]
    name: OneLine = Field(min_length=1)


class OpsgenieChannel(ChannelBase):
    type: Literal["opsgenie"]
    api_key_file: FilePath
    api_url: Url | None = Field(None, description="Default: Opsgenie's API.")
    priority: Literal["P1", "P2", "P3", "P4", "P5"] | None = Field(
        None, description="Default: P1 for critical, P3 for warning, P5 for info."
    )
    responders: list[OpsgenieResponder] = Field(default_factory=list)


class TeamsChannel(ChannelBase):
    type: Literal["msteams"]
    webhook_url_file: FilePath = Field(
        description="A file holding the incoming webhook's address (Alertmanager 0.27 or newer)."
    )


class TelegramChannel(ChannelBase):
    type: Literal["telegram"]
    bot_token_file: FilePath = Field(description="Alertmanager 0.26 or newer.")
    chat_id: int
    api_url: Url | None = Field(None, description="Default: Telegram's API.")


class DiscordChannel(ChannelBase):
    type: Literal["discord"]
    webhook_url_file: FilePath = Field(description="Alertmanager 0.27 or newer.")


Channel = Annotated[
    SlackChannel
    | PagerDutyChannel
    | EmailChannel
    | WebhookChannel
    | OpsgenieChannel
    | TeamsChannel
    | TelegramChannel
    | DiscordChannel,
    Field(discriminator="type"),
]
