"""Application factory: ``flask --app shop.app run``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

import shop.models  # noqa: F401  (registers every mapper on Base.metadata)
from shop import __version__, db
from shop.catalog.views import bp as catalog_bp
from shop.commands import register_commands
from shop.config import Config, load_config
from shop.customers import loyalty  # noqa: F401  (event subscribers)
from shop.customers.views import bp as customers_bp
from shop.inventory.views import bp as inventory_bp
from shop.notifications import handlers  # noqa: F401  (event subscribers)
from shop.notifications.views import bp as notifications_bp
from shop.orders.views import bp as orders_bp
from shop.payments.views import bp as payments_bp
from shop.shipping.views import bp as shipping_bp
from shop.utils import ShopError, error_response

BLUEPRINTS = (
    catalog_bp,
    inventory_bp,
    customers_bp,
    orders_bp,
    payments_bp,
    shipping_bp,
    notifications_bp,
)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ShopError)
    def handle_shop_error(exc: ShopError) -> Any:
        db.session.rollback()
        return error_response(exc)

    @app.errorhandler(404)
    def handle_not_found(_exc: Exception) -> Any:
        return jsonify({"error": "not_found", "message": "no such endpoint"}), 404

    @app.errorhandler(405)
    def handle_method_not_allowed(_exc: Exception) -> Any:
        return jsonify({"error": "method_not_allowed", "message": "method not allowed"}), 405


def health() -> Any:
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok", "version": __version__})


def create_app(config: type[Config] | str | None = None) -> Flask:
    app = Flask(__name__)
    config_cls = load_config(config) if config is None or isinstance(config, str) else config
    app.config.from_object(config_cls)
    logging.basicConfig(level=logging.DEBUG if app.debug else logging.INFO)

    db.configure(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
    app.teardown_appcontext(db.remove_session)

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    _register_error_handlers(app)
    register_commands(app)

    app.add_url_rule("/health", view_func=health)
    return app
