"""Settings come from TNE_DASH_* variables with declared defaults."""

from __future__ import annotations

from pathlib import Path

from tne_dash.config import DEFAULT_DATABASE_PATH, Settings, describe_settings


def test_defaults_point_at_the_embedded_sqlite_file():
    settings = Settings.from_env({})
    assert settings.database_url == f"sqlite:///{DEFAULT_DATABASE_PATH}"
    assert settings.demo is True


def test_environment_variables_override_each_setting():
    settings = Settings.from_env({
        "TNE_DASH_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "TNE_DASH_DEMO": "non",
        "TNE_DASH_CACHE_TTL_SECONDS": "5",
        "TNE_DASH_REFERENCE_DIR": "/tmp/ref",
    })
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.demo is False
    assert settings.cache_ttl_seconds == 5
    assert settings.reference_dir == Path("/tmp/ref")


def test_reads_go_to_the_replica_when_one_is_set_and_to_the_database_otherwise():
    alone = Settings.from_env({"TNE_DASH_DATABASE_URL": "postgresql+psycopg://u@h/tne"})
    assert alone.read_database_url == "" and alone.reading_url == alone.database_url
    replica = Settings.from_env({
        "TNE_DASH_DATABASE_URL": "postgresql+psycopg://u@h/tne",
        "TNE_DASH_READ_DATABASE_URL": "postgresql+psycopg://u@h/tne_replica"})
    assert replica.reading_url == "postgresql+psycopg://u@h/tne_replica"
    assert replica.database_url == "postgresql+psycopg://u@h/tne"  # writes, migrations


def test_every_setting_has_a_help_text_and_a_row_in_the_readme():
    rows = describe_settings()
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert {"TNE_DASH_DATABASE_URL", "TNE_DASH_ACCOUNTS_FILE", "TNE_DASH_IMPORT_MAX_MB"} <= {
        name for name, _, _ in rows}
    assert all(help_text for _, _, help_text in rows)
    assert [name for name, _, _ in rows if f"| `{name}` |" not in readme] == []
