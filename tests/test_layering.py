"""The domain modules hold the guide's rules and know nothing of the web or the database (STYLE.md §1)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1] / "app"
# Modules (app/<name>.py) and packages (app/<name>/, every module of it checked on its own).
DOMAIN = ["fiel", "demo", "address", "acuse", "contacto", "curp", "export", "correo", "contrasena", "generales",
          "hora", "comprobante", "rechazo", "localizador", "plazos", "trabajadores", "rfc_contratante",
          "carga_masiva", "revision", "acuse_presentacion", "avisos", "listado", "folios", "bitacora/reglas",
          "texto"]
WEB_OR_DB = {"flask", "flask_wtf", "flask_login", "wtforms", "sqlmodel", "sqlalchemy", "jinja2", "werkzeug"}


def sources(name: str) -> list[Path]:
    package = APP_DIR / name
    return sorted(package.glob("*.py")) if package.is_dir() else [APP_DIR / f"{name}.py"]


def imported_app_module(path: Path, node: ast.ImportFrom, alias: ast.alias) -> str:
    """The module of app that a relative import in `path` reaches, by its top name under app/ ("rechazo" for
    `from ..rechazo import Rechazo` in app/fiel/mensajes.py, "fiel" for `from .der import _tlv` there)."""
    package = list(path.relative_to(APP_DIR).parent.parts)  # [] for app/x.py, ["fiel"] for app/fiel/x.py
    if node.level - 1 > len(package):
        return "<above app>"
    base = package[: len(package) - (node.level - 1)]
    target = base + (node.module.split(".") if node.module else [alias.name])
    return target[0]


@pytest.mark.parametrize("path", [p for name in DOMAIN for p in sources(name)],
                         ids=lambda p: str(p.relative_to(APP_DIR)))
def test_domain_module_imports_no_web_or_db_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module.split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    assert not roots & (WEB_OR_DB | {"app"})
    # Within the app, a domain module may use another domain module, and nothing else (no models, no db); a
    # module of a domain package may use its own package's modules, and other domain modules (`..rechazo`).
    relative = {imported_app_module(path, n, a) for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level > 0 for a in n.names}
    assert relative <= set(DOMAIN)


def test_relative_imports_resolve_to_the_app_module_they_reach():
    def reached(source: str, path: Path = APP_DIR / "fiel" / "mensajes.py") -> str:
        node = ast.parse(source).body[0]
        return imported_app_module(path, node, node.names[0])

    assert {p.name for p in sources("fiel")} >= {"__init__.py", "mensajes.py"}  # a package: each of its modules
    assert reached("from .limites import MAX_NOMBRE") == reached("from . import der") == "fiel"
    assert reached("from ..rechazo import Rechazo") == "rechazo"
    assert reached("from ..models import Contratista") == "models"
    assert reached("from ... import models") == "<above app>"
    assert reached("from .models import Contratista", APP_DIR / "curp.py") == "models"
    assert reached("from . import fiel", APP_DIR / "curp.py") == "fiel"


def test_no_module_is_over_600_lines():
    largos = {str(p.relative_to(APP_DIR)): n for p in APP_DIR.rglob("*.py")
              if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert largos == {}


def test_no_blueprint_imports_another():
    """A blueprint's code uses what lies below the blueprints (auth, enlaces, formularios, the domain modules),
    never another blueprint."""
    blueprints = {p.parent.name for p in APP_DIR.glob("*/routes.py")}
    for nombre in blueprints:
        for archivo in (APP_DIR / nombre).glob("*.py"):
            tree = ast.parse(archivo.read_text(encoding="utf-8"))
            importados = {(n.module or "").split(".")[0] for n in ast.walk(tree)
                          if isinstance(n, ast.ImportFrom) and n.level == 2}
            importados |= {a.name.split(".")[0] for n in ast.walk(tree)
                           if isinstance(n, ast.ImportFrom) and n.level == 2 and not n.module for a in n.names}
            importados |= {(n.module or "").split(".")[1] for n in ast.walk(tree)
                           if isinstance(n, ast.ImportFrom) and n.level == 0 and (n.module or "").startswith("app.")}
            assert not importados & (blueprints - {nombre}), (archivo, importados & blueprints)
