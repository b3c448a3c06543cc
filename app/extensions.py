"""Flask extensions, created unbound so that create_app() can bind them to each app (imports no app code)."""
from flask import Response
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx


class CompressErrors(Compress):
    """Flask-Compress (1.x) leaves every answer outside 2xx uncompressed, but the form that comes back with its
    errors (422) is the answer a user on a slow line waits for: 10.8 KB whole, 2.4 KB with gzip for a contract.
    A client error page is compressed as a 200 would be, then given its status back. Only those without validators:
    Flask-Compress evaluates If-None-Match / If-Modified-Since on 200s, which must not turn an error into a 304.
    A 204 has no content: Flask-Compress marked it "Content-Encoding: br" all the same (a kept draft, htmx's
    HX-Redirect), so it is left alone."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and response.status_code == 204:
            return response  # no content: nothing to compress, nothing to vary by encoding (Flask-Compress said br)
        if (response is None or not 400 <= response.status_code < 500 or response.is_streamed
                or "ETag" in response.headers or "Last-Modified" in response.headers):
            return super().after_request(response)
        status = response.status
        response.status_code = 200
        try:
            return super().after_request(response)
        finally:
            response.status = status


csrf = CSRFProtect()
login = LoginManager()
compress = CompressErrors()
htmx = Htmx()
