from shop.notifications.channels import Channel


def test_register_login_and_profile(api, client, app):
    headers = api.register(phone="0049 151 7654321")
    me = client.get("/customers/me", headers=headers).get_json()
    assert me["email"] == "carla@example.com"
    assert me["phone"] == "+491517654321"
    login = client.post(
        "/customers/login", json={"email": "CARLA@example.com", "password": "s3cret-pass"}
    )
    assert login.status_code == 200
    bad = client.post("/customers/login", json={"email": "carla@example.com", "password": "nope"})
    assert bad.status_code == 401


def test_duplicate_and_invalid_registration(api, client, app):
    api.register()
    again = client.post(
        "/customers/register",
        json={"email": "carla@example.com", "password": "12345678", "full_name": "X"},
    )
    assert again.status_code == 409
    bad = client.post(
        "/customers/register",
        json={"email": "not-an-email", "password": "12345678", "full_name": "X"},
    )
    assert bad.status_code == 422


def test_password_change_revokes_token(api, client, app):
    headers = api.register()
    response = client.patch(
        "/customers/me",
        headers=headers,
        json={"password": "new-password", "current_password": "s3cret-pass"},
    )
    assert response.status_code == 200
    assert client.get("/customers/me", headers=headers).status_code == 401


def test_address_book(api, client, app):
    headers = api.register()
    first = api.add_address(headers)
    second = api.add_address(headers, country="AT")
    listed = client.get("/customers/me/addresses", headers=headers).get_json()
    assert [(a["id"], a["is_default"]) for a in listed] == [(first, True), (second, False)]
    assert client.delete(f"/customers/me/addresses/{first}", headers=headers).status_code == 204
    listed = client.get("/customers/me/addresses", headers=headers).get_json()
    assert listed[0]["id"] == second and listed[0]["is_default"]
    bad = client.post(
        "/customers/me/addresses",
        headers=headers,
        json={"recipient": "C", "line1": "x", "city": "y", "postal_code": "12", "country": "DE"},
    )
    assert bad.status_code == 422


def test_welcome_mail_is_queued_and_flushed(api, client, app, admin_headers):
    headers = api.register()
    mine = client.get("/notifications/", headers=headers).get_json()["items"]
    assert [n["template"] for n in mine] == ["welcome"]
    counts = client.post("/notifications/flush", headers=admin_headers).get_json()
    assert counts == {"sent": 2, "failed": 0}  # the admin got a welcome mail too
    assert {m.recipient for m in Channel.sent} == {"carla@example.com", "admin@shop.test"}
    assert Channel.sent[-1].subject == "Welcome to the shop, Carla"
