"""ICSOE: Informativa de Contratos de Servicio u Obra Especializados (the contratista's portal)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, nothing else."""
    from . import auth, config, db, errors, estaticos, hora, rendimiento, salud, security, uploads
    from .extensions import compress, csrf, htmx, login

    rendimiento.instalar()

    instance = Path(instance_path) if instance_path else config.instance_folder()
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.session_interface = rendimiento.SesionFirmada()
    app.jinja_options = {**app.jinja_options, "extensions": ["app.sangria.SinSangria"]}
    app.config.from_mapping(config.from_environment(instance))
    if test_config:
        app.config.from_mapping(test_config)
    rendimiento.url_for_en_plantillas(app)  # after the configuration: it creates the Jinja environment
    # Behind reverse proxies: `icsoe serve` lets waitress read X-Forwarded-* (PROXY_FIX False); any other WSGI server
    # gets werkzeug's ProxyFix.
    if app.config["PROXIES"] and app.config.get("PROXY_FIX", True):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"])

    db.init_app(app)  # the schema is Alembic's (app/schema.py): `icsoe init`, `icsoe db upgrade`, `icsoe serve`
    htmx.init_app(app)
    uploads.init_app(app)  # after Htmx, which installs its own request class; before CSRF, which reads the body
    csrf.init_app(app)
    compress.init_app(app)
    login.init_app(app)
    login.user_loader(auth.load_user)
    login.login_view = "ingreso.index"
    login.login_message = "Ingresa para continuar."
    login.login_message_category = "status"
    # Flask-Login's "basic" protection keeps a 128-character hash of the address and browser in every session
    # cookie (a third of it) and marks the session not fresh when they change; nothing here asks for freshness,
    # and a session's validity is the database's (auth.py), so it would only weigh on every request.
    login.session_protection = None
    auth.init_app(app)  # after CSRF: a POST whose session just expired is still checked before its draft is kept
    security.init_app(app)
    estaticos.init_app(app)
    errors.init_app(app)
    salud.init_app(app)

    from .correo import Correo

    app.extensions["correo"] = Correo(app.config.get("SMTP_URL"), Path(app.config.get("OUTBOX") or instance / "outbox"),
                                      app.config.get("REMITENTE"))
    app.jinja_env.filters["fecha"] = hora.fecha_hora

    from .acuses.routes import bp as acuses_bp
    from .administracion.routes import bp as administracion_bp
    from .bitacora.routes import bp as bitacora_bp
    from .datos_generales.routes import bp as datos_generales_bp
    from .informativa.routes import bp as informativa_bp
    from .inicio.routes import bp as inicio_bp
    from .ingreso.routes import bp as ingreso_bp

    app.register_blueprint(ingreso_bp)
    app.register_blueprint(datos_generales_bp)
    app.register_blueprint(administracion_bp)
    app.register_blueprint(informativa_bp)
    app.register_blueprint(acuses_bp)
    app.register_blueprint(inicio_bp)
    app.register_blueprint(bitacora_bp)
    return app

