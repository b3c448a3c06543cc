"""The domain modules hold the guide's rules and know nothing of the web or the database (STYLE.md §1)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parents[1] / "app"
DOMAIN = ["fiel", "demo", "address", "acuse", "contacto", "curp", "export", "correo", "contrasena", "generales",
          "hora", "comprobante"]
WEB_OR_DB = {"flask", "flask_wtf", "flask_login", "wtforms", "sqlmodel", "sqlalchemy", "jinja2", "werkzeug"}


@pytest.mark.parametrize("name", DOMAIN)
def test_domain_module_imports_no_web_or_db_code(name):
    tree = ast.parse((APP_DIR / f"{name}.py").read_text(encoding="utf-8"))
    roots = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    roots |= {n.module.split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    assert not roots & (WEB_OR_DB | {"app"})
    # Within the app, a domain module may use another domain module, and nothing else (no models, no db).
    relative = {(n.module or a.name).split(".")[0] for n in ast.walk(tree)
                if isinstance(n, ast.ImportFrom) and n.level > 0 for a in n.names}
    assert relative <= set(DOMAIN)
