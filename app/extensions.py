"""Flask extensions, created unbound so that create_app() can bind them to each app (imports no app code)."""
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

csrf = CSRFProtect()
login = LoginManager()
compress = Compress()
htmx = Htmx()
