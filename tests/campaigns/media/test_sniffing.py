"""The magic-byte checks on their own, with the headers real encoders write."""

import pytest

from apps.campaigns.media_inspection import VIDEO_MP4, VIDEO_WEBM, video_sniff
from apps.core.errors import InvalidInput

from .files import LINUX_ELF, WINDOWS_EXE, mp4_bytes, png_bytes, webm_bytes


@pytest.mark.parametrize("brand", [b"isom", b"mp42", b"avc1", b"3gp5", b"M4V ", b"dash"])
def test_mp4_brands_are_mp4(brand):
    assert video_sniff(mp4_bytes(brand=brand)[:4096]) == VIDEO_MP4


def test_webm_is_webm():
    assert video_sniff(webm_bytes()[:4096]) == VIDEO_WEBM


@pytest.mark.parametrize(
    "head",
    [
        b"",
        WINDOWS_EXE,
        LINUX_ELF,
        png_bytes(),
        webm_bytes(doctype=b"matroska"),
        b"\x1a\x45\xdf\xa3\x00",  # EBML magic with a broken length
        b"\x1a\x45\xdf\xa3\x9f",  # EBML magic, header cut short
        mp4_bytes(brand=b"avif"),
        mp4_bytes(brand=b"mif1"),
        b"\x00\x00\x00\x08ftyp\x00\x01\x02\x03",  # a box too small for a brand
    ],
)
def test_everything_else_is_refused_naming_the_file(head):
    with pytest.raises(InvalidInput) as refused:
        video_sniff(head)

    assert refused.value.code == "unsupported_file_type"
    assert list(refused.value.fields) == ["file"]
