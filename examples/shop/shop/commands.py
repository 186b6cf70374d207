"""Operational commands: ``flask --app shop.app <command>``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from shop import db
from shop.catalog import services as catalog_services
from shop.customers import services as customer_services
from shop.inventory import services as inventory_services
from shop.inventory import tasks as inventory_tasks
from shop.notifications import services as notification_services

SEED_CATEGORIES = [("Coffee", None), ("Beans", "coffee"), ("Equipment", None)]
SEED_PRODUCTS = [
    {
        "sku": "BEAN-ETH-250",
        "name": "Ethiopia Yirgacheffe 250g",
        "price": "12.90",
        "category": "beans",
        "weight_grams": 270,
        "tax_class": "reduced",
    },
    {
        "sku": "BEAN-COL-1K",
        "name": "Colombia Huila 1kg",
        "price": "34.50",
        "category": "beans",
        "weight_grams": 1050,
        "tax_class": "reduced",
        "price_tiers": [{"min_quantity": 3, "percent_off": 10}],
    },
    {
        "sku": "GRND-HAND-01",
        "name": "Hand Grinder",
        "price": "89.00",
        "category": "equipment",
        "weight_grams": 900,
    },
    {
        "sku": "KETL-GOOSE-1L",
        "name": "Gooseneck Kettle 1l",
        "price": "59.00",
        "category": "equipment",
        "weight_grams": 1200,
    },
]
SEED_WAREHOUSES = [("BER", "Berlin", "DE", 10), ("VIE", "Vienna", "AT", 20)]


@click.command("init-db")
@click.option("--drop", is_flag=True, help="Drop all tables first.")
@with_appcontext
def init_db(drop: bool) -> None:
    """Create the database tables."""
    if drop:
        db.drop_all()
    db.create_all()
    click.echo("database initialised")


@click.command("seed-data")
@click.option("--admin-email", default="admin@example.com", show_default=True)
@click.option("--admin-password", default="change-me-now", show_default=True)
@with_appcontext
def seed_data(admin_email: str, admin_password: str) -> None:
    """Load demo categories, products, warehouses, stock and an admin account."""
    db.create_all()
    if customer_services.find_by_email(admin_email) is None:
        customer_services.register(admin_email, admin_password, "Shop Admin", is_admin=True)
    for name, parent in SEED_CATEGORIES:
        catalog_services.create_category(name, parent)
    for code, name, country, priority in SEED_WAREHOUSES:
        inventory_services.create_warehouse(code, name, country, priority)
    for data in SEED_PRODUCTS:
        product = catalog_services.create_product(data)
        for code, *_ in SEED_WAREHOUSES:
            inventory_services.receive_stock(product.sku, code, 25, reference="seed")
    click.echo(f"seeded {len(SEED_PRODUCTS)} products in {len(SEED_WAREHOUSES)} warehouses")


@click.command("release-expired-reservations")
@with_appcontext
def release_expired_reservations() -> None:
    """Free stock held by unpaid orders whose reservation timed out."""
    order_ids = inventory_tasks.release_expired_reservations()
    click.echo(f"released reservations of {len(order_ids)} order(s)")


@click.command("flush-outbox")
@click.option("--limit", default=100, show_default=True)
@with_appcontext
def flush_outbox(limit: int) -> None:
    """Deliver pending notifications."""
    counts = notification_services.flush_outbox(limit)
    click.echo(f"sent {counts['sent']}, failed {counts['failed']}")


@click.command("low-stock")
@click.option("--threshold", type=int, default=None)
@with_appcontext
def low_stock(threshold: int | None) -> None:
    """Print stock items that should be reordered."""
    for row in inventory_tasks.low_stock_report(threshold):
        click.echo(
            f"{row['sku']:<16} {row['warehouse']:<5} available={row['available']:<4} "
            f"reorder={row['suggested_reorder']}"
        )


def register_commands(app: Flask) -> None:
    for command in (init_db, seed_data, release_expired_reservations, flush_outbox, low_stock):
        app.cli.add_command(command)
