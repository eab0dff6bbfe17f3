"""Lab 01: what a cookie costs per request over HTTP/2, measured with the real nghttp2 HPACK encoder (RFC 7541).

libnghttp2 (the HTTP/2 library of curl and Apache's mod_http2) is loaded through ctypes;
without it ``hpack_available()`` is False and the notebook says so.
"""

from __future__ import annotations


def _nghttp2():
    """libnghttp2 (the HTTP/2 library of curl and Apache's mod_http2), or None when not installed."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("nghttp2")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.nghttp2_hd_deflate_new.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t]
    lib.nghttp2_hd_deflate_hd.restype = ctypes.c_ssize_t
    lib.nghttp2_hd_deflate_hd.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        ctypes.c_size_t,
    ]
    lib.nghttp2_hd_deflate_del.argtypes = [ctypes.c_void_p]
    return lib


def hpack_available() -> bool:
    return _nghttp2() is not None


def hpack_request_sizes(cookie_fields_per_request, table_size: int = 4096) -> list[int]:
    """Bytes of each request's HTTP/2 header block, all requests on one connection (one HPACK encoder).

    ``cookie_fields_per_request``: for each request, the ``cookie`` field values it sends —
    one value (``["a=1; b=2"]``) or one field per cookie (``["a=1", "b=2"]``, RFC 9113 §8.2.3).
    ``table_size`` is the dynamic table size (HTTP/2's default SETTINGS_HEADER_TABLE_SIZE is 4096).
    """
    import ctypes

    lib = _nghttp2()
    if lib is None:
        raise RuntimeError("libnghttp2가 없어 HPACK을 잴 수 없습니다 (Debian/Ubuntu: libnghttp2-14).")

    class NV(ctypes.Structure):  # nghttp2_nv
        _fields_ = [
            ("name", ctypes.c_char_p),
            ("value", ctypes.c_char_p),
            ("namelen", ctypes.c_size_t),
            ("valuelen", ctypes.c_size_t),
            ("flags", ctypes.c_uint8),
        ]

    deflater = ctypes.c_void_p()
    if lib.nghttp2_hd_deflate_new(ctypes.byref(deflater), table_size) != 0:
        raise RuntimeError("nghttp2 HPACK 인코더를 만들지 못했습니다.")
    sizes = []
    try:
        for cookies in cookie_fields_per_request:
            fields = [
                (":method", "GET"),
                (":scheme", "https"),
                (":authority", "shop.example"),
                (":path", "/"),
            ]
            fields += [("cookie", value) for value in cookies]
            raw = [(k.encode(), v.encode()) for k, v in fields]
            nva = (NV * len(raw))(*[NV(k, v, len(k), len(v), 0) for k, v in raw])
            buf = ctypes.create_string_buffer(64 * 1024)
            written = lib.nghttp2_hd_deflate_hd(deflater, buf, len(buf), nva, len(raw))
            if written < 0:
                raise RuntimeError(f"nghttp2 HPACK 인코딩 실패 ({written})")
            sizes.append(int(written))
    finally:
        lib.nghttp2_hd_deflate_del(deflater)
    return sizes
