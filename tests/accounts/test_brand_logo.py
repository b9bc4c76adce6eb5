"""The logo upload keeps only an image's pixels, drawn again as a PNG of bounded size; what is
not a small PNG, JPEG or WebP image is refused with a message on the field."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.extensions import db
from portal.site.models import SiteSettings
from tests.conftest import login

FORM = {"community_name": "Globex", "tagline": "", "primary_color": "#2457c5"}


def image_bytes(size=(40, 20), mode="RGBA", fmt="PNG", colour=(200, 30, 30, 128)) -> bytes:
    out = io.BytesIO()
    fill = {"RGBA": colour, "RGB": colour[:3]}.get(mode, 0)
    Image.new(mode, size, fill).save(out, format=fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30_000) -> bytes:
    """A real one-bit greyscale PNG of side x side pixels, all black: small on disk (about
    110 KB), a gigabyte once decoded."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the row's bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


@pytest.fixture
def admin(client, make_user):
    login(client, make_user("admin"))


@pytest.fixture
def uploads(app) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def upload(client, data: bytes, filename: str = "logo.png", **fields):
    """Post the brand form with `data` as the logo. Encoded here in memory: the test client
    spools a large body to a temporary file it never closes."""
    values = {**FORM, **fields, "csrf_token": client.csrf_token()}
    values["logo"] = FileStorage(io.BytesIO(data), filename=filename)
    boundary, body = encode_multipart(values)
    return client.post(
        "/admin/brand", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def current_logo() -> str | None:
    settings = db.session.get(SiteSettings, 1)
    if settings is None:
        return None
    db.session.refresh(settings)
    return settings.logo_filename


def test_a_logo_is_drawn_again_as_png_and_served_as_one(client, admin, uploads):
    jpeg = image_bytes((300, 100), mode="RGB", fmt="JPEG")
    assert upload(client, jpeg, "photo.jpg").status_code == 302
    name = current_logo()
    assert name.startswith("logo-") and name.endswith(".png")
    response = client.get(f"/brand/logo/{name}")
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(response.data)) as served:
        assert (served.format, served.size, served.mode) == ("PNG", (300, 100), "RGB")
    response.close()


def test_transparency_is_kept_and_large_logos_are_scaled_down(client, admin, uploads):
    assert upload(client, image_bytes((2000, 1000))).status_code == 302
    with Image.open(uploads / current_logo()) as stored:
        assert (stored.size, stored.mode) == ((1024, 512), "RGBA")


def test_what_follows_the_image_never_reaches_a_browser(client, admin, uploads):
    polyglot = image_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    assert upload(client, polyglot).status_code == 302
    assert b"<script" not in (uploads / current_logo()).read_bytes()


@pytest.mark.parametrize(
    ("make", "filename", "message"),
    [
        (png_bomb, "bomb.png", "at most 2,000 × 2,000 pixels"),
        (lambda: image_bytes((2100, 2000), mode="1"), "wide.png", "is 2,100 × 2,000 pixels"),
        (
            lambda: b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>",
            "logo.png",
            "not a valid PNG",
        ),
        (lambda: b"<svg onload=alert(1)></svg>", "logo.svg", "SVG is not accepted"),
        (lambda: image_bytes()[:60], "cut.png", "damaged or incomplete"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * (512 * 1024), "huge.png", "at most 512 KB"),
    ],
    ids=["decompression bomb", "too many pixels", "signature then html", "svg", "cut", "big"],
)
def test_bad_logos_are_explained_on_the_field(client, admin, uploads, make, filename, message):
    data = make()
    if filename == "bomb.png":
        assert len(data) < 120_000
    response = upload(client, data, filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = page.split('id="logo-error"')[1].split("</p>")[0]
    assert message in error
    assert current_logo() is None
    assert not list(uploads.glob("logo-*"))


def test_replaced_and_removed_logos_leave_the_disk(client, admin, uploads):
    upload(client, image_bytes())
    first = current_logo()
    upload(client, image_bytes(colour=(0, 0, 0, 255)))
    second = current_logo()
    assert first != second
    assert [p.name for p in uploads.glob("logo-*")] == [second]
    client.post("/admin/brand/logo/remove")
    assert current_logo() is None
    assert list(uploads.glob("logo-*")) == []


def test_a_refused_brand_change_keeps_no_new_file(client, admin, uploads):
    upload(client, image_bytes())
    kept = current_logo()
    response = upload(client, image_bytes(), primary_color="#ffff00")
    assert "pick a darker colour" in response.get_data(as_text=True)
    assert current_logo() == kept
    assert [p.name for p in uploads.glob("logo-*")] == [kept]
