"""Settings of the customers service, read from environment variables."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = Field(
        default="customers", validation_alias=AliasChoices("OTEL_SERVICE_NAME", "service_name")
    )
    port: int = 8000
    log_level: str = "INFO"

    # Tracing: OTLP over HTTP to a collector (e.g. http://localhost:4318); X-Ray trace ids.
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "otlp_endpoint"),
    )
    span_file: str | None = None
    id_generator: Literal["xray", "random"] = Field(
        default="xray", validation_alias=AliasChoices("OTEL_PYTHON_ID_GENERATOR", "id_generator")
    )

    # AWS: an endpoint URL points boto3 at a local emulator (moto_server, LocalStack).
    aws_region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION", "aws_region")
    )
    aws_endpoint_url: str | None = Field(
        default=None, validation_alias=AliasChoices("AWS_ENDPOINT_URL", "aws_endpoint_url")
    )

    # SQS: queue names are `<queue_prefix><consumer>-inbox`; the prefix is `<project>-<env>-` on AWS.
    queue_prefix: str = ""
    create_queues: bool = False
    visibility_timeout_s: int = Field(default=60, ge=0)
    max_receive_count: int = Field(default=5, ge=1)
    inbox_queue: str = "customers-inbox"
    consumer_enabled: bool = True
    wait_time_s: int = Field(default=20, ge=0, le=20)

    # Data: aurora-postgresql.
    # On AWS: DATABASE_URL names the service's own role, without a password, and
    # DATABASE_IAM_AUTH=true makes each new connection log in with a fresh IAM token (data.py).
    database_url: str = "postgresql+psycopg://customers@localhost:5432/customers"
    database_iam_auth: bool = False
    create_tables: bool = False

    # Calls to other services: base URLs, timeout, retries with exponential backoff.
    notifications_service_url: str = "http://localhost:8004"
    http_timeout_s: float = Field(default=5.0, gt=0)
    http_retries: int = Field(default=3, ge=0)
    http_backoff_s: float = Field(default=0.2, ge=0)


@lru_cache
def get_settings() -> Settings:
    return Settings()
