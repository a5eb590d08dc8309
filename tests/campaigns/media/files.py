"""Real files, built in the test: images with Pillow, video headers byte by byte."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def png_bytes(
    width: int = 64, height: int = 48, *, mode: str = "RGB", noise: bool = False
) -> bytes:
    if noise:
        image = Image.frombytes(mode, (width, height), os.urandom(width * height * len(mode)))
    else:
        image = Image.new(mode, (width, height), (200, 40, 40, 255)[: len(mode)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def webp_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 128, 255, 128)).save(buffer, format="WEBP")
    return buffer.getvalue()


def jpeg_with_gps(width: int = 60, height: int = 40, *, orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF carries a GPS position (Lagos) and, optionally, an orientation."""
    image = Image.new("RGB", (width, height), (10, 120, 30))
    # A bright left edge, to see where it ends up after the orientation is applied.
    for y in range(height):
        for x in range(4):
            image.putpixel((x, y), (255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {
        1: "N",  # GPSLatitudeRef
        2: (6.0, 27.0, 18.0),  # GPSLatitude
        3: "E",  # GPSLongitudeRef
        4: (3.0, 23.0, 24.0),  # GPSLongitude
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return buffer.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (6.0, 27.0, 18.0), 3: "E", 4: (3.0, 23.0, 24.0)}
    return exif


def with_gps(image_format: str) -> bytes:
    """A PNG or WebP carrying EXIF with a GPS position."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (32, 24), (90, 90, 200))
    image.save(buffer, format=image_format, exif=gps_exif().tobytes())
    return buffer.getvalue()


def truncated_png() -> bytes:
    data = png_bytes(200, 200, noise=True)
    return data[: len(data) // 2]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG header that announces an enormous canvas (a pixel bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 248


def mp4_bytes(*, brand: bytes = b"isom", payload: int = 256) -> bytes:
    """An ISO BMFF file: an `ftyp` box, then a `free` and an `mdat` box."""
    ftyp = struct.pack(">I", 24) + b"ftyp" + brand + struct.pack(">I", 0x200) + b"isomiso2"
    free = struct.pack(">I", 8) + b"free"
    mdat = struct.pack(">I", 8 + payload) + b"mdat" + os.urandom(payload)
    return ftyp + free + mdat


def _ebml_element(element_id: bytes, payload: bytes) -> bytes:
    assert len(payload) < 127
    return element_id + bytes([0x80 | len(payload)]) + payload


def webm_bytes(*, doctype: bytes = b"webm", payload: int = 256) -> bytes:
    """An EBML header with the given DocType, then the start of a Segment."""
    header = b"".join(
        [
            _ebml_element(b"\x42\x86", b"\x01"),  # EBMLVersion
            _ebml_element(b"\x42\xf7", b"\x01"),  # EBMLReadVersion
            _ebml_element(b"\x42\xf2", b"\x04"),  # EBMLMaxIDLength
            _ebml_element(b"\x42\xf3", b"\x08"),  # EBMLMaxSizeLength
            _ebml_element(b"\x42\x82", doctype),  # DocType
            _ebml_element(b"\x42\x87", b"\x04"),  # DocTypeVersion
            _ebml_element(b"\x42\x85", b"\x02"),  # DocTypeReadVersion
        ]
    )
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + os.urandom(payload)
    return _ebml_element(b"\x1a\x45\xdf\xa3", header) + segment


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_of_size(width: int, height: int) -> bytes:
    """A complete, valid RGB PNG of one colour, compressed row by row: a 7000x7000 image
    is about 150 KB and never takes its decoded size in this process."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes((200, 40, 40)) * width
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def mp4_boxes(*boxes: tuple[bytes, int]) -> bytes:
    """ISO BMFF boxes of the given (type, payload size), after an `ftyp` box."""
    ftyp = struct.pack(">I", 24) + b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2"
    return ftyp + b"".join(
        struct.pack(">I", 8 + size) + kind + os.urandom(size) for kind, size in boxes
    )
