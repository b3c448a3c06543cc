"""What a WSGI server serves: `waitress-serve wsgi:app` (or `icsoe serve`, which also creates the schema)."""
from app import create_app

app = create_app()
