"""Uploaded logos, decoded and drawn again by Pillow before anyone else sees them.

Trusting a file's first bytes let through a PNG signature followed by HTML, and a 30,000 x
30,000 PNG that is small on disk but takes gigabytes to decode. Here the upload must decode
as a PNG, JPEG or WebP image of a bounded size, and only the pixels are kept: they are
written as a new PNG, so nothing else in the file (text chunks, a second document, EXIF
with a location) ever reaches a browser. SVG is refused rather than sanitised: it is a
document that can carry scripts and load other URLs, and a raster logo serves as well.
"""

import io

from PIL import Image, ImageOps

from portal.writes import Refused

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4_000_000  # 2000 x 2000: far more than a header logo needs
LOGO_MAX_SIDE = 1024  # the stored logo's longest side: sharp on high-density screens
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
LOGO_MIMETYPE = "image/png"
LOGO_EXTENSION = "png"


def clean_logo(data: bytes) -> bytes:
    """The logo's pixels as a new PNG, or Refused saying what is wrong with the upload."""
    if len(data) > LOGO_MAX_BYTES:
        raise Refused(f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB.", field="logo")
    try:
        # Opening reads only the header: the size is known before any pixel is decoded.
        with Image.open(io.BytesIO(data), formats=LOGO_FORMATS) as image:
            _check_size(*image.size)
            image.load()
            pixels = ImageOps.exif_transpose(image)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(_too_large_message(), field="logo") from error
    except Image.UnidentifiedImageError as error:
        raise Refused(
            "That file is not a valid PNG, JPEG or WebP image (SVG is not accepted: it can "
            "carry scripts).",
            field="logo",
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise Refused(
            "That image is damaged or incomplete; export it again and upload the new file.",
            field="logo",
        ) from error
    has_alpha = pixels.mode in {"RGBA", "LA", "PA"} or "transparency" in pixels.info
    pixels = pixels.convert("RGBA" if has_alpha else "RGB")
    pixels.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _check_size(width: int, height: int) -> None:
    if width * height > LOGO_MAX_PIXELS:
        raise Refused(
            f"The logo is {width:,} × {height:,} pixels. {_too_large_message()}", field="logo"
        )


def _too_large_message() -> str:
    return (
        "Use an image of at most 2,000 × 2,000 pixels (a header logo needs far fewer); "
        "scale it down and upload it again."
    )
