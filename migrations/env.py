"""Alembic environment: the models' metadata, the URL from the caller's config."""
from alembic import context
from sqlalchemy import create_engine

from server.models import metadata

config = context.config


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # batch mode copies and drops referenced tables: check keys at the end
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            context.configure(connection=connection, target_metadata=metadata,
                              render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        engine.dispose()  # a refused migration too: no connection left to the pool


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
