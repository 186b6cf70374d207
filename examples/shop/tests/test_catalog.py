from shop.catalog import pricing, search
from shop.models import Product
from shop import db


def test_list_products_marks_stock(client, catalog):
    body = client.get("/catalog/products").get_json()
    assert [p["name"] for p in body["items"]] == [
        "Ethiopia Beans",
        "Gooseneck Kettle",
        "Hand Grinder",
    ]
    assert all(p["in_stock"] for p in body["items"])
    assert body["meta"]["total"] == 3


def test_filter_by_category_includes_subcategories(client, catalog):
    body = client.get("/catalog/products?category=coffee").get_json()
    assert [p["sku"] for p in body["items"]] == ["BEAN-1"]


def test_search_query_language(client, catalog):
    body = client.get(
        "/catalog/products", query_string={"q": "price:40..90 sort:-price"}
    ).get_json()
    assert [p["sku"] for p in body["items"]] == ["GRINDER-1", "KETTLE-1"]
    body = client.get("/catalog/products", query_string={"q": "burr"}).get_json()
    assert [p["sku"] for p in body["items"]] == ["GRINDER-1"]
    assert client.get("/catalog/products?q=sort:bogus").status_code == 422


def test_parse_query_rejects_inverted_range():
    query = search.parse_query('"hand grinder" price:..30 category:equipment')
    assert query.terms == ["hand grinder"]
    assert query.max_price_cents == 3000 and query.category == "equipment"


def test_product_detail_with_availability(client, catalog):
    body = client.get("/catalog/products/hand-grinder").get_json()
    assert body["available"] == 5
    assert body["weight_grams"] == 900
    assert client.get("/catalog/products/nope").status_code == 404


def test_price_quote_applies_tier_and_reduced_vat(client, catalog):
    body = client.get(
        f"/catalog/products/{catalog['beans']}/price?quantity=5&country=DE"
    ).get_json()
    # 5 x 10.00 = 50.00, 10 % tier discount, 7 % reduced VAT on 45.00
    assert body["discount"] == "€5.00"
    assert body["tax"] == "€3.15"
    assert body["total_cents"] == 4815


def test_order_discount_is_spread_and_taxed(app, catalog):
    beans = db.session.get(Product, catalog["beans"])
    grinder = db.session.get(Product, catalog["grinder"])
    lines = pricing.price_lines([(beans, 1), (grinder, 1)], "DE")
    discounted = pricing.apply_order_discount(lines, 900)
    assert sum(l.discount_cents for l in discounted) == 900
    assert [l.discount_cents for l in discounted] == [100, 800]
    assert discounted[1].tax_cents == 1368  # 19 % of 72.00


def test_admin_endpoints_are_protected(api, client, catalog, admin_headers):
    payload = {"sku": "cup-1", "name": "Cup", "price": "9.99"}
    assert client.post("/catalog/products", json=payload).status_code == 401
    assert client.post("/catalog/products", json=payload, headers=api.register()).status_code == 403
    created = client.post("/catalog/products", json=payload, headers=admin_headers)
    assert created.status_code == 201
    assert created.get_json()["slug"] == "cup"
    duplicate = client.post("/catalog/products", json=payload, headers=admin_headers)
    assert duplicate.status_code == 409


def test_archive_hides_product(client, catalog, admin_headers):
    response = client.delete(f"/catalog/products/{catalog['kettle']}", headers=admin_headers)
    assert response.status_code == 204
    skus = [p["sku"] for p in client.get("/catalog/products").get_json()["items"]]
    assert "KETTLE-1" not in skus


def test_category_tree(client, catalog, admin_headers):
    client.post(
        "/catalog/categories",
        json={"name": "Grinders", "parent": "equipment"},
        headers=admin_headers,
    )
    tree = client.get("/catalog/categories").get_json()
    by_slug = {node["slug"]: node for node in tree}
    assert [c["slug"] for c in by_slug["coffee"]["children"]] == ["beans"]
    assert [c["slug"] for c in by_slug["equipment"]["children"]] == ["grinders"]
