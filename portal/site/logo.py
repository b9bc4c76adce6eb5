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

LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_PIXELS = 4_000_000  # 2000 x 2000: far more than a header logo needs
LOGO_MAX_SIDE = 1024  # the stored logo's longest side: sharp on high-density screens
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
LOGO_MIMETYPE = "image/png"
LOGO_EXTENSION = "png"


class LogoError(ValueError):
    """A logo the rules refuse; the message is shown on the logo field."""


def clean_logo(data: bytes) -> bytes:
    """The logo's pixels as a new PNG, or LogoError saying what is wrong with the upload."""
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB.")
    try:
        # Opening reads only the header: the size is known before any pixel is decoded.
        with Image.open(io.BytesIO(data), formats=LOGO_FORMATS) as image:
            _check_size(*image.size)
            image.load()
            pixels = ImageOps.exif_transpose(image)
    except LogoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise LogoError(_too_large_message()) from error
    except Image.UnidentifiedImageError as error:
        raise LogoError(
            "That file is not a valid PNG, JPEG or WebP image (SVG is not accepted: it can "
            "carry scripts)."
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise LogoError(
            "That image is damaged or incomplete; export it again and upload the new file."
        ) from error
    has_alpha = pixels.mode in {"RGBA", "LA", "PA"} or "transparency" in pixels.info
    pixels = pixels.convert("RGBA" if has_alpha else "RGB")
    pixels.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _check_size(width: int, height: int) -> None:
    if width * height > LOGO_MAX_PIXELS:
        raise LogoError(f"The logo is {width:,} × {height:,} pixels. {_too_large_message()}")


def _too_large_message() -> str:
    return (
        "Use an image of at most 2,000 × 2,000 pixels (a header logo needs far fewer); "
        "scale it down and upload it again."
    )
