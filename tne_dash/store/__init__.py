"""The store: everything that owns rows — database engines and schema, typed models, Alembic
migrations, reference loaders, the builders, and imports. Imports only the shared modules."""
