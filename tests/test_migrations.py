"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from tests.conftest import make_config
from webapp import create_app
from webapp.extensions import db


def _empty_schema(url: str) -> None:
    # Other tests leave tables (and the migrations leave alembic_version and any enum types)
    # behind in the shared PostgreSQL database: begin and end with nothing at all.
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database with no tables: TEST_DATABASE_URL emptied, or a new SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/m.db"
        return
    _empty_schema(url)
    yield url
    _empty_schema(url)


def test_upgrade_on_an_empty_database_matches_the_models(tmp_path, empty_database):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "access_log_entry" in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    readable = [
        f"{diff[0]} {getattr(diff[1], 'name', diff[1])}" if isinstance(diff, tuple) else str(diff)
        for diff in differences
    ]
    assert readable == [], "models and migrations differ: run `flask db migrate` and review it"


def test_downgrade_to_base_and_up_again(tmp_path, empty_database):
    app = create_app(make_config(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database))
    with app.app_context():
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output)
        db.engine.dispose()
