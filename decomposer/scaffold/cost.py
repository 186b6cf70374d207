"""Stage 7b, cost: the monthly estimate of each environment, at list prices.

Computed from the same numbers the Terraform is rendered from (`InfraSpec`: services, queues,
clusters, and each environment's sizing), so the estimate in infra/README.md follows the plan.
Prices are AWS's public on-demand list prices in us-east-1, read on `PRICE_DATE`; other
regions cost up to about 20% more. They are estimates: usage (requests, data transfer, log
volume, storage growth) is assumed, and listed with each estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

from decomposer.models import CostEstimate, CostLine, DatabaseCluster, EnvironmentInfra

PRICE_DATE = "2025-06-01"
HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Price:
    """One list price: USD per unit."""

    usd: float
    unit: str


# us-east-1 on-demand list prices (aws.amazon.com/<service>/pricing), read on PRICE_DATE.
PRICES: dict[str, Price] = {
    "ec2:t3.micro": Price(0.0104, "instance-hour"),
    "ec2:t3.small": Price(0.0208, "instance-hour"),
    "ec2:t3.medium": Price(0.0416, "instance-hour"),
    "ec2:t3.large": Price(0.0832, "instance-hour"),
    "ebs:gp3": Price(0.08, "GB-month"),
    "rds:db.serverless": Price(0.12, "ACU-hour"),
    "rds:db.t4g.medium": Price(0.073, "instance-hour"),
    "rds:db.t4g.large": Price(0.146, "instance-hour"),
    "rds:db.r6g.large": Price(0.26, "instance-hour"),
    "rds:storage": Price(0.10, "GB-month"),
    "rds:io": Price(0.20, "million requests"),
    "rds:performance-insights-7d": Price(0.0, "free tier (7 days)"),
    "elb:alb": Price(0.0225, "hour"),
    "elb:nlb": Price(0.0225, "hour"),
    "elb:lcu": Price(0.008, "LCU-hour"),
    "vpc:nat-gateway": Price(0.045, "hour"),
    "vpc:nat-data": Price(0.045, "GB"),
    "apigateway:cache-0.5": Price(0.020, "hour"),
    "apigateway:cache-1.6": Price(0.038, "hour"),
    "apigateway:cache-6.1": Price(0.200, "hour"),
    "apigateway:rest": Price(3.50, "million requests"),
    "cloudwatch:alarm": Price(0.10, "alarm-month"),
    "cloudwatch:dashboard": Price(3.00, "dashboard-month (first 3 free)"),
    "cloudwatch:logs": Price(0.50, "GB ingested"),
    "kms:key": Price(1.00, "key-month"),
    "secretsmanager:secret": Price(0.40, "secret-month"),
    "ecr:storage": Price(0.10, "GB-month"),
    "sqs:requests": Price(0.40, "million requests (first million free)"),
}


@dataclass(frozen=True)
class Usage:
    """What an environment is assumed to do in a month (the estimate's assumptions)."""

    active_db_hours: float  # hours a Serverless v2 cluster runs above its minimum
    active_acus: float  # its average ACUs while active
    db_storage_gb: float  # per cluster
    db_io_millions: float  # per cluster
    api_requests_millions: float
    nat_gb: float
    log_gb: float
    image_gb: float  # per repository


USAGE = {
    "dev": Usage(
        active_db_hours=160, active_acus=0.5, db_storage_gb=1, db_io_millions=1,
        api_requests_millions=0.5, nat_gb=20, log_gb=5, image_gb=3,
    ),
    "prod": Usage(
        active_db_hours=HOURS_PER_MONTH, active_acus=0.75, db_storage_gb=20, db_io_millions=50,
        api_requests_millions=20, nat_gb=200, log_gb=50, image_gb=3,
    ),
}  # fmt: skip


def estimate(
    env: EnvironmentInfra,
    *,
    services: int,
    clusters: tuple[DatabaseCluster, ...],
    alarms: int,
    nlb: bool,
) -> CostEstimate:
    """The monthly estimate of one environment: one line per kind of resource it creates."""
    usage = USAGE.get(env.name, USAGE["prod"])
    instances = services * env.min_size
    lines = [
        _line(f"EC2 {env.instance_type}, {env.min_size} per service", instances * HOURS_PER_MONTH,
              f"ec2:{env.instance_type}"),
        _line("EBS gp3 root volumes (20 GB each)", instances * 20, "ebs:gp3"),
        *_databases(env, clusters, usage),
        _line("Application Load Balancer (internal)", HOURS_PER_MONTH, "elb:alb"),
        _line("Load balancer capacity units (1 LCU each)", HOURS_PER_MONTH * (2 if nlb else 1),
              "elb:lcu"),
        *([_line("Network Load Balancer (VPC link v1)", HOURS_PER_MONTH, "elb:nlb")]
          if nlb else []),
        _line("NAT gateway", HOURS_PER_MONTH, "vpc:nat-gateway"),
        _line("NAT gateway data processed", usage.nat_gb, "vpc:nat-data"),
        *(
            [_line(f"API Gateway cache ({env.cache_size_gb} GB)", HOURS_PER_MONTH,
                   f"apigateway:cache-{env.cache_size_gb}")]
            if env.cache_size_gb is not None else []
        ),
        _line("API Gateway REST requests", usage.api_requests_millions, "apigateway:rest"),
        _line("CloudWatch alarms", alarms, "cloudwatch:alarm"),
        _line("CloudWatch dashboards beyond the free 3", max(0, services - 3),
              "cloudwatch:dashboard"),
        _line("CloudWatch Logs ingested", usage.log_gb, "cloudwatch:logs"),
        _line("KMS key", 1, "kms:key"),
        _line("Secrets Manager (master credentials)", len(clusters), "secretsmanager:secret"),
        _line("ECR image storage", services * usage.image_gb, "ecr:storage"),
    ]  # fmt: skip
    return CostEstimate(
        environment=env.name,
        lines=tuple(lines),
        total_usd=round(sum(line.monthly_usd for line in lines), 2),
        assumptions=_assumptions(env, usage),
    )


def break_even_acus(instance_class: str = "db.t4g.medium") -> float:
    """Average ACUs above which a provisioned instance costs less than Serverless v2."""
    return round(PRICES[f"rds:{instance_class}"].usd / PRICES["rds:db.serverless"].usd, 2)


def _databases(
    env: EnvironmentInfra, clusters: tuple[DatabaseCluster, ...], usage: Usage
) -> list[CostLine]:
    count = len(clusters)
    if not count:
        return []
    nodes = count * env.db_instance_count
    if env.db_instance_class == "db.serverless":
        idle_hours = HOURS_PER_MONTH - usage.active_db_hours
        acu_hours = nodes * (
            usage.active_db_hours * max(usage.active_acus, env.db_min_capacity)
            + idle_hours * env.db_min_capacity
        )
        compute = _line(
            f"Aurora Serverless v2, {count} cluster(s) x {env.db_instance_count} instance(s),"
            f" {env.db_min_capacity:g}-{env.db_max_capacity:g} ACU",
            acu_hours,
            "rds:db.serverless",
        )
    else:
        compute = _line(
            f"Aurora {env.db_instance_class}, {count} cluster(s) x {env.db_instance_count}",
            nodes * HOURS_PER_MONTH,
            f"rds:{env.db_instance_class}",
        )
    return [
        compute,
        _line("Aurora storage", count * usage.db_storage_gb, "rds:storage"),
        _line("Aurora I/O", count * usage.db_io_millions, "rds:io"),
    ]


def _line(item: str, quantity: float, price: str) -> CostLine:
    listed = PRICES[price]
    return CostLine(
        item=item,
        quantity=round(quantity, 2),
        unit=listed.unit,
        unit_usd=listed.usd,
        monthly_usd=round(quantity * listed.usd, 2),
    )


def _assumptions(env: EnvironmentInfra, usage: Usage) -> tuple[str, ...]:
    database = (
        f"each Serverless v2 cluster runs {usage.active_db_hours:g} h a month at"
        f" {usage.active_acus:g} ACU on average, and"
        + (" pauses (0 ACU) the rest of the time" if env.db_min_capacity == 0
           else f" {env.db_min_capacity:g} ACU the rest of the time")
    )  # fmt: skip
    return (
        f"list prices of us-east-1 on {PRICE_DATE}, on demand, no free tier or savings plans",
        f"{env.name}: the minimum of {env.min_size} instance(s) per service all month",
        database if env.db_instance_class == "db.serverless" else "provisioned Aurora instances",
        f"{usage.api_requests_millions:g} million API requests, {usage.nat_gb:g} GB through the"
        f" NAT gateway, {usage.log_gb:g} GB of logs",
        "not counted: data transfer out, CloudTrail's S3 storage, X-Ray traces beyond the free"
        " tier, Cognito users beyond the free tier, SQS requests beyond the first million",
    )
