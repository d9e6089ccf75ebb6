# Loaded by the Python that runs sqlmap for `npm run verify:attacks` (PYTHONPATH points here).
# sqlmap's HTTP client writes a POST's headers and body separately; with Nagle's algorithm on
# its socket and the server's delayed ACK, every request with a body then waits about 40 ms
# (about 20 requests a second instead of 200). Disabling Nagle on sqlmap's sockets changes
# nothing that is sent, only when.
import socket

_connect = socket.socket.connect


def _connect_without_nagle(self, *args, **kwargs):
    result = _connect(self, *args, **kwargs)
    if self.family in (socket.AF_INET, socket.AF_INET6) and self.type == socket.SOCK_STREAM:
        try:
            self.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
    return result


socket.socket.connect = _connect_without_nagle
